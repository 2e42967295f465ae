//! `Conv1d` and `F::conv1d`: 1-D convolution, initialised exactly as torch.

use super::conv2d::{check_config, conv_extra_repr, init_parameters};
use super::module::{Module, ModuleInfo, TrainingFlag};
use super::padding::Padding;
use crate::error::{Result, TensorError, or_panic};
use crate::tensor::{ConvPadding, Tensor, convolution};

/// torch's keyword arguments of `nn.Conv1d` beyond the three positional
/// ones, with torch's defaults (`stride=1, padding=0, dilation=1, groups=1,
/// bias=True`).
///
/// ```
/// use nn_core::prelude::*;
/// let conv = Conv1d::with_config(4, 6, 5, Conv1dConfig { stride: 2, padding: 1.into(), ..Default::default() });
/// assert_eq!(conv.to_string(), "Conv1d(4, 6, kernel_size=(5,), stride=(2,), padding=(1,))");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv1dConfig {
    /// Step of the kernel.
    pub stride: usize,
    /// Zeros on each side (`Padding::from(n)`), or `Same`/`Valid`.
    pub padding: Padding,
    /// Spacing of the kernel's taps.
    pub dilation: usize,
    /// Channel groups.
    pub groups: usize,
    /// Whether the layer has a bias.
    pub bias: bool,
}

impl Default for Conv1dConfig {
    fn default() -> Conv1dConfig {
        Conv1dConfig {
            stride: 1,
            padding: Padding::default(),
            dilation: 1,
            groups: 1,
            bias: true,
        }
    }
}

/// A 1-D convolution over `[N, C_in, L]` (or unbatched `[C_in, L]`) inputs,
/// as `torch.nn.Conv1d(in_channels, out_channels, kernel_size, …)`. The
/// weight `[C_out, C_in / groups, k]` and bias `[C_out]` are initialised
/// exactly as torch (see [`Conv2d`](super::Conv2d)).
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let conv = Conv1d::new(1, 8, 3);
/// assert_eq!(conv.to_string(), "Conv1d(1, 8, kernel_size=(3,), stride=(1,))");
/// assert_eq!(conv.forward(&Tensor::randn([4, 1, 10])).shape(), [4, 8, 8]);
/// ```
#[derive(Clone)]
pub struct Conv1d {
    /// `[out_channels, in_channels / groups, kernel_size]`, a parameter.
    pub weight: Tensor,
    /// `[out_channels]`, a parameter; `None` for `bias=False`.
    pub bias: Option<Tensor>,
    /// Channels of the input.
    pub in_channels: usize,
    /// Channels of the output.
    pub out_channels: usize,
    /// Width of the kernel.
    pub kernel_size: usize,
    /// Step of the kernel.
    pub stride: usize,
    /// Zeros on each side, or `Same`/`Valid`.
    pub padding: Padding,
    /// Spacing of the kernel's taps.
    pub dilation: usize,
    /// Channel groups.
    pub groups: usize,
    training: TrainingFlag,
}

impl Conv1d {
    /// `nn.Conv1d(in_channels, out_channels, kernel_size)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Conv1d::new(2, 4, 3).weight.shape(), [4, 2, 3]);
    /// ```
    #[track_caller]
    pub fn new(in_channels: usize, out_channels: usize, kernel_size: usize) -> Conv1d {
        Conv1d::with_config(
            in_channels,
            out_channels,
            kernel_size,
            Conv1dConfig::default(),
        )
    }

    /// `nn.Conv1d(in_channels, out_channels, kernel_size, **config)`.
    ///
    /// # Panics
    /// With torch's messages: channels not divisible by `groups`, `"same"`
    /// padding with a stride, a padding pair.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let conv = Conv1d::with_config(3, 2, 4, Conv1dConfig { padding: "same".into(), bias: false, ..Default::default() });
    /// assert_eq!(conv.forward(&Tensor::zeros([1, 3, 9])).shape(), [1, 2, 9]);
    /// ```
    #[track_caller]
    pub fn with_config(
        in_channels: usize,
        out_channels: usize,
        kernel_size: usize,
        config: Conv1dConfig,
    ) -> Conv1d {
        or_panic(Conv1d::try_with_config(
            in_channels,
            out_channels,
            kernel_size,
            config,
        ))
    }

    /// Fallible form of [`with_config`](Self::with_config).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Conv1d::try_with_config(4, 6, 3, Conv1dConfig { groups: 4, ..Default::default() }).unwrap_err();
    /// assert_eq!(err.to_string(), "out_channels must be divisible by groups");
    /// ```
    pub fn try_with_config(
        in_channels: usize,
        out_channels: usize,
        kernel_size: usize,
        config: Conv1dConfig,
    ) -> Result<Conv1d> {
        check_config(
            in_channels,
            out_channels,
            config.groups,
            config.padding,
            &[config.stride],
        )?;
        single_padding(config.padding)?;
        let fan_in = in_channels / config.groups * kernel_size;
        let shape = [out_channels, in_channels / config.groups, kernel_size];
        let (weight, bias) = init_parameters(&shape, fan_in, config.bias);
        Ok(Conv1d {
            weight,
            bias,
            in_channels,
            out_channels,
            kernel_size,
            stride: config.stride,
            padding: config.padding,
            dilation: config.dilation,
            groups: config.groups,
            training: TrainingFlag::default(),
        })
    }
}

/// A 1-D padding is one number: `Explicit([p, p])`.
fn single_padding(padding: Padding) -> Result<()> {
    match padding {
        Padding::Explicit([a, b]) if a != b => Err(TensorError::runtime(format!(
            "expected padding to be a single integer value or a list of 1 values to match the convolution dimensions, but got padding=[{a}, {b}]"
        ))),
        _ => Ok(()),
    }
}

impl ModuleInfo for Conv1d {
    fn class_name(&self) -> String {
        "Conv1d".into()
    }
    fn extra_repr(&self) -> String {
        format!(
            "{}, {}, {}",
            self.in_channels,
            self.out_channels,
            conv_extra_repr(
                &[self.kernel_size],
                &[self.stride],
                self.padding,
                &[self.dilation],
                self.groups,
                self.bias.is_some()
            )
        )
    }
    fn own_parameters(&self) -> Vec<(String, Tensor)> {
        let mut p = vec![("weight".to_string(), self.weight.clone())];
        if let Some(b) = &self.bias {
            p.push(("bias".to_string(), b.clone()));
        }
        p
    }
    super::module::builtin_layer_state!();
}

impl Module for Conv1d {
    /// The convolution ([`F::conv1d`](super::functional::conv1d)).
    fn forward(&self, input: &Tensor) -> Tensor {
        or_panic(try_conv1d(
            input,
            &self.weight,
            self.bias.as_ref(),
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
        ))
    }
    super::module::compiled_module_methods!();
}

crate::impl_module_display!(Conv1d);

/// 1-D convolution, as `F.conv1d(input, weight, bias, stride, padding,
/// dilation, groups)`: `input` is `[N, C_in, L]` or `[C_in, L]`, `weight`
/// `[C_out, C_in / groups, k]`; `padding` is a number, `"same"` or `"valid"`.
///
/// # Panics
/// On shapes that do not fit, with torch's messages.
///
/// ```
/// use nn_core::prelude::*;
/// let signal = tensor![[[1.0, 2.0, 3.0, 4.0]]];
/// let diff = tensor![[[-1.0, 1.0]]];
/// assert_eq!(F::conv1d(&signal, &diff, None, 1, 0, 1, 1).to_vec::<f32>(), vec![1.0, 1.0, 1.0]);
/// ```
#[track_caller]
pub fn conv1d(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    stride: usize,
    padding: impl Into<Padding>,
    dilation: usize,
    groups: usize,
) -> Tensor {
    or_panic(try_conv1d(
        input,
        weight,
        bias,
        stride,
        padding.into(),
        dilation,
        groups,
    ))
}

/// Fallible form of [`conv1d`].
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::{functional::try_conv1d, Padding};
/// let err = try_conv1d(&Tensor::zeros([8]), &Tensor::zeros([4, 2, 3]), None, 1, Padding::default(), 1, 1).unwrap_err();
/// assert_eq!(err.to_string(), "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [8]");
/// ```
pub fn try_conv1d(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    stride: usize,
    padding: Padding,
    dilation: usize,
    groups: usize,
) -> Result<Tensor> {
    single_padding(padding)?;
    let pad = match padding {
        Padding::Explicit(p) => [p[0]],
        _ => [0],
    };
    let conv_padding = match padding {
        Padding::Same => ConvPadding::Same,
        _ => ConvPadding::Explicit(&pad),
    };
    convolution(
        input,
        weight,
        bias,
        &[stride],
        conv_padding,
        &[dilation],
        groups,
    )
}

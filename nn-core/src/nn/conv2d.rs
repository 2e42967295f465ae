//! `Conv2d` and `F::conv2d`: 2-D convolution, initialised exactly as torch.

use super::int_or_pair::IntOrPair;
use super::module::{Module, ModuleInfo, TrainingFlag};
use super::padding::Padding;
use crate::error::{Result, TensorError, or_panic};
use crate::random::{linear_init_bound, with_default_generator};
use crate::tensor::{ConvPadding, Tensor, convolution};

/// torch's keyword arguments of `nn.Conv2d` beyond the three positional
/// ones, with torch's defaults (`stride=1, padding=0, dilation=1, groups=1,
/// bias=True`). Set fields directly or chain the setters:
///
/// ```
/// use nn_core::prelude::*;
/// let config = Conv2dConfig { groups: 2, bias: false, ..Default::default() }.padding("same");
/// let conv = Conv2d::with_config(4, 6, 3, config);
/// assert_eq!(
///     conv.to_string(),
///     "Conv2d(4, 6, kernel_size=(3, 3), stride=(1, 1), padding=same, groups=2, bias=False)"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dConfig {
    /// Step of the kernel, `[height, width]`.
    pub stride: [usize; 2],
    /// Zeros around the input, or `Same`/`Valid`.
    pub padding: Padding,
    /// Spacing of the kernel's taps, `[height, width]`.
    pub dilation: [usize; 2],
    /// Channel groups: input and output channels are split into `groups`
    /// independent convolutions.
    pub groups: usize,
    /// Whether the layer has a bias.
    pub bias: bool,
}

impl Default for Conv2dConfig {
    fn default() -> Conv2dConfig {
        Conv2dConfig {
            stride: [1, 1],
            padding: Padding::default(),
            dilation: [1, 1],
            groups: 1,
            bias: true,
        }
    }
}

impl Conv2dConfig {
    /// Sets `stride` (a number or a pair).
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Conv2dConfig::default().stride(2).stride, [2, 2]);
    /// ```
    pub fn stride(mut self, stride: impl Into<IntOrPair>) -> Conv2dConfig {
        self.stride = stride.into().pair();
        self
    }

    /// Sets `padding` (a number, a pair, `"same"` or `"valid"`).
    ///
    /// ```
    /// use nn_core::nn::{Conv2dConfig, Padding};
    /// assert_eq!(Conv2dConfig::default().padding((1, 2)).padding, Padding::Explicit([1, 2]));
    /// ```
    pub fn padding(mut self, padding: impl Into<Padding>) -> Conv2dConfig {
        self.padding = padding.into();
        self
    }

    /// Sets `dilation` (a number or a pair).
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Conv2dConfig::default().dilation(2).dilation, [2, 2]);
    /// ```
    pub fn dilation(mut self, dilation: impl Into<IntOrPair>) -> Conv2dConfig {
        self.dilation = dilation.into().pair();
        self
    }

    /// Sets `groups`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Conv2dConfig::default().groups(4).groups, 4);
    /// ```
    pub fn groups(mut self, groups: usize) -> Conv2dConfig {
        self.groups = groups;
        self
    }

    /// Sets `bias`.
    ///
    /// ```
    /// assert!(!nn_core::nn::Conv2dConfig::default().bias(false).bias);
    /// ```
    pub fn bias(mut self, bias: bool) -> Conv2dConfig {
        self.bias = bias;
        self
    }
}

/// A 2-D convolution over `[N, C_in, H, W]` (or unbatched `[C_in, H, W]`)
/// inputs, as `torch.nn.Conv2d(in_channels, out_channels, kernel_size, …)`.
///
/// The weight has shape `[C_out, C_in / groups, kh, kw]` and the bias
/// `[C_out]`. Both are drawn from `U(-1/√fan_in, 1/√fan_in)` with
/// `fan_in = C_in / groups · kh · kw` by the default generator, weight
/// first, exactly as torch's `kaiming_uniform_(a=√5)` and bias bound do:
/// after `manual_seed(0)` the values are torch's bit for bit.
///
/// Settings that do not change the parameters can be chained after
/// [`new`](Self::new), reading as torch's keyword arguments; `groups` and
/// `bias` change the parameters and go through [`Conv2dConfig`].
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let conv = Conv2d::new(1, 8, 3).padding(1); // nn.Conv2d(1, 8, 3, padding=1)
/// assert_eq!(conv.to_string(), "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))");
/// let y = conv.forward(&Tensor::randn([64, 1, 8, 8]));
/// assert_eq!(y.shape(), [64, 8, 8, 8]);
/// assert_eq!(y.grad_fn().unwrap().name(), "ConvolutionBackward0");
/// assert_eq!(conv.state_dict().keys(), vec!["weight", "bias"]);
/// ```
#[derive(Clone)]
pub struct Conv2d {
    /// `[out_channels, in_channels / groups, kh, kw]`, a parameter.
    pub weight: Tensor,
    /// `[out_channels]`, a parameter; `None` for `bias=False`.
    pub bias: Option<Tensor>,
    /// Channels of the input.
    pub in_channels: usize,
    /// Channels of the output (the number of filters).
    pub out_channels: usize,
    /// `[kh, kw]`.
    pub kernel_size: [usize; 2],
    /// `[height, width]`.
    pub stride: [usize; 2],
    /// Zeros around the input, or `Same`/`Valid`.
    pub padding: Padding,
    /// `[height, width]`.
    pub dilation: [usize; 2],
    /// Channel groups.
    pub groups: usize,
    training: TrainingFlag,
}

impl Conv2d {
    /// `nn.Conv2d(in_channels, out_channels, kernel_size)`: stride 1, no
    /// padding, a bias. `kernel_size` is a number or a pair `(kh, kw)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let conv = Conv2d::new(3, 16, (3, 5));
    /// assert_eq!(conv.weight.shape(), [16, 3, 3, 5]);
    /// assert_eq!(conv.num_parameters(), 16 * 3 * 15 + 16);
    /// ```
    #[track_caller]
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel_size: impl Into<IntOrPair>,
    ) -> Conv2d {
        Conv2d::with_config(
            in_channels,
            out_channels,
            kernel_size,
            Conv2dConfig::default(),
        )
    }

    /// `nn.Conv2d(in_channels, out_channels, kernel_size, **config)`.
    ///
    /// # Panics
    /// With torch's messages: channels not divisible by `groups`, `"same"`
    /// padding with a stride.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let conv = Conv2d::with_config(3, 6, 3, Conv2dConfig::default().groups(3).bias(false));
    /// assert_eq!(conv.weight.shape(), [6, 1, 3, 3]);
    /// assert!(conv.bias.is_none());
    /// ```
    #[track_caller]
    pub fn with_config(
        in_channels: usize,
        out_channels: usize,
        kernel_size: impl Into<IntOrPair>,
        config: Conv2dConfig,
    ) -> Conv2d {
        or_panic(Conv2d::try_with_config(
            in_channels,
            out_channels,
            kernel_size.into().pair(),
            config,
        ))
    }

    /// Fallible form of [`with_config`](Self::with_config).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Conv2d::try_with_config(3, 8, [3, 3], Conv2dConfig::default().groups(2)).unwrap_err();
    /// assert_eq!(err.to_string(), "in_channels must be divisible by groups");
    /// ```
    pub fn try_with_config(
        in_channels: usize,
        out_channels: usize,
        kernel_size: [usize; 2],
        config: Conv2dConfig,
    ) -> Result<Conv2d> {
        check_config(
            in_channels,
            out_channels,
            config.groups,
            config.padding,
            &config.stride,
        )?;
        let fan_in = in_channels / config.groups * kernel_size[0] * kernel_size[1];
        let shape = [
            out_channels,
            in_channels / config.groups,
            kernel_size[0],
            kernel_size[1],
        ];
        let (weight, bias) = init_parameters(&shape, fan_in, config.bias);
        Ok(Conv2d {
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

    /// A layer with given weights (made parameters), for filters written by
    /// hand: `weight` is `[C_out, C_in / groups, kh, kw]`; stride 1, no
    /// padding, groups 1 (chain the setters for others).
    ///
    /// # Panics
    /// If the weight is not 4-D or the bias size differs from its first
    /// dimension.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// // A vertical edge detector on a 1-channel image.
    /// let edge = tensor![[[[1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, -1.0]]]];
    /// let conv = Conv2d::from_weights(edge, None).padding(1);
    /// let image = Tensor::ones([1, 1, 4, 4]);
    /// assert_eq!(conv.forward(&image).to_vec::<f32>()[..4], [-2.0, 0.0, 0.0, 2.0]);
    /// ```
    #[track_caller]
    pub fn from_weights(weight: Tensor, bias: Option<Tensor>) -> Conv2d {
        let shape = weight.shape().to_vec();
        assert_eq!(
            shape.len(),
            4,
            "Conv2d weight must be 4-D, got shape {shape:?}"
        );
        if let Some(b) = &bias {
            assert_eq!(
                b.shape(),
                [shape[0]],
                "Conv2d bias must have shape [{}]",
                shape[0]
            );
        }
        Conv2d {
            weight: Tensor::parameter(weight),
            bias: bias.map(Tensor::parameter),
            in_channels: shape[1],
            out_channels: shape[0],
            kernel_size: [shape[2], shape[3]],
            stride: [1, 1],
            padding: Padding::default(),
            dilation: [1, 1],
            groups: 1,
            training: TrainingFlag::default(),
        }
    }

    /// The same layer with another `stride`, as `stride=…`.
    ///
    /// # Panics
    /// With a stride other than 1 when the padding is `"same"`, with
    /// torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let conv = Conv2d::new(1, 2, 3).stride(2);
    /// assert_eq!(conv.forward(&Tensor::zeros([1, 1, 7, 7])).shape(), [1, 2, 3, 3]);
    /// ```
    #[track_caller]
    pub fn stride(mut self, stride: impl Into<IntOrPair>) -> Conv2d {
        self.stride = stride.into().pair();
        or_panic(check_config(
            self.in_channels,
            self.out_channels,
            self.groups,
            self.padding,
            &self.stride,
        ));
        self
    }

    /// The same layer with another `padding` (a number, a pair, `"same"` or
    /// `"valid"`), as `padding=…`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let conv = Conv2d::new(1, 2, 3).padding("same");
    /// assert_eq!(conv.forward(&Tensor::zeros([1, 1, 7, 7])).shape(), [1, 2, 7, 7]);
    /// ```
    #[track_caller]
    pub fn padding(mut self, padding: impl Into<Padding>) -> Conv2d {
        self.padding = padding.into();
        or_panic(check_config(
            self.in_channels,
            self.out_channels,
            self.groups,
            self.padding,
            &self.stride,
        ));
        self
    }

    /// The same layer with another `dilation`, as `dilation=…`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let conv = Conv2d::new(1, 2, 3).dilation(2);
    /// assert_eq!(conv.forward(&Tensor::zeros([1, 1, 7, 7])).shape(), [1, 2, 3, 3]);
    /// ```
    pub fn dilation(mut self, dilation: impl Into<IntOrPair>) -> Conv2d {
        self.dilation = dilation.into().pair();
        self
    }
}

/// torch's checks of `_ConvNd.__init__`.
pub(super) fn check_config(
    in_channels: usize,
    out_channels: usize,
    groups: usize,
    padding: Padding,
    stride: &[usize],
) -> Result<()> {
    if groups == 0 {
        return Err(TensorError::value("groups must be a positive integer"));
    }
    if !in_channels.is_multiple_of(groups) {
        return Err(TensorError::value(
            "in_channels must be divisible by groups",
        ));
    }
    if !out_channels.is_multiple_of(groups) {
        return Err(TensorError::value(
            "out_channels must be divisible by groups",
        ));
    }
    if padding == Padding::Same && stride.iter().any(|&s| s != 1) {
        return Err(TensorError::value(
            "padding='same' is not supported for strided convolutions",
        ));
    }
    Ok(())
}

/// Weight then bias, drawn from `U(-b, b)` with `b = 1/√fan_in` by the
/// default generator. torch draws the weight with `kaiming_uniform_(a=√5)`,
/// whose bound `√3 · √(2/(1+a²)) / √fan_in` rounds to the same float32 as
/// `1/√fan_in` for every fan_in up to 200,000 (`random::linear_init_bound`).
pub(super) fn init_parameters(
    shape: &[usize],
    fan_in: usize,
    bias: bool,
) -> (Tensor, Option<Tensor>) {
    let bound = linear_init_bound(fan_in);
    let (w, b) = with_default_generator(|g| {
        let w = Tensor::zeros(shape);
        w.uniform_with_(-bound, bound, g);
        let b = bias.then(|| {
            let b = Tensor::zeros([shape[0]]);
            b.uniform_with_(-bound, bound, g);
            b
        });
        (w, b)
    });
    (Tensor::parameter(w), b.map(Tensor::parameter))
}

/// The settings part of a convolution's repr (after the channels).
pub(super) fn conv_extra_repr(
    kernel: &[usize],
    stride: &[usize],
    padding: Padding,
    dilation: &[usize],
    groups: usize,
    bias: bool,
) -> String {
    use super::int_or_pair::python_tuple;
    let mut s = format!(
        "kernel_size={}, stride={}",
        python_tuple(kernel),
        python_tuple(stride)
    );
    if padding.is_shown() {
        s += &format!(", padding={}", padding.repr(kernel.len()));
    }
    if dilation.iter().any(|&d| d != 1) {
        s += &format!(", dilation={}", python_tuple(dilation));
    }
    if groups != 1 {
        s += &format!(", groups={groups}");
    }
    if !bias {
        s += ", bias=False";
    }
    s
}

impl ModuleInfo for Conv2d {
    fn class_name(&self) -> String {
        "Conv2d".into()
    }
    fn extra_repr(&self) -> String {
        format!(
            "{}, {}, {}",
            self.in_channels,
            self.out_channels,
            conv_extra_repr(
                &self.kernel_size,
                &self.stride,
                self.padding,
                &self.dilation,
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

impl Module for Conv2d {
    /// The convolution ([`F::conv2d`](super::functional::conv2d)):
    /// `ConvolutionBackward0`, or `SqueezeBackward1` for an unbatched input.
    fn forward(&self, input: &Tensor) -> Tensor {
        or_panic(try_conv2d(
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

crate::impl_module_display!(Conv2d);

/// 2-D convolution, as `F.conv2d(input, weight, bias, stride, padding,
/// dilation, groups)`: `input` is `[N, C_in, H, W]` or `[C_in, H, W]`,
/// `weight` `[C_out, C_in / groups, kh, kw]`. `stride` and `dilation` are
/// numbers or pairs; `padding` a number, a pair, `"same"` or `"valid"`.
///
/// # Panics
/// On shapes that do not fit, with torch's messages.
///
/// ```
/// use nn_core::prelude::*;
/// let image = tensor![[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]];
/// let kernel = tensor![[[[0.0, 1.0], [1.0, 0.0]]]];
/// // Each output is the sum of two diagonal neighbours.
/// let y = F::conv2d(&image, &kernel, None, 1, 0, 1, 1);
/// assert_eq!(y.to_vec::<f32>(), vec![6.0, 8.0, 12.0, 14.0]);
/// let err = std::panic::catch_unwind(|| F::conv2d(&Tensor::zeros([3, 8, 8]), &Tensor::zeros([8, 1, 3, 3]), None, 1, 0, 1, 1));
/// assert!(err.is_err()); // "Given groups=1, weight of size [8, 1, 3, 3], expected input[1, 3, 8, 8] to have 1 channels, but got 3 channels instead"
/// ```
#[track_caller]
pub fn conv2d(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    stride: impl Into<IntOrPair>,
    padding: impl Into<Padding>,
    dilation: impl Into<IntOrPair>,
    groups: usize,
) -> Tensor {
    or_panic(try_conv2d(
        input,
        weight,
        bias,
        stride.into().pair(),
        padding.into(),
        dilation.into().pair(),
        groups,
    ))
}

/// Fallible form of [`conv2d`], with pairs.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::{functional::try_conv2d, Padding};
/// let err = try_conv2d(&Tensor::zeros([3, 8, 8]), &Tensor::zeros([8, 1, 3, 3]), None, [1, 1], Padding::default(), [1, 1], 1).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "Given groups=1, weight of size [8, 1, 3, 3], expected input[1, 3, 8, 8] to have 1 channels, but got 3 channels instead"
/// );
/// ```
pub fn try_conv2d(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    stride: [usize; 2],
    padding: Padding,
    dilation: [usize; 2],
    groups: usize,
) -> Result<Tensor> {
    let pad = match padding {
        Padding::Explicit(p) => p,
        _ => [0, 0],
    };
    let conv_padding = match padding {
        Padding::Same => ConvPadding::Same,
        _ => ConvPadding::Explicit(&pad),
    };
    convolution(
        input,
        weight,
        bias,
        &stride,
        conv_padding,
        &dilation,
        groups,
    )
}

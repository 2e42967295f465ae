//! `AvgPool2d` and `F::avg_pool2d`: the mean of each window.

use super::int_or_pair::IntOrPair;
use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::error::{Result, TensorError, or_panic};
use crate::tensor::{Divisor, Pool2d, Tensor, avg_pool2d as pool};

/// torch's keyword arguments of `nn.AvgPool2d` beyond `kernel_size`, with
/// torch's defaults (`stride=None` meaning the kernel size, `padding=0`,
/// `ceil_mode=False`, `count_include_pad=True`, `divisor_override=None`).
///
/// ```
/// use nn_core::prelude::*;
/// let pool = AvgPool2d::with_config(3, AvgPool2dConfig { stride: Some(1.into()), padding: 1.into(), count_include_pad: false, ..Default::default() });
/// // Border windows average only the values inside the image.
/// assert_eq!(pool.forward(&Tensor::ones([1, 4, 4])).to_vec::<f32>(), vec![1.0; 16]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool2dConfig {
    /// The window's step; `None` for the kernel size.
    pub stride: Option<IntOrPair>,
    /// Implicit zeros around the input (at most half the window).
    pub padding: IntOrPair,
    /// Round the output size up instead of down.
    pub ceil_mode: bool,
    /// Whether the padding's zeros count in a window's size.
    pub count_include_pad: bool,
    /// Divide every window's sum by this instead of its size.
    pub divisor_override: Option<usize>,
}

impl Default for AvgPool2dConfig {
    fn default() -> AvgPool2dConfig {
        AvgPool2dConfig {
            stride: None,
            padding: IntOrPair::Int(0),
            ceil_mode: false,
            count_include_pad: true,
            divisor_override: None,
        }
    }
}

/// 2-D average pooling over `[N, C, H, W]` or `[C, H, W]` inputs, as
/// `torch.nn.AvgPool2d(kernel_size, …)`: each window's sum, in torch's
/// order, divided by its size — the same bits as torch.
///
/// ```
/// use nn_core::prelude::*;
/// let pool = AvgPool2d::new(2);
/// assert_eq!(pool.to_string(), "AvgPool2d(kernel_size=2, stride=2, padding=0)");
/// let x = tensor![[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 1.0, 2.0]]];
/// assert_eq!(pool.forward(&x).to_vec::<f32>(), vec![2.5, 2.0]);
/// ```
#[derive(Clone)]
pub struct AvgPool2d {
    /// The window's size.
    pub kernel_size: IntOrPair,
    /// The window's step.
    pub stride: IntOrPair,
    /// Implicit zeros around the input.
    pub padding: IntOrPair,
    /// Round the output size up.
    pub ceil_mode: bool,
    /// Whether the padding's zeros count in a window's size.
    pub count_include_pad: bool,
    /// A fixed divisor.
    pub divisor_override: Option<usize>,
    training: TrainingFlag,
}

impl AvgPool2d {
    /// `nn.AvgPool2d(kernel_size)`: the stride is the kernel size.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(AvgPool2d::new(2).forward(&Tensor::ones([2, 3, 8, 8])).shape(), [2, 3, 4, 4]);
    /// ```
    pub fn new(kernel_size: impl Into<IntOrPair>) -> AvgPool2d {
        AvgPool2d::with_config(kernel_size, AvgPool2dConfig::default())
    }

    /// `nn.AvgPool2d(kernel_size, **config)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let pool = AvgPool2d::with_config(2, AvgPool2dConfig { divisor_override: Some(1), ..Default::default() });
    /// assert_eq!(pool.forward(&Tensor::ones([1, 2, 2])).item(), 4.0); // a sum
    /// ```
    pub fn with_config(kernel_size: impl Into<IntOrPair>, config: AvgPool2dConfig) -> AvgPool2d {
        let kernel_size = kernel_size.into();
        AvgPool2d {
            kernel_size,
            stride: config.stride.unwrap_or(kernel_size),
            padding: config.padding,
            ceil_mode: config.ceil_mode,
            count_include_pad: config.count_include_pad,
            divisor_override: config.divisor_override,
            training: TrainingFlag::default(),
        }
    }

    /// The same layer with another `stride`, as `stride=…`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(AvgPool2d::new(2).stride(1).forward(&Tensor::ones([1, 3, 3])).shape(), [1, 2, 2]);
    /// ```
    pub fn stride(mut self, stride: impl Into<IntOrPair>) -> AvgPool2d {
        self.stride = stride.into();
        self
    }

    /// The same layer with another `padding`, as `padding=…`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(AvgPool2d::new(3).stride(1).padding(1).forward(&Tensor::ones([1, 3, 3])).shape(), [1, 3, 3]);
    /// ```
    pub fn padding(mut self, padding: impl Into<IntOrPair>) -> AvgPool2d {
        self.padding = padding.into();
        self
    }

    /// The same layer with `ceil_mode` set, as `ceil_mode=…`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(AvgPool2d::new(2).ceil_mode(true).forward(&Tensor::ones([1, 3, 3])).shape(), [1, 2, 2]);
    /// ```
    pub fn ceil_mode(mut self, ceil_mode: bool) -> AvgPool2d {
        self.ceil_mode = ceil_mode;
        self
    }

    /// The same layer with `count_include_pad` set, as `count_include_pad=…`.
    ///
    /// ```
    /// assert!(!nn_core::nn::AvgPool2d::new(2).count_include_pad(false).count_include_pad);
    /// ```
    pub fn count_include_pad(mut self, count_include_pad: bool) -> AvgPool2d {
        self.count_include_pad = count_include_pad;
        self
    }
}

impl ModuleInfo for AvgPool2d {
    fn class_name(&self) -> String {
        "AvgPool2d".into()
    }
    fn extra_repr(&self) -> String {
        format!(
            "kernel_size={}, stride={}, padding={}",
            self.kernel_size, self.stride, self.padding
        )
    }
    super::module::builtin_layer_state!();
}

impl Module for AvgPool2d {
    /// The window means (`AvgPool2DBackward0`).
    fn forward(&self, input: &Tensor) -> Tensor {
        or_panic(try_avg_pool2d(
            input,
            self.kernel_size.pair(),
            self.stride.pair(),
            self.padding.pair(),
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        ))
    }
    super::module::compiled_module_methods!();
}

crate::impl_module_display!(AvgPool2d);

/// 2-D average pooling, as `F.avg_pool2d(input, kernel_size, stride,
/// padding, ceil_mode, count_include_pad, divisor_override)` (pass the
/// kernel size as `stride` for torch's `stride=None`).
///
/// # Panics
/// On a bad input or window, with torch's messages.
///
/// ```
/// use nn_core::prelude::*;
/// let x = Tensor::arange(16.0).reshape([1, 1, 4, 4]);
/// assert_eq!(F::avg_pool2d(&x, 2, 2, 0, false, true, None).to_vec::<f32>(), vec![2.5, 4.5, 10.5, 12.5]);
/// ```
#[track_caller]
pub fn avg_pool2d(
    input: &Tensor,
    kernel_size: impl Into<IntOrPair>,
    stride: impl Into<IntOrPair>,
    padding: impl Into<IntOrPair>,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Option<usize>,
) -> Tensor {
    or_panic(try_avg_pool2d(
        input,
        kernel_size.into().pair(),
        stride.into().pair(),
        padding.into().pair(),
        ceil_mode,
        count_include_pad,
        divisor_override,
    ))
}

fn try_avg_pool2d(
    input: &Tensor,
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Option<usize>,
) -> Result<Tensor> {
    if divisor_override == Some(0) {
        return Err(TensorError::runtime("divisor must be not zero"));
    }
    let p = Pool2d {
        kernel,
        stride,
        padding,
        dilation: [1, 1],
        ceil_mode,
    };
    pool(
        input,
        &p,
        Divisor {
            count_include_pad,
            divisor_override,
        },
    )
}

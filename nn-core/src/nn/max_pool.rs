//! `MaxPool2d` and `F::max_pool2d`: the largest value of each window.

use super::int_or_pair::{IntOrPair, python_bool};
use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::error::{Result, or_panic};
use crate::tensor::{Pool2d, Tensor, max_pool2d_with_indices as pool};

/// torch's keyword arguments of `nn.MaxPool2d` beyond `kernel_size`, with
/// torch's defaults (`stride=None` meaning the kernel size, `padding=0`,
/// `dilation=1`, `return_indices=False`, `ceil_mode=False`).
///
/// ```
/// use nn_core::prelude::*;
/// let pool = MaxPool2d::with_config(3, MaxPool2dConfig { stride: Some(2.into()), padding: 1.into(), ..Default::default() });
/// assert_eq!(pool.to_string(), "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxPool2dConfig {
    /// The window's step; `None` for the kernel size.
    pub stride: Option<IntOrPair>,
    /// Implicit `-inf` around the input (at most half the window).
    pub padding: IntOrPair,
    /// Spacing of the window's taps.
    pub dilation: IntOrPair,
    /// Whether [`MaxPool2d::forward_with_indices`] is the intended use
    /// (torch's `forward` then returns a pair; here `forward` always returns
    /// the values).
    pub return_indices: bool,
    /// Round the output size up instead of down (a last window may start in
    /// the input and end outside it).
    pub ceil_mode: bool,
}

impl Default for MaxPool2dConfig {
    fn default() -> MaxPool2dConfig {
        MaxPool2dConfig {
            stride: None,
            padding: IntOrPair::Int(0),
            dilation: IntOrPair::Int(1),
            return_indices: false,
            ceil_mode: false,
        }
    }
}

/// 2-D max pooling over `[N, C, H, W]` or `[C, H, W]` inputs, as
/// `torch.nn.MaxPool2d(kernel_size, …)`: exact, with torch's tie rule (the
/// first maximum of a window wins; NaN wins).
///
/// ```
/// use nn_core::prelude::*;
/// let pool = MaxPool2d::new(2);
/// assert_eq!(pool.to_string(), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
/// let x = tensor![[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 1.0, 1.0]]]];
/// assert_eq!(pool.forward(&x).to_vec::<f32>(), vec![4.0, 5.0]);
/// let (values, indices) = pool.forward_with_indices(&x);
/// assert_eq!(indices.to_vec::<i64>(), vec![5, 2]); // positions in the 2×4 plane
/// assert!(values.grad_fn().is_none()); // x does not require grad
/// ```
#[derive(Clone)]
pub struct MaxPool2d {
    /// The window's size.
    pub kernel_size: IntOrPair,
    /// The window's step.
    pub stride: IntOrPair,
    /// Implicit `-inf` around the input.
    pub padding: IntOrPair,
    /// Spacing of the window's taps.
    pub dilation: IntOrPair,
    /// See [`MaxPool2dConfig::return_indices`].
    pub return_indices: bool,
    /// Round the output size up.
    pub ceil_mode: bool,
    training: TrainingFlag,
}

impl MaxPool2d {
    /// `nn.MaxPool2d(kernel_size)`: the stride is the kernel size.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(MaxPool2d::new((2, 3)).stride, nn_core::nn::IntOrPair::Pair(2, 3));
    /// ```
    pub fn new(kernel_size: impl Into<IntOrPair>) -> MaxPool2d {
        MaxPool2d::with_config(kernel_size, MaxPool2dConfig::default())
    }

    /// `nn.MaxPool2d(kernel_size, **config)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let pool = MaxPool2d::with_config(2, MaxPool2dConfig { ceil_mode: true, ..Default::default() });
    /// assert_eq!(pool.forward(&Tensor::zeros([1, 5, 5])).shape(), [1, 3, 3]);
    /// ```
    pub fn with_config(kernel_size: impl Into<IntOrPair>, config: MaxPool2dConfig) -> MaxPool2d {
        let kernel_size = kernel_size.into();
        MaxPool2d {
            kernel_size,
            stride: config.stride.unwrap_or(kernel_size),
            padding: config.padding,
            dilation: config.dilation,
            return_indices: config.return_indices,
            ceil_mode: config.ceil_mode,
            training: TrainingFlag::default(),
        }
    }

    /// The same layer with another `stride`, as `stride=…`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(MaxPool2d::new(3).stride(1).forward(&Tensor::zeros([1, 5, 5])).shape(), [1, 3, 3]);
    /// ```
    pub fn stride(mut self, stride: impl Into<IntOrPair>) -> MaxPool2d {
        self.stride = stride.into();
        self
    }

    /// The same layer with another `padding`, as `padding=…`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(MaxPool2d::new(3).stride(1).padding(1).forward(&Tensor::zeros([1, 5, 5])).shape(), [1, 5, 5]);
    /// ```
    pub fn padding(mut self, padding: impl Into<IntOrPair>) -> MaxPool2d {
        self.padding = padding.into();
        self
    }

    /// The same layer with another `dilation`, as `dilation=…`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(MaxPool2d::new(2).dilation(2).stride(1).forward(&Tensor::zeros([1, 5, 5])).shape(), [1, 3, 3]);
    /// ```
    pub fn dilation(mut self, dilation: impl Into<IntOrPair>) -> MaxPool2d {
        self.dilation = dilation.into();
        self
    }

    /// The same layer with `ceil_mode` set, as `ceil_mode=…`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(MaxPool2d::new(2).ceil_mode(true).forward(&Tensor::zeros([1, 5, 5])).shape(), [1, 3, 3]);
    /// ```
    pub fn ceil_mode(mut self, ceil_mode: bool) -> MaxPool2d {
        self.ceil_mode = ceil_mode;
        self
    }

    /// The same layer with `return_indices` set, as `return_indices=…`
    /// (see [`forward_with_indices`](Self::forward_with_indices)).
    ///
    /// ```
    /// assert!(nn_core::nn::MaxPool2d::new(2).return_indices(true).return_indices);
    /// ```
    pub fn return_indices(mut self, return_indices: bool) -> MaxPool2d {
        self.return_indices = return_indices;
        self
    }

    /// The pooled values and, for each, its position in its input plane
    /// (`int64`, `ih · W + iw`): what torch's layer returns with
    /// `return_indices=True` (the indices `MaxUnpool2d` takes).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[[0.0, 7.0], [3.0, 1.0]]];
    /// let (y, i) = MaxPool2d::new(2).forward_with_indices(&x);
    /// assert_eq!((y.item(), i.item()), (7.0, 1.0));
    /// ```
    #[track_caller]
    pub fn forward_with_indices(&self, input: &Tensor) -> (Tensor, Tensor) {
        or_panic(self.pool(input))
    }

    fn pool(&self, input: &Tensor) -> Result<(Tensor, Tensor)> {
        let p = Pool2d {
            kernel: self.kernel_size.pair(),
            stride: self.stride.pair(),
            padding: self.padding.pair(),
            dilation: self.dilation.pair(),
            ceil_mode: self.ceil_mode,
        };
        pool(input, &p)
    }
}

impl ModuleInfo for MaxPool2d {
    fn class_name(&self) -> String {
        "MaxPool2d".into()
    }
    fn extra_repr(&self) -> String {
        format!(
            "kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}",
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            python_bool(self.ceil_mode)
        )
    }
    super::module::builtin_layer_state!();
}

impl Module for MaxPool2d {
    /// The pooled values (`MaxPool2DWithIndicesBackward0`).
    fn forward(&self, input: &Tensor) -> Tensor {
        or_panic(self.pool(input)).0
    }
    super::module::compiled_module_methods!();
}

crate::impl_module_display!(MaxPool2d);

/// 2-D max pooling, as `F.max_pool2d(input, kernel_size, stride, padding,
/// dilation, ceil_mode)` (pass the kernel size as `stride` for torch's
/// `stride=None`).
///
/// # Panics
/// On a bad input or window, with torch's messages.
///
/// ```
/// use nn_core::prelude::*;
/// let x = Tensor::arange(16.0).reshape([1, 1, 4, 4]);
/// assert_eq!(F::max_pool2d(&x, 2, 2, 0, 1, false).to_vec::<f32>(), vec![5.0, 7.0, 13.0, 15.0]);
/// ```
#[track_caller]
pub fn max_pool2d(
    input: &Tensor,
    kernel_size: impl Into<IntOrPair>,
    stride: impl Into<IntOrPair>,
    padding: impl Into<IntOrPair>,
    dilation: impl Into<IntOrPair>,
    ceil_mode: bool,
) -> Tensor {
    max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode).0
}

/// [`max_pool2d`] with the indices of the maxima, as
/// `F.max_pool2d(…, return_indices=True)`.
///
/// ```
/// use nn_core::prelude::*;
/// let x = Tensor::arange(16.0).reshape([1, 1, 4, 4]);
/// let (_, i) = F::max_pool2d_with_indices(&x, 2, 2, 0, 1, false);
/// assert_eq!(i.to_vec::<i64>(), vec![5, 7, 13, 15]);
/// ```
#[track_caller]
pub fn max_pool2d_with_indices(
    input: &Tensor,
    kernel_size: impl Into<IntOrPair>,
    stride: impl Into<IntOrPair>,
    padding: impl Into<IntOrPair>,
    dilation: impl Into<IntOrPair>,
    ceil_mode: bool,
) -> (Tensor, Tensor) {
    let p = Pool2d {
        kernel: kernel_size.into().pair(),
        stride: stride.into().pair(),
        padding: padding.into().pair(),
        dilation: dilation.into().pair(),
        ceil_mode,
    };
    or_panic(pool(input, &p))
}

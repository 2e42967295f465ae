//! `AdaptiveAvgPool2d` and `F::adaptive_avg_pool2d`: average pooling to a
//! given output size, whatever the input's.

use super::int_or_pair::IntOrPair;
use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::error::or_panic;
use crate::tensor::{Tensor, adaptive_avg_pool2d as pool};

/// Average pooling of `[N, C, H, W]` or `[C, H, W]` inputs to an output of
/// `output_size`, as `torch.nn.AdaptiveAvgPool2d(output_size)`: output
/// `(i, j)` averages rows `⌊i·H/h⌋ … ⌈(i+1)·H/h⌉` and the columns likewise.
/// `AdaptiveAvgPool2d::new(1)` is the global average pooling in front of a
/// classifier (torch computes it as a mean: `MeanBackward1`).
///
/// ```
/// use nn_core::prelude::*;
/// let gap = AdaptiveAvgPool2d::new(1);
/// assert_eq!(gap.to_string(), "AdaptiveAvgPool2d(output_size=1)");
/// let x = Tensor::arange(8.0).reshape([1, 2, 2, 2]);
/// assert_eq!(gap.forward(&x).to_vec::<f32>(), vec![1.5, 5.5]);
/// assert_eq!(AdaptiveAvgPool2d::new((2, 3)).forward(&Tensor::ones([4, 7, 7])).shape(), [4, 2, 3]);
/// ```
#[derive(Clone)]
pub struct AdaptiveAvgPool2d {
    /// The output's height and width.
    pub output_size: IntOrPair,
    training: TrainingFlag,
}

impl AdaptiveAvgPool2d {
    /// `nn.AdaptiveAvgPool2d(output_size)`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::AdaptiveAvgPool2d::new((2, 3)).to_string(), "AdaptiveAvgPool2d(output_size=(2, 3))");
    /// ```
    pub fn new(output_size: impl Into<IntOrPair>) -> AdaptiveAvgPool2d {
        AdaptiveAvgPool2d {
            output_size: output_size.into(),
            training: TrainingFlag::default(),
        }
    }
}

impl ModuleInfo for AdaptiveAvgPool2d {
    fn class_name(&self) -> String {
        "AdaptiveAvgPool2d".into()
    }
    fn extra_repr(&self) -> String {
        format!("output_size={}", self.output_size)
    }
    super::module::builtin_layer_state!();
}

impl Module for AdaptiveAvgPool2d {
    /// The averages (`AdaptiveAvgPool2DBackward0`; `MeanBackward1` for 1×1).
    fn forward(&self, input: &Tensor) -> Tensor {
        or_panic(pool(input, self.output_size.pair()))
    }
    super::module::compiled_module_methods!();
}

crate::impl_module_display!(AdaptiveAvgPool2d);

/// Adaptive average pooling, as `F.adaptive_avg_pool2d(input, output_size)`.
///
/// # Panics
/// On an input that is not 3-D or 4-D, with torch's message.
///
/// ```
/// use nn_core::prelude::*;
/// let x = Tensor::arange(9.0).reshape([1, 3, 3]);
/// // Windows rows 0..2 and 1..3 (the middle row is shared), columns likewise.
/// assert_eq!(F::adaptive_avg_pool2d(&x, 2).to_vec::<f32>(), vec![2.0, 3.0, 5.0, 6.0]);
/// ```
#[track_caller]
pub fn adaptive_avg_pool2d(input: &Tensor, output_size: impl Into<IntOrPair>) -> Tensor {
    or_panic(pool(input, output_size.into().pair()))
}

//! `F::pad`: constant padding of the last dimensions.

use crate::error::or_panic;
use crate::tensor::Tensor;

/// Pads with `value`, as `F.pad(input, pad, mode="constant", value=value)`:
/// `pad` holds (before, after) amounts for the last dimension, then the one
/// before it, and so on; negative amounts crop (`ConstantPadNdBackward0`).
///
/// # Panics
/// On an odd `pad` length, more pairs than dimensions, or a negative
/// size, with torch's messages.
///
/// ```
/// use nn_core::prelude::*;
/// let x = tensor![[1.0, 2.0], [3.0, 4.0]];
/// let y = F::pad(&x, &[1, 0, 0, 1], 0.0); // one column on the left, one row below
/// assert_eq!(y.to_vec::<f32>(), vec![0.0, 1.0, 2.0, 0.0, 3.0, 4.0, 0.0, 0.0, 0.0]);
/// assert_eq!(F::pad(&x, &[0, -1], 0.0).to_vec::<f32>(), vec![1.0, 3.0]);
/// ```
#[track_caller]
pub fn pad(input: &Tensor, pad: &[i64], value: f64) -> Tensor {
    or_panic(input.constant_pad(pad, value))
}

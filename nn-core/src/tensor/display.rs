//! `Display`/`Debug` of a tensor: PyTorch's repr, byte for byte.

use super::Tensor;
use super::storage::Storage;
use crate::print::{TensorText, Values, tensor_repr};
use std::fmt;

impl Tensor {
    /// torch's `repr(x)`: what `print(x)` shows.
    fn repr(&self) -> String {
        let data = self.storage().contiguous();
        let shape = data.shape().to_vec();
        let values = match &data {
            Storage::F32(a) => Values::F32(a.as_slice().expect("contiguous")),
            Storage::F64(a) => Values::F64(a.as_slice().expect("contiguous")),
            Storage::I64(a) => Values::I64(a.as_slice().expect("contiguous")),
            Storage::Bool(a) => Values::Bool(a.as_slice().expect("contiguous")),
        };
        let grad_fn = self.node().map(|n| n.name);
        tensor_repr(&TensorText {
            values,
            shape: &shape,
            requires_grad: self.requires_grad(),
            grad_fn,
            is_parameter: self.is_parameter(),
        })
    }
}

/// Prints as PyTorch does: `tensor([[ 1., -1.],\n        [ 0.,  1.]])`.
///
/// A precision on a one-element tensor formats its value instead, as Python's
/// `f"{loss:.4f}"` does: `format!("{loss:.4}")` gives `0.6026`.
///
/// ```
/// use nn_core::prelude::*;
/// let loss = Tensor::scalar(0.6025826930999756);
/// assert_eq!(format!("{loss}"), "tensor(0.6026)");
/// assert_eq!(format!("{loss:.4}"), "0.6026");
/// ```
impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(p), 1) = (f.precision(), self.numel()) {
            return write!(f, "{:.*}", p, self.item());
        }
        f.write_str(&self.repr())
    }
}

/// The same text as `Display` (torch's repr).
impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

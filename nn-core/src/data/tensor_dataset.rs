//! [`TensorDataset`]: tensors of equal first dimension, item `i` their rows
//! `i`, as `torch.utils.data.TensorDataset`.

use std::fmt;
use std::marker::PhantomData;

use super::{Dataset, Sample};
use crate::tensor::Tensor;

/// Tensors with the same first dimension; item `i` is row `i` of each, as
/// `TensorDataset(x, y)`.
///
/// The type of the tensors given — one tensor, or a tuple `(x, y)` — is the
/// type of an item and of a [`DataLoader`](super::DataLoader)'s batches.
///
/// ```
/// use nn_core::prelude::*;
///
/// let x = tensor![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
/// let y = tensor![0, 1, 1];
/// let ds = TensorDataset::new((x, y)); // TensorDataset(x, y)
/// assert_eq!(ds.len(), 3);
/// let (xi, yi) = ds.get(2); // ds[2]
/// assert_eq!(xi.to_string(), "tensor([5., 6.])");
/// assert_eq!(yi.to_string(), "tensor(1)");
/// ```
pub struct TensorDataset<I: Sample> {
    tensors: Vec<Tensor>,
    item: PhantomData<fn() -> I>,
}

impl<I: Sample> TensorDataset<I> {
    /// A data set over `tensors`: a tensor or a tuple of tensors, all with
    /// the same size in dimension 0.
    ///
    /// # Panics
    /// `Size mismatch between tensors` (torch's assertion) if the first
    /// dimensions differ; torch's dimension error for a 0-d tensor.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::arange(4));
    /// assert_eq!(ds.get(1).to_string(), "tensor(1)");
    /// ```
    #[track_caller]
    pub fn new(tensors: I) -> TensorDataset<I> {
        let tensors = tensors.into_tensors();
        // torch's error from `tensor.size(0)` on a 0-d tensor.
        assert!(
            tensors.iter().all(|t| t.dim() > 0),
            "Dimension specified as 0 but tensor has no dimensions"
        );
        assert!(
            tensors
                .windows(2)
                .all(|w| w[0].shape()[0] == w[1].shape()[0]),
            "Size mismatch between tensors"
        );
        TensorDataset {
            tensors,
            item: PhantomData,
        }
    }

    /// The tensors, as `dataset.tensors`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new((Tensor::zeros([4, 2]), Tensor::ones([4])));
    /// assert_eq!(ds.tensors()[0].shape(), [4, 2]);
    /// ```
    pub fn tensors(&self) -> &[Tensor] {
        &self.tensors
    }
}

impl<I: Sample> Dataset for TensorDataset<I> {
    type Item = I;

    fn len(&self) -> usize {
        self.tensors.first().map_or(0, |t| t.shape()[0])
    }

    /// Row `index` of each tensor (`SelectBackward0` for a tensor that
    /// requires grad, as `x[i]`).
    ///
    /// # Panics
    /// `index 5 is out of bounds for dimension 0 with size 5`, as torch.
    #[track_caller]
    fn get(&self, index: usize) -> I {
        I::from_tensors(self.tensors.iter().map(|t| t.i(index as i64)).collect())
    }
}

/// Another handle to the same tensors (they are shared, not copied).
///
/// ```
/// use nn_core::prelude::*;
///
/// let ds = TensorDataset::new(Tensor::arange(3));
/// let copy = ds.clone();
/// assert!(copy.tensors()[0].is_same(&ds.tensors()[0]));
/// ```
impl<I: Sample> Clone for TensorDataset<I> {
    fn clone(&self) -> Self {
        TensorDataset {
            tensors: self.tensors.clone(),
            item: PhantomData,
        }
    }
}

/// The shapes, e.g. `TensorDataset([150, 4], [150])`.
///
/// ```
/// use nn_core::prelude::*;
///
/// let ds = TensorDataset::new((Tensor::zeros([150, 4]), Tensor::zeros([150])));
/// assert_eq!(format!("{ds:?}"), "TensorDataset([150, 4], [150])");
/// ```
impl<I: Sample> fmt::Debug for TensorDataset<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shapes: Vec<String> = self
            .tensors
            .iter()
            .map(|t| format!("{:?}", &t.shape()[..]))
            .collect();
        write!(f, "TensorDataset({})", shapes.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor;

    #[test]
    fn items_are_rows() {
        let ds = TensorDataset::new((tensor![[1.0, 2.0], [3.0, 4.0]], tensor![7, 8]));
        let (x, y) = ds.get(0);
        assert_eq!(x.to_vec::<f32>(), [1.0, 2.0]);
        assert_eq!(y.to_vec::<i64>(), [7]);
    }

    #[test]
    #[should_panic(expected = "Size mismatch between tensors")]
    fn first_dims_must_match() {
        TensorDataset::new((Tensor::zeros([3, 2]), Tensor::zeros([4])));
    }

    #[test]
    #[should_panic(expected = "index 2 is out of bounds for dimension 0 with size 2")]
    fn out_of_range_is_torchs_index_error() {
        TensorDataset::new(Tensor::zeros([2, 3])).get(2);
    }
}

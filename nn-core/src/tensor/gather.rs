//! `gather`: one value per position of an index tensor, picked along a
//! dimension (`out[i][j] = x[i][index[i][j]]` for `dim = 1`).

use super::Tensor;
use super::offsets::{grid_offsets, index_values, scatter_add_grad, strides, take};
use crate::autograd::{Saved, record};
use crate::error::{Result, TensorError, or_panic};

/// A 0-d shape seen as one value in one dimension (torch's
/// `ensure_nonempty_size`).
pub(crate) fn nonempty(shape: &[usize]) -> Vec<usize> {
    if shape.is_empty() {
        vec![1]
    } else {
        shape.to_vec()
    }
}

/// For every position of `index_shape`, where that position lands in a
/// row-major tensor of `shape` when its coordinate along `d` is replaced by
/// the index value there. Checks torch's bounds.
pub(crate) fn scatter_gather_offsets(
    shape: &[usize],
    index_shape: &[usize],
    d: usize,
    idx: &[i64],
) -> Result<Vec<usize>> {
    let mut step = strides(shape);
    let along = std::mem::replace(&mut step[d], 0);
    let n = shape[d];
    let mut offsets = grid_offsets(index_shape, &step);
    for (o, &i) in offsets.iter_mut().zip(idx) {
        if i < 0 || i as usize >= n {
            return Err(TensorError::runtime(format!(
                "index {i} is out of bounds for dimension {d} with size {n}"
            )));
        }
        *o += i as usize * along;
    }
    Ok(offsets)
}

impl Tensor {
    /// Picks values along `dim` at the positions in `index` (int64, as many
    /// dimensions as `self`, no larger in the others), as
    /// `x.gather(dim, index)` (`GatherBackward0`): `out[i][j] = x[i][index[i][j]]`
    /// for `dim = 1`. The result has the shape of `index`.
    ///
    /// # Panics
    /// On a non-int64 index, a shape that does not fit or a position out of
    /// range, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// // The score of each sample's own class: x[i][labels[i]].
    /// let scores = tensor![[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]];
    /// let labels = tensor![[1], [0], [0]];
    /// assert_eq!(scores.gather(1, &labels).to_vec::<f32>(), vec![0.9, 0.8, 0.3]);
    /// ```
    #[track_caller]
    pub fn gather(&self, dim: i64, index: &Tensor) -> Tensor {
        or_panic(self.try_gather(dim, index))
    }

    /// Fallible form of [`gather`](Self::gather).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([2, 3]).try_gather(1, &tensor![[3]]).unwrap_err();
    /// assert_eq!(err.to_string(), "index 3 is out of bounds for dimension 1 with size 3");
    /// ```
    pub fn try_gather(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        let d = self.wrap_dim(dim)?;
        let idx = index_values(index, "gather(): Expected dtype int32/int64 for index")?;
        let (shape, ishape) = (nonempty(&self.shape()), nonempty(&index.shape()));
        if shape.len() != ishape.len() {
            return Err(TensorError::runtime(
                "Index tensor must have the same number of dimensions as input tensor",
            ));
        }
        if let Some(e) = (0..shape.len()).find(|&e| e != d && ishape[e] > shape[e]) {
            return Err(TensorError::runtime(format!(
                "Size does not match at dimension {e} expected index {:?} to be no larger than self {:?} apart from dimension {d}",
                index.shape().to_vec(),
                self.shape().to_vec()
            )));
        }
        let offsets = scatter_gather_offsets(&shape, &ishape, d, &idx)?;
        let data = take(&self.storage(), &index.shape(), &offsets);
        let self_shape = self.shape().to_vec();
        Ok(record(
            data,
            "GatherBackward0",
            Saved::Tensors,
            &[self],
            || Box::new(move |g: &Tensor| vec![Some(scatter_add_grad(g, &self_shape, &offsets))]),
        ))
    }
}

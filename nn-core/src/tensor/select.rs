//! `index_select`: whole slices along one dimension, picked by a vector of
//! positions (`x[idx]` on one dimension, without negative positions).

use super::Tensor;
use super::offsets::{Lanes, index_values, scatter_add_grad, take};
use crate::autograd::{Saved, record};
use crate::error::{Result, TensorError, or_panic};

impl Tensor {
    /// The slices at positions `index` (a 1-D int64 tensor) along `dim`, in
    /// that order, as `x.index_select(dim, index)` (`IndexSelectBackward0`;
    /// a position picked twice gets both gradients).
    ///
    /// # Panics
    /// If `index` is not int64, has more than one dimension or holds a
    /// position out of range, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[1, 2], [3, 4], [5, 6]];
    /// assert_eq!(x.index_select(0, &tensor![2, 0]).to_string(), "tensor([[5, 6],\n        [1, 2]])");
    /// assert_eq!(x.index_select(1, &tensor![1]).to_vec::<i64>(), vec![2, 4, 6]);
    /// ```
    #[track_caller]
    pub fn index_select(&self, dim: i64, index: &Tensor) -> Tensor {
        or_panic(self.try_index_select(dim, index))
    }

    /// Fallible form of [`index_select`](Self::index_select).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3]).try_index_select(0, &tensor![3]).unwrap_err();
    /// assert_eq!(err.to_string(), "index out of range in self");
    /// ```
    pub fn try_index_select(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        let d = self.wrap_dim(dim)?;
        if index.dim() > 1 {
            return Err(TensorError::index(
                "index_select(): Index is supposed to be a vector",
            ));
        }
        let idx = index_values(
            index,
            "index_select(): Expected dtype int32 or int64 for index",
        )?;
        let shape = self.shape().to_vec();
        if shape.is_empty() && idx.len() != 1 {
            return Err(TensorError::runtime(format!(
                "index_select(): Index to scalar can have only 1 value, got {} value(s)",
                idx.len()
            )));
        }
        let lanes = Lanes::of(&shape, d);
        if idx.iter().any(|&i| i < 0 || i as usize >= lanes.size) {
            return Err(TensorError::index("index out of range in self"));
        }
        let mut out_shape = shape.clone();
        if let Some(n) = out_shape.get_mut(d) {
            *n = idx.len();
        }
        let mut offsets = Vec::with_capacity(lanes.outer * idx.len() * lanes.inner);
        for o in 0..lanes.outer {
            for &i in &idx {
                let start = (o * lanes.size + i as usize) * lanes.inner;
                offsets.extend(start..start + lanes.inner);
            }
        }
        let data = take(&self.storage(), &out_shape, &offsets);
        Ok(record(
            data,
            "IndexSelectBackward0",
            Saved::Tensors,
            &[self],
            || Box::new(move |g: &Tensor| vec![Some(scatter_add_grad(g, &shape, &offsets))]),
        ))
    }
}

//! `repeat`: a tensor tiled along each dimension.

use super::Tensor;
use super::offsets::{grid_from_tables, scatter_add_grad, strides, take};
use crate::autograd::{Saved, record};
use crate::error::{Result, TensorError, or_panic};

impl Tensor {
    /// `self` tiled `sizes[d]` times along each dimension `d`, as
    /// `x.repeat(sizes…)` (`RepeatBackward0`; the gradient sums over the
    /// copies). More sizes than dimensions add leading dimensions.
    ///
    /// # Panics
    /// With fewer sizes than dimensions, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1, 2];
    /// assert_eq!(x.repeat(&[2]).to_string(), "tensor([1, 2, 1, 2])");
    /// assert_eq!(x.repeat(&[2, 1]).to_string(), "tensor([[1, 2],\n        [1, 2]])");
    /// ```
    #[track_caller]
    pub fn repeat(&self, sizes: &[usize]) -> Tensor {
        or_panic(self.try_repeat(sizes))
    }

    /// Fallible form of [`repeat`](Self::repeat).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([2, 2]).try_repeat(&[2]).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
    /// );
    /// ```
    pub fn try_repeat(&self, sizes: &[usize]) -> Result<Tensor> {
        let shape = self.shape().to_vec();
        if sizes.len() < shape.len() {
            return Err(TensorError::runtime(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
            ));
        }
        let mut padded = vec![1; sizes.len() - shape.len()];
        padded.extend_from_slice(&shape);
        let step = strides(&padded);
        // Coordinate c of output dimension d reads coordinate c % padded[d].
        let tables: Vec<Vec<usize>> = (0..sizes.len())
            .map(|d| {
                (0..padded[d] * sizes[d])
                    .map(|c| (c % padded[d]) * step[d])
                    .collect()
            })
            .collect();
        let out_shape: Vec<usize> = tables.iter().map(Vec::len).collect();
        let offsets = grid_from_tables(&tables);
        let data = take(&self.storage(), &out_shape, &offsets);
        Ok(record(
            data,
            "RepeatBackward0",
            Saved::Nothing,
            &[self],
            || Box::new(move |g: &Tensor| vec![Some(scatter_add_grad(g, &shape, &offsets))]),
        ))
    }
}

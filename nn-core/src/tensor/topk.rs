//! `topk`: the k largest (or smallest) values along a dimension, with the
//! ties torch picks.

use super::Tensor;
use super::offsets::{Lanes, array, map_values, scatter_add_grad};
use super::return_types::ValuesIndices;
use super::sort::{before, lane_offsets};
use super::stl_sort;
use super::storage::{Element, Storage};
use crate::autograd::{Saved, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};

/// torch's `topk_impl_loop` on every lane: a partial sort when `k` is small
/// next to the lane (`k · 64 ≤ n`), else `nth_element` then a sort of the
/// first `k - 1`; the first `k` pairs are the result.
fn topk_lanes<T: Element>(
    values: &[T],
    lanes: Lanes,
    k: usize,
    largest: bool,
    sorted: bool,
) -> (Vec<T>, Vec<i64>) {
    let count = lanes.outer * k * lanes.inner;
    // An empty input has an empty result (k ≤ the lane length).
    let Some(&fill) = values.first() else {
        return (Vec::new(), Vec::new());
    };
    let (mut out, mut idx) = (vec![fill; count], vec![0i64; count]);
    let less = before::<T>(largest);
    let mut queue: Vec<(T, i64)> = Vec::with_capacity(lanes.size);
    for o in 0..lanes.outer {
        for j in 0..lanes.inner {
            queue.clear();
            queue.extend(
                (0..lanes.size).map(|i| (values[(o * lanes.size + i) * lanes.inner + j], i as i64)),
            );
            if k * 64 <= lanes.size {
                stl_sort::partial_sort(&mut queue, k, &less);
            } else {
                stl_sort::nth_element(&mut queue, k - 1, &less);
                if sorted {
                    stl_sort::sort(&mut queue[..k - 1], &less);
                }
            }
            for (i, &(v, p)) in queue[..k].iter().enumerate() {
                let at = (o * k + i) * lanes.inner + j;
                out[at] = v;
                idx[at] = p;
            }
        }
    }
    (out, idx)
}

impl Tensor {
    /// The `k` largest values along `dim` and their positions, in decreasing
    /// order, as `x.topk(k, dim)` (`TopkBackward0`). NaN counts as the
    /// largest; ties come out in the order torch gives them.
    ///
    /// # Panics
    /// If `k` is larger than the dimension or `dim` is out of range, with
    /// torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let scores = tensor![[0.1, 0.7, 0.2], [0.5, 0.1, 0.4]];
    /// let top = scores.topk(2, 1);
    /// assert_eq!(top.indices.to_string(), "tensor([[1, 2],\n        [0, 2]])");
    /// assert_eq!(top.values.to_vec::<f32>(), vec![0.7, 0.2, 0.5, 0.4]);
    /// ```
    #[track_caller]
    pub fn topk(&self, k: usize, dim: i64) -> ValuesIndices {
        or_panic(self.try_topk(k, dim, true, true))
    }

    /// `topk` with torch's `largest` and `sorted` arguments, as
    /// `x.topk(k, dim, largest, sorted)`: `largest = false` picks the
    /// smallest values; `sorted = false` lets them come in any order (the
    /// order torch gives).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let bottom = tensor![3.0, -1.0, 2.0, 0.0].topk_with(2, 0, false, true);
    /// assert_eq!(bottom.values.to_vec::<f32>(), vec![-1.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn topk_with(&self, k: usize, dim: i64, largest: bool, sorted: bool) -> ValuesIndices {
        or_panic(self.try_topk(k, dim, largest, sorted))
    }

    /// Fallible form of [`topk_with`](Self::topk_with).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3]).try_topk(4, 0, true, true).unwrap_err();
    /// assert_eq!(err.to_string(), "selected index k out of range");
    /// ```
    pub fn try_topk(
        &self,
        k: usize,
        dim: i64,
        largest: bool,
        sorted: bool,
    ) -> Result<ValuesIndices> {
        let d = self.wrap_dim(dim)?;
        let shape = self.shape().to_vec();
        let lanes = Lanes::of(&shape, d);
        if k > lanes.size {
            return Err(TensorError::runtime("selected index k out of range"));
        }
        if self.dtype() == DType::Bool {
            return Err(TensorError::not_implemented(
                "topk does not support bool dtypes on CPU",
            ));
        }
        let mut out_shape = shape.clone();
        if let Some(n) = out_shape.get_mut(d) {
            *n = k;
        }
        let positions: Vec<i64>;
        let values = map_values!(self.storage(), v => {
            let (top, idx) = if k == 0 {
                (Vec::new(), Vec::new())
            } else {
                topk_lanes(v, lanes, k, largest, sorted)
            };
            positions = idx;
            array(&out_shape, top)
        });
        let indices = Tensor::from_storage(Storage::I64(array(&out_shape, positions.clone())));
        let values = record(values, "TopkBackward0", Saved::Tensors, &[self], || {
            let offsets = lane_offsets(&positions, lanes);
            Box::new(move |g: &Tensor| vec![Some(scatter_add_grad(g, &shape, &offsets))])
        });
        Ok(ValuesIndices::new("topk", values, indices))
    }
}

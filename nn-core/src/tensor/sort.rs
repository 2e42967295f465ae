//! `sort` and `argsort` along a dimension, with torch's order for ties.

use super::Tensor;
use super::offsets::{Lanes, array, map_values, scatter_add_grad};
use super::return_types::ValuesIndices;
use super::stl_sort;
use super::storage::{Element, Storage};
use crate::autograd::{Saved, record};
use crate::dtype::DType;
use crate::error::{Result, or_panic};

/// torch's comparators (`KeyValueCompAsc`/`KeyValueCompDesc`): NaN is larger
/// than every number, and NaNs are equal to each other.
#[allow(clippy::eq_op)] // `v != v` is the generic NaN test
pub(crate) fn before<T: Element>(descending: bool) -> impl Fn(&(T, i64), &(T, i64)) -> bool {
    move |a, b| {
        let (a_nan, b_nan) = (a.0 != a.0, b.0 != b.0);
        if descending {
            (a_nan && !b_nan) || a.0 > b.0
        } else {
            (!a_nan && b_nan) || a.0 < b.0
        }
    }
}

/// Sorts every lane of `values` (row-major, `lanes` along the sorted
/// dimension); returns the sorted values and their positions.
fn sort_lanes<T: Element>(
    values: &[T],
    lanes: Lanes,
    descending: bool,
    stable: bool,
) -> (Vec<T>, Vec<i64>) {
    let mut out = values.to_vec();
    let mut idx = vec![0i64; values.len()];
    let less = before::<T>(descending);
    let mut lane: Vec<(T, i64)> = Vec::with_capacity(lanes.size);
    for o in 0..lanes.outer {
        for j in 0..lanes.inner {
            let at = |i: usize| (o * lanes.size + i) * lanes.inner + j;
            lane.clear();
            lane.extend((0..lanes.size).map(|i| (values[at(i)], i as i64)));
            if stable {
                // std::stable_sort: any stable sort gives the same order.
                lane.sort_by(|a, b| {
                    if less(a, b) {
                        std::cmp::Ordering::Less
                    } else if less(b, a) {
                        std::cmp::Ordering::Greater
                    } else {
                        std::cmp::Ordering::Equal
                    }
                });
            } else {
                stl_sort::sort(&mut lane, &less);
            }
            for (i, &(v, k)) in lane.iter().enumerate() {
                out[at(i)] = v;
                idx[at(i)] = k;
            }
        }
    }
    (out, idx)
}

impl Tensor {
    /// Sorts along `dim`, as `x.sort(dim, descending)`: the sorted values
    /// (`SortBackward0`) and where each came from. NaN sorts as the largest
    /// value. Equal values come out in the order torch's (unstable) sort
    /// gives them; [`sort_stable`](Self::sort_stable) keeps their order.
    ///
    /// # Panics
    /// If `dim` is out of range, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let s = tensor![3.0, 1.0, 2.0].sort(-1, false);
    /// assert_eq!(s.values.to_vec::<f32>(), vec![1.0, 2.0, 3.0]);
    /// assert_eq!(s.indices.to_vec::<i64>(), vec![1, 2, 0]);
    /// assert_eq!(s.to_string(), "torch.return_types.sort(\nvalues=tensor([1., 2., 3.]),\nindices=tensor([1, 2, 0]))");
    /// ```
    #[track_caller]
    pub fn sort(&self, dim: i64, descending: bool) -> ValuesIndices {
        or_panic(self.try_sort(dim, descending, false))
    }

    /// Sorts along `dim` keeping equal values in their order, as
    /// `x.sort(dim=dim, descending=descending, stable=True)` (`SortBackward1`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let s = tensor![1, 0, 1, 0].sort_stable(0, true);
    /// assert_eq!(s.indices.to_vec::<i64>(), vec![0, 2, 1, 3]);
    /// ```
    #[track_caller]
    pub fn sort_stable(&self, dim: i64, descending: bool) -> ValuesIndices {
        or_panic(self.try_sort(dim, descending, true))
    }

    /// Fallible form of [`sort`](Self::sort) (`stable = false`) and
    /// [`sort_stable`](Self::sort_stable) (`stable = true`, which records
    /// `SortBackward1`, as torch's `sort(stable=True)` does).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3]).try_sort(1, false, false).unwrap_err();
    /// assert_eq!(err.to_string(), "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    /// ```
    pub fn try_sort(&self, dim: i64, descending: bool, stable: bool) -> Result<ValuesIndices> {
        let stable_arg = stable;
        let d = self.wrap_dim(dim)?;
        let shape = self.shape().to_vec();
        let lanes = Lanes::of(&shape, d);
        // torch sorts a long 1-D int64 tensor in ascending order with
        // fbgemm's radix sort, which is stable.
        let stable = stable
            || (self.dtype() == DType::Int64
                && shape.len() == 1
                && shape[0] >= 32768
                && !descending);
        let positions: Vec<i64>;
        let values = map_values!(self.storage(), v => {
            let (sorted, idx) = sort_lanes(v, lanes, descending, stable);
            positions = idx;
            array(&shape, sorted)
        });
        let indices = Tensor::from_storage(Storage::I64(array(&shape, positions.clone())));
        // torch names the node after the overload: `sort(dim, descending)`
        // records SortBackward0, `sort(stable=…, …)` SortBackward1.
        let name = if stable_arg {
            "SortBackward1"
        } else {
            "SortBackward0"
        };
        let values = record(values, name, Saved::Tensors, &[self], || {
            let offsets = lane_offsets(&positions, lanes);
            Box::new(move |g: &Tensor| vec![Some(scatter_add_grad(g, &shape, &offsets))])
        });
        Ok(ValuesIndices::new("sort", values, indices))
    }

    /// The positions that sort along `dim`, as `x.argsort(dim, descending)`
    /// (the `indices` of [`sort`](Self::sort)).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[0.5, -1.0, 2.0]];
    /// assert_eq!(x.argsort(1, true).to_string(), "tensor([[2, 0, 1]])");
    /// ```
    #[track_caller]
    pub fn argsort(&self, dim: i64, descending: bool) -> Tensor {
        self.sort(dim, descending).indices.detach()
    }

    /// The positions that sort along `dim` keeping ties in order, as
    /// `x.argsort(dim, descending, stable=True)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![2, 1, 2, 1].argsort_stable(0, false).to_vec::<i64>(), vec![1, 3, 0, 2]);
    /// ```
    #[track_caller]
    pub fn argsort_stable(&self, dim: i64, descending: bool) -> Tensor {
        self.sort_stable(dim, descending).indices.detach()
    }
}

/// Where each value of a result that picked positions `idx` along the
/// lanes' dimension came from in the input (same lane, row-major).
pub(crate) fn lane_offsets(idx: &[i64], lanes: Lanes) -> Vec<usize> {
    let k = idx
        .len()
        .checked_div(lanes.outer * lanes.inner)
        .unwrap_or(0);
    let mut out = Vec::with_capacity(idx.len());
    for o in 0..lanes.outer {
        for i in 0..k {
            for j in 0..lanes.inner {
                let p = idx[(o * k + i) * lanes.inner + j] as usize;
                out.push((o * lanes.size + p) * lanes.inner + j);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::tensor::Tensor;

    /// torch sorts a 1-D int64 tensor of 32768 values or more in ascending
    /// order with a (stable) radix sort: equal values keep their order, as
    /// torch 2.15 gives them; `std::sort` would not.
    #[test]
    fn long_int64_ascending_sorts_are_stable() {
        let n = 40_000i64;
        let x = Tensor::from_vec((0..n).map(|i| (i * 7919) % 3).collect(), [n as usize]);
        let s = x.sort(0, false);
        let (v, i) = (s.values.to_vec::<i64>(), s.indices.to_vec::<i64>());
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
        assert!((1..v.len()).all(|k| v[k - 1] < v[k] || i[k - 1] < i[k]));
        // Shorter, or descending, or float: libstdc++'s std::sort (unstable).
        let short = x.narrow(0, 0, 100).sort(0, false).indices.to_vec::<i64>();
        assert!(
            short
                .windows(2)
                .any(|w| w[0] > w[1] && (w[0] * 7919) % 3 == (w[1] * 7919) % 3)
        );
    }
}

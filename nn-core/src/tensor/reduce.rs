//! Reductions: `sum`, `mean`, `max`, `min`, `argmax`, whole or per dimension.
//! (`std` and `var` are in `variance.rs`.)

use super::cascade_sum::cascade_sum;
use super::return_types::ValuesIndices;
use super::storage::{Array, Element, Storage};
use super::{Tensor, wrap_dim};
use crate::autograd::{Saved, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};
use ndarray::{Axis, IxDyn};

/// Sorted, deduplicated, wrapped dims (an empty list means all dims).
pub(crate) fn reduce_dims(dims: &[i64], ndim: usize) -> Result<Vec<usize>> {
    if dims.is_empty() {
        return Ok((0..ndim).collect());
    }
    let mut out = Vec::with_capacity(dims.len());
    for &d in dims {
        let w = wrap_dim(d, ndim)?;
        if out.contains(&w) {
            return Err(TensorError::runtime(format!(
                "dim {w} appears multiple times in the list of dims"
            )));
        }
        out.push(w);
    }
    out.sort_unstable();
    Ok(out)
}

/// The shape after reducing `dims`.
pub(crate) fn reduced_shape(shape: &[usize], dims: &[usize], keepdim: bool) -> Vec<usize> {
    shape
        .iter()
        .enumerate()
        .filter_map(|(i, &n)| match (dims.contains(&i), keepdim) {
            (false, _) => Some(n),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect()
}

/// Sums over `dims`, giving the result in `out` dtype. Floats are summed in
/// their own precision in torch's order ([`cascade_sum`]), so the result
/// has torch's bits; integers wrap around, as in torch.
fn sum_storage(s: &Storage, dims: &[usize], keepdim: bool, out: DType) -> Storage {
    let shape = reduced_shape(s.shape(), dims, keepdim);
    match s.to_dtype(out) {
        Storage::F32(a) => Storage::F32(
            Array::from_shape_vec(IxDyn(&shape), cascade_sum(&a, dims)).expect("same count"),
        ),
        Storage::F64(a) => Storage::F64(
            Array::from_shape_vec(IxDyn(&shape), cascade_sum(&a, dims)).expect("same count"),
        ),
        other => {
            let a = match other.to_dtype(DType::Int64) {
                Storage::I64(a) => a,
                _ => unreachable!(),
            };
            let mut acc = a.to_owned();
            for &d in dims.iter().rev() {
                acc = acc.fold_axis(Axis(d), 0i64, |x, y| x.wrapping_add(*y));
            }
            Storage::I64(
                acc.into_shape_with_order(IxDyn(&shape))
                    .expect("same count")
                    .into_shared(),
            )
            .to_dtype(out)
        }
    }
}

/// The dtype torch's `sum` gives: integers and bools sum to int64.
fn sum_dtype(d: DType) -> DType {
    if d.is_floating_point() {
        d
    } else {
        DType::Int64
    }
}

impl Tensor {
    /// The sum of all elements, as `x.sum()` (`SumBackward0`); integers and
    /// bools give int64.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![[1.0, 2.0], [3.0, 4.0]].sum().item(), 10.0);
    /// assert_eq!(tensor![true, true, false].sum().to_string(), "tensor(2)");
    /// ```
    pub fn sum(&self) -> Tensor {
        let dims: Vec<usize> = (0..self.dim()).collect();
        let data = sum_storage(&self.storage(), &dims, false, sum_dtype(self.dtype()));
        let shape = self.shape().to_vec();
        record(data, "SumBackward0", Saved::Nothing, &[self], move || {
            Box::new(move |g: &Tensor| vec![Some(g.expand_to(&shape))])
        })
    }

    /// Sums over one dimension, as `x.sum(dim, keepdim)` (`SumBackward1`).
    ///
    /// # Panics
    /// If `dim` is out of range, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[1.0, 2.0], [3.0, 4.0]];
    /// assert_eq!(x.sum_dim(0, false).to_vec::<f32>(), vec![4.0, 6.0]);
    /// assert_eq!(x.sum_dim(1, true).shape(), [2, 1]);
    /// ```
    #[track_caller]
    pub fn sum_dim(&self, dim: i64, keepdim: bool) -> Tensor {
        self.sum_dims(&[dim], keepdim)
    }

    /// Sums over several dimensions, as `x.sum(dims, keepdim)` (`SumBackward1`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::ones([2, 3, 4]).sum_dims(&[0, 2], false).to_vec::<f32>(), vec![8.0; 3]);
    /// ```
    #[track_caller]
    pub fn sum_dims(&self, dims: &[i64], keepdim: bool) -> Tensor {
        or_panic(self.try_sum_dims(dims, keepdim))
    }

    /// Fallible form of [`sum_dims`](Self::sum_dims).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([2, 3]).try_sum_dims(&[2], false).unwrap_err();
    /// assert_eq!(err.to_string(), "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    /// ```
    pub fn try_sum_dims(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        let dims = reduce_dims(dims, self.dim())?;
        let data = sum_storage(&self.storage(), &dims, keepdim, sum_dtype(self.dtype()));
        let shape = self.shape().to_vec();
        Ok(record(
            data,
            "SumBackward1",
            Saved::Nothing,
            &[self],
            move || {
                Box::new(move |g: &Tensor| {
                    vec![Some(g.unsqueeze_dims(&dims, keepdim).expand_to(&shape))]
                })
            },
        ))
    }

    /// The mean of all elements, as `x.mean()` (`MeanBackward0`).
    ///
    /// # Panics
    /// On an integer or bool tensor, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1.0, 2.0, 3.0, 4.0].mean().item(), 2.5);
    /// ```
    #[track_caller]
    pub fn mean(&self) -> Tensor {
        or_panic(self.mean_impl(&[], false, "MeanBackward0"))
    }

    /// The mean over one dimension, as `x.mean(dim, keepdim)` (`MeanBackward1`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![[1.0, 2.0], [3.0, 4.0]].mean_dim(1, false).to_vec::<f32>(), vec![1.5, 3.5]);
    /// ```
    #[track_caller]
    pub fn mean_dim(&self, dim: i64, keepdim: bool) -> Tensor {
        self.mean_dims(&[dim], keepdim)
    }

    /// The mean over several dimensions, as `x.mean(dims, keepdim)` (`MeanBackward1`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::ones([2, 3, 4]).mean_dims(&[0, 2], true).shape(), [1, 3, 1]);
    /// ```
    #[track_caller]
    pub fn mean_dims(&self, dims: &[i64], keepdim: bool) -> Tensor {
        or_panic(self.mean_impl(dims, keepdim, "MeanBackward1"))
    }

    fn mean_impl(&self, dims: &[i64], keepdim: bool, name: &'static str) -> Result<Tensor> {
        if !self.dtype().is_floating_point() {
            return Err(TensorError::runtime(format!(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
                match self.dtype() {
                    DType::Bool => "Bool",
                    _ => "Long",
                }
            )));
        }
        let dims = reduce_dims(dims, self.dim())?;
        let shape = self.shape().to_vec();
        let count: usize = dims.iter().map(|&d| shape[d]).product();
        // torch: sum in the input dtype, then divide by the count.
        let sum = Tensor::from_storage(sum_storage(&self.storage(), &dims, keepdim, self.dtype()));
        let data = sum
            .binary_scalar((count as f64).into(), super::binary::BinOp::Div)?
            .storage();
        Ok(record(data, name, Saved::Nothing, &[self], move || {
            Box::new(move |g: &Tensor| {
                vec![Some(
                    &g.unsqueeze_dims(&dims, keepdim).expand_to(&shape) / count as f64,
                )]
            })
        }))
    }

    /// Re-inserts reduced dimensions as size 1 (when they were dropped).
    pub(crate) fn unsqueeze_dims(&self, dims: &[usize], keepdim: bool) -> Tensor {
        if keepdim {
            return self.clone();
        }
        let mut data = self.storage();
        for &d in dims {
            data = super::storage::map_storage!(data, a => a.insert_axis(Axis(d)));
        }
        Tensor::from_storage(data)
    }

    /// Broadcasts (a gradient) to `shape`, materialized.
    pub(crate) fn expand_to(&self, shape: &[usize]) -> Tensor {
        let data = super::storage::map_storage!(self.storage(), a => a.broadcast(IxDyn(shape)).expect("broadcastable").to_owned().into_shared());
        Tensor::from_storage(data)
    }

    /// The largest element, as `x.max()` (`MaxBackward1`; the gradient is
    /// shared equally among tied maxima, as torch does). NaN wins.
    ///
    /// # Panics
    /// On an empty tensor, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1.0, 5.0, 3.0].max().item(), 5.0);
    /// ```
    #[track_caller]
    pub fn max(&self) -> Tensor {
        or_panic(self.extreme_all(true))
    }

    /// The smallest element, as `x.min()` (`MinBackward1`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1.0, 5.0, -3.0].min().item(), -3.0);
    /// ```
    #[track_caller]
    pub fn min(&self) -> Tensor {
        or_panic(self.extreme_all(false))
    }

    fn extreme_all(&self, largest: bool) -> Result<Tensor> {
        if self.numel() == 0 {
            return Err(TensorError::runtime(
                "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
            ));
        }
        let flat = self.reshape([-1]);
        let (values, _) = flat.extreme_dim(0, false, largest)?;
        let out = values.detach();
        let name = if largest {
            "MaxBackward1"
        } else {
            "MinBackward1"
        };
        let x = self.clone();
        let chosen = out.clone();
        Ok(record(
            out.storage(),
            name,
            Saved::Tensors,
            &[self],
            move || {
                Box::new(move |g: &Tensor| {
                    // Every element equal to the result shares the gradient. torch
                    // (evenly_distribute_backward) fills `grad / count` into zeros
                    // where the mask is set, so the other elements get +0 even
                    // for a negative gradient (`mask * grad` would give -0).
                    let mask = x.eq_tensor(&chosen);
                    let count = mask.sum();
                    let share = g / &count;
                    vec![Some(Tensor::where_cond(
                        &mask,
                        &share,
                        &Tensor::zeros_like(g),
                    ))]
                })
            },
        ))
    }

    /// The largest values along `dim` and their positions, as
    /// `x.max(dim, keepdim)` (`MaxBackward0` on the values). Ties give the
    /// first position; NaN counts as the largest.
    ///
    /// # Panics
    /// If `dim` is out of range or the dimension is empty, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let m = tensor![[1.0, 5.0], [7.0, 2.0]].max_dim(1, false);
    /// assert_eq!(m.values.to_vec::<f32>(), vec![5.0, 7.0]);
    /// assert_eq!(m.indices.to_vec::<i64>(), vec![1, 0]);
    /// ```
    #[track_caller]
    pub fn max_dim(&self, dim: i64, keepdim: bool) -> ValuesIndices {
        or_panic(self.try_max_dim(dim, keepdim))
    }

    /// Fallible form of [`max_dim`](Self::max_dim).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([2, 0]).try_max_dim(1, false).unwrap_err();
    /// assert_eq!(err.to_string(), "max(): Expected reduction dim 1 to have non-zero size.");
    /// ```
    pub fn try_max_dim(&self, dim: i64, keepdim: bool) -> Result<ValuesIndices> {
        let (values, indices) = self.extreme_dim(dim, keepdim, true)?;
        Ok(ValuesIndices::new("max", values, indices))
    }

    /// The smallest values along `dim` and their positions, as
    /// `x.min(dim, keepdim)` (`MinBackward0` on the values).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let m = tensor![[1.0, 5.0], [7.0, 2.0]].min_dim(0, true);
    /// assert_eq!(m.values.to_vec::<f32>(), vec![1.0, 2.0]);
    /// assert_eq!(m.indices.to_vec::<i64>(), vec![0, 1]);
    /// ```
    #[track_caller]
    pub fn min_dim(&self, dim: i64, keepdim: bool) -> ValuesIndices {
        or_panic(self.try_min_dim(dim, keepdim))
    }

    /// Fallible form of [`min_dim`](Self::min_dim).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([2]).try_min_dim(1, false).unwrap_err();
    /// assert_eq!(err.to_string(), "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    /// ```
    pub fn try_min_dim(&self, dim: i64, keepdim: bool) -> Result<ValuesIndices> {
        let (values, indices) = self.extreme_dim(dim, keepdim, false)?;
        Ok(ValuesIndices::new("min", values, indices))
    }

    fn extreme_dim(&self, dim: i64, keepdim: bool, largest: bool) -> Result<(Tensor, Tensor)> {
        let d = self.wrap_dim(dim)?;
        let shape = self.shape().to_vec();
        let n = shape.get(d).copied().unwrap_or(1);
        if n == 0 {
            return Err(TensorError::index(format!(
                "{}(): Expected reduction dim {d} to have non-zero size.",
                if largest { "max" } else { "min" }
            )));
        }
        let storage = self.storage();
        // A 0-d tensor reduces over its single element.
        let storage = if self.dim() == 0 {
            storage_reshaped(&storage, &[1])
        } else {
            storage
        };
        let (values, indices) = super::storage::with_storage!(&storage, a => {
            let (v, i) = extreme_lanes(a, d, largest);
            (<_ as super::storage::sealed::Sealed>::wrap(v), i)
        });
        let out_shape = reduced_shape(&shape, &[d], keepdim);
        let values = storage_reshaped(&values, &out_shape);
        let indices = Array::from_shape_vec(IxDyn(&out_shape), indices.into_iter().collect())
            .expect("same count");
        let idx_tensor = Tensor::from_storage(Storage::I64(indices.clone()));
        let name = if largest {
            "MaxBackward0"
        } else {
            "MinBackward0"
        };
        let values = record(values, name, Saved::Tensors, &[self], move || {
            Box::new(move |g: &Tensor| {
                // Scatter each gradient to the position that was chosen.
                let g64: Vec<f64> = g.storage().to_f64_vec();
                let mut grad = vec![0.0f64; shape.iter().product()];
                // A 0-d input is one lane of one value.
                let inner: usize = shape.get(d + 1..).map_or(1, |s| s.iter().product());
                let size = shape.get(d).copied().unwrap_or(1);
                for (k, (&gv, &ix)) in g64.iter().zip(indices.iter()).enumerate() {
                    let (o, i) = (k / inner, k % inner);
                    grad[o * size * inner + ix as usize * inner + i] += gv;
                }
                let t = Tensor::from_vec(grad, shape.clone()).to_dtype(g.dtype());
                vec![Some(t)]
            })
        });
        Ok((values, idx_tensor))
    }

    /// The positions of the largest values along `dim`, as `x.argmax(dim)`
    /// (int64; ties give the first position). `argmax_dim(dim, true)` keeps
    /// the dimension; [`argmax_all`](Self::argmax_all) is `x.argmax()`.
    ///
    /// # Panics
    /// If `dim` is out of range or the dimension is empty, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let logits = tensor![[0.1, 2.0, -1.0], [3.0, 0.0, 0.5]];
    /// assert_eq!(logits.argmax(1).to_string(), "tensor([1, 0])"); // the predicted classes
    /// ```
    #[track_caller]
    pub fn argmax(&self, dim: i64) -> Tensor {
        self.argmax_dim(dim, false)
    }

    /// The positions of the largest values along `dim`, as `x.argmax(dim, keepdim)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![[1.0, 9.0], [3.0, 4.0]].argmax_dim(1, false).to_vec::<i64>(), vec![1, 1]);
    /// assert_eq!(tensor![[1.0, 9.0], [3.0, 4.0]].argmax_dim(1, true).shape(), [2, 1]);
    /// ```
    #[track_caller]
    pub fn argmax_dim(&self, dim: i64, keepdim: bool) -> Tensor {
        self.max_dim(dim, keepdim).indices
    }

    /// The position of the largest element of the flattened tensor, as
    /// `x.argmax()` with no `dim`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![[1.0, 9.0], [3.0, 4.0]].argmax_all().to_string(), "tensor(1)");
    /// ```
    #[track_caller]
    pub fn argmax_all(&self) -> Tensor {
        self.reshape([-1]).max_dim(0, false).indices
    }

    /// The positions of the smallest values along `dim`, as `x.argmin(dim)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![[1.0, 9.0], [3.0, 0.0]].argmin(0).to_vec::<i64>(), vec![0, 1]);
    /// ```
    #[track_caller]
    pub fn argmin(&self, dim: i64) -> Tensor {
        self.argmin_dim(dim, false)
    }

    /// The positions of the smallest values along `dim`, as `x.argmin(dim, keepdim)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![[1.0, 9.0], [3.0, 0.0]].argmin_dim(0, false).to_vec::<i64>(), vec![0, 1]);
    /// ```
    #[track_caller]
    pub fn argmin_dim(&self, dim: i64, keepdim: bool) -> Tensor {
        self.min_dim(dim, keepdim).indices
    }

    /// The position of the smallest element of the flattened tensor, as
    /// `x.argmin()` with no `dim`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![3.0, -1.0, 2.0].argmin_all().to_string(), "tensor(1)");
    /// ```
    #[track_caller]
    pub fn argmin_all(&self) -> Tensor {
        self.reshape([-1]).min_dim(0, false).indices
    }
}

fn storage_reshaped(s: &Storage, shape: &[usize]) -> Storage {
    super::storage::map_storage!(s, a => a.as_standard_layout().into_owned().into_shape_with_order(IxDyn(shape)).expect("same count").into_shared())
}

/// Per lane along `d`: the extreme value and its first position (NaN wins).
fn extreme_lanes<T: Element>(a: &Array<T>, d: usize, largest: bool) -> (Array<T>, Vec<i64>) {
    let pairs = a.map_axis(Axis(d), |lane| {
        let mut best = lane[0];
        let mut at = 0usize;
        #[allow(clippy::eq_op)] // `v != v` is the generic NaN test
        for (i, &v) in lane.iter().enumerate() {
            if best != best {
                break; // a NaN was found: it is the result
            }
            let better = if largest { v > best } else { v < best };
            if v != v || better {
                best = v;
                at = i;
            }
        }
        (best, at as i64)
    });
    let values = pairs.mapv(|(v, _)| v).into_shared();
    let indices = pairs.iter().map(|&(_, i)| i).collect();
    (values, indices)
}

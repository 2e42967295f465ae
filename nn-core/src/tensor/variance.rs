//! `var` and `std`: the spread of the values, over all of them or along
//! dimensions, with Bessel's correction by default as in torch.

use super::Tensor;
use super::offsets::{array, grid_offsets, strides};
use super::reduce::{reduce_dims, reduced_shape};
use super::storage::Storage;
use crate::autograd::{Saved, no_grad, record_with_result};
use crate::error::{Result, TensorError, or_panic};
use std::panic::Location;

/// torch's Welford update in double (`WelfordOps`), over the values at
/// `offsets`, then `m2 / max(0, n - correction)`.
fn welford(values: impl Iterator<Item = f64>, correction: f64) -> f64 {
    let (mut mean, mut m2, mut n) = (0.0f64, 0.0f64, 0.0f64);
    for x in values {
        let delta = x - mean;
        n += 1.0;
        mean += delta / n;
        m2 += delta * (x - mean);
    }
    m2 / if n > correction { n - correction } else { 0.0 }
}

/// The variances (or standard deviations) in double, one per kept position.
/// A reduction over every dimension is torch's `std_var_all_cpu`: the
/// float mean first, then the squared deviations summed in double.
fn spread(x: &Tensor, dims: &[usize], correction: f64, sqrt: bool) -> Vec<f64> {
    let shape = x.shape().to_vec();
    let values = x.storage().to_f64_vec();
    let finish = |v: f64| if sqrt { v.sqrt() } else { v };
    if dims.len() == shape.len() {
        let mean = no_grad(|| x.mean()).item();
        let sum: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        let dof = (values.len() as f64 - correction).max(0.0);
        return vec![finish(sum / dof)];
    }
    let step = strides(&shape);
    let (kept, reduced): (Vec<usize>, Vec<usize>) =
        (0..shape.len()).partition(|d| !dims.contains(d));
    let pick = |ds: &[usize]| -> (Vec<usize>, Vec<usize>) {
        (
            ds.iter().map(|&d| shape[d]).collect(),
            ds.iter().map(|&d| step[d]).collect(),
        )
    };
    let (kept_sizes, kept_steps) = pick(&kept);
    let (red_sizes, red_steps) = pick(&reduced);
    let lanes = grid_offsets(&red_sizes, &red_steps);
    grid_offsets(&kept_sizes, &kept_steps)
        .into_iter()
        .map(|base| finish(welford(lanes.iter().map(|&o| values[base + o]), correction)))
        .collect()
}

impl Tensor {
    #[track_caller]
    fn var_impl(&self, dims: &[i64], correction: f64, keepdim: bool, sqrt: bool) -> Result<Tensor> {
        if !self.dtype().is_floating_point() {
            return Err(TensorError::not_implemented(
                "std and var only support floating point and complex dtypes",
            ));
        }
        let all = dims.is_empty() || self.dim() == 0;
        let dims = reduce_dims(dims, self.dim())?;
        let shape = self.shape().to_vec();
        let count: usize = dims.iter().map(|&d| shape[d]).product();
        if count as f64 - correction <= 0.0 {
            crate::warnings::warn(
                if sqrt {
                    "std(): degrees of freedom is <= 0. Correction should be strictly less than the reduction factor (input numel divided by output numel)."
                } else {
                    "var(): degrees of freedom is <= 0. Correction should be strictly less than the reduction factor (input numel divided by output numel)."
                },
                Location::caller(),
            );
        }
        let out_shape = reduced_shape(&shape, &dims, keepdim);
        let values = spread(self, &dims, correction, sqrt);
        let data = match self.dtype() {
            crate::DType::Float64 => Storage::F64(array(&out_shape, values)),
            _ => Storage::F32(array(
                &out_shape,
                values.into_iter().map(|v| v as f32).collect(),
            )),
        };
        let name = if sqrt { "StdBackward0" } else { "VarBackward0" };
        let x = self.clone();
        Ok(record_with_result(
            data,
            name,
            Saved::Tensors,
            &[self],
            move |out| {
                let result = sqrt.then(|| Tensor::from_storage(out.clone()));
                Box::new(move |g: &Tensor| {
                    let g = match &result {
                        // torch's std_backward: grad / (2 · std), 0 where std is 0.
                        Some(std) => (g / &(std * 2.0)).masked_fill(&std.eq(0.0), 0.0),
                        None => g.clone(),
                    };
                    vec![Some(var_backward(
                        &g, &x, &dims, all, count, correction, keepdim,
                    ))]
                })
            },
        ))
    }

    /// The variance of all elements with Bessel's correction (dividing by
    /// n − 1), as `x.var()` (`VarBackward0`).
    ///
    /// # Panics
    /// On an integer or bool tensor, with torch's message. With one element
    /// the result is NaN, and a `UserWarning` goes to stderr, as in torch.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1.0, 2.0, 3.0, 4.0].var().item(), 1.6666666269302368);
    /// ```
    #[track_caller]
    pub fn var(&self) -> Tensor {
        or_panic(self.var_impl(&[], 1.0, false, false))
    }

    /// The variance along `dim` with Bessel's correction, as
    /// `x.var(dim, keepdim=keepdim)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[1.0, 3.0], [2.0, 2.0]];
    /// assert_eq!(x.var_dim(1, false).to_vec::<f32>(), vec![2.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn var_dim(&self, dim: i64, keepdim: bool) -> Tensor {
        or_panic(self.var_impl(&[dim], 1.0, keepdim, false))
    }

    /// The variance over `dims` (all of them when empty) divided by
    /// `n − correction`, as `x.var(dims, correction=c, keepdim=k)`:
    /// `correction = 0.0` is the population variance (`unbiased=False`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 2.0, 3.0, 4.0];
    /// assert_eq!(x.var_with(&[], 0.0, false).item(), 1.25);
    /// assert_eq!(x.reshape([2, 2]).var_with(&[0, 1], 1.0, true).shape(), [1, 1]);
    /// ```
    #[track_caller]
    pub fn var_with(&self, dims: &[i64], correction: f64, keepdim: bool) -> Tensor {
        or_panic(self.var_impl(dims, correction, keepdim, false))
    }

    /// Fallible form of [`var_with`](Self::var_with).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = tensor![1, 2].try_var_with(&[], 1.0, false).unwrap_err();
    /// assert_eq!(err.to_string(), "std and var only support floating point and complex dtypes");
    /// ```
    #[track_caller]
    pub fn try_var_with(&self, dims: &[i64], correction: f64, keepdim: bool) -> Result<Tensor> {
        self.var_impl(dims, correction, keepdim, false)
    }

    /// The standard deviation of all elements with Bessel's correction, as
    /// `x.std()` (`StdBackward0`).
    ///
    /// # Panics
    /// On an integer or bool tensor, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0].std().to_string(), "tensor(2.1381)");
    /// ```
    #[track_caller]
    pub fn std(&self) -> Tensor {
        or_panic(self.var_impl(&[], 1.0, false, true))
    }

    /// The standard deviation along `dim` with Bessel's correction, as
    /// `x.std(dim, keepdim=keepdim)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[1.0, 3.0], [2.0, 2.0]];
    /// assert_eq!(x.std_dim(0, true).shape(), [1, 2]);
    /// ```
    #[track_caller]
    pub fn std_dim(&self, dim: i64, keepdim: bool) -> Tensor {
        or_panic(self.var_impl(&[dim], 1.0, keepdim, true))
    }

    /// The standard deviation over `dims` (all of them when empty) with
    /// `n − correction` in the variance, as
    /// `x.std(dims, correction=c, keepdim=k)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 3.0];
    /// assert_eq!(x.std_with(&[0], 0.0, false).item(), 1.0);
    /// ```
    #[track_caller]
    pub fn std_with(&self, dims: &[i64], correction: f64, keepdim: bool) -> Tensor {
        or_panic(self.var_impl(dims, correction, keepdim, true))
    }

    /// Fallible form of [`std_with`](Self::std_with).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([2]).try_std_with(&[1], 1.0, false).unwrap_err();
    /// assert_eq!(err.to_string(), "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    /// ```
    #[track_caller]
    pub fn try_std_with(&self, dims: &[i64], correction: f64, keepdim: bool) -> Result<Tensor> {
        self.var_impl(dims, correction, keepdim, true)
    }
}

/// torch's `var_backward`: `(2 / (n − correction)) · grad · (x − mean)`,
/// with the mean over the reduced dimensions; over everything when no
/// dimension was given, where `n ≤ correction` gives NaN (x at the mean) or
/// infinity.
fn var_backward(
    g: &Tensor,
    x: &Tensor,
    dims: &[usize],
    all: bool,
    count: usize,
    correction: f64,
    keepdim: bool,
) -> Tensor {
    if all {
        let dof = count as f64 - correction;
        if dof <= 0.0 {
            let nan = Tensor::full_dtype([], f64::NAN, g.dtype());
            let inf = Tensor::full_dtype([], f64::INFINITY, g.dtype());
            return g * &Tensor::where_cond(&x.eq(x.mean()), &nan, &inf);
        }
        return &(g * (2.0 / dof)) * &(x - &x.mean());
    }
    let g = if !keepdim && x.dim() > 1 {
        g.unsqueeze_dims(dims, false)
    } else {
        g.clone()
    };
    let dims: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
    &(&g * (2.0 / (count as f64 - correction))) * &(x - &x.mean_dims(&dims, true))
}

//! `scatter` and `scatter_add`: write (or add) values into a copy of a
//! tensor at the positions of an index tensor along a dimension, the
//! inverse of `gather`; and their in-place forms.

use super::Tensor;
use super::gather::{nonempty, scatter_gather_offsets};
use super::offsets::{
    Summable, array, grid_offsets, index_values, map_summable, map_values, strides,
};
use super::storage::{Element, Storage};
use crate::autograd::{Saved, is_grad_enabled, no_grad, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};

/// What is written at the index positions.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// `src` values replace the values there (`scatter`).
    Replace,
    /// One number replaces the values there (`scatter(dim, index, value)`).
    Value,
    /// `src` values are added (`scatter_add`).
    Add,
}

/// Where each index position writes into `self` (`dst`) and reads from
/// `src`, after torch's checks.
struct Plan {
    dst: Vec<usize>,
    src: Vec<usize>,
}

/// torch's checks (index dtype, src dtype, ranks, sizes, bounds, in that
/// order) and the offsets they lead to. `src` is `None` for the value form.
fn plan(x: &Tensor, d: usize, index: &Tensor, src: Option<&Tensor>, mode: Mode) -> Result<Plan> {
    let op = if mode == Mode::Add {
        "scatter_add"
    } else {
        "scatter"
    };
    let idx = index_values(
        index,
        &format!("{op}(): Expected dtype int32/int64 for index"),
    )?;
    if src.is_some_and(|s| s.dtype() != x.dtype()) {
        return Err(TensorError::runtime(format!(
            "{op}(): Expected self.dtype to be equal to src.dtype"
        )));
    }
    let (shape, ishape) = (nonempty(&x.shape()), nonempty(&index.shape()));
    if ishape.len() != shape.len() {
        return Err(TensorError::runtime(
            "Index tensor must have the same number of dimensions as self tensor",
        ));
    }
    let src_shape = src.map(|s| nonempty(&s.shape()));
    if src_shape
        .as_ref()
        .is_some_and(|ss| ss.len() != ishape.len())
    {
        return Err(TensorError::runtime(
            "Index tensor must have the same number of dimensions as src tensor",
        ));
    }
    let too_big = (0..shape.len()).any(|e| {
        (e != d && ishape[e] > shape[e]) || src_shape.as_ref().is_some_and(|ss| ishape[e] > ss[e])
    });
    if too_big {
        let mut message = format!(
            "Expected index {:?} to be no larger than self {:?} apart from dimension {d}",
            index.shape().to_vec(),
            x.shape().to_vec()
        );
        if let Some(src) = src {
            message += &format!(
                " and to be no larger size than src {:?}",
                src.shape().to_vec()
            );
        }
        return Err(TensorError::runtime(message));
    }
    let dst = scatter_gather_offsets(&shape, &ishape, d, &idx)?;
    let src = match &src_shape {
        Some(ss) => grid_offsets(&ishape, &strides(ss)),
        None => vec![0; dst.len()],
    };
    Ok(Plan { dst, src })
}

/// The row-major values of `s`, typed like `_like` (the caller converted
/// `s` to that dtype).
fn values_like<'a, T: Element>(_like: &[T], s: &'a Storage) -> &'a [T] {
    T::unwrap(s)
        .expect("converted to the same dtype")
        .as_slice()
        .expect("contiguous")
}

/// `x` with `src[plan.src[k]]` written at `plan.dst[k]`, in the order of
/// `k` (so the last write wins, as on torch's CPU).
fn replaced<T: Copy>(x: &[T], src: &[T], plan: &Plan) -> Vec<T> {
    let mut out = x.to_vec();
    for (&o, &s) in plan.dst.iter().zip(&plan.src) {
        out[o] = src[s];
    }
    out
}

/// `x` with `src[plan.src[k]]` added at `plan.dst[k]`, in the order of `k`.
fn added<T: Summable>(x: &[T], src: &[T], plan: &Plan) -> Vec<T> {
    let mut out = x.to_vec();
    for (&o, &s) in plan.dst.iter().zip(&plan.src) {
        out[o] += src[s];
    }
    out
}

/// The gradient of `self` through a replacing scatter: `g` with zeros where
/// values were replaced (`grad.scatter(dim, index, 0)`).
fn zeroed<T: Summable>(g: &[T], plan: &Plan) -> Vec<T> {
    let mut out = g.to_vec();
    for &o in &plan.dst {
        out[o] = T::default();
    }
    out
}

/// The gradient of `src` (`n` values): `g` where each value went
/// (`grad.gather(dim, index)`), zero for values no index read.
fn picked<T: Summable>(g: &[T], plan: &Plan, n: usize) -> Vec<T> {
    let mut out = vec![T::default(); n];
    for (&o, &s) in plan.dst.iter().zip(&plan.src) {
        out[s] = g[o];
    }
    out
}

impl Tensor {
    fn scatter_impl(&self, dim: i64, index: &Tensor, src: &Tensor, mode: Mode) -> Result<Tensor> {
        let d = self.wrap_dim(dim)?;
        let plan = plan(self, d, index, (mode != Mode::Value).then_some(src), mode)?;
        let shape = self.shape().to_vec();
        let data = if mode == Mode::Add {
            // Bools are added as int64 (see `map_summable`).
            let dtype = match self.dtype() {
                DType::Bool => DType::Int64,
                other => other,
            };
            let src_values = src.storage().to_dtype(dtype).contiguous();
            map_summable!(self.storage(), v => array(&shape, added(v, values_like(v, &src_values), &plan)))
        } else {
            let src_values = src.storage().to_dtype(self.dtype()).contiguous();
            map_values!(self.storage(), v => array(&shape, replaced(v, values_like(v, &src_values), &plan)))
        };
        let (name, inputs): (&str, Vec<&Tensor>) = match mode {
            Mode::Replace => ("ScatterBackward0", vec![self, src]),
            Mode::Value => ("ScatterBackward1", vec![self]),
            Mode::Add => ("ScatterAddBackward0", vec![self, src]),
        };
        let src_shape = src.shape().to_vec();
        // torch keeps the index for the gradients that need it: always for
        // scatter (self's gradient), for scatter_add only when src needs one.
        let saved = if mode == Mode::Add && !src.requires_grad() {
            Saved::Nothing
        } else {
            Saved::Tensors
        };
        Ok(record(data, name, saved, &inputs, move || {
            Box::new(move |g: &Tensor| {
                let g_self = match mode {
                    Mode::Add => g.clone(),
                    _ => Tensor::from_storage(
                        map_summable!(g.storage(), v => array(&shape, zeroed(v, &plan))),
                    ),
                };
                let mut grads = vec![Some(g_self)];
                if mode != Mode::Value {
                    let n = src_shape.iter().product();
                    grads.push(Some(Tensor::from_storage(
                        map_summable!(g.storage(), v => array(&src_shape, picked(v, &plan, n))),
                    )));
                }
                grads
            })
        }))
    }

    /// Runs a scatter out of place and writes its values into `self`,
    /// refusing what the in-place form cannot record.
    fn scatter_in_place(
        &self,
        src: Option<&Tensor>,
        f: impl FnOnce() -> Result<Tensor>,
    ) -> Result<Tensor> {
        self.check_in_place()?;
        if is_grad_enabled() && src.is_some_and(Tensor::requires_grad) {
            return Err(TensorError::runtime(
                "in-place operations on tensors that are part of a graph are not supported here; use the out-of-place form (`let y = x.scatter(…)`) instead",
            ));
        }
        let out = no_grad(f)?;
        self.set_storage(out.storage());
        Ok(self.clone())
    }

    /// A copy of `self` with the values of `src` written along `dim` at the
    /// positions in `index`, as `x.scatter(dim, index, src)`
    /// (`ScatterBackward0`): for `dim = 1`, `out[i][index[i][j]] = src[i][j]`.
    /// Where two positions coincide, the last one wins, as on torch's CPU.
    ///
    /// # Panics
    /// On a non-int64 index, a dtype or shape that does not fit, or a
    /// position out of range, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::zeros([2, 4]);
    /// let y = x.scatter(1, &tensor![[3], [0]], &tensor![[1.0], [2.0]]);
    /// assert_eq!(y.to_string(), "tensor([[0., 0., 0., 1.],\n        [2., 0., 0., 0.]])");
    /// ```
    #[track_caller]
    pub fn scatter(&self, dim: i64, index: &Tensor, src: &Tensor) -> Tensor {
        or_panic(self.try_scatter(dim, index, src))
    }

    /// Fallible form of [`scatter`](Self::scatter).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([2, 4]).try_scatter(1, &tensor![[4]], &tensor![[1.0]]).unwrap_err();
    /// assert_eq!(err.to_string(), "index 4 is out of bounds for dimension 1 with size 4");
    /// ```
    pub fn try_scatter(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        self.scatter_impl(dim, index, src, Mode::Replace)
    }

    /// A copy of `self` with `value` written along `dim` at the positions in
    /// `index`, as `x.scatter(dim, index, value)` (`ScatterBackward1`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// // One-hot rows from class labels.
    /// let labels = tensor![[2], [0]];
    /// let onehot = Tensor::zeros([2, 3]).scatter_value(1, &labels, 1.0);
    /// assert_eq!(onehot.to_vec::<f32>(), vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn scatter_value(&self, dim: i64, index: &Tensor, value: f64) -> Tensor {
        or_panic(self.try_scatter_value(dim, index, value))
    }

    /// Fallible form of [`scatter_value`](Self::scatter_value).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([2, 3]).try_scatter_value(1, &tensor![[1.0]], 1.0).unwrap_err();
    /// assert_eq!(err.to_string(), "scatter(): Expected dtype int32/int64 for index");
    /// ```
    pub fn try_scatter_value(&self, dim: i64, index: &Tensor, value: f64) -> Result<Tensor> {
        let value = Tensor::full_dtype([1], value, self.dtype());
        self.scatter_impl(dim, index, &value, Mode::Value)
    }

    /// A copy of `self` with the values of `src` added along `dim` at the
    /// positions in `index`, as `x.scatter_add(dim, index, src)`
    /// (`ScatterAddBackward0`): repeated positions add up, in order.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// // Count the samples of each class.
    /// let labels = tensor![0, 2, 2, 1, 2];
    /// let counts = Tensor::zeros([3]).scatter_add(0, &labels, &Tensor::ones([5]));
    /// assert_eq!(counts.to_vec::<f32>(), vec![1.0, 1.0, 3.0]);
    /// ```
    #[track_caller]
    pub fn scatter_add(&self, dim: i64, index: &Tensor, src: &Tensor) -> Tensor {
        or_panic(self.try_scatter_add(dim, index, src))
    }

    /// Fallible form of [`scatter_add`](Self::scatter_add).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3]).try_scatter_add(0, &tensor![0], &Tensor::from_vec(vec![1.0f64], [1])).unwrap_err();
    /// assert_eq!(err.to_string(), "scatter_add(): Expected self.dtype to be equal to src.dtype");
    /// ```
    pub fn try_scatter_add(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        self.scatter_impl(dim, index, src, Mode::Add)
    }

    /// [`scatter`](Self::scatter) in place, as `x.scatter_(dim, index, src)`;
    /// returns `self`.
    ///
    /// # Panics
    /// As `scatter`, and on a leaf that requires grad (torch's message) or
    /// a `src` that is part of a graph.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::zeros([3]);
    /// x.scatter_(0, &tensor![2, 0], &tensor![5.0, 6.0]);
    /// assert_eq!(x.to_vec::<f32>(), vec![6.0, 0.0, 5.0]);
    /// ```
    #[track_caller]
    pub fn scatter_(&self, dim: i64, index: &Tensor, src: &Tensor) -> Tensor {
        or_panic(self.scatter_in_place(Some(src), || self.try_scatter(dim, index, src)))
    }

    /// [`scatter_value`](Self::scatter_value) in place, as
    /// `x.scatter_(dim, index, value)`; returns `self`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let onehot = Tensor::zeros([2, 3]);
    /// onehot.scatter_value_(1, &tensor![[1], [2]], 1.0);
    /// assert_eq!(onehot.to_string(), "tensor([[0., 1., 0.],\n        [0., 0., 1.]])");
    /// ```
    #[track_caller]
    pub fn scatter_value_(&self, dim: i64, index: &Tensor, value: f64) -> Tensor {
        or_panic(self.scatter_in_place(None, || self.try_scatter_value(dim, index, value)))
    }

    /// [`scatter_add`](Self::scatter_add) in place, as
    /// `x.scatter_add_(dim, index, src)`; returns `self`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let totals = Tensor::zeros([2]);
    /// totals.scatter_add_(0, &tensor![1, 1, 0], &tensor![1.0, 2.0, 3.0]);
    /// assert_eq!(totals.to_vec::<f32>(), vec![3.0, 3.0]);
    /// ```
    #[track_caller]
    pub fn scatter_add_(&self, dim: i64, index: &Tensor, src: &Tensor) -> Tensor {
        or_panic(self.scatter_in_place(Some(src), || self.try_scatter_add(dim, index, src)))
    }
}

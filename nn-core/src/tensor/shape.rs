//! Changing the shape: `reshape`/`view`, `unsqueeze`, `squeeze`, `t`,
//! `transpose`, `permute`, `flatten`, `expand`, `cat`, `stack`.

use super::storage::{Array, Storage, map_storage};
use super::{Tensor, wrap_dim};
use crate::autograd::{Saved, record};
use crate::error::{Result, TensorError, or_panic};
use crate::size::Size;
use ndarray::{Axis, IxDyn};

/// A target shape for [`Tensor::reshape`]/[`Tensor::view`]: an array or
/// vector of `i64` (one entry may be `-1`, inferred), or a [`Size`].
///
/// ```
/// use nn_core::prelude::*;
/// let x = Tensor::arange(6);
/// assert_eq!(x.reshape([2, -1]).shape(), [2, 3]);
/// assert_eq!(x.reshape(Size::from([3, 2])).shape(), [3, 2]);
/// ```
pub trait ReshapeArg {
    /// The dimensions, with `-1` for "infer this one".
    fn dims(&self) -> Vec<i64>;
}

impl<const N: usize> ReshapeArg for [i64; N] {
    fn dims(&self) -> Vec<i64> {
        self.to_vec()
    }
}
impl ReshapeArg for &[i64] {
    fn dims(&self) -> Vec<i64> {
        self.to_vec()
    }
}
impl ReshapeArg for Vec<i64> {
    fn dims(&self) -> Vec<i64> {
        self.clone()
    }
}
impl ReshapeArg for Vec<usize> {
    fn dims(&self) -> Vec<i64> {
        self.iter().map(|&d| d as i64).collect()
    }
}
impl ReshapeArg for Size {
    fn dims(&self) -> Vec<i64> {
        self.iter().map(|&d| d as i64).collect()
    }
}
impl ReshapeArg for &Size {
    fn dims(&self) -> Vec<i64> {
        self.iter().map(|&d| d as i64).collect()
    }
}

/// Resolves a `-1` and checks the element count, with torch's messages.
fn infer_shape(dims: &[i64], numel: usize) -> Result<Vec<usize>> {
    let invalid = || {
        TensorError::runtime(format!(
            "shape '{dims:?}' is invalid for input of size {numel}"
        ))
    };
    let mut infer = None;
    let mut known: usize = 1;
    for (i, &d) in dims.iter().enumerate() {
        if d == -1 {
            if infer.is_some() {
                return Err(TensorError::runtime("only one dimension can be inferred"));
            }
            infer = Some(i);
        } else if d < 0 {
            return Err(TensorError::runtime(format!("invalid shape dimension {d}")));
        } else {
            known *= d as usize;
        }
    }
    let mut shape: Vec<usize> = dims.iter().map(|&d| d.max(0) as usize).collect();
    match infer {
        Some(i) => {
            if known == 0 || !numel.is_multiple_of(known) {
                return Err(invalid());
            }
            shape[i] = numel / known;
        }
        None if known != numel => return Err(invalid()),
        None => {}
    }
    Ok(shape)
}

/// Reshapes row-major values (copying first when they are not contiguous).
fn reshape_storage(s: &Storage, shape: &[usize]) -> Storage {
    map_storage!(s, a => {
        let a = if a.is_standard_layout() { a.clone() } else { a.as_standard_layout().into_owned().into_shared() };
        a.into_shape_with_order(IxDyn(shape)).expect("element count checked").into_shared()
    })
}

impl Tensor {
    /// Whether the values are laid out row-major without gaps, as `x.is_contiguous()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::zeros([2, 3]);
    /// assert!(x.is_contiguous());
    /// assert!(!x.t().is_contiguous());
    /// ```
    pub fn is_contiguous(&self) -> bool {
        super::storage::with_storage!(&self.storage(), a => a.is_standard_layout())
    }

    /// The same values with a new shape, as `x.reshape(shape)`; one dimension
    /// may be `-1`. Copies only when the values are not contiguous
    /// (`ViewBackward0`, or `UnsafeViewBackward0` after a copy, as torch).
    ///
    /// # Panics
    /// If the element count does not fit, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::arange(6).reshape([3, 2]).to_string(), "tensor([[0, 1],\n        [2, 3],\n        [4, 5]])");
    /// ```
    #[track_caller]
    pub fn reshape(&self, shape: impl ReshapeArg) -> Tensor {
        or_panic(self.try_reshape(shape))
    }

    /// Fallible form of [`reshape`](Self::reshape).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([6]).try_reshape([4, -1]).unwrap_err();
    /// assert_eq!(err.to_string(), "shape '[4, -1]' is invalid for input of size 6");
    /// ```
    pub fn try_reshape(&self, shape: impl ReshapeArg) -> Result<Tensor> {
        let target = infer_shape(&shape.dims(), self.numel())?;
        let name = if self.is_contiguous() {
            "ViewBackward0"
        } else {
            "UnsafeViewBackward0"
        };
        Ok(self.reshaped(target, name))
    }

    /// The same values with a new shape, sharing them, as `x.view(shape)`.
    ///
    /// # Panics
    /// If the tensor is not contiguous (use [`reshape`](Self::reshape)) or the
    /// element count does not fit, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros([2, 3]).view([3, 2]).shape(), [3, 2]);
    /// ```
    #[track_caller]
    pub fn view(&self, shape: impl ReshapeArg) -> Tensor {
        or_panic(self.try_view(shape))
    }

    /// Fallible form of [`view`](Self::view).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(Tensor::zeros([2, 3]).t().try_view([6]).is_err());
    /// ```
    pub fn try_view(&self, shape: impl ReshapeArg) -> Result<Tensor> {
        let target = infer_shape(&shape.dims(), self.numel())?;
        if !self.is_contiguous() && target.as_slice() != &*self.shape() {
            return Err(TensorError::runtime(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
            ));
        }
        Ok(self.reshaped(target, "ViewBackward0"))
    }

    /// Reshape with a given grad_fn name; the gradient is reshaped back.
    pub(crate) fn reshaped(&self, shape: Vec<usize>, name: &'static str) -> Tensor {
        let data = reshape_storage(&self.storage(), &shape);
        let original = self.shape().to_vec();
        record(data, name, Saved::Nothing, &[self], move || {
            Box::new(move |g: &Tensor| {
                vec![Some(Tensor::from_storage(reshape_storage(
                    &g.storage(),
                    &original,
                )))]
            })
        })
    }

    /// Inserts a dimension of size 1 at `dim`, as `torch.unsqueeze(x, dim)`.
    ///
    /// # Panics
    /// If `dim` is outside `[-dim()-1, dim()]`, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::linspace(-1.0, 1.0, 5);
    /// assert_eq!(x.unsqueeze(1).shape(), [5, 1]);
    /// assert_eq!(x.unsqueeze(0).shape(), [1, 5]);
    /// ```
    #[track_caller]
    pub fn unsqueeze(&self, dim: i64) -> Tensor {
        or_panic(self.try_unsqueeze(dim))
    }

    /// Fallible form of [`unsqueeze`](Self::unsqueeze).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([5]).try_unsqueeze(2).unwrap_err();
    /// assert_eq!(err.to_string(), "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    /// ```
    pub fn try_unsqueeze(&self, dim: i64) -> Result<Tensor> {
        let d = wrap_dim(dim, self.dim() + 1)?;
        let mut shape = self.shape().to_vec();
        shape.insert(d, 1);
        let data = map_storage!(self.storage(), a => a.insert_axis(Axis(d)));
        let original = self.shape().to_vec();
        debug_assert_eq!(data.shape(), shape.as_slice());
        Ok(record(
            data,
            "UnsqueezeBackward0",
            Saved::Nothing,
            &[self],
            move || {
                Box::new(move |g: &Tensor| {
                    vec![Some(Tensor::from_storage(reshape_storage(
                        &g.storage(),
                        &original,
                    )))]
                })
            },
        ))
    }

    /// Removes every dimension of size 1, as `x.squeeze()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros([2, 1, 3, 1]).squeeze().shape(), [2, 3]);
    /// ```
    pub fn squeeze(&self) -> Tensor {
        let shape: Vec<usize> = self.shape().iter().copied().filter(|&d| d != 1).collect();
        self.squeezed(shape, "SqueezeBackward0")
    }

    /// Removes dimension `dim` if its size is 1 (otherwise returns the same
    /// shape), as `x.squeeze(dim)`.
    ///
    /// # Panics
    /// If `dim` is out of range, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros([3, 1]).squeeze_dim(1).shape(), [3]);
    /// assert_eq!(Tensor::zeros([3, 2]).squeeze_dim(1).shape(), [3, 2]);
    /// ```
    #[track_caller]
    pub fn squeeze_dim(&self, dim: i64) -> Tensor {
        let d = or_panic(self.wrap_dim(dim));
        let mut shape = self.shape().to_vec();
        if shape.get(d) == Some(&1) {
            shape.remove(d);
        }
        self.squeezed(shape, "SqueezeBackward1")
    }

    pub(crate) fn squeezed(&self, shape: Vec<usize>, name: &'static str) -> Tensor {
        let data = reshape_storage(&self.storage(), &shape);
        let original = self.shape().to_vec();
        record(data, name, Saved::Nothing, &[self], move || {
            Box::new(move |g: &Tensor| {
                vec![Some(Tensor::from_storage(reshape_storage(
                    &g.storage(),
                    &original,
                )))]
            })
        })
    }

    /// The transpose of a matrix (≤ 2 dimensions), as `x.t()` (`TBackward0`).
    ///
    /// # Panics
    /// On a tensor with more than 2 dimensions, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
    /// assert_eq!(w.t().shape(), [2, 3]);
    /// assert_eq!(w.t().to_vec::<f32>(), vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
    /// ```
    #[track_caller]
    pub fn t(&self) -> Tensor {
        let n = self.dim();
        if n > 2 {
            or_panic::<()>(Err(TensorError::runtime(format!(
                "t() expects a tensor with <= 2 dimensions, but self is {n}D"
            ))));
        }
        let axes: Vec<usize> = (0..n).rev().collect();
        self.permuted(&axes, "TBackward0")
    }

    /// Swaps two dimensions, as `x.transpose(dim0, dim1)` (`TransposeBackward0`).
    ///
    /// # Panics
    /// If a dimension is out of range, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros([2, 3, 4]).transpose(0, 2).shape(), [4, 3, 2]);
    /// ```
    #[track_caller]
    pub fn transpose(&self, dim0: i64, dim1: i64) -> Tensor {
        let (a, b) = (or_panic(self.wrap_dim(dim0)), or_panic(self.wrap_dim(dim1)));
        let mut axes: Vec<usize> = (0..self.dim()).collect();
        axes.swap(a, b);
        self.permuted(&axes, "TransposeBackward0")
    }

    /// Reorders the dimensions, as `x.permute(dims)` (`PermuteBackward0`).
    ///
    /// # Panics
    /// If `dims` is not a permutation of the dimensions, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros([2, 3, 4]).permute([2, 0, 1]).shape(), [4, 2, 3]);
    /// ```
    #[track_caller]
    pub fn permute(&self, dims: impl AsRef<[i64]>) -> Tensor {
        let dims = dims.as_ref();
        if dims.len() != self.dim() {
            or_panic::<()>(Err(TensorError::runtime(format!(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
                self.dim(),
                dims.len()
            ))));
        }
        let axes: Vec<usize> = dims.iter().map(|&d| or_panic(self.wrap_dim(d))).collect();
        let mut seen = vec![false; axes.len()];
        for &a in &axes {
            if std::mem::replace(&mut seen[a], true) {
                or_panic::<()>(Err(TensorError::runtime(
                    "permute(): duplicate dims are not allowed.",
                )));
            }
        }
        self.permuted(&axes, "PermuteBackward0")
    }

    fn permuted(&self, axes: &[usize], name: &'static str) -> Tensor {
        let data = map_storage!(self.storage(), a => a.permuted_axes(IxDyn(axes)));
        let mut inverse = vec![0; axes.len()];
        for (i, &a) in axes.iter().enumerate() {
            inverse[a] = i;
        }
        record(data, name, Saved::Nothing, &[self], move || {
            Box::new(move |g: &Tensor| {
                vec![Some(Tensor::from_storage(
                    map_storage!(g.storage(), a => a.permuted_axes(IxDyn(&inverse))),
                ))]
            })
        })
    }

    /// A contiguous copy if the values are not contiguous, else the same
    /// tensor, as `x.contiguous()` (`CloneBackward0` when copied).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(Tensor::zeros([2, 3]).t().contiguous().is_contiguous());
    /// ```
    pub fn contiguous(&self) -> Tensor {
        if self.is_contiguous() {
            self.clone()
        } else {
            self.clone_tensor()
        }
    }

    /// Flattens all dimensions into one, as `torch.flatten(x)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros([2, 3, 4]).flatten().shape(), [24]);
    /// ```
    pub fn flatten(&self) -> Tensor {
        self.flatten_dims(0, -1)
    }

    /// Flattens dimensions `start..=end` into one, as `torch.flatten(x, start, end)`.
    ///
    /// # Panics
    /// If a dimension is out of range or `start > end`, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros([2, 3, 4]).flatten_dims(1, -1).shape(), [2, 12]);
    /// ```
    #[track_caller]
    pub fn flatten_dims(&self, start: i64, end: i64) -> Tensor {
        if self.dim() == 0 {
            return self.reshape([1]);
        }
        let (s, e) = (or_panic(self.wrap_dim(start)), or_panic(self.wrap_dim(end)));
        if s > e {
            or_panic::<()>(Err(TensorError::runtime(
                "flatten() has invalid args: start_dim cannot come after end_dim",
            )));
        }
        if s == e {
            return self.clone();
        }
        let shape = self.shape();
        let mut dims: Vec<i64> = shape[..s].iter().map(|&d| d as i64).collect();
        dims.push(shape[s..=e].iter().product::<usize>() as i64);
        dims.extend(shape[e + 1..].iter().map(|&d| d as i64));
        self.reshape(dims)
    }

    /// Repeats size-1 dimensions to `shape` without copying, as `x.expand(shape)`
    /// (`-1` keeps a dimension). The gradient is summed back.
    ///
    /// # Panics
    /// If a non-1 dimension would change, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![[1.0], [2.0]].expand([2, 3]).to_vec::<f32>(), vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
    /// ```
    #[track_caller]
    pub fn expand(&self, shape: impl ReshapeArg) -> Tensor {
        let dims = shape.dims();
        let own = self.shape();
        if dims.len() < own.len() {
            or_panic::<()>(Err(TensorError::runtime(format!(
                "expand({}{{{:?}}}, size=[{}]): the number of sizes provided ({}) must be greater or equal to the number of dimensions in the tensor ({})",
                "torch.FloatTensor",
                own.to_vec(),
                dims.len(),
                dims.len(),
                own.len()
            ))));
        }
        let lead = dims.len() - own.len();
        let mut target = Vec::with_capacity(dims.len());
        for (i, &d) in dims.iter().enumerate() {
            let current = if i >= lead { Some(own[i - lead]) } else { None };
            let size = match (d, current) {
                (-1, Some(c)) => c,
                (d, Some(c)) if c == 1 || c as i64 == d => d as usize,
                (d, None) if d >= 0 => d as usize,
                (d, c) => {
                    return or_panic(Err(TensorError::runtime(format!(
                        "The expanded size of the tensor ({d}) must match the existing size ({}) at non-singleton dimension {i}.  Target sizes: {dims:?}.  Tensor sizes: {:?}",
                        c.unwrap_or(0),
                        own.to_vec()
                    ))));
                }
            };
            target.push(size);
        }
        let data = map_storage!(self.storage(), a => a.broadcast(IxDyn(&target)).expect("checked").to_owned().into_shared());
        let original = own.to_vec();
        record(
            data,
            "ExpandBackward0",
            Saved::Nothing,
            &[self],
            move || Box::new(move |g: &Tensor| vec![Some(g.sum_to_shape(&original))]),
        )
    }

    /// Joins tensors along an existing dimension, as `torch.cat(tensors, dim)`.
    ///
    /// # Panics
    /// If the list is empty or the other dimensions differ, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let c = Tensor::cat(&[tensor![[1.0, 2.0]], tensor![[3.0, 4.0]]], 0);
    /// assert_eq!(c.shape(), [2, 2]);
    /// ```
    #[track_caller]
    pub fn cat(tensors: &[Tensor], dim: i64) -> Tensor {
        or_panic(Tensor::try_cat(tensors, dim))
    }

    /// Fallible form of [`cat`](Self::cat).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::try_cat(&[Tensor::zeros([2, 2]), Tensor::zeros([3, 3])], 1).unwrap_err();
    /// assert_eq!(err.to_string(), "Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1 in the list.");
    /// ```
    pub fn try_cat(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
        let first = tensors.first().ok_or_else(|| {
            TensorError::runtime("torch.cat(): expected a non-empty list of Tensors")
        })?;
        let d = first.wrap_dim(dim)?;
        let shape0 = first.shape();
        for (i, t) in tensors.iter().enumerate().skip(1) {
            let s = t.shape();
            if s.len() != shape0.len() {
                return Err(TensorError::runtime(format!(
                    "Tensors must have same number of dimensions: got {} and {}",
                    shape0.len(),
                    s.len()
                )));
            }
            for k in 0..s.len() {
                if k != d && s[k] != shape0[k] {
                    return Err(TensorError::runtime(format!(
                        "Sizes of tensors must match except in dimension {d}. Expected size {} but got size {} for tensor number {i} in the list.",
                        shape0[k], s[k]
                    )));
                }
            }
        }
        let data = join(tensors, Join::Concatenate(d))?;
        let sizes: Vec<usize> = tensors.iter().map(|t| t.shape()[d]).collect();
        let refs: Vec<&Tensor> = tensors.iter().collect();
        Ok(record(
            data,
            "CatBackward0",
            Saved::Nothing,
            &refs,
            move || {
                Box::new(move |g: &Tensor| {
                    let mut start = 0;
                    sizes
                        .iter()
                        .map(|&n| {
                            let part = g.narrow(d as i64, start as i64, n);
                            start += n;
                            Some(part.contiguous_detached())
                        })
                        .collect()
                })
            },
        ))
    }

    /// Joins tensors of equal shape along a new dimension, as `torch.stack(tensors, dim)`.
    ///
    /// # Panics
    /// If the list is empty or the shapes differ, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let s = Tensor::stack(&[tensor![1.0, 2.0], tensor![3.0, 4.0]], 1);
    /// assert_eq!(s.to_vec::<f32>(), vec![1.0, 3.0, 2.0, 4.0]);
    /// ```
    #[track_caller]
    pub fn stack(tensors: &[Tensor], dim: i64) -> Tensor {
        or_panic(Tensor::try_stack(tensors, dim))
    }

    /// Fallible form of [`stack`](Self::stack).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::try_stack(&[Tensor::zeros([2, 3]), Tensor::zeros([2, 4])], 0).unwrap_err();
    /// assert_eq!(err.to_string(), "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [2, 4] at entry 1");
    /// ```
    pub fn try_stack(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
        let first = tensors
            .first()
            .ok_or_else(|| TensorError::runtime("stack expects a non-empty TensorList"))?;
        let d = wrap_dim(dim, first.dim() + 1)?;
        let shape0 = first.shape();
        for (i, t) in tensors.iter().enumerate().skip(1) {
            if t.shape() != shape0 {
                return Err(TensorError::runtime(format!(
                    "stack expects each tensor to be equal size, but got {:?} at entry 0 and {:?} at entry {i}",
                    shape0.to_vec(),
                    t.shape().to_vec()
                )));
            }
        }
        let data = join(tensors, Join::Stack(d))?;
        let refs: Vec<&Tensor> = tensors.iter().collect();
        let n = tensors.len();
        Ok(record(
            data,
            "StackBackward0",
            Saved::Nothing,
            &refs,
            move || {
                Box::new(move |g: &Tensor| {
                    (0..n)
                        .map(|i| Some(g.select(d as i64, i as i64).contiguous_detached()))
                        .collect()
                })
            },
        ))
    }
}

/// How [`join`] combines arrays.
#[derive(Clone, Copy)]
enum Join {
    Concatenate(usize),
    Stack(usize),
}

fn join_arrays<T: Clone>(arrays: &[Array<T>], how: Join) -> Result<Array<T>> {
    let views: Vec<_> = arrays.iter().map(|a| a.view()).collect();
    let joined = match how {
        Join::Concatenate(d) => ndarray::concatenate(Axis(d), &views),
        Join::Stack(d) => ndarray::stack(Axis(d), &views),
    };
    joined
        .map(|a| a.into_shared())
        .map_err(|e| TensorError::runtime(e.to_string()))
}

/// Converts all tensors to their common dtype and joins their arrays.
fn join(tensors: &[Tensor], how: Join) -> Result<Storage> {
    let dtype = tensors
        .iter()
        .map(|t| t.dtype())
        .reduce(|a, b| a.promote(b))
        .expect("non-empty");
    macro_rules! typed_join {
        ($variant:ident) => {{
            let arrays: Vec<_> = tensors
                .iter()
                .map(|t| match t.storage().to_dtype(dtype) {
                    Storage::$variant(a) => a,
                    _ => unreachable!("converted to the common dtype"),
                })
                .collect();
            Storage::$variant(join_arrays(&arrays, how)?)
        }};
    }
    Ok(match dtype {
        crate::DType::Float32 => typed_join!(F32),
        crate::DType::Float64 => typed_join!(F64),
        crate::DType::Int64 => typed_join!(I64),
        crate::DType::Bool => typed_join!(Bool),
    })
}

//! Picking parts of a tensor: `select`, `narrow`, and Python-style indexing
//! with [`Tensor::i`] (`x.i((.., 1..3))` is `x[:, 1:3]`, `x.i(&mask)` is
//! `x[mask]`, `x.i((.., &idx))` is `x[:, idx]`; the tensor entries are in
//! `advanced_index.rs`).

use super::Tensor;
use super::storage::{Array, Storage, map_storage};
use crate::autograd::{Saved, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};
use ndarray::{Axis, IxDyn};
use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

/// A Python slice `start:stop:step` (negative positions count from the end;
/// out-of-range bounds are clamped, as in Python).
///
/// ```
/// use nn_core::prelude::*;
///
/// let x = Tensor::arange(10);
/// let every_other = Slice { start: None, stop: None, step: 2 }; // x[::2]
/// assert_eq!(x.i(every_other).to_vec::<i64>(), vec![0, 2, 4, 6, 8]);
/// let last_three = Slice::new(Some(-3), None, 1); // x[-3:]
/// assert_eq!(x.i(last_three).to_vec::<i64>(), vec![7, 8, 9]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slice {
    /// First position (`None`: from the start).
    pub start: Option<i64>,
    /// Position after the last (`None`: to the end).
    pub stop: Option<i64>,
    /// Distance between positions (must be positive).
    pub step: i64,
}

impl Slice {
    /// `start:stop:step`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::arange(10);
    /// assert_eq!(x.i(Slice::new(Some(1), None, 3)).to_vec::<i64>(), vec![1, 4, 7]);
    /// ```
    pub fn new(start: Option<i64>, stop: Option<i64>, step: i64) -> Slice {
        Slice { start, stop, step }
    }

    /// The concrete `(start, length)` for a dimension of size `n`, as Python does.
    fn resolve(&self, n: usize) -> Result<(usize, usize)> {
        if self.step <= 0 {
            return Err(TensorError::value("step must be greater than zero"));
        }
        let n = n as i64;
        let clamp = |v: i64| if v < 0 { (v + n).max(0) } else { v.min(n) };
        let start = self.start.map_or(0, clamp);
        let stop = self.stop.map_or(n, clamp);
        let len = if stop > start {
            (stop - start + self.step - 1) / self.step
        } else {
            0
        };
        Ok((start as usize, len as usize))
    }
}

/// One entry of an index expression.
///
/// Integers, Rust ranges, [`Slice`], [`ELLIPSIS`] and [`NEW_AXIS`] convert
/// into it, so [`Tensor::i`] rarely needs it spelled out.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::tensor::TensorIndex;
///
/// let x = tensor![[1, 2, 3], [4, 5, 6]];
/// assert_eq!(TensorIndex::from(1), TensorIndex::Select(1));
/// let index = vec![TensorIndex::from(..), TensorIndex::Select(-1)]; // x[:, -1]
/// assert_eq!(x.i(index).to_vec::<i64>(), vec![3, 6]);
/// ```
#[derive(Clone, Debug)]
pub enum TensorIndex {
    /// An integer: picks one position and removes the dimension (`x[2]`).
    Select(i64),
    /// A slice: keeps the dimension (`x[1:3]`).
    Slice(Slice),
    /// `None`: inserts a dimension of size 1.
    NewAxis,
    /// `...`: as many full slices as needed.
    Ellipsis,
    /// A tensor (`IndexBackward0`): a bool mask picks the positions where it
    /// is true over as many dimensions as it has (`x[x > 0]`); an int64
    /// tensor picks positions along one dimension, negative ones counting
    /// from the end (`x[idx]`). Several tensors broadcast together and pick
    /// element-wise (`x[rows, cols]`), as in NumPy and torch.
    Tensor(Tensor),
}

/// Tensor entries are equal when they are the same tensor (Python's `is`).
impl PartialEq for TensorIndex {
    fn eq(&self, other: &TensorIndex) -> bool {
        match (self, other) {
            (TensorIndex::Select(a), TensorIndex::Select(b)) => a == b,
            (TensorIndex::Slice(a), TensorIndex::Slice(b)) => a == b,
            (TensorIndex::NewAxis, TensorIndex::NewAxis) => true,
            (TensorIndex::Ellipsis, TensorIndex::Ellipsis) => true,
            (TensorIndex::Tensor(a), TensorIndex::Tensor(b)) => a.is_same(b),
            _ => false,
        }
    }
}

impl Eq for TensorIndex {}

/// `x.i(&mask)`, `x.i(&idx)`: a tensor entry (see [`TensorIndex::Tensor`]).
impl From<&Tensor> for TensorIndex {
    fn from(t: &Tensor) -> Self {
        TensorIndex::Tensor(t.clone())
    }
}

/// `x.i(x.gt(0.0))`: a tensor entry (see [`TensorIndex::Tensor`]).
impl From<Tensor> for TensorIndex {
    fn from(t: Tensor) -> Self {
        TensorIndex::Tensor(t)
    }
}

/// `...` in an index expression: `x.i((Ellipsis, -1))` is `x[..., -1]`.
///
/// ```
/// use nn_core::prelude::*;
///
/// let x = Tensor::zeros([2, 3, 4]);
/// assert_eq!(x.i((ELLIPSIS, 0)).shape(), [2, 3]); // x[..., 0]
/// assert_eq!(x.i((0, ELLIPSIS)).shape(), [3, 4]); // x[0, ...]
/// ```
pub const ELLIPSIS: TensorIndex = TensorIndex::Ellipsis;
/// `None` in an index expression: `x.i((.., NEW_AXIS))` is `x[:, None]`.
///
/// ```
/// use nn_core::prelude::*;
///
/// let x = tensor![1.0, 2.0, 3.0];
/// assert_eq!(x.i((.., NEW_AXIS)).shape(), [3, 1]); // a column, x[:, None]
/// assert_eq!(x.i(NEW_AXIS).shape(), [1, 3]); // a row, x[None]
/// ```
pub const NEW_AXIS: TensorIndex = TensorIndex::NewAxis;

macro_rules! index_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for TensorIndex {
            fn from(v: $t) -> Self { TensorIndex::Select(v as i64) }
        }
        impl From<Range<$t>> for TensorIndex {
            fn from(r: Range<$t>) -> Self { TensorIndex::Slice(Slice::new(Some(r.start as i64), Some(r.end as i64), 1)) }
        }
        impl From<RangeFrom<$t>> for TensorIndex {
            fn from(r: RangeFrom<$t>) -> Self { TensorIndex::Slice(Slice::new(Some(r.start as i64), None, 1)) }
        }
        impl From<RangeTo<$t>> for TensorIndex {
            fn from(r: RangeTo<$t>) -> Self { TensorIndex::Slice(Slice::new(None, Some(r.end as i64), 1)) }
        }
        impl From<RangeInclusive<$t>> for TensorIndex {
            fn from(r: RangeInclusive<$t>) -> Self {
                let end = *r.end() as i64;
                // `a..=-1` means "to the end".
                let stop = if end == -1 { None } else { Some(end + 1) };
                TensorIndex::Slice(Slice::new(Some(*r.start() as i64), stop, 1))
            }
        }
        impl From<RangeToInclusive<$t>> for TensorIndex {
            fn from(r: RangeToInclusive<$t>) -> Self {
                let end = r.end as i64;
                let stop = if end == -1 { None } else { Some(end + 1) };
                TensorIndex::Slice(Slice::new(None, stop, 1))
            }
        }
    )*};
}
index_from_int!(i64, i32, usize);

impl From<RangeFull> for TensorIndex {
    fn from(_: RangeFull) -> Self {
        TensorIndex::Slice(Slice::new(None, None, 1))
    }
}

impl From<Slice> for TensorIndex {
    fn from(s: Slice) -> Self {
        TensorIndex::Slice(s)
    }
}

/// What [`Tensor::i`] accepts: one index entry or a tuple of them.
///
/// ```
/// use nn_core::prelude::*;
///
/// let x = tensor![[1, 2, 3], [4, 5, 6]];
/// assert_eq!(x.i(1).to_vec::<i64>(), vec![4, 5, 6]); // one entry: x[1]
/// assert_eq!(x.i((.., 0..2)).shape(), [2, 2]); // a tuple: x[:, 0:2]
/// assert_eq!(x.i((1, -1)).item(), 6.0); // x[1, -1]
/// ```
pub trait IndexArg {
    /// The entries, in order.
    fn entries(self) -> Vec<TensorIndex>;
}

impl<T: Into<TensorIndex>> IndexArg for T {
    fn entries(self) -> Vec<TensorIndex> {
        vec![self.into()]
    }
}

macro_rules! index_tuple {
    ($($name:ident),+) => {
        impl<$($name: Into<TensorIndex>),+> IndexArg for ($($name,)+) {
            #[allow(non_snake_case)]
            fn entries(self) -> Vec<TensorIndex> {
                let ($($name,)+) = self;
                vec![$($name.into()),+]
            }
        }
    };
}
index_tuple!(A);
index_tuple!(A, B);
index_tuple!(A, B, C);
index_tuple!(A, B, C, D);
index_tuple!(A, B, C, D, E);

impl IndexArg for Vec<TensorIndex> {
    fn entries(self) -> Vec<TensorIndex> {
        self
    }
}

impl Tensor {
    /// Python-style indexing: `x.i(0)` is `x[0]`, `x.i((.., 1..3))` is
    /// `x[:, 1:3]`, `x.i((ELLIPSIS, -1))` is `x[..., -1]`. Integers remove a
    /// dimension (`SelectBackward0`), ranges keep it (`SliceBackward0`).
    ///
    /// Tensors index as in torch (`IndexBackward0`): `x.i(&mask)` is
    /// `x[mask]` (a bool mask: the values where it is true, as a vector),
    /// `x.i(&idx)` is `x[idx]` (int64 positions), and they mix with the
    /// other entries: `x.i((.., &idx))` is `x[:, idx]`, `x.i((&rows, &cols))`
    /// is `x[rows, cols]`.
    ///
    /// # Panics
    /// If an index is out of range, a mask does not fit or there are too many
    /// indices, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    /// assert_eq!(x.i(1).to_vec::<f32>(), vec![4.0, 5.0, 6.0]);
    /// assert_eq!(x.i((.., 1..)).to_vec::<f32>(), vec![2.0, 3.0, 5.0, 6.0]);
    /// assert_eq!(x.i((.., -1)).to_vec::<f32>(), vec![3.0, 6.0]);
    /// assert_eq!(x.i((0, 2)).item(), 3.0);
    /// assert_eq!(x.i(&x.gt(2.5)).to_string(), "tensor([3., 4., 5., 6.])"); // x[x > 2.5]
    /// assert_eq!(x.i((.., &tensor![2, 0])).to_vec::<f32>(), vec![3.0, 1.0, 6.0, 4.0]); // x[:, [2, 0]]
    /// ```
    #[track_caller]
    pub fn i(&self, index: impl IndexArg) -> Tensor {
        or_panic(self.try_i(index))
    }

    /// Fallible form of [`i`](Self::i).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3]).try_i(3).unwrap_err();
    /// assert_eq!(err.to_string(), "index 3 is out of bounds for dimension 0 with size 3");
    /// let err = Tensor::zeros([3]).try_i(&tensor![0, 5]).unwrap_err();
    /// assert_eq!(err.to_string(), "index 5 is out of bounds for dimension 0 with size 3");
    /// ```
    pub fn try_i(&self, index: impl IndexArg) -> Result<Tensor> {
        self.index_entries(index.entries())
    }

    fn index_entries(&self, entries: Vec<TensorIndex>) -> Result<Tensor> {
        let consuming: usize = entries.iter().map(consumed).sum::<Result<usize>>()?;
        if consuming > self.dim() {
            return Err(TensorError::index(format!(
                "too many indices for tensor of dimension {}",
                self.dim()
            )));
        }
        let mut out = self.clone();
        let mut dim = 0usize; // the dimension of `out` the next entry applies to
        // Tensor entries, with the dimension of `out` they start at; applied
        // after the basic entries, as torch does.
        let mut tensors: Vec<(usize, Tensor)> = Vec::new();
        for (k, e) in entries.iter().enumerate() {
            match e {
                TensorIndex::Select(i) => out = out.select_entry(dim, *i)?,
                TensorIndex::Slice(s) => {
                    let n = out.shape()[dim];
                    let (start, len) = s.resolve(n)?;
                    // A full slice is a no-op in torch (no SliceBackward0 node).
                    if !(start == 0 && len == n && s.step == 1) {
                        out = out.sliced(dim, start, len, s.step as usize);
                    }
                    dim += 1;
                }
                TensorIndex::NewAxis => {
                    out = out.try_unsqueeze(dim as i64)?;
                    dim += 1;
                }
                TensorIndex::Ellipsis => {
                    // Skip the dimensions that the entries after `...` do not reach.
                    let after: usize = entries[k + 1..]
                        .iter()
                        .map(consumed)
                        .sum::<Result<usize>>()?;
                    dim = out.dim() - after;
                }
                TensorIndex::Tensor(t) => match (t.dtype(), t.dim()) {
                    // A 0-d integer tensor is an integer (torch selects).
                    (DType::Int64, 0) => out = out.select_entry(dim, t.item() as i64)?,
                    // A 0-d bool adds a dimension of 1 (true) or 0 (false).
                    (DType::Bool, 0) => {
                        out = out.try_unsqueeze(dim as i64)?;
                        let picks = if t.item() != 0.0 { vec![0i64] } else { vec![] };
                        let n = picks.len();
                        tensors.push((dim, Tensor::from_vec(picks, [n])));
                        dim += 1;
                    }
                    (_, n) => {
                        tensors.push((dim, t.clone()));
                        dim += if t.dtype() == DType::Bool { n } else { 1 };
                    }
                },
            }
        }
        if tensors.is_empty() {
            return Ok(out);
        }
        out.index_with_tensors(&tensors)
    }

    /// `out[..., i]` at dimension `dim` for an integer entry, with the
    /// message torch gives for indexing.
    fn select_entry(&self, dim: usize, i: i64) -> Result<Tensor> {
        let n = self.shape()[dim];
        let ni = n as i64;
        if i < -ni || i >= ni {
            return Err(TensorError::index(format!(
                "index {i} is out of bounds for dimension {dim} with size {n}"
            )));
        }
        self.try_select(dim as i64, i)
    }

    /// The slice at `index` along `dim`, removing that dimension, as
    /// `x.select(dim, index)` (`SelectBackward0`).
    ///
    /// # Panics
    /// If `dim` or `index` is out of range, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    /// assert_eq!(x.select(1, 2).to_vec::<f32>(), vec![3.0, 6.0]);
    /// ```
    #[track_caller]
    pub fn select(&self, dim: i64, index: i64) -> Tensor {
        or_panic(self.try_select(dim, index))
    }

    /// Fallible form of [`select`](Self::select).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3, 2]).try_select(0, 5).unwrap_err();
    /// assert_eq!(err.to_string(), "select(): index 5 out of range for tensor of size [3, 2] at dimension 0");
    /// ```
    pub fn try_select(&self, dim: i64, index: i64) -> Result<Tensor> {
        if self.dim() == 0 {
            return Err(TensorError::index(
                "select() cannot be applied to a 0-dim tensor.",
            ));
        }
        let d = self.wrap_dim(dim)?;
        let n = self.shape()[d] as i64;
        if index < -n || index >= n {
            return Err(TensorError::index(format!(
                "select(): index {index} out of range for tensor of size {:?} at dimension {d}",
                self.shape().to_vec()
            )));
        }
        let i = if index < 0 { index + n } else { index } as usize;
        let data = map_storage!(self.storage(), a => a.index_axis_move(Axis(d), i));
        let shape = self.shape().to_vec();
        Ok(record(
            data,
            "SelectBackward0",
            Saved::Nothing,
            &[self],
            move || {
                Box::new(move |g: &Tensor| {
                    let grad = scatter_into_zeros(g, &shape, |z, gv| {
                        z.index_axis_mut(Axis(d), i).assign(gv)
                    });
                    vec![Some(grad)]
                })
            },
        ))
    }

    /// `length` positions of dimension `dim` starting at `start`, as
    /// `x.narrow(dim, start, length)` (`SliceBackward0`).
    ///
    /// # Panics
    /// If the range does not fit, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::arange(6).narrow(0, 2, 3).to_vec::<i64>(), vec![2, 3, 4]);
    /// ```
    #[track_caller]
    pub fn narrow(&self, dim: i64, start: i64, length: usize) -> Tensor {
        or_panic(self.try_narrow(dim, start, length))
    }

    /// Fallible form of [`narrow`](Self::narrow).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([4]).try_narrow(0, 3, 2).unwrap_err();
    /// assert_eq!(err.to_string(), "start (3) + length (2) exceeds dimension size (4).");
    /// ```
    pub fn try_narrow(&self, dim: i64, start: i64, length: usize) -> Result<Tensor> {
        let d = self.wrap_dim(dim)?;
        let n = self.shape()[d];
        let start = if start < 0 { start + n as i64 } else { start };
        if start < 0 || start as usize > n {
            return Err(TensorError::index(format!(
                "start out of range (expected to be in range of [{}, {n}], but got {start})",
                -(n as i64)
            )));
        }
        if start as usize + length > n {
            return Err(TensorError::runtime(format!(
                "start ({start}) + length ({length}) exceeds dimension size ({n})."
            )));
        }
        Ok(self.sliced(d, start as usize, length, 1))
    }

    /// `length` positions from `start` every `step` along `dim` (`SliceBackward0`).
    pub(crate) fn sliced(&self, d: usize, start: usize, length: usize, step: usize) -> Tensor {
        self.sliced_as(d, start, length, step, "SliceBackward0")
    }

    /// [`sliced`](Self::sliced) recorded under another grad_fn name (the
    /// pieces of `split` and `chunk`).
    pub(crate) fn sliced_as(
        &self,
        d: usize,
        start: usize,
        length: usize,
        step: usize,
        name: &'static str,
    ) -> Tensor {
        let end = start + length.saturating_sub(1) * step + usize::from(length > 0);
        let slice =
            ndarray::Slice::new(start as isize, Some(end.max(start) as isize), step as isize);
        let data = map_storage!(self.storage(), a => {
            let mut a = a;
            a.slice_axis_inplace(Axis(d), slice);
            a
        });
        let shape = self.shape().to_vec();
        record(data, name, Saved::Nothing, &[self], move || {
            Box::new(move |g: &Tensor| {
                let grad = scatter_into_zeros(g, &shape, |z, gv| {
                    z.slice_axis_mut(Axis(d), slice).assign(gv)
                });
                vec![Some(grad)]
            })
        })
    }
}

/// How many dimensions of the tensor an index entry uses up.
fn consumed(e: &TensorIndex) -> Result<usize> {
    Ok(match e {
        TensorIndex::Select(_) | TensorIndex::Slice(_) => 1,
        TensorIndex::NewAxis | TensorIndex::Ellipsis => 0,
        TensorIndex::Tensor(t) => match t.dtype() {
            DType::Bool => t.dim(),
            DType::Int64 => 1,
            _ => {
                return Err(TensorError::index(
                    "tensors used as indices must be long, int, byte or bool tensors",
                ));
            }
        },
    })
}

/// A zero gradient of `shape` with `g` written into the part `place` picks.
fn scatter_into_zeros(
    g: &Tensor,
    shape: &[usize],
    place: impl Fn(&mut ndarray::ArrayD<f64>, &ndarray::ArrayViewD<'_, f64>),
) -> Tensor {
    // Gradients are float; compute the scatter in f64 (exact for f32 values)
    // and convert back, so one code path serves both float dtypes.
    let dtype = g.dtype();
    let gv = match g.storage().to_dtype(crate::DType::Float64) {
        Storage::F64(a) => a,
        _ => unreachable!(),
    };
    let mut z = ndarray::ArrayD::<f64>::zeros(IxDyn(shape));
    place(&mut z, &gv.view());
    let out: Array<f64> = z.into_shared();
    Tensor::from_storage(Storage::F64(out).to_dtype(dtype))
}

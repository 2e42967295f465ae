//! Where positions land in a row-major tensor: strides, the offsets of a
//! grid of coordinates, and the index tensors the selection ops take.
//!
//! The selection ops (`gather`, `scatter`, `index_select`, `x[idx]`,
//! `repeat`, `sort`, …) all reduce to "value `k` of the result is value
//! `offset[k]` of the input": they compute those offsets once per call, in
//! flat `Vec<usize>`s, and then move values with no per-element allocation.

use super::Tensor;
use super::storage::{Array, Storage};
use crate::dtype::DType;
use crate::error::{Result, TensorError};
use ndarray::IxDyn;
use std::ops::AddAssign;

/// Row-major strides of `shape` (the last dimension has stride 1).
pub(crate) fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1];
    }
    s
}

/// For every coordinate of `shape` in row-major order, `Σ coord[d] · step[d]`.
pub(crate) fn grid_offsets(shape: &[usize], step: &[usize]) -> Vec<usize> {
    debug_assert_eq!(shape.len(), step.len());
    let n: usize = shape.iter().product();
    if n == 0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(n);
    out.push(0);
    // Grow from the last dimension outwards: each dimension repeats the
    // block built so far once per coordinate, shifted by its step, so it
    // varies slower than the ones before it: row-major order.
    let mut block = 1;
    for d in (0..shape.len()).rev() {
        for c in 1..shape[d] {
            for k in 0..block {
                let v = out[k] + c * step[d];
                out.push(v);
            }
        }
        block *= shape[d];
    }
    out
}

/// For every coordinate of the grid whose dimension `d` has the offsets
/// `tables[d]` (one per coordinate), in row-major order, the sum of the
/// offsets of its coordinates: [`grid_offsets`] with any offsets per step.
pub(crate) fn grid_from_tables(tables: &[Vec<usize>]) -> Vec<usize> {
    let n: usize = tables.iter().map(Vec::len).product();
    if n == 0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(n);
    out.push(0);
    let mut block = 1;
    for table in tables.iter().rev() {
        // The first coordinate's offset shifts the block built so far.
        let first = table[0];
        for v in &mut out[..block] {
            *v += first;
        }
        for &t in &table[1..] {
            for k in 0..block {
                let v = out[k] - first + t;
                out.push(v);
            }
        }
        block *= table.len();
    }
    out
}

/// The steps that walk a row-major tensor of `shape` broadcast to `target`
/// (aligned from the right): its strides, 0 where it is broadcast.
pub(crate) fn broadcast_steps(shape: &[usize], target: &[usize]) -> Vec<usize> {
    let own = strides(shape);
    let skip = target.len() - shape.len();
    (0..target.len())
        .map(|d| match d.checked_sub(skip) {
            Some(e) if shape[e] != 1 => own[e],
            _ => 0,
        })
        .collect()
}

/// A dimension of a row-major tensor seen as `outer × size × inner`: the
/// element at `(o, i, j)` is at `(o · size + i) · inner + j`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lanes {
    pub outer: usize,
    pub size: usize,
    pub inner: usize,
}

impl Lanes {
    /// The lanes of `shape` along `d` (a 0-d shape is one lane of one value).
    pub(crate) fn of(shape: &[usize], d: usize) -> Lanes {
        if shape.is_empty() {
            return Lanes {
                outer: 1,
                size: 1,
                inner: 1,
            };
        }
        Lanes {
            outer: shape[..d].iter().product(),
            size: shape[d],
            inner: shape[d + 1..].iter().product(),
        }
    }
}

/// The values of an index tensor, checking it is int64 as torch does;
/// `what` is the dtype error torch gives for this op.
pub(crate) fn index_values(index: &Tensor, what: &str) -> Result<Vec<i64>> {
    if index.dtype() != DType::Int64 {
        return Err(TensorError::runtime(what));
    }
    Ok(index.to_vec::<i64>())
}

/// A row-major array of `shape` holding `values`.
pub(crate) fn array<T: Clone>(shape: &[usize], values: Vec<T>) -> Array<T> {
    Array::from_shape_vec(IxDyn(shape), values)
        .expect("the values fill the shape")
        .into_shared()
}

/// Numbers that can be summed: the dtypes `scatter_add` and gradients use.
pub(crate) trait Summable: Copy + Default + AddAssign + Send + Sync + 'static {}
impl Summable for f32 {}
impl Summable for f64 {}
impl Summable for i64 {}

/// Applies a generic expression to the row-major values of a storage that
/// holds numbers (`bool` is summed as int64 and turned back into bool, so
/// `True + True` stays `True`, as in torch).
macro_rules! map_summable {
    ($s:expr, $v:ident => $body:expr) => {{
        use $crate::tensor::storage::Storage;
        match $s.contiguous() {
            Storage::F32(a) => {
                let $v = a.as_slice().expect("contiguous");
                Storage::F32($body)
            }
            Storage::F64(a) => {
                let $v = a.as_slice().expect("contiguous");
                Storage::F64($body)
            }
            Storage::I64(a) => {
                let $v = a.as_slice().expect("contiguous");
                Storage::I64($body)
            }
            bools @ Storage::Bool(_) => {
                let ints = bools.to_dtype($crate::DType::Int64);
                let Storage::I64(a) = ints else {
                    unreachable!()
                };
                let $v = a.as_slice().expect("contiguous");
                Storage::I64($body).to_dtype($crate::DType::Bool)
            }
        }
    }};
}
pub(crate) use map_summable;

/// Applies a generic expression to the row-major values of any storage.
macro_rules! map_values {
    ($s:expr, $v:ident => $body:expr) => {{
        use $crate::tensor::storage::Storage;
        match $s.contiguous() {
            Storage::F32(a) => {
                let $v = a.as_slice().expect("contiguous");
                Storage::F32($body)
            }
            Storage::F64(a) => {
                let $v = a.as_slice().expect("contiguous");
                Storage::F64($body)
            }
            Storage::I64(a) => {
                let $v = a.as_slice().expect("contiguous");
                Storage::I64($body)
            }
            Storage::Bool(a) => {
                let $v = a.as_slice().expect("contiguous");
                Storage::Bool($body)
            }
        }
    }};
}
pub(crate) use map_values;

/// A gradient of `shape` (zeros) with `g[k]` added at `offsets[k]`, in the
/// order of `k`: torch's `index_add`/`scatter_add`/`index_put(accumulate)`
/// order, so sums of repeated positions round as torch's do.
pub(crate) fn scatter_add_grad(g: &Tensor, shape: &[usize], offsets: &[usize]) -> Tensor {
    fn go<T: Summable>(g: &[T], n: usize, offsets: &[usize]) -> Vec<T> {
        let mut out = vec![T::default(); n];
        for (&o, &v) in offsets.iter().zip(g) {
            out[o] += v;
        }
        out
    }
    let n: usize = shape.iter().product();
    let data = map_summable!(g.storage(), v => array(shape, go(v, n, offsets)));
    Tensor::from_storage(data)
}

/// `src[offsets[k]]` for every `k`, as a tensor of `shape`.
pub(crate) fn take(src: &Storage, shape: &[usize], offsets: &[usize]) -> Storage {
    fn go<T: Copy>(v: &[T], offsets: &[usize]) -> Vec<T> {
        offsets.iter().map(|&o| v[o]).collect()
    }
    map_values!(src, v => array(shape, go(v, offsets)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_offsets_are_row_major() {
        assert_eq!(grid_offsets(&[2, 3], &[10, 1]), vec![0, 1, 2, 10, 11, 12]);
        assert_eq!(grid_offsets(&[2, 1, 2], &[100, 7, 1]), vec![0, 1, 100, 101]);
        assert_eq!(grid_offsets(&[], &[]), vec![0]);
        assert_eq!(grid_offsets(&[3, 0], &[1, 1]), Vec::<usize>::new());
        assert_eq!(grid_offsets(&[3], &[5]), vec![0, 5, 10]);
        assert_eq!(strides(&[2, 3, 4]), vec![12, 4, 1]);
        assert_eq!(
            grid_from_tables(&[vec![5, 0], vec![1, 2, 3]]),
            vec![6, 7, 8, 1, 2, 3]
        );
        assert_eq!(broadcast_steps(&[3, 1], &[2, 3, 4]), vec![0, 1, 0]);
    }
}

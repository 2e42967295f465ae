//! Elementwise maps over contiguous values: vectorized, on several threads
//! for large tensors, and split the way torch's CPU loops split them where
//! the split shows in the numbers.
//!
//! torch runs an elementwise op (`cpu_kernel_vec` under `at::parallel_for`)
//! in chunks, one per thread, once a tensor has more than 32768 values; in
//! each chunk its vector code computes whole blocks of two vectors and its
//! scalar code the remainder. For exact ops (relu, +, ×, …) none of that
//! matters. For `sigmoid`, whose vector code (SLEEF's `exp`) and scalar code
//! (the system `expf`) round differently, [`map_like_torch`] reproduces the
//! chunks and the blocks, so every value comes out of the same code as in
//! torch.

use super::Tensor;
use super::storage::{Array, Storage};
use crate::cpu::{torch_vector_block, with_avx512};
use crate::threads::{for_each_chunk, get_num_threads};
use ndarray::{IxDyn, ShapeBuilder};
use std::mem::MaybeUninit;

/// torch's `at::internal::GRAIN_SIZE`: it splits an elementwise op among
/// threads only above this many values.
const TORCH_GRAIN: usize = 32768;

/// Our threads share an op only above this many values per thread (about
/// 50 µs of a cheap op): below it, handing a chunk to the pool (a wake-up of
/// a sleeping worker on a VM) costs more than it saves.
const GRAIN: usize = 1 << 17;

/// Fills a new vector of `n` values: `fill(start, chunk)` must write every
/// element of `chunk`, the values `start..start + chunk.len()`. Chunks of at
/// least `grain` values run on up to `threads` threads ([`for_each_chunk`]).
fn collect_chunks<U: Send>(
    n: usize,
    grain: usize,
    threads: usize,
    fill: impl Fn(usize, &mut [MaybeUninit<U>]) + Sync,
) -> Vec<U> {
    let mut out = Vec::with_capacity(n);
    for_each_chunk(&mut out.spare_capacity_mut()[..n], grain, 1, threads, fill);
    // SAFETY: `for_each_chunk` called `fill` on chunks covering 0..n (or
    // panicked, and then `out` is dropped with length 0), and `fill` writes
    // every element of its chunk (each caller below does, in a zip over
    // the whole chunk), so the first `n` elements are initialized.
    unsafe { out.set_len(n) };
    out
}

/// `f` applied to the values of `a` in memory order, giving an array laid
/// out as `a` is when its values are contiguous (as torch keeps the layout
/// of an elementwise op's input, and runs the op in memory order), else
/// row-major.
pub(crate) fn map_array<T: Clone, U>(a: &Array<T>, f: impl FnOnce(&[T]) -> Vec<U>) -> Array<U> {
    if let Some(values) = a.as_slice() {
        return Array::from_shape_vec(a.raw_dim(), f(values)).expect("same count");
    }
    if let Some(values) = a.as_slice_memory_order()
        && a.strides().iter().all(|&s| s >= 0)
    {
        let strides: Vec<usize> = a.strides().iter().map(|&s| s as usize).collect();
        let shape = a.raw_dim().strides(IxDyn(&strides));
        return Array::from_shape_vec(shape, f(values)).expect("same layout");
    }
    let row_major = a.as_standard_layout();
    Array::from_shape_vec(a.raw_dim(), f(row_major.as_slice().expect("row-major")))
        .expect("same count")
}

/// `f(a, b)` of the values of two float tensors of one shape and dtype,
/// both row-major (`f32` or `f64` by their dtype), as a new tensor without
/// a graph; `None` for any other pair (the caller takes its general path).
pub(crate) fn zip_floats(
    a: &Tensor,
    b: &Tensor,
    f32: impl Fn(f32, f32) -> f32 + Sync,
    f64: impl Fn(f64, f64) -> f64 + Sync,
) -> Option<Tensor> {
    let (sa, sb) = (a.storage(), b.storage());
    if sa.shape() != sb.shape() {
        return None;
    }
    let data = match (&sa, &sb) {
        (Storage::F32(x), Storage::F32(y)) => Storage::F32(
            Array::from_shape_vec(x.raw_dim(), zip_map(x.as_slice()?, y.as_slice()?, f32)).ok()?,
        ),
        (Storage::F64(x), Storage::F64(y)) => Storage::F64(
            Array::from_shape_vec(x.raw_dim(), zip_map(x.as_slice()?, y.as_slice()?, f64)).ok()?,
        ),
        _ => return None,
    };
    Some(Tensor::from_storage(data))
}

/// `f` of every value (for ops whose result does not depend on how the
/// values are split), on several threads for large inputs.
pub(crate) fn map<T: Copy + Sync, U: Send>(input: &[T], f: impl Fn(T) -> U + Sync) -> Vec<U> {
    collect_chunks(input.len(), GRAIN, get_num_threads(), |start, out| {
        with_avx512(
            #[inline(always)]
            || {
                for (o, &x) in out.iter_mut().zip(&input[start..]) {
                    o.write(f(x));
                }
            },
        )
    })
}

/// `f(a, b)` of every pair of values, as [`map`].
pub(crate) fn zip_map<T: Copy + Sync, U: Send>(
    a: &[T],
    b: &[T],
    f: impl Fn(T, T) -> U + Sync,
) -> Vec<U> {
    // Every output value must be written (see `collect_chunks`).
    assert_eq!(a.len(), b.len(), "zip_map of slices of different lengths");
    collect_chunks(a.len(), GRAIN, get_num_threads(), |start, out| {
        with_avx512(
            #[inline(always)]
            || {
                for ((o, &x), &y) in out.iter_mut().zip(&a[start..]).zip(&b[start..]) {
                    o.write(f(x, y));
                }
            },
        )
    })
}

/// An elementwise op on float32 values with torch's split between its
/// vector code (`vector`, on whole blocks of each chunk) and its scalar code
/// (`scalar`, on the rest), for [`get_num_threads`] threads as torch would
/// use them (see the module docs).
pub(crate) fn map_like_torch(
    input: &[f32],
    vector: impl Fn(f32) -> f32 + Sync,
    scalar: impl Fn(f32) -> f32 + Sync,
) -> Vec<f32> {
    map_like_torch_with(get_num_threads(), input, vector, scalar)
}

/// [`map_like_torch`] for torch running on `threads` threads.
fn map_like_torch_with(
    threads: usize,
    input: &[f32],
    vector: impl Fn(f32) -> f32 + Sync,
    scalar: impl Fn(f32) -> f32 + Sync,
) -> Vec<f32> {
    let n = input.len();
    // torch's chunks (at::parallel_for), whether or not we run them on threads.
    let tasks = if threads > 1 && n > TORCH_GRAIN {
        threads.min(n.div_ceil(TORCH_GRAIN))
    } else {
        1
    };
    let chunk = n.div_ceil(tasks).max(1);
    let block = torch_vector_block();
    let one_chunk = |start: usize, out: &mut [MaybeUninit<f32>]| {
        let x = &input[start..start + out.len()];
        let v = block.map_or(0, |b| x.len() / b * b);
        let (out_v, out_s) = out.split_at_mut(v);
        with_avx512(
            #[inline(always)]
            || {
                for (o, &x) in out_v.iter_mut().zip(&x[..v]) {
                    o.write(vector(x));
                }
            },
        );
        for (o, &x) in out_s.iter_mut().zip(&x[v..]) {
            o.write(scalar(x));
        }
    };
    if tasks > 1 && chunk >= GRAIN / 4 {
        // torch's chunks, one per thread.
        collect_chunks(n, TORCH_GRAIN, tasks, |start, out| one_chunk(start, out))
    } else {
        // torch's chunks one after the other.
        collect_chunks(n, usize::MAX, 1, |_, out| {
            for (i, c) in out.chunks_mut(chunk).enumerate() {
                one_chunk(i * chunk, c);
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torch_split_puts_each_chunks_tail_on_the_scalar_code() {
        // Marks each value with the code that computed it.
        let x = vec![0.0f32; 65541];
        for threads in [1, 2] {
            let got = map_like_torch_with(threads, &x, |_| 1.0, |_| 2.0);
            let scalar: Vec<usize> = (0..got.len()).filter(|&i| got[i] == 2.0).collect();
            let expected: Vec<usize> = match (torch_vector_block(), threads) {
                (None, _) => (0..65541).collect(),
                // One chunk: the last 65541 % block values.
                (Some(b), 1) => (65541 - 65541 % b..65541).collect(),
                // Two chunks of 32771 and 32770 values, each with its tail.
                (Some(b), _) => (32771 - 32771 % b..32771)
                    .chain(32771 + 32770 - 32770 % b..65541)
                    .collect(),
            };
            assert_eq!(scalar, expected, "{threads} threads");
        }
    }

    #[test]
    fn maps_cover_every_value() {
        let x: Vec<f32> = (0..300_001).map(|i| i as f32).collect();
        assert_eq!(map(&x, |v| v + 1.0)[300_000], 300_001.0);
        assert_eq!(zip_map(&x, &x, |a, b| a * b)[7], 49.0);
    }
}

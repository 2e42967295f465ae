//! Indexing with tensors, as NumPy's and torch's "advanced indexing":
//! `x[mask]`, `x[idx]`, `x[:, idx]`, `x[rows, cols]` (through [`Tensor::i`]).
//!
//! torch's rules, in the order it applies them: a bool mask stands for the
//! coordinates where it is true (one int64 vector per dimension it covers);
//! the int64 indices broadcast together; their shape replaces the indexed
//! dimensions where those are adjacent, and goes first when another
//! dimension separates them.

use super::Tensor;
use super::broadcast::broadcast_shapes;
use super::offsets::{broadcast_steps, grid_offsets, scatter_add_grad, strides, take};
use crate::autograd::{Saved, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError};

/// One int64 index: the dimension of the indexed tensor it applies to, its
/// shape and its values.
struct Index {
    dim: usize,
    shape: Vec<usize>,
    values: Vec<i64>,
}

/// The int64 indices that `(dimension, tensor)` entries stand for, with
/// torch's mask-shape check.
fn expand_masks(shape: &[usize], tensors: &[(usize, Tensor)]) -> Result<Vec<Index>> {
    let mut out = Vec::new();
    for (dim, t) in tensors {
        let tshape = t.shape().to_vec();
        if t.dtype() != DType::Bool {
            out.push(Index {
                dim: *dim,
                shape: tshape,
                values: t.to_vec::<i64>(),
            });
            continue;
        }
        if let Some(j) = (0..tshape.len()).find(|&j| tshape[j] != shape[dim + j]) {
            return Err(TensorError::index(format!(
                "The shape of the mask {tshape:?} at index {j} does not match the shape of the indexed tensor {shape:?} at index {}",
                dim + j
            )));
        }
        // The coordinates of the true values, one vector per mask dimension.
        let step = strides(&tshape);
        let mut coords = vec![Vec::new(); tshape.len()];
        for (k, _) in t.to_vec::<bool>().iter().enumerate().filter(|(_, m)| **m) {
            for (j, c) in coords.iter_mut().enumerate() {
                c.push(((k / step[j]) % tshape[j]) as i64);
            }
        }
        for (j, values) in coords.into_iter().enumerate() {
            out.push(Index {
                dim: dim + j,
                shape: vec![values.len()],
                values,
            });
        }
    }
    Ok(out)
}

impl Tensor {
    /// `self[...]` with int64/bool tensors at the given dimensions (the
    /// other dimensions taken whole), recorded as `IndexBackward0`.
    pub(crate) fn index_with_tensors(&self, tensors: &[(usize, Tensor)]) -> Result<Tensor> {
        let shape = self.shape().to_vec();
        let indices = expand_masks(&shape, tensors)?;
        let mut target: Vec<usize> = Vec::new();
        for ix in &indices {
            target = broadcast_shapes(&target, &ix.shape).map_err(|_| {
                let shapes: Vec<String> = indices.iter().map(|i| format!("{:?}", i.shape)).collect();
                TensorError::index(format!(
                    "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                    shapes.join(", ")
                ))
            })?;
        }
        // Bounds (negative positions count from the end); torch names the
        // index by its place among the index tensors.
        let step = strides(&shape);
        let mut picked = vec![0usize; target.iter().product()];
        for (k, ix) in indices.iter().enumerate() {
            let n = shape[ix.dim];
            let mut wrapped = Vec::with_capacity(ix.values.len());
            for &v in &ix.values {
                if v < -(n as i64) || v >= n as i64 {
                    return Err(TensorError::index(format!(
                        "index {v} is out of bounds for dimension {k} with size {n}"
                    )));
                }
                wrapped.push(if v < 0 { v + n as i64 } else { v } as usize);
            }
            let at = grid_offsets(&target, &broadcast_steps(&ix.shape, &target));
            for (p, &a) in picked.iter_mut().zip(&at) {
                *p += wrapped[a] * step[ix.dim];
            }
        }
        // Where the result's other dimensions go: around the indices' shape
        // if the indexed dimensions are adjacent, else all after it.
        let dims: Vec<usize> = indices.iter().map(|i| i.dim).collect();
        let (first, last) = (dims[0], dims[dims.len() - 1]);
        let adjacent = dims.windows(2).all(|w| w[1] == w[0] + 1);
        let rest: Vec<usize> = (0..shape.len()).filter(|d| !dims.contains(d)).collect();
        let (before, after): (Vec<usize>, Vec<usize>) = if adjacent {
            rest.iter().partition(|&&d| d < first)
        } else {
            (Vec::new(), rest)
        };
        debug_assert!(!adjacent || after.iter().all(|&d| d > last));
        let sizes = |ds: &[usize]| -> Vec<usize> { ds.iter().map(|&d| shape[d]).collect() };
        let steps = |ds: &[usize]| -> Vec<usize> { ds.iter().map(|&d| step[d]).collect() };
        let outer = grid_offsets(&sizes(&before), &steps(&before));
        let inner = grid_offsets(&sizes(&after), &steps(&after));
        let mut offsets = Vec::with_capacity(outer.len() * picked.len() * inner.len());
        for &o in &outer {
            for &p in &picked {
                offsets.extend(inner.iter().map(|&i| o + p + i));
            }
        }
        let mut out_shape = sizes(&before);
        out_shape.extend_from_slice(&target);
        out_shape.extend(sizes(&after));
        let data = take(&self.storage(), &out_shape, &offsets);
        Ok(record(
            data,
            "IndexBackward0",
            Saved::Tensors,
            &[self],
            || Box::new(move |g: &Tensor| vec![Some(scatter_add_grad(g, &shape, &offsets))]),
        ))
    }
}

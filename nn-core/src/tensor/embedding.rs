//! Embedding lookup (`EmbeddingBackward0`): the rows of a weight matrix
//! picked by integer indices; the gradient adds each output row's gradient
//! into the weight row it came from, in index order (exact), skipping
//! `padding_idx`.

use super::Tensor;
use super::float_kernel::{KernelFloat, float_dtype, storage_of, values};
use super::storage::Storage;
use crate::autograd::{Saved, no_grad, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError};
use std::sync::Arc;

/// `F.embedding(indices, weight, padding_idx)` (`padding_idx` already
/// made non-negative).
pub(crate) fn embedding(
    indices: &Tensor,
    weight: &Tensor,
    padding_idx: Option<usize>,
) -> Result<Tensor> {
    if indices.dtype() != DType::Int64 {
        let name = match indices.dtype() {
            DType::Float32 => "Float",
            DType::Float64 => "Double",
            DType::Bool => "Bool",
            DType::Int64 => "Long",
        };
        return Err(TensorError::runtime(format!(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.{name}Tensor instead (while checking arguments for embedding)"
        )));
    }
    if weight.dim() != 2 {
        return Err(TensorError::runtime("'weight' must be 2-D"));
    }
    let dtype = float_dtype("embedding", &[weight.dtype()])?;
    let (num, dim) = (weight.shape()[0], weight.shape()[1]);
    let idx: Vec<i64> = indices
        .storage()
        .contiguous()
        .to_f64_vec()
        .iter()
        .map(|&v| v as i64)
        .collect();
    if idx.iter().any(|&i| i < 0 || i as usize >= num) {
        return Err(TensorError::index("index out of range in self"));
    }
    let idx: Arc<Vec<usize>> = Arc::new(idx.into_iter().map(|i| i as usize).collect());
    let mut out_shape = indices.shape().to_vec();
    out_shape.push(dim);
    let ws = weight.storage();
    let data = match dtype {
        DType::Float64 => gather::<f64>(&ws, &idx, dim, &out_shape),
        _ => gather::<f32>(&ws, &idx, dim, &out_shape),
    };
    Ok(record(
        data,
        "EmbeddingBackward0",
        Saved::Tensors,
        &[weight],
        || {
            Box::new(move |g: &Tensor| {
                no_grad(|| {
                    let gs = g.storage().contiguous();
                    let gw = match dtype {
                        DType::Float64 => scatter::<f64>(&gs, &idx, num, dim, padding_idx),
                        _ => scatter::<f32>(&gs, &idx, num, dim, padding_idx),
                    };
                    vec![Some(Tensor::from_storage(gw))]
                })
            })
        },
    ))
}

fn gather<T: KernelFloat>(ws: &Storage, idx: &[usize], dim: usize, shape: &[usize]) -> Storage {
    let w = values::<T>(ws);
    let mut out = Vec::with_capacity(idx.len() * dim);
    for &i in idx {
        out.extend_from_slice(&w[i * dim..(i + 1) * dim]);
    }
    storage_of(out, shape)
}

fn scatter<T: KernelFloat>(
    gs: &Storage,
    idx: &[usize],
    num: usize,
    dim: usize,
    padding_idx: Option<usize>,
) -> Storage {
    let g = values::<T>(gs);
    let mut gw = vec![T::default(); num * dim];
    for (k, &i) in idx.iter().enumerate() {
        if Some(i) == padding_idx {
            continue;
        }
        for (d, &v) in gw[i * dim..(i + 1) * dim]
            .iter_mut()
            .zip(&g[k * dim..(k + 1) * dim])
        {
            *d += v;
        }
    }
    storage_of(gw, &[num, dim])
}

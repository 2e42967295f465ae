//! Layer normalisation over the trailing `normalized_shape` dimensions
//! (`NativeLayerNormBackward0`): each row is normalised by its own mean and
//! biased variance, then scaled and shifted elementwise. Statistics are
//! accumulated in f64.

use super::Tensor;
use super::float_kernel::{KernelFloat, dims_list, float_dtype, storage_of, values};
use super::storage::Storage;
use crate::autograd::{Saved, no_grad, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError};
use num_traits::NumCast;

/// `F.layer_norm(input, normalized_shape, weight, bias, eps)`.
pub(crate) fn layer_norm(
    input: &Tensor,
    normalized_shape: &[usize],
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> Result<Tensor> {
    let shape = input.shape().to_vec();
    let k = normalized_shape.len();
    if k == 0 {
        return Err(TensorError::runtime(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []",
        ));
    }
    for (name, t) in [("weight", weight), ("bias", bias)] {
        if let Some(t) = t
            && t.shape().as_ref() != normalized_shape
        {
            return Err(TensorError::runtime(format!(
                "Expected {name} to be of same shape as normalized_shape, but got {name} of shape {} and normalized_shape = {}",
                dims_list(&t.shape()),
                dims_list(normalized_shape)
            )));
        }
    }
    if shape.len() < k || shape[shape.len() - k..] != *normalized_shape {
        let mut expected = vec!["*".to_string()];
        expected.extend(normalized_shape.iter().map(usize::to_string));
        return Err(TensorError::runtime(format!(
            "Given normalized_shape={}, expected input with shape [{}], but got input of size{}",
            dims_list(normalized_shape),
            expected.join(", "),
            dims_list(&shape)
        )));
    }
    let mut dtypes = vec![input.dtype()];
    dtypes.extend(weight.map(Tensor::dtype));
    dtypes.extend(bias.map(Tensor::dtype));
    let dtype = float_dtype("layer_norm", &dtypes)?;
    let row: usize = normalized_shape.iter().product();
    let xs = input.storage().contiguous();
    let f64s = |t: Option<&Tensor>| t.map(|t| t.storage().to_f64_vec());
    let (w, b) = (f64s(weight), f64s(bias));
    let (data, mean, rstd) = match dtype {
        DType::Float64 => forward::<f64>(&xs, row, w.as_deref(), b.as_deref(), eps, &shape),
        _ => forward::<f32>(&xs, row, w.as_deref(), b.as_deref(), eps, &shape),
    };
    let mut inputs = vec![input];
    inputs.extend(weight);
    inputs.extend(bias);
    let need = (
        input.requires_grad(),
        weight.is_some_and(Tensor::requires_grad),
        bias.is_some_and(Tensor::requires_grad),
    );
    let (has_weight, has_bias) = (weight.is_some(), bias.is_some());
    let norm_shape = normalized_shape.to_vec();
    Ok(record(
        data,
        "NativeLayerNormBackward0",
        Saved::Tensors,
        &inputs,
        move || {
            Box::new(move |g: &Tensor| {
                no_grad(|| {
                    let gs = g.storage().contiguous();
                    let rows = Rows {
                        len: row,
                        mean: &mean,
                        rstd: &rstd,
                        weight: w.as_deref(),
                    };
                    let (gx, gw, gb) = match dtype {
                        DType::Float64 => {
                            backward::<f64>(&gs, &xs, &rows, need, &shape, &norm_shape)
                        }
                        _ => backward::<f32>(&gs, &xs, &rows, need, &shape, &norm_shape),
                    };
                    let mut out = vec![gx.map(Tensor::from_storage)];
                    if has_weight {
                        out.push(gw.map(Tensor::from_storage));
                    }
                    if has_bias {
                        out.push(gb.map(Tensor::from_storage));
                    }
                    out
                })
            })
        },
    ))
}

/// The forward values, and each row's mean and 1/√(var + eps).
fn forward<T: KernelFloat>(
    xs: &Storage,
    row: usize,
    w: Option<&[f64]>,
    b: Option<&[f64]>,
    eps: f64,
    shape: &[usize],
) -> (Storage, Vec<f64>, Vec<f64>) {
    let x = values::<T>(xs);
    let rows = x.len().checked_div(row).unwrap_or(0);
    let (mut mean, mut rstd) = (vec![0.0; rows], vec![0.0; rows]);
    let mut out = vec![T::default(); x.len()];
    let cast = |v: f64| -> T { NumCast::from(v).unwrap_or(T::nan()) };
    for (r, (xr, or)) in x
        .chunks(row.max(1))
        .zip(out.chunks_mut(row.max(1)))
        .enumerate()
        .take(rows)
    {
        let f: Vec<f64> = xr.iter().map(|v| v.to_f64().unwrap_or(f64::NAN)).collect();
        let mu = f.iter().sum::<f64>() / row as f64;
        let var = f.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / row as f64;
        let rs = 1.0 / (var + eps).sqrt();
        (mean[r], rstd[r]) = (mu, rs);
        for (i, (o, v)) in or.iter_mut().zip(&f).enumerate() {
            let y = (v - mu) * rs * w.map_or(1.0, |w| w[i]) + b.map_or(0.0, |b| b[i]);
            *o = cast(y);
        }
    }
    (storage_of(out, shape), mean, rstd)
}

/// What the forward pass normalised each row with.
struct Rows<'a> {
    len: usize,
    mean: &'a [f64],
    rstd: &'a [f64],
    weight: Option<&'a [f64]>,
}

type Grads = (Option<Storage>, Option<Storage>, Option<Storage>);

/// The gradients of input, weight and bias, shaped as they are.
fn backward<T: KernelFloat>(
    gs: &Storage,
    xs: &Storage,
    r: &Rows,
    need: (bool, bool, bool),
    shape: &[usize],
    norm_shape: &[usize],
) -> Grads {
    let (g, x) = (values::<T>(gs), values::<T>(xs));
    let n = r.len;
    let f = |v: &T| v.to_f64().unwrap_or(f64::NAN);
    let cast = |v: f64| -> T { NumCast::from(v).unwrap_or(T::nan()) };
    let mut dw = vec![0.0; n];
    let mut db = vec![0.0; n];
    let mut dx = vec![T::default(); if need.0 { x.len() } else { 0 }];
    for (i, (gr, xr)) in g
        .chunks(n.max(1))
        .zip(x.chunks(n.max(1)))
        .enumerate()
        .take(r.mean.len())
    {
        let (mu, rs) = (r.mean[i], r.rstd[i]);
        let xhat: Vec<f64> = xr.iter().map(|v| (f(v) - mu) * rs).collect();
        let gw: Vec<f64> = gr
            .iter()
            .enumerate()
            .map(|(j, v)| f(v) * r.weight.map_or(1.0, |w| w[j]))
            .collect();
        for j in 0..n {
            dw[j] += f(&gr[j]) * xhat[j];
            db[j] += f(&gr[j]);
        }
        if need.0 {
            let mean_g = gw.iter().sum::<f64>() / n as f64;
            let mean_gx = gw.iter().zip(&xhat).map(|(a, b)| a * b).sum::<f64>() / n as f64;
            for (j, d) in dx[i * n..(i + 1) * n].iter_mut().enumerate() {
                *d = cast(rs * (gw[j] - mean_g - xhat[j] * mean_gx));
            }
        }
    }
    let per_element = |v: &[f64]| storage_of(v.iter().map(|&v| cast(v)).collect(), norm_shape);
    (
        need.0.then(|| storage_of(dx, shape)),
        need.1.then(|| per_element(&dw)),
        need.2.then(|| per_element(&db)),
    )
}

//! Batch normalisation over the channel dimension (dimension 1)
//! (`NativeBatchNormBackward0`), as torch's CPU kernel: in training, each
//! channel's batch mean and biased variance normalise it, and the running
//! statistics move towards the batch's (with the unbiased variance); in
//! evaluation, the running statistics normalise. The output is
//! `x·α + β` with `α = weight / √(var + eps)` and `β = bias − mean·α`.
//! Statistics are accumulated in f64, as torch accumulates in double.

use super::Tensor;
use super::float_kernel::{KernelFloat, float_dtype, storage_of, values};
use super::storage::Storage;
use crate::autograd::{Saved, no_grad, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError};
use num_traits::NumCast;

/// `torch.batch_norm(input, weight, bias, running_mean, running_var,
/// training, momentum, eps)`. In training the running statistics (when
/// given) are updated in place.
#[allow(clippy::too_many_arguments)] // torch's signature
pub(crate) fn batch_norm(
    input: &Tensor,
    running_mean: Option<&Tensor>,
    running_var: Option<&Tensor>,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> Result<Tensor> {
    let shape = input.shape().to_vec();
    if shape.len() < 2 {
        return Err(TensorError::runtime(format!(
            "batch_norm(): expected input to have at least 2 dimensions, but got {}",
            shape.len()
        )));
    }
    let channels = shape[1];
    for (name, t) in [
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ] {
        if let Some(t) = t
            && t.numel() != channels
        {
            return Err(TensorError::runtime(format!(
                "{name} should contain {channels} elements not {}",
                t.numel()
            )));
        }
    }
    if !training && (running_mean.is_none() || running_var.is_none()) {
        return Err(TensorError::runtime(
            "running_mean and running_var must be defined in evaluation mode",
        ));
    }
    let mut dtypes = vec![input.dtype()];
    dtypes.extend(weight.map(Tensor::dtype));
    dtypes.extend(bias.map(Tensor::dtype));
    let dtype = float_dtype("batch_norm", &dtypes)?;
    let spatial: usize = shape[2..].iter().product();
    let layout = Layout {
        batch: shape[0],
        channels,
        spatial,
    };
    let f64s = |t: Option<&Tensor>| t.map(|t| t.storage().to_f64_vec());
    let (w, b) = (f64s(weight), f64s(bias));
    let xs = input.storage().contiguous();
    // Per channel: the mean and 1/√(var + eps) that normalise.
    let (mean, invstd) = if training {
        let (mean, var_sum) = match dtype {
            DType::Float64 => moments::<f64>(&xs, &layout),
            _ => moments::<f32>(&xs, &layout),
        };
        let m = layout.count() as f64;
        let invstd: Vec<f64> = var_sum
            .iter()
            .map(|&v| 1.0 / (v / m + eps).sqrt())
            .collect();
        // The running statistics move even when the output needs no graph.
        if let Some(rm) = running_mean {
            let old = rm.storage().to_f64_vec();
            let new: Vec<f64> = mean
                .iter()
                .zip(&old)
                .map(|(&x, &r)| momentum * x + (1.0 - momentum) * r)
                .collect();
            set_values(rm, new);
        }
        if let Some(rv) = running_var {
            let old = rv.storage().to_f64_vec();
            let unbiased = |v: f64| if m > 1.0 { v / (m - 1.0) } else { f64::NAN };
            let new: Vec<f64> = var_sum
                .iter()
                .zip(&old)
                .map(|(&v, &r)| momentum * unbiased(v) + (1.0 - momentum) * r)
                .collect();
            set_values(rv, new);
        }
        (mean, invstd)
    } else {
        let mean = running_mean.expect("checked").storage().to_f64_vec();
        let var = running_var.expect("checked").storage().to_f64_vec();
        let invstd = var.iter().map(|&v| 1.0 / (v + eps).sqrt()).collect();
        (mean, invstd)
    };
    let alpha: Vec<f64> = (0..channels)
        .map(|c| invstd[c] * w.as_ref().map_or(1.0, |w| w[c]))
        .collect();
    let beta: Vec<f64> = (0..channels)
        .map(|c| b.as_ref().map_or(0.0, |b| b[c]) - mean[c] * alpha[c])
        .collect();
    let data = match dtype {
        DType::Float64 => affine::<f64>(&xs, &layout, &alpha, &beta, &shape),
        _ => affine::<f32>(&xs, &layout, &alpha, &beta, &shape),
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
    Ok(record(
        data,
        "NativeBatchNormBackward0",
        Saved::Tensors,
        &inputs,
        move || {
            Box::new(move |g: &Tensor| {
                no_grad(|| {
                    let gs = g.storage().contiguous();
                    let stats = Stats {
                        mean: &mean,
                        invstd: &invstd,
                        weight: w.as_deref(),
                        training,
                    };
                    let (gx, gw, gb) = match dtype {
                        DType::Float64 => backward::<f64>(&gs, &xs, &layout, &stats, need, &shape),
                        _ => backward::<f32>(&gs, &xs, &layout, &stats, need, &shape),
                    };
                    let mut out = vec![gx.map(Tensor::from_storage)];
                    let per_channel = Tensor::from_storage;
                    if has_weight {
                        out.push(gw.map(per_channel));
                    }
                    if has_bias {
                        out.push(gb.map(per_channel));
                    }
                    out
                })
            })
        },
    ))
}

/// `[batch, channels, spatial]`: how a channel's values lie in the input.
#[derive(Clone, Copy, Debug)]
struct Layout {
    batch: usize,
    channels: usize,
    spatial: usize,
}

impl Layout {
    /// Values per channel.
    fn count(&self) -> usize {
        self.batch * self.spatial
    }
    /// The rows of channel `c`: one slice of `spatial` values per sample.
    fn rows<'a, T>(&self, x: &'a [T], c: usize) -> impl Iterator<Item = &'a [T]> + 'a {
        let (channels, spatial) = (self.channels, self.spatial);
        (0..self.batch)
            .map(move |n| &x[(n * channels + c) * spatial..(n * channels + c + 1) * spatial])
    }
}

/// Replaces a running statistic's values (keeping its dtype).
fn set_values(t: &Tensor, v: Vec<f64>) {
    let shape = t.shape().to_vec();
    let s = storage_of(v, &shape).to_dtype(t.dtype());
    t.set_storage(s);
}

/// Per channel: the mean, and the sum of squared deviations from it.
fn moments<T: KernelFloat>(xs: &Storage, l: &Layout) -> (Vec<f64>, Vec<f64>) {
    let x = values::<T>(xs);
    let m = l.count() as f64;
    let mut mean = vec![0.0; l.channels];
    let mut var_sum = vec![0.0; l.channels];
    for c in 0..l.channels {
        let sum: f64 = l
            .rows(&x, c)
            .flatten()
            .map(|v| v.to_f64().unwrap_or(f64::NAN))
            .sum();
        let mu = if m > 0.0 { sum / m } else { f64::NAN };
        mean[c] = mu;
        var_sum[c] = l
            .rows(&x, c)
            .flatten()
            .map(|v| {
                let d = v.to_f64().unwrap_or(f64::NAN) - mu;
                d * d
            })
            .sum();
    }
    (mean, var_sum)
}

/// `x·α + β` per channel.
fn affine<T: KernelFloat>(
    xs: &Storage,
    l: &Layout,
    alpha: &[f64],
    beta: &[f64],
    shape: &[usize],
) -> Storage {
    let x = values::<T>(xs);
    let mut out = vec![T::default(); x.len()];
    let (a, b): (Vec<T>, Vec<T>) = alpha
        .iter()
        .zip(beta)
        .map(|(&a, &b)| {
            (
                NumCast::from(a).unwrap_or(T::nan()),
                NumCast::from(b).unwrap_or(T::nan()),
            )
        })
        .unzip();
    for (i, (o, v)) in out
        .chunks_mut(l.spatial.max(1))
        .zip(x.chunks(l.spatial.max(1)))
        .enumerate()
    {
        let c = i % l.channels;
        for (o, &v) in o.iter_mut().zip(v) {
            *o = v * a[c] + b[c];
        }
    }
    storage_of(out, shape)
}

type Grads = (Option<Storage>, Option<Storage>, Option<Storage>);

/// What the forward pass normalised with.
struct Stats<'a> {
    mean: &'a [f64],
    invstd: &'a [f64],
    weight: Option<&'a [f64]>,
    training: bool,
}

/// The gradients of input, weight and bias.
fn backward<T: KernelFloat>(
    gs: &Storage,
    xs: &Storage,
    l: &Layout,
    s: &Stats,
    need: (bool, bool, bool),
    shape: &[usize],
) -> Grads {
    let (mean, invstd, w, training) = (s.mean, s.invstd, s.weight, s.training);
    let (g, x) = (values::<T>(gs), values::<T>(xs));
    let f = |v: &T| v.to_f64().unwrap_or(f64::NAN);
    let m = l.count() as f64;
    // Per channel: Σ gy and Σ gy·x̂.
    let mut sum_g = vec![0.0; l.channels];
    let mut sum_gx = vec![0.0; l.channels];
    for c in 0..l.channels {
        for (gr, xr) in l.rows(&g, c).zip(l.rows(&x, c)) {
            for (gv, xv) in gr.iter().zip(xr) {
                let gv = f(gv);
                sum_g[c] += gv;
                sum_gx[c] += gv * (f(xv) - mean[c]) * invstd[c];
            }
        }
    }
    let cast = |v: f64| -> T { NumCast::from(v).unwrap_or(T::nan()) };
    let gx = need.0.then(|| {
        let mut dx = vec![T::default(); x.len()];
        let spatial = l.spatial.max(1);
        for (i, ((d, gr), xr)) in dx
            .chunks_mut(spatial)
            .zip(g.chunks(spatial))
            .zip(x.chunks(spatial))
            .enumerate()
        {
            let c = i % l.channels;
            let scale = invstd[c] * w.map_or(1.0, |w| w[c]);
            for ((d, gv), xv) in d.iter_mut().zip(gr).zip(xr) {
                *d = if training {
                    let xhat = (f(xv) - mean[c]) * invstd[c];
                    cast(scale * (f(gv) - sum_g[c] / m - xhat * sum_gx[c] / m))
                } else {
                    cast(scale * f(gv))
                };
            }
        }
        storage_of(dx, shape)
    });
    let gw = need
        .1
        .then(|| storage_of(sum_gx.iter().map(|&v| cast(v)).collect(), &[l.channels]));
    let gb = need
        .2
        .then(|| storage_of(sum_g.iter().map(|&v| cast(v)).collect(), &[l.channels]));
    (gx, gw, gb)
}

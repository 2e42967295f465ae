//! Negative log-likelihood: `NLLLoss`, and the `nll_loss_nd` kernel that
//! `CrossEntropyLoss` runs after `log_softmax`.

use super::composite::{float_dispatch, scalar_type_name};
use super::reduction::Reduction;
use crate::autograd::{Saved, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};
use crate::tensor::Tensor;
use num_traits::Float;

/// The negative log-likelihood of class-index targets, as `nn.NLLLoss()`:
/// the input holds log-probabilities (`[N, C]`, `[C]`, or `[N, C, d1, …]`),
/// the target the class of each sample (int64, `[N]`, `[]` or `[N, d1, …]`).
///
/// Configure it builder-style, as torch's keyword arguments:
/// `NLLLoss::new().weight(&w).ignore_index(0).reduction(Reduction::Sum)`.
///
/// ```
/// use nn_core::prelude::*;
/// let loss_fn = NLLLoss::new();
/// assert_eq!(loss_fn.to_string(), "NLLLoss()");
/// let logp = tensor![[-0.5, -1.0], [-2.0, -0.25]].requires_grad_(true);
/// let loss = loss_fn.forward(&logp, &tensor![0, 1]);
/// assert_eq!(loss.to_string(), "tensor(0.3750, grad_fn=<NllLossBackward0>)");
/// ```
#[derive(Clone, Debug)]
pub struct NLLLoss {
    /// A manual rescaling weight per class (`[C]`), or `None`.
    pub weight: Option<Tensor>,
    /// Targets equal to this are skipped (torch's default is -100).
    pub ignore_index: i64,
    /// How per-sample losses are combined.
    pub reduction: Reduction,
}

impl Default for NLLLoss {
    fn default() -> Self {
        NLLLoss {
            weight: None,
            ignore_index: -100,
            reduction: Reduction::Mean,
        }
    }
}

impl NLLLoss {
    /// `nn.NLLLoss()`: no weight, `ignore_index=-100`, mean.
    ///
    /// ```
    /// let l = nn_core::nn::NLLLoss::new();
    /// assert_eq!(l.ignore_index, -100);
    /// ```
    pub fn new() -> NLLLoss {
        NLLLoss::default()
    }

    /// `nn.NLLLoss(weight=w)`: each sample's loss is scaled by its class's
    /// weight, and the mean divides by the sum of those weights.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = NLLLoss::new().weight(&tensor![1.0, 3.0]);
    /// let loss = l.forward(&tensor![[-1.0, -2.0], [-1.0, -2.0]], &tensor![0, 1]);
    /// assert_eq!(loss.item(), 1.75); // (1·1 + 3·2) / (1 + 3)
    /// ```
    pub fn weight(mut self, weight: &Tensor) -> NLLLoss {
        self.weight = Some(weight.detach());
        self
    }

    /// `nn.NLLLoss(ignore_index=i)`: samples whose target is `i` add nothing
    /// (and do not count in the mean).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = NLLLoss::new().ignore_index(0);
    /// assert_eq!(l.forward(&tensor![[-1.0, -2.0], [-3.0, -4.0]], &tensor![0, 1]).item(), 4.0);
    /// ```
    pub fn ignore_index(mut self, ignore_index: i64) -> NLLLoss {
        self.ignore_index = ignore_index;
        self
    }

    /// `nn.NLLLoss(reduction=...)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = NLLLoss::new().reduction(Reduction::None);
    /// let loss = l.forward(&tensor![[-1.0, -2.0], [-3.0, -4.0]], &tensor![0, 1]);
    /// assert_eq!(loss.to_vec::<f32>(), vec![1.0, 4.0]);
    /// ```
    pub fn reduction(mut self, reduction: Reduction) -> NLLLoss {
        self.reduction = reduction;
        self
    }

    /// The loss of log-probabilities `input` against class indices `target`.
    ///
    /// # Panics
    /// On mismatched shapes or a target out of range, with torch's messages
    /// (see [`try_forward`](Self::try_forward)).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let loss = NLLLoss::new().forward(&tensor![-0.5, -1.5], &Tensor::scalar(1));
    /// assert_eq!(loss.item(), 1.5);
    /// ```
    #[track_caller]
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Tensor {
        or_panic(self.try_forward(input, target))
    }

    /// Fallible form of [`forward`](Self::forward).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = NLLLoss::new();
    /// let err = l.try_forward(&Tensor::zeros([3, 5]), &tensor![1, 2]).unwrap_err();
    /// assert_eq!(err.to_string(), "Expected input batch_size (3) to match target batch_size (2).");
    /// let err = l.try_forward(&Tensor::zeros([2, 5]), &tensor![1, 5]).unwrap_err();
    /// assert_eq!(err.to_string(), "Target 5 is out of bounds.");
    /// ```
    pub fn try_forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        nll_loss_nd(
            input,
            target,
            self.weight.as_ref(),
            self.reduction,
            self.ignore_index,
        )
    }
}

super::composite::loss_module!(NLLLoss);

/// `F.nll_loss(input, target)`: the mean negative log-likelihood of the
/// target classes (`NllLossBackward0`, or `NllLoss2DBackward0` for inputs
/// with more than 2 dimensions). [`nll_loss_with`] takes torch's
/// `reduction`; for a class weight or `ignore_index`, use [`NLLLoss`]'s builder.
///
/// ```
/// use nn_core::prelude::*;
/// let logp = tensor![[-0.5, -1.0], [-2.0, -0.25]];
/// assert_eq!(F::nll_loss(&logp, &tensor![1, 0]).item(), 1.5);
/// ```
#[track_caller]
pub fn nll_loss(input: &Tensor, target: &Tensor) -> Tensor {
    or_panic(nll_loss_nd(input, target, None, Reduction::Mean, -100))
}

/// `F.nll_loss(input, target, reduction=...)`.
///
/// ```
/// use nn_core::prelude::*;
/// let logp = tensor![[-0.5, -1.0], [-2.0, -0.25]];
/// assert_eq!(F::nll_loss_with(&logp, &tensor![1, 0], Reduction::Sum).item(), 3.0);
/// ```
#[track_caller]
pub fn nll_loss_with(input: &Tensor, target: &Tensor, reduction: Reduction) -> Tensor {
    or_panic(nll_loss_nd(input, target, None, reduction, -100))
}

fn sizes(t: &Tensor) -> String {
    format!("{:?}", t.shape().to_vec())
}

/// torch's `nll_loss_nd`: the checks, then `nll_loss` for 1-D and 2-D inputs
/// and `nll_loss2d` (on a `[N, C, 1, -1]` view for 3-D and >4-D) otherwise.
pub(super) fn nll_loss_nd(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
    ignore_index: i64,
) -> Result<Tensor> {
    let ndim = input.dim();
    if ndim < 1 {
        return Err(TensorError::value(format!(
            "Expected 1 or more dimensions (got {ndim})"
        )));
    }
    let (shape, tshape) = (input.shape().to_vec(), target.shape().to_vec());
    if ndim != 1 && tshape.first() != Some(&shape[0]) {
        return Err(TensorError::value(format!(
            "Expected input batch_size ({}) to match target batch_size ({}).",
            shape[0],
            tshape.first().map_or("".to_string(), |n| n.to_string())
        )));
    }
    if !input.dtype().is_floating_point() {
        return Err(TensorError::runtime(format!(
            "\"nll_loss_out_frame\" not implemented for '{}'",
            scalar_type_name(input.dtype())
        )));
    }
    if target.dtype() != DType::Int64 {
        return Err(TensorError::runtime(format!(
            "expected scalar type Long but found {}",
            scalar_type_name(target.dtype())
        )));
    }
    let n_classes = if ndim == 1 { shape[0] } else { shape[1] };
    // The per-dimension checks of nll_loss / nll_loss2d.
    match ndim {
        1 | 2 => {
            if target.dim() > 1 {
                return Err(TensorError::runtime(
                    "0D or 1D target tensor expected, multi-target not supported",
                ));
            }
            if ndim == 1 && target.dim() == 1 {
                return Err(TensorError::runtime(format!(
                    "Expected target to be 0D when input is 1D, but got target.dim ={}",
                    target.dim()
                )));
            }
            if let Some(w) = weight
                && (w.dim() != 1 || w.numel() != n_classes)
            {
                return Err(TensorError::runtime(format!(
                    "weight tensor should be defined either for all {n_classes} classes or no classes but got weight tensor of shape: {}",
                    sizes(w)
                )));
            }
        }
        _ => {
            let mut out_size = vec![shape[0]];
            out_size.extend_from_slice(&shape[2..]);
            if ndim == 4 && tshape.len() != 3 {
                return Err(TensorError::runtime(format!(
                    "only batches of spatial targets supported (3D tensors) but got targets of dimension: {}",
                    tshape.len()
                )));
            }
            if tshape != out_size {
                return Err(TensorError::runtime(if ndim == 4 {
                    format!(
                        "size mismatch (got input: {} , target: {}",
                        sizes(input),
                        sizes(target)
                    )
                } else {
                    format!("Expected target size {out_size:?}, got {tshape:?}")
                }));
            }
            if weight.is_some_and(|w| w.numel() != n_classes) {
                return Err(TensorError::runtime(
                    "weight tensor should be defined either for all or no classes",
                ));
            }
        }
    }

    // View the input as [N, C, S] and the target as [N·S] (S = 1 below 3-D).
    // A 1-D input with reduction 'none' still gives one number, as in torch.
    let per_element = reduction == Reduction::None && ndim >= 2;
    let kernel = NllKernel {
        n: if ndim == 1 { 1 } else { shape[0] },
        c: n_classes,
        s: shape.iter().skip(2).product(),
        per_element,
        mean: reduction == Reduction::Mean,
        ignore_index,
    };
    let targets = target.to_vec::<i64>();
    let weight = weight.map(|w| w.detach());
    let out_shape: Vec<usize> = if per_element { tshape } else { Vec::new() };
    let total_weight: f64;
    let out = float_dispatch!(input, &out_shape, |T| {
        let w = weight.as_ref().map(|w| w.to_vec::<T>());
        let (out, total) = kernel.forward(&input.to_vec::<T>(), &targets, w.as_deref())?;
        total_weight = num_traits::ToPrimitive::to_f64(&total).unwrap_or(f64::NAN);
        out
    });
    let name = if ndim <= 2 {
        "NllLossBackward0"
    } else {
        "NllLoss2DBackward0"
    };
    let loss = record(out.storage(), name, Saved::Tensors, &[input], move || {
        Box::new(move |g: &Tensor| {
            let grad = float_dispatch!(g, &shape, |T| {
                let w = weight.as_ref().map(|w| w.to_vec::<T>());
                kernel.backward(
                    &g.to_vec::<T>(),
                    &targets,
                    w.as_deref(),
                    num_traits::cast(total_weight).unwrap_or(T::nan()),
                )
            });
            vec![Some(grad)]
        })
    });
    // 3-D and >4-D inputs went through a [N, C, 1, -1] view: the unreduced
    // loss is viewed back to [N, d1, …] (`ViewBackward0`).
    if per_element && ndim != 2 && ndim != 4 {
        let shape = loss.shape().to_vec();
        return Ok(loss.reshaped(shape, "ViewBackward0"));
    }
    Ok(loss)
}

/// The arithmetic of torch's `nll_loss_out_frame` / `nll_loss2d_forward_out_frame`
/// and their backward, on an input viewed as `[N, C, S]` with targets `[N·S]`.
#[derive(Clone, Copy)]
struct NllKernel {
    n: usize,
    c: usize,
    s: usize,
    /// One loss per target (reduction 'none' on a ≥2-D input).
    per_element: bool,
    mean: bool,
    ignore_index: i64,
}

impl NllKernel {
    /// Position of (target `i` of N·S, class `t`) in the `[N, C, S]` input.
    fn at(&self, i: usize, t: usize) -> usize {
        let (b, e) = (i / self.s, i % self.s);
        (b * self.c + t) * self.s + e
    }

    fn class(&self, t: i64) -> Result<usize> {
        if t < 0 || t as usize >= self.c {
            return Err(TensorError::index(format!("Target {t} is out of bounds.")));
        }
        Ok(t as usize)
    }

    /// The losses (one per target, or one reduced value) and the total weight
    /// a mean divides by.
    fn forward<T: Float>(&self, x: &[T], targets: &[i64], w: Option<&[T]>) -> Result<(Vec<T>, T)> {
        if self.per_element {
            let mut out = vec![T::zero(); targets.len()];
            for (i, &t) in targets.iter().enumerate() {
                if t == self.ignore_index {
                    continue;
                }
                let t = self.class(t)?;
                out[i] = -x[self.at(i, t)] * w.map_or(T::one(), |w| w[t]);
            }
            return Ok((out, T::zero()));
        }
        if targets.is_empty() {
            // torch: the mean over nothing is NaN, the sum 0.
            return Ok((
                vec![if self.mean { T::nan() } else { T::zero() }],
                T::zero(),
            ));
        }
        // torch sums with a cascade of 8 partial sums, folding each level into
        // the next every 2^level_power targets; following it exactly gives
        // torch's rounding.
        const LEVELS: usize = 8;
        let count = targets.len();
        let ceil_log2 = if count <= 2 {
            1
        } else {
            64 - ((count - 1) as u64).leading_zeros() as usize
        };
        let level_power = 4.max(ceil_log2 / LEVELS);
        let level_mask = (1usize << level_power) - 1;
        let mut loss_sums = [T::zero(); LEVELS];
        let mut weight_sums = [T::zero(); LEVELS];
        let mut ignored = 0usize;
        for (i, &t) in targets.iter().enumerate() {
            if t == self.ignore_index {
                ignored += 1;
                continue;
            }
            let t = self.class(t)?;
            let data = x[self.at(i, t)];
            match w {
                Some(w) => {
                    loss_sums[0] = loss_sums[0] - data * w[t];
                    weight_sums[0] = weight_sums[0] + w[t];
                }
                None => loss_sums[0] = loss_sums[0] - data,
            }
            for j in 0..LEVELS - 1 {
                if i & (level_mask << (j * level_power)) != 0 {
                    break;
                }
                weight_sums[j + 1] = weight_sums[j + 1] + weight_sums[j];
                loss_sums[j + 1] = loss_sums[j + 1] + loss_sums[j];
                weight_sums[j] = T::zero();
                loss_sums[j] = T::zero();
            }
        }
        let total = match w {
            None => T::from(count - ignored).expect("a count is a float"),
            Some(_) => weight_sums.iter().fold(T::zero(), |a, &b| a + b),
        };
        let sum = loss_sums.iter().fold(T::zero(), |a, &b| a + b);
        Ok((vec![if self.mean { sum / total } else { sum }], total))
    }

    /// The gradient with respect to the `[N, C, S]` input, flat: each
    /// target's class gets `-w·grad` (divided by the total weight for a mean).
    fn backward<T: Float>(
        &self,
        g: &[T],
        targets: &[i64],
        w: Option<&[T]>,
        total_weight: T,
    ) -> Vec<T> {
        let mut grad = vec![T::zero(); self.n * self.c * self.s];
        // torch: -(mean ? grad_output / total_weight : grad_output), then w[t] * that.
        let reduced = -(if self.mean { g[0] / total_weight } else { g[0] });
        for (i, &t) in targets.iter().enumerate() {
            if t == self.ignore_index || t < 0 || t as usize >= self.c {
                continue;
            }
            let t = t as usize;
            grad[self.at(i, t)] = if self.per_element {
                -w.map_or(T::one(), |w| w[t]) * g[i]
            } else {
                w.map_or(reduced, |w| w[t] * reduced)
            };
        }
        grad
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduced_loss_follows_torchs_cascade() {
        // 17 targets: torch parks the first in the top level, sums the next
        // 16 in the bottom level (folded up after the 16th), and adds the
        // levels bottom-up at the end.
        let x: Vec<f32> = (0..17)
            .map(|i| if i == 0 { 1e8 } else { -0.75 - i as f32 * 1e-3 })
            .collect();
        let targets = vec![0i64; 17];
        let k = NllKernel {
            n: 17,
            c: 1,
            s: 1,
            per_element: false,
            mean: false,
            ignore_index: -100,
        };
        let (out, total) = k.forward(&x, &targets, None).unwrap();
        let low = x[1..].iter().fold(0f32, |acc, &v| acc - v);
        assert_eq!(out, vec![low + -x[0]]);
        assert_eq!(total, 17.0);
    }

    #[test]
    fn out_of_range_targets_are_index_errors() {
        let err = nll_loss_nd(
            &Tensor::zeros([2, 3]),
            &Tensor::from_vec(vec![0i64, -1], [2]),
            None,
            Reduction::Mean,
            -100,
        )
        .unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::Index);
        assert_eq!(err.to_string(), "Target -1 is out of bounds.");
    }
}

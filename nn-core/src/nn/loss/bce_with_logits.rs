//! Binary cross entropy on logits: a sigmoid and `BCELoss` in one stable step.

use super::composite::{broadcast_weight, float_dispatch, log_sigmoid, scalar_type_name};
use super::reduction::Reduction;
use crate::autograd::{Saved, no_grad, record};
use crate::error::{Result, TensorError, or_panic};
use crate::tensor::Tensor;

/// `BCELoss(sigmoid(x), t)` computed from the logits `x` without overflow,
/// `(1 - t)·x - log(sigmoid(x))`, as `nn.BCEWithLogitsLoss()`.
///
/// Configure it builder-style:
/// `BCEWithLogitsLoss::new().weight(&w).pos_weight(&p).reduction(Reduction::Sum)`.
///
/// ```
/// use nn_core::prelude::*;
/// let loss_fn = BCEWithLogitsLoss::new();
/// assert_eq!(loss_fn.to_string(), "BCEWithLogitsLoss()");
/// let z = tensor![0.0, 0.0].requires_grad_(true);
/// let loss = loss_fn.forward(&z, &tensor![1.0, 0.0]);
/// assert_eq!(loss.to_string(), "tensor(0.6931, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)");
/// ```
#[derive(Clone, Debug, Default)]
pub struct BCEWithLogitsLoss {
    /// A rescaling weight broadcast to the target's shape, or `None`.
    pub weight: Option<Tensor>,
    /// A weight for the positive term `t·log(sigmoid(x))`, broadcast along
    /// the last (class) dimension, or `None`.
    pub pos_weight: Option<Tensor>,
    /// How per-element losses are combined.
    pub reduction: Reduction,
}

impl BCEWithLogitsLoss {
    /// `nn.BCEWithLogitsLoss()` (no weights, mean).
    ///
    /// ```
    /// assert!(nn_core::nn::BCEWithLogitsLoss::new().pos_weight.is_none());
    /// ```
    pub fn new() -> BCEWithLogitsLoss {
        BCEWithLogitsLoss::default()
    }

    /// `nn.BCEWithLogitsLoss(weight=w)`: each element's loss is multiplied by `w`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = BCEWithLogitsLoss::new().weight(&tensor![0.0, 1.0]).reduction(Reduction::Sum);
    /// let loss = l.forward(&tensor![0.0, 0.0], &tensor![1.0, 1.0]);
    /// assert!((loss.item() - std::f64::consts::LN_2).abs() < 1e-6);
    /// ```
    pub fn weight(mut self, weight: &Tensor) -> BCEWithLogitsLoss {
        self.weight = Some(weight.detach());
        self
    }

    /// `nn.BCEWithLogitsLoss(pos_weight=p)`: the positive term is multiplied
    /// by `p` (`p > 1` raises recall, `p < 1` precision).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = BCEWithLogitsLoss::new().pos_weight(&tensor![3.0]);
    /// let loss = l.forward(&tensor![0.0], &tensor![1.0]);
    /// assert!((loss.item() - 3.0 * std::f64::consts::LN_2).abs() < 1e-6);
    /// ```
    pub fn pos_weight(mut self, pos_weight: &Tensor) -> BCEWithLogitsLoss {
        self.pos_weight = Some(pos_weight.detach());
        self
    }

    /// `nn.BCEWithLogitsLoss(reduction=...)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = BCEWithLogitsLoss::new().reduction(Reduction::None);
    /// assert_eq!(l.forward(&Tensor::zeros([2, 3]), &Tensor::ones([2, 3])).shape(), [2, 3]);
    /// ```
    pub fn reduction(mut self, reduction: Reduction) -> BCEWithLogitsLoss {
        self.reduction = reduction;
        self
    }

    /// `nn.BCEWithLogitsLoss(reduction=...)`, as
    /// [`MSELoss::with_reduction`](super::MSELoss::with_reduction).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(BCEWithLogitsLoss::with_reduction(Reduction::Sum).reduction, Reduction::Sum);
    /// ```
    pub fn with_reduction(reduction: Reduction) -> BCEWithLogitsLoss {
        BCEWithLogitsLoss::new().reduction(reduction)
    }

    /// The loss of logits `input` against targets in `[0, 1]` (same shape).
    ///
    /// # Panics
    /// On different shapes (torch's `ValueError`), with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let loss = BCEWithLogitsLoss::new().forward(&tensor![100.0], &tensor![0.0]);
    /// assert_eq!(loss.item(), 100.0); // no overflow for large logits
    /// ```
    #[track_caller]
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Tensor {
        or_panic(self.try_forward(input, target))
    }

    /// Fallible form of [`forward`](Self::forward).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = BCEWithLogitsLoss::new().try_forward(&Tensor::zeros([2, 1]), &Tensor::zeros([2])).unwrap_err();
    /// assert_eq!(err.to_string(), "Target size (torch.Size([2])) must be the same as input size (torch.Size([2, 1]))");
    /// ```
    pub fn try_forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        bce_with_logits_impl(
            input,
            target,
            self.weight.as_ref(),
            self.pos_weight.as_ref(),
            self.reduction,
        )
    }
}

super::composite::loss_module!(BCEWithLogitsLoss);

/// `F.binary_cross_entropy_with_logits(input, target)`: sigmoid and
/// binary cross entropy in one stable step, averaged
/// (`BinaryCrossEntropyWithLogitsBackward0`).
/// [`binary_cross_entropy_with_logits_with`] takes torch's `reduction`; for
/// `weight` or `pos_weight`, use [`BCEWithLogitsLoss`]'s builder.
///
/// ```
/// use nn_core::prelude::*;
/// let loss = F::binary_cross_entropy_with_logits(&tensor![0.0], &tensor![1.0]);
/// assert!((loss.item() - std::f64::consts::LN_2).abs() < 1e-6);
/// ```
#[track_caller]
pub fn binary_cross_entropy_with_logits(input: &Tensor, target: &Tensor) -> Tensor {
    or_panic(bce_with_logits_impl(
        input,
        target,
        None,
        None,
        Reduction::Mean,
    ))
}

/// `F.binary_cross_entropy_with_logits(input, target, reduction=...)`.
///
/// ```
/// use nn_core::prelude::*;
/// let loss = F::binary_cross_entropy_with_logits_with(&tensor![0.0, 0.0], &tensor![1.0, 0.0], Reduction::Sum);
/// assert!((loss.item() - 2.0 * std::f64::consts::LN_2).abs() < 1e-6);
/// ```
#[track_caller]
pub fn binary_cross_entropy_with_logits_with(
    input: &Tensor,
    target: &Tensor,
    reduction: Reduction,
) -> Tensor {
    or_panic(bce_with_logits_impl(input, target, None, None, reduction))
}

/// `log(sigmoid(x))` elementwise, in the input's precision.
fn log_sigmoid_of(x: &Tensor) -> Tensor {
    let shape = x.shape().to_vec();
    float_dispatch!(x, &shape, |T| x
        .to_vec::<T>()
        .into_iter()
        .map(log_sigmoid)
        .collect::<Vec<T>>())
}

/// torch's `binary_cross_entropy_with_logits`: `(1 - t)·x - log_sigmoid(x)·l`
/// with `l = (pos_weight - 1)·t + 1`, times the weight, then reduced.
fn bce_with_logits_impl(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    pos_weight: Option<&Tensor>,
    reduction: Reduction,
) -> Result<Tensor> {
    if target.shape() != input.shape() {
        return Err(TensorError::value(format!(
            "Target size ({}) must be the same as input size ({})",
            target.size(),
            input.size()
        )));
    }
    if !input.dtype().is_floating_point() {
        return Err(TensorError::runtime(format!(
            "\"log_sigmoid_forward\" not implemented for '{}'",
            scalar_type_name(input.dtype())
        )));
    }
    let weight = weight.map(|w| broadcast_weight(w, target)).transpose()?;
    let pos_weight = pos_weight
        .map(|p| broadcast_weight(p, target))
        .transpose()?;
    let out = no_grad(|| {
        let mut log_sig = log_sigmoid_of(input);
        if let Some(p) = &pos_weight {
            log_sig = &log_sig * &(&(&(p - 1.0) * target) + 1.0);
        }
        let mut losses = &(&target.rsub(1.0) * input) - &log_sig;
        if let Some(w) = &weight {
            losses = &losses * w;
        }
        reduction.apply(&losses)
    });
    let (x, y) = (input.clone(), target.clone());
    Ok(record(
        out.storage(),
        "BinaryCrossEntropyWithLogitsBackward0",
        Saved::Tensors,
        &[input, target],
        move || {
            Box::new(move |g: &Tensor| {
                let numel = x.numel() as i64;
                let finish = |grad: Tensor| {
                    let mut grad = &grad * g;
                    if let Some(w) = &weight {
                        grad = &grad * w;
                    }
                    if reduction == Reduction::Mean {
                        grad = &grad / numel;
                    }
                    grad.sum_to_shape(&x.shape())
                };
                // torch: (sigmoid(x) - t), or with pos_weight p:
                // ((p·t + 1 - t)·sigmoid(x)) - p·t; then * grad, * weight, / numel.
                let gx = x.requires_grad().then(|| {
                    finish(match &pos_weight {
                        Some(p) => {
                            let pt = p * &y;
                            &(&(&(&pt + 1.0) - &y) * &x.sigmoid()) - &pt
                        }
                        None => &x.sigmoid() - &y,
                    })
                });
                // torch: -x, or with pos_weight: log_sigmoid(-x) - log_sigmoid(x)·p.
                let gy = y.requires_grad().then(|| {
                    finish(match &pos_weight {
                        Some(p) => &log_sigmoid_of(&-&x) - &(&log_sigmoid_of(&x) * p),
                        None => -&x,
                    })
                });
                vec![gx, gy]
            })
        },
    ))
}

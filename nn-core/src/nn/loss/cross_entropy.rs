//! Cross entropy: `log_softmax` followed by the negative log-likelihood.

use super::composite::{div_scalar, masked_fill_zero, mul_scalar, scalar_type_name};
use super::nll::nll_loss_nd;
use super::reduction::Reduction;
use crate::error::{Result, TensorError, or_panic};
use crate::tensor::Tensor;

/// The cross entropy between logits and targets, as `nn.CrossEntropyLoss()`.
///
/// The input holds unnormalized scores: `[N, C]`, `[C]` (one sample), or
/// `[N, C, d1, …]`. The target is either
/// - class indices (int64, `[N]`, `[]` or `[N, d1, …]`): the loss is
///   `nll_loss(log_softmax(input, 1), target)` (`NllLossBackward0`), or
/// - class probabilities (float, the input's shape): the loss is
///   `-(log_softmax(input, 1) * target).sum(1)` reduced (`NegBackward0`, or
///   `DivBackward1` for the mean).
///
/// Configure it builder-style, as torch's keyword arguments:
/// `CrossEntropyLoss::new().weight(&w).ignore_index(0).label_smoothing(0.1).reduction(Reduction::Sum)`.
///
/// ```
/// use nn_core::prelude::*;
/// let loss_fn = CrossEntropyLoss::new();
/// assert_eq!(loss_fn.to_string(), "CrossEntropyLoss()");
/// let logits = tensor![[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]].requires_grad_(true);
/// let loss = loss_fn.forward(&logits, &tensor![0, 2]);
/// assert_eq!(loss.to_string(), "tensor(0.6691, grad_fn=<NllLossBackward0>)");
/// loss.backward();
/// assert_eq!(logits.grad().unwrap().shape(), [2, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct CrossEntropyLoss {
    /// A manual rescaling weight per class (`[C]`), or `None`.
    pub weight: Option<Tensor>,
    /// Class-index targets equal to this are skipped (torch's default is -100).
    pub ignore_index: i64,
    /// How per-sample losses are combined.
    pub reduction: Reduction,
    /// Mixes the target with the uniform distribution: `(1 - ε)·target + ε/C`.
    pub label_smoothing: f64,
}

impl Default for CrossEntropyLoss {
    fn default() -> Self {
        CrossEntropyLoss {
            weight: None,
            ignore_index: -100,
            reduction: Reduction::Mean,
            label_smoothing: 0.0,
        }
    }
}

impl CrossEntropyLoss {
    /// `nn.CrossEntropyLoss()`: no weight, `ignore_index=-100`, mean, no smoothing.
    ///
    /// ```
    /// let l = nn_core::nn::CrossEntropyLoss::new();
    /// assert_eq!((l.ignore_index, l.label_smoothing), (-100, 0.0));
    /// ```
    pub fn new() -> CrossEntropyLoss {
        CrossEntropyLoss::default()
    }

    /// `nn.CrossEntropyLoss(weight=w)`: a rescaling weight per class.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = CrossEntropyLoss::new().weight(&tensor![1.0, 0.0]);
    /// let loss = l.forward(&tensor![[0.0, 0.0], [0.0, 0.0]], &tensor![0, 1]);
    /// assert!((loss.item() - std::f64::consts::LN_2).abs() < 1e-6);
    /// ```
    pub fn weight(mut self, weight: &Tensor) -> CrossEntropyLoss {
        self.weight = Some(weight.detach());
        self
    }

    /// `nn.CrossEntropyLoss(ignore_index=i)`: samples whose class is `i` add
    /// nothing and do not count in the mean.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = CrossEntropyLoss::new().ignore_index(1);
    /// let loss = l.forward(&tensor![[0.0, 0.0], [5.0, 0.0]], &tensor![0, 1]);
    /// assert!((loss.item() - std::f64::consts::LN_2).abs() < 1e-6);
    /// ```
    pub fn ignore_index(mut self, ignore_index: i64) -> CrossEntropyLoss {
        self.ignore_index = ignore_index;
        self
    }

    /// `nn.CrossEntropyLoss(reduction=...)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = CrossEntropyLoss::new().reduction(Reduction::None);
    /// assert_eq!(l.forward(&Tensor::zeros([3, 4]), &tensor![0, 1, 2]).shape(), [3]);
    /// ```
    pub fn reduction(mut self, reduction: Reduction) -> CrossEntropyLoss {
        self.reduction = reduction;
        self
    }

    /// `nn.CrossEntropyLoss(label_smoothing=ε)`, `0 ≤ ε ≤ 1`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = CrossEntropyLoss::new().label_smoothing(0.1);
    /// let loss = l.forward(&tensor![[0.0, 0.0]].requires_grad_(true), &tensor![0]);
    /// assert_eq!(loss.grad_fn().unwrap().name(), "AddBackward0");
    /// ```
    pub fn label_smoothing(mut self, label_smoothing: f64) -> CrossEntropyLoss {
        self.label_smoothing = label_smoothing;
        self
    }

    /// `nn.CrossEntropyLoss(reduction=...)`, as
    /// [`MSELoss::with_reduction`](super::MSELoss::with_reduction).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(CrossEntropyLoss::with_reduction(Reduction::Sum).reduction, Reduction::Sum);
    /// ```
    pub fn with_reduction(reduction: Reduction) -> CrossEntropyLoss {
        CrossEntropyLoss::new().reduction(reduction)
    }

    /// The loss of logits `input` against `target` (class indices or
    /// probabilities).
    ///
    /// # Panics
    /// On mismatched shapes, a class out of range or invalid options, with
    /// torch's messages (see [`try_forward`](Self::try_forward)).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let probs = tensor![[0.5, 0.5]];
    /// let loss = CrossEntropyLoss::new().forward(&tensor![[0.0, 0.0]], &probs);
    /// assert!((loss.item() - std::f64::consts::LN_2).abs() < 1e-6);
    /// ```
    #[track_caller]
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Tensor {
        or_panic(self.try_forward(input, target))
    }

    /// Fallible form of [`forward`](Self::forward).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = CrossEntropyLoss::new();
    /// let err = l.try_forward(&Tensor::zeros([3, 5]), &tensor![1, 2]).unwrap_err();
    /// assert_eq!(err.to_string(), "Expected input batch_size (3) to match target batch_size (2).");
    /// let err = l.try_forward(&Tensor::zeros([2, 5]), &tensor![0, 5]).unwrap_err();
    /// assert_eq!(err.to_string(), "Target 5 is out of bounds.");
    /// ```
    pub fn try_forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        let ls = self.label_smoothing;
        if input.shape() == target.shape() {
            // Same shapes: the target holds class probabilities.
            if !target.dtype().is_floating_point() {
                return Err(TensorError::runtime(format!(
                    "Expected floating point type for target with class probabilities, got {}",
                    scalar_type_name(target.dtype())
                )));
            }
            if self.ignore_index >= 0 {
                return Err(TensorError::runtime(
                    "ignore_index is not supported for floating point target",
                ));
            }
            return self.probability_target(input, target);
        }
        if ls > 0.0 {
            check_label_smoothing(ls)?;
            return self.label_smoothed(input, target);
        }
        let logp = input.try_log_softmax(class_dim(input))?;
        nll_loss_nd(
            &logp,
            target,
            self.weight.as_ref(),
            self.reduction,
            self.ignore_index,
        )
    }

    /// torch's `cross_entropy_loss_prob_target`.
    fn probability_target(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        let dim = class_dim(input);
        let n_classes = input.shape().get(dim as usize).copied().unwrap_or(1);
        if let Some(w) = &self.weight
            && (w.dim() != 1 || w.numel() != n_classes)
        {
            return Err(TensorError::runtime(format!(
                "cross_entropy: weight tensor should be defined either for all {n_classes} classes or no classes but got weight tensor of shape: {:?}",
                w.shape().to_vec()
            )));
        }
        let logp = input.try_log_softmax(dim)?;
        let target = if self.label_smoothing > 0.0 {
            check_label_smoothing(self.label_smoothing)?;
            &(target * (1.0 - self.label_smoothing)) + self.label_smoothing / n_classes as f64
        } else {
            target.clone()
        };
        let mut terms = &logp * &target;
        if let Some(w) = &self.weight {
            terms = &terms * &class_view(w, input);
        }
        Ok(match self.reduction {
            Reduction::Mean => div_scalar(&-terms.sum(), (input.numel() / n_classes.max(1)) as f64),
            Reduction::Sum => -terms.sum(),
            Reduction::None => -terms.sum_dim(dim, false),
        })
    }

    /// torch's `cross_entropy_loss_label_smoothing` (class-index targets):
    /// `(1 - ε)·nll + ε/C · smooth`, where `smooth` is the loss against the
    /// uniform distribution.
    fn label_smoothed(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        let dim = class_dim(input);
        let logp = input.try_log_softmax(dim)?;
        let nll = nll_loss_nd(
            &logp,
            target,
            self.weight.as_ref(),
            self.reduction,
            self.ignore_index,
        )?;
        let n_classes = logp.shape()[dim as usize];
        let smooth = match &self.weight {
            Some(w) => -(&logp * &class_view(w, input)).sum_dim(dim, false),
            None => -logp.sum_dim(dim, false),
        };
        let ignored = target.eq(self.ignore_index);
        let smooth = masked_fill_zero(&smooth, &ignored);
        let ret = match self.reduction {
            Reduction::Mean => {
                let denominator = match &self.weight {
                    // The weights of the targets that count, summed.
                    Some(w) => {
                        let w = w.to_vec::<f64>();
                        let picked: Vec<f64> = target
                            .to_vec::<i64>()
                            .into_iter()
                            .filter(|&t| t != self.ignore_index)
                            .map(|t| w[t as usize])
                            .collect();
                        let k = picked.len();
                        Tensor::from_vec(picked, [k]).to_dtype(input.dtype()).sum()
                    }
                    None => ignored.logical_not().sum(),
                };
                &smooth.sum() / &denominator
            }
            Reduction::Sum => smooth.sum(),
            Reduction::None => smooth,
        };
        let ls = self.label_smoothing;
        Ok(&mul_scalar(&nll, 1.0 - ls) + &mul_scalar(&ret, ls / n_classes as f64))
    }
}

super::composite::loss_module!(CrossEntropyLoss);

/// `F.cross_entropy(input, target)`: `log_softmax` over the class
/// dimension, then the negative log-likelihood (class-index targets) or the
/// cross entropy with the given probabilities (float targets of the input's
/// shape), averaged over the samples. [`cross_entropy_with`] takes torch's
/// `reduction`; for a class weight, `ignore_index` or label smoothing, use
/// [`CrossEntropyLoss`]'s builder.
///
/// ```
/// use nn_core::prelude::*;
/// let logits = tensor![[0.0, 0.0], [0.0, 0.0]];
/// let loss = F::cross_entropy(&logits, &tensor![0, 1]);
/// assert!((loss.item() - std::f64::consts::LN_2).abs() < 1e-6);
/// ```
#[track_caller]
pub fn cross_entropy(input: &Tensor, target: &Tensor) -> Tensor {
    CrossEntropyLoss::new().forward(input, target)
}

/// `F.cross_entropy(input, target, reduction=...)`.
///
/// ```
/// use nn_core::prelude::*;
/// let logits = tensor![[0.0, 0.0], [0.0, 0.0]];
/// let loss = F::cross_entropy_with(&logits, &tensor![0, 1], Reduction::Sum);
/// assert!((loss.item() - 2.0 * std::f64::consts::LN_2).abs() < 1e-6);
/// ```
#[track_caller]
pub fn cross_entropy_with(input: &Tensor, target: &Tensor, reduction: Reduction) -> Tensor {
    CrossEntropyLoss::with_reduction(reduction).forward(input, target)
}

/// The class dimension: 0 for a single sample `[C]`, else 1.
fn class_dim(input: &Tensor) -> i64 {
    if input.dim() == 1 { 0 } else { 1 }
}

/// The per-class weight `[C]` viewed to broadcast along the class dimension
/// of `input` (`[1, C, 1, …]`).
fn class_view(weight: &Tensor, input: &Tensor) -> Tensor {
    if input.dim() <= 1 {
        return weight.clone();
    }
    let mut shape = vec![1i64; input.dim()];
    shape[1] = weight.numel() as i64;
    weight.reshape(shape)
}

fn check_label_smoothing(ls: f64) -> Result<()> {
    if ls > 1.0 {
        return Err(TensorError::runtime(format!(
            "label_smoothing must be between 0.0 and 1.0. Got: {ls}"
        )));
    }
    Ok(())
}

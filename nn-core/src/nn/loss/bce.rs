//! Binary cross entropy on probabilities.

use super::composite::{broadcast_weight, float_dispatch, scalar_type_name};
use super::reduction::Reduction;
use crate::autograd::{Saved, no_grad, record};
use crate::error::{Result, TensorError, or_panic};
use crate::tensor::Tensor;
use num_traits::Float;

/// The binary cross entropy between probabilities and targets in `[0, 1]`,
/// `-(t·log(x) + (1 - t)·log(1 - x))`, as `nn.BCELoss()`. Each log is
/// clamped at -100, as in torch, so a probability of exactly 0 or 1 gives a
/// finite loss.
///
/// Configure it builder-style: `BCELoss::new().weight(&w).reduction(Reduction::Sum)`.
///
/// ```
/// use nn_core::prelude::*;
/// let loss_fn = BCELoss::new();
/// assert_eq!(loss_fn.to_string(), "BCELoss()");
/// let p = tensor![0.5, 0.5].requires_grad_(true);
/// let loss = loss_fn.forward(&p, &tensor![1.0, 0.0]);
/// assert_eq!(loss.to_string(), "tensor(0.6931, grad_fn=<BinaryCrossEntropyBackward0>)");
/// ```
#[derive(Clone, Debug, Default)]
pub struct BCELoss {
    /// A rescaling weight broadcast to the target's shape, or `None`.
    pub weight: Option<Tensor>,
    /// How per-element losses are combined.
    pub reduction: Reduction,
}

impl BCELoss {
    /// `nn.BCELoss()` (no weight, mean).
    ///
    /// ```
    /// assert!(nn_core::nn::BCELoss::new().weight.is_none());
    /// ```
    pub fn new() -> BCELoss {
        BCELoss::default()
    }

    /// `nn.BCELoss(weight=w)`: each element's loss is multiplied by `w`
    /// (broadcast to the target's shape).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = BCELoss::new().weight(&tensor![2.0, 0.0]).reduction(Reduction::Sum);
    /// let loss = l.forward(&tensor![0.5, 0.5], &tensor![1.0, 1.0]);
    /// assert!((loss.item() - 2.0 * std::f64::consts::LN_2).abs() < 1e-6);
    /// ```
    pub fn weight(mut self, weight: &Tensor) -> BCELoss {
        self.weight = Some(weight.detach());
        self
    }

    /// `nn.BCELoss(reduction=...)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = BCELoss::new().reduction(Reduction::None);
    /// assert_eq!(l.forward(&tensor![0.5, 0.5], &tensor![1.0, 0.0]).shape(), [2]);
    /// ```
    pub fn reduction(mut self, reduction: Reduction) -> BCELoss {
        self.reduction = reduction;
        self
    }

    /// `nn.BCELoss(reduction=...)`, as [`MSELoss::with_reduction`](super::MSELoss::with_reduction).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(BCELoss::with_reduction(Reduction::Sum).reduction, Reduction::Sum);
    /// ```
    pub fn with_reduction(reduction: Reduction) -> BCELoss {
        BCELoss::new().reduction(reduction)
    }

    /// The loss of probabilities `input` against `target` (same shape).
    ///
    /// # Panics
    /// On different shapes (torch's `ValueError`) or values outside `[0, 1]`,
    /// with torch's messages (see [`try_forward`](Self::try_forward)).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let loss = BCELoss::new().forward(&tensor![1.0], &tensor![0.0]);
    /// assert_eq!(loss.item(), 100.0); // log(0) is clamped to -100
    /// ```
    #[track_caller]
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Tensor {
        or_panic(self.try_forward(input, target))
    }

    /// Fallible form of [`forward`](Self::forward).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = BCELoss::new().try_forward(&Tensor::zeros([2, 1]), &Tensor::zeros([2])).unwrap_err();
    /// assert_eq!(err.kind, nn_core::error::ErrorKind::Value);
    /// assert_eq!(
    ///     err.to_string(),
    ///     "Using a target size (torch.Size([2])) that is different to the input size (torch.Size([2, 1])) is deprecated. Please ensure they have the same size."
    /// );
    /// let err = BCELoss::new().try_forward(&tensor![1.5], &tensor![1.0]).unwrap_err();
    /// assert_eq!(err.to_string(), "all elements of input should be between 0 and 1");
    /// ```
    pub fn try_forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        binary_cross_entropy_impl(input, target, self.weight.as_ref(), self.reduction)
    }
}

super::composite::loss_module!(BCELoss);

/// `F.binary_cross_entropy(input, target)`: the mean binary cross entropy
/// of probabilities (`BinaryCrossEntropyBackward0`).
/// [`binary_cross_entropy_with`] takes torch's `reduction`; for a weight,
/// use [`BCELoss`]'s builder.
///
/// ```
/// use nn_core::prelude::*;
/// let loss = F::binary_cross_entropy(&tensor![0.5, 0.5], &tensor![1.0, 0.0]);
/// assert!((loss.item() - std::f64::consts::LN_2).abs() < 1e-6);
/// ```
#[track_caller]
pub fn binary_cross_entropy(input: &Tensor, target: &Tensor) -> Tensor {
    or_panic(binary_cross_entropy_impl(
        input,
        target,
        None,
        Reduction::Mean,
    ))
}

/// `F.binary_cross_entropy(input, target, reduction=...)`.
///
/// ```
/// use nn_core::prelude::*;
/// let loss = F::binary_cross_entropy_with(&tensor![0.5, 0.5], &tensor![1.0, 0.0], Reduction::Sum);
/// assert!((loss.item() - 2.0 * std::f64::consts::LN_2).abs() < 1e-6);
/// ```
#[track_caller]
pub fn binary_cross_entropy_with(input: &Tensor, target: &Tensor, reduction: Reduction) -> Tensor {
    or_panic(binary_cross_entropy_impl(input, target, None, reduction))
}

/// torch's `binary_cross_entropy` CPU kernel: `(t - 1)·max(log1p(-x), -100)
/// - t·max(log(x), -100)`, times the weight, then reduced.
fn binary_cross_entropy_impl(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
) -> Result<Tensor> {
    if target.shape() != input.shape() {
        return Err(TensorError::value(format!(
            "Using a target size ({}) that is different to the input size ({}) is deprecated. Please ensure they have the same size.",
            target.size(),
            input.size()
        )));
    }
    if !input.dtype().is_floating_point() {
        return Err(TensorError::runtime(format!(
            "\"binary_cross_entropy\" not implemented for '{}'",
            scalar_type_name(input.dtype())
        )));
    }
    let weight = weight.map(|w| broadcast_weight(w, target)).transpose()?;
    let shape = input.shape().to_vec();
    let losses = float_dispatch!(input, &shape, |T| {
        let (x, t) = (input.to_vec::<T>(), target.to_vec::<T>());
        if x.iter().any(|&v| !(0.0..=1.0).contains(&v)) {
            return Err(TensorError::runtime(
                "all elements of input should be between 0 and 1",
            ));
        }
        if t.iter().any(|&v| !(0.0..=1.0).contains(&v)) {
            return Err(TensorError::runtime(
                "all elements of target should be between 0 and 1",
            ));
        }
        x.iter().zip(&t).map(|(&x, &t)| bce_element(x, t)).collect()
    });
    let out = no_grad(|| {
        let losses = match &weight {
            Some(w) => &losses * w,
            None => losses,
        };
        reduction.apply(&losses)
    });
    let (x, y) = (input.clone(), target.clone());
    Ok(record(
        out.storage(),
        "BinaryCrossEntropyBackward0",
        Saved::Tensors,
        &[input, target],
        move || {
            Box::new(move |g: &Tensor| {
                let shape = x.shape().to_vec();
                let g = g.expand_to(&shape);
                // torch: grad * (x - t) / max((1 - x) * x, EPSILON), then * weight,
                // then / numel for the mean.
                let gx = x.requires_grad().then(|| {
                    let gi = float_dispatch!(x, &shape, |T| {
                        let eps = BCE_EPSILON as T;
                        let (gv, xv, tv) = (g.to_vec::<T>(), x.to_vec::<T>(), y.to_vec::<T>());
                        gv.iter()
                            .zip(&xv)
                            .zip(&tv)
                            .map(|((&g, &x), &t)| g * (x - t) / ((1.0 - x) * x).max(eps))
                            .collect()
                    });
                    finish_grad(gi, weight.as_ref(), reduction, shape.iter().product())
                });
                // torch's binary_cross_entropy_target_backward: -logit(x) * grad.
                let gy = y.requires_grad().then(|| {
                    let gt = float_dispatch!(x, &shape, |T| {
                        let (gv, xv) = (g.to_vec::<T>(), x.to_vec::<T>());
                        gv.iter()
                            .zip(&xv)
                            .map(|(&g, &x)| -(x / (1.0 - x)).ln() * g)
                            .collect()
                    });
                    finish_grad(gt, weight.as_ref(), reduction, shape.iter().product())
                });
                vec![gx, gy]
            })
        },
    ))
}

/// torch's `EPSILON` in `Loss.cpp`: a float, widened for double inputs.
const BCE_EPSILON: f32 = 1e-12;

/// One element of the loss, as torch's CPU kernel computes it.
fn bce_element<T: Float>(x: T, t: T) -> T {
    let floor = T::from(-100.0).expect("float");
    let clamp = |v: T| if v < floor { floor } else { v };
    (t - T::one()) * clamp((-x).ln_1p()) - t * clamp(x.ln())
}

/// The weight and mean steps shared by both gradients.
fn finish_grad(
    grad: Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
    numel: usize,
) -> Tensor {
    let grad = match weight {
        Some(w) => &grad * w,
        None => grad,
    };
    match reduction {
        Reduction::Mean => &grad / numel as i64,
        _ => grad,
    }
}

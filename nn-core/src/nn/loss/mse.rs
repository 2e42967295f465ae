//! Mean squared error.

use super::reduction::Reduction;
use crate::autograd::{Saved, no_grad, record};
use crate::error::{Result, TensorError, or_panic};
use crate::tensor::{Tensor, zip_floats};

/// The mean squared error `mean((input - target)²)`, as `nn.MSELoss()`.
///
/// ```
/// use nn_core::prelude::*;
/// let loss_fn = MSELoss::new();
/// assert_eq!(loss_fn.to_string(), "MSELoss()");
/// let p = tensor![1.0, 2.0].requires_grad_(true);
/// let loss = loss_fn.forward(&p, &tensor![0.0, 0.0]);
/// assert_eq!(loss.to_string(), "tensor(2.5000, grad_fn=<MseLossBackward0>)");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct MSELoss {
    /// How per-element losses are combined.
    pub reduction: Reduction,
}

impl MSELoss {
    /// `nn.MSELoss()` (mean).
    ///
    /// ```
    /// assert_eq!(nn_core::nn::MSELoss::new().reduction, nn_core::nn::Reduction::Mean);
    /// ```
    pub fn new() -> MSELoss {
        MSELoss::default()
    }

    /// `nn.MSELoss(reduction=...)`.
    ///
    /// ```
    /// use nn_core::nn::{MSELoss, Reduction};
    /// assert_eq!(MSELoss::with_reduction(Reduction::Sum).reduction, Reduction::Sum);
    /// ```
    pub fn with_reduction(reduction: Reduction) -> MSELoss {
        MSELoss { reduction }
    }

    /// The loss of `input` against `target`.
    ///
    /// # Panics
    /// If the shapes do not broadcast, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(MSELoss::new().forward(&tensor![3.0], &tensor![1.0]).item(), 4.0);
    /// ```
    #[track_caller]
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Tensor {
        or_panic(try_mse_loss(input, target, self.reduction))
    }
}

super::composite::loss_module!(MSELoss);

/// `F.mse_loss(input, target)`: the mean of the squared differences
/// (`MseLossBackward0`). [`mse_loss_with`] takes torch's `reduction`.
///
/// ```
/// use nn_core::prelude::*;
/// let l = F::mse_loss(&tensor![1.0, 3.0], &tensor![0.0, 0.0]);
/// assert_eq!(l.item(), 5.0);
/// ```
#[track_caller]
pub fn mse_loss(input: &Tensor, target: &Tensor) -> Tensor {
    or_panic(try_mse_loss(input, target, Reduction::Mean))
}

/// `F.mse_loss(input, target, reduction=...)` (`MseLossBackward0`).
///
/// ```
/// use nn_core::prelude::*;
/// let l = F::mse_loss_with(&tensor![1.0, 3.0], &tensor![0.0, 0.0], Reduction::Sum);
/// assert_eq!(l.item(), 10.0);
/// ```
#[track_caller]
pub fn mse_loss_with(input: &Tensor, target: &Tensor, reduction: Reduction) -> Tensor {
    or_panic(try_mse_loss(input, target, reduction))
}

fn try_mse_loss(input: &Tensor, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
    if input.shape() != target.shape() && input.try_sub(target).is_err() {
        return Err(TensorError::runtime(format!(
            "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}",
            input.shape().last().copied().unwrap_or(1),
            target.shape().last().copied().unwrap_or(1),
            input.dim().saturating_sub(1)
        )));
    }
    let out = no_grad(|| {
        // (x - y)², one pass over the values when it can be.
        let squares = zip_floats(
            input,
            target,
            |a, b| (a - b) * (a - b),
            |a, b| (a - b) * (a - b),
        )
        .unwrap_or_else(|| {
            let diff = input - target;
            &diff * &diff
        });
        reduction.apply(&squares)
    });
    Ok(record(
        out.storage(),
        "MseLossBackward0",
        Saved::Tensors,
        &[input, target],
        || {
            let (x, y) = (input.clone(), target.clone());
            Box::new(move |g: &Tensor| {
                // torch: norm * (input - target) * grad, norm = 2/numel for mean.
                let norm = |numel: usize| match reduction {
                    Reduction::Mean => 2.0 / numel as f64,
                    _ => 2.0,
                };
                // One pass when the gradient is a single value (a reduced
                // loss) and x, y have one shape: the same roundings.
                let fused = (g.numel() == 1 && g.dtype() == x.dtype())
                    .then(|| {
                        let (norm, gv) = (norm(x.numel()), g.item());
                        let (n32, g32) = (norm as f32, gv as f32);
                        zip_floats(
                            &x,
                            &y,
                            |a, b| (a - b) * n32 * g32,
                            |a, b| (a - b) * norm * gv,
                        )
                    })
                    .flatten();
                let gi = fused.unwrap_or_else(|| {
                    let diff = &x - &y;
                    &(&diff * norm(diff.numel())) * g
                });
                let gx = x.requires_grad().then(|| gi.sum_to_shape(&x.shape()));
                let gy = y.requires_grad().then(|| (-&gi).sum_to_shape(&y.shape()));
                vec![gx, gy]
            })
        },
    ))
}

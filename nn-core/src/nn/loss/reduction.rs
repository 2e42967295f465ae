//! How a loss combines its per-element values.

use crate::tensor::Tensor;

/// How a loss reduces the per-element losses, as torch's `reduction=`.
///
/// ```
/// use nn_core::prelude::*;
/// let l = MSELoss::with_reduction(Reduction::Sum);
/// assert_eq!(l.forward(&tensor![1.0, 2.0], &tensor![0.0, 0.0]).item(), 5.0);
/// assert_eq!(Reduction::Mean.to_string(), "mean");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    /// The mean over elements (torch's default).
    #[default]
    Mean,
    /// The sum over elements.
    Sum,
    /// No reduction: one loss per element.
    None,
}

impl Reduction {
    /// Applies this reduction to per-element losses.
    pub(crate) fn apply(self, losses: &Tensor) -> Tensor {
        match self {
            Reduction::Mean => losses.mean(),
            Reduction::Sum => losses.sum(),
            Reduction::None => losses.clone(),
        }
    }
}

impl std::fmt::Display for Reduction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Reduction::Mean => "mean",
            Reduction::Sum => "sum",
            Reduction::None => "none",
        })
    }
}

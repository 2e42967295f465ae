//! Loss functions, as modules (`MSELoss`, `CrossEntropyLoss`, …) and as
//! functions ([`functional`]). A loss takes a prediction and a target:
//! `loss_fn.forward(&prediction, &target)`. Options torch takes as keyword
//! arguments are builder methods: `CrossEntropyLoss::new().label_smoothing(0.1)`.
//!
//! Losses are modules, as in torch: a model may keep one as a field, and it
//! prints in the model's tree.
//!
//! ```
//! use nn_core::prelude::*;
//!
//! #[derive(Module)]
//! struct Classifier {
//!     fc: Linear,
//!     loss_fn: CrossEntropyLoss,
//! }
//!
//! impl Module for Classifier {
//!     fn forward(&self, x: &Tensor) -> Tensor {
//!         self.fc.forward(x)
//!     }
//! }
//!
//! let model = Classifier { fc: Linear::new(4, 3), loss_fn: CrossEntropyLoss::new() };
//! assert_eq!(
//!     model.to_string(),
//!     "Classifier(\n  (fc): Linear(in_features=4, out_features=3, bias=True)\n  (loss_fn): CrossEntropyLoss()\n)"
//! );
//! assert_eq!(model.num_parameters(), 15);
//! let loss = model.loss_fn.forward(&model.forward(&Tensor::zeros([2, 4])), &tensor![0, 2]);
//! assert_eq!(loss.grad_fn().unwrap().name(), "NllLossBackward0");
//! ```

mod bce;
mod bce_with_logits;
mod composite;
mod cross_entropy;
mod mse;
mod nll;
mod reduction;

pub use bce::BCELoss;
pub use bce_with_logits::BCEWithLogitsLoss;
pub use cross_entropy::CrossEntropyLoss;
pub use mse::MSELoss;
pub use nll::NLLLoss;
pub use reduction::Reduction;

/// The losses as plain functions, re-exported by `nn::functional` (`F`).
///
/// ```
/// use nn_core::prelude::*;
///
/// let loss = F::mse_loss(&tensor![1.0, 3.0], &tensor![0.0, 0.0]); // reduction="mean"
/// assert_eq!(loss.item(), 5.0);
/// let same = nn_core::nn::loss::functional::mse_loss_with;
/// assert_eq!(same(&tensor![1.0], &tensor![0.0], Reduction::Sum).item(), 1.0);
/// ```
pub mod functional {
    pub use super::bce::{binary_cross_entropy, binary_cross_entropy_with};
    pub use super::bce_with_logits::{
        binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_with,
    };
    pub use super::cross_entropy::{cross_entropy, cross_entropy_with};
    pub use super::mse::{mse_loss, mse_loss_with};
    pub use super::nll::{nll_loss, nll_loss_with};
}

//! Loss functions, as modules (`MSELoss`, `CrossEntropyLoss`, …) and as
//! functions ([`functional`]). A loss takes a prediction and a target:
//! `loss_fn.forward(&prediction, &target)`. Options torch takes as keyword
//! arguments are builder methods: `CrossEntropyLoss::new().label_smoothing(0.1)`.

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
pub mod functional {
    pub use super::bce::binary_cross_entropy;
    pub use super::bce_with_logits::binary_cross_entropy_with_logits;
    pub use super::cross_entropy::cross_entropy;
    pub use super::mse::mse_loss;
    pub use super::nll::nll_loss;
}

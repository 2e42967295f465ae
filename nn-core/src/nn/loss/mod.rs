//! Loss functions, as modules (`MSELoss`, …) and as functions
//! ([`functional`]). A loss takes a prediction and a target:
//! `loss_fn.forward(&prediction, &target)`.

mod mse;
mod reduction;

pub use mse::MSELoss;
pub use reduction::Reduction;

/// The losses as plain functions, re-exported by `nn::functional` (`F`).
pub mod functional {
    pub use super::mse::mse_loss;
}

//! `Flatten`: merges a range of dimensions into one.

use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::tensor::Tensor;

/// Flattens dimensions `start_dim..=end_dim`, as `nn.Flatten()` (defaults 1
/// and -1: everything but the batch dimension).
///
/// ```
/// use nn_core::prelude::*;
/// let f = Flatten::new();
/// assert_eq!(f.to_string(), "Flatten(start_dim=1, end_dim=-1)");
/// assert_eq!(f.forward(&Tensor::zeros([8, 1, 28, 28])).shape(), [8, 784]);
/// ```
#[derive(Clone, Debug)]
pub struct Flatten {
    /// First dimension to flatten.
    pub start_dim: i64,
    /// Last dimension to flatten.
    pub end_dim: i64,
    training: TrainingFlag,
}

impl Flatten {
    /// `nn.Flatten()`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Flatten::new().start_dim, 1);
    /// ```
    pub fn new() -> Flatten {
        Flatten::with_dims(1, -1)
    }

    /// `nn.Flatten(start_dim, end_dim)`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Flatten::with_dims(0, -1).to_string(), "Flatten(start_dim=0, end_dim=-1)");
    /// ```
    pub fn with_dims(start_dim: i64, end_dim: i64) -> Flatten {
        Flatten {
            start_dim,
            end_dim,
            training: TrainingFlag::default(),
        }
    }
}

impl Default for Flatten {
    fn default() -> Self {
        Flatten::new()
    }
}

impl ModuleInfo for Flatten {
    fn class_name(&self) -> String {
        "Flatten".into()
    }
    fn extra_repr(&self) -> String {
        format!("start_dim={}, end_dim={}", self.start_dim, self.end_dim)
    }
    super::module::builtin_layer_state!();
}

impl Module for Flatten {
    fn forward(&self, input: &Tensor) -> Tensor {
        input.flatten_dims(self.start_dim, self.end_dim)
    }
    super::module::compiled_module_methods!();
}

impl std::fmt::Display for Flatten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&Module::repr(self))
    }
}

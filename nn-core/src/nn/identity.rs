//! `Identity`: returns its input.

use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::tensor::Tensor;

/// A placeholder layer that returns its input, as `nn.Identity()`.
///
/// ```
/// use nn_core::prelude::*;
/// let id = Identity::new();
/// assert_eq!(id.to_string(), "Identity()");
/// assert_eq!(id.forward(&tensor![1.0]).item(), 1.0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Identity {
    training: TrainingFlag,
}

impl Identity {
    /// `nn.Identity()`.
    ///
    /// ```
    /// let _ = nn_core::nn::Identity::new();
    /// ```
    pub fn new() -> Identity {
        Identity::default()
    }
}

impl ModuleInfo for Identity {
    fn class_name(&self) -> String {
        "Identity".into()
    }
    super::module::builtin_layer_state!();
}

impl Module for Identity {
    fn forward(&self, input: &Tensor) -> Tensor {
        input.clone()
    }
    super::module::compiled_module_methods!();
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&Module::repr(self))
    }
}

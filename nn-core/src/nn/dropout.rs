//! `Dropout`: zeroes random elements while training.

use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::tensor::Tensor;

/// During training, zeroes each element with probability `p` and scales the
/// rest by `1/(1-p)`; in evaluation mode (after `model.eval()`) returns the
/// input, as `nn.Dropout(p)`.
///
/// The mask is torch's bit for bit after `manual_seed` ([`F::dropout`](super::functional::dropout)).
///
/// ```
/// use nn_core::prelude::*;
/// let d = Dropout::new(0.5);
/// assert_eq!(d.to_string(), "Dropout(p=0.5, inplace=False)");
/// manual_seed(0);
/// let y = d.forward(&Tensor::ones([6]));
/// assert_eq!(y.to_vec::<f32>(), vec![0.0, 0.0, 2.0, 0.0, 0.0, 0.0]);
/// d.eval();
/// assert_eq!(d.forward(&Tensor::ones([2])).to_vec::<f32>(), vec![1.0, 1.0]);
/// d.train();
/// assert!(d.training());
/// ```
#[derive(Clone, Debug)]
pub struct Dropout {
    /// Probability of zeroing an element.
    pub p: f64,
    training: TrainingFlag,
}

impl Dropout {
    /// `nn.Dropout(p)`.
    ///
    /// # Panics
    /// If `p` is not in `[0, 1]`, with torch's message.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Dropout::new(0.25).p, 0.25);
    /// ```
    #[track_caller]
    pub fn new(p: f64) -> Dropout {
        assert!(
            (0.0..=1.0).contains(&p),
            "dropout probability has to be between 0 and 1, but got {p}"
        );
        Dropout {
            p,
            training: TrainingFlag::default(),
        }
    }
}

impl ModuleInfo for Dropout {
    fn class_name(&self) -> String {
        "Dropout".into()
    }
    fn extra_repr(&self) -> String {
        format!(
            "p={}, inplace=False",
            crate::print::python_float_repr(self.p)
        )
    }
    super::module::builtin_layer_state!();
}

impl Module for Dropout {
    fn forward(&self, input: &Tensor) -> Tensor {
        super::functional::dropout(input, self.p, self.training.get())
    }
    super::module::compiled_module_methods!();
}

impl std::fmt::Display for Dropout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&Module::repr(self))
    }
}

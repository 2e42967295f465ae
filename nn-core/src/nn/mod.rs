//! `torch.nn`: the [`Module`] trait and `#[derive(Module)]`, layers, the
//! containers ([`Sequential`], [`ModuleList`], [`ModuleDict`]), losses,
//! [`functional`] (imported as `F`), [`init`] and [`utils`]
//! (`clip_grad_norm_`).
//!
//! ```
//! use nn_core::prelude::*;
//!
//! let model = sequential![Linear::new(4, 8), ReLU::new(), Linear::new(8, 3)];
//! let logits = model.forward(&Tensor::randn([2, 4]));
//! assert_eq!(F::softmax(&logits, 1).shape(), [2, 3]);
//! let loss = CrossEntropyLoss::new().forward(&logits, &tensor![0, 2]);
//! loss.backward();
//! assert!(model.parameters().iter().all(|p| p.grad().is_some()));
//! ```

mod activation;
mod dropout;
mod flatten;
pub mod functional;
mod identity;
pub mod init;
mod linear;
pub mod loss;
mod module;
mod module_dict;
mod module_list;
mod sequential;
mod state_dict;
pub mod utils;

pub use activation::{LeakyReLU, ReLU, Sigmoid, Softmax, Tanh};
pub use dropout::Dropout;
pub use flatten::Flatten;
pub use identity::Identity;
pub use linear::Linear;
pub use loss::{BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, Reduction};
pub use module::{Module, ModuleField, ModuleInfo, Registry, TrainingFlag};
pub use module_dict::ModuleDict;
pub use module_list::ModuleList;
pub use nn_core_derive::Module;
pub use sequential::{PyIndex, Sequential};
pub use state_dict::{IncompatibleKeys, StateDict};

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
mod adaptive_avg_pool;
mod avg_pool;
mod batch_norm;
mod conv1d;
mod conv2d;
mod dropout;
mod dropout2d;
mod embedding;
mod flatten;
pub mod functional;
mod identity;
pub mod init;
mod int_or_pair;
mod layer_norm;
mod linear;
pub mod loss;
mod max_pool;
mod module;
mod module_dict;
mod module_list;
mod pad;
mod padding;
mod sequential;
mod state_dict;
pub mod utils;

pub use activation::{LeakyReLU, ReLU, Sigmoid, Softmax, Tanh};
pub use adaptive_avg_pool::AdaptiveAvgPool2d;
pub use avg_pool::{AvgPool2d, AvgPool2dConfig};
pub use batch_norm::{BatchNorm1d, BatchNorm2d, BatchNormConfig};
pub use conv1d::{Conv1d, Conv1dConfig};
pub use conv2d::{Conv2d, Conv2dConfig};
pub use dropout::Dropout;
pub use dropout2d::Dropout2d;
pub use embedding::Embedding;
pub use flatten::Flatten;
pub use identity::Identity;
pub use int_or_pair::IntOrPair;
pub use layer_norm::{LayerNorm, LayerNormConfig};
pub use linear::Linear;
pub use loss::{BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, Reduction};
pub use max_pool::{MaxPool2d, MaxPool2dConfig};
pub use module::{Module, ModuleField, ModuleInfo, Registry, TrainingFlag};
pub use module_dict::ModuleDict;
pub use module_list::ModuleList;
pub use nn_core_derive::Module;
pub use padding::Padding;
pub use sequential::{PyIndex, Sequential};
pub use state_dict::{IncompatibleKeys, StateDict};

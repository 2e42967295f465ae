//! nn-core: tensors, autograd and `torch.nn` for Rust notebooks.
//!
//! The promise to a student: the same program, run in PyTorch and here with the
//! same seed, prints the same text. Printing follows PyTorch's rules character for
//! character ([`print`](mod@print)) and [`manual_seed`] gives PyTorch's CPU random numbers bit
//! for bit ([`random`]).
//!
//! ```
//! use nn_core::prelude::*;
//!
//! let x = tensor![[1.0, -1.0], [0.0, 1.0], [0.0, 0.0]];
//! assert_eq!(x.size(), Size::from([3, 2]));
//! assert_eq!(
//!     x.to_string(),
//!     "tensor([[ 1., -1.],\n        [ 0.,  1.],\n        [ 0.,  0.]])"
//! );
//! ```

#![warn(missing_docs)]

pub mod autograd;
mod cpu;
pub mod data;
pub mod display;
pub mod dtype;
pub mod error;
pub mod nn;
pub mod notebook;
pub mod optim;
pub mod plot;
pub mod print;
pub mod random;
pub mod size;
pub mod tensor;
pub mod threads;
mod warnings;

pub use dtype::DType;
pub use error::{Result, TensorError};
pub use print::{PrintOptions, set_printoptions};
pub use random::{Generator, initial_seed, manual_seed};
pub use size::Size;
pub use tensor::Tensor;
pub use threads::{get_num_threads, set_num_threads};

/// Everything a notebook needs, in one `use`.
///
/// ```
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// let model = Linear::new(2, 1);
/// let mut opt = SGD::new(model.parameters(), 0.1);
/// let (x, y) = (tensor![[1.0, 2.0]], tensor![[1.0]]);
/// let loss = F::mse_loss(&model.forward(&x), &y);
/// loss.backward();
/// opt.step();
/// assert!(F::mse_loss(&model.forward(&x), &y).item() < loss.item());
/// ```
pub mod prelude {
    pub use crate::autograd::{NoGradGuard, no_grad};
    pub use crate::data;
    pub use crate::data::{DataLoader, Dataset, TensorDataset, random_split, random_split_with};
    pub use crate::display::{ProgressBar, progress};
    pub use crate::dtype::DType;
    pub use crate::nn::StateDict;
    pub use crate::nn::functional as F;
    pub use crate::nn::{
        AdaptiveAvgPool2d, AvgPool2d, AvgPool2dConfig, BCELoss, BCEWithLogitsLoss, BatchNorm1d,
        BatchNorm2d, BatchNormConfig, Conv1d, Conv1dConfig, Conv2d, Conv2dConfig, CrossEntropyLoss,
        Dropout, Dropout2d, Embedding, Flatten, Identity, LayerNorm, LayerNormConfig, LeakyReLU,
        Linear, MSELoss, MaxPool2d, MaxPool2dConfig, Module, ModuleDict, ModuleInfo, ModuleList,
        NLLLoss, ReLU, Reduction, Sequential, Sigmoid, Softmax, Tanh,
    };
    pub use crate::nn::{init, utils::clip_grad_norm_};
    pub use crate::notebook::{
        DisplayHandle, EvcxrDisplay as _, MimeBundle, Render, check_interrupt, clear_output,
        display,
    };
    pub use crate::optim::lr_scheduler::{
        CosineAnnealingLR, ExponentialLR, LRScheduler, MultiStepLR, StepLR,
    };
    pub use crate::optim::{Adam, AdamW, Optimizer, SGD};
    pub use crate::plot;
    pub use crate::plot::{Figure, LiveFigure, LivePlot};
    pub use crate::print::{PrintOptions, set_printoptions};
    pub use crate::random::{Generator, initial_seed, manual_seed};
    pub use crate::size::Size;
    pub use crate::tensor;
    pub use crate::tensor::{ELLIPSIS, NEW_AXIS, Scalar, Slice, Tensor};
    pub use crate::{module_dict, module_list, sequential};
}

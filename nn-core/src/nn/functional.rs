//! `torch.nn.functional`: the layers' computations as plain functions.
//! Import it as `F` (the prelude does): `F::relu(&x)`.
//!
//! ```
//! use nn_core::prelude::*;
//!
//! let x = tensor![[-1.0, 2.0], [0.5, -3.0]];
//! assert_eq!(F::relu(&x).to_vec::<f32>(), ReLU::new().forward(&x).to_vec::<f32>());
//! let probs = F::softmax(&x, 1);
//! assert!(probs.sum_dim(1, false).allclose(&Tensor::ones([2])));
//! let loss = F::cross_entropy(&x, &tensor![1, 0], Reduction::Mean);
//! assert_eq!(loss.dim(), 0); // one number, as `reduction="mean"` gives
//! ```

use crate::tensor::Tensor;

/// `max(0, x)`, as `F.relu`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(F::relu(&tensor![-1.0, 1.0]).to_vec::<f32>(), vec![0.0, 1.0]);
/// ```
#[track_caller]
pub fn relu(x: &Tensor) -> Tensor {
    x.relu()
}

/// `1 / (1 + e^-x)`, as `F.sigmoid` / `torch.sigmoid`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(F::sigmoid(&tensor![0.0]).item(), 0.5);
/// ```
pub fn sigmoid(x: &Tensor) -> Tensor {
    x.sigmoid()
}

/// The hyperbolic tangent, as `F.tanh` / `torch.tanh`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(F::tanh(&tensor![0.0]).item(), 0.0);
/// ```
pub fn tanh(x: &Tensor) -> Tensor {
    x.tanh()
}

/// Leaky ReLU, as `F.leaky_relu(x, negative_slope)`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(F::leaky_relu(&tensor![-1.0], 0.01).to_vec::<f32>(), vec![-0.01]);
/// ```
pub fn leaky_relu(x: &Tensor, negative_slope: f64) -> Tensor {
    x.leaky_relu(negative_slope)
}

/// Softmax along `dim`, as `F.softmax(x, dim)`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(F::softmax(&tensor![0.0, 0.0], 0).to_vec::<f32>(), vec![0.5, 0.5]);
/// ```
#[track_caller]
pub fn softmax(x: &Tensor, dim: i64) -> Tensor {
    x.softmax(dim)
}

/// Log-softmax along `dim`, as `F.log_softmax(x, dim)`.
///
/// ```
/// use nn_core::prelude::*;
/// assert!(F::log_softmax(&tensor![1.0, 2.0], 0).exp().sum().allclose(&Tensor::scalar(1.0)));
/// ```
#[track_caller]
pub fn log_softmax(x: &Tensor, dim: i64) -> Tensor {
    x.log_softmax(dim)
}

/// `x Wᵀ + b`, as `F.linear(x, weight, bias)`.
///
/// ```
/// use nn_core::prelude::*;
/// let y = F::linear(&tensor![1.0, 2.0], &tensor![[1.0, 1.0]], Some(&tensor![0.5]));
/// assert_eq!(y.item(), 3.5);
/// ```
#[track_caller]
pub fn linear(x: &Tensor, weight: &Tensor, bias: Option<&Tensor>) -> Tensor {
    x.linear(weight, bias)
}

/// Dropout: while `training`, zeroes elements with probability `p` (mask from
/// the default generator) and scales the rest by `1/(1-p)`, as `F.dropout`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(F::dropout(&Tensor::ones([3]), 0.5, false).to_vec::<f32>(), vec![1.0; 3]);
/// assert_eq!(F::dropout(&Tensor::ones([3]), 1.0, true).to_vec::<f32>(), vec![0.0; 3]);
/// ```
pub fn dropout(x: &Tensor, p: f64, training: bool) -> Tensor {
    if !training || p == 0.0 {
        return x.clone();
    }
    if p == 1.0 {
        return x * &Tensor::zeros_like(x);
    }
    let keep = Tensor::rand(x.shape()).ge(p).to_dtype(x.dtype());
    &(x * &keep) * (1.0 / (1.0 - p))
}

pub use super::loss::functional::{
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, mse_loss, nll_loss,
};

pub use super::adaptive_avg_pool::adaptive_avg_pool2d;
pub use super::avg_pool::avg_pool2d;
pub use super::batch_norm::batch_norm;
pub use super::conv1d::{conv1d, try_conv1d};
pub use super::conv2d::{conv2d, try_conv2d};
pub use super::dropout2d::dropout2d;
pub use super::embedding::embedding;
pub use super::layer_norm::layer_norm;
pub use super::max_pool::{max_pool2d, max_pool2d_with_indices};
pub use super::pad::pad;

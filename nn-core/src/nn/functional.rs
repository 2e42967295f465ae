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
//! let loss = F::cross_entropy(&x, &tensor![1, 0]);
//! assert_eq!(loss.dim(), 0); // one number, as `reduction="mean"` gives
//! ```

use crate::dtype::DType;
use crate::random::with_default_generator;
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

/// Dropout: while `training`, zeroes each element with probability `p` and
/// scales the others by `1/(1-p)`, as `F.dropout(x, p, training)`; the
/// input itself when not training or `p` is 0.
///
/// The mask is torch's, bit for bit: after `manual_seed(s)` the same
/// elements are dropped as by `F.dropout` in torch (one double uniform per
/// element from the default generator, kept when below `1 - p`). The result
/// is `x * noise` (`MulBackward0`), `noise` holding 0 or `1/(1-p)`.
///
/// # Panics
/// If `p` is not in `[0, 1]`, with torch's message.
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let y = F::dropout(&Tensor::ones([6]), 0.5, true);
/// assert_eq!(y.to_string(), "tensor([0., 0., 2., 0., 0., 0.])"); // torch's mask
/// assert_eq!(F::dropout(&Tensor::ones([3]), 0.5, false).to_vec::<f32>(), vec![1.0; 3]);
/// assert_eq!(F::dropout(&Tensor::ones([3]), 1.0, true).to_vec::<f32>(), vec![0.0; 3]);
/// ```
pub fn dropout(x: &Tensor, p: f64, training: bool) -> Tensor {
    if !(0.0..=1.0).contains(&p) {
        panic!("dropout probability has to be between 0 and 1, but got {p}");
    }
    if !training || p == 0.0 || x.numel() == 0 {
        return x.clone();
    }
    if p == 1.0 {
        return x * &Tensor::scalar(0.0).to_dtype(x.dtype());
    }
    // noise = empty_like(x).bernoulli_(1 - p); noise.div_(1 - p)
    let keep = 1.0 - p;
    let noise = with_default_generator(|g| match x.dtype() {
        DType::Float64 => {
            let mut v = vec![0.0f64; x.numel()];
            g.fill_bernoulli_f64(&mut v, keep);
            v.iter_mut().for_each(|m| *m /= keep);
            Tensor::from_vec(v, x.shape())
        }
        _ => {
            let mut v = vec![0.0f32; x.numel()];
            g.fill_bernoulli_f32(&mut v, keep);
            let keep = keep as f32;
            v.iter_mut().for_each(|m| *m /= keep);
            Tensor::from_vec(v, x.shape()).to_dtype(x.dtype())
        }
    });
    x * &noise
}

/// Class labels (int64) as one-hot rows: a new last dimension of
/// `num_classes` (`-1`: the largest label + 1) with a 1 at each label, as
/// `F.one_hot(labels, num_classes)`. The result is int64.
///
/// # Panics
/// On labels that are not int64, negative, or not below `num_classes`, with
/// torch's messages.
///
/// ```
/// use nn_core::prelude::*;
/// let labels = tensor![0, 2, 1];
/// assert_eq!(
///     F::one_hot(&labels, 3).to_string(),
///     "tensor([[1, 0, 0],\n        [0, 0, 1],\n        [0, 1, 0]])"
/// );
/// assert_eq!(F::one_hot(&tensor![3], -1).shape(), [1, 4]);
/// ```
#[track_caller]
pub fn one_hot(labels: &Tensor, num_classes: i64) -> Tensor {
    crate::error::or_panic(try_one_hot(labels, num_classes))
}

/// Fallible form of [`one_hot`].
///
/// ```
/// use nn_core::prelude::*;
/// let err = F::try_one_hot(&tensor![0, 3], 3).unwrap_err();
/// assert_eq!(err.to_string(), "Class values must be smaller than num_classes.");
/// ```
pub fn try_one_hot(labels: &Tensor, num_classes: i64) -> crate::Result<Tensor> {
    crate::tensor::one_hot(labels, num_classes)
}

pub use super::loss::functional::{
    binary_cross_entropy, binary_cross_entropy_with, binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_with, cross_entropy, cross_entropy_with, mse_loss,
    mse_loss_with, nll_loss, nll_loss_with,
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

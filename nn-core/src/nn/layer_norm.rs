//! `LayerNorm` and `F::layer_norm`: normalisation of each sample over its
//! last dimensions.

use super::int_or_pair::{python_bool, python_tuple};
use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::error::or_panic;
use crate::tensor::Tensor;

/// torch's keyword arguments of `nn.LayerNorm` beyond `normalized_shape`,
/// with torch's defaults (`eps=1e-05, elementwise_affine=True, bias=True`).
///
/// ```
/// use nn_core::prelude::*;
/// let ln = LayerNorm::with_config(&[2, 3], LayerNormConfig { eps: 1e-6, elementwise_affine: false, ..Default::default() });
/// assert_eq!(ln.to_string(), "LayerNorm((2, 3), eps=1e-06, elementwise_affine=False, bias=False)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerNormConfig {
    /// Added to the variance before the square root.
    pub eps: f64,
    /// Whether there are per-element `weight` (and `bias`) parameters.
    pub elementwise_affine: bool,
    /// With `elementwise_affine`, whether there is a `bias`.
    pub bias: bool,
}

impl Default for LayerNormConfig {
    fn default() -> LayerNormConfig {
        LayerNormConfig {
            eps: 1e-5,
            elementwise_affine: true,
            bias: true,
        }
    }
}

/// Layer normalisation, as `torch.nn.LayerNorm(normalized_shape)`: each
/// sample is normalised over its last `normalized_shape.len()` dimensions
/// (mean 0, biased variance 1), then scaled by `weight` and shifted by
/// `bias`, elementwise. The same in training and evaluation mode.
///
/// ```
/// use nn_core::prelude::*;
/// let ln = LayerNorm::new(4);
/// assert_eq!(ln.to_string(), "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)");
/// let y = ln.forward(&tensor![[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 6.0]]);
/// assert_eq!(y.grad_fn().unwrap().name(), "NativeLayerNormBackward0");
/// assert!(y.mean_dim(1, false).abs().max().item() < 1e-6);
/// ```
#[derive(Clone)]
pub struct LayerNorm {
    /// Ones at first, of `normalized_shape`; `None` without `elementwise_affine`.
    pub weight: Option<Tensor>,
    /// Zeros at first, of `normalized_shape`; `None` without it or `bias`.
    pub bias: Option<Tensor>,
    /// The trailing dimensions normalised over.
    pub normalized_shape: Vec<usize>,
    /// Added to the variance.
    pub eps: f64,
    /// Whether there are `weight` and `bias`.
    pub elementwise_affine: bool,
    training: TrainingFlag,
}

impl LayerNorm {
    /// `nn.LayerNorm(features)`: normalises over the last dimension.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::LayerNorm::new(8).normalized_shape, vec![8]);
    /// ```
    pub fn new(features: usize) -> LayerNorm {
        LayerNorm::with_config(&[features], LayerNormConfig::default())
    }

    /// `nn.LayerNorm(normalized_shape, **config)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let ln = LayerNorm::with_config(&[3, 4], LayerNormConfig::default());
    /// assert_eq!(ln.weight.as_ref().unwrap().shape(), [3, 4]);
    /// ```
    pub fn with_config(normalized_shape: &[usize], config: LayerNormConfig) -> LayerNorm {
        let affine = config.elementwise_affine;
        LayerNorm {
            weight: affine.then(|| Tensor::parameter(Tensor::ones(normalized_shape))),
            bias: (affine && config.bias)
                .then(|| Tensor::parameter(Tensor::zeros(normalized_shape))),
            normalized_shape: normalized_shape.to_vec(),
            eps: config.eps,
            elementwise_affine: affine,
            training: TrainingFlag::default(),
        }
    }
}

impl ModuleInfo for LayerNorm {
    fn class_name(&self) -> String {
        "LayerNorm".into()
    }
    fn extra_repr(&self) -> String {
        format!(
            "{}, eps={}, elementwise_affine={}, bias={}",
            python_tuple(&self.normalized_shape),
            crate::print::python_float_repr(self.eps),
            python_bool(self.elementwise_affine),
            python_bool(self.bias.is_some())
        )
    }
    fn own_parameters(&self) -> Vec<(String, Tensor)> {
        [("weight", &self.weight), ("bias", &self.bias)]
            .into_iter()
            .filter_map(|(n, t)| t.as_ref().map(|t| (n.to_string(), t.clone())))
            .collect()
    }
    super::module::builtin_layer_state!();
}

impl Module for LayerNorm {
    /// Normalises (`NativeLayerNormBackward0`).
    fn forward(&self, input: &Tensor) -> Tensor {
        layer_norm(
            input,
            &self.normalized_shape,
            self.weight.as_ref(),
            self.bias.as_ref(),
            self.eps,
        )
    }
    super::module::compiled_module_methods!();
}

crate::impl_module_display!(LayerNorm);

/// Layer normalisation, as `F.layer_norm(input, normalized_shape, weight,
/// bias, eps)`.
///
/// # Panics
/// If the input does not end with `normalized_shape`, with torch's message.
///
/// ```
/// use nn_core::prelude::*;
/// let y = F::layer_norm(&tensor![[1.0, 3.0]], &[2], None, None, 0.0);
/// assert_eq!(y.to_vec::<f32>(), vec![-1.0, 1.0]);
/// ```
#[track_caller]
pub fn layer_norm(
    input: &Tensor,
    normalized_shape: &[usize],
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> Tensor {
    or_panic(crate::tensor::layer_norm(
        input,
        normalized_shape,
        weight,
        bias,
        eps,
    ))
}

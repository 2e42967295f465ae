//! `Linear`: `y = x Wᵀ + b`, initialised exactly as torch.

use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::random::{linear_init_bound, with_default_generator};
use crate::tensor::Tensor;

/// A fully connected layer, as `torch.nn.Linear(in_features, out_features)`.
///
/// The weight has shape `[out_features, in_features]` and the bias
/// `[out_features]`. Both are drawn from `U(-1/√in, 1/√in)` by the default
/// generator, weight first, exactly as torch does: after `manual_seed(0)`,
/// `Linear::new(2, 5)` has torch's weights bit for bit.
///
/// torch's `m.weight` and `m.bias` are `m.weight()` and `m.bias()`: the same
/// methods work on every module (`net[0].weight()`, `model.l1.bias()`).
/// They return the parameter itself (a handle), so `m.weight().grad()` and
/// `init::zeros_(&m.bias())` act on the layer's tensors.
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let m = Linear::new(2, 5);
/// assert_eq!(m.to_string(), "Linear(in_features=2, out_features=5, bias=True)");
/// assert_eq!(
///     m.weight().to_string(),
///     "Parameter containing:\ntensor([[-0.0053,  0.3793],\n        [-0.5820, -0.5204],\n        [-0.2723,  0.1896],\n        [-0.0140,  0.5607],\n        [-0.0628,  0.1871]], requires_grad=True)"
/// );
/// let y = m.forward(&tensor![[1.0, -1.0], [0.0, 1.0], [0.0, 0.0]]);
/// assert_eq!(y.size().to_string(), "torch.Size([3, 5])");
/// ```
#[derive(Clone)]
pub struct Linear {
    /// `[out_features, in_features]`, a parameter: `m.weight()`.
    pub(crate) weight: Tensor,
    /// `[out_features]`, a parameter (`m.bias()`); `None` for `bias=False`.
    pub(crate) bias: Option<Tensor>,
    /// Size of each input sample.
    pub in_features: usize,
    /// Size of each output sample.
    pub out_features: usize,
    training: TrainingFlag,
}

impl Linear {
    /// A layer with a bias, as `nn.Linear(in_features, out_features)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let m = Linear::new(784, 128);
    /// assert_eq!(m.num_parameters(), 784 * 128 + 128);
    /// ```
    pub fn new(in_features: usize, out_features: usize) -> Linear {
        Linear::with_bias(in_features, out_features, true)
    }

    /// A layer with or without a bias, as `nn.Linear(in, out, bias=...)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let m = Linear::with_bias(2, 3, false);
    /// assert_eq!(m.to_string(), "Linear(in_features=2, out_features=3, bias=False)");
    /// assert!(m.get_parameter("bias").is_none());
    /// ```
    pub fn with_bias(in_features: usize, out_features: usize, bias: bool) -> Linear {
        let bound = linear_init_bound(in_features);
        let (weight, bias) = with_default_generator(|g| {
            let w = Tensor::zeros([out_features, in_features]);
            w.uniform_with_(-bound, bound, g);
            let b = bias.then(|| {
                let b = Tensor::zeros([out_features]);
                b.uniform_with_(-bound, bound, g);
                b
            });
            (w, b)
        });
        Linear::from_parameters(Tensor::parameter(weight), bias.map(Tensor::parameter))
    }

    /// A layer with given weights (made parameters), for exact experiments.
    ///
    /// # Panics
    /// If the weight is not 2-D or the bias size differs from its rows.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let m = Linear::from_weights(tensor![[1.0, 2.0]], Some(tensor![0.5]));
    /// assert_eq!(m.forward(&tensor![1.0, 1.0]).item(), 3.5);
    /// ```
    #[track_caller]
    pub fn from_weights(weight: Tensor, bias: Option<Tensor>) -> Linear {
        Linear::from_parameters(Tensor::parameter(weight), bias.map(Tensor::parameter))
    }

    #[track_caller]
    fn from_parameters(weight: Tensor, bias: Option<Tensor>) -> Linear {
        assert_eq!(
            weight.dim(),
            2,
            "Linear weight must be 2-D, got shape {:?}",
            weight.shape().to_vec()
        );
        let (out_features, in_features) = (weight.shape()[0], weight.shape()[1]);
        if let Some(b) = &bias {
            assert_eq!(
                b.shape(),
                [out_features],
                "Linear bias must have shape [{out_features}]"
            );
        }
        Linear {
            weight,
            bias,
            in_features,
            out_features,
            training: TrainingFlag::default(),
        }
    }
}

impl ModuleInfo for Linear {
    fn class_name(&self) -> String {
        "Linear".into()
    }
    fn extra_repr(&self) -> String {
        format!(
            "in_features={}, out_features={}, bias={}",
            self.in_features,
            self.out_features,
            if self.bias.is_some() { "True" } else { "False" }
        )
    }
    fn own_parameters(&self) -> Vec<(String, Tensor)> {
        let mut p = vec![("weight".to_string(), self.weight.clone())];
        if let Some(b) = &self.bias {
            p.push(("bias".to_string(), b.clone()));
        }
        p
    }
    super::module::builtin_layer_state!();
}

impl Module for Linear {
    /// `x Wᵀ + b` ([`Tensor::linear`]): `AddmmBackward0` for a 2-D input.
    fn forward(&self, input: &Tensor) -> Tensor {
        input.linear(&self.weight, self.bias.as_ref())
    }
    super::module::compiled_module_methods!();
}

crate::impl_module_display!(Linear);

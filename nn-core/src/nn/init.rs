//! `torch.nn.init`: filling parameters in place, bit for bit as torch.
//!
//! Each function fills the tensor it is given (a parameter such as
//! `m.weight()` is a handle, so the layer sees the new values) without
//! recording a graph, and returns it. The random ones draw from the default
//! generator exactly as torch does (`uniform_` and `normal_` of
//! [`random`](crate::random)), so after `manual_seed(s)` they give torch's
//! numbers; `mode` and `nonlinearity` are torch's strings.
//!
//! ```
//! use nn_core::prelude::*;
//! use nn_core::nn::init;
//!
//! manual_seed(0);
//! let fc = Linear::new(4, 3);
//! init::kaiming_normal_(&fc.weight(), 0.0, "fan_out", "relu");
//! init::zeros_(&fc.bias());
//! assert_eq!(fc.bias().to_string(), "Parameter containing:\ntensor([0., 0., 0.], requires_grad=True)");
//! ```

use crate::autograd::no_grad;
use crate::tensor::Tensor;

/// The recommended gain for a nonlinearity, as
/// `nn.init.calculate_gain(nonlinearity, param)`: 1 for `"linear"`, the
/// convolutions and `"sigmoid"`, 5/3 for `"tanh"`, √2 for `"relu"`,
/// √(2/(1 + slope²)) for `"leaky_relu"` (`param` is the negative slope,
/// 0.01 when `None`), 3/4 for `"selu"`.
///
/// # Panics
/// For another name, with torch's message: `Unsupported nonlinearity gelu`.
///
/// ```
/// use nn_core::nn::init;
/// assert_eq!(init::calculate_gain("tanh", None), 5.0 / 3.0);
/// assert_eq!(init::calculate_gain("relu", None), 2f64.sqrt());
/// assert_eq!(init::calculate_gain("leaky_relu", Some(0.2)), 1.3867504905630728);
/// ```
pub fn calculate_gain(nonlinearity: &str, param: Option<f64>) -> f64 {
    match nonlinearity {
        "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d"
        | "conv_transpose3d" | "sigmoid" => 1.0,
        "tanh" => 5.0 / 3.0,
        "relu" => 2f64.sqrt(),
        "leaky_relu" => {
            let slope = param.unwrap_or(0.01);
            // Python's `negative_slope**2` is C's pow.
            (2.0 / (1.0 + slope.powf(2.0))).sqrt()
        }
        "selu" => 3.0 / 4.0,
        other => panic!("Unsupported nonlinearity {other}"),
    }
}

/// Fills `tensor` with values drawn from `U(a, b)`, as
/// `nn.init.uniform_(tensor, a, b)` (torch's defaults are `a = 0`, `b = 1`).
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::init;
/// manual_seed(0);
/// let w = init::uniform_(&Tensor::zeros([3]), 0.0, 1.0);
/// assert_eq!(w.to_string(), "tensor([0.4963, 0.7682, 0.0885])"); // torch.rand(3)
/// ```
pub fn uniform_(tensor: &Tensor, a: f64, b: f64) -> Tensor {
    no_grad(|| tensor.uniform_(a, b))
}

/// Fills `tensor` with values drawn from `N(mean, std²)`, as
/// `nn.init.normal_(tensor, mean, std)` (torch's defaults are 0 and 1).
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::init;
/// manual_seed(0);
/// let w = init::normal_(&Tensor::zeros([2]), 0.0, 1.0);
/// assert_eq!(w.to_string(), "tensor([ 1.5410, -0.2934])"); // torch.randn(2)
/// ```
pub fn normal_(tensor: &Tensor, mean: f64, std: f64) -> Tensor {
    no_grad(|| tensor.normal_(mean, std))
}

/// Fills `tensor` with `val`, as `nn.init.constant_(tensor, val)`.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::init;
/// let b = Linear::new(2, 3).bias();
/// init::constant_(&b, 0.01);
/// assert_eq!(b.to_vec::<f32>(), vec![0.01; 3]);
/// ```
pub fn constant_(tensor: &Tensor, val: f64) -> Tensor {
    no_grad(|| tensor.fill_(val))
}

/// Fills `tensor` with zeros, as `nn.init.zeros_(tensor)`.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::init;
/// let m = Linear::new(2, 3);
/// init::zeros_(&m.bias());
/// assert_eq!(m.bias().sum().item(), 0.0);
/// ```
pub fn zeros_(tensor: &Tensor) -> Tensor {
    no_grad(|| tensor.zero_())
}

/// Fills `tensor` with ones, as `nn.init.ones_(tensor)`.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::init;
/// let w = init::ones_(&Tensor::zeros([2, 2]));
/// assert_eq!(w.to_vec::<f32>(), vec![1.0; 4]);
/// ```
pub fn ones_(tensor: &Tensor) -> Tensor {
    no_grad(|| tensor.fill_(1.0))
}

/// Xavier/Glorot uniform: `U(-a, a)` with `a = gain · √(6 / (fan_in +
/// fan_out))`, as `nn.init.xavier_uniform_(tensor, gain)` (torch's default
/// gain is 1).
///
/// # Panics
/// For a tensor of fewer than 2 dimensions, with torch's message.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::init;
/// manual_seed(0);
/// let w = init::xavier_uniform_(&Tensor::zeros([3, 5]), init::calculate_gain("tanh", None));
/// assert!(w.abs().max().item() <= 5.0 / 3.0 * (6.0f64 / 8.0).sqrt());
/// ```
pub fn xavier_uniform_(tensor: &Tensor, gain: f64) -> Tensor {
    let (fan_in, fan_out) = fans(tensor);
    let std = gain * (2.0 / (fan_in + fan_out) as f64).sqrt();
    let a = 3f64.sqrt() * std;
    uniform_(tensor, -a, a)
}

/// Xavier/Glorot normal: `N(0, std²)` with `std = gain · √(2 / (fan_in +
/// fan_out))`, as `nn.init.xavier_normal_(tensor, gain)`.
///
/// # Panics
/// For a tensor of fewer than 2 dimensions, with torch's message.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::init;
/// let w = init::xavier_normal_(&Tensor::zeros([64, 64]), 1.0);
/// let rms = (&w * &w).mean().item().sqrt(); // the mean is 0
/// assert!((rms - (2.0f64 / 128.0).sqrt()).abs() < 0.01);
/// ```
pub fn xavier_normal_(tensor: &Tensor, gain: f64) -> Tensor {
    let (fan_in, fan_out) = fans(tensor);
    let std = gain * (2.0 / (fan_in + fan_out) as f64).sqrt();
    normal_(tensor, 0.0, std)
}

/// Kaiming/He uniform: `U(-bound, bound)` with `bound = gain · √(3 / fan)`,
/// as `nn.init.kaiming_uniform_(tensor, a, mode, nonlinearity)`. `gain` is
/// [`calculate_gain`]`(nonlinearity, a)`; `fan` is `fan_in` or `fan_out` by
/// `mode`. torch's defaults are `0.0, "fan_in", "leaky_relu"`;
/// `nn.Linear` itself uses `a = √5`.
///
/// # Panics
/// For a tensor of fewer than 2 dimensions, another `mode`, or an unknown
/// nonlinearity, with torch's messages.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::init;
///
/// // nn.Linear's own initialisation of its weight:
/// manual_seed(0);
/// let w = init::kaiming_uniform_(&Tensor::zeros([3, 2]), 5f64.sqrt(), "fan_in", "leaky_relu");
/// manual_seed(0);
/// assert!(w.equal(&Linear::new(2, 3).weight()));
/// ```
pub fn kaiming_uniform_(tensor: &Tensor, a: f64, mode: &str, nonlinearity: &str) -> Tensor {
    if tensor.numel() == 0 {
        eprintln!("UserWarning: Initializing zero-element tensors is a no-op");
        return tensor.clone();
    }
    let fan = correct_fan(tensor, mode);
    let std = calculate_gain(nonlinearity, Some(a)) / (fan as f64).sqrt();
    let bound = 3f64.sqrt() * std;
    uniform_(tensor, -bound, bound)
}

/// Kaiming/He normal: `N(0, std²)` with `std = gain / √fan`, as
/// `nn.init.kaiming_normal_(tensor, a, mode, nonlinearity)` (see
/// [`kaiming_uniform_`] for the arguments).
///
/// # Panics
/// For a tensor of fewer than 2 dimensions, another `mode`, or an unknown
/// nonlinearity, with torch's messages.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::init;
/// manual_seed(0);
/// let w = init::kaiming_normal_(&Tensor::zeros([256, 128]), 0.0, "fan_in", "relu");
/// let rms = (&w * &w).mean().item().sqrt(); // the mean is 0
/// assert!((rms - (2.0f64 / 128.0).sqrt()).abs() < 0.005);
/// ```
pub fn kaiming_normal_(tensor: &Tensor, a: f64, mode: &str, nonlinearity: &str) -> Tensor {
    if tensor.numel() == 0 {
        eprintln!("UserWarning: Initializing zero-element tensors is a no-op");
        return tensor.clone();
    }
    let fan = correct_fan(tensor, mode);
    let std = calculate_gain(nonlinearity, Some(a)) / (fan as f64).sqrt();
    normal_(tensor, 0.0, std)
}

/// `(fan_in, fan_out)` of a weight: `size(1)` and `size(0)`, each times the
/// product of the remaining dimensions (a convolution's receptive field).
#[track_caller]
fn fans(tensor: &Tensor) -> (usize, usize) {
    let shape = tensor.shape();
    if shape.len() < 2 {
        panic!("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
    }
    let receptive: usize = shape[2..].iter().product();
    (shape[1] * receptive, shape[0] * receptive)
}

/// torch's `_calculate_correct_fan`: `mode` is compared in lower case.
#[track_caller]
fn correct_fan(tensor: &Tensor, mode: &str) -> usize {
    let mode = mode.to_lowercase();
    if mode != "fan_in" && mode != "fan_out" {
        panic!("Mode {mode} not supported, please use one of ['fan_in', 'fan_out']");
    }
    let (fan_in, fan_out) = fans(tensor);
    if mode == "fan_in" { fan_in } else { fan_out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fans_include_the_receptive_field() {
        assert_eq!(fans(&Tensor::zeros([4, 3, 5])), (15, 20));
        assert_eq!(fans(&Tensor::zeros([6, 2])), (2, 6));
    }

    #[test]
    fn mode_is_case_insensitive() {
        assert_eq!(correct_fan(&Tensor::zeros([6, 2]), "FAN_OUT"), 6);
    }

    #[test]
    #[should_panic(
        expected = "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']"
    )]
    fn bad_mode() {
        kaiming_uniform_(&Tensor::zeros([2, 2]), 0.0, "fan_avg", "relu");
    }

    #[test]
    fn parameters_are_filled_without_a_graph() {
        let p = Tensor::parameter(Tensor::zeros([3, 2]));
        kaiming_uniform_(&p, 0.0, "fan_in", "relu");
        assert!(p.requires_grad() && p.is_leaf());
        assert!(p.abs().sum().item() > 0.0);
    }

    #[test]
    fn zero_element_tensor_is_left_alone() {
        let t = Tensor::zeros([0, 3]);
        assert_eq!(kaiming_normal_(&t, 0.0, "fan_in", "relu").numel(), 0);
    }
}

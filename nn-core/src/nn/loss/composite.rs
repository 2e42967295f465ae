//! What the loss files share: the small ops torch's composite losses
//! (`cross_entropy` with probability targets or label smoothing) are built
//! from, recorded under the grad_fn names torch's C++ gives them; a dtype
//! dispatch for kernels written once over `f32`/`f64`; and argument checks.
//!
//! ATen's C++ calls `tensor * 0.9` and `tensor / 4` through the `.Scalar`
//! overloads, so they show as `MulBackward1` / `DivBackward1` — unlike the
//! same expression in Python (and in nn-core's operators), where the number
//! is wrapped into a tensor first and the node is `MulBackward0`.

use crate::autograd::{Saved, no_grad, record};
use crate::error::{Result, TensorError};
use crate::tensor::Tensor;
use num_traits::Float;

/// `t * s` as ATen's `mul.Scalar` (`MulBackward1`): the value is `t * (float)s`
/// and the gradient `grad * s`.
pub(super) fn mul_scalar(t: &Tensor, s: f64) -> Tensor {
    let out = no_grad(|| t * s);
    record(
        out.storage(),
        "MulBackward1",
        Saved::Nothing,
        &[t],
        move || Box::new(move |g: &Tensor| vec![Some(g * s)]),
    )
}

/// `t / s` as ATen's `div.Scalar` (`DivBackward1`): the gradient is `grad / s`.
pub(super) fn div_scalar(t: &Tensor, s: f64) -> Tensor {
    let out = no_grad(|| t / s);
    record(
        out.storage(),
        "DivBackward1",
        Saved::Nothing,
        &[t],
        move || Box::new(move |g: &Tensor| vec![Some(g / s)]),
    )
}

/// `t.masked_fill(mask, 0)` (`MaskedFillBackward0`): zero where `mask` (a
/// bool tensor of `t`'s shape) is true; the gradient is zeroed there too.
pub(super) fn masked_fill_zero(t: &Tensor, mask: &Tensor) -> Tensor {
    let zeros = Tensor::zeros_like(t);
    let out = no_grad(|| Tensor::where_cond(mask, &zeros, t));
    let mask = mask.clone();
    record(
        out.storage(),
        "MaskedFillBackward0",
        Saved::Tensors,
        &[t],
        move || {
            Box::new(move |g: &Tensor| {
                vec![Some(Tensor::where_cond(&mask, &Tensor::zeros_like(g), g))]
            })
        },
    )
}

/// Evaluates `body` with the type alias `T` bound to `f64` when `like` is
/// float64 and to `f32` otherwise; `body` gives the values (`Vec<T>`) of a
/// tensor of `shape`. Loss kernels are written once, generic over
/// `num_traits::Float`, and computed in the input's own precision as torch does.
macro_rules! float_dispatch {
    ($like:expr, $shape:expr, |$T:ident| $body:expr) => {
        match $like.dtype() {
            $crate::DType::Float64 => {
                #[allow(dead_code)]
                type $T = f64;
                $crate::tensor::Tensor::from_vec::<f64>($body, $shape)
            }
            _ => {
                #[allow(dead_code)]
                type $T = f32;
                $crate::tensor::Tensor::from_vec::<f32>($body, $shape)
            }
        }
    };
}
pub(super) use float_dispatch;

/// `log(sigmoid(x))` computed as torch's CPU kernel does:
/// `min(x, 0) - log1p(exp(-|x|))`, which never overflows.
pub(super) fn log_sigmoid<T: Float>(x: T) -> T {
    x.min(T::zero()) - (-x.abs()).exp().ln_1p()
}

/// The name torch's C++ gives a dtype in messages (`Long`, `Float`, …).
pub(super) fn scalar_type_name(dtype: crate::DType) -> &'static str {
    match dtype {
        crate::DType::Bool => "Bool",
        crate::DType::Int64 => "Long",
        crate::DType::Float32 => "Float",
        crate::DType::Float64 => "Double",
    }
}

/// Checks that a loss weight broadcasts to `target`'s shape (torch expands
/// it with `_infer_size(target.size(), weight.size())`), and detaches it.
pub(super) fn broadcast_weight(weight: &Tensor, target: &Tensor) -> Result<Tensor> {
    let shape = no_grad(|| target.try_add(weight))?.shape();
    if shape != target.shape() {
        return Err(TensorError::runtime(format!(
            "output with shape {:?} doesn't match the broadcast shape {:?}",
            target.shape().to_vec(),
            shape.to_vec()
        )));
    }
    Ok(weight.detach())
}

/// Makes a loss an `nn.Module` as in torch: it prints as `Name()` (torch's
/// losses have no `extra_repr`), holds no parameters, and can be a field of a
/// `#[derive(Module)]` model. Its one-input [`Module::forward`] fails as
/// torch's `loss_fn(x)` does; the loss's own two-argument `forward(&input,
/// &target)` is the one method calls resolve to.
///
/// [`Module::forward`]: crate::nn::Module::forward
macro_rules! loss_module {
    ($t:ident) => {
        impl $crate::nn::ModuleInfo for $t {
            fn class_name(&self) -> String {
                stringify!($t).into()
            }
            fn as_any(&self) -> &dyn ::std::any::Any {
                self
            }
        }

        impl $crate::nn::Module for $t {
            fn forward(&self, _input: &$crate::tensor::Tensor) -> $crate::tensor::Tensor {
                panic!(concat!(
                    stringify!($t),
                    ".forward() missing 1 required positional argument: 'target'"
                ))
            }
        }

        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::nn::Module::repr(self))
            }
        }
    };
}
pub(super) use loss_module;

#[cfg(test)]
mod tests {
    use crate::nn::{CrossEntropyLoss, MSELoss, Module};
    use crate::tensor::Tensor;

    #[test]
    #[should_panic(
        expected = "CrossEntropyLoss.forward() missing 1 required positional argument: 'target'"
    )]
    fn a_loss_called_with_one_argument_fails_as_in_torch() {
        let m: &dyn Module = &CrossEntropyLoss::new();
        m.forward(&Tensor::zeros([1, 2]));
    }

    #[test]
    fn losses_are_modules_without_parameters() {
        let m: Box<dyn Module> = Box::new(MSELoss::new());
        assert_eq!(m.to_string(), "MSELoss()");
        assert!(m.parameters().is_empty());
    }
}

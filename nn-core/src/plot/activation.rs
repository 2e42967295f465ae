//! Activation functions and their derivatives, the derivative computed by
//! autograd exactly as a student would: `x.requires_grad_(true)`,
//! `f(x).sum().backward()`, `x.grad()`.

use super::figure::Figure;
use crate::autograd::{is_grad_enabled, set_grad_enabled};
use crate::tensor::Tensor;
use std::ops::Range;

/// Points per curve: smooth at any notebook width, and `0` is one of them
/// for a range symmetric about it (so ReLU's corner is drawn sharp).
const POINTS: usize = 201;

/// Plots an activation function over `range` with its derivative (dashed),
/// titled by the function's name: `plot::activation(F::relu, -5.0..5.0)`.
///
/// The derivative comes from autograd — `f(x).sum().backward()` then
/// `x.grad()` — so it is what training uses (ReLU's derivative at 0 is 0,
/// as in torch), not a formula from a book.
///
/// The name is read from the function's path: `relu`, `sigmoid`, `tanh`,
/// `leaky_relu`, … give `ReLU`, `Sigmoid`, `Tanh`, `LeakyReLU`. A closure has
/// no name; give one with [`activation_named`].
///
/// # Panics
/// If `f(x)` does not have as many values as `x`, or does not depend on `x`
/// through autograd.
///
/// ```
/// use nn_core::prelude::*;
///
/// let fig = plot::activation(F::sigmoid, -6.0..6.0);
/// assert_eq!(fig.mime_bundle().text(), "<Figure 640x400: Sigmoid>");
/// assert_eq!(fig.series_count(), 2);
/// ```
#[track_caller]
pub fn activation(f: impl Fn(&Tensor) -> Tensor, range: Range<f64>) -> Figure {
    let name = function_name(std::any::type_name_of_val(&f));
    activation_dyn(&name, &f, range)
}

/// `POINTS` float32 values from `range.start` to `range.end`, each computed
/// in f64 then rounded once, so that `0` is exact in a symmetric range
/// (`linspace` in float32 gives `2e-8` there).
fn grid(range: Range<f64>) -> Tensor {
    let (lo, hi) = (range.start, range.end);
    let last = (POINTS - 1) as f64;
    let values: Vec<f32> = (0..POINTS)
        .map(|i| (lo + (hi - lo) * i as f64 / last) as f32)
        .collect();
    Tensor::from_vec(values, [POINTS])
}

/// [`activation`] with a name for the title and legend, for closures and
/// functions with settings.
///
/// # Panics
/// As [`activation`].
///
/// ```
/// use nn_core::prelude::*;
///
/// let fig = plot::activation_named("LeakyReLU", |x| F::leaky_relu(x, 0.1), -5.0..5.0);
/// let svg = fig.to_svg();
/// assert!(svg.contains(">LeakyReLU</text>") && svg.contains("LeakyReLU′(x)"));
/// ```
#[track_caller]
pub fn activation_named(name: &str, f: impl Fn(&Tensor) -> Tensor, range: Range<f64>) -> Figure {
    activation_dyn(name, &f, range)
}

/// Restores the grad mode on drop, so that a panic in `f` leaves it as it
/// was.
struct GradMode(bool);

impl Drop for GradMode {
    fn drop(&mut self) {
        set_grad_enabled(self.0);
    }
}

#[track_caller]
fn activation_dyn(name: &str, f: &dyn Fn(&Tensor) -> Tensor, range: Range<f64>) -> Figure {
    let (y, dy, x) = {
        // Works inside `no_grad` too: the derivative needs a graph.
        let _restore = GradMode(is_grad_enabled());
        set_grad_enabled(true);
        let x = grid(range).requires_grad_(true);
        let y = f(&x);
        assert_eq!(
            y.numel(),
            x.numel(),
            "plot::activation: f(x) has {} values for {} inputs",
            y.numel(),
            x.numel()
        );
        assert!(
            y.requires_grad(),
            "plot::activation: f(x) does not depend on x through autograd, so it has no derivative to plot"
        );
        y.sum().backward();
        let dy = x.grad().unwrap_or_else(|| Tensor::zeros_like(&x));
        (y.detach(), dy, x.detach())
    };
    Figure::new()
        .title(name)
        .x_label("x")
        .line(&x, &y)
        .label(&format!("{name}(x)"))
        .dashed(&x, &dy)
        .label(&format!("{name}′(x)  (autograd)"))
        .zero_lines(true)
}

/// A readable name from a function's type name:
/// `nn_core::nn::functional::leaky_relu` → `LeakyReLU`; a closure → `f`.
fn function_name(type_name: &str) -> String {
    let last = type_name.rsplit("::").next().unwrap_or(type_name);
    let known = [
        ("relu", "ReLU"),
        ("relu6", "ReLU6"),
        ("leaky_relu", "LeakyReLU"),
        ("sigmoid", "Sigmoid"),
        ("tanh", "Tanh"),
        ("gelu", "GELU"),
        ("elu", "ELU"),
        ("selu", "SELU"),
        ("silu", "SiLU"),
        ("softplus", "Softplus"),
        ("softsign", "Softsign"),
        ("mish", "Mish"),
        ("hardtanh", "Hardtanh"),
    ];
    if let Some((_, name)) = known.iter().find(|(k, _)| *k == last) {
        return (*name).to_owned();
    }
    if last.chars().all(|c| c.is_alphanumeric() || c == '_') && !last.is_empty() {
        last.to_owned()
    } else {
        "f".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::functional as F;

    #[test]
    fn names_come_from_the_function() {
        assert_eq!(function_name(std::any::type_name_of_val(&F::relu)), "ReLU");
        assert_eq!(function_name(std::any::type_name_of_val(&F::tanh)), "Tanh");
        assert_eq!(
            function_name(std::any::type_name_of_val(&Tensor::sigmoid)),
            "Sigmoid"
        );
        assert_eq!(
            function_name(std::any::type_name_of_val(&|x: &Tensor| x.relu())),
            "f"
        );
        assert_eq!(function_name("my_crate::swish"), "swish");
    }

    #[test]
    fn derivatives_come_from_autograd() {
        let fig = activation(F::relu, -1.0..1.0);
        let (y, dy) = (&fig.series[0].points, &fig.series[1].points);
        assert_eq!(y.len(), POINTS);
        // x = 0 is the middle point; torch's ReLU gradient there is 0.
        assert_eq!(dy[POINTS / 2], (0.0, 0.0));
        assert_eq!(dy[0].1, 0.0);
        assert_eq!(dy[POINTS - 1].1, 1.0);
        let fig = activation(F::sigmoid, -4.0..4.0);
        let dy = &fig.series[1].points;
        let (x, d) = dy[POINTS / 2];
        assert_eq!((x, d), (0.0, 0.25));
        // σ'(x) = σ(x)(1 − σ(x)) at every point, to float32 rounding.
        for (&(_, s), &(_, d)) in fig.series[0].points.iter().zip(dy) {
            assert!((d - s * (1.0 - s)).abs() < 1e-6);
        }
    }

    #[test]
    fn works_inside_no_grad() {
        let fig = crate::autograd::no_grad(|| {
            let fig = activation(F::tanh, -2.0..2.0);
            assert!(!is_grad_enabled(), "the caller's mode is restored");
            fig
        });
        assert_eq!(fig.series[1].points[POINTS / 2].1, 1.0);
    }

    #[test]
    #[should_panic(expected = "does not depend on x")]
    fn constant_function_has_no_derivative() {
        activation_named("zero", Tensor::zeros_like, -1.0..1.0);
    }
}

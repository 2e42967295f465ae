//! Finite-difference checks of every differentiable op, in float64: the
//! gradient autograd computes must agree with central differences
//! `(L(x + ε) - L(x - ε)) / 2ε` to a relative 1e-6.
//!
//! Each check reduces the op's output to a scalar with distinct weights
//! (`L = Σ w·f(x)`), so every output element gets its own upstream gradient.
//! Inputs stay away from points where an op is not differentiable (relu and
//! abs at 0, clamp bounds, ties for max).

use nn_core::autograd::no_grad;
use nn_core::nn::{BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, Reduction};
use nn_core::prelude::F;
use nn_core::tensor::{Slice, TensorIndex};
use nn_core::{DType, Tensor};

const EPS: f64 = 1e-6;
const RTOL: f64 = 1e-6;

/// Distinct, smooth-looking values in about `[-scale, scale]`, the same on
/// every run.
fn values(n: usize, seed: u64, scale: f64) -> Vec<f64> {
    (0..n)
        .map(|k| scale * ((k as f64 + 1.0) * 1.618_033_988 + seed as f64 * 0.754_877_666).sin())
        .collect()
}

/// A float64 leaf of `shape` with [`values`].
fn input(shape: &[usize], seed: u64) -> Tensor {
    leaf(values(shape.iter().product(), seed, 1.0), shape)
}

/// A float64 leaf with the given values, requiring grad.
fn leaf(v: Vec<f64>, shape: &[usize]) -> Tensor {
    Tensor::from_vec(v, shape).requires_grad_(true)
}

/// `L = Σ w·out` with fixed distinct weights.
fn weighted_sum(out: &Tensor) -> Tensor {
    let w = Tensor::from_vec(
        values(out.numel(), 99, 1.0)
            .iter()
            .map(|v| v + 1.5)
            .collect(),
        out.shape(),
    );
    (out * &w).sum()
}

/// Compares autograd's gradient of `Σ w·f(inputs)` with respect to every
/// input that requires grad against central differences. Panics listing the
/// first mismatching element of each input.
#[track_caller]
fn gradcheck(name: &str, f: impl Fn(&[Tensor]) -> Tensor, inputs: &[Tensor]) {
    for t in inputs {
        assert!(
            !t.requires_grad() || t.dtype() == DType::Float64,
            "{name}: gradcheck needs float64 inputs"
        );
    }
    for t in inputs {
        t.set_grad(None);
    }
    let loss = weighted_sum(&f(inputs));
    loss.backward();
    let mut failures = Vec::new();
    for (i, x) in inputs.iter().enumerate() {
        if !x.requires_grad() {
            continue;
        }
        let analytic = x
            .grad()
            .map(|g| g.to_vec::<f64>())
            .unwrap_or_else(|| vec![0.0; x.numel()]);
        let base = x.to_vec::<f64>();
        let eval = |j: usize, delta: f64| {
            let mut v = base.clone();
            v[j] += delta;
            let mut args: Vec<Tensor> = inputs.iter().map(|t| t.detach()).collect();
            args[i] = Tensor::from_vec(v, x.shape());
            no_grad(|| weighted_sum(&f(&args)).item())
        };
        for (j, &a) in analytic.iter().enumerate() {
            let numeric = (eval(j, EPS) - eval(j, -EPS)) / (2.0 * EPS);
            let err = (a - numeric).abs();
            if err > RTOL * numeric.abs().max(1.0) || !err.is_finite() {
                failures.push(format!(
                    "input {i} element {j}: autograd {a:e}, finite differences {numeric:e}"
                ));
                break;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: gradients differ:\n  {}",
        failures.join("\n  ")
    );
}

/// Values bounded away from 0 (for relu, abs, log, sqrt, division).
fn away_from_zero(shape: &[usize], seed: u64) -> Tensor {
    let v = values(shape.iter().product(), seed, 1.0)
        .into_iter()
        .map(|v| if v < 0.0 { v - 0.2 } else { v + 0.2 });
    leaf(v.collect(), shape)
}

fn positive(shape: &[usize], seed: u64) -> Tensor {
    leaf(
        values(shape.iter().product(), seed, 1.0)
            .into_iter()
            .map(|v| v.abs() + 0.3)
            .collect(),
        shape,
    )
}

/// Probabilities in (0.05, 0.95).
fn probabilities(shape: &[usize], seed: u64) -> Tensor {
    leaf(
        values(shape.iter().product(), seed, 0.45)
            .into_iter()
            .map(|v| v + 0.5)
            .collect(),
        shape,
    )
}

fn classes(v: Vec<i64>, shape: &[usize]) -> Tensor {
    Tensor::from_vec(v, shape)
}

// ------------------------------------------------------------ elementwise

#[test]
fn binary_ops_with_broadcasting() {
    let shapes: [(&[usize], &[usize]); 4] = [
        (&[2, 3], &[2, 3]),
        (&[2, 3], &[3]),
        (&[4, 1], &[1, 5]),
        (&[2, 3, 4], &[3, 1]),
    ];
    for (sa, sb) in shapes {
        let (a, b) = (input(sa, 1), away_from_zero(sb, 2));
        gradcheck("add", |t| &t[0] + &t[1], &[a.clone(), b.clone()]);
        gradcheck("sub", |t| &t[0] - &t[1], &[a.clone(), b.clone()]);
        gradcheck("mul", |t| &t[0] * &t[1], &[a.clone(), b.clone()]);
        gradcheck("div", |t| &t[0] / &t[1], &[a.clone(), b.clone()]);
    }
}

#[test]
fn scalar_operands() {
    let a = away_from_zero(&[2, 3], 3);
    gradcheck("x + 2.5", |t| &t[0] + 2.5, std::slice::from_ref(&a));
    gradcheck("3 + x", |t| 3.0 + &t[0], std::slice::from_ref(&a));
    gradcheck("x - 1.25", |t| &t[0] - 1.25, std::slice::from_ref(&a));
    gradcheck("2 - x", |t| 2.0 - &t[0], std::slice::from_ref(&a));
    gradcheck("x * -1.5", |t| &t[0] * -1.5, std::slice::from_ref(&a));
    gradcheck("x / 0.3", |t| &t[0] / 0.3, std::slice::from_ref(&a));
    gradcheck("1.5 / x", |t| 1.5 / &t[0], std::slice::from_ref(&a));
}

#[test]
fn unary_ops() {
    let x = input(&[2, 3], 4);
    let nz = away_from_zero(&[2, 3], 5);
    let pos = positive(&[2, 3], 6);
    gradcheck("neg", |t| -&t[0], std::slice::from_ref(&x));
    gradcheck("exp", |t| t[0].exp(), std::slice::from_ref(&x));
    gradcheck("log", |t| t[0].log(), std::slice::from_ref(&pos));
    gradcheck("sqrt", |t| t[0].sqrt(), std::slice::from_ref(&pos));
    gradcheck(
        "reciprocal",
        |t| t[0].reciprocal(),
        std::slice::from_ref(&nz),
    );
    gradcheck("abs", |t| t[0].abs(), std::slice::from_ref(&nz));
    gradcheck("relu", |t| t[0].relu(), std::slice::from_ref(&nz));
    gradcheck(
        "leaky_relu",
        |t| t[0].leaky_relu(0.1),
        std::slice::from_ref(&nz),
    );
    gradcheck("sigmoid", |t| t[0].sigmoid(), std::slice::from_ref(&x));
    gradcheck("tanh", |t| t[0].tanh(), std::slice::from_ref(&x));
    gradcheck("sin", |t| t[0].sin(), std::slice::from_ref(&x));
    gradcheck("cos", |t| t[0].cos(), std::slice::from_ref(&x));
    gradcheck("square", |t| t[0].square(), std::slice::from_ref(&x));
    for p in [2.0, 3.0, 4.0, -1.0, -2.0] {
        gradcheck(
            &format!("pow {p}"),
            |t| t[0].pow(p),
            std::slice::from_ref(&nz),
        );
    }
    for p in [0.5, 1.5, -0.5, 2.7] {
        gradcheck(
            &format!("pow {p}"),
            |t| t[0].pow(p),
            std::slice::from_ref(&pos),
        );
    }
    // Bounds that no value is close to.
    gradcheck(
        "clamp",
        |t| t[0].clamp(Some(-0.45), Some(0.55)),
        std::slice::from_ref(&x),
    );
    gradcheck(
        "clamp min",
        |t| t[0].clamp(Some(0.05), None),
        std::slice::from_ref(&x),
    );
    gradcheck(
        "clamp max",
        |t| t[0].clamp(None, Some(0.25)),
        std::slice::from_ref(&x),
    );
}

#[test]
fn where_picks_gradients() {
    let (a, b) = (input(&[2, 3], 7), input(&[3], 8));
    let cond = Tensor::from_vec(vec![true, false, true, false, false, true], [2, 3]);
    gradcheck(
        "where",
        |t| Tensor::where_cond(&cond, &t[0], &t[1]),
        &[a, b],
    );
}

// ------------------------------------------------------------ reductions

#[test]
fn reductions() {
    let x = input(&[2, 3, 4], 9);
    gradcheck("sum", |t| t[0].sum(), std::slice::from_ref(&x));
    gradcheck(
        "sum dim",
        |t| t[0].sum_dim(1, false),
        std::slice::from_ref(&x),
    );
    gradcheck(
        "sum dims keepdim",
        |t| t[0].sum_dims(&[0, 2], true),
        std::slice::from_ref(&x),
    );
    gradcheck("mean", |t| t[0].mean(), std::slice::from_ref(&x));
    gradcheck(
        "mean dim",
        |t| t[0].mean_dim(-1, false),
        std::slice::from_ref(&x),
    );
    gradcheck(
        "mean dims keepdim",
        |t| t[0].mean_dims(&[0, 1], true),
        std::slice::from_ref(&x),
    );
    // `values` has no ties.
    gradcheck("max", |t| t[0].max(), std::slice::from_ref(&x));
    gradcheck("min", |t| t[0].min(), std::slice::from_ref(&x));
    gradcheck(
        "max_dim",
        |t| t[0].max_dim(1, false).values,
        std::slice::from_ref(&x),
    );
    gradcheck(
        "max_dim keepdim",
        |t| t[0].max_dim(2, true).values,
        std::slice::from_ref(&x),
    );
    gradcheck(
        "min_dim",
        |t| t[0].min_dim(0, false).values,
        std::slice::from_ref(&x),
    );
}

#[test]
fn softmax_and_log_softmax() {
    for (shape, dims) in [
        (&[5usize][..], &[0i64][..]),
        (&[2, 3], &[0, 1]),
        (&[2, 3, 4], &[0, 1, -1]),
    ] {
        let x = input(shape, 10);
        for &d in dims {
            gradcheck(
                &format!("softmax {shape:?} dim {d}"),
                |t| t[0].softmax(d),
                std::slice::from_ref(&x),
            );
            gradcheck(
                &format!("log_softmax {shape:?} dim {d}"),
                |t| t[0].log_softmax(d),
                std::slice::from_ref(&x),
            );
        }
    }
}

// ------------------------------------------------------------ products

#[test]
fn matmul_every_shape() {
    let shapes: [(&[usize], &[usize]); 11] = [
        (&[3], &[3]),
        (&[2, 3], &[3]),
        (&[3], &[3, 4]),
        (&[2, 3], &[3, 4]),
        (&[2, 2, 3], &[2, 3, 4]),
        (&[2, 2, 3], &[3, 4]),
        (&[2, 3], &[2, 3, 4]),
        (&[2, 2, 3], &[3]),
        (&[3], &[2, 3, 4]),
        (&[2, 1, 2, 3], &[3, 3, 2]),
        (&[1, 5], &[5, 1]),
    ];
    for (sa, sb) in shapes {
        let (a, b) = (input(sa, 11), input(sb, 12));
        gradcheck(
            &format!("matmul {sa:?} @ {sb:?}"),
            |t| t[0].matmul(&t[1]),
            &[a, b],
        );
    }
    gradcheck(
        "mm",
        |t| t[0].mm(&t[1]),
        &[input(&[4, 1], 13), input(&[1, 3], 14)],
    );
}

#[test]
fn linear_with_and_without_bias() {
    let (w, b) = (input(&[4, 3], 15), input(&[4], 16));
    for shape in [&[3usize][..], &[5, 3], &[2, 2, 3]] {
        let x = input(shape, 17);
        gradcheck(
            &format!("linear {shape:?}"),
            |t| F::linear(&t[0], &t[1], Some(&t[2])),
            &[x.clone(), w.clone(), b.clone()],
        );
        gradcheck(
            &format!("linear no bias {shape:?}"),
            |t| F::linear(&t[0], &t[1], None),
            &[x, w.clone()],
        );
    }
}

// ------------------------------------------------------------ shapes

#[test]
fn shape_ops() {
    let x = input(&[2, 3, 4], 18);
    let m = input(&[2, 3], 19);
    gradcheck(
        "reshape",
        |t| t[0].reshape([4, -1]),
        std::slice::from_ref(&x),
    );
    gradcheck("view", |t| t[0].view([6, 4]), std::slice::from_ref(&x));
    gradcheck(
        "reshape after t",
        |t| t[0].t().reshape([-1]),
        std::slice::from_ref(&m),
    );
    gradcheck("t", |t| t[0].t(), std::slice::from_ref(&m));
    gradcheck(
        "transpose",
        |t| t[0].transpose(0, 2),
        std::slice::from_ref(&x),
    );
    gradcheck(
        "permute",
        |t| t[0].permute([2, 0, 1]),
        std::slice::from_ref(&x),
    );
    gradcheck(
        "unsqueeze",
        |t| t[0].unsqueeze(-1),
        std::slice::from_ref(&m),
    );
    gradcheck("squeeze", |t| t[0].squeeze(), &[input(&[1, 3, 1], 20)]);
    gradcheck(
        "squeeze dim",
        |t| t[0].squeeze_dim(1),
        &[input(&[2, 1, 3], 21)],
    );
    gradcheck(
        "flatten",
        |t| t[0].flatten_dims(1, -1),
        std::slice::from_ref(&x),
    );
    gradcheck("expand", |t| t[0].expand([2, 3, 4]), &[input(&[3, 1], 22)]);
    gradcheck(
        "contiguous",
        |t| t[0].t().contiguous(),
        std::slice::from_ref(&m),
    );
}

#[test]
fn indexing() {
    let x = input(&[3, 4], 23);
    let y = input(&[2, 3, 4], 24);
    gradcheck("x[1]", |t| t[0].i(1), std::slice::from_ref(&x));
    gradcheck(
        "x[:, 1:3]",
        |t| t[0].i((.., 1..3)),
        std::slice::from_ref(&x),
    );
    gradcheck("x[0, 2]", |t| t[0].i((0, 2)), std::slice::from_ref(&x));
    gradcheck(
        "x[1:, ::2]",
        |t| t[0].i((1.., Slice::new(None, None, 2))),
        std::slice::from_ref(&x),
    );
    gradcheck(
        "y[..., -1]",
        |t| t[0].i(vec![TensorIndex::Ellipsis, TensorIndex::Select(-1)]),
        std::slice::from_ref(&y),
    );
    gradcheck(
        "y[:, None]",
        |t| {
            t[0].i(vec![
                TensorIndex::Slice(Slice::new(None, None, 1)),
                TensorIndex::NewAxis,
            ])
        },
        std::slice::from_ref(&y),
    );
    gradcheck("select", |t| t[0].select(1, 2), std::slice::from_ref(&x));
    gradcheck("narrow", |t| t[0].narrow(1, 1, 3), std::slice::from_ref(&x));
}

#[test]
fn cat_and_stack() {
    let (a, b, c) = (input(&[2, 3], 25), input(&[1, 3], 26), input(&[3, 3], 27));
    gradcheck("cat dim 0", |t| Tensor::cat(t, 0), &[a.clone(), b, c]);
    gradcheck(
        "cat dim -1",
        |t| Tensor::cat(t, -1),
        &[input(&[2, 2, 1], 28), input(&[2, 2, 2], 29)],
    );
    let d = input(&[2, 3], 30);
    for dim in [0, 1, 2, -1] {
        gradcheck(
            &format!("stack dim {dim}"),
            |t| Tensor::stack(t, dim),
            &[a.clone(), d.clone()],
        );
    }
}

// ------------------------------------------------------------ losses

const REDUCTIONS: [Reduction; 3] = [Reduction::Mean, Reduction::Sum, Reduction::None];

#[test]
fn mse_loss() {
    for r in REDUCTIONS {
        let (p, y) = (input(&[4, 3], 31), input(&[4, 3], 32));
        gradcheck(
            &format!("mse {r}"),
            |t| MSELoss::with_reduction(r).forward(&t[0], &t[1]),
            &[p, y],
        );
    }
}

#[test]
fn cross_entropy_with_class_targets() {
    let logits = input(&[4, 5], 33);
    let target = classes(vec![1, 0, 4, 2], &[4]);
    let weight = Tensor::from_vec(vec![0.5, 1.0, 2.0, 1.5, 0.25], [5]);
    for r in REDUCTIONS {
        let ce = CrossEntropyLoss::new().reduction(r);
        gradcheck(
            &format!("cross_entropy {r}"),
            |t| ce.forward(&t[0], &target),
            std::slice::from_ref(&logits),
        );
        let ce = CrossEntropyLoss::new().reduction(r).weight(&weight);
        gradcheck(
            &format!("cross_entropy weight {r}"),
            |t| ce.forward(&t[0], &target),
            std::slice::from_ref(&logits),
        );
        let ce = CrossEntropyLoss::new().reduction(r).label_smoothing(0.1);
        gradcheck(
            &format!("cross_entropy smoothing {r}"),
            |t| ce.forward(&t[0], &target),
            std::slice::from_ref(&logits),
        );
        let ce = CrossEntropyLoss::new()
            .reduction(r)
            .label_smoothing(0.2)
            .weight(&weight)
            .ignore_index(4);
        gradcheck(
            &format!("cross_entropy all options {r}"),
            |t| ce.forward(&t[0], &target),
            std::slice::from_ref(&logits),
        );
    }
    let ignored = classes(vec![1, -100, 4, 2], &[4]);
    gradcheck(
        "cross_entropy ignore_index",
        |t| CrossEntropyLoss::new().forward(&t[0], &ignored),
        std::slice::from_ref(&logits),
    );
    let one = classes(vec![3], &[]);
    gradcheck(
        "cross_entropy unbatched",
        |t| CrossEntropyLoss::new().forward(&t[0], &one),
        &[input(&[5], 34)],
    );
    let kdim = classes(vec![0, 4, 2, 1, 3, 3], &[2, 3]);
    for r in REDUCTIONS {
        let ce = CrossEntropyLoss::new().reduction(r);
        gradcheck(
            &format!("cross_entropy kdim {r}"),
            |t| ce.forward(&t[0], &kdim),
            &[input(&[2, 5, 3], 35)],
        );
    }
}

#[test]
fn cross_entropy_with_probability_targets() {
    let logits = input(&[4, 5], 36);
    let probs = no_grad(|| input(&[4, 5], 37).softmax(1)).requires_grad_(true);
    let weight = Tensor::from_vec(vec![0.5, 1.0, 2.0, 1.5, 0.25], [5]);
    for r in REDUCTIONS {
        let ce = CrossEntropyLoss::new().reduction(r);
        gradcheck(
            &format!("cross_entropy probs {r}"),
            |t| ce.forward(&t[0], &t[1]),
            &[logits.clone(), probs.clone()],
        );
        let ce = CrossEntropyLoss::new()
            .reduction(r)
            .label_smoothing(0.2)
            .weight(&weight);
        gradcheck(
            &format!("cross_entropy probs options {r}"),
            |t| ce.forward(&t[0], &t[1]),
            &[logits.clone(), probs.clone()],
        );
    }
}

#[test]
fn nll_loss() {
    let logp = input(&[4, 5], 38);
    let target = classes(vec![1, 0, 4, 2], &[4]);
    let weight = Tensor::from_vec(vec![0.5, 1.0, 2.0, 1.5, 0.25], [5]);
    for r in REDUCTIONS {
        gradcheck(
            &format!("nll {r}"),
            |t| NLLLoss::new().reduction(r).forward(&t[0], &target),
            std::slice::from_ref(&logp),
        );
        let nll = NLLLoss::new().reduction(r).weight(&weight).ignore_index(0);
        gradcheck(
            &format!("nll weight ignore {r}"),
            |t| nll.forward(&t[0], &target),
            std::slice::from_ref(&logp),
        );
        let image = classes(vec![0, 1, 2, 1, 0, 2, 2, 1], &[2, 2, 2]);
        gradcheck(
            &format!("nll 4-D {r}"),
            |t| NLLLoss::new().reduction(r).forward(&t[0], &image),
            &[input(&[2, 3, 2, 2], 39)],
        );
    }
    gradcheck(
        "F::nll_loss",
        |t| F::nll_loss(&t[0], &target),
        std::slice::from_ref(&logp),
    );
}

#[test]
fn binary_cross_entropy() {
    let (p, y) = (probabilities(&[4, 2], 40), probabilities(&[4, 2], 41));
    let weight = Tensor::from_vec(vec![0.5, 2.0], [2]);
    for r in REDUCTIONS {
        gradcheck(
            &format!("bce {r}"),
            |t| BCELoss::new().reduction(r).forward(&t[0], &t[1]),
            &[p.clone(), y.clone()],
        );
        let bce = BCELoss::new().reduction(r).weight(&weight);
        gradcheck(
            &format!("bce weight {r}"),
            |t| bce.forward(&t[0], &t[1]),
            &[p.clone(), y.clone()],
        );
    }
    gradcheck(
        "bce after sigmoid",
        |t| F::binary_cross_entropy(&t[0].sigmoid(), &t[1]),
        &[input(&[4], 42), probabilities(&[4], 43)],
    );
}

#[test]
fn binary_cross_entropy_with_logits() {
    let (z, y) = (input(&[3, 3], 44), probabilities(&[3, 3], 45));
    let weight = Tensor::from_vec(vec![0.5, 2.0, 1.0], [3]);
    let pos_weight = Tensor::from_vec(vec![3.0, 0.5, 1.5], [3]);
    for r in REDUCTIONS {
        let l = BCEWithLogitsLoss::new().reduction(r);
        gradcheck(
            &format!("bce_with_logits {r}"),
            |t| l.forward(&t[0], &t[1]),
            &[z.clone(), y.clone()],
        );
        let l = BCEWithLogitsLoss::new()
            .reduction(r)
            .weight(&weight)
            .pos_weight(&pos_weight);
        gradcheck(
            &format!("bce_with_logits weights {r}"),
            |t| l.forward(&t[0], &t[1]),
            &[z.clone(), y.clone()],
        );
    }
}

#[test]
fn gradcheck_catches_a_wrong_gradient() {
    // A function whose "gradient" is deliberately wrong: detach half of it.
    let x = input(&[3], 46);
    let wrong = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        gradcheck(
            "wrong",
            |t| &t[0] * &t[0].detach(),
            std::slice::from_ref(&x),
        )
    }));
    assert!(
        wrong.is_err(),
        "gradcheck must reject x * x.detach() as the gradient of x²"
    );
}

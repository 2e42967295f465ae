//! The figures of the plot tests, built in one place: `plot_golden.rs`
//! compares their SVG with golden files, `plot_png.rs` (feature `png`)
//! checks their PNG, and both write them to `target/tmp/plot-gallery/`.
#![allow(dead_code)]

use nn_core::prelude::*;

/// The regression lesson's data: y = 2x + 1 with noise, and a line fitted by
/// least squares (deterministic: a seeded torch-compatible generator).
pub fn regression() -> (Tensor, Tensor, Tensor) {
    // A generator of its own: tests run in parallel and share the global one.
    let mut generator = Generator::new(42);
    let x = Tensor::linspace(-2.0, 2.0, 40).reshape([40, 1]);
    let y = &x * 2.0 + 1.0 + Tensor::randn_with([40, 1], &mut generator) * 0.5;
    let model = Linear::from_weights(tensor![[1.9]], Some(tensor![1.05]));
    let prediction = no_grad(|| model.forward(&x));
    (x, y, prediction)
}

/// A training run's losses: an exponential decay towards 0.05.
pub fn losses() -> Vec<f64> {
    (0..200)
        .map(|e| 0.05 + 2.0 * (-(e as f64) / 30.0).exp())
        .collect()
}

/// ReLU and its derivative: golden file `tests/golden/relu.svg`.
pub fn relu() -> Figure {
    plot::activation(F::relu, -5.0..5.0)
}

/// The regression picture: golden file `tests/golden/fit.svg`.
pub fn fit() -> Figure {
    let (x, y, prediction) = regression();
    plot::fit(&x, &y, &prediction)
}

/// The figures that have golden files, as `(name, figure)`: the file is
/// `tests/golden/<name>.svg`.
pub fn golden() -> Vec<(&'static str, Figure)> {
    vec![("relu", relu()), ("fit", fit())]
}

/// Every kind of figure, as `(name, figure)`, for looking at.
pub fn gallery() -> Vec<(&'static str, Figure)> {
    let (x, y, _) = regression();
    let losses = losses();
    let t = Tensor::linspace(0.0, 6.3, 64);
    let mut live = LivePlot::new();
    for (i, l) in losses.iter().enumerate() {
        live.push(*l);
        if i % 5 == 0 {
            live.push_at("validation", i as f64, l * 1.15 + 0.02);
        }
    }
    vec![
        ("relu", relu()),
        ("sigmoid", plot::activation(F::sigmoid, -6.0..6.0)),
        ("tanh", plot::activation(F::tanh, -4.0..4.0)),
        (
            "leaky_relu",
            plot::activation_named("LeakyReLU", |x| F::leaky_relu(x, 0.1), -5.0..5.0),
        ),
        ("fit", fit()),
        ("loss_curve", plot::loss_curve(&losses)),
        (
            "lines",
            plot::line(&t, &t.sin())
                .label("sin")
                .line(&t, &t.cos())
                .label("cos")
                .scatter(&t, &(t.sin() * t.cos()))
                .label("sin·cos")
                .title("Several series")
                .x_label("t")
                .y_label("value"),
        ),
        ("scatter", plot::scatter(&x, &y).title("Data")),
        ("live", live.figure()),
    ]
}

/// `target/tmp/plot-gallery/`, created.
pub fn gallery_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("plot-gallery");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

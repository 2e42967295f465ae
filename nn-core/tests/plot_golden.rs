//! Golden files for figures: the SVG of two plots is compared with
//! `tests/golden/*.svg`, byte for byte.
//!
//! After a deliberate change to how figures look, look at the new pictures
//! (docs/display.md says how), then update the files with
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test -p nn-core --test plot_golden
//! ```
//!
//! and review `git diff nn-core/tests/golden`.
//!
//! Every figure of the gallery is also written to
//! `target/tmp/plot-gallery/` on each run, to be converted and looked at.

use nn_core::prelude::*;
use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares `svg` with the golden file `name`, or rewrites it when
/// `UPDATE_GOLDEN` is set. On a mismatch the message shows the first
/// differing lines with context, as a diff would.
fn check_golden(name: &str, svg: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, svg).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nCreate it with: UPDATE_GOLDEN=1 cargo test -p nn-core --test plot_golden",
            path.display()
        )
    });
    if want != svg {
        panic!(
            "{name} differs from {}:\n{}\nIf the change is intended, look at the picture, then run:\n  \
             UPDATE_GOLDEN=1 cargo test -p nn-core --test plot_golden",
            path.display(),
            line_diff(&want, svg)
        );
    }
}

/// The first differing region of two texts, `-` for expected lines and `+`
/// for actual ones, with three lines of context.
fn line_diff(want: &str, got: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let first = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (mut ea, mut eb) = (a.len(), b.len());
    while ea > first && eb > first && a[ea - 1] == b[eb - 1] {
        ea -= 1;
        eb -= 1;
    }
    let mut out = format!(
        "@@ line {} ({} lines expected, {} got) @@\n",
        first + 1,
        a.len(),
        b.len()
    );
    for line in &a[first.saturating_sub(3)..first] {
        out.push_str(&format!("  {line}\n"));
    }
    const MAX: usize = 20;
    for line in a[first..ea].iter().take(MAX) {
        out.push_str(&format!("- {line}\n"));
    }
    for line in b[first..eb].iter().take(MAX) {
        out.push_str(&format!("+ {line}\n"));
    }
    if ea - first > MAX || eb - first > MAX {
        out.push_str("  … (more differing lines)\n");
    }
    for line in a.iter().skip(ea).take(3) {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

/// The regression lesson's data: y = 2x + 1 with noise, and a line fitted by
/// least squares (deterministic: a seeded torch-compatible generator).
fn regression() -> (Tensor, Tensor, Tensor) {
    // A generator of its own: tests run in parallel and share the global one.
    let mut generator = Generator::new(42);
    let x = Tensor::linspace(-2.0, 2.0, 40).reshape([40, 1]);
    let y = &x * 2.0 + 1.0 + Tensor::randn_with([40, 1], &mut generator) * 0.5;
    let model = Linear::from_weights(tensor![[1.9]], Some(tensor![1.05]));
    let prediction = no_grad(|| model.forward(&x));
    (x, y, prediction)
}

#[test]
fn relu_activation_matches_golden() {
    check_golden("relu.svg", &plot::activation(F::relu, -5.0..5.0).to_svg());
}

#[test]
fn regression_fit_matches_golden() {
    let (x, y, prediction) = regression();
    check_golden("fit.svg", &plot::fit(&x, &y, &prediction).to_svg());
}

#[test]
fn golden_diff_is_readable() {
    let diff = line_diff("a\nb\nc\nd\n", "a\nb\nX\nd\n");
    assert_eq!(
        diff,
        "@@ line 3 (4 lines expected, 4 got) @@\n  a\n  b\n- c\n+ X\n  d\n"
    );
}

/// Writes every kind of figure to `target/tmp/plot-gallery/` for review
/// (docs/display.md: converting them to PNG and looking at them).
#[test]
fn gallery() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("plot-gallery");
    std::fs::create_dir_all(&dir).unwrap();
    let (x, y, prediction) = regression();
    let losses: Vec<f64> = (0..200)
        .map(|e| 0.05 + 2.0 * (-(e as f64) / 30.0).exp())
        .collect();
    let t = Tensor::linspace(0.0, 6.3, 64);
    let figures = [
        ("relu", plot::activation(F::relu, -5.0..5.0)),
        ("sigmoid", plot::activation(F::sigmoid, -6.0..6.0)),
        ("tanh", plot::activation(F::tanh, -4.0..4.0)),
        (
            "leaky_relu",
            plot::activation_named("LeakyReLU", |x| F::leaky_relu(x, 0.1), -5.0..5.0),
        ),
        ("fit", plot::fit(&x, &y, &prediction)),
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
    ];
    for (name, figure) in figures {
        let svg = figure.to_svg();
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}.svg: {e}"));
        std::fs::write(dir.join(format!("{name}.svg")), svg).unwrap();
    }
    let mut live = LivePlot::new();
    for (i, l) in losses.iter().enumerate() {
        live.push(*l);
        if i % 5 == 0 {
            live.push_at("validation", i as f64, l * 1.15 + 0.02);
        }
    }
    std::fs::write(dir.join("live.svg"), live.figure().to_svg()).unwrap();
}

//! The decision boundary of a 2-D classifier: the plane coloured by the
//! class the model predicts at each point of a grid, with the data points on
//! top, coloured by their true class.
//!
//! Cheap enough to redraw while training (with [`LiveFigure`](super::LiveFigure)):
//! one forward pass over the grid, and regions written as a few merged
//! rectangles per class.

use super::draw::palette;
use super::figure::{Figure, Mark};
use super::svg::{hex, num, tint};
use crate::autograd::no_grad;
use crate::nn::Module;
use crate::tensor::Tensor;
use std::fmt::Write as _;
use std::ops::Range;

/// Grid cells across and down: about 4 × 4 px each in the default
/// 640 × 400 figure, sharp enough for a boundary and one forward pass of
/// 10 240 points.
const GRID: (usize, usize) = (128, 80);

/// How much of a class's colour its region gets (the rest is white): light
/// enough for the points of every class to stand out on every region.
const REGION_TINT: f64 = 0.22;

/// The classes predicted over a grid of the plane.
#[derive(Clone, Debug)]
pub(crate) struct Regions {
    /// The plane covered, `(lo, hi)` on each axis.
    pub x: (f64, f64),
    pub y: (f64, f64),
    /// Grid cells across (`nx`) and down (`ny`).
    pub nx: usize,
    pub ny: usize,
    /// The class of each cell, row by row from the top (largest `y`).
    pub class: Vec<usize>,
}

/// The decision boundary of a classifier of 2-D points: the plane shaded by
/// the class `model` predicts at each point of a grid, and the points `x`
/// coloured by their class `y`. The title gives the model's accuracy on the
/// points.
///
/// - `model` takes a batch `[M, 2]` and returns `[M, K]` class scores
///   (logits or probabilities, as for `CrossEntropyLoss`): the class is the
///   argmax. A model with one output (`[M, 1]` or `[M]`) is a binary
///   classifier: class 1 where the output is above 0 (a logit, as for
///   `BCEWithLogitsLoss`), or above 0.5 when the model's last layer is a
///   `Sigmoid`.
/// - `x`: the points, `[N, 2]`; `y`: their classes, `N` whole numbers ≥ 0
///   (an int64 tensor of labels, or a float `[N, 1]` target of 0s and 1s).
///
/// The grid covers the points with a margin, 128 × 80 cells (the axes'
/// ranges; setting `x_range`/`y_range` after does not extend it). The model runs
/// under `no_grad` and in evaluation mode (so `Dropout` does not blur the
/// picture); a model in training mode is put back in it after.
///
/// Drawing one frame — the forward pass, the regions and the SVG — takes a
/// few milliseconds for a small MLP (docs/display.md gives figures), so it
/// can be redrawn while training runs: see [`LiveFigure`](super::LiveFigure).
///
/// # Panics
/// If `x` is not `[N, 2]`, `y` does not hold `N` whole numbers ≥ 0, or the
/// model's output is not one row per point.
///
/// ```
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// // Two blobs, left (class 0) and right (class 1).
/// let x = Tensor::cat(&[Tensor::randn([20, 2]) - 2.0, Tensor::randn([20, 2]) + 2.0], 0);
/// let y = Tensor::cat(&[Tensor::zeros([20]), Tensor::ones([20])], 0).to_dtype(DType::Int64);
/// let model = sequential![Linear::new(2, 8), ReLU::new(), Linear::new(8, 2)];
///
/// let fig = plot::decision_boundary(&model, &x, &y);
/// let svg = fig.to_svg();
/// assert!(svg.contains(">class 0</text>") && svg.contains(">class 1</text>"));
/// assert!(fig.mime_bundle().text().starts_with("<Figure 640x400: Decision boundary (accuracy "));
/// ```
#[track_caller]
pub fn decision_boundary(model: &dyn Module, x: &Tensor, y: &Tensor) -> Figure {
    let shape = x.shape();
    assert!(
        shape.len() == 2 && shape[1] == 2,
        "plot::decision_boundary: x must be [N, 2] (one 2-D point a row), got {:?}",
        shape.to_vec()
    );
    let n = shape[0];
    let points = x.to_vec::<f64>();
    let labels = class_labels(y, n);

    let (xr, yr) = (
        extent(points.iter().step_by(2).copied()),
        extent(points.iter().skip(1).step_by(2).copied()),
    );
    let (nx, ny) = GRID;
    // Cell centres, row by row from the top.
    let mut grid = Vec::with_capacity(nx * ny * 2);
    for row in 0..ny {
        let gy = yr.1 - (row as f64 + 0.5) * (yr.1 - yr.0) / ny as f64;
        for col in 0..nx {
            let gx = xr.0 + (col as f64 + 0.5) * (xr.1 - xr.0) / nx as f64;
            grid.extend([gx as f32, gy as f32]);
        }
    }
    let threshold = if last_leaf_is_sigmoid(model) {
        0.5
    } else {
        0.0
    };
    let (region_class, point_class) = in_eval_mode(model, || {
        no_grad(|| {
            let regions = predict(model, &Tensor::from_vec(grid, [nx * ny, 2]), threshold);
            let on_points = predict(model, &x.to_dtype(crate::DType::Float32), threshold);
            (regions, on_points)
        })
    });
    let classes = region_class
        .iter()
        .chain(&labels)
        .chain(&point_class)
        .max()
        .map_or(1, |&c| c + 1)
        .max(2);
    let correct = labels
        .iter()
        .zip(&point_class)
        .filter(|(a, b)| a == b)
        .count();

    let mut figure = Figure::new()
        .title(&format!(
            "Decision boundary (accuracy {})",
            percent(correct, n)
        ))
        .x_range(xr.0..xr.1)
        .y_range(yr.0..yr.1);
    for c in 0..classes {
        let (px, py): (Vec<f64>, Vec<f64>) = labels
            .iter()
            .enumerate()
            .filter(|&(_, &l)| l == c)
            .map(|(i, _)| (points[2 * i], points[2 * i + 1]))
            .unzip();
        figure = figure.push_series(Mark::Edged, &format!("class {c}"), px, py);
    }
    figure.regions = Some(Regions {
        x: xr,
        y: yr,
        nx,
        ny,
        class: region_class,
    });
    figure
}

/// `97.5%`, or `100%` and `0%` without decimals.
pub(crate) fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "–".to_owned();
    }
    let p = 100.0 * part as f64 / whole as f64;
    if part == whole || part == 0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// The classes of `y`: `n` whole numbers ≥ 0.
#[track_caller]
fn class_labels(y: &Tensor, n: usize) -> Vec<usize> {
    let values = y.to_vec::<f64>();
    assert_eq!(
        values.len(),
        n,
        "plot::decision_boundary: y has {} values for {n} points",
        values.len()
    );
    values
        .into_iter()
        .map(|v| {
            assert!(
                v >= 0.0 && v.fract() == 0.0 && v < 1e6,
                "plot::decision_boundary: y must hold class indices (whole numbers ≥ 0), found {v}"
            );
            v as usize
        })
        .collect()
}

/// `lo..hi` around `values` with a margin of 10 % of their spread on each
/// side (0.5 for points all on one line).
fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (-1.0, 1.0);
    }
    let pad = if hi > lo { (hi - lo) * 0.1 } else { 0.5 };
    (lo - pad, hi + pad)
}

/// Whether the last module of `model`, depth first, is a `Sigmoid`: its
/// single output is then a probability, not a logit.
fn last_leaf_is_sigmoid(model: &dyn Module) -> bool {
    match model.children().last() {
        Some(child) => last_leaf_is_sigmoid(*child),
        None => model.class_name() == "Sigmoid",
    }
}

/// Runs `f` with `model` in evaluation mode, and puts a model that was
/// training back in training mode after (also if `f` panics).
fn in_eval_mode<R>(model: &dyn Module, f: impl FnOnce() -> R) -> R {
    struct Restore<'a>(&'a dyn Module, bool);
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            if self.1 {
                self.0.train();
            }
        }
    }
    let _restore = Restore(model, model.training());
    model.eval();
    f()
}

/// The class `model` predicts for each row of `x`.
#[track_caller]
fn predict(model: &dyn Module, x: &Tensor, threshold: f64) -> Vec<usize> {
    let rows = x.shape()[0];
    let out = model.forward(x);
    let scores = out.to_vec::<f64>();
    let shape = out.shape().to_vec();
    let k = match shape.as_slice() {
        [m] if *m == rows => 1,
        [m, k] if *m == rows && *k >= 1 => *k,
        _ => panic!(
            "plot::decision_boundary: the model gives output of shape {shape:?} for {rows} points; \
             expected [{rows}, classes] (or [{rows}] for one score)"
        ),
    };
    if k == 1 {
        return scores.iter().map(|&s| usize::from(s > threshold)).collect();
    }
    scores
        .chunks(k)
        .map(|row| {
            // The first largest, as torch's argmax; NaN counts as largest.
            let mut best = 0;
            for (j, &v) in row.iter().enumerate() {
                if v > row[best] || (v.is_nan() && !row[best].is_nan()) {
                    best = j;
                }
            }
            best
        })
        .collect()
}

/// The regions as SVG paths, one per class, in the chart's pixels: `(x, y)`
/// are the chart's ranges, `(px, py)` its plotting area in pixels (left to
/// right, top to bottom). Cells of one class are merged into rectangles:
/// runs along each row, then equal runs of consecutive rows.
pub(crate) fn region_svg(
    regions: &Regions,
    (x, y): ((f64, f64), (f64, f64)),
    (px, py): (Range<i32>, Range<i32>),
) -> String {
    let (left, right) = (f64::from(px.start), f64::from(px.end));
    let (top, bottom) = (f64::from(py.start), f64::from(py.end));
    // Pixel edges of the grid's columns and rows, whole pixels: cells meet
    // without seams.
    let col_edge = |i: usize| {
        let v = regions.x.0 + (regions.x.1 - regions.x.0) * i as f64 / regions.nx as f64;
        (left + (v - x.0) / (x.1 - x.0) * (right - left)).round()
    };
    let row_edge = |j: usize| {
        let v = regions.y.1 - (regions.y.1 - regions.y.0) * j as f64 / regions.ny as f64;
        (top + (y.1 - v) / (y.1 - y.0) * (bottom - top)).round()
    };
    let classes = regions.class.iter().max().map_or(0, |&c| c + 1);
    let mut paths = vec![String::new(); classes];
    // Open rectangles: (first column, end column, class) → first row.
    let mut open: Vec<((usize, usize, usize), usize)> = Vec::new();
    let close = |paths: &mut Vec<String>, (c0, c1, class): (usize, usize, usize), r0, r1| {
        let (x0, x1, y0, y1) = (col_edge(c0), col_edge(c1), row_edge(r0), row_edge(r1));
        // A rectangle a line (whitespace in the attribute), for diffs.
        if !paths[class].is_empty() {
            paths[class].push('\n');
        }
        let _ = write!(
            paths[class],
            "M{} {}h{}v{}h-{}z",
            num(x0),
            num(y0),
            num(x1 - x0),
            num(y1 - y0),
            num(x1 - x0)
        );
    };
    for row in 0..=regions.ny {
        let runs: Vec<(usize, usize, usize)> = if row < regions.ny {
            let cells = &regions.class[row * regions.nx..(row + 1) * regions.nx];
            let mut runs = Vec::new();
            let mut start = 0;
            for col in 1..=regions.nx {
                if col == regions.nx || cells[col] != cells[start] {
                    runs.push((start, col, cells[start]));
                    start = col;
                }
            }
            runs
        } else {
            Vec::new()
        };
        let mut still_open = Vec::with_capacity(runs.len());
        for (run, first) in open.drain(..) {
            if runs.contains(&run) {
                still_open.push((run, first));
            } else {
                close(&mut paths, run, first, row);
            }
        }
        for run in runs {
            if !still_open.iter().any(|(r, _)| *r == run) {
                still_open.push((run, row));
            }
        }
        open = still_open;
    }
    let mut out = String::new();
    for (class, d) in paths.iter().enumerate() {
        if !d.is_empty() {
            let _ = writeln!(
                out,
                "<path fill=\"{}\" shape-rendering=\"crispEdges\" d=\"{d}\"/>",
                hex(tint(palette(class), REGION_TINT))
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Linear, ModuleInfo, Sigmoid};
    use crate::sequential;

    /// A linear classifier: class 1 right of x = 0.
    fn right_is_one() -> crate::nn::Sequential {
        sequential![Linear::from_weights(
            crate::tensor![[-1.0, 0.0], [1.0, 0.0]],
            Some(crate::tensor![0.0, 0.0])
        )]
    }

    #[test]
    fn regions_follow_the_model() {
        let x = crate::tensor![[-1.0, 0.0], [1.0, 1.0], [-0.5, 2.0], [2.0, -1.0]];
        let y = crate::tensor![0_i64, 1, 0, 1];
        let fig = decision_boundary(&right_is_one(), &x, &y);
        let regions = fig.regions.as_ref().unwrap();
        assert_eq!(regions.class.len(), GRID.0 * GRID.1);
        // Each row: class 0 left of x = 0, class 1 right of it.
        let zero = (0.0 - regions.x.0) / (regions.x.1 - regions.x.0) * regions.nx as f64;
        for row in regions.class.chunks(regions.nx) {
            let boundary = row.iter().position(|&c| c == 1).unwrap();
            assert!((boundary as f64 - zero).abs() <= 1.0);
            assert!(row[boundary..].iter().all(|&c| c == 1));
        }
        assert_eq!(fig.title, "Decision boundary (accuracy 100%)");
        // Two merged rectangles in all: one per class.
        let svg = fig.to_svg();
        let regions: Vec<&str> = svg.lines().filter(|l| l.contains("crispEdges")).collect();
        assert_eq!(regions.len(), 2);
        assert!(regions.iter().all(|l| l.matches('z').count() == 1));
    }

    #[test]
    fn one_output_is_a_binary_classifier() {
        let logit = sequential![Linear::from_weights(
            crate::tensor![[1.0, 0.0]],
            Some(crate::tensor![0.0])
        )];
        let x = crate::tensor![[-1.0, 0.0], [1.0, 0.0]];
        assert_eq!(predict(&logit, &x, 0.0), [0, 1]);
        let prob = sequential![
            Linear::from_weights(crate::tensor![[1.0, 0.0]], Some(crate::tensor![0.0])),
            Sigmoid::new()
        ];
        assert!(last_leaf_is_sigmoid(&prob) && !last_leaf_is_sigmoid(&logit));
        let y = crate::tensor![[0.0], [1.0]];
        let fig = decision_boundary(&prob, &x, &y);
        assert_eq!(fig.title, "Decision boundary (accuracy 100%)");
    }

    #[test]
    fn a_training_model_stays_in_training_mode() {
        let model = sequential![Linear::new(2, 2), crate::nn::Dropout::new(0.5)];
        let x = crate::tensor![[0.0, 0.0], [1.0, 1.0]];
        decision_boundary(&model, &x, &crate::tensor![0_i64, 1]);
        assert!(model.training());
        model.eval();
        decision_boundary(&model, &x, &crate::tensor![0_i64, 1]);
        assert!(!model.training());
    }

    #[test]
    #[should_panic(expected = "x must be [N, 2]")]
    fn points_must_be_2d() {
        decision_boundary(
            &right_is_one(),
            &crate::tensor![1.0, 2.0],
            &crate::tensor![0_i64],
        );
    }

    #[test]
    #[should_panic(expected = "y must hold class indices")]
    fn labels_must_be_classes() {
        decision_boundary(
            &right_is_one(),
            &crate::tensor![[1.0, 2.0]],
            &crate::tensor![0.5],
        );
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(3, 3), "100%");
        assert_eq!(percent(0, 3), "0%");
    }
}

//! Plots drawn by a cell, inline: lines and points of tensors, activation
//! functions with their autograd derivatives, a model's fit to its data, loss
//! and accuracy curves, a loss plot that redraws while training runs — and
//! the pictures of a classification lesson: images from a tensor, a decision
//! boundary, a confusion matrix, the diagram of a network — and of a
//! convolutional one: its filters and feature maps.
//!
//! Every function returns a [`Figure`], shown as SVG when it is the last
//! expression of a cell (or passed to [`Figure::show`]) and changed with
//! builder methods before that:
//!
//! ```
//! use nn_core::prelude::*;
//!
//! let x = Tensor::linspace(-3.0, 3.0, 61);
//! let fig = plot::line(&x, &x.tanh()).label("tanh")
//!     .line(&x, &x.sigmoid()).label("sigmoid")
//!     .title("Squashing functions")
//!     .x_label("x");
//! assert_eq!(fig.series_count(), 2);
//! ```
//!
//! Figures are SVG made with plotters' SVG backend, without fonts (the
//! viewer draws the text). With the cargo feature `png` (off by default:
//! rasterizing brings a renderer and a font, about 40 more crates to build),
//! `Figure::to_png` and `Figure::save_png` give PNG too, and a figure's
//! MIME bundle carries `image/png` beside the SVG for exports that need a
//! raster (nbconvert's LaTeX and PDF; docs/display.md says how).

mod activation;
mod boundary;
mod colour_map;
mod confusion;
mod draw;
mod feature_maps;
mod figure;
mod filters;
mod images;
mod live;
mod live_figure;
mod network;
mod panels;
#[cfg(feature = "png")]
mod png;
mod svg;

pub use activation::{activation, activation_named};
pub use boundary::decision_boundary;
pub use confusion::confusion_matrix;
pub use feature_maps::feature_maps;
pub use figure::{Figure, PlotData};
pub use filters::filters;
pub use images::{images, titles};
pub use live::LivePlot;
pub use live_figure::LiveFigure;
pub use network::network;
pub use panels::training_curves;

/// A line through the points `(x[i], y[i])`.
///
/// # Panics
/// If `x` and `y` hold different numbers of values.
///
/// ```
/// use nn_core::prelude::*;
/// let x = Tensor::linspace(-2.0, 2.0, 41);
/// let fig = plot::line(&x, &x.pow(2.0)).title("x²");
/// assert!(fig.to_svg().contains("<polyline"));
/// ```
#[track_caller]
pub fn line(x: &(impl PlotData + ?Sized), y: &(impl PlotData + ?Sized)) -> Figure {
    Figure::new().line(x, y)
}

/// The points `(x[i], y[i])` as dots.
///
/// # Panics
/// If `x` and `y` hold different numbers of values.
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let x = Tensor::rand([50]);
/// let fig = plot::scatter(&x, &(&x * 2.0 + Tensor::randn([50]) * 0.1));
/// assert_eq!(fig.to_svg().matches("<circle").count(), 50);
/// ```
#[track_caller]
pub fn scatter(x: &(impl PlotData + ?Sized), y: &(impl PlotData + ?Sized)) -> Figure {
    Figure::new().scatter(x, y)
}

/// The regression picture: the data as dots and the model's predictions as
/// a line (drawn in order of `x`, so the data need not be sorted).
///
/// # Panics
/// If the three hold different numbers of values.
///
/// ```
/// use nn_core::prelude::*;
/// let x = tensor![[0.0], [1.0], [2.0], [3.0]];
/// let y = tensor![[0.1], [1.9], [4.2], [5.8]];
/// let model = Linear::from_weights(tensor![[2.0]], Some(tensor![0.0]));
/// let fig = plot::fit(&x, &y, &model.forward(&x));
/// let svg = fig.to_svg();
/// assert!(svg.contains(">data</text>") && svg.contains(">model</text>"));
/// ```
#[track_caller]
pub fn fit(
    x: &(impl PlotData + ?Sized),
    y_data: &(impl PlotData + ?Sized),
    y_model: &(impl PlotData + ?Sized),
) -> Figure {
    // Generic only to read the values: the rest (a sort among it) is
    // compiled once here, not in every cell that draws a fit.
    fit_values(x.plot_values(), y_data.plot_values(), y_model.plot_values())
}

#[track_caller]
fn fit_values(x: Vec<f64>, y_data: Vec<f64>, y_model: Vec<f64>) -> Figure {
    let mut model: Vec<(f64, f64)> = x.iter().copied().zip(y_model).collect();
    assert_eq!(
        model.len(),
        x.len(),
        "plot::fit: x has {} values but y_model has {}",
        x.len(),
        model.len()
    );
    model.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mx, my): (Vec<f64>, Vec<f64>) = model.into_iter().unzip();
    Figure::new()
        .title("Model fit")
        .x_label("x")
        .y_label("y")
        .scatter(&x, &y_data)
        .label("data")
        .line(&mx, &my)
        .label("model")
}

/// Losses against epochs (0, 1, 2, …), as `plt.plot(losses)`.
///
/// ```
/// use nn_core::prelude::*;
/// let losses: Vec<f64> = (0..100).map(|e| 1.0 / (1.0 + e as f64)).collect();
/// let fig = plot::loss_curve(&losses);
/// assert_eq!(fig.mime_bundle().text(), "<Figure 640x400: Training loss>");
/// ```
pub fn loss_curve(losses: &(impl PlotData + ?Sized)) -> Figure {
    loss_curve_values(losses.plot_values())
}

fn loss_curve_values(y: Vec<f64>) -> Figure {
    let x: Vec<f64> = (0..y.len()).map(|i| i as f64).collect();
    Figure::new()
        .title("Training loss")
        .x_label("epoch")
        .y_label("loss")
        .line(&x, &y)
}

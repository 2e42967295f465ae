//! [`Figure`]: what a plot is — size, title, axis labels and series — built
//! with builder methods and drawn to SVG by [`draw`](super::draw).

use super::draw;
use crate::notebook::{DisplayHandle, MimeBundle, Render, display};
use crate::tensor::Tensor;
use std::ops::Range;
use std::path::Path;

/// Numbers a figure can plot: tensors (all values, row-major, so an
/// `[n, 1]` column works), slices, arrays and vectors of `f64`, `f32`,
/// `i64`, `i32` and `usize`.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::plot::PlotData;
///
/// assert_eq!(tensor![[1.0], [2.0]].plot_values(), vec![1.0, 2.0]);
/// assert_eq!(vec![1_usize, 2].plot_values(), vec![1.0, 2.0]);
/// assert_eq!([0.5_f32].plot_values(), vec![0.5]);
/// ```
pub trait PlotData {
    /// The values as `f64`.
    fn plot_values(&self) -> Vec<f64>;
}

impl PlotData for Tensor {
    fn plot_values(&self) -> Vec<f64> {
        self.to_vec::<f64>()
    }
}

macro_rules! plot_data_numbers {
    ($($t:ty),*) => {$(
        impl PlotData for [$t] {
            fn plot_values(&self) -> Vec<f64> {
                self.iter().map(|&v| v as f64).collect()
            }
        }
        impl PlotData for Vec<$t> {
            fn plot_values(&self) -> Vec<f64> {
                self.as_slice().plot_values()
            }
        }
        impl<const N: usize> PlotData for [$t; N] {
            fn plot_values(&self) -> Vec<f64> {
                self.as_slice().plot_values()
            }
        }
    )*};
}

plot_data_numbers!(f64, f32, i64, i32, usize);

impl<T: PlotData + ?Sized> PlotData for &T {
    fn plot_values(&self) -> Vec<f64> {
        (**self).plot_values()
    }
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    Line,
    Dashed,
    Points,
    /// Points with a white edge, legible on coloured regions.
    Edged,
}

/// What a figure draws: a chart of series (the default), or one of the
/// pictures drawn by their own modules.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    /// Axes with lines and points ([`Series`]), and, for a decision
    /// boundary, class regions below them.
    Chart,
    /// A grid of grayscale images ([`plot::images`](super::images)).
    Images(super::images::ImageGrid),
    /// A confusion matrix ([`plot::confusion_matrix`](super::confusion_matrix)).
    Confusion(super::confusion::Confusion),
    /// A network diagram ([`plot::network`](super::network)).
    Network(super::network::Diagram),
    /// Figures side by side ([`Figure::beside`]).
    Panels(Vec<Figure>),
}

impl Kind {
    /// What the figure is, for messages: "an image grid".
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Kind::Chart => "a chart",
            Kind::Images(_) => "an image grid",
            Kind::Confusion(_) => "a confusion matrix",
            Kind::Network(_) => "a network diagram",
            Kind::Panels(_) => "figures side by side",
        }
    }
}

/// One set of points, drawn in one colour.
#[derive(Clone, Debug)]
pub(crate) struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub mark: Mark,
}

/// A figure: an SVG chart of lines and points, shown in a notebook as
/// `image/svg+xml` when it is a cell's last expression or passed to
/// [`show`](Self::show) / [`display`].
///
/// Build it with the functions of [`plot`](crate::plot) or from
/// [`Figure::new`], then builder methods. It is drawn on white, 640 × 400
/// by default: readable in light and dark notebook themes and in exported
/// HTML, as matplotlib's figures are.
///
/// ```
/// use nn_core::prelude::*;
///
/// let x = Tensor::linspace(0.0, 6.0, 61);
/// let fig = Figure::new()
///     .title("Waves")
///     .x_label("t")
///     .line(&x, &x.sin()).label("sin")
///     .line(&x, &x.cos()).label("cos");
/// assert_eq!(fig.mime_bundle().text(), "<Figure 640x400: Waves>");
/// assert!(fig.to_svg().starts_with("<svg"));
/// ```
#[derive(Clone, Debug)]
pub struct Figure {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) title: String,
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    pub(crate) series: Vec<Series>,
    pub(crate) x_range: Option<(f64, f64)>,
    pub(crate) y_range: Option<(f64, f64)>,
    pub(crate) zero_lines: bool,
    pub(crate) kind: Kind,
    /// The palette colour of the first series (series `i` gets colour
    /// `colour_offset + i`).
    pub(crate) colour_offset: usize,
    /// Coloured class regions below the series (a decision boundary).
    pub(crate) regions: Option<super::boundary::Regions>,
}

impl Default for Figure {
    fn default() -> Figure {
        Figure {
            width: 640,
            height: 400,
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            series: Vec::new(),
            x_range: None,
            y_range: None,
            zero_lines: false,
            kind: Kind::Chart,
            colour_offset: 0,
            regions: None,
        }
    }
}

impl Figure {
    /// An empty 640 × 400 figure.
    ///
    /// ```
    /// use nn_core::plot::Figure;
    /// assert_eq!(Figure::new().series_count(), 0);
    /// ```
    pub fn new() -> Figure {
        Figure::default()
    }

    /// Sets the size in pixels (CSS pixels in a notebook).
    ///
    /// ```
    /// use nn_core::plot::Figure;
    /// assert!(Figure::new().size(320, 200).to_svg().starts_with("<svg width=\"320\" height=\"200\""));
    /// ```
    pub fn size(mut self, width: u32, height: u32) -> Figure {
        self.width = width.max(1);
        self.height = height.max(1);
        if let Kind::Panels(panels) = &mut self.kind {
            super::panels::fit(panels, self.width, self.height);
        }
        self
    }

    /// Sets the title, drawn above the chart.
    ///
    /// ```
    /// use nn_core::plot::Figure;
    /// assert!(Figure::new().title("Loss").to_svg().contains(">Loss</text>"));
    /// ```
    pub fn title(mut self, title: &str) -> Figure {
        self.title = title.to_owned();
        if let Kind::Images(_) = self.kind {
            // An image grid is as narrow as its images: widen it for a
            // title that would not fit (as its own title was fitted).
            let need = super::svg::text_width(title, super::svg::TITLE_PX) + 24.0;
            self.width = self.width.max(need.ceil() as u32);
        }
        self
    }

    /// Sets the label of the horizontal axis.
    ///
    /// ```
    /// use nn_core::plot::Figure;
    /// assert!(Figure::new().x_label("epoch").to_svg().contains(">epoch</text>"));
    /// ```
    pub fn x_label(mut self, label: &str) -> Figure {
        self.x_label = label.to_owned();
        self
    }

    /// Sets the label of the vertical axis.
    ///
    /// ```
    /// use nn_core::plot::Figure;
    /// assert!(Figure::new().y_label("loss").to_svg().contains(">loss</text>"));
    /// ```
    pub fn y_label(mut self, label: &str) -> Figure {
        self.y_label = label.to_owned();
        self
    }

    /// Adds a line through the points `(x[i], y[i])`, in the next colour.
    ///
    /// # Panics
    /// If `x` and `y` hold different numbers of values.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::linspace(-1.0, 1.0, 5);
    /// let fig = Figure::new().line(&x, &x.pow(2.0));
    /// assert_eq!(fig.series_count(), 1);
    /// ```
    #[track_caller]
    pub fn line(self, x: &(impl PlotData + ?Sized), y: &(impl PlotData + ?Sized)) -> Figure {
        self.push(Mark::Line, x.plot_values(), y.plot_values())
    }

    /// Adds a dashed line, for a second kind of curve (a derivative, a
    /// target).
    ///
    /// # Panics
    /// If `x` and `y` hold different numbers of values.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let fig = Figure::new().dashed(&[0.0, 1.0], &[1.0, 1.0]);
    /// assert_eq!(fig.series_count(), 1);
    /// ```
    #[track_caller]
    pub fn dashed(self, x: &(impl PlotData + ?Sized), y: &(impl PlotData + ?Sized)) -> Figure {
        self.push(Mark::Dashed, x.plot_values(), y.plot_values())
    }

    /// Adds the points `(x[i], y[i])` as dots, in the next colour.
    ///
    /// # Panics
    /// If `x` and `y` hold different numbers of values.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let fig = Figure::new().scatter(&tensor![1.0, 2.0, 3.0], &tensor![2.0, 4.1, 5.9]);
    /// assert_eq!(fig.to_svg().matches("<circle").count(), 3);
    /// ```
    #[track_caller]
    pub fn scatter(self, x: &(impl PlotData + ?Sized), y: &(impl PlotData + ?Sized)) -> Figure {
        self.push(Mark::Points, x.plot_values(), y.plot_values())
    }

    /// Names the series added last; named series are listed in a legend.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let fig = Figure::new().line(&[0.0, 1.0], &[0.0, 1.0]).label("identity");
    /// assert!(fig.to_svg().contains(">identity</text>"));
    /// ```
    pub fn label(mut self, label: &str) -> Figure {
        if let Some(last) = self.series.last_mut() {
            last.label = label.to_owned();
        }
        self
    }

    /// Fixes the horizontal axis to `range` (otherwise it fits the data).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let fig = Figure::new().line(&[0.0, 1.0], &[0.0, 1.0]).x_range(-2.0..2.0);
    /// assert!(fig.to_svg().contains(">-2</text>"));
    /// ```
    pub fn x_range(mut self, range: Range<f64>) -> Figure {
        self.x_range = Some((range.start, range.end));
        self
    }

    /// Fixes the vertical axis to `range` (otherwise it fits the data).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let fig = Figure::new().line(&[0.0, 1.0], &[0.0, 1.0]).y_range(0.0..10.0);
    /// assert!(fig.to_svg().contains(">10</text>"));
    /// ```
    pub fn y_range(mut self, range: Range<f64>) -> Figure {
        self.y_range = Some((range.start, range.end));
        self
    }

    /// Draws the axes `x = 0` and `y = 0` as darker lines where they fall
    /// inside the chart (as the activation plots do).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let plain = Figure::new().line(&[-1.0, 1.0], &[-1.0, 1.0]);
    /// let with_axes = plain.clone().zero_lines(true);
    /// assert!(with_axes.to_svg().matches("<polyline").count() > plain.to_svg().matches("<polyline").count());
    /// ```
    pub fn zero_lines(mut self, on: bool) -> Figure {
        self.zero_lines = on;
        self
    }

    /// The number of series (lines and point sets).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(plot::line(&[0.0, 1.0], &[1.0, 0.0]).series_count(), 1);
    /// ```
    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    /// The figure as an SVG document. Text is SVG `<text>` in the viewer's
    /// sans-serif font: no font is needed to draw it.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let svg = plot::line(&[0.0, 1.0], &[1.0, 0.0]).to_svg();
    /// assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    /// ```
    pub fn to_svg(&self) -> String {
        draw::svg(self)
    }

    /// Writes the SVG to `path` (an `.svg` file, for slides or a README).
    ///
    /// # Errors
    /// If the file cannot be written.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let path = std::env::temp_dir().join("nn-core-doc-figure.svg");
    /// plot::line(&[0.0, 1.0], &[1.0, 0.0]).save_svg(&path).unwrap();
    /// assert!(std::fs::read_to_string(&path).unwrap().starts_with("<svg"));
    /// ```
    pub fn save_svg(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        std::fs::write(path, self.to_svg())
    }

    /// Shows the figure now, below the cell, and returns the handle that can
    /// replace it ([`DisplayHandle::update`]). Two `show`s in one cell give
    /// two figures.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::linspace(-3.0, 3.0, 61);
    /// plot::line(&x, &x.relu()).title("ReLU").show();
    /// plot::line(&x, &x.tanh()).title("Tanh").show();
    /// ```
    pub fn show(&self) -> DisplayHandle {
        display(self)
    }

    #[track_caller]
    fn push(mut self, mark: Mark, x: Vec<f64>, y: Vec<f64>) -> Figure {
        assert!(
            matches!(self.kind, Kind::Chart),
            "plot: cannot add a line or points to {}; only charts (plot::line, scatter, fit, …) take series",
            self.kind.name()
        );
        assert_eq!(
            x.len(),
            y.len(),
            "plot: x has {} values but y has {}",
            x.len(),
            y.len()
        );
        self.series.push(Series {
            label: String::new(),
            points: x.into_iter().zip(y).collect(),
            mark,
        });
        self
    }

    /// Adds a series drawn as `mark`, named `label` (for the functions of
    /// [`plot`](super) that build charts from their own data).
    pub(crate) fn push_series(self, mark: Mark, label: &str, x: Vec<f64>, y: Vec<f64>) -> Figure {
        self.push(mark, x, y).label(label)
    }

    /// A bundle of the figure with `text` as `text/plain`: its SVG, and with
    /// the feature `png` and `png` true, its PNG.
    pub(crate) fn bundle(&self, text: String, png: bool) -> MimeBundle {
        let svg = self.to_svg();
        #[cfg(feature = "png")]
        if png {
            let png = super::png::svg_to_png(&svg, self.width, self.height);
            return MimeBundle::new(text).with_svg(svg).with_png(&png);
        }
        let _ = png;
        MimeBundle::new(text).with_svg(svg)
    }

    /// `<Figure 640x400: title>`.
    /// Figures side by side without a title of their own are named by
    /// their panels' titles: `<Figure 720x320: Loss | Accuracy>`.
    pub(crate) fn summary(&self) -> String {
        let title = match &self.kind {
            Kind::Panels(panels) if self.title.is_empty() => panels
                .iter()
                .map(|p| p.title.as_str())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" | "),
            _ => self.title.clone(),
        };
        if title.is_empty() {
            format!("<Figure {}x{}>", self.width, self.height)
        } else {
            format!("<Figure {}x{}: {title}>", self.width, self.height)
        }
    }
}

/// `image/svg+xml`, and `<Figure 640x400: title>` as `text/plain`. With the
/// cargo feature `png`, also `image/png` (`Figure::to_png`, base64):
/// browsers show the SVG, while exports that need a raster (nbconvert's
/// LaTeX and PDF) take the PNG.
///
/// ```
/// use nn_core::prelude::*;
/// let bundle = plot::line(&[0.0, 1.0], &[0.0, 1.0]).title("ReLU").mime_bundle();
/// assert_eq!(bundle.text(), "<Figure 640x400: ReLU>");
/// assert!(bundle.get("image/svg+xml").unwrap().starts_with("<svg"));
/// assert_eq!(bundle.get("image/png").is_some(), cfg!(feature = "png"));
/// ```
impl Render for Figure {
    fn mime_bundle(&self) -> MimeBundle {
        self.bundle(self.summary(), true)
    }
}

crate::evcxr_display!(Figure);

//! [`LiveFigure`]: any figure redrawn in place while a loop runs — a
//! decision boundary moving as the model trains.

use super::figure::Figure;
use crate::display::live::LiveOutput;
use std::time::{Duration, Instant};

/// Least time between two redraws under the kernel (as [`LivePlot`](super::LivePlot)).
const REDRAW_INTERVAL: Duration = Duration::from_millis(250);

/// One output that shows a new figure in place of the last, for pictures
/// that change while training runs: the decision boundary, the first
/// layer's filters, a fit.
///
/// Ask [`ready`](Self::ready) before drawing — a figure costs a forward pass
/// and a few milliseconds of SVG, so draw it only when it will be shown —
/// then [`update`](Self::update); after the loop, [`finish`](Self::finish)
/// with the final picture. Under the kernel the output is replaced in
/// place at most four times a second; in plain evcxr or a program, where a
/// picture cannot be shown, `ready` is true every two seconds and each
/// update prints the figure's text line.
///
/// ```
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// let x = Tensor::randn([40, 2]);
/// let y = x.i((.., 0)).gt(0.0).to_dtype(DType::Int64); // right of x = 0: class 1
/// let model = sequential![Linear::new(2, 8), ReLU::new(), Linear::new(8, 2)];
/// let mut opt = SGD::new(model.parameters(), 0.5);
/// let mut live = LiveFigure::new();
/// for epoch in 0..50 {
///     opt.zero_grad();
///     let loss = CrossEntropyLoss::new().forward(&model.forward(&x), &y);
///     loss.backward();
///     opt.step();
///     if live.ready() {
///         live.update(&plot::decision_boundary(&model, &x, &y).title(&format!("epoch {epoch}")));
///     }
/// }
/// live.finish(&plot::decision_boundary(&model, &x, &y));
/// ```
#[derive(Debug)]
pub struct LiveFigure {
    output: LiveOutput,
}

impl Default for LiveFigure {
    fn default() -> LiveFigure {
        LiveFigure {
            output: LiveOutput::new(REDRAW_INTERVAL),
        }
    }
}

impl LiveFigure {
    /// A live figure with nothing shown yet.
    ///
    /// ```
    /// let live = nn_core::plot::LiveFigure::new();
    /// # drop(live);
    /// ```
    pub fn new() -> LiveFigure {
        LiveFigure::default()
    }

    /// Whether an [`update`](Self::update) now would be shown: the first
    /// time, then a quarter of a second after the last one under the
    /// kernel (two seconds as text).
    ///
    /// ```
    /// let live = nn_core::plot::LiveFigure::new();
    /// let _ = live.ready();
    /// ```
    pub fn ready(&self) -> bool {
        self.output.due(Instant::now(), false)
    }

    /// Shows `figure` in place of the last one (the first time, as a new
    /// output). Only the SVG is sent, also with the feature `png`: the PNG
    /// goes with [`finish`](Self::finish)'s final picture.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut live = LiveFigure::new();
    /// live.update(&plot::line(&[0.0, 1.0], &[1.0, 0.0]));
    /// ```
    pub fn update(&mut self, figure: &Figure) {
        let bundle = figure.bundle(figure_text(figure), false);
        self.output.show(bundle, Instant::now());
    }

    /// Shows the final `figure`, with its PNG under the feature `png` (the
    /// picture that stays in the notebook and its exports).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut live = LiveFigure::new();
    /// live.finish(&plot::line(&[0.0, 1.0], &[1.0, 0.0]).title("done"));
    /// ```
    pub fn finish(&mut self, figure: &Figure) {
        let bundle = figure.bundle(figure_text(figure), true);
        self.output.show(bundle, Instant::now());
    }
}

/// The figure's `text/plain`: `<Figure 640x400: title>`.
fn figure_text(figure: &Figure) -> String {
    figure.summary()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_kernel() -> LiveFigure {
        LiveFigure {
            output: LiveOutput::with_mode(true, REDRAW_INTERVAL),
        }
    }

    #[test]
    fn ready_at_first_then_after_the_interval() {
        let mut live = in_kernel();
        assert!(live.ready());
        live.update(&Figure::new().title("epoch 0"));
        assert!(!live.ready(), "just drawn");
        std::thread::sleep(REDRAW_INTERVAL);
        assert!(live.ready());
    }

    #[test]
    fn as_text_only_every_few_seconds() {
        let live = LiveFigure {
            output: LiveOutput::with_mode(false, REDRAW_INTERVAL),
        };
        assert!(!live.ready(), "a short loop prints only its final figure");
    }

    #[test]
    fn the_text_is_the_figure_summary() {
        let fig = Figure::new().title("epoch 3").size(300, 200);
        assert_eq!(figure_text(&fig), "<Figure 300x200: epoch 3>");
    }
}

//! [`LivePlot`]: a loss curve that redraws in place while training runs.

use super::figure::Figure;
use crate::display::live::LiveOutput;
use crate::notebook::{MimeBundle, Render};
use std::time::{Duration, Instant};

/// Least time between two redraws under the kernel: an SVG is a few
/// kilobytes, so a fast loop sends a few a second at most.
const REDRAW_INTERVAL: Duration = Duration::from_millis(250);

/// A plot of training numbers (the loss, and e.g. a validation loss) that
/// redraws itself in place every `every` steps while a loop runs, through
/// [`DisplayHandle::update`](crate::notebook::DisplayHandle::update).
///
/// Push values as they come; call [`finish`](Self::finish) after the loop
/// for the final picture (dropping the plot does it too). In plain evcxr or a
/// program, where a picture cannot be shown, it prints a line with the last
/// values every few seconds instead. [`ProgressBar::live_plot`](crate::display::ProgressBar::live_plot)
/// does all of this for the numbers given to the progress bar.
///
/// ```
/// use nn_core::prelude::*;
///
/// let mut live = LivePlot::new().every(20);
/// for epoch in 0..100 {
///     let loss = 1.0 / (epoch + 1) as f64;
///     live.push(loss);
///     live.push_to("validation", loss * 1.2);
/// }
/// live.finish();
/// assert_eq!(live.figure().series_count(), 2);
/// ```
#[derive(Debug)]
pub struct LivePlot {
    every: usize,
    title: String,
    x_label: String,
    y_label: String,
    /// `(name, points)` in the order first pushed.
    series: Vec<(String, Vec<(f64, f64)>)>,
    /// The step drawn last.
    drawn: Option<usize>,
    /// Whether that drawing was a final one (with the PNG, feature `png`).
    drawn_final: bool,
    output: Option<LiveOutput>,
}

impl Default for LivePlot {
    fn default() -> LivePlot {
        LivePlot {
            every: 10,
            title: "Training loss".to_owned(),
            x_label: "step".to_owned(),
            y_label: "loss".to_owned(),
            series: Vec::new(),
            drawn: None,
            drawn_final: false,
            output: None,
        }
    }
}

impl LivePlot {
    /// An empty plot, redrawn every 10 steps.
    ///
    /// ```
    /// assert_eq!(nn_core::plot::LivePlot::new().figure().series_count(), 0);
    /// ```
    pub fn new() -> LivePlot {
        LivePlot::default()
    }

    /// Redraws every `every` steps (at least 1).
    ///
    /// ```
    /// let live = nn_core::plot::LivePlot::new().every(50);
    /// # drop(live);
    /// ```
    pub fn every(mut self, every: usize) -> LivePlot {
        self.every = every.max(1);
        self
    }

    /// Sets the title (default `Training loss`).
    ///
    /// ```
    /// let live = nn_core::plot::LivePlot::new().title("MSE");
    /// assert!(live.figure().to_svg().contains(">MSE</text>"));
    /// ```
    pub fn title(mut self, title: &str) -> LivePlot {
        self.title = title.to_owned();
        self
    }

    /// Sets the axis labels (default `step` and `loss`).
    ///
    /// ```
    /// let live = nn_core::plot::LivePlot::new().labels("epoch", "MSE");
    /// assert!(live.figure().to_svg().contains(">epoch</text>"));
    /// ```
    pub fn labels(mut self, x: &str, y: &str) -> LivePlot {
        self.x_label = x.to_owned();
        self.y_label = y.to_owned();
        self
    }

    /// Adds the next value of the `loss` series (its step is its position:
    /// 0, 1, 2, …) and redraws if a multiple of `every` steps is reached.
    ///
    /// ```
    /// let mut live = nn_core::plot::LivePlot::new();
    /// live.push(0.5);
    /// live.push(0.25);
    /// assert_eq!(live.len(), 2);
    /// # live.finish();
    /// ```
    pub fn push(&mut self, value: f64) {
        self.push_to("loss", value);
    }

    /// Adds the next value of the series `name` (a second curve, e.g. the
    /// validation loss), then redraws as [`push`](Self::push).
    ///
    /// ```
    /// let mut live = nn_core::plot::LivePlot::new();
    /// live.push(0.5);
    /// live.push_to("validation", 0.7);
    /// assert_eq!(live.figure().series_count(), 2);
    /// # live.finish();
    /// ```
    pub fn push_to(&mut self, name: &str, value: f64) {
        let step = self.series_mut(name).len();
        self.push_at(name, step as f64, value);
    }

    /// The number of steps so far (the longest series' length).
    ///
    /// ```
    /// assert_eq!(nn_core::plot::LivePlot::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.series.iter().map(|(_, p)| p.len()).max().unwrap_or(0)
    }

    /// Whether nothing was pushed yet.
    ///
    /// ```
    /// assert!(nn_core::plot::LivePlot::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The plot as a [`Figure`] now (to save it, or show it again later).
    ///
    /// ```
    /// let mut live = nn_core::plot::LivePlot::new();
    /// live.push(1.0);
    /// live.push(0.5);
    /// assert_eq!(live.figure().series_count(), 1);
    /// # live.finish();
    /// ```
    pub fn figure(&self) -> Figure {
        let mut figure = Figure::new()
            .title(&self.title)
            .x_label(&self.x_label)
            .y_label(&self.y_label);
        let named = self.series.len() > 1;
        for (name, points) in &self.series {
            let (x, y): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
            figure = figure.line(&x, &y);
            if named {
                figure = figure.label(name);
            }
        }
        figure
    }

    /// Draws the final state (if anything changed since the last redraw).
    /// Call it after the loop.
    ///
    /// ```
    /// let mut live = nn_core::plot::LivePlot::new().every(100);
    /// for i in 0..10 {
    ///     live.push(1.0 / (i + 1) as f64);
    /// }
    /// live.finish(); // shows all 10 points
    /// ```
    pub fn finish(&mut self) {
        let step = self.len();
        // With the PNG, a last step drawn mid-loop is drawn again, with it.
        let final_missing = cfg!(feature = "png") && !self.drawn_final;
        if step > 0 && (self.drawn != Some(step) || final_missing) {
            self.redraw(step, true);
        }
    }

    /// Adds the point `(step, value)` to the series `name`, for values
    /// measured now and then (a validation loss every 5 epochs), then redraws
    /// as [`push`](Self::push).
    ///
    /// ```
    /// let mut live = nn_core::plot::LivePlot::new();
    /// for epoch in 0..20 {
    ///     live.push(1.0 / (epoch + 1) as f64);
    ///     if epoch % 5 == 4 {
    ///         live.push_at("validation", epoch as f64, 1.2 / (epoch + 1) as f64);
    ///     }
    /// }
    /// assert_eq!(live.len(), 20);
    /// # live.finish();
    /// ```
    pub fn push_at(&mut self, name: &str, step: f64, value: f64) {
        self.record(name, step, value);
        self.tick(self.len());
    }

    /// Records a point without redrawing (for [`ProgressBar`](crate::display::ProgressBar),
    /// whose steps drive the redraws).
    pub(crate) fn record(&mut self, name: &str, x: f64, y: f64) {
        self.series_mut(name).push((x, y));
    }

    /// Redraws if `step` is a multiple of `every` not drawn yet.
    pub(crate) fn tick(&mut self, step: usize) {
        if step > 0
            && step.is_multiple_of(self.every)
            && self.drawn != Some(step)
            && !self.is_empty()
        {
            self.redraw(step, false);
        }
    }

    /// Forgets the points, for a new loop; the next redraw is a new output.
    pub(crate) fn clear(&mut self) {
        self.series.clear();
        self.drawn = None;
        self.output = None;
    }

    fn series_mut(&mut self, name: &str) -> &mut Vec<(f64, f64)> {
        let index = match self.series.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                self.series.push((name.to_owned(), Vec::new()));
                self.series.len() - 1
            }
        };
        &mut self.series[index].1
    }

    /// `step 120: loss=0.1234, validation=0.2`: the text a program prints.
    fn status(&self) -> String {
        let values: Vec<String> = self
            .series
            .iter()
            .filter_map(|(name, points)| points.last().map(|(_, y)| format!("{name}={y:.4}")))
            .collect();
        format!("step {}: {}", self.len(), values.join(", "))
    }

    fn redraw(&mut self, step: usize, last: bool) {
        let now = Instant::now();
        let output = self
            .output
            .get_or_insert_with(|| LiveOutput::new(REDRAW_INTERVAL));
        if !output.due(now, last) {
            return;
        }
        self.drawn = Some(step);
        self.drawn_final = last;
        // The PNG (feature `png`) only in the final picture, the one that
        // stays in the notebook: rasterizing every redraw would slow the loop.
        let bundle = self.figure().bundle(self.status(), last);
        if let Some(output) = &mut self.output {
            output.show(bundle, now);
        }
    }
}

/// The figure (`image/svg+xml`, and `image/png` with the cargo feature
/// `png`), with the last values as `text/plain`.
///
/// ```
/// use nn_core::prelude::*;
/// let mut live = LivePlot::new();
/// live.push(0.5);
/// assert_eq!(live.mime_bundle().text(), "step 1: loss=0.5000");
/// # live.finish();
/// ```
impl Render for LivePlot {
    fn mime_bundle(&self) -> MimeBundle {
        self.figure().bundle(self.status(), true)
    }
}

crate::evcxr_display!(LivePlot);

/// Shows the final state if the last points were not drawn yet.
impl Drop for LivePlot {
    fn drop(&mut self) {
        if self.output.is_some() {
            self.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redraws_every_n_steps_and_at_the_end() {
        let mut live = LivePlot::new().every(4);
        live.output = Some(LiveOutput::with_mode(false, Duration::ZERO));
        for i in 0..3 {
            live.push(i as f64);
        }
        assert_eq!(live.drawn, None);
        live.push(3.0);
        // As text, a redraw is only due every two seconds.
        assert_eq!(live.drawn, None);
        live.output = Some(LiveOutput::with_mode(false, Duration::ZERO));
        live.finish();
        assert_eq!(live.drawn, Some(4));
        live.push(4.0);
        live.finish();
        assert_eq!(live.drawn, Some(5));
        assert_eq!(live.status(), "step 5: loss=4.0000");
    }

    #[cfg(feature = "png")]
    #[test]
    fn finish_redraws_a_step_drawn_mid_loop_with_the_png() {
        let mut live = LivePlot::new().every(1);
        live.output = Some(LiveOutput::with_mode(true, Duration::ZERO));
        live.push(1.0);
        assert_eq!((live.drawn, live.drawn_final), (Some(1), false));
        live.finish();
        assert_eq!((live.drawn, live.drawn_final), (Some(1), true));
    }

    #[test]
    fn several_series_get_a_legend() {
        let mut live = LivePlot::new();
        live.record("train", 0.0, 1.0);
        live.record("validation", 0.0, 1.5);
        let svg = live.figure().to_svg();
        assert!(svg.contains(">train</text>") && svg.contains(">validation</text>"));
        // Each line and its legend mark.
        assert_eq!(svg.matches("stroke=\"#1F77B4\"").count(), 2);
        assert_eq!(svg.matches("stroke=\"#FF7F0E\"").count(), 2);
    }
}

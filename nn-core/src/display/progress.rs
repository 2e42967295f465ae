//! Training feedback: [`progress`] wraps a loop's iterator and shows one line
//! — step/total, rate, time left and the last loss — updated in place, as
//! Python's `tqdm` does.
//!
//! ```
//! use nn_core::prelude::*;
//!
//! let bar = ProgressBar::new();
//! for epoch in bar.iter(0..100) {
//!     let loss = 1.0 / (epoch + 1) as f64;
//!     bar.set_loss(loss);
//! }
//! assert_eq!(bar.position(), 100);
//! ```

use super::html::{BORDER, MONO, MONO_SIZE, MUTED, TEXT, escape};
use super::live::{KERNEL_INTERVAL, LiveOutput};
use crate::notebook::{MimeBundle, Render, interrupt_point};
use crate::plot::LivePlot;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Wraps an iterator so that looping over it shows a progress line, as
/// `tqdm(range(200))`.
///
/// Each step checks for the notebook's *interrupt* button
/// ([`check_interrupt`](crate::notebook::check_interrupt)). Under the `rust-nn` kernel the line is one output
/// replaced in place (a few times a second at most); in plain evcxr or a
/// program it is printed as a text line every two seconds, and once at the
/// end. To show the loss too, make the bar first: [`ProgressBar::iter`].
///
/// ```
/// use nn_core::prelude::*;
///
/// let mut total = 0;
/// for i in progress(0..1_000) {
///     total += i;
/// }
/// assert_eq!(total, 499_500);
/// ```
pub fn progress<I: IntoIterator>(iter: I) -> Progress<I::IntoIter> {
    ProgressBar::new().iter(iter)
}

/// A progress line that a loop's body can talk to: make it, loop over
/// [`iter`](Self::iter), and set the loss (or any other number) as you go.
///
/// Cloning gives another handle to the same bar.
///
/// ```
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// let model = Linear::new(1, 1);
/// let (x, y) = (tensor![[1.0], [2.0]], tensor![[2.0], [4.0]]);
/// let loss_fn = MSELoss::new();
/// let mut opt = SGD::new(model.parameters(), 0.1);
///
/// let bar = ProgressBar::new().label("training");
/// for _epoch in bar.iter(0..50) {
///     opt.zero_grad();
///     let loss = loss_fn.forward(&model.forward(&x), &y);
///     loss.backward();
///     opt.step();
///     bar.set_loss(loss.item());
/// }
/// assert!(bar.value("loss").unwrap() < 0.1);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ProgressBar {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    label: String,
    /// Steps in the loop, when the iterator knows.
    total: Option<usize>,
    /// Steps completed.
    n: usize,
    /// `loss=…` and other numbers shown after the rate, in the order first set.
    values: Vec<(String, f64)>,
    started: Option<Instant>,
    /// How the loop ended, once it has.
    end: Option<End>,
    /// When it ended: the time and rate shown stop there.
    ended: Option<Instant>,
    output: Option<LiveOutput>,
    /// A loss plot redrawn as the loop runs ([`ProgressBar::live_plot`]).
    plot: Option<LivePlot>,
}

/// How a loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// The iterator ran out.
    Done,
    /// `break`, an error or an interrupt left the loop early.
    Stopped,
}

impl ProgressBar {
    /// A bar without label; loop over [`iter`](Self::iter).
    ///
    /// ```
    /// let bar = nn_core::display::ProgressBar::new();
    /// assert_eq!(bar.position(), 0);
    /// ```
    pub fn new() -> ProgressBar {
        ProgressBar::default()
    }

    /// Text shown before the line, as tqdm's `desc`.
    ///
    /// ```
    /// use nn_core::display::ProgressBar;
    /// let bar = ProgressBar::new().label("epochs");
    /// for _ in bar.iter(0..3) {}
    /// assert!(bar.line().starts_with("epochs: 100%"));
    /// ```
    pub fn label(self, label: &str) -> ProgressBar {
        self.lock().label = label.to_owned();
        self
    }

    /// Also draws the loss (every number set with [`set_loss`](Self::set_loss)
    /// or [`set`](Self::set)) as a curve below the line, redrawn in place
    /// every `every` steps and at the end of the loop.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let bar = ProgressBar::new().live_plot(10);
    /// for epoch in bar.iter(0..30) {
    ///     bar.set_loss(1.0 / (epoch + 1) as f64);
    /// }
    /// assert_eq!(bar.figure().unwrap().series_count(), 1);
    /// ```
    pub fn live_plot(self, every: usize) -> ProgressBar {
        self.lock().plot = Some(LivePlot::new().every(every));
        self
    }

    /// Wraps a loop's iterator: each step advances this bar. Starting a new
    /// loop with the same bar starts it from zero, as a new output.
    ///
    /// ```
    /// use nn_core::display::ProgressBar;
    /// let bar = ProgressBar::new();
    /// let squares: Vec<u32> = bar.iter([1, 2, 3]).map(|x| x * x).collect();
    /// assert_eq!(squares, [1, 4, 9]);
    /// assert_eq!(bar.total(), Some(3));
    /// ```
    pub fn iter<I: IntoIterator>(&self, iter: I) -> Progress<I::IntoIter> {
        let inner = iter.into_iter();
        let (low, high) = inner.size_hint();
        self.start(if Some(low) == high { Some(low) } else { None });
        Progress {
            inner,
            bar: self.clone(),
            started: false,
        }
    }

    /// Sets the loss shown on the line (`loss=0.1234`), usually
    /// `loss.item()`; the same as `set("loss", value)`.
    ///
    /// ```
    /// use nn_core::display::ProgressBar;
    /// let bar = ProgressBar::new();
    /// for _ in bar.iter(0..2) {
    ///     bar.set_loss(0.25);
    /// }
    /// assert!(bar.line().ends_with("loss=0.25]"));
    /// ```
    pub fn set_loss(&self, loss: f64) {
        self.set("loss", loss);
    }

    /// Sets a number shown on the line as `name=value`, as tqdm's
    /// `set_postfix` (accuracy, learning rate, …).
    ///
    /// ```
    /// use nn_core::display::ProgressBar;
    /// let bar = ProgressBar::new();
    /// for _ in bar.iter(0..2) {
    ///     bar.set_loss(0.5);
    ///     bar.set("acc", 0.875);
    /// }
    /// assert!(bar.line().ends_with("loss=0.5, acc=0.875]"));
    /// ```
    pub fn set(&self, name: &str, value: f64) {
        let mut state = self.lock();
        match state.values.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value,
            None => state.values.push((name.to_owned(), value)),
        }
        let step = state.n;
        if let Some(plot) = &mut state.plot {
            plot.record(name, step as f64, value);
        }
    }

    /// The last value set under `name`.
    ///
    /// ```
    /// use nn_core::display::ProgressBar;
    /// let bar = ProgressBar::new();
    /// bar.set_loss(0.5);
    /// assert_eq!(bar.value("loss"), Some(0.5));
    /// assert_eq!(bar.value("acc"), None);
    /// ```
    pub fn value(&self, name: &str) -> Option<f64> {
        self.lock()
            .values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    /// Steps completed so far (a step is complete when the loop asks for the
    /// next item, as in tqdm).
    ///
    /// ```
    /// use nn_core::display::ProgressBar;
    /// let bar = ProgressBar::new();
    /// for i in bar.iter(0..5) {
    ///     if i == 2 {
    ///         break;
    ///     }
    /// }
    /// assert_eq!(bar.position(), 2);
    /// ```
    pub fn position(&self) -> usize {
        self.lock().n
    }

    /// The number of steps, if the iterator told it (ranges, vectors, …).
    ///
    /// ```
    /// use nn_core::display::ProgressBar;
    /// let bar = ProgressBar::new();
    /// let _ = bar.iter((0..).take_while(|&i| i < 3));
    /// assert_eq!(bar.total(), None);
    /// ```
    pub fn total(&self) -> Option<usize> {
        self.lock().total
    }

    /// The line as text, as shown now:
    /// ` 40%|████      | 4/10 [00:02<00:03,  1.99it/s, loss=0.1]`.
    ///
    /// ```
    /// use nn_core::display::ProgressBar;
    /// let bar = ProgressBar::new();
    /// for _ in bar.iter(0..4) {}
    /// assert!(bar.line().starts_with("100%|██████████| 4/4 [00:00<00:00, "));
    /// ```
    pub fn line(&self) -> String {
        self.lock().snapshot(Instant::now()).text()
    }

    /// The live loss plot's figure now, if the bar has one
    /// ([`live_plot`](Self::live_plot)).
    ///
    /// ```
    /// use nn_core::display::ProgressBar;
    /// assert!(ProgressBar::new().figure().is_none());
    /// ```
    pub fn figure(&self) -> Option<crate::plot::Figure> {
        self.lock().plot.as_ref().map(LivePlot::figure)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn start(&self, total: Option<usize>) {
        let mut state = self.lock();
        state.total = total;
        state.n = 0;
        state.values.clear();
        state.started = Some(Instant::now());
        state.end = None;
        state.ended = None;
        state.output = Some(LiveOutput::new(KERNEL_INTERVAL));
        if let Some(plot) = &mut state.plot {
            plot.clear();
        }
    }

    /// Called before each step's item is fetched: counts the previous step,
    /// honours the interrupt button and refreshes the line.
    fn before_step(&self, first: bool) {
        {
            let mut state = self.lock();
            if !first {
                state.n += 1;
            }
            state.refresh(false);
        }
        interrupt_point();
    }

    fn finish(&self, end: End) {
        let mut state = self.lock();
        if state.end.is_none() {
            state.end = Some(end);
            state.ended = Some(Instant::now());
            state.refresh(true);
        }
    }
}

/// The line now: tqdm's text as `text/plain`, and a coloured bar as
/// `text/html`.
///
/// ```
/// use nn_core::prelude::*;
/// let bar = ProgressBar::new();
/// for _ in bar.iter(0..4) {}
/// let bundle = bar.mime_bundle();
/// assert_eq!(bundle.text(), bar.line());
/// assert!(bundle.get("text/html").unwrap().contains("4/4"));
/// ```
impl Render for ProgressBar {
    fn mime_bundle(&self) -> MimeBundle {
        self.lock().snapshot(Instant::now()).bundle()
    }
}

crate::evcxr_display!(ProgressBar);

impl State {
    fn snapshot(&self, now: Instant) -> Line {
        let until = self.ended.unwrap_or(now);
        let elapsed = self
            .started
            .map(|s| until.duration_since(s))
            .unwrap_or_default();
        Line {
            label: self.label.clone(),
            n: self.n,
            total: self.total,
            elapsed,
            values: self.values.clone(),
            end: self.end,
        }
    }

    fn refresh(&mut self, last: bool) {
        let now = Instant::now();
        let line = self.snapshot(now);
        if let Some(output) = &mut self.output
            && output.due(now, last)
        {
            output.show(line.bundle(), now);
        }
        if let Some(plot) = &mut self.plot {
            if last {
                plot.finish();
            } else {
                plot.tick(self.n);
            }
        }
    }
}

/// The iterator [`progress`] and [`ProgressBar::iter`] return: yields the
/// wrapped iterator's items and advances the bar.
///
/// ```
/// use nn_core::prelude::*;
/// let evens: Vec<i32> = progress(0..10).filter(|i| i % 2 == 0).collect();
/// assert_eq!(evens, [0, 2, 4, 6, 8]);
/// ```
#[derive(Debug)]
pub struct Progress<I> {
    inner: I,
    bar: ProgressBar,
    started: bool,
}

impl<I> Progress<I> {
    /// The bar this loop advances (to set the loss from inside the loop, make
    /// the [`ProgressBar`] first and call its `iter`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let steps = progress(0..3);
    /// let bar = steps.bar().clone();
    /// for _ in steps {}
    /// assert_eq!(bar.position(), 3);
    /// ```
    pub fn bar(&self) -> &ProgressBar {
        &self.bar
    }
}

impl<I: Iterator> Iterator for Progress<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        self.bar.before_step(!self.started);
        self.started = true;
        let item = self.inner.next();
        if item.is_none() {
            self.bar.finish(End::Done);
        }
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

/// Leaving the loop early (`break`, `?`, a panic or an interrupt) shows where
/// it stopped.
impl<I> Drop for Progress<I> {
    fn drop(&mut self) {
        self.bar.finish(End::Stopped);
    }
}

/// One state of the line, independent of the clock (for tests).
#[derive(Clone, Debug)]
struct Line {
    label: String,
    n: usize,
    total: Option<usize>,
    elapsed: Duration,
    values: Vec<(String, f64)>,
    end: Option<End>,
}

/// Width of the text bar in characters, as tqdm's.
const BAR_WIDTH: usize = 10;

impl Line {
    /// Steps per second, once there is a measurable time.
    fn rate(&self) -> Option<f64> {
        let secs = self.elapsed.as_secs_f64();
        (self.n > 0 && secs > 0.0).then(|| self.n as f64 / secs)
    }

    fn fraction(&self) -> Option<f64> {
        match self.total {
            Some(0) => Some(1.0),
            Some(total) => Some((self.n as f64 / total as f64).min(1.0)),
            None => None,
        }
    }

    /// `[00:02<00:03,  1.99it/s, loss=0.1]`: times, rate and values.
    fn stats(&self) -> String {
        let mut s = String::from("[");
        s.push_str(&clock(self.elapsed.as_secs_f64()));
        if let Some(total) = self.total
            && self.end != Some(End::Stopped)
        {
            let left = match self.rate() {
                Some(rate) => clock(total.saturating_sub(self.n) as f64 / rate),
                None if self.n >= total => clock(0.0),
                None => "?".to_owned(),
            };
            let _ = write!(s, "<{left}");
        }
        s.push_str(", ");
        s.push_str(&rate_text(self.rate()));
        for (name, value) in &self.values {
            let _ = write!(s, ", {name}={}", number(*value));
        }
        if self.end == Some(End::Stopped) {
            s.push_str(", stopped");
        }
        s.push(']');
        s
    }

    /// tqdm's line: `label:  40%|████      | 4/10 [00:02<00:03,  1.99it/s]`.
    fn text(&self) -> String {
        let mut s = String::new();
        if !self.label.is_empty() {
            let _ = write!(s, "{}: ", self.label);
        }
        match (self.total, self.fraction()) {
            (Some(total), Some(f)) => {
                let _ = write!(
                    s,
                    "{:>3.0}%|{}| {}/{} ",
                    (f * 100.0).floor(),
                    bar_text(f),
                    self.n,
                    total
                );
            }
            _ => {
                let _ = write!(s, "{}it ", self.n);
            }
        }
        s.push_str(&self.stats());
        s
    }

    fn html(&self) -> String {
        let mut out = String::with_capacity(600);
        let _ = write!(
            out,
            "<div style=\"font-family: {MONO}; font-size: {MONO_SIZE}; color: {TEXT}; white-space: nowrap; \
             line-height: 1.6;\">"
        );
        if !self.label.is_empty() {
            let _ = write!(out, "<span>{}: </span>", escape(&self.label));
        }
        if let Some(f) = self.fraction() {
            let colour = match self.end {
                Some(End::Done) => "var(--jp-success-color1, #4caf50)",
                Some(End::Stopped) => "var(--jp-warn-color1, #f57c00)",
                None => "var(--jp-brand-color1, #2a7ab8)",
            };
            let _ = write!(
                out,
                "<span style=\"display: inline-block; min-width: 3.5em; text-align: right;\">{:.0}%</span> \
                 <span style=\"display: inline-block; vertical-align: middle; width: 200px; height: 10px; \
                 border: 1px solid {BORDER}; border-radius: 3px; overflow: hidden; margin: 0 6px;\">\
                 <span style=\"display: block; height: 100%; width: {:.1}%; background: {colour};\"></span></span>",
                (f * 100.0).floor(),
                f * 100.0
            );
            let _ = write!(out, "<span>{}/{}</span> ", self.n, self.total.unwrap_or(0));
        } else {
            let _ = write!(out, "<span>{}it</span> ", self.n);
        }
        let _ = write!(
            out,
            "<span style=\"color: {MUTED};\">{}</span></div>",
            escape(&self.stats())
        );
        out
    }

    fn bundle(&self) -> MimeBundle {
        MimeBundle::new(self.text()).with_html(self.html())
    }
}

/// tqdm's bar: full blocks and one partial block, `████▍     `.
fn bar_text(fraction: f64) -> String {
    const PARTIAL: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (fraction.clamp(0.0, 1.0) * (BAR_WIDTH * 8) as f64) as usize;
    let full = eighths / 8;
    let mut s: String = "█".repeat(full);
    if full < BAR_WIDTH {
        s.push(PARTIAL[eighths % 8]);
        s.push_str(&" ".repeat(BAR_WIDTH - full - 1));
    }
    s
}

/// `mm:ss`, or `h:mm:ss` from an hour on, whole seconds as tqdm.
fn clock(secs: f64) -> String {
    let secs = if secs.is_finite() {
        secs.max(0.0) as u64
    } else {
        0
    };
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// `12.34it/s`, or `4.56s/it` when a step takes more than a second.
fn rate_text(rate: Option<f64>) -> String {
    match rate {
        None => "?it/s".to_owned(),
        Some(r) if r >= 1.0 => format!("{r:5.2}it/s"),
        Some(r) => format!("{:5.2}s/it", 1.0 / r),
    }
}

/// A number as Python's `{:.4g}`: `0.1235`, `1.235e-05`, `1234`.
fn number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x.is_nan() {
            "nan".to_owned()
        } else {
            format!("{x}")
        };
    }
    let exponent = x.abs().log10().floor() as i32;
    if !(-4..4).contains(&exponent) {
        let s = format!("{x:.3e}");
        // Rust writes `1.235e-5`; Python `1.235e-05`, without trailing zeros.
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = trim_zeros(mantissa);
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    let decimals = (3 - exponent).max(0) as usize;
    trim_zeros(&format!("{x:.decimals$}")).to_owned()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize, total: Option<usize>, secs: f64) -> Line {
        Line {
            label: String::new(),
            n,
            total,
            elapsed: Duration::from_secs_f64(secs),
            values: Vec::new(),
            end: None,
        }
    }

    #[test]
    fn text_line_reads_like_tqdm() {
        let mut l = line(4, Some(10), 2.0);
        assert_eq!(l.text(), " 40%|████      | 4/10 [00:02<00:03,  2.00it/s]");
        l.values.push(("loss".into(), 0.123456));
        l.label = "train".into();
        assert_eq!(
            l.text(),
            "train:  40%|████      | 4/10 [00:02<00:03,  2.00it/s, loss=0.1235]"
        );
        let mut done = line(10, Some(10), 5.0);
        done.end = Some(End::Done);
        assert_eq!(
            done.text(),
            "100%|██████████| 10/10 [00:05<00:00,  2.00it/s]"
        );
        let mut stopped = line(3, Some(10), 90.0);
        stopped.end = Some(End::Stopped);
        assert_eq!(
            stopped.text(),
            " 30%|███       | 3/10 [01:30, 30.00s/it, stopped]"
        );
        assert_eq!(
            line(0, Some(200), 0.0).text(),
            "  0%|          | 0/200 [00:00<?, ?it/s]"
        );
        assert_eq!(line(7, None, 0.5).text(), "7it [00:00, 14.00it/s]");
    }

    #[test]
    fn bar_has_partial_blocks() {
        assert_eq!(bar_text(0.0), "          ");
        assert_eq!(bar_text(0.45), "████▌     ");
        assert_eq!(bar_text(1.0), "██████████");
        assert_eq!(bar_text(0.999), "█████████▉");
    }

    #[test]
    fn clock_and_numbers() {
        assert_eq!(clock(0.4), "00:00");
        assert_eq!(clock(83.0), "01:23");
        assert_eq!(clock(3723.0), "1:02:03");
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(1234.0), "1234");
        assert_eq!(number(12345.0), "1.234e+04");
        assert_eq!(number(0.0000123456), "1.235e-05");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(f64::NAN), "nan");
    }

    #[test]
    fn html_line_is_well_formed() {
        let mut l = line(4, Some(10), 2.0);
        l.label = "a<b".into();
        l.values.push(("loss".into(), 0.5));
        let html = l.html();
        crate::display::tests::assert_well_formed(&html);
        assert!(html.contains("width: 40.0%") && html.contains("a&lt;b"));
        crate::display::tests::assert_well_formed(&line(3, None, 1.0).html());
    }

    #[test]
    fn iterating_counts_steps_and_finishes() {
        let bar = ProgressBar::new();
        let items: Vec<i32> = bar.iter(vec![5, 6, 7]).collect();
        assert_eq!(items, [5, 6, 7]);
        assert_eq!(bar.position(), 3);
        assert_eq!(bar.lock().end, Some(End::Done));
        // Break out early: the bar records where it stopped.
        for i in bar.iter(0..10) {
            if i == 4 {
                break;
            }
        }
        assert_eq!(bar.position(), 4);
        assert_eq!(bar.lock().end, Some(End::Stopped));
        assert!(bar.line().contains("stopped"));
    }

    #[test]
    fn live_plot_collects_the_loss() {
        let bar = ProgressBar::new().live_plot(5);
        for epoch in bar.iter(0..12) {
            bar.set_loss(1.0 / (epoch + 1) as f64);
        }
        let figure = bar.figure().unwrap();
        assert_eq!(figure.series_count(), 1);
        let svg = figure.to_svg();
        assert_eq!(
            svg.matches("stroke=\"#1F77B4\"").count(),
            1,
            "one line, no legend"
        );
    }
}

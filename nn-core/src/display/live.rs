//! One output that changes while a cell runs — a progress line, a loss plot
//! — shown at a sensible pace: under the kernel, displayed once and then
//! replaced in place (`update_display_data`) at most every
//! [`KERNEL_INTERVAL`]; in plain evcxr or a program, where nothing can be
//! replaced, printed as a new text line at most every [`TEXT_INTERVAL`].
//! The last state is always shown.

use crate::notebook::{DisplayHandle, MimeBundle, display, in_kernel};
use std::io::Write as _;
use std::time::{Duration, Instant};

/// Fastest in-place refresh under the kernel: smooth to the eye, and a fast
/// loop still sends only a few messages a second.
pub(crate) const KERNEL_INTERVAL: Duration = Duration::from_millis(100);

/// Fastest refresh as printed lines: a long loop prints a line now and then
/// rather than a screenful.
pub(crate) const TEXT_INTERVAL: Duration = Duration::from_secs(2);

/// An output refreshed at a limited pace.
#[derive(Debug)]
pub(crate) struct LiveOutput {
    /// Whether updates replace the output (the `rust-nn` kernel) or print.
    kernel: bool,
    /// Least time between two refreshes under the kernel.
    kernel_interval: Duration,
    handle: Option<DisplayHandle>,
    started: Instant,
    last: Option<Instant>,
}

impl LiveOutput {
    /// An output not shown yet, for this process's kind of session.
    pub(crate) fn new(kernel_interval: Duration) -> LiveOutput {
        LiveOutput::with_mode(in_kernel(), kernel_interval)
    }

    pub(crate) fn with_mode(kernel: bool, kernel_interval: Duration) -> LiveOutput {
        LiveOutput {
            kernel,
            kernel_interval,
            handle: None,
            started: Instant::now(),
            last: None,
        }
    }

    /// Whether a refresh at `now` should be shown. `last` forces it (the
    /// final state). Under the kernel the first state shows at once; as text,
    /// only after [`TEXT_INTERVAL`] (a short loop prints just its last line).
    pub(crate) fn due(&self, now: Instant, last: bool) -> bool {
        if last {
            return true;
        }
        match (self.kernel, self.last) {
            (true, None) => true,
            (true, Some(t)) => now.duration_since(t) >= self.kernel_interval,
            (false, t) => now.duration_since(t.unwrap_or(self.started)) >= TEXT_INTERVAL,
        }
    }

    /// Shows `bundle`: the first time as a new output, then in its place (or
    /// as a printed line of its `text/plain`).
    pub(crate) fn show(&mut self, bundle: MimeBundle, now: Instant) {
        self.last = Some(now);
        if !self.kernel {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", bundle.text());
            let _ = out.flush();
            return;
        }
        match &self.handle {
            Some(handle) => handle.update(&bundle),
            None => self.handle = Some(display(&bundle)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_shows_at_once_then_at_most_every_interval() {
        let mut out = LiveOutput::with_mode(true, Duration::from_millis(100));
        let t0 = Instant::now();
        assert!(out.due(t0, false));
        out.last = Some(t0);
        assert!(!out.due(t0 + Duration::from_millis(50), false));
        assert!(out.due(t0 + Duration::from_millis(50), true));
        assert!(out.due(t0 + Duration::from_millis(100), false));
    }

    #[test]
    fn text_prints_only_now_and_then() {
        let mut out = LiveOutput::with_mode(false, Duration::from_millis(100));
        let t0 = out.started;
        assert!(
            !out.due(t0, false),
            "a short loop prints only its last line"
        );
        assert!(out.due(t0 + TEXT_INTERVAL, false));
        out.last = Some(t0 + TEXT_INTERVAL);
        assert!(!out.due(t0 + TEXT_INTERVAL + Duration::from_secs(1), false));
        assert!(out.due(t0 + TEXT_INTERVAL + Duration::from_secs(1), true));
    }
}

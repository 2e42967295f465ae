//! When rust-analyzer is loaded and when it is let go.
//!
//! Cells do not need rust-analyzer (evcxr patch 5: the compiled cell reports
//! its variables' types); completion (Tab) and inspection (Shift-Tab) do.
//! Loaded, it holds ~700 MB: the standard library's and nn-core's analysis.
//! A class of twenty students, each with a kernel and a standby, would need
//! ~28 GB for a feature most of them use now and then. So by default
//! (`NN_KERNEL_ANALYZER=lazy`) it is loaded by the first Tab or Shift-Tab
//! (that request waits a few seconds), and unloaded when no request has used
//! it for `NN_KERNEL_ANALYZER_IDLE` seconds (600; `0` or `never`: kept).
//! `NN_KERNEL_ANALYZER=eager` is the old behaviour: analysed in the
//! background once the kernel is idle, so that the first Tab is quick, and
//! kept.

use std::time::{Duration, Instant};

/// The environment variables.
pub const MODE_ENV: &str = "NN_KERNEL_ANALYZER";
pub const IDLE_ENV: &str = "NN_KERNEL_ANALYZER_IDLE";

/// How rust-analyzer is managed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Loaded by the first completion or inspection, unloaded when idle.
    Lazy,
    /// Warmed up in the background once the kernel is idle, never unloaded.
    Eager,
}

/// The policy and what has happened: when rust-analyzer was last used.
#[derive(Debug)]
pub struct Analyzer {
    pub mode: Mode,
    /// Unload after this long without a completion or inspection (lazy
    /// mode); `None`: keep it.
    pub idle: Option<Duration>,
    last_use: Option<Instant>,
}

impl Analyzer {
    /// From [`MODE_ENV`] and [`IDLE_ENV`]; an unknown value is reported on
    /// stderr and the default used.
    pub fn from_env() -> Analyzer {
        let mode = std::env::var(MODE_ENV).ok();
        let idle = std::env::var(IDLE_ENV).ok();
        let (analyzer, problems) = Analyzer::parse(mode.as_deref(), idle.as_deref());
        for problem in problems {
            eprintln!("nn-kernel: {problem}");
        }
        analyzer
    }

    fn parse(mode: Option<&str>, idle: Option<&str>) -> (Analyzer, Vec<String>) {
        let mut problems = Vec::new();
        let mode = match mode.map(|m| m.trim().to_ascii_lowercase()).as_deref() {
            None | Some("" | "lazy") => Mode::Lazy,
            Some("eager") => Mode::Eager,
            Some(other) => {
                problems.push(format!(
                    "{MODE_ENV}={other:?} is not understood (expected `lazy` or `eager`); using `lazy`"
                ));
                Mode::Lazy
            }
        };
        let default = Some(Duration::from_secs(600));
        let idle = match idle.map(|i| i.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") => default,
            Some("0" | "never" | "none") => None,
            Some(seconds) => match seconds.parse::<f64>() {
                Ok(s) if s > 0.0 && s.is_finite() => Some(Duration::from_secs_f64(s)),
                _ => {
                    problems.push(format!(
                        "{IDLE_ENV}={seconds:?} is not understood (expected seconds, or `never`); using 600"
                    ));
                    default
                }
            },
        };
        let analyzer = Analyzer {
            mode,
            idle: if mode == Mode::Eager { None } else { idle },
            last_use: None,
        };
        (analyzer, problems)
    }

    /// Whether the kernel warms rust-analyzer up in the background.
    pub fn warms_up(&self) -> bool {
        self.mode == Mode::Eager
    }

    /// A completion or inspection used rust-analyzer at `now`.
    pub fn used(&mut self, now: Instant) {
        self.last_use = Some(now);
    }

    /// Whether a loaded rust-analyzer should be let go at `now`: lazy mode,
    /// and unused for longer than the idle time. A loaded analyzer that no
    /// request has used (a `let` analysed on the fallback path) counts from
    /// the first call that saw it loaded.
    pub fn should_unload(&mut self, loaded: bool, now: Instant) -> bool {
        let Some(idle) = self.idle else { return false };
        if !loaded {
            self.last_use = None;
            return false;
        }
        let last = *self.last_use.get_or_insert(now);
        if now.duration_since(last) >= idle {
            self.last_use = None;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_by_default_with_ten_minutes() {
        let (a, problems) = Analyzer::parse(None, None);
        assert_eq!(a.mode, Mode::Lazy);
        assert_eq!(a.idle, Some(Duration::from_secs(600)));
        assert!(!a.warms_up());
        assert!(problems.is_empty());
    }

    #[test]
    fn eager_never_unloads() {
        let (mut a, _) = Analyzer::parse(Some("eager"), Some("1"));
        assert!(a.warms_up());
        let now = Instant::now();
        a.used(now);
        assert!(!a.should_unload(true, now + Duration::from_secs(3600)));
    }

    #[test]
    fn unknown_values_are_reported_and_defaulted() {
        let (a, problems) = Analyzer::parse(Some("sometimes"), Some("soon"));
        assert_eq!(a.mode, Mode::Lazy);
        assert_eq!(a.idle, Some(Duration::from_secs(600)));
        assert_eq!(problems.len(), 2);
        assert!(problems[0].contains("expected `lazy` or `eager`"));
        assert!(problems[1].contains("expected seconds"));
        let (a, _) = Analyzer::parse(None, Some("never"));
        assert_eq!(a.idle, None);
    }

    #[test]
    fn unloads_after_the_idle_time_since_the_last_use() {
        let (mut a, _) = Analyzer::parse(None, Some("10"));
        let t0 = Instant::now();
        assert!(!a.should_unload(false, t0));
        a.used(t0);
        assert!(!a.should_unload(true, t0 + Duration::from_secs(9)));
        a.used(t0 + Duration::from_secs(9));
        assert!(!a.should_unload(true, t0 + Duration::from_secs(18)));
        assert!(a.should_unload(true, t0 + Duration::from_secs(19)));
        // Loaded without a recorded use: counted from when it was seen.
        let t1 = t0 + Duration::from_secs(100);
        assert!(!a.should_unload(true, t1));
        assert!(a.should_unload(true, t1 + Duration::from_secs(10)));
    }
}

//! Python's `warnings.warn`, for the few places where torch warns instead of
//! raising: the message goes to stderr as `UserWarning: …`, once per call
//! site, as Python's default filter shows a warning once per line of code
//! that triggers it.
//!
//! The call site is the caller's source location (`#[track_caller]`), so the
//! same line in a loop warns once and two lines warn twice, as in torch.
//! Python's `path:line:` prefix, the quoted source line and torch's
//! `(Triggered internally at …)` suffix are left out: they name files a
//! notebook reader never sees.

use std::collections::HashSet;
use std::panic::Location;
use std::sync::Mutex;

/// A call site (file, line) and the message it showed.
type Shown = (&'static str, u32, &'static str);

static SHOWN: Mutex<Option<HashSet<Shown>>> = Mutex::new(None);

/// Prints `UserWarning: {message}` to stderr unless this location already
/// warned with this message. Returns whether it printed.
pub(crate) fn warn(message: &'static str, location: &'static Location<'static>) -> bool {
    let mut shown = SHOWN.lock().unwrap_or_else(|e| e.into_inner());
    let first =
        shown
            .get_or_insert_with(HashSet::new)
            .insert((location.file(), location.line(), message));
    if first {
        eprintln!("UserWarning: {message}");
    }
    first
}

/// The lines that showed `message` so far (for tests).
#[cfg(test)]
pub(crate) fn shown_at(message: &str) -> Vec<u32> {
    let shown = SHOWN.lock().unwrap_or_else(|e| e.into_inner());
    let mut lines: Vec<u32> = shown
        .iter()
        .flatten()
        .filter(|(_, _, m)| *m == message)
        .map(|(_, line, _)| *line)
        .collect();
    lines.sort();
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_per_location() {
        let here = Location::caller();
        assert!(warn("test warning", here));
        assert!(!warn("test warning", here));
        assert!(warn("another test warning", here));
        let elsewhere = Location::caller();
        assert!(warn("test warning", elsewhere));
    }
}

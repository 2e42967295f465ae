//! Print options and the process-wide setting, as `torch.set_printoptions`
//! (printing.md §12).
//!
//! The notebook kernel loads nn-core as one dylib per session, so a single
//! process-wide static is exactly "one setting per session", like torch's
//! module-level `PRINT_OPTS`.
//!
//! ```
//! use nn_core::print::options::{get_printoptions, with_printoptions, PrintOptions};
//!
//! let full = with_printoptions(PrintOptions::full(), get_printoptions);
//! assert_eq!(full.threshold, usize::MAX);
//! assert_eq!(get_printoptions(), PrintOptions::default());
//! ```

use std::sync::{PoisonError, RwLock};

/// Print options, as `torch.set_printoptions`.
///
/// `Default` gives torch's defaults: precision 4, threshold 1000, edgeitems 3,
/// linewidth 80, automatic scientific notation.
///
/// ```
/// use nn_core::PrintOptions;
///
/// let o = PrintOptions::default();
/// assert_eq!((o.precision, o.threshold, o.edgeitems, o.linewidth), (4, 1000, 3, 80));
/// assert_eq!(o.sci_mode, None);
/// // Change one field, keep the rest:
/// let two = PrintOptions { precision: 2, ..PrintOptions::default() };
/// assert_eq!(two.linewidth, 80);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PrintOptions {
    /// Digits after the decimal point (default 4).
    pub precision: usize,
    /// Tensors with more elements than this are summarized (default 1000).
    pub threshold: usize,
    /// Items shown at each end of a summarized dimension (default 3).
    pub edgeitems: usize,
    /// Characters per line (default 80).
    pub linewidth: usize,
    /// `None`: automatic; `Some(true)`/`Some(false)`: force scientific notation on/off.
    pub sci_mode: Option<bool>,
}

impl Default for PrintOptions {
    fn default() -> Self {
        PrintOptions {
            precision: 4,
            threshold: 1000,
            edgeitems: 3,
            linewidth: 80,
            sci_mode: None,
        }
    }
}

impl PrintOptions {
    /// The options of `torch.set_printoptions(profile=name)`: `"default"`,
    /// `"short"` or `"full"`. Any other name gives `None`.
    ///
    /// A torch profile does not choose `sci_mode`; here it is left automatic.
    ///
    /// ```
    /// use nn_core::PrintOptions;
    ///
    /// assert_eq!(PrintOptions::profile("default"), Some(PrintOptions::default()));
    /// assert_eq!(PrintOptions::profile("short"), Some(PrintOptions::short()));
    /// assert_eq!(PrintOptions::profile("full"), Some(PrintOptions::full()));
    /// assert_eq!(PrintOptions::profile("long"), None);
    /// ```
    pub fn profile(name: &str) -> Option<PrintOptions> {
        match name {
            "default" => Some(PrintOptions::default()),
            "short" => Some(PrintOptions::short()),
            "full" => Some(PrintOptions::full()),
            _ => None,
        }
    }

    /// torch's `profile="short"`: precision 2, threshold 1000, edgeitems 2,
    /// linewidth 80.
    ///
    /// ```
    /// use nn_core::PrintOptions;
    ///
    /// let o = PrintOptions::short();
    /// assert_eq!((o.precision, o.threshold, o.edgeitems, o.linewidth), (2, 1000, 2, 80));
    /// ```
    pub fn short() -> PrintOptions {
        PrintOptions {
            precision: 2,
            edgeitems: 2,
            ..PrintOptions::default()
        }
    }

    /// torch's `profile="full"`: never summarize (torch sets the threshold to
    /// `inf`; `usize::MAX` can never be exceeded by an element count).
    ///
    /// ```
    /// use nn_core::PrintOptions;
    ///
    /// let o = PrintOptions::full();
    /// assert_eq!(o.threshold, usize::MAX);
    /// assert_eq!((o.precision, o.edgeitems, o.linewidth), (4, 3, 80));
    /// ```
    pub fn full() -> PrintOptions {
        PrintOptions {
            threshold: usize::MAX,
            ..PrintOptions::default()
        }
    }
}

/// The session's options (torch's `PRINT_OPTS`).
static OPTIONS: RwLock<PrintOptions> = RwLock::new(PrintOptions {
    precision: 4,
    threshold: 1000,
    edgeitems: 3,
    linewidth: 80,
    sci_mode: None,
});

/// Sets the global print options, as `torch.set_printoptions`.
///
/// Every later tensor print in this process (notebook session) uses them.
///
/// ```
/// use nn_core::print::{get_printoptions, set_printoptions, PrintOptions};
///
/// set_printoptions(PrintOptions { precision: 2, ..PrintOptions::default() });
/// assert_eq!(get_printoptions().precision, 2);
/// set_printoptions(PrintOptions::default());
/// assert_eq!(get_printoptions(), PrintOptions::default());
/// ```
pub fn set_printoptions(options: PrintOptions) {
    replace_in(&OPTIONS, options);
}

/// The current global print options.
///
/// ```
/// use nn_core::print::get_printoptions;
///
/// // Nothing in this program changed them, so they are torch's defaults.
/// assert_eq!(get_printoptions().linewidth, 80);
/// ```
pub fn get_printoptions() -> PrintOptions {
    read_in(&OPTIONS)
}

/// Runs `f` with the global print options set to `o`, then puts the previous
/// options back, also when `f` panics.
///
/// ```
/// use nn_core::print::{get_printoptions, with_printoptions, PrintOptions};
///
/// let inside = with_printoptions(PrintOptions::short(), || get_printoptions().precision);
/// assert_eq!(inside, 2);
/// assert_eq!(get_printoptions(), PrintOptions::default());
/// ```
pub fn with_printoptions<R>(o: PrintOptions, f: impl FnOnce() -> R) -> R {
    let _restore = Restore::install(&OPTIONS, o);
    f()
}

// A poisoned lock only means a panic happened while the lock was held; the
// options themselves are plain data and always valid, so keep using them.
fn read_in(lock: &RwLock<PrintOptions>) -> PrintOptions {
    lock.read().unwrap_or_else(PoisonError::into_inner).clone()
}

fn replace_in(lock: &RwLock<PrintOptions>, o: PrintOptions) -> PrintOptions {
    std::mem::replace(
        &mut *lock.write().unwrap_or_else(PoisonError::into_inner),
        o,
    )
}

/// Puts the previous options back when dropped (so a panicking closure in a
/// notebook cell does not leave the session's options changed).
struct Restore<'a> {
    lock: &'a RwLock<PrintOptions>,
    previous: Option<PrintOptions>,
}

impl<'a> Restore<'a> {
    fn install(lock: &'a RwLock<PrintOptions>, o: PrintOptions) -> Restore<'a> {
        let previous = Some(replace_in(lock, o));
        Restore { lock, previous }
    }
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        if let Some(p) = self.previous.take() {
            replace_in(self.lock, p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // These tests use their own lock, never the global OPTIONS: other tests in
    // this binary print tensors concurrently under the global options. The
    // global functions themselves are exercised by the doctests, which run in
    // separate processes.
    static LOCAL: RwLock<PrintOptions> = RwLock::new(PrintOptions {
        precision: 4,
        threshold: 1000,
        edgeitems: 3,
        linewidth: 80,
        sci_mode: None,
    });

    #[test]
    fn default_is_torch_default() {
        let o = PrintOptions::default();
        assert_eq!(
            o,
            PrintOptions {
                precision: 4,
                threshold: 1000,
                edgeitems: 3,
                linewidth: 80,
                sci_mode: None
            }
        );
        assert_eq!(read_in(&LOCAL), o);
    }

    #[test]
    fn profiles() {
        assert_eq!(PrintOptions::profile("short").unwrap().precision, 2);
        assert_eq!(PrintOptions::profile("short").unwrap().edgeitems, 2);
        assert_eq!(PrintOptions::profile("full").unwrap().threshold, usize::MAX);
        assert_eq!(
            PrintOptions::profile("default").unwrap(),
            PrintOptions::default()
        );
        assert!(PrintOptions::profile("Short").is_none());
    }

    #[test]
    fn restore_after_normal_return_and_panic() {
        static L: RwLock<PrintOptions> = RwLock::new(PrintOptions {
            precision: 4,
            threshold: 1000,
            edgeitems: 3,
            linewidth: 80,
            sci_mode: None,
        });
        {
            let _r = Restore::install(&L, PrintOptions::short());
            assert_eq!(read_in(&L), PrintOptions::short());
            {
                let _inner = Restore::install(&L, PrintOptions::full());
                assert_eq!(read_in(&L), PrintOptions::full());
            }
            assert_eq!(read_in(&L), PrintOptions::short());
        }
        assert_eq!(read_in(&L), PrintOptions::default());

        let caught = std::panic::catch_unwind(|| {
            let _r = Restore::install(&L, PrintOptions::full());
            // resume_unwind unwinds without calling the panic hook, so the
            // test output stays free of a panic message.
            std::panic::resume_unwind(Box::new("cell failed"));
        });
        assert!(caught.is_err());
        assert_eq!(read_in(&L), PrintOptions::default());
    }
}

//! Whether operations record a graph: `torch.no_grad()` and friends.

use std::cell::Cell;

thread_local! {
    // Per thread, as in torch: a no_grad block on one thread does not change
    // what another thread records.
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// Whether operations currently record a graph, as `torch.is_grad_enabled()`.
///
/// ```
/// use nn_core::autograd::{is_grad_enabled, no_grad};
/// assert!(is_grad_enabled());
/// no_grad(|| assert!(!is_grad_enabled()));
/// ```
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

/// Turns graph recording on or off for this thread, as `torch.set_grad_enabled`.
///
/// ```
/// use nn_core::autograd::{is_grad_enabled, set_grad_enabled};
/// set_grad_enabled(false);
/// assert!(!is_grad_enabled());
/// set_grad_enabled(true);
/// ```
pub fn set_grad_enabled(enabled: bool) {
    GRAD_ENABLED.with(|g| g.set(enabled));
}

/// Runs `f` without recording a graph, as `with torch.no_grad():`.
///
/// ```
/// use nn_core::prelude::*;
/// let w = Tensor::ones([2]).requires_grad_(true);
/// let y = no_grad(|| &w * 2.0);
/// assert!(!y.requires_grad());
/// ```
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    let _guard = NoGradGuard::new();
    f()
}

/// Turns graph recording off until dropped, then restores the previous mode.
///
/// ```
/// use nn_core::prelude::*;
/// let w = Tensor::ones([2]).requires_grad_(true);
/// {
///     let _guard = NoGradGuard::new();
///     assert!(!(&w + 1.0).requires_grad());
/// }
/// assert!((&w + 1.0).requires_grad());
/// ```
#[must_use = "grad mode is restored as soon as the guard is dropped"]
pub struct NoGradGuard {
    previous: bool,
}

impl NoGradGuard {
    /// Disables grad mode until the guard is dropped.
    ///
    /// ```
    /// let _g = nn_core::autograd::NoGradGuard::new();
    /// assert!(!nn_core::autograd::is_grad_enabled());
    /// ```
    pub fn new() -> Self {
        let previous = is_grad_enabled();
        set_grad_enabled(false);
        NoGradGuard { previous }
    }
}

impl Default for NoGradGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for NoGradGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.previous);
    }
}

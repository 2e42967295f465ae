//! How a cell's last expression is shown. evcxr compiles a final expression
//! `expr` as `(expr).evcxr_display();` and, if that does not compile, compiles
//! the cell a second time with `{:?}`. [`EvcxrDisplay`] gives every `Debug`
//! value that method, so the first compile succeeds (a simple cell measured
//! 0.36 s → 0.20 s); [`evcxr_display!`](crate::evcxr_display) gives a
//! [`Render`] type an inherent method of the same name, which Rust prefers to
//! the trait's, so it shows its whole [`MimeBundle`].

use super::bundle::{MimeBundle, Render};
use std::fmt;
use std::io::Write as _;

/// Shows a `Debug` value as a cell's result: `text/plain` with `{:?}`, as
/// evcxr does. `()` shows nothing.
///
/// In scope through `use nn_core::prelude::*;`; not meant to be called
/// directly.
///
/// ```
/// use nn_core::prelude::*;
///
/// // What evcxr runs for a cell whose last expression is `vec![1, 2]`: the
/// // cell's result is the `text/plain` form `[1, 2]`.
/// vec![1, 2].evcxr_display();
/// ().evcxr_display(); // a cell ending in a statement shows nothing
/// ```
pub trait EvcxrDisplay {
    /// Sends the value to evcxr as the cell's result.
    fn evcxr_display(&self);
}

impl<T: fmt::Debug + ?Sized> EvcxrDisplay for T {
    // Compiled in every cell whose last expression is a value: only a
    // `&dyn Debug` is made here (of `&&T`, which is sized even when `T` is
    // not); formatting and sending are compiled once, in nn-core.
    fn evcxr_display(&self) {
        show_debug(std::any::type_name::<T>() == "()", &self);
    }
}

/// Sends a `Debug` value's `{:?}` text as the cell's result (nothing for
/// `()`): the body of [`EvcxrDisplay::evcxr_display`], not generic.
fn show_debug(unit: bool, value: &dyn fmt::Debug) {
    if !unit {
        send_result(&MimeBundle::new(format!("{value:?}")));
    }
}

/// Sends `value`'s whole bundle as the cell's result. What
/// [`evcxr_display!`](crate::evcxr_display) calls.
#[doc(hidden)]
pub fn show_result<T: Render + ?Sized>(value: &T) {
    send_result(&value.mime_bundle());
}

/// Writes a bundle in evcxr's own result format, which evcxr turns into the
/// cell's result (the kernel's `execute_result`; plain evcxr prints
/// `text/plain`).
fn send_result(bundle: &MimeBundle) {
    let mut out = std::io::stdout().lock();
    for (mime, data) in bundle.iter() {
        let _ = writeln!(out, "EVCXR_BEGIN_CONTENT {mime}\n{data}\nEVCXR_END_CONTENT");
    }
    let _ = out.flush();
}

/// Makes types that implement [`Render`](crate::notebook::Render) show their
/// whole bundle when they are the last expression of a notebook cell, by
/// giving them an inherent `evcxr_display` method. Use it in the crate that
/// defines the types (inherent methods can only be added there), next to the
/// `Render` impl.
///
/// ```
/// use nn_core::notebook::{MimeBundle, Render};
///
/// pub struct Loss(pub f64);
///
/// impl Render for Loss {
///     fn mime_bundle(&self) -> MimeBundle {
///         MimeBundle::new(format!("loss {:.3}", self.0))
///     }
/// }
///
/// nn_core::evcxr_display!(Loss);
/// ```
#[macro_export]
macro_rules! evcxr_display {
    ($($t:ty),+ $(,)?) => {$(
        impl $t {
            #[doc(hidden)]
            pub fn evcxr_display(&self) {
                $crate::notebook::show_result(self);
            }
        }
    )+};
}

//! Notebook output: rich display, in-place updates, interrupts.
//!
//! Under the `rust-nn` Jupyter kernel, cells run in evcxr's child process, and
//! this module is that process's side of the kernel:
//!
//! - [`display`] shows a value mid-cell as its own output (any number per
//!   cell); the returned [`DisplayHandle`] [`update`](DisplayHandle::update)s
//!   it in place, e.g. a progress line or a redrawn figure.
//! - A type chooses what a notebook shows for it by implementing [`Render`],
//!   which returns a [`MimeBundle`] (`text/plain` always, plus HTML, SVG, PNG).
//! - The last expression of a cell is shown through [`EvcxrDisplay`] (`{:?}`
//!   for any `Debug` value) or, for `Render` types marked with
//!   [`evcxr_display!`](crate::evcxr_display), their whole bundle.
//! - nn-core's operations stop the cell when the user presses *interrupt*,
//!   keeping the session's variables; [`check_interrupt`] does the same in a
//!   loop of the user's own.
//!
//! In plain evcxr or an ordinary program the same calls print text.
//! How messages travel to the kernel is described in [`transport`].
//!
//! ```
//! use nn_core::notebook::{display, check_interrupt};
//!
//! let progress = display(&"step 0/3");
//! for step in 1..=3 {
//!     check_interrupt();
//!     progress.update(&format!("step {step}/3"));
//! }
//! ```

mod bundle;
mod display;
mod evcxr;
mod interrupt;
mod session;
pub mod transport;

pub use bundle::{MimeBundle, Render, html_escape};
pub use display::{DisplayHandle, clear_output, display};
pub use evcxr::EvcxrDisplay;
#[doc(hidden)]
pub use evcxr::show_result;
pub(crate) use interrupt::{Uninterruptible, interrupt_point};
pub use interrupt::{check_interrupt, is_interrupted};
#[doc(hidden)]
pub use session::attach_to_kernel;
pub use session::in_kernel;

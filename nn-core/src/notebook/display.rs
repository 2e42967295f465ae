//! [`display`] and [`DisplayHandle`]: outputs shown while a cell runs.

use super::bundle::{MimeBundle, Render};
use super::session;
use super::transport::Message;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Shows `value` now, as its own output below the cell, and returns a handle
/// that can replace it later.
///
/// A cell may call `display` any number of times; each call is one output
/// (two figures in one cell show as two figures). Under the `rust-nn`
/// Jupyter kernel the output carries the value's whole [`MimeBundle`]; in
/// plain evcxr or a program, `display` prints the `text/plain` form and a
/// newline.
///
/// ```
/// use nn_core::notebook::display;
///
/// for epoch in 0..2 {
///     display(&format!("epoch {epoch}"));
/// }
/// ```
pub fn display<T: Render + ?Sized>(value: &T) -> DisplayHandle {
    let handle = DisplayHandle::new();
    handle.send(value.mime_bundle(), false);
    handle
}

/// Clears the cell's outputs so far. With `wait`, the clearing happens when
/// the next output arrives, which avoids flicker when redrawing. Does nothing
/// outside the kernel.
///
/// ```
/// use nn_core::prelude::*;
///
/// for epoch in 1..=3 {
///     clear_output(true); // the old output goes when the new one arrives
///     display(&format!("epoch {epoch}/3"));
/// }
/// ```
pub fn clear_output(wait: bool) {
    if session::in_kernel() {
        emit(&Message::Clear { wait });
    }
}

/// An output shown by [`display`], which [`update`](DisplayHandle::update)
/// replaces in place: a progress line, a figure redrawn each epoch.
///
/// ```
/// use nn_core::notebook::display;
///
/// let status = display(&"epoch 0: loss ?");
/// for epoch in 1..=3 {
///     status.update(&format!("epoch {epoch}: loss {:.2}", 1.0 / epoch as f64));
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayHandle {
    id: String,
}

impl DisplayHandle {
    fn new() -> DisplayHandle {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        DisplayHandle {
            id: format!("nn-{:x}-{n}", std::process::id()),
        }
    }

    /// The Jupyter display id (unique in the session).
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let loss = display(&"loss ?");
    /// let accuracy = display(&"accuracy ?");
    /// assert_ne!(loss.id(), accuracy.id());
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Replaces what this output shows by `value`. In plain evcxr or a
    /// program, prints the new `text/plain` form.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let weights = display(&tensor![0.0, 0.0]);
    /// weights.update(&tensor![0.5, -0.5]); // any `Render` value, here a tensor
    /// weights.update(&"training done");
    /// ```
    pub fn update<T: Render + ?Sized>(&self, value: &T) {
        self.send(value.mime_bundle(), true);
    }

    fn send(&self, bundle: MimeBundle, update: bool) {
        let mut out = std::io::stdout().lock();
        self.write(&mut out, bundle, update, session::in_kernel());
    }

    /// Under the kernel, one message line; elsewhere the `text/plain` form.
    fn write(&self, out: &mut dyn Write, bundle: MimeBundle, update: bool, in_kernel: bool) {
        if !in_kernel {
            let _ = writeln!(out, "{}", bundle.text());
            let _ = out.flush();
            return;
        }
        let id = self.id.clone();
        let bundle = bundle.into_entries();
        write_message(
            out,
            &if update {
                Message::Update { id, bundle }
            } else {
                Message::Display { id, bundle }
            },
        );
    }
}

/// Writes one message line to stdout, where evcxr passes it to the kernel.
pub(crate) fn emit(message: &Message) {
    write_message(&mut std::io::stdout().lock(), message);
}

fn write_message(out: &mut dyn Write, message: &Message) {
    let _ = writeln!(out, "{}", message.encode());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(update: bool, in_kernel: bool) -> (DisplayHandle, String) {
        let handle = DisplayHandle::new();
        let mut out = Vec::new();
        let bundle = MimeBundle::new("loss 1.0").with_html("<b>loss</b> 1.0");
        handle.write(&mut out, bundle, update, in_kernel);
        (handle, String::from_utf8(out).unwrap())
    }

    #[test]
    fn outside_the_kernel_display_prints_text() {
        assert_eq!(written(false, false).1, "loss 1.0\n");
        assert_eq!(written(true, false).1, "loss 1.0\n");
    }

    #[test]
    fn under_the_kernel_display_sends_one_message_line() {
        let (handle, line) = written(false, true);
        let (before, message) = Message::find(line.trim_end()).unwrap();
        assert_eq!(before, "");
        let bundle = vec![
            ("text/plain".to_owned(), "loss 1.0".to_owned()),
            ("text/html".to_owned(), "<b>loss</b> 1.0".to_owned()),
        ];
        let id = handle.id().to_owned();
        assert_eq!(message, Message::Display { id, bundle });
        let (handle, line) = written(true, true);
        let (_, message) = Message::find(line.trim_end()).unwrap();
        assert!(matches!(message, Message::Update { id, .. } if id == handle.id()));
    }

    #[test]
    fn display_ids_are_unique() {
        assert_ne!(DisplayHandle::new(), DisplayHandle::new());
    }
}

//! What a notebook shows for nn-core's values, and training feedback.
//!
//! Every value's bundle has `text/plain`, which is exactly torch's text; the
//! notebook picks the richest form it can show:
//!
//! | value | `text/plain` | also |
//! |-------|--------------|------|
//! | [`Tensor`](crate::Tensor) | torch's repr | `text/html`: shape, dtype, autograd badges, a table for 0-D to 2-D |
//! | modules (built-in, `#[derive(Module)]`, `dyn Module`) | torch's repr | `text/html`: torchinfo-style summary |
//! | [`Size`](crate::Size), [`DType`](crate::DType), losses, optimizers, [`ValuesIndices`](crate::tensor::ValuesIndices) | torch's text | — |
//! | [`Figure`](crate::plot::Figure) | `<Figure 640x400: title>` | `image/svg+xml` |
//! | [`ProgressBar`] | tqdm's line | `text/html`: a bar |
//!
//! The HTML uses JupyterLab's theme variables (`var(--jp-…)`) with fallbacks
//! that read on light and dark backgrounds, inline styles only.
//!
//! These types show their whole bundle when they are the last expression of
//! a cell (through [`evcxr_display!`](crate::evcxr_display)), and anywhere in
//! a cell with [`display`](crate::notebook::display). A training loop shows
//! its progress with [`progress`]:
//!
//! ```
//! use nn_core::prelude::*;
//!
//! let net = sequential![Linear::new(2, 3), ReLU::new()];
//! let html = net.mime_bundle().get("text/html").unwrap().to_owned();
//! assert!(html.contains("Total params") && html.contains(">9<"));
//!
//! let bar = ProgressBar::new();
//! for _epoch in bar.iter(0..10) {
//!     bar.set_loss(0.5);
//! }
//! ```

mod html;
pub(crate) mod live;
mod module;
mod plain;
mod progress;
mod tensor;

pub use module::module_bundle;
pub use progress::{Progress, ProgressBar, progress};

#[cfg(test)]
pub(crate) mod tests {
    //! Reading the HTML back in tests: it must parse as XML.

    /// Panics with the parser's message if `html` is not well-formed.
    pub(crate) fn assert_well_formed(html: &str) {
        let wrapped = format!("<root>{html}</root>");
        if let Err(e) = roxmltree::Document::parse(&wrapped) {
            panic!("HTML is not well-formed: {e}\n{html}");
        }
    }

    /// The text of every `<tag>` element, in document order.
    pub(crate) fn cell_texts(html: &str, tag: &str) -> Vec<String> {
        let wrapped = format!("<root>{html}</root>");
        let doc = roxmltree::Document::parse(&wrapped).expect("well-formed HTML");
        doc.descendants()
            .filter(|n| n.has_tag_name(tag))
            .map(|n| {
                n.descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect::<String>()
            })
            .collect()
    }
}

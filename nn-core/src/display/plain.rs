//! Values a notebook shows as their text: losses, optimizers and the
//! values-and-indices of `max(dim)`/`topk`/`sort` print as torch does
//! (`MSELoss()`, `SGD (\nParameter Group 0\n …)`,
//! `torch.return_types.max(\nvalues=…)`), and that text is their whole bundle.
//!
//! A new loss or optimizer joins the list in [`render_as_text!`]: it then
//! shows its torch text both from [`display`](crate::notebook::display) and as
//! a cell's last expression (where `{:?}` would show Rust's struct dump).

use crate::nn::{BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss};
use crate::notebook::{MimeBundle, Render};
use crate::optim::{Adam, SGD};
use crate::tensor::ValuesIndices;

/// `Render` as `text/plain` = `Display`, and the `evcxr_display` method.
macro_rules! render_as_text {
    ($($t:ty),* $(,)?) => {$(
        /// `text/plain`: torch's repr (this type's `Display`).
        impl Render for $t {
            fn mime_bundle(&self) -> MimeBundle {
                MimeBundle::new(self.to_string())
            }
        }
        crate::evcxr_display!($t);
    )*};
}

render_as_text!(
    MSELoss,
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    NLLLoss,
    SGD,
    Adam,
    ValuesIndices
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Linear, Module};

    #[test]
    fn losses_and_optimizers_show_torchs_text() {
        assert_eq!(MSELoss::new().mime_bundle().text(), "MSELoss()");
        assert_eq!(
            CrossEntropyLoss::new().mime_bundle().text(),
            CrossEntropyLoss::new().to_string()
        );
        let lin = Linear::new(2, 1);
        let sgd = SGD::new(lin.parameters(), 0.1);
        let bundle = sgd.mime_bundle();
        assert_eq!(bundle.text(), sgd.to_string());
        assert!(bundle.text().starts_with("SGD (\nParameter Group 0\n"));
        assert_eq!(bundle.mime_types().count(), 1);
        let adam = Adam::new(lin.parameters(), 0.001);
        assert_eq!(adam.mime_bundle().text(), adam.to_string());
        let top = crate::tensor![3.0, 1.0].topk(1, 0);
        assert_eq!(
            top.mime_bundle().text(),
            "torch.return_types.topk(\nvalues=tensor([3.]),\nindices=tensor([0]))"
        );
    }
}

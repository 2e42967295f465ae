//! [`MimeBundle`], what a notebook shows for a value, and [`Render`], the
//! one trait through which a type chooses its bundle.

use std::fmt::Write as _;

/// The representations of one value that a notebook may choose from, keyed by
/// MIME type (`text/plain`, `text/html`, `image/svg+xml`, `image/png`, ...).
///
/// `text/plain` is always present: it is what a terminal, plain evcxr and
/// a notebook without a better renderer show.
///
/// ```
/// use nn_core::notebook::MimeBundle;
///
/// let bundle = MimeBundle::new("loss 0.25").with_html("<b>loss</b> 0.25");
/// assert_eq!(bundle.text(), "loss 0.25");
/// assert_eq!(bundle.get("text/html"), Some("<b>loss</b> 0.25"));
/// assert_eq!(bundle.mime_types().collect::<Vec<_>>(), ["text/plain", "text/html"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MimeBundle {
    /// `(MIME type, data)`; the first entry is always `text/plain`.
    entries: Vec<(String, String)>,
}

impl MimeBundle {
    /// A bundle holding only `text/plain`.
    ///
    /// ```
    /// use nn_core::notebook::MimeBundle;
    ///
    /// let bundle = MimeBundle::new("tensor([1., 2.])");
    /// assert_eq!(bundle.text(), "tensor([1., 2.])");
    /// assert_eq!(bundle.mime_types().count(), 1);
    /// ```
    pub fn new(text: impl Into<String>) -> MimeBundle {
        MimeBundle {
            entries: vec![("text/plain".to_owned(), text.into())],
        }
    }

    /// Adds or replaces the representation for `mime`. Binary formats such as
    /// `image/png` are given base64-encoded, as Jupyter expects; see
    /// [`with_png`](Self::with_png).
    ///
    /// ```
    /// use nn_core::notebook::MimeBundle;
    ///
    /// let bundle = MimeBundle::new("alpha = 0.1").with("text/latex", r"$\alpha = 0.1$");
    /// assert_eq!(bundle.get("text/latex"), Some(r"$\alpha = 0.1$"));
    /// ```
    pub fn with(mut self, mime: impl Into<String>, data: impl Into<String>) -> MimeBundle {
        self.insert(mime, data);
        self
    }

    /// Adds or replaces the representation for `mime`.
    ///
    /// ```
    /// use nn_core::notebook::MimeBundle;
    ///
    /// let mut bundle = MimeBundle::new("loss 0.25").with_html("<b>old</b>");
    /// bundle.insert("text/html", "<b>loss</b> 0.25");
    /// assert_eq!(bundle.get("text/html"), Some("<b>loss</b> 0.25"));
    /// assert_eq!(bundle.mime_types().count(), 2);
    /// ```
    pub fn insert(&mut self, mime: impl Into<String>, data: impl Into<String>) {
        let (mime, data) = (mime.into(), data.into());
        match self.entries.iter_mut().find(|(m, _)| *m == mime) {
            Some(entry) => entry.1 = data,
            None => self.entries.push((mime, data)),
        }
    }

    /// Adds `text/html`.
    ///
    /// ```
    /// use nn_core::notebook::MimeBundle;
    ///
    /// let bundle = MimeBundle::new("x = 1").with_html("<code>x = 1</code>");
    /// assert_eq!(bundle.get("text/html"), Some("<code>x = 1</code>"));
    /// ```
    pub fn with_html(self, html: impl Into<String>) -> MimeBundle {
        self.with("text/html", html)
    }

    /// Adds `text/markdown`.
    ///
    /// ```
    /// use nn_core::notebook::MimeBundle;
    ///
    /// let bundle = MimeBundle::new("Epoch 1").with_markdown("**Epoch 1**");
    /// assert_eq!(bundle.get("text/markdown"), Some("**Epoch 1**"));
    /// ```
    pub fn with_markdown(self, markdown: impl Into<String>) -> MimeBundle {
        self.with("text/markdown", markdown)
    }

    /// Adds `image/svg+xml`.
    ///
    /// ```
    /// use nn_core::notebook::MimeBundle;
    ///
    /// let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>"#;
    /// let bundle = MimeBundle::new("<figure>").with_svg(svg);
    /// assert_eq!(bundle.get("image/svg+xml"), Some(svg));
    /// ```
    pub fn with_svg(self, svg: impl Into<String>) -> MimeBundle {
        self.with("image/svg+xml", svg)
    }

    /// Adds `image/png` from the bytes of a PNG file (encoded to base64 here).
    ///
    /// ```
    /// use nn_core::notebook::MimeBundle;
    ///
    /// let bundle = MimeBundle::new("<figure>").with_png(b"\x89PNG");
    /// assert_eq!(bundle.get("image/png"), Some("iVBORw=="));
    /// ```
    pub fn with_png(self, png: &[u8]) -> MimeBundle {
        self.with("image/png", base64(png))
    }

    /// The `text/plain` representation.
    ///
    /// ```
    /// use nn_core::notebook::MimeBundle;
    ///
    /// let bundle = MimeBundle::new("accuracy 97.5%").with_html("<b>97.5%</b>");
    /// assert_eq!(bundle.text(), "accuracy 97.5%");
    /// ```
    pub fn text(&self) -> &str {
        &self.entries[0].1
    }

    /// The representation for `mime`, if there is one.
    ///
    /// ```
    /// use nn_core::notebook::MimeBundle;
    ///
    /// let bundle = MimeBundle::new("loss 0.25").with_html("<b>loss</b> 0.25");
    /// assert_eq!(bundle.get("text/plain"), Some("loss 0.25"));
    /// assert_eq!(bundle.get("image/png"), None);
    /// ```
    pub fn get(&self, mime: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(m, _)| m == mime)
            .map(|(_, data)| data.as_str())
    }

    /// The MIME types present, `text/plain` first, then in insertion order.
    ///
    /// ```
    /// use nn_core::notebook::MimeBundle;
    ///
    /// let bundle = MimeBundle::new("x").with_svg("<svg/>").with_html("<i>x</i>");
    /// let types: Vec<&str> = bundle.mime_types().collect();
    /// assert_eq!(types, ["text/plain", "image/svg+xml", "text/html"]);
    /// ```
    pub fn mime_types(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(mime, _)| mime.as_str())
    }

    /// `(MIME type, data)` pairs, `text/plain` first.
    ///
    /// ```
    /// use nn_core::notebook::MimeBundle;
    ///
    /// let bundle = MimeBundle::new("x").with_html("<i>x</i>");
    /// for (mime, data) in bundle.iter() {
    ///     println!("{mime}: {data}");
    /// }
    /// assert_eq!(bundle.iter().last(), Some(("text/html", "<i>x</i>")));
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(m, d)| (m.as_str(), d.as_str()))
    }

    pub(crate) fn into_entries(self) -> Vec<(String, String)> {
        self.entries
    }
}

/// A value that knows how a notebook should show it.
///
/// [`display`](super::display) shows any `Render` value mid-cell. Tensors,
/// modules and figures implement it; so do strings (shown as they are, without
/// quotes), numbers, `bool` and `char`. A type gives at least `text/plain`
/// (the argument of [`MimeBundle::new`]) and may add HTML, SVG or PNG.
///
/// To make a `Render` type also show its full bundle when it is the last
/// expression of a cell, add [`evcxr_display!`](crate::evcxr_display) in the
/// crate that defines it.
///
/// ```
/// use nn_core::notebook::{MimeBundle, Render};
///
/// struct Accuracy(f64);
///
/// impl Render for Accuracy {
///     fn mime_bundle(&self) -> MimeBundle {
///         let percent = self.0 * 100.0;
///         MimeBundle::new(format!("accuracy {percent:.1}%"))
///             .with_html(format!("<meter value=\"{}\"></meter> {percent:.1}%", self.0))
///     }
/// }
///
/// assert_eq!(Accuracy(0.5).mime_bundle().text(), "accuracy 50.0%");
/// ```
pub trait Render {
    /// The representations of `self`; `text/plain` is always among them.
    fn mime_bundle(&self) -> MimeBundle;
}

impl Render for MimeBundle {
    fn mime_bundle(&self) -> MimeBundle {
        self.clone()
    }
}

impl<T: Render + ?Sized> Render for &T {
    fn mime_bundle(&self) -> MimeBundle {
        (**self).mime_bundle()
    }
}

impl<T: Render + ?Sized> Render for &mut T {
    fn mime_bundle(&self) -> MimeBundle {
        (**self).mime_bundle()
    }
}

impl<T: Render + ?Sized> Render for Box<T> {
    fn mime_bundle(&self) -> MimeBundle {
        (**self).mime_bundle()
    }
}

impl Render for str {
    fn mime_bundle(&self) -> MimeBundle {
        MimeBundle::new(self)
    }
}

impl Render for String {
    fn mime_bundle(&self) -> MimeBundle {
        MimeBundle::new(self.as_str())
    }
}

macro_rules! render_with_display {
    ($($t:ty),*) => {$(
        impl Render for $t {
            fn mime_bundle(&self) -> MimeBundle {
                MimeBundle::new(self.to_string())
            }
        }
    )*};
}

render_with_display!(
    bool, char, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

macro_rules! render_floats {
    ($($t:ty),*) => {$(
        impl Render for $t {
            /// Shown as Rust's `{:?}` shows it, so `1.0` stays `1.0`.
            fn mime_bundle(&self) -> MimeBundle {
                MimeBundle::new(format!("{self:?}"))
            }
        }
    )*};
}

render_floats!(f32, f64);

/// Standard base64 with padding, as Jupyter wants for binary MIME types.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Escapes `<`, `>`, `&` and `"` for HTML text and attribute values.
///
/// ```
/// assert_eq!(nn_core::notebook::html_escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
/// ```
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => {
                let _ = out.write_char(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_plain_is_first_and_replaced_in_place() {
        let mut bundle = MimeBundle::new("a").with_html("<i>a</i>");
        bundle.insert("text/plain", "b");
        assert_eq!(
            bundle.iter().collect::<Vec<_>>(),
            [("text/plain", "b"), ("text/html", "<i>a</i>")]
        );
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64(input.as_bytes()), expected, "base64({input:?})");
        }
    }

    #[test]
    fn builtin_values_render_as_text() {
        assert_eq!("hi".mime_bundle().text(), "hi");
        assert_eq!(String::from("hi").mime_bundle().text(), "hi");
        assert_eq!(3_i32.mime_bundle().text(), "3");
        assert_eq!(1.0_f64.mime_bundle().text(), "1.0");
        assert_eq!(Render::mime_bundle(&&true).text(), "true");
        assert_eq!(Box::new('x').mime_bundle().text(), "x");
    }
}

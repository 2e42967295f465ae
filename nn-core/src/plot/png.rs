//! PNG figures (cargo feature `png`): the SVG of [`draw`](super::draw)
//! rasterized by resvg, pure Rust, with DejaVu Sans embedded in the binary as
//! the one font. No system library or system font is used, so the picture is
//! the same on every machine.
//!
//! The PNG is twice the SVG's size in pixels (1280 × 800 for the default
//! 640 × 400 figure): crisp on high-density screens and in PDF exports.

use super::figure::Figure;
use resvg::usvg::fontdb;
use resvg::{tiny_skia, usvg};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Pixels of the PNG per pixel of the SVG.
pub(crate) const SCALE: u32 = 2;

/// The family the embedded font declares.
const FAMILY: &str = "DejaVu Sans";

/// A font database holding only DejaVu Sans, answering for `sans-serif` (the
/// family [`draw`](super::draw) writes) and for text that names none. Parsed
/// once per process.
fn fonts() -> Arc<fontdb::Database> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            db.load_font_source(fontdb::Source::Binary(Arc::new(dejavu::sans::regular())));
            db.set_sans_serif_family(FAMILY);
            Arc::new(db)
        })
        .clone()
}

/// Rasterizes `svg`, a figure of `width` × `height` pixels, at [`SCALE`] ×
/// that size on white, and encodes it as PNG.
pub(crate) fn svg_to_png(svg: &str, width: u32, height: u32) -> Vec<u8> {
    let options = usvg::Options {
        font_family: FAMILY.to_owned(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    // The SVG is drawn by plotters from a Figure: it always parses.
    let tree = usvg::Tree::from_str(svg, &options).expect("plot: the figure's SVG does not parse");
    let (w, h) = (width * SCALE, height * SCALE);
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .unwrap_or_else(|| panic!("plot: a {w}x{h} PNG is too large to allocate"));
    pixmap.fill(tiny_skia::Color::WHITE);
    let scale = SCALE as f32;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .expect("plot: encoding a PNG in memory cannot fail")
}

impl Figure {
    /// The figure as a PNG file's bytes, drawn from its SVG at **twice its
    /// size**: a 640 × 400 figure gives a 1280 × 800 PNG. The background is
    /// white, as in the SVG, and text is drawn in DejaVu Sans, embedded in
    /// nn-core: no system fonts or libraries are needed.
    ///
    /// Only with nn-core's cargo feature `png` (off by default).
    ///
    /// # Panics
    /// If the PNG would be too large to allocate (a size of many thousands of
    /// pixels on each side).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let png = plot::line(&[0.0, 1.0], &[1.0, 0.0]).title("Down").to_png();
    /// assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    /// // Width and height, big-endian, in the IHDR chunk: 2 × 640 by 2 × 400.
    /// assert_eq!(&png[16..24], &[0, 0, 5, 0, 0, 0, 3, 32]);
    /// ```
    pub fn to_png(&self) -> Vec<u8> {
        svg_to_png(&self.to_svg(), self.width, self.height)
    }

    /// Writes the PNG of [`to_png`](Self::to_png) to `path` (a `.png` file,
    /// for a report or a page that cannot show SVG).
    ///
    /// Only with nn-core's cargo feature `png` (off by default).
    ///
    /// # Errors
    /// If the file cannot be written.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let path = std::env::temp_dir().join("nn-core-doc-figure.png");
    /// plot::line(&[0.0, 1.0], &[1.0, 0.0]).save_png(&path).unwrap();
    /// assert!(std::fs::read(&path).unwrap().starts_with(b"\x89PNG"));
    /// ```
    pub fn save_png(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        std::fs::write(path, self.to_png())
    }
}

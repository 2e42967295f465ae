//! PNG figures (cargo feature `png`): every golden plot of `plot_golden.rs`
//! rasterizes to a PNG that decodes, has twice the figure's size, is not
//! blank and shows its text (drawn with the embedded DejaVu Sans, no system
//! fonts); the MIME bundle carries the same PNG as `image/png`.
//!
//! ```text
//! cargo test -p nn-core --features png --test plot_png
//! ```
//!
//! The `gallery_png` test also writes every figure of the gallery to
//! `target/tmp/plot-gallery/plot-<name>.png` (docs/display.md).
#![cfg(feature = "png")]

mod plots;

use nn_core::prelude::*;
use resvg::tiny_skia::Pixmap;

fn decode(png: &[u8]) -> Pixmap {
    Pixmap::decode_png(png).expect("the PNG decodes")
}

/// The pixel at `(x, y)` as `[r, g, b, a]` (opaque: the background is white).
fn pixel(pixmap: &Pixmap, x: u32, y: u32) -> [u8; 4] {
    let i = 4 * (y * pixmap.width() + x) as usize;
    pixmap.data()[i..i + 4].try_into().unwrap()
}

/// Pixels of rows `rows` darker than mid grey: text (`#333333`) and axes.
fn dark_pixels(pixmap: &Pixmap, rows: std::ops::Range<u32>) -> usize {
    rows.flat_map(|y| (0..pixmap.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let [r, g, b, _] = pixel(pixmap, x, y);
            r < 0x80 && g < 0x80 && b < 0x80
        })
        .count()
}

/// Standard base64 (RFC 4648, padded), strictly, by the `base64` crate: an
/// implementation independent of the encoder under test.
fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_else(|e| panic!("not base64: {e}"))
}

#[test]
fn golden_plots_rasterize_at_twice_their_size() {
    for (name, figure) in plots::golden() {
        let png = figure.to_png();
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{name}: PNG signature"
        );
        let pixmap = decode(&png);
        assert_eq!((pixmap.width(), pixmap.height()), (1280, 800), "{name}");
        // Same bytes every time: nothing depends on the machine's fonts.
        assert!(figure.to_png() == png, "{name}: deterministic");
    }
    let small = plots::relu().size(300, 150);
    let pixmap = decode(&small.to_png());
    assert_eq!((pixmap.width(), pixmap.height()), (600, 300));
}

#[test]
fn golden_plots_are_white_and_not_blank() {
    for (name, figure) in plots::golden() {
        let pixmap = decode(&figure.to_png());
        assert_eq!(pixel(&pixmap, 0, 0), [255, 255, 255, 255], "{name}: white");
        let (w, h) = (pixmap.width(), pixmap.height());
        assert_eq!(pixel(&pixmap, w - 1, h - 1), [255, 255, 255, 255], "{name}");
        let total = (w * h) as usize;
        let white = pixmap
            .data()
            .chunks(4)
            .filter(|p| p == &[255, 255, 255, 255])
            .count();
        // Mostly white, but lines, grid, ticks and text cover a good part.
        assert!(white < total * 97 / 100, "{name}: {white} of {total} white");
        assert!(white > total / 2, "{name}: {white} of {total} white");
        // The series' colours (tab10 blue and orange) are there.
        let has = |rgb: [u8; 3]| {
            pixmap
                .data()
                .chunks(4)
                .any(|p| p[..3] == rgb && p[3] == 255)
        };
        assert!(has([0x1f, 0x77, 0xb4]), "{name}: blue series");
        assert!(has([0xff, 0x7f, 0x0e]), "{name}: orange series");
    }
}

#[test]
fn golden_plots_render_their_text() {
    // The title is drawn at y 13–30 of the SVG: rows 26–60 of the PNG. The
    // band above the chart holds only the title, so dark pixels there are
    // its glyphs (without a font, resvg would draw no text at all). A title
    // of one space keeps the layout but has no glyphs.
    let band = 0..64;
    for (name, figure) in plots::golden() {
        let titled = decode(&figure.to_png());
        let dark = dark_pixels(&titled, band.clone());
        assert!(dark > 200, "{name}: {dark} dark pixels in the title band");
        let blank = decode(&figure.clone().title(" ").to_png());
        assert_eq!(
            dark_pixels(&blank, band.clone()),
            0,
            "{name}: without the title's text, no ink in the band"
        );
        assert!(titled.data() != blank.data(), "{name}");
        let retitled = decode(&figure.clone().title("Another title").to_png());
        assert!(
            titled.data() != retitled.data(),
            "{name}: the title text changes the picture"
        );
    }
}

#[test]
fn axis_labels_are_drawn() {
    // The x label sits at the bottom of the figure: its glyphs are the only
    // dark pixels of the lowest rows.
    let figure = plots::fit();
    let labelled = decode(&figure.to_png());
    let blank = decode(&figure.x_label(" ").to_png());
    let bottom = labelled.height() - 40..labelled.height();
    assert!(dark_pixels(&labelled, bottom.clone()) > 20);
    assert_eq!(dark_pixels(&blank, bottom), 0);
}

#[test]
fn bundle_carries_the_png_as_base64() {
    for (name, figure) in plots::golden() {
        let bundle = figure.mime_bundle();
        let encoded = bundle.get("image/png").expect("image/png in the bundle");
        assert!(!encoded.contains(['\n', '\r']), "{name}: one line");
        assert_eq!(base64_decode(encoded), figure.to_png(), "{name}");
        // The SVG stays, for browsers.
        assert_eq!(bundle.get("image/svg+xml"), Some(figure.to_svg().as_str()));
    }
}

#[test]
fn live_plot_bundle_carries_the_png() {
    let mut live = LivePlot::new();
    live.push(1.0);
    live.push(0.5);
    let png = base64_decode(live.mime_bundle().get("image/png").unwrap());
    assert_eq!(png, live.figure().to_png());
}

#[test]
fn save_png_writes_to_png() {
    let figure = plots::relu();
    let path = std::env::temp_dir().join(format!("nn-core-plot-png-{}.png", std::process::id()));
    figure.save_png(&path).unwrap();
    let written = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(written == figure.to_png());
    assert!(figure.save_png("/nonexistent-dir/f.png").is_err());
}

/// Writes every figure of the gallery to
/// `target/tmp/plot-gallery/plot-<name>.png`, for looking at; the
/// `docs/images/plot-*.png` are these (docs/display.md).
#[test]
fn gallery_png() {
    let dir = plots::gallery_dir();
    for (name, figure) in plots::gallery() {
        let png = figure.to_png();
        let pixmap = decode(&png);
        assert_eq!(
            (pixmap.width(), pixmap.height()),
            (2 * figure_width(&figure), 2 * figure_height(&figure)),
            "{name}"
        );
        let file = format!("plot-{}.png", name.replace('_', "-"));
        std::fs::write(dir.join(file), png).unwrap();
    }
}

/// The figure's size in the SVG's `<svg width=… height=…>`.
fn figure_size(figure: &Figure) -> (u32, u32) {
    let svg = figure.to_svg();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    let get = |a: &str| root.attribute(a).unwrap().parse().unwrap();
    (get("width"), get("height"))
}

fn figure_width(figure: &Figure) -> u32 {
    figure_size(figure).0
}

fn figure_height(figure: &Figure) -> u32 {
    figure_size(figure).1
}

/// The pictures of the classification and convolution lessons rasterize at
/// twice their size, on white, with their colours and text: the digits'
/// white strokes on black, both ends of the filters' and feature maps'
/// colour bar (RdBu_r) and a cell's colour, the confusion matrix's darkest
/// blue, the network's neuron colours, the boundary's class tints, both
/// curves. The list follows `plots::pictures()`, name by name.
#[test]
fn pictures_rasterize_with_their_colours_and_text() {
    let has = |pixmap: &Pixmap, rgb: [u8; 3]| {
        pixmap
            .data()
            .chunks(4)
            .any(|p| p[..3] == rgb && p[3] == 255)
    };
    let expected: [(&str, &[[u8; 3]]); 7] = [
        ("images", &[[0, 0, 0], [255, 255, 255], [0x50, 0x50, 0x50]]),
        (
            "conv_filters",
            &[[0x05, 0x30, 0x61], [0x67, 0x00, 0x1f], [0x3a, 0x87, 0xbd]],
        ),
        (
            "feature_maps",
            &[[0x05, 0x30, 0x61], [0x67, 0x00, 0x1f], [0xfd, 0xda, 0xc5]],
        ),
        ("confusion", &[[0x08, 0x30, 0x6b], [0xf7, 0xfb, 0xff]]),
        (
            "network",
            &[[0x2c, 0xa0, 0x2c], [0x1f, 0x77, 0xb4], [0xff, 0x7f, 0x0e]],
        ),
        (
            "boundary",
            &[[0xce, 0xe1, 0xef], [0xff, 0xe3, 0xca], [0xd1, 0xea, 0xd1]],
        ),
        ("training_curves", &[[0x1f, 0x77, 0xb4], [0xff, 0x7f, 0x0e]]),
    ];
    let pictures = plots::pictures();
    assert_eq!(
        pictures.len(),
        expected.len(),
        "a picture without colours to check"
    );
    for ((name, figure), (want_name, colours)) in pictures.into_iter().zip(expected) {
        assert_eq!(name, want_name);
        let png = figure.to_png();
        assert!(figure.to_png() == png, "{name}: deterministic");
        let pixmap = decode(&png);
        let (w, h) = figure_size(&figure);
        assert_eq!((pixmap.width(), pixmap.height()), (2 * w, 2 * h), "{name}");
        assert_eq!(pixel(&pixmap, 0, 0), [255, 255, 255, 255], "{name}: white");
        for &rgb in colours {
            assert!(has(&pixmap, rgb), "{name}: colour {rgb:02x?}");
        }
        // Text: dark glyph pixels (titles, labels, the digits' titles).
        assert!(dark_pixels(&pixmap, 0..pixmap.height()) > 200, "{name}");
    }
    // The elision mark and the arrows of the title are in the embedded font.
    let elided = decode(&plots::network_digits().to_png());
    let blank = decode(&plots::network_digits().title(" ").to_png());
    assert!(dark_pixels(&elided, 0..64) > dark_pixels(&blank, 0..64) + 200);
}

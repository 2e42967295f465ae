//! The pictures of the classification lesson, read back from their SVG
//! (parsed with roxmltree): the image grid shows exactly the tensor's values
//! as grays, the confusion matrix the counts, the network diagram the
//! model's layers and every connection, the decision boundary the model's
//! classes over the whole plotting area, the training curves two panels.
//!
//! Their SVG is also compared with golden files (`plot_golden.rs`).

mod plots;

use nn_core::prelude::*;
use roxmltree::{Document, Node};
use std::collections::BTreeMap;

fn num(node: Node, attribute: &str) -> f64 {
    node.attribute(attribute)
        .unwrap_or_else(|| panic!("<{}> has no {attribute}", node.tag_name().name()))
        .parse()
        .unwrap()
}

fn elements<'a>(doc: &'a Document, tag: &str) -> Vec<Node<'a, 'a>> {
    doc.descendants().filter(|n| n.has_tag_name(tag)).collect()
}

fn texts(doc: &Document) -> Vec<String> {
    elements(doc, "text")
        .iter()
        .map(|t| t.text().unwrap_or("").to_owned())
        .collect()
}

/// The rectangles of a path of `M x y h w v h h -w z` pieces, as
/// `(x, y, w, h)`.
fn rects(d: &str) -> Vec<(f64, f64, f64, f64)> {
    d.split('M')
        .filter(|p| !p.trim().is_empty())
        .map(|piece| {
            let piece = piece.trim().strip_suffix('z').expect("a piece ends with z");
            let (xy, rest) = piece.split_once('h').unwrap();
            let (w, rest) = rest.split_once('v').unwrap();
            let (h, back) = rest.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let f = |s: &str| s.parse::<f64>().unwrap();
            assert_eq!(f(back), -f(w), "the piece closes: {piece}");
            (f(x), f(y), f(w), f(h))
        })
        .collect()
}

#[test]
fn image_grid_shows_the_tensor_values_as_grays() {
    let digits = plots::digit_images();
    let svg = plots::images().to_svg();
    let doc = Document::parse(&svg).unwrap();
    let paths = elements(&doc, "path");
    // The first ten paths are the images' backgrounds: one rectangle each,
    // 8 × s square, in one row from left to right.
    let frames: Vec<(f64, f64, f64, f64)> = paths[..10]
        .iter()
        .map(|p| {
            let r = rects(p.attribute("d").unwrap());
            assert_eq!(r.len(), 1);
            r[0]
        })
        .collect();
    let (x0, y0, side, _) = frames[0];
    let s = side / 8.0;
    assert!(s >= 4.0 && s == s.floor(), "whole pixels: {s}");
    for pair in frames.windows(2) {
        assert_eq!(pair[1].1, y0, "one row");
        assert!(pair[1].0 > pair[0].0 + side, "left to right, apart");
        assert_eq!((pair[1].2, pair[1].3), (side, side));
    }
    // Paint every path in order on a grid of the images' pixels, and read
    // each image back.
    let mut painted: BTreeMap<(i64, i64), String> = BTreeMap::new();
    for path in &paths {
        assert_eq!(path.attribute("shape-rendering"), Some("crispEdges"));
        let fill = path.attribute("fill").unwrap().to_owned();
        for (x, y, w, h) in rects(path.attribute("d").unwrap()) {
            for py in 0..(h / s) as i64 {
                for px in 0..(w / s) as i64 {
                    let cell = (((x - x0) / s) as i64 + px, ((y - y0) / s) as i64 + py);
                    painted.insert(cell, fill.clone());
                }
            }
        }
    }
    let values = digits.to_vec::<f32>();
    for (k, &(fx, _, _, _)) in frames.iter().enumerate() {
        let left = ((fx - x0) / s) as i64;
        for r in 0..8 {
            for c in 0..8 {
                let v = values[k * 64 + r * 8 + c];
                // Globally scaled: 0 is black and 16 (the largest) white.
                let g = (v / 16.0 * 255.0).round() as u8;
                let want = format!("#{g:02X}{g:02X}{g:02X}");
                assert_eq!(
                    painted[&(left + c as i64, r as i64)],
                    want,
                    "image {k}, pixel ({r}, {c}) of value {v}"
                );
            }
        }
    }
    // Titles centred above their images.
    let titles = elements(&doc, "text");
    assert_eq!(
        texts(&doc),
        (0..10).map(|i| i.to_string()).collect::<Vec<_>>()
    );
    for (t, &(fx, fy, side, _)) in titles.iter().zip(&frames) {
        assert_eq!(num(*t, "x"), fx + side / 2.0);
        assert!(num(*t, "y") < fy);
    }
}

#[test]
fn image_grid_layouts() {
    // Two-line titles.
    let svg = plots::misclassified().to_svg();
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(
        texts(&doc)[..4],
        ["pred 8", "true 0", "pred 3", "true 5"].map(String::from)
    );
    // A Conv2d weight [4, 3, 5, 5]: 4 rows (filters) of 3 (input channels).
    let svg = plots::filters().to_svg();
    let doc = Document::parse(&svg).unwrap();
    let frames: Vec<(f64, f64)> = elements(&doc, "path")[..12]
        .iter()
        .map(|p| {
            let r = rects(p.attribute("d").unwrap())[0];
            (r.0, r.1)
        })
        .collect();
    let xs: std::collections::BTreeSet<i64> = frames.iter().map(|f| f.0 as i64).collect();
    let ys: std::collections::BTreeSet<i64> = frames.iter().map(|f| f.1 as i64).collect();
    assert_eq!((xs.len(), ys.len()), (3, 4));
    // Each filter scaled on its own: every image has a black and a white pixel.
    assert!(svg.contains("#FFFFFF") && svg.contains("#000000"));
    // 100 of many images, with a note.
    let fig = plot::images(&Tensor::zeros([250, 1, 4, 4]), &[]);
    let svg = fig.to_svg();
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(elements(&doc, "path").len(), 100);
    assert_eq!(texts(&doc), ["the first 100 of 250 images"]);
    // A single image is not blown up to the whole figure.
    let one = plot::images(&Tensor::rand([8, 8]), &[]);
    assert!(one.mime_bundle().text().starts_with("<Figure 184x184"));
}

#[test]
fn confusion_matrix_shows_the_counts() {
    let svg = plots::confusion().to_svg();
    let doc = Document::parse(&svg).unwrap();
    // The background, 9 cells, the frame.
    let cells: Vec<Node> = elements(&doc, "rect")[1..10].to_vec();
    let want = [3, 1, 0, 0, 4, 1, 1, 0, 6]; // rows: true class; columns: predicted
    let side = num(cells[0], "width");
    let (x0, y0) = (num(cells[0], "x"), num(cells[0], "y"));
    let all = texts(&doc);
    for (i, cell) in cells.iter().enumerate() {
        let (t, p) = (i / 3, i % 3);
        assert_eq!(num(*cell, "x"), x0 + p as f64 * side);
        assert_eq!(num(*cell, "y"), y0 + t as f64 * side);
        assert!(all.contains(&want[i].to_string()));
    }
    // Counts in the cells, row by row.
    let in_cells: Vec<String> = elements(&doc, "text")
        .iter()
        .filter(|t| {
            let (x, y) = (num(**t, "x"), num(**t, "y"));
            x > x0 && x < x0 + 3.0 * side && y > y0 && y < y0 + 3.0 * side
        })
        .map(|t| t.text().unwrap().to_owned())
        .collect();
    assert_eq!(in_cells, want.map(|c| c.to_string()));
    // The largest count is the darkest cell and written in white.
    let darkest = cells
        .iter()
        .min_by_key(|c| {
            let hex = &c.attribute("fill").unwrap()[1..];
            u32::from_str_radix(hex, 16).unwrap() >> 16
        })
        .unwrap();
    assert_eq!(
        (num(*darkest, "x"), num(*darkest, "y")),
        (x0 + 2.0 * side, y0 + 2.0 * side)
    );
    let six = elements(&doc, "text")
        .into_iter()
        .find(|t| t.text() == Some("6"))
        .unwrap();
    assert_eq!(six.attribute("fill"), Some("#FFFFFF"));
    assert!(all.contains(&"predicted".to_owned()) && all.contains(&"true".to_owned()));
    assert_eq!(all[0], "Confusion matrix (accuracy 81.2%)");
}

#[test]
fn network_diagram_draws_every_neuron_and_connection() {
    let svg = plots::network().to_svg();
    let doc = Document::parse(&svg).unwrap();
    // Neurons by column, left to right.
    let mut columns: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for c in elements(&doc, "circle") {
        columns
            .entry(num(c, "cx") as i64)
            .or_default()
            .push(num(c, "cy"));
    }
    let sizes: Vec<usize> = columns.values().map(Vec::len).collect();
    assert_eq!(sizes, [1, 4, 6, 1]);
    let xs: Vec<i64> = columns.keys().copied().collect();
    // Every connection between neighbouring columns, once.
    let lines = elements(&doc, "line");
    assert_eq!(lines.len(), 4 + 4 * 6 + 6);
    let mut seen = std::collections::BTreeSet::new();
    for l in &lines {
        let (x1, x2) = (num(*l, "x1") as i64, num(*l, "x2") as i64);
        let i = xs.iter().position(|&x| x == x1).unwrap();
        assert_eq!(xs[i + 1], x2, "a line joins neighbouring columns");
        assert!(columns[&x1].contains(&num(*l, "y1")));
        assert!(columns[&x2].contains(&num(*l, "y2")));
        assert!(seen.insert((x1, num(*l, "y1") as i64, x2, num(*l, "y2") as i64)));
    }
    let all = texts(&doc);
    for label in [
        "input",
        "hidden 1",
        "hidden 2",
        "output",
        "1 input",
        "4 neurons",
        "6 neurons",
        "1 neuron",
    ] {
        assert!(all.contains(&label.to_owned()), "{label}");
    }
    // The activations under the hidden columns.
    let sigmoids: Vec<i64> = elements(&doc, "text")
        .iter()
        .filter(|t| t.text() == Some("Sigmoid"))
        .map(|t| num(*t, "x") as i64)
        .collect();
    assert_eq!(sigmoids, xs[1..3]);
    assert!(all.contains(&"Linear [2]".to_owned()));
    assert_eq!(all[0], "Sequential: 1 → 4 → 6 → 1, 45 parameters");
}

#[test]
fn network_diagram_elides_large_layers() {
    let svg = plots::network_digits().to_svg();
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(elements(&doc, "circle").len(), 8 + 8 + 10);
    assert_eq!(texts(&doc).iter().filter(|t| *t == "⋮").count(), 2);
    assert!(texts(&doc).contains(&"ReLU · Dropout".to_owned()));
    assert!(texts(&doc).contains(&"64 inputs".to_owned()));
}

#[test]
fn decision_boundary_covers_the_plot_with_the_model_classes() {
    let svg = plots::boundary().to_svg();
    let doc = Document::parse(&svg).unwrap();
    let regions: Vec<Node> = elements(&doc, "path")
        .into_iter()
        .filter(|p| p.attribute("shape-rendering") == Some("crispEdges"))
        .collect();
    assert_eq!(regions.len(), 3, "one path per class");
    // The regions tile the plotting area: their areas add up to its
    // bounding box, which the axes frame.
    let mut area = 0.0;
    let (mut left, mut top, mut right, mut bottom) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in &regions {
        for (x, y, w, h) in rects(p.attribute("d").unwrap()) {
            area += w * h;
            left = left.min(x);
            top = top.min(y);
            right = right.max(x + w);
            bottom = bottom.max(y + h);
        }
    }
    assert_eq!(area, (right - left) * (bottom - top), "no gap, no overlap");
    assert!(right - left > 450.0 && bottom - top > 250.0);
    // Regions come before (under) everything but the background.
    let first = doc
        .root_element()
        .children()
        .filter(|n| n.is_element())
        .nth(1)
        .unwrap();
    assert!(first.has_tag_name("path"));
    // Tints of the three class colours.
    let fills: Vec<&str> = regions
        .iter()
        .map(|p| p.attribute("fill").unwrap())
        .collect();
    assert_eq!(fills, ["#CEE1EF", "#FFE3CA", "#D1EAD1"]);
    // 24 points with a white edge, a group of 8 per class; and the legend's
    // marks after them.
    let groups = elements(&doc, "g");
    let colours: Vec<&str> = groups
        .iter()
        .map(|g| g.attribute("fill").unwrap())
        .collect();
    assert_eq!(colours, ["#1F77B4", "#FF7F0E", "#2CA02C"]);
    for g in &groups {
        assert_eq!(g.attribute("stroke"), Some("#FFFFFF"));
        assert_eq!(g.children().filter(|n| n.has_tag_name("circle")).count(), 8);
    }
    let legend_marks: Vec<&str> = elements(&doc, "circle")
        .iter()
        .filter_map(|n| n.attribute("fill"))
        .collect();
    assert_eq!(legend_marks, ["#1F77B4", "#FF7F0E", "#2CA02C"]);
    let all = texts(&doc);
    for label in ["class 0", "class 1", "class 2"] {
        assert!(all.contains(&label.to_owned()));
    }
    assert!(all.contains(&"Decision boundary (accuracy 100%)".to_owned()));
}

#[test]
fn training_curves_are_two_panels() {
    let svg = plots::training_curves().to_svg();
    let doc = Document::parse(&svg).unwrap();
    let panels: Vec<Node> = elements(&doc, "g");
    assert_eq!(panels.len(), 2);
    assert_eq!(panels[0].attribute("transform"), Some("translate(0, 0)"));
    assert_eq!(panels[1].attribute("transform"), Some("translate(360, 0)"));
    for (panel, (title, label, colour)) in panels.iter().zip([
        ("Loss", "loss", "#1F77B4"),
        ("Accuracy", "accuracy", "#FF7F0E"),
    ]) {
        let text: Vec<&str> = panel
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        assert!(text.contains(&title) && text.contains(&label) && text.contains(&"epoch"));
        let curves: Vec<Node> = panel
            .descendants()
            .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke-width") == Some("2"))
            .collect();
        assert_eq!(curves.len(), 1, "{title}");
        assert_eq!(curves[0].attribute("stroke"), Some(colour));
    }
    assert_eq!(
        plots::training_curves().mime_bundle().text(),
        "<Figure 720x300: Loss | Accuracy>"
    );
}

#[test]
fn pictures_refuse_series() {
    let result = std::panic::catch_unwind(|| plots::network().line(&[0.0], &[1.0]));
    let message = *result.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("cannot add a line or points to a network diagram"),
        "{message}"
    );
}

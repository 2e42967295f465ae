//! A small SVG writer for the figures drawn without plotters' charts — image
//! grids, the confusion matrix, the network diagram — and for placing figures
//! side by side. It writes what plotters writes (white background, text in
//! the viewer's sans-serif font, the same sizes and colours), one element a
//! line, numbers with at most two decimals: the output reads like plotters'
//! and diffs well in golden files.

use std::fmt::Write as _;

/// Text and axes: near black (as [`draw`](super::draw)).
pub(crate) const INK: &str = "#333333";
/// Tick labels and secondary text.
pub(crate) const LABEL: &str = "#555555";
/// Lighter text (notes).
pub(crate) const MUTED: &str = "#777777";

/// Font sizes in px, as plotters writes them for [`draw`](super::draw)'s
/// sizes (the size asked for / 1.24).
pub(crate) const TITLE_PX: f64 = 21.0 / 1.24;
pub(crate) const AXIS_LABEL_PX: f64 = 15.5 / 1.24;
pub(crate) const TICK_PX: f64 = 14.0 / 1.24;

/// Where a text's anchor point is, horizontally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Middle,
    End,
}

/// Where a text's anchor point is, vertically (plotters' `dy` values, so
/// that text sits where plotters would put it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Baseline {
    Top,
    Center,
    Bottom,
}

/// A number for an attribute: whole numbers without decimals, others with
/// at most two (`12`, `7.5`, `0.33`).
pub(crate) fn num(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        let s = format!("{r:.2}");
        s.trim_end_matches('0').to_owned()
    }
}

/// `text` with `&`, `<`, `>` and `"` escaped for XML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// An SVG document being written.
pub(crate) struct Svg {
    out: String,
}

impl Svg {
    /// A `width` × `height` document on white.
    pub(crate) fn new(width: u32, height: u32) -> Svg {
        let mut out = String::with_capacity(4096);
        let _ = writeln!(
            out,
            "<svg width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">"
        );
        let _ = writeln!(
            out,
            "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\"/>"
        );
        Svg { out }
    }

    /// A filled rectangle; `stroke` is `Some((colour, width))` for an outline.
    pub(crate) fn rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: &str,
        stroke: Option<(&str, f64)>,
    ) {
        let stroke = match stroke {
            Some((c, sw)) => format!("stroke=\"{c}\" stroke-width=\"{}\"", num(sw)),
            None => "stroke=\"none\"".to_owned(),
        };
        let _ = writeln!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" {stroke}/>",
            num(x),
            num(y),
            num(w),
            num(h)
        );
    }

    /// A line segment.
    pub(crate) fn line(
        &mut self,
        (x1, y1): (f64, f64),
        (x2, y2): (f64, f64),
        stroke: &str,
        width: f64,
    ) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            num(width)
        );
    }

    /// A circle filled with `fill`, outlined with `stroke` (colour, width).
    pub(crate) fn circle(&mut self, (cx, cy): (f64, f64), r: f64, fill: &str, stroke: (&str, f64)) {
        let _ = writeln!(
            self.out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            num(cx),
            num(cy),
            num(r),
            stroke.0,
            num(stroke.1)
        );
    }

    /// A path of whole-pixel rectangles (`d` of `M x y h w v h h -w z`
    /// pieces) in one colour, drawn without anti-aliasing so that
    /// neighbouring pieces meet without a seam.
    pub(crate) fn pixels(&mut self, fill: &str, d: &str) {
        let _ = writeln!(
            self.out,
            "<path fill=\"{fill}\" shape-rendering=\"crispEdges\" d=\"{d}\"/>"
        );
    }

    /// Text at `(x, y)`, in `size` px, aligned as asked; `rotate` turns it
    /// by -90° (a vertical axis label).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text(
        &mut self,
        text: &str,
        (x, y): (f64, f64),
        size: f64,
        colour: &str,
        align: Align,
        baseline: Baseline,
        rotate: bool,
    ) {
        let anchor = match align {
            Align::Middle => "middle",
            Align::End => "end",
        };
        let dy = match baseline {
            Baseline::Top => "0.76em",
            Baseline::Center => "0.5ex",
            Baseline::Bottom => "-0.5ex",
        };
        let (x, y) = (num(x), num(y));
        let transform = if rotate {
            format!(" transform=\"rotate(270, {x}, {y})\"")
        } else {
            String::new()
        };
        let _ = writeln!(
            self.out,
            "<text x=\"{x}\" y=\"{y}\" dy=\"{dy}\" text-anchor=\"{anchor}\" font-family=\"sans-serif\" font-size=\"{}\" fill=\"{colour}\"{transform}>{}</text>",
            num(size),
            escape(text)
        );
    }

    /// The figure's title, centred at the top as plotters places a caption.
    pub(crate) fn title(&mut self, title: &str, width: u32) {
        if !title.is_empty() {
            self.text(
                title,
                (f64::from(width) / 2.0, 13.0),
                TITLE_PX,
                INK,
                Align::Middle,
                Baseline::Top,
                false,
            );
        }
    }

    /// Another figure's SVG document placed with its top-left corner at
    /// `(x, y)`: its elements in a translated group.
    pub(crate) fn place(&mut self, svg: &str, (x, y): (f64, f64)) {
        let _ = writeln!(
            self.out,
            "<g transform=\"translate({}, {})\">",
            num(x),
            num(y)
        );
        for line in svg.lines() {
            if line.starts_with("<svg") || line.starts_with("</svg") {
                continue;
            }
            self.out.push_str(line);
            self.out.push('\n');
        }
        self.out.push_str("</g>\n");
    }

    /// The document's text.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// Width of `text` in pixels at `size` px, estimated generously from
/// DejaVu Sans (the widest common sans-serif), so that text fits its room
/// in any viewer's font.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | '′' | '·' => 0.32,
            'f' | 't' | 'r' | ' ' | '(' | ')' | '[' | ']' | '-' | '/' => 0.42,
            'm' | 'w' | 'M' | 'W' | '%' => 0.92,
            c if c.is_uppercase() => 0.72,
            _ => 0.62,
        })
        .sum();
    ems * size
}

/// `#rrggbb` of an RGB triple.
pub(crate) fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// `colour` mixed with white: `amount` 0 is white, 1 the colour.
pub(crate) fn tint((r, g, b): (u8, u8, u8), amount: f64) -> (u8, u8, u8) {
    let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * amount).round() as u8;
    (mix(r), mix(g), mix(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(7.5), "7.5");
        assert_eq!(num(1.0 / 3.0), "0.33");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(2.999), "3");
    }

    #[test]
    fn documents_parse_and_text_is_escaped() {
        let mut svg = Svg::new(100, 50);
        svg.text(
            "a < b & \"c\"",
            (1.0, 2.0),
            12.0,
            INK,
            Align::Middle,
            Baseline::Top,
            false,
        );
        svg.rect(0.0, 0.0, 10.0, 10.0, "#000000", Some(("#CCCCCC", 1.0)));
        svg.pixels("#808080", "M0 0h2v2h-2z");
        let text = svg.finish();
        let doc = roxmltree::Document::parse(&text).unwrap();
        let t = doc.descendants().find(|n| n.has_tag_name("text")).unwrap();
        assert_eq!(t.text(), Some("a < b & \"c\""));
    }

    #[test]
    fn placed_figures_lose_their_svg_element() {
        let mut inner = Svg::new(10, 10);
        inner.circle((5.0, 5.0), 2.0, "#FFFFFF", ("#000000", 1.0));
        let mut outer = Svg::new(20, 10);
        outer.place(&inner.finish(), (10.0, 0.0));
        let text = outer.finish();
        assert_eq!(text.matches("<svg").count(), 1);
        roxmltree::Document::parse(&text).unwrap();
        assert!(text.contains("<g transform=\"translate(10, 0)\">\n<rect"));
    }

    #[test]
    fn tints_mix_with_white() {
        assert_eq!(tint((0, 0, 0), 0.0), (255, 255, 255));
        assert_eq!(tint((0x1f, 0x77, 0xb4), 1.0), (0x1f, 0x77, 0xb4));
        assert_eq!(hex((31, 119, 180)), "#1F77B4");
    }
}

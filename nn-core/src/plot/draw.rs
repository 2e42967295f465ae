//! Drawing a [`Figure`] to SVG with plotters. All plotters code is here, in
//! non-generic functions compiled once with nn-core: a notebook cell that
//! plots compiles none of it.
//!
//! Look: white background (legible in light and dark themes, in exported
//! HTML and on paper), matplotlib's `tab10` colours, a light grid, text in
//! the viewer's sans-serif font.

use super::figure::{Figure, Kind, Mark, Series};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// matplotlib's `tab10`: distinct, and legible on white.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
];

/// Text and axes: near black, softer than pure black.
const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Tick labels.
const LABEL: RGBColor = RGBColor(0x55, 0x55, 0x55);

const FONT: &str = "sans-serif";

/// plotters writes `font-size` as the given size / 1.24; these are the sizes
/// asked for, giving about 17, 12.5 and 11.5 px in the SVG.
const TITLE_SIZE: f64 = 21.0;
const AXIS_LABEL_SIZE: f64 = 15.5;
const TICK_SIZE: f64 = 14.0;

/// The colour of the `i`-th series.
fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The colour of the `i`-th series (or class) as an RGB triple.
pub(crate) fn palette(i: usize) -> (u8, u8, u8) {
    let c = colour(i);
    (c.0, c.1, c.2)
}

/// The figure as an SVG document.
pub(crate) fn svg(figure: &Figure) -> String {
    match &figure.kind {
        Kind::Chart => chart_svg(figure),
        Kind::Images(grid) => super::images::svg(figure, grid),
        Kind::Confusion(matrix) => super::confusion::svg(figure, matrix),
        Kind::Network(diagram) => super::network::svg(figure, diagram),
        Kind::Panels(panels) => super::panels::svg(figure, panels),
    }
}

/// A chart's plotting area in pixels: columns, rows (top to bottom).
type PixelArea = (Range<i32>, Range<i32>);

/// What a chart draws besides plotters' elements, and where.
#[derive(Default)]
struct Layers {
    /// SVG under everything but the background (a decision boundary's
    /// class regions).
    below: String,
    /// SVG above the series, under the legend (points with a white edge,
    /// written compactly: one group per colour).
    above: String,
    /// The plotting area in pixels and where the legend goes, once known.
    legend: Option<(PixelArea, SeriesLabelPosition)>,
}

/// A chart drawn by plotters, with the extra layers of [`Layers`], then
/// the legend on top.
fn chart_svg(figure: &Figure) -> String {
    let mut out = String::new();
    let mut layers = Layers::default();
    {
        let root =
            SVGBackend::with_string(&mut out, (figure.width, figure.height)).into_drawing_area();
        if let Err(e) = draw(figure, &root, &mut layers) {
            // Only drawing errors of the backend (none for a String) or of
            // impossible layouts (a tiny size); show them in the picture.
            layers = Layers::default();
            let _ = root.fill(&WHITE);
            let _ = root.draw(&Text::new(
                format!("plot error: {e}"),
                (10, 20),
                (FONT, 14.0).into_font(),
            ));
        }
        let _ = root.present();
    }
    let mut legend = String::new();
    if let Some((area, corner)) = layers.legend.take() {
        let root =
            SVGBackend::with_string(&mut legend, (figure.width, figure.height)).into_drawing_area();
        let _ = draw_legend(&root, figure, area, corner);
        let _ = root.present();
    }
    let out = tidy_text(&out);
    let legend = tidy_text(&legend);
    // [`<svg>`, background, …, `</svg>`]: the regions after the background,
    // the points and the legend (without its own `<svg>`) before the end.
    let lines: Vec<&str> = out.lines().collect();
    let legend_lines: Vec<&str> = legend.lines().collect();
    let (head, body, tail) = match lines.as_slice() {
        [head @ .., last] if head.len() >= 2 => (&head[..2], &head[2..], *last),
        _ => return out,
    };
    let mut svg =
        String::with_capacity(out.len() + layers.below.len() + layers.above.len() + legend.len());
    for line in head {
        svg.push_str(line);
        svg.push('\n');
    }
    svg.push_str(&layers.below);
    for line in body {
        svg.push_str(line);
        svg.push('\n');
    }
    svg.push_str(&layers.above);
    for line in legend_lines
        .iter()
        .skip(1)
        .take(legend_lines.len().saturating_sub(2))
    {
        svg.push_str(line);
        svg.push('\n');
    }
    svg.push_str(tail);
    svg.push('\n');
    svg
}

/// plotters puts a `<text>` element's content on a line of its own; this
/// joins it (`<text …>ReLU</text>`), so that the text is exactly the label
/// for whoever reads the SVG (tests, screen readers, `grep`).
fn tidy_text(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut lines = svg.lines();
    while let Some(line) = lines.next() {
        out.push_str(line);
        if line.starts_with("<text") && line.ends_with('>') {
            let mut content = Vec::new();
            for next in lines.by_ref() {
                if next == "</text>" {
                    break;
                }
                content.push(next);
            }
            out.push_str(&content.join(" "));
            out.push_str("</text>");
        }
        out.push('\n');
    }
    out
}

/// `lo..hi` covering `values` (finite ones), with 5 % margins as matplotlib;
/// a constant gets ±0.5 (or ±5 % of its size).
fn fit_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    if lo == hi {
        let pad = if lo == 0.0 { 0.5 } else { lo.abs() * 0.05 };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

/// A tick label: as short as the tick spacing allows (`-4`, `0.5`, `1e-05`).
fn tick(v: f64, step: f64) -> String {
    if v == 0.0 || v.abs() < step * 1e-9 {
        return "0".to_owned();
    }
    if v.abs() >= 1e5 || v.abs() < 1e-4 {
        let s = format!("{v:.2e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = m.trim_end_matches('0').trim_end_matches('.');
        return format!("{m}e{e}");
    }
    let decimals = if step > 0.0 {
        (-step.log10().floor()).clamp(0.0, 8.0) as usize
    } else {
        2
    };
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// The spacing plotters chooses for about `n` ticks over `range` (1, 2 or 5
/// times a power of ten).
fn tick_step((lo, hi): (f64, f64), n: usize) -> f64 {
    let raw = (hi - lo).abs() / n.max(1) as f64;
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power)
}

/// Where the legend covers the fewest points: the corner whose quarter of
/// the chart holds the fewest.
fn legend_corner(series: &[Series], x: (f64, f64), y: (f64, f64)) -> SeriesLabelPosition {
    let corners = [
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let share = 0.4;
    let count = |right: bool, upper: bool| {
        series
            .iter()
            .flat_map(|s| &s.points)
            .filter(|&&(px, py)| {
                let fx = (px - x.0) / (x.1 - x.0);
                let fy = (py - y.0) / (y.1 - y.0);
                let in_x = if right {
                    fx >= 1.0 - share
                } else {
                    fx <= share
                };
                let in_y = if upper {
                    fy >= 1.0 - share
                } else {
                    fy <= share
                };
                in_x && in_y
            })
            .count()
    };
    corners
        .into_iter()
        .min_by_key(|&(_, right, upper)| count(right, upper))
        .map(|(corner, _, _)| corner)
        .unwrap_or(SeriesLabelPosition::UpperLeft)
}

fn finite(points: &[(f64, f64)]) -> impl Iterator<Item = (f64, f64)> + Clone + '_ {
    points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
}

/// Drops the points of a line that change it by less than a quarter of a
/// pixel (Ramer–Douglas–Peucker; `scale` is data units per pixel on each
/// axis). SVG coordinates are whole pixels, and many points a pixel apart
/// round into a visible zigzag; a loss curve of 10 000 steps also becomes a
/// few hundred points.
fn simplify(points: &[(f64, f64)], scale: (f64, f64)) -> Vec<(f64, f64)> {
    let pts: Vec<(f64, f64)> = finite(points).collect();
    if pts.len() < 3 || !(scale.0 > 0.0 && scale.1 > 0.0) {
        return pts;
    }
    let px = |p: (f64, f64)| (p.0 / scale.0, p.1 / scale.1);
    let mut keep = vec![false; pts.len()];
    keep[0] = true;
    keep[pts.len() - 1] = true;
    let mut stack = vec![(0, pts.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let (pa, pb) = (px(pts[a]), px(pts[b]));
        let (dx, dy) = (pb.0 - pa.0, pb.1 - pa.1);
        let len = dx.hypot(dy);
        let mut farthest = (0.0, a);
        for (k, &p) in pts.iter().enumerate().take(b).skip(a + 1) {
            let q = px(p);
            let d = if len == 0.0 {
                (q.0 - pa.0).hypot(q.1 - pa.1)
            } else {
                ((q.0 - pa.0) * dy - (q.1 - pa.1) * dx).abs() / len
            };
            if d > farthest.0 {
                farthest = (d, k);
            }
        }
        if farthest.0 > 0.25 {
            keep[farthest.1] = true;
            stack.push((a, farthest.1));
            stack.push((farthest.1, b));
        }
    }
    pts.into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| p)
        .collect()
}

type DrawResult =
    Result<(), DrawingAreaErrorKind<<SVGBackend<'static> as DrawingBackend>::ErrorType>>;

/// Draws the chart on `root`, and its extra layers to `layers`.
fn draw(
    figure: &Figure,
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    layers: &mut Layers,
) -> DrawResult {
    root.fill(&WHITE)?;
    let points = || figure.series.iter().flat_map(|s| finite(&s.points));
    let x = figure
        .x_range
        .unwrap_or_else(|| fit_range(points().map(|p| p.0)));
    let y = figure
        .y_range
        .unwrap_or_else(|| fit_range(points().map(|p| p.1)));

    let mut builder = ChartBuilder::on(root);
    builder
        .margin_top(if figure.title.is_empty() { 16 } else { 8 })
        .margin_bottom(8)
        .margin_left(12)
        .margin_right(24)
        .x_label_area_size(if figure.x_label.is_empty() { 30 } else { 50 })
        .y_label_area_size(if figure.y_label.is_empty() { 48 } else { 66 });
    if !figure.title.is_empty() {
        builder.caption(&figure.title, (FONT, TITLE_SIZE).into_font().color(&INK));
    }
    let mut chart = builder.build_cartesian_2d(x.0..x.1, y.0..y.1)?;

    let (x_step, y_step) = (tick_step(x, 10), tick_step(y, 8));
    let x_fmt = move |v: &f64| tick(*v, x_step);
    let y_fmt = move |v: &f64| tick(*v, y_step);
    chart
        .configure_mesh()
        .x_labels(10)
        .y_labels(8)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(figure.x_label.as_str())
        .y_desc(figure.y_label.as_str())
        .axis_desc_style((FONT, AXIS_LABEL_SIZE).into_font().color(&INK))
        .label_style((FONT, TICK_SIZE).into_font().color(&LABEL))
        .axis_style(RGBColor(0x99, 0x99, 0x99))
        .bold_line_style(RGBColor(0xe6, 0xe6, 0xe6))
        .light_line_style(TRANSPARENT)
        .draw()?;

    if figure.zero_lines {
        let axis = RGBColor(0x88, 0x88, 0x88).stroke_width(1);
        if x.0 < 0.0 && x.1 > 0.0 {
            chart.draw_series(LineSeries::new([(0.0, y.0), (0.0, y.1)], axis))?;
        }
        if y.0 < 0.0 && y.1 > 0.0 {
            chart.draw_series(LineSeries::new([(x.0, 0.0), (x.1, 0.0)], axis))?;
        }
    }

    let (px, py) = chart.plotting_area().get_pixel_range();
    if let Some(regions) = &figure.regions {
        layers.below = super::boundary::region_svg(regions, (x, y), (px.clone(), py.clone()));
    }
    // Data units per pixel, to simplify lines in pixel space.
    let scale = (
        (x.1 - x.0) / f64::from((px.end - px.start).max(1)),
        (y.1 - y.0) / f64::from((py.end - py.start).max(1)),
    );
    for (i, series) in figure.series.iter().enumerate() {
        let c = colour(i + figure.colour_offset);
        let line = c.stroke_width(2);
        match series.mark {
            Mark::Line => {
                chart.draw_series(LineSeries::new(simplify(&series.points, scale), line))?
            }
            Mark::Dashed => chart.draw_series(DashedLineSeries::new(
                simplify(&series.points, scale),
                7,
                4,
                line,
            ))?,
            Mark::Points => chart.draw_series(
                finite(&series.points).map(|p| Circle::new(p, 3, c.mix(0.8).filled())),
            )?,
            Mark::Edged => {
                edged_points(&mut layers.above, series, c, (x, y), (&px, &py));
                continue;
            }
        };
    }
    layers.legend = Some(((px, py), legend_corner(&figure.series, x, y)));
    Ok(())
}

/// Points as discs of `colour` with a white edge, legible on coloured
/// regions: one group a series, a `<circle>` a point (about 40 bytes each,
/// a third of plotters' two discs, which matters for a picture redrawn while
/// training).
fn edged_points(
    out: &mut String,
    series: &Series,
    colour: RGBColor,
    (x, y): ((f64, f64), (f64, f64)),
    (px, py): (&Range<i32>, &Range<i32>),
) {
    use std::fmt::Write as _;
    // plotters' mapping: the range onto pixels start..=end-1, y upwards.
    let to_px = |(vx, vy): (f64, f64)| {
        (
            f64::from(px.start) + (vx - x.0) / (x.1 - x.0) * f64::from(px.end - 1 - px.start),
            f64::from(py.end - 1) - (vy - y.0) / (y.1 - y.0) * f64::from(py.end - 1 - py.start),
        )
    };
    let _ = writeln!(
        out,
        "<g fill=\"#{:02X}{:02X}{:02X}\" stroke=\"#FFFFFF\" stroke-width=\"1\">",
        colour.0, colour.1, colour.2
    );
    for p in finite(&series.points) {
        let (cx, cy) = to_px(p);
        let _ = writeln!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\"/>",
            super::svg::num(cx),
            super::svg::num(cy)
        );
    }
    out.push_str("</g>\n");
}

/// Width of `text` in pixels at `size` px, estimated generously from
/// DejaVu Sans (the widest common sans-serif), so text fits its box in any
/// viewer's font. plotters' own estimate (0.7 em per byte) is far wider.
fn text_width(text: &str, size: f64) -> i32 {
    let ems: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | '′' | '·' => 0.32,
            'f' | 't' | 'r' | ' ' | '(' | ')' | '[' | ']' | '-' => 0.42,
            'm' | 'w' | 'M' | 'W' => 0.92,
            c if c.is_uppercase() => 0.72,
            _ => 0.62,
        })
        .sum();
    (ems * size).ceil() as i32
}

/// The legend, in `corner` of the plotting area: a white box listing the
/// named series, each with its mark.
fn draw_legend(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    figure: &Figure,
    (px, py): (std::ops::Range<i32>, std::ops::Range<i32>),
    corner: SeriesLabelPosition,
) -> DrawResult {
    let named: Vec<(usize, &Series)> = figure
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.label.is_empty())
        .collect();
    if named.is_empty() {
        return Ok(());
    }
    let font_px = TICK_SIZE / 1.24;
    let (row, pad, mark_w, gap) = (20, 8, 22, 8);
    let text_w = named
        .iter()
        .map(|(_, s)| text_width(&s.label, font_px))
        .max()
        .unwrap_or(0);
    let (w, h) = (
        pad + mark_w + gap + text_w + pad,
        pad + row * named.len() as i32 + pad - 4,
    );
    let margin = 10;
    let left = match corner {
        SeriesLabelPosition::UpperLeft | SeriesLabelPosition::LowerLeft => px.start + margin,
        _ => px.end - margin - w,
    };
    let top = match corner {
        SeriesLabelPosition::UpperLeft | SeriesLabelPosition::UpperRight => py.start + margin,
        _ => py.end - margin - h,
    };
    root.draw(&Rectangle::new(
        [(left, top), (left + w, top + h)],
        WHITE.mix(0.9).filled(),
    ))?;
    root.draw(&Rectangle::new(
        [(left, top), (left + w, top + h)],
        RGBColor(0xcc, 0xcc, 0xcc).stroke_width(1),
    ))?;
    let style = (FONT, TICK_SIZE)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (k, (i, series)) in named.into_iter().enumerate() {
        let c = colour(i + figure.colour_offset);
        let y = top + pad + row * k as i32 + row / 2 - 2;
        let x = left + pad;
        match series.mark {
            Mark::Line => root.draw(&PathElement::new(
                vec![(x, y), (x + mark_w, y)],
                c.stroke_width(2),
            ))?,
            Mark::Dashed => {
                root.draw(&PathElement::new(
                    vec![(x, y), (x + 8, y)],
                    c.stroke_width(2),
                ))?;
                root.draw(&PathElement::new(
                    vec![(x + 13, y), (x + mark_w, y)],
                    c.stroke_width(2),
                ))?;
            }
            Mark::Points | Mark::Edged => {
                root.draw(&Circle::new((x + mark_w / 2, y), 3, c.filled()))?
            }
        }
        root.draw(&Text::new(
            series.label.clone(),
            (x + mark_w + gap, y),
            style.clone(),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_content_is_joined() {
        let svg = "<svg>\n<text x=\"1\">\nReLU\n</text>\n<line/>\n</svg>\n";
        assert_eq!(
            tidy_text(svg),
            "<svg>\n<text x=\"1\">ReLU</text>\n<line/>\n</svg>\n"
        );
    }

    #[test]
    fn simplify_keeps_shape_and_drops_collinear_points() {
        let line: Vec<(f64, f64)> = (0..=100).map(|i| (i as f64, 2.0 * i as f64)).collect();
        assert_eq!(simplify(&line, (1.0, 1.0)), [(0.0, 0.0), (100.0, 200.0)]);
        let corner = [(-1.0, 0.0), (-0.5, 0.0), (0.0, 0.0), (0.5, 0.5), (1.0, 1.0)];
        assert_eq!(
            simplify(&corner, (0.01, 0.01)),
            [(-1.0, 0.0), (0.0, 0.0), (1.0, 1.0)]
        );
        let with_nan = [(0.0, 0.0), (1.0, f64::NAN), (2.0, 1.0)];
        assert_eq!(simplify(&with_nan, (1.0, 1.0)), [(0.0, 0.0), (2.0, 1.0)]);
    }

    #[test]
    fn ranges_fit_the_data_with_margins() {
        assert_eq!(fit_range([0.0, 10.0].into_iter()), (-0.5, 10.5));
        assert_eq!(fit_range([2.0, 2.0].into_iter()), (1.9, 2.1));
        assert_eq!(fit_range([0.0].into_iter()), (-0.5, 0.5));
        assert_eq!(
            fit_range([f64::NAN, 1.0, f64::INFINITY, 3.0].into_iter()),
            (0.9, 3.1)
        );
        assert_eq!(fit_range(std::iter::empty()), (0.0, 1.0));
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick(-4.0, 1.0), "-4");
        assert_eq!(tick(0.5, 0.1), "0.5");
        assert_eq!(tick(0.25, 0.05), "0.25");
        assert_eq!(tick(5.551115123125783e-17, 0.1), "0");
        assert_eq!(tick(200_000.0, 100_000.0), "2e5");
        assert_eq!(tick(0.00002, 0.00001), "2e-5");
        assert_eq!(tick_step((0.0, 10.0), 10), 1.0);
        assert_eq!(tick_step((-5.5, 5.5), 10), 2.0);
        assert_eq!(tick_step((0.0, 0.3), 8), 0.05);
    }
}

//! A grid of grayscale images from a tensor — digits, a convolution's
//! filters, feature maps — as torchvision's `make_grid` then `imshow` with a
//! gray colour map: each image's pixels as little squares, optional titles
//! above them.
//!
//! Pixels are SVG rectangles (merged along rows, one path per gray level),
//! drawn without anti-aliasing: sharp at any zoom and in every viewer, and
//! the same in the PNG of the feature `png`.

use super::colour_map::{self, ColourMap};
use super::figure::{Figure, Kind};
use super::svg::{self, Align, Baseline, INK, LABEL, MUTED, Svg, TICK_PX};
use crate::tensor::Tensor;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// At most this many images are drawn; a note under the grid says how many
/// there are (as a tensor's print summarizes a large one).
pub(crate) const MAX_IMAGES: usize = 100;
/// Space between images, in px.
const GAP: f64 = 6.0;
/// Space around the grid, in px.
const MARGIN: f64 = 12.0;
/// An image is drawn at most this wide or tall (a single 8×8 digit is not
/// blown up to the whole figure), in px.
const MAX_SIDE: f64 = 160.0;
/// The tallest an image grid is made (before [`Figure::size`]): many rows
/// of large images get smaller pixels rather than a page-long figure, px.
const MAX_HEIGHT: f64 = 560.0;
/// Height of a line of an image's title, in px.
const TITLE_LINE: f64 = 14.0;
/// Height of the colour bar under a diverging grid, with its labels, px.
const BAR_BAND: f64 = 34.0;
/// Width (at most) and height of the colour bar, px.
const BAR: (f64, f64) = (240.0, 10.0);
/// The frame of an image on a diverging map.
const FRAME: &str = "#BBBBBB";
/// Pieces of the colour bar.
const BAR_STEPS: usize = 51;

/// The images of [`images`], kept as values so that the scaling can be
/// chosen after ([`Figure::scale_each`]).
#[derive(Clone, Debug)]
pub(crate) struct ImageGrid {
    /// Height and width of every image, in pixels.
    pub h: usize,
    pub w: usize,
    /// The drawn images' values, `h * w` each, row-major.
    pub images: Vec<Vec<f64>>,
    /// How many images the tensor holds (more than drawn when over
    /// [`MAX_IMAGES`]).
    pub total: usize,
    pub columns: usize,
    pub titles: Vec<String>,
    pub scale_each: bool,
    /// Grays, or blue-white-red centred on 0 (with a colour bar).
    pub colours: ColourMap,
}

/// A grid of grayscale images from a tensor, with an optional title above
/// each: `plot::images(&x.view([-1, 8, 8]), &plot::titles(&y))`.
///
/// What the shape of `x` means:
///
/// | shape | drawn as |
/// |---|---|
/// | `[H, W]` | one image |
/// | `[N, H, W]` | `N` images (a batch of digits, or the `C` channels of one feature map `[C, H, W]`) |
/// | `[N, 1, H, W]` | `N` one-channel images (a batch as a `DataLoader` gives it, or a `Conv2d` weight with one input channel) |
/// | `[A, B, H, W]`, `B > 1` | `A` rows of `B` images: a `Conv2d` weight `[C_out, C_in, kH, kW]` as one row per filter, one column per input channel, or `B` channels of `A` feature maps |
///
/// **Scaling.** As torchvision's `make_grid(x, normalize=True)`: the
/// smallest value of the whole tensor is black and the largest white, so a
/// gray means the same value in every image (the 8×8 digits, 0 to 16, are
/// black to white). [`Figure::scale_each`] scales each image to its own
/// smallest and largest value instead (`scale_each=True`), to see the
/// pattern of each filter whatever its size. A constant image (or tensor)
/// is black, as in torchvision; NaN pixels are red.
///
/// **Layout.** Up to 10 images make one row; more are put in rows of 6 to
/// 12 (the count that leaves the last row fullest: 64 images are 8 × 8),
/// or as many as [`Figure::columns`] says. Each image pixel is a square of
/// a whole number of screen pixels, as large as fits (at most 160 px an
/// image). At most the first 100 images are drawn, with a note saying how
/// many there are.
///
/// **Titles.** `titles` is empty (no titles) or one string per image, in
/// order; a `\n` starts a second line. [`titles`] makes them from a tensor
/// of labels; for misclassified digits, write them:
/// `format!("pred {p}\ntrue {t}")`.
///
/// # Panics
/// If `x` has fewer than 2 or more than 4 dimensions, or has no values, or
/// `titles` is neither empty nor one per image.
///
/// ```
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// let x = Tensor::rand([10, 64]) * 16.0; // ten 8×8 "digits", one a row
/// let y = Tensor::arange(10);             // their labels
/// let fig = plot::images(&x.view([-1, 8, 8]), &plot::titles(&y));
/// let svg = fig.to_svg();
/// assert!(svg.contains(">0</text>") && svg.contains(">9</text>"));
///
/// // Misclassified digits: a two-line title each.
/// let (pred, target) = (vec![3, 7], vec![5, 1]);
/// let titles: Vec<String> = pred.iter().zip(&target)
///     .map(|(p, t)| format!("pred {p}\ntrue {t}"))
///     .collect();
/// let fig = plot::images(&x.i(0..2).view([-1, 8, 8]), &titles);
/// assert!(fig.to_svg().contains(">true 5</text>"));
/// ```
#[track_caller]
pub fn images(x: &Tensor, titles: &[String]) -> Figure {
    let shape = x.shape().to_vec();
    let (count, columns, h, w) = match shape.as_slice() {
        &[h, w] => (1, 1, h, w),
        &[n, h, w] | &[n, 1, h, w] => (n, default_columns(n.min(MAX_IMAGES)), h, w),
        &[a, b, h, w] => (a * b, b, h, w),
        _ => panic!(
            "plot::images: expected a tensor of 2 to 4 dimensions ([H, W], [N, H, W], [N, C, H, W]), got shape {shape:?}"
        ),
    };
    let layout = Layout {
        count,
        columns,
        h,
        w,
        max_images: MAX_IMAGES,
    };
    grid_figure(x, titles, "plot::images", layout, ColourMap::Gray, "")
}

/// How the images of a tensor are laid out: `count` images of `h` × `w`,
/// `columns` a row, at most `max_images` of them drawn (whole rows).
pub(crate) struct Layout {
    pub count: usize,
    pub columns: usize,
    pub h: usize,
    pub w: usize,
    pub max_images: usize,
}

/// The image grid of the values of `x` (read in order, `h × w` an image),
/// for `plot::images` and the pictures built on it; `caller` names the
/// function in messages, `title` is the figure's (the size is fitted to it).
#[track_caller]
pub(crate) fn grid_figure(
    x: &Tensor,
    titles: &[String],
    caller: &str,
    layout: Layout,
    colours: ColourMap,
    title: &str,
) -> Figure {
    let Layout {
        count,
        columns,
        h,
        w,
        max_images,
    } = layout;
    let shape = x.shape().to_vec();
    assert!(
        count > 0 && h > 0 && w > 0,
        "{caller}: the tensor has no values (shape {shape:?})"
    );
    assert!(
        titles.is_empty() || titles.len() == count,
        "{caller}: {} titles for {count} images (give one per image, or none)",
        titles.len()
    );
    // Whole rows of a [A, B, H, W] grid.
    let drawn = if count <= max_images {
        count
    } else {
        (max_images / columns).max(1) * columns
    }
    .min(count);
    // Detached: a layer's weight is a parameter, and reading it for a
    // picture records nothing.
    let values = x.detach().reshape([-1]).to_vec::<f64>();
    let size = h * w;
    let grid = ImageGrid {
        h,
        w,
        images: values[..drawn * size]
            .chunks(size)
            .map(<[f64]>::to_vec)
            .collect(),
        total: count,
        columns: columns.min(drawn),
        titles: titles.iter().take(drawn).cloned().collect(),
        scale_each: false,
        colours,
    };
    let mut figure = Figure {
        kind: Kind::Images(grid),
        title: title.to_owned(),
        ..Figure::new()
    };
    figure.width = 640;
    figure.fit_images();
    figure
}

/// One title per value of `labels` (an int64 tensor of classes, or any
/// tensor): `3`, or `0.5` for a fraction, for [`images`].
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(plot::titles(&tensor![3, 1, 4]), ["3", "1", "4"]);
/// assert_eq!(plot::titles(&tensor![0.5, 2.0]), ["0.5", "2"]);
/// ```
pub fn titles(labels: &Tensor) -> Vec<String> {
    labels
        .to_vec::<f64>()
        .into_iter()
        .map(|v| {
            if v.fract() == 0.0 && v.abs() < 1e15 {
                format!("{}", v as i64)
            } else {
                format!("{v}")
            }
        })
        .collect()
}

/// Columns for `n` images: one row up to 10, else the count of 6 to 12
/// that leaves the last row fullest (10 first, then 8, on a tie).
pub(crate) fn default_columns(n: usize) -> usize {
    if n <= 10 {
        return n.max(1);
    }
    [10, 8, 12, 9, 6, 7, 11]
        .into_iter()
        .min_by_key(|&c| (c - n % c) % c)
        .unwrap_or(10)
}

impl ImageGrid {
    fn rows(&self) -> usize {
        self.images.len().div_ceil(self.columns)
    }

    /// Lines of the longest title (0 without titles).
    fn title_lines(&self) -> usize {
        self.titles
            .iter()
            .map(|t| t.split('\n').count())
            .max()
            .unwrap_or(0)
    }

    fn title_width(&self) -> f64 {
        self.titles
            .iter()
            .flat_map(|t| t.split('\n'))
            .map(|line| svg::text_width(line, TICK_PX))
            .fold(0.0, f64::max)
    }

    fn title_band(&self) -> f64 {
        match self.title_lines() {
            0 => 0.0,
            n => n as f64 * TITLE_LINE + 2.0,
        }
    }

    fn note(&self) -> Option<String> {
        (self.images.len() < self.total)
            .then(|| format!("the first {} of {} images", self.images.len(), self.total))
    }

    /// Space above the grid (for the figure's title) and below it (for the
    /// note, and the colour bar of a diverging map), in px.
    fn top_bottom(&self, titled: bool) -> (f64, f64) {
        let note = if self.note().is_some() { 18.0 } else { 0.0 };
        let bar = match self.colours {
            ColourMap::Gray => 0.0,
            ColourMap::Diverging => BAR_BAND,
        };
        (if titled { 42.0 } else { MARGIN }, MARGIN + note + bar)
    }

    /// The width of a column: the image or its widest title.
    fn cell_width(&self, scale: f64) -> f64 {
        (self.w as f64 * scale).max(self.title_width())
    }

    /// The largest pixel size that fits `width` × `height` (a whole number
    /// of px when at least 1), at most [`MAX_SIDE`] an image.
    fn scale(&self, width: f64, height: Option<f64>, titled: bool) -> f64 {
        let cols = self.columns as f64;
        let rows = self.rows() as f64;
        let side = self.h.max(self.w) as f64;
        // Width: cols × max(w × s, title) + gaps.
        let room_w = (width - 2.0 * MARGIN - (cols - 1.0) * GAP) / cols;
        let mut s = (room_w / self.w as f64).min(MAX_SIDE / side);
        if let Some(height) = height {
            let (top, bottom) = self.top_bottom(titled);
            let room_h = (height - top - bottom - (rows - 1.0) * GAP) / rows - self.title_band();
            s = s.min(room_h / self.h as f64);
        }
        if s >= 1.0 { s.floor() } else { s.max(0.05) }
    }

    /// The size of the grid (without margins) at pixel size `s`.
    fn grid_size(&self, s: f64) -> (f64, f64) {
        let (cols, rows) = (self.columns as f64, self.rows() as f64);
        (
            cols * self.cell_width(s) + (cols - 1.0) * GAP,
            rows * (self.title_band() + self.h as f64 * s) + (rows - 1.0) * GAP,
        )
    }
}

impl Figure {
    /// For [`plot::images`](super::images): the number of images per row
    /// (the last row may be shorter). The figure's height is fitted again.
    ///
    /// # Panics
    /// If the figure is not an image grid.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::rand([12, 8, 8]);
    /// // 12 images in one row by default; 3 rows of 4 here.
    /// assert_eq!(plot::images(&x, &[]).mime_bundle().text(), "<Figure 570x64>");
    /// assert_eq!(plot::images(&x, &[]).columns(4).mime_bundle().text(), "<Figure 618x468>");
    /// ```
    #[track_caller]
    pub fn columns(mut self, columns: usize) -> Figure {
        match &mut self.kind {
            Kind::Images(grid) => grid.columns = columns.clamp(1, grid.images.len()),
            other => panic!("plot: columns(…) is for plot::images, not {}", other.name()),
        }
        self.fit_images();
        self
    }

    /// For [`plot::images`](super::images): scales each image to its own
    /// smallest (black) and largest (white) value — torchvision's
    /// `scale_each=True` — rather than the whole tensor's. On the
    /// blue-white-red grids of [`plot::filters`](super::filters) and
    /// [`plot::feature_maps`](super::feature_maps), each image's largest
    /// absolute value gets the darkest colour.
    ///
    /// # Panics
    /// If the figure is not an image grid.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// // A faint image next to a strong one: both get the full gray range.
    /// let x = Tensor::stack(&[Tensor::rand([4, 4]) * 0.01, Tensor::rand([4, 4])], 0);
    /// let grays = |fig: Figure| {
    ///     let svg = fig.to_svg();
    ///     svg.lines().filter(|l| l.starts_with("<path fill=")).count()
    /// };
    /// // Scaled together, the faint image is all but black: few grays.
    /// assert!(grays(plot::images(&x, &[]).scale_each(true)) > grays(plot::images(&x, &[])) + 5);
    /// ```
    #[track_caller]
    pub fn scale_each(mut self, on: bool) -> Figure {
        match &mut self.kind {
            Kind::Images(grid) => grid.scale_each = on,
            other => panic!(
                "plot: scale_each(…) is for plot::images, not {}",
                other.name()
            ),
        }
        self
    }

    /// Sets an image grid's size to what it needs at the width it has (at
    /// most its width: a few small images get a narrower figure).
    fn fit_images(&mut self) {
        let titled = !self.title.is_empty();
        if let Kind::Images(grid) = &self.kind {
            let s = grid.scale(640.0, Some(MAX_HEIGHT), titled);
            let (gw, gh) = grid.grid_size(s);
            let (top, bottom) = grid.top_bottom(titled);
            let title_w = svg::text_width(&self.title, super::svg::TITLE_PX) + 2.0 * MARGIN;
            self.width = (gw + 2.0 * MARGIN).max(title_w).max(160.0).ceil() as u32;
            self.height = (gh + top + bottom).ceil() as u32;
        }
    }
}

#[cfg(test)]
fn gray(v: f64, range: (f64, f64)) -> Option<u8> {
    ColourMap::Gray.level(v, range)
}

/// The smallest and largest finite value (`(0, 0)` for none).
fn min_max<'a>(values: impl Iterator<Item = &'a f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi { (0.0, 0.0) } else { (lo, hi) }
}

/// The path of one gray: its pieces, and the image they were last added
/// for.
#[derive(Default)]
struct Pieces {
    text: String,
    last_image: Option<usize>,
}

/// The image grid as an SVG document.
pub(crate) fn svg(figure: &Figure, grid: &ImageGrid) -> String {
    let titled = !figure.title.is_empty();
    let (width, height) = (f64::from(figure.width), f64::from(figure.height));
    let s = grid.scale(width, Some(height), titled);
    let (gw, _) = grid.grid_size(s);
    let (top, _) = grid.top_bottom(titled);
    let left = ((width - gw) / 2.0).max(0.0).round();
    let (iw, ih) = (grid.w as f64 * s, grid.h as f64 * s);
    let cell_w = grid.cell_width(s);
    let band = grid.title_band();

    let mut out = Svg::new(figure.width, figure.height);
    out.title(&figure.title, figure.width);
    let colours = grid.colours;
    let global = colours.range(min_max(grid.images.iter().flatten()));
    // Pixels of every image by colour, drawn after the backgrounds.
    let mut pixels: BTreeMap<String, Pieces> = BTreeMap::new();
    // Where the images are: a diverging map's white (0) would merge with
    // the page, so its images get a thin frame.
    let mut frames = Vec::new();
    for (k, image) in grid.images.iter().enumerate() {
        let (row, col) = (k / grid.columns, k % grid.columns);
        let cell_x = left + col as f64 * (cell_w + GAP);
        let x0 = (cell_x + (cell_w - iw) / 2.0).round();
        let y0 = top + row as f64 * (band + ih + GAP) + band;
        frames.push((x0, y0));
        if let Some(title) = grid.titles.get(k) {
            let lines: Vec<&str> = title.split('\n').collect();
            for (i, line) in lines.iter().enumerate() {
                let from_bottom = (lines.len() - i) as f64;
                out.text(
                    line,
                    (x0 + iw / 2.0, y0 - 3.0 - (from_bottom - 0.5) * TITLE_LINE),
                    TICK_PX,
                    INK,
                    Align::Middle,
                    Baseline::Center,
                    false,
                );
            }
        }
        let range = if grid.scale_each {
            colours.range(min_max(image.iter()))
        } else {
            global
        };
        let levels: Vec<Option<u8>> = image.iter().map(|&v| colours.level(v, range)).collect();
        // The commonest gray is the image's background: one rectangle.
        let mut counts = [0usize; 256];
        for g in levels.iter().flatten() {
            counts[usize::from(*g)] += 1;
        }
        let background = (0..256).max_by_key(|&g| (counts[g], 255 - g)).unwrap_or(0) as u8;
        out.pixels(
            &colours.hex(background),
            &format!(
                "M{} {}h{}v{}h-{}z",
                svg::num(x0),
                svg::num(y0),
                svg::num(iw),
                svg::num(ih),
                svg::num(iw)
            ),
        );
        for r in 0..grid.h {
            let row_levels = &levels[r * grid.w..(r + 1) * grid.w];
            let mut start = 0;
            for c in 1..=grid.w {
                if c < grid.w && row_levels[c] == row_levels[start] {
                    continue;
                }
                let level = row_levels[start];
                if level != Some(background) {
                    let fill = level.map_or_else(|| colours.nan().to_owned(), |l| colours.hex(l));
                    let (px, py) = (x0 + start as f64 * s, y0 + r as f64 * s);
                    let run = (c - start) as f64 * s;
                    let d = pixels.entry(fill).or_default();
                    // Each image's pieces on a line of their own (in
                    // the attribute: whitespace to SVG), for readable diffs.
                    if d.last_image != Some(k) {
                        if d.last_image.is_some() {
                            d.text.push('\n');
                        }
                        d.last_image = Some(k);
                    }
                    let _ = write!(
                        d.text,
                        "M{} {}h{}v{}h-{}z",
                        svg::num(px),
                        svg::num(py),
                        svg::num(run),
                        svg::num(s),
                        svg::num(run)
                    );
                }
                start = c;
            }
        }
    }
    for (fill, d) in &pixels {
        out.pixels(fill, &d.text);
    }
    if colours == ColourMap::Diverging {
        for (x0, y0) in frames {
            out.rect(
                x0 - 0.5,
                y0 - 0.5,
                iw + 1.0,
                ih + 1.0,
                "none",
                Some((FRAME, 1.0)),
            );
        }
        let note = if grid.note().is_some() { 18.0 } else { 0.0 };
        let y = height - MARGIN - note - BAR_BAND + 6.0;
        let range = (!grid.scale_each).then_some(global);
        let bar_width = BAR.0.min(width - 2.0 * MARGIN - 40.0).max(40.0);
        colour_bar(&mut out, colours, range, (width / 2.0, y), bar_width);
    }
    if let Some(note) = grid.note() {
        out.text(
            &note,
            (width / 2.0, height - MARGIN),
            TICK_PX,
            MUTED,
            Align::Middle,
            Baseline::Bottom,
            false,
        );
    }
    out.finish()
}

/// The colour bar of a diverging grid, centred at `x`, its top at `y`:
/// the map from its most negative to its most positive colour, labelled
/// with the values of `range` (or "negative" and "positive" when each
/// image has its own scale).
fn colour_bar(
    out: &mut Svg,
    colours: ColourMap,
    range: Option<(f64, f64)>,
    (x, y): (f64, f64),
    bw: f64,
) {
    let bh = BAR.1;
    let left = (x - bw / 2.0).round();
    let step = bw / BAR_STEPS as f64;
    let top_level = colours.level(1.0, (0.0, 1.0)).unwrap_or(0);
    for i in 0..BAR_STEPS {
        let t = i as f64 / (BAR_STEPS - 1) as f64;
        let level = (t * f64::from(top_level)).round() as u8;
        let x0 = left + i as f64 * step;
        out.pixels(
            &colours.hex(level),
            &format!(
                "M{} {}h{}v{}h-{}z",
                svg::num(x0),
                svg::num(y),
                svg::num(step),
                svg::num(bh),
                svg::num(step)
            ),
        );
    }
    out.rect(left, y, bw, bh, "none", Some(("#999999", 1.0)));
    let (lo, hi) = match range {
        Some((lo, hi)) => (colour_map::short(lo), colour_map::short(hi)),
        None => ("negative".to_owned(), "positive".to_owned()),
    };
    let label_y = y + bh + 3.0;
    for (text, lx) in [
        (lo, left),
        ("0".to_owned(), left + bw / 2.0),
        (hi, left + bw),
    ] {
        out.text(
            &text,
            (lx, label_y),
            TICK_PX,
            LABEL,
            Align::Middle,
            Baseline::Top,
            false,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(fig: &Figure) -> &ImageGrid {
        match &fig.kind {
            Kind::Images(g) => g,
            _ => panic!("not an image grid"),
        }
    }

    #[test]
    fn shapes_give_grids() {
        let one = images(&Tensor::zeros([5, 7]), &[]);
        assert_eq!((grid(&one).images.len(), grid(&one).columns), (1, 1));
        let batch = images(&Tensor::zeros([64, 1, 8, 8]), &[]);
        assert_eq!((grid(&batch).images.len(), grid(&batch).columns), (64, 8));
        let weight = images(&Tensor::zeros([6, 3, 5, 5]), &[]);
        assert_eq!((grid(&weight).images.len(), grid(&weight).columns), (18, 3));
        let many = images(&Tensor::zeros([1797, 8, 8]), &[]);
        assert_eq!((grid(&many).images.len(), grid(&many).total), (100, 1797));
        assert!(
            many.to_svg()
                .contains(">the first 100 of 1797 images</text>")
        );
        let filters = images(&Tensor::zeros([64, 32, 3, 3]), &[]);
        assert_eq!(grid(&filters).images.len(), 96, "whole rows of 32");
    }

    #[test]
    fn column_counts() {
        assert_eq!(default_columns(1), 1);
        assert_eq!(default_columns(10), 10);
        assert_eq!(default_columns(16), 8);
        assert_eq!(default_columns(20), 10);
        assert_eq!(default_columns(64), 8);
        assert_eq!(default_columns(100), 10);
        assert_eq!(default_columns(36), 12);
    }

    #[test]
    fn grays_scale_globally_or_per_image() {
        assert_eq!(gray(16.0, (0.0, 16.0)), Some(255));
        assert_eq!(gray(8.0, (0.0, 16.0)), Some(128));
        assert_eq!(
            gray(3.0, (3.0, 3.0)),
            Some(0),
            "constant: black, as torchvision"
        );
        assert_eq!(gray(f64::NAN, (0.0, 1.0)), None);
        assert_eq!(
            min_max([1.0, f64::NAN, -2.0, f64::INFINITY].iter()),
            (-2.0, 1.0)
        );
        let x = Tensor::stack(
            &[
                Tensor::full([2, 2], 1.0),
                Tensor::arange(4)
                    .reshape([2, 2])
                    .to_dtype(crate::DType::Float32)
                    * 0.25,
            ],
            0,
        );
        let svg = images(&x, &[]).to_svg();
        // Globally, 1.0 is white, 0 black; 0.25 and 0.5 are grays.
        assert!(svg.contains("fill=\"#FFFFFF\" shape-rendering=\"crispEdges\""));
        assert!(svg.contains("#404040") && svg.contains("#808080"));
    }

    #[test]
    #[should_panic(expected = "3 titles for 2 images")]
    fn titles_are_one_per_image() {
        let t: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        images(&Tensor::zeros([2, 3, 3]), &t);
    }

    #[test]
    #[should_panic(expected = "2 to 4 dimensions")]
    fn a_vector_is_not_an_image() {
        images(&Tensor::zeros([9]), &[]);
    }
}

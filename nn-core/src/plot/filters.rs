//! [`filters`]: the learned filters of a convolution — its weight — as a
//! grid of small images, blue for negative weights, red for positive ones.

use super::colour_map::ColourMap;
use super::figure::Figure;
use super::images::{Layout, default_columns, grid_figure};
use crate::tensor::Tensor;

/// At most this many filter images (whole rows): a `Conv2d(8, 16, 3)` has
/// 128.
const MAX_FILTERS: usize = 256;

/// The filters of a 2-D convolution: its weight `[C_out, C_in, kH, kW]` as
/// one small image per output channel and input channel — what each
/// output channel looks for in each input channel.
///
/// `plot::filters(&conv.weight)` for a [`Conv2d`](crate::nn::Conv2d), or
/// `plot::filters(&net[0].weight())` for a layer of a `Sequential`.
///
/// - With one input channel (the first layer on gray images), the
///   `C_out` filters are drawn side by side, numbered (`Conv2d(1, 8, 3)`:
///   eight 3×3 filters in a row); otherwise each output channel is a row
///   and each input channel a column (`Conv2d(8, 16, 3)`: 16 rows of 8).
/// - **Colours**: a weight of 0 is white, negative weights blue and
///   positive ones red (matplotlib's `RdBu_r`), darker for larger. The
///   scale is shared, symmetric around 0 and set by the largest absolute
///   weight, shown on the colour bar under the grid: the same colour is the
///   same weight in every filter. [`Figure::scale_each`] gives each filter
///   its own scale.
/// - At most 256 filter images are drawn (whole rows), with a note saying
///   how many there are.
///
/// The title says what is drawn (`8 filters 3×3`); change it with
/// [`Figure::title`].
///
/// # Panics
/// If `weight` is not 4-D (`[C_out, C_in, kH, kW]`) or has no values.
///
/// ```
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// let conv = Conv2d::new(1, 8, 3).padding(1);
/// let fig = plot::filters(&conv.weight);
/// assert_eq!(fig.mime_bundle().text(), "<Figure 618x173: 8 filters 3×3>");
/// let svg = fig.to_svg();
/// assert!(svg.contains(">0</text>") && svg.contains(">7</text>"));
///
/// // A filter written by hand: a vertical edge, -1 left and +1 right.
/// let edge = tensor![[[[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]]]];
/// let svg = plot::filters(&edge).to_svg();
/// assert!(svg.contains("#053061") && svg.contains("#F7F7F7") && svg.contains("#67001F"));
/// ```
#[track_caller]
pub fn filters(weight: &Tensor) -> Figure {
    let shape = weight.shape().to_vec();
    let &[c_out, c_in, h, w] = shape.as_slice() else {
        panic!(
            "plot::filters: expected a Conv2d weight [C_out, C_in, kH, kW], got shape {shape:?}"
        );
    };
    let (count, columns) = if c_in == 1 {
        (c_out, default_columns(c_out.min(MAX_FILTERS)))
    } else {
        (c_out * c_in, c_in)
    };
    let titles: Vec<String> = if c_in == 1 && c_out > 1 {
        (0..c_out).map(|i| i.to_string()).collect()
    } else {
        Vec::new()
    };
    let title = match (c_out, c_in) {
        (1, 1) => format!("1 filter {h}×{w}"),
        (n, 1) => format!("{n} filters {h}×{w}"),
        (n, c) => format!("{n} filters {h}×{w} × {c} input channels"),
    };
    let layout = Layout {
        count,
        columns,
        h,
        w,
        max_images: MAX_FILTERS,
    };
    grid_figure(
        weight,
        &titles,
        "plot::filters",
        layout,
        ColourMap::Diverging,
        &title,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::figure::Kind;
    use crate::plot::images::ImageGrid;

    fn grid(fig: &Figure) -> &ImageGrid {
        match &fig.kind {
            Kind::Images(g) => g,
            _ => panic!("not an image grid"),
        }
    }

    #[test]
    fn one_input_channel_is_a_row_of_numbered_filters() {
        let fig = filters(&Tensor::zeros([8, 1, 3, 3]));
        let g = grid(&fig);
        assert_eq!((g.images.len(), g.columns, g.titles.len()), (8, 8, 8));
        assert_eq!(fig.title, "8 filters 3×3");
    }

    #[test]
    fn several_input_channels_are_rows_of_columns() {
        let fig = filters(&Tensor::zeros([16, 8, 3, 3]));
        let g = grid(&fig);
        assert_eq!((g.images.len(), g.columns, g.titles.len()), (128, 8, 0));
        assert_eq!(fig.title, "16 filters 3×3 × 8 input channels");
        let big = filters(&Tensor::zeros([64, 32, 3, 3]));
        assert_eq!((grid(&big).images.len(), grid(&big).total), (256, 2048));
        assert!(
            big.to_svg()
                .contains(">the first 256 of 2048 images</text>")
        );
    }

    #[test]
    fn colours_are_centred_on_zero_with_a_shared_scale() {
        // Two filters: one with weights -0.5, 0, 0.25; one with 0.5.
        let w = crate::tensor![[[[-0.5, 0.0, 0.25]]], [[[0.5, 0.5, 0.5]]]];
        let svg = filters(&w).to_svg();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let fills: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("path"))
            .filter_map(|n| n.attribute("fill"))
            .collect();
        // -0.5 the darkest blue, 0 white, 0.5 the darkest red (shared
        // scale: the second filter is all dark red, its background).
        assert!(fills.contains(&"#053061"));
        assert!(fills.contains(&"#F7F7F7"));
        assert!(fills.contains(&"#67001F"));
        // 0.25 is halfway to red: between the anchors #F7F7F7 and #67001F.
        let quarter = crate::plot::colour_map::ColourMap::Diverging;
        let l = quarter.level(0.25, (-0.5, 0.5)).unwrap();
        assert!(fills.contains(&quarter.hex(l).as_str()));
        // The colour bar's labels: the shared range.
        assert!(svg.contains(">-0.5</text>") && svg.contains(">0.5</text>"));
    }

    #[test]
    fn each_filter_scaled_alone_has_no_values_on_its_bar() {
        let w = crate::tensor![[[[-0.5, 0.0]]], [[[0.01, 0.02]]]];
        let svg = filters(&w).scale_each(true).to_svg();
        assert!(svg.contains(">negative</text>") && svg.contains(">positive</text>"));
        // The faint filter gets the darkest red too.
        assert_eq!(svg.matches("#67001F").count(), 2, "{svg}");
    }

    #[test]
    fn a_long_title_widens_a_narrow_grid() {
        let fig = filters(&Tensor::zeros([16, 8, 3, 3]));
        let narrow = fig.width;
        let title = "second layer: 16 filters × 8 input maps, after training";
        let fig = fig.title(title);
        let need = crate::plot::svg::text_width(title, crate::plot::svg::TITLE_PX) + 24.0;
        assert!(f64::from(fig.width) >= need && fig.width > narrow);
    }

    #[test]
    fn svg_is_plain_shapes_without_ids() {
        let svg = filters(&Tensor::randn([4, 2, 3, 3])).to_svg();
        roxmltree::Document::parse(&svg).unwrap();
        // Inline in a page beside other figures (nbconvert's HTML): no ids,
        // no definitions that could clash, no scripts.
        assert!(!svg.contains(" id=") && !svg.contains("<defs") && !svg.contains("<script"));
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let kinds: std::collections::BTreeSet<&str> = doc
            .descendants()
            .filter(|n| n.is_element())
            .map(|n| n.tag_name().name())
            .collect();
        assert_eq!(
            kinds.into_iter().collect::<Vec<_>>(),
            ["path", "rect", "svg", "text"]
        );
    }

    #[test]
    #[should_panic(
        expected = "plot::filters: expected a Conv2d weight [C_out, C_in, kH, kW], got shape [8, 3]"
    )]
    fn a_linear_weight_is_not_filters() {
        filters(&Tensor::zeros([8, 3]));
    }
}

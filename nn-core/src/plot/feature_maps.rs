//! [`feature_maps`]: what a convolutional layer outputs for an input — one
//! image per channel — blue for negative values, red for positive ones.

use super::colour_map::ColourMap;
use super::figure::Figure;
use super::images::{Layout, MAX_IMAGES, default_columns, grid_figure};
use crate::tensor::Tensor;

/// The feature maps of a layer's output: one small image per channel,
/// numbered, so that a student sees where in the input each channel
/// responds.
///
/// `activations` is the output of a convolution, an activation or a
/// pooling layer for one input, `[C, H, W]` or `[1, C, H, W]` (one row of
/// `C` maps, or rows of up to 10 for many channels), or for a batch
/// `[N, C, H, W]` (a row of `C` maps per input).
///
/// **Colours** as [`plot::filters`](super::filters): 0 is white, negative
/// values blue and positive ones red, on one scale shared by all maps and
/// set by the largest absolute value (on the colour bar). After a ReLU the
/// maps have no blue: that is what the ReLU removed.
/// [`Figure::scale_each`] gives each map its own scale.
///
/// The title says what is drawn (`8 feature maps 8×8`); change it with
/// [`Figure::title`]. At most 100 maps are drawn (whole rows), with a note
/// saying how many there are.
///
/// # Panics
/// If `activations` is not 3-D or 4-D or has no values.
///
/// ```
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// let conv = Conv2d::new(1, 8, 3).padding(1);
/// let image = Tensor::rand([1, 1, 8, 8]);
/// let maps = no_grad(|| conv.forward(&image)); // [1, 8, 8, 8]
/// let fig = plot::feature_maps(&maps);
/// assert_eq!(fig.mime_bundle().text(), "<Figure 578x168: 8 feature maps 8×8>");
///
/// // After a ReLU: no negative value, so the darkest blue is only in the
/// // colour bar.
/// let svg = plot::feature_maps(&maps.relu()).to_svg();
/// assert_eq!(svg.matches("fill=\"#053061\"").count(), 1);
/// ```
#[track_caller]
pub fn feature_maps(activations: &Tensor) -> Figure {
    let shape = activations.shape().to_vec();
    let (n, c, h, w) = match shape.as_slice() {
        &[c, h, w] | &[1, c, h, w] => (1, c, h, w),
        &[n, c, h, w] => (n, c, h, w),
        _ => panic!(
            "plot::feature_maps: expected a layer's output [C, H, W] or [N, C, H, W], got shape {shape:?}"
        ),
    };
    let (count, columns) = if n == 1 {
        (c, default_columns(c.min(MAX_IMAGES)))
    } else {
        (n * c, c)
    };
    let titles: Vec<String> = if n == 1 && c > 1 {
        (0..c).map(|i| i.to_string()).collect()
    } else {
        Vec::new()
    };
    let title = match (n, c) {
        (1, 1) => format!("1 feature map {h}×{w}"),
        (1, c) => format!("{c} feature maps {h}×{w}"),
        (n, c) => format!("{c} feature maps {h}×{w} of {n} inputs"),
    };
    let layout = Layout {
        count,
        columns,
        h,
        w,
        max_images: MAX_IMAGES,
    };
    grid_figure(
        activations,
        &titles,
        "plot::feature_maps",
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
    fn one_input_gives_numbered_channels() {
        for shape in [[16, 4, 4].as_slice(), &[1, 16, 4, 4]] {
            let fig = feature_maps(&Tensor::zeros(shape));
            let g = grid(&fig);
            assert_eq!((g.images.len(), g.columns, g.titles.len()), (16, 8, 16));
            assert_eq!(fig.title, "16 feature maps 4×4");
        }
    }

    #[test]
    fn a_batch_gives_a_row_per_input() {
        let fig = feature_maps(&Tensor::zeros([3, 8, 6, 6]));
        let g = grid(&fig);
        assert_eq!((g.images.len(), g.columns, g.titles.len()), (24, 8, 0));
        assert_eq!(fig.title, "8 feature maps 6×6 of 3 inputs");
    }

    #[test]
    fn colours_for_known_values() {
        // Channel 0: -2 and 0; channel 1: 1 and 2 (shared scale ±2).
        let maps = crate::tensor![[[-2.0, 0.0]], [[1.0, 2.0]]];
        let svg = feature_maps(&maps).to_svg();
        roxmltree::Document::parse(&svg).unwrap();
        assert!(svg.contains("fill=\"#053061\"") && svg.contains("fill=\"#F7F7F7\""));
        assert!(svg.contains("fill=\"#67001F\""));
        assert!(svg.contains(">-2</text>") && svg.contains(">2</text>"));
        // NaN is neither blue, white nor red.
        let svg = feature_maps(&crate::tensor![[[f64::NAN, 1.0]]]).to_svg();
        assert!(svg.contains("fill=\"#2CA02C\""));
    }

    #[test]
    #[should_panic(
        expected = "plot::feature_maps: expected a layer's output [C, H, W] or [N, C, H, W], got shape [8, 8]"
    )]
    fn an_image_is_not_feature_maps() {
        feature_maps(&Tensor::zeros([8, 8]));
    }
}

//! Figures side by side in one picture ([`Figure::beside`]), and the
//! training curves of a classifier: the loss beside the accuracy.

use super::figure::{Figure, Kind};
use super::svg::Svg;

/// Two panels side by side, this size each (the whole is 720 px wide: a
/// JupyterLab output shows it whole, or a little scaled down).
const PANEL: (u32, u32) = (360, 300);

/// The training curves of a classifier, side by side: the loss (left) and
/// the accuracy (right), each against epochs 0, 1, 2, … — what a course
/// plots after the training loop, as two matplotlib subplots.
///
/// The two lists may have different lengths (a loss per step, an accuracy
/// per epoch): each is drawn against its own count. Accuracies can be
/// fractions (0.97) or percentages (97).
///
/// For more curves in a panel (train and test accuracy), build the panels
/// and put them side by side with [`Figure::beside`].
///
/// ```
/// use nn_core::prelude::*;
///
/// let losses: Vec<f64> = (0..50).map(|e| (-(e as f64) / 10.0).exp()).collect();
/// let accuracies: Vec<f64> = losses.iter().map(|l| 1.0 - 0.5 * l).collect();
/// let fig = plot::training_curves(&losses, &accuracies);
/// assert_eq!(fig.mime_bundle().text(), "<Figure 720x300: Loss | Accuracy>");
/// let svg = fig.to_svg();
/// assert!(svg.contains(">loss</text>") && svg.contains(">accuracy</text>"));
/// ```
pub fn training_curves(losses: &[f64], accuracies: &[f64]) -> Figure {
    let epochs = |n: usize| (0..n).map(|i| i as f64).collect::<Vec<f64>>();
    let loss = Figure::new()
        .size(PANEL.0, PANEL.1)
        .title("Loss")
        .x_label("epoch")
        .y_label("loss")
        .line(&epochs(losses.len()), losses);
    let accuracy = Figure::new()
        .size(PANEL.0, PANEL.1)
        .title("Accuracy")
        .x_label("epoch")
        .y_label("accuracy")
        .line(&epochs(accuracies.len()), accuracies);
    // Orange, as the second series of a chart: the two curves do not look
    // like one quantity.
    loss.beside(accuracy.recolour(1))
}

impl Figure {
    /// This figure with `other` on its right, as one picture (matplotlib's
    /// subplots in a row). Each keeps its own title, axes and legend; the
    /// whole is as wide as both and as tall as the taller. `size` on the
    /// result shares the width equally. `a.beside(b).beside(c)` gives three.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let x = Tensor::linspace(-3.0, 3.0, 61);
    /// let fig = plot::line(&x, &x.relu()).title("ReLU").size(320, 240)
    ///     .beside(plot::line(&x, &x.tanh()).title("Tanh").size(320, 240));
    /// assert_eq!(fig.mime_bundle().text(), "<Figure 640x240: ReLU | Tanh>");
    /// ```
    pub fn beside(self, other: Figure) -> Figure {
        let mut panels = match self.kind {
            Kind::Panels(ref p) if self.title.is_empty() => p.clone(),
            _ => vec![self],
        };
        panels.push(other);
        let width = panels.iter().map(|p| p.width).sum();
        let height = panels.iter().map(|p| p.height).max().unwrap_or(1);
        Figure {
            width,
            height,
            kind: Kind::Panels(panels),
            ..Figure::new()
        }
    }

    /// The chart's series drawn from colour `first` of the palette on
    /// (series `i` gets colour `first + i`).
    fn recolour(mut self, first: usize) -> Figure {
        self.colour_offset = first;
        self
    }
}

/// Shares `width` equally among `panels`, each `height` tall.
pub(crate) fn fit(panels: &mut [Figure], width: u32, height: u32) {
    let n = panels.len().max(1) as u32;
    let last = panels.len().saturating_sub(1);
    for (i, panel) in panels.iter_mut().enumerate() {
        // The last panel takes what rounding left.
        let w = if i == last {
            width - (width / n) * (n - 1)
        } else {
            width / n
        };
        *panel = std::mem::take(panel).size(w.max(1), height);
    }
}

/// The panels as one SVG document, left to right, each at the top.
pub(crate) fn svg(figure: &Figure, panels: &[Figure]) -> String {
    let mut out = Svg::new(figure.width, figure.height);
    let mut x = 0.0;
    for panel in panels {
        out.place(&panel.to_svg(), (x, 0.0));
        x += f64::from(panel.width);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notebook::Render;

    #[test]
    fn panels_sit_side_by_side() {
        let fig = training_curves(&[1.0, 0.5, 0.25], &[0.5, 0.8, 0.9]);
        let svg = fig.to_svg();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let groups: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("g"))
            .map(|n| n.attribute("transform").unwrap().to_owned())
            .collect();
        assert_eq!(groups, ["translate(0, 0)", "translate(360, 0)"]);
        // The loss in blue, the accuracy in orange.
        assert!(svg.contains("stroke=\"#1F77B4\" stroke-width=\"2\""));
        assert!(svg.contains("stroke=\"#FF7F0E\" stroke-width=\"2\""));
    }

    #[test]
    fn size_shares_the_width() {
        let fig = training_curves(&[1.0], &[0.5]).size(901, 200);
        let Kind::Panels(panels) = &fig.kind else {
            panic!("panels")
        };
        let sizes: Vec<(u32, u32)> = panels.iter().map(|p| (p.width, p.height)).collect();
        assert_eq!(sizes, [(450, 200), (451, 200)]);
    }

    #[test]
    fn three_panels_in_a_row() {
        let a = Figure::new().title("a").size(100, 50);
        let fig = a.clone().beside(a.clone()).beside(a.size(100, 80));
        assert_eq!((fig.width, fig.height), (300, 80));
        assert_eq!(fig.mime_bundle().text(), "<Figure 300x80: a | a | a>");
    }
}

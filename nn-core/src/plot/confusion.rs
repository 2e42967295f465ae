//! The confusion matrix of a classifier: how often each true class (a row)
//! was predicted as each class (a column), as a heat map with the counts
//! written in the cells — scikit-learn's `ConfusionMatrixDisplay`.

use super::figure::{Figure, Kind};
use super::svg::{self, AXIS_LABEL_PX, Align, Baseline, INK, LABEL, Svg, TICK_PX};
use crate::tensor::Tensor;

/// matplotlib's `Blues` colour map, its nine anchor colours from light to
/// dark: a count is a shade of blue, darker for more.
const BLUES: [(u8, u8, u8); 9] = [
    (0xf7, 0xfb, 0xff),
    (0xde, 0xeb, 0xf7),
    (0xc6, 0xdb, 0xef),
    (0x9e, 0xca, 0xe1),
    (0x6b, 0xae, 0xd6),
    (0x42, 0x92, 0xc6),
    (0x21, 0x71, 0xb5),
    (0x08, 0x51, 0x9c),
    (0x08, 0x30, 0x6b),
];

/// Room left of the grid (axis label and class numbers), right of it,
/// above it (the title) and below it (class numbers and axis label), px.
const LEFT: f64 = 58.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 50.0;

/// The counts of a confusion matrix.
#[derive(Clone, Debug)]
pub(crate) struct Confusion {
    /// The number of classes.
    pub k: usize,
    /// `counts[t * k + p]`: samples of true class `t` predicted as `p`.
    pub counts: Vec<usize>,
}

/// The confusion matrix of predictions `pred` against the true classes
/// `target`, for `num_classes` classes: row `t`, column `p` counts the
/// samples of class `t` predicted as `p`, so the diagonal holds the right
/// answers. Cells are shaded by their count (matplotlib's `Blues`) and show
/// it; the title gives the accuracy.
///
/// `pred` is either the predicted classes (`N` whole numbers, as
/// `output.argmax(1)` gives) or the model's scores `[N, num_classes]`, whose
/// argmax is taken. `target` holds `N` classes.
///
/// # Panics
/// If `pred` and `target` hold different numbers of samples, or a class is
/// not a whole number in `0..num_classes`.
///
/// ```
/// use nn_core::prelude::*;
///
/// let target = tensor![0, 0, 1, 1, 2, 2, 2];
/// let pred   = tensor![0, 1, 1, 1, 2, 2, 0];
/// let fig = plot::confusion_matrix(&pred, &target, 3);
/// assert_eq!(fig.mime_bundle().text(), "<Figure 337x334: Confusion matrix (accuracy 71.4%)>");
/// let svg = fig.to_svg();
/// assert!(svg.contains(">predicted</text>") && svg.contains(">true</text>"));
/// ```
#[track_caller]
pub fn confusion_matrix(pred: &Tensor, target: &Tensor, num_classes: usize) -> Figure {
    assert!(
        num_classes > 0,
        "plot::confusion_matrix: num_classes must be at least 1"
    );
    let target = classes("target", target, num_classes);
    let shape = pred.shape().to_vec();
    let pred = match shape.as_slice() {
        &[n, k] if k == num_classes && n == target.len() && k > 1 => argmax_rows(pred, k),
        _ => classes("pred", pred, num_classes),
    };
    assert_eq!(
        pred.len(),
        target.len(),
        "plot::confusion_matrix: pred has {} samples but target has {}",
        pred.len(),
        target.len()
    );
    let k = num_classes;
    let mut counts = vec![0; k * k];
    for (&p, &t) in pred.iter().zip(&target) {
        counts[t * k + p] += 1;
    }
    let right: usize = (0..k).map(|c| counts[c * k + c]).sum();
    let title = match target.len() {
        0 => "Confusion matrix".to_owned(),
        n => format!(
            "Confusion matrix (accuracy {})",
            super::boundary::percent(right, n)
        ),
    };
    let cell = cell_size(k);
    let grid = cell * k as f64;
    Figure {
        width: (LEFT + grid + RIGHT)
            .max(svg::text_width(&title, svg::TITLE_PX) + 24.0)
            .ceil() as u32,
        height: (TOP + grid + BOTTOM).ceil() as u32,
        title,
        kind: Kind::Confusion(Confusion { k, counts }),
        ..Figure::new()
    }
}

/// A cell's side at the natural size: large for few classes, at least
/// 18 px for many.
fn cell_size(k: usize) -> f64 {
    (400.0 / k as f64).clamp(18.0, 80.0).floor()
}

/// The argmax of each row of `[n, k]` scores (the first largest, as torch).
fn argmax_rows(scores: &Tensor, k: usize) -> Vec<usize> {
    scores
        .to_vec::<f64>()
        .chunks(k)
        .map(|row| {
            let mut best = 0;
            for (j, &v) in row.iter().enumerate() {
                if v > row[best] || (v.is_nan() && !row[best].is_nan()) {
                    best = j;
                }
            }
            best
        })
        .collect()
}

/// The values of `t` as classes in `0..k`.
#[track_caller]
fn classes(name: &str, t: &Tensor, k: usize) -> Vec<usize> {
    t.to_vec::<f64>()
        .into_iter()
        .map(|v| {
            assert!(
                v >= 0.0 && v.fract() == 0.0 && v < k as f64,
                "plot::confusion_matrix: {name} has the value {v}, not a class in 0..{k} (num_classes = {k})"
            );
            v as usize
        })
        .collect()
}

/// The colour of `t` in 0..=1 on [`BLUES`].
fn blues(t: f64) -> (u8, u8, u8) {
    let x = t.clamp(0.0, 1.0) * (BLUES.len() - 1) as f64;
    let i = (x.floor() as usize).min(BLUES.len() - 2);
    let f = x - i as f64;
    let (a, b) = (BLUES[i], BLUES[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The confusion matrix as an SVG document.
pub(crate) fn svg(figure: &Figure, m: &Confusion) -> String {
    let k = m.k;
    let (width, height) = (f64::from(figure.width), f64::from(figure.height));
    let cell = ((width - LEFT - RIGHT).min(height - TOP - BOTTOM) / k as f64)
        .floor()
        .max(1.0);
    let grid = cell * k as f64;
    // Centred in the room right of the axis labels.
    let left = (LEFT + ((width - LEFT - RIGHT) - grid) / 2.0).floor();
    let top = TOP;
    let max = m.counts.iter().copied().max().unwrap_or(0).max(1);
    let number_px = if cell >= 30.0 { TICK_PX } else { 9.0 };

    let mut out = Svg::new(figure.width, figure.height);
    out.title(&figure.title, figure.width);
    for t in 0..k {
        for p in 0..k {
            let count = m.counts[t * k + p];
            let share = count as f64 / max as f64;
            let (x, y) = (left + p as f64 * cell, top + t as f64 * cell);
            out.rect(x, y, cell, cell, &svg::hex(blues(share)), None);
            let text = count.to_string();
            if svg::text_width(&text, number_px) <= cell - 2.0 {
                // White on dark cells, as scikit-learn.
                let colour = if share > 0.5 {
                    "#FFFFFF"
                } else if count == 0 {
                    "#AAAAAA"
                } else {
                    INK
                };
                out.text(
                    &text,
                    (x + cell / 2.0, y + cell / 2.0),
                    number_px,
                    colour,
                    Align::Middle,
                    Baseline::Center,
                    false,
                );
            }
        }
    }
    out.rect(left, top, grid, grid, "none", Some(("#999999", 1.0)));
    // Class numbers: every class while they fit, else every few.
    let step = ((TICK_PX * 1.6) / cell).ceil().max(1.0) as usize;
    for c in (0..k).step_by(step) {
        let mid = c as f64 * cell + cell / 2.0;
        let label = c.to_string();
        out.text(
            &label,
            (left - 6.0, top + mid),
            TICK_PX,
            LABEL,
            Align::End,
            Baseline::Center,
            false,
        );
        out.text(
            &label,
            (left + mid, top + grid + 6.0),
            TICK_PX,
            LABEL,
            Align::Middle,
            Baseline::Top,
            false,
        );
    }
    out.text(
        "predicted",
        (left + grid / 2.0, top + grid + 28.0),
        AXIS_LABEL_PX,
        INK,
        Align::Middle,
        Baseline::Top,
        false,
    );
    out.text(
        "true",
        (left - 44.0, top + grid / 2.0),
        AXIS_LABEL_PX,
        INK,
        Align::Middle,
        Baseline::Top,
        true,
    );
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(fig: &Figure) -> &[usize] {
        match &fig.kind {
            Kind::Confusion(m) => &m.counts,
            _ => panic!("not a confusion matrix"),
        }
    }

    #[test]
    fn rows_are_true_classes_and_columns_predictions() {
        let target = crate::tensor![0, 0, 1, 2];
        let pred = crate::tensor![0, 2, 1, 1];
        let fig = confusion_matrix(&pred, &target, 3);
        assert_eq!(counts(&fig), [1, 0, 1, 0, 1, 0, 0, 1, 0]);
        assert_eq!(fig.title, "Confusion matrix (accuracy 50.0%)");
    }

    #[test]
    fn scores_are_reduced_by_argmax() {
        let target = crate::tensor![1, 0];
        let scores = crate::tensor![[0.1, 0.9], [2.0, -1.0]];
        assert_eq!(counts(&confusion_matrix(&scores, &target, 2)), [1, 0, 0, 1]);
    }

    #[test]
    #[should_panic(expected = "target has the value 3, not a class in 0..3")]
    fn classes_must_be_in_range() {
        confusion_matrix(&crate::tensor![0], &crate::tensor![3], 3);
    }

    #[test]
    #[should_panic(expected = "pred has 2 samples but target has 1")]
    fn sample_counts_must_match() {
        confusion_matrix(&crate::tensor![0, 1], &crate::tensor![1], 3);
    }

    #[test]
    fn colour_map_runs_light_to_dark() {
        assert_eq!(blues(0.0), BLUES[0]);
        assert_eq!(blues(1.0), BLUES[8]);
        assert_eq!(blues(0.5), BLUES[4]);
    }
}

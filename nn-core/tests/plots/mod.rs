//! The figures of the plot tests, built in one place: `plot_golden.rs`
//! compares their SVG with golden files, `plot_png.rs` (feature `png`)
//! checks their PNG, and both write them to `target/tmp/plot-gallery/`.
#![allow(dead_code)]

use nn_core::prelude::*;

/// The regression lesson's data: y = 2x + 1 with noise, and a line fitted by
/// least squares (deterministic: a seeded torch-compatible generator).
pub fn regression() -> (Tensor, Tensor, Tensor) {
    // A generator of its own: tests run in parallel and share the global one.
    let mut generator = Generator::new(42);
    let x = Tensor::linspace(-2.0, 2.0, 40).reshape([40, 1]);
    let y = &x * 2.0 + 1.0 + Tensor::randn_with([40, 1], &mut generator) * 0.5;
    let model = Linear::from_weights(tensor![[1.9]], Some(tensor![1.05]));
    let prediction = no_grad(|| model.forward(&x));
    (x, y, prediction)
}

/// A training run's losses: an exponential decay towards 0.05.
pub fn losses() -> Vec<f64> {
    (0..200)
        .map(|e| 0.05 + 2.0 * (-(e as f64) / 30.0).exp())
        .collect()
}

/// ReLU and its derivative: golden file `tests/golden/relu.svg`.
pub fn relu() -> Figure {
    plot::activation(F::relu, -5.0..5.0)
}

/// The regression picture: golden file `tests/golden/fit.svg`.
pub fn fit() -> Figure {
    let (x, y, prediction) = regression();
    plot::fit(&x, &y, &prediction)
}

/// The figures that have golden files, as `(name, figure)`: the file is
/// `tests/golden/<name>.svg`.
pub fn golden() -> Vec<(&'static str, Figure)> {
    vec![("relu", relu()), ("fit", fit())]
}

/// Every kind of figure, as `(name, figure)`, for looking at.
pub fn gallery() -> Vec<(&'static str, Figure)> {
    let (x, y, _) = regression();
    let losses = losses();
    let t = Tensor::linspace(0.0, 6.3, 64);
    let mut live = LivePlot::new();
    for (i, l) in losses.iter().enumerate() {
        live.push(*l);
        if i % 5 == 0 {
            live.push_at("validation", i as f64, l * 1.15 + 0.02);
        }
    }
    vec![
        ("relu", relu()),
        ("sigmoid", plot::activation(F::sigmoid, -6.0..6.0)),
        ("tanh", plot::activation(F::tanh, -4.0..4.0)),
        (
            "leaky_relu",
            plot::activation_named("LeakyReLU", |x| F::leaky_relu(x, 0.1), -5.0..5.0),
        ),
        ("fit", fit()),
        ("loss_curve", plot::loss_curve(&losses)),
        (
            "lines",
            plot::line(&t, &t.sin())
                .label("sin")
                .line(&t, &t.cos())
                .label("cos")
                .scatter(&t, &(t.sin() * t.cos()))
                .label("sin·cos")
                .title("Several series")
                .x_label("t")
                .y_label("value"),
        ),
        ("scatter", plot::scatter(&x, &y).title("Data")),
        ("live", live.figure()),
        ("images", images()),
        ("misclassified", misclassified()),
        ("filters", filters()),
        ("conv_filters", conv_filters()),
        ("feature_maps", feature_maps()),
        ("confusion", confusion()),
        ("confusion_digits", confusion_digits()),
        ("network", network()),
        ("network_digits", network_digits()),
        ("boundary", boundary()),
        ("boundary_spiral", boundary_spiral()),
        ("training_curves", training_curves()),
    ]
}

/// `target/tmp/plot-gallery/`, created.
pub fn gallery_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("plot-gallery");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A 3 × 5 font of the digits 0–9 (`#` on), for images that look like the
/// 8×8 digits data set without shipping it.
const FONT: [[&str; 5]; 10] = [
    ["###", "#.#", "#.#", "#.#", "###"],
    [".#.", "##.", ".#.", ".#.", "###"],
    ["###", "..#", "###", "#..", "###"],
    ["###", "..#", ".##", "..#", "###"],
    ["#.#", "#.#", "###", "..#", "..#"],
    ["###", "#..", "###", "..#", "###"],
    ["###", "#..", "###", "#.#", "###"],
    ["###", "..#", ".#.", ".#.", ".#."],
    ["###", "#.#", "###", "#.#", "###"],
    ["###", "#.#", "###", "..#", "###"],
];

/// Ten 8×8 images of the digits 0–9, values 0 to 16 as in the digits data
/// set: the font's 3 columns are image columns 2, 3–4 and 5, its 5 rows are
/// image rows 1, 2–3, 4, 5–6 and 7; strokes are 16, and the pixels left and
/// right of a stroke 5 (a softer edge, as a scanned digit has).
pub fn digit_images() -> Tensor {
    const COLS: [&[usize]; 3] = [&[2], &[3, 4], &[5]];
    const ROWS: [&[usize]; 5] = [&[1], &[2, 3], &[4], &[5, 6], &[7]];
    let mut values = vec![0.0_f32; 10 * 64];
    for (d, glyph) in FONT.iter().enumerate() {
        let image = &mut values[d * 64..(d + 1) * 64];
        for (r, row) in glyph.iter().enumerate() {
            for (c, _) in row.chars().enumerate().filter(|&(_, ch)| ch == '#') {
                for &y in ROWS[r] {
                    for &x in COLS[c] {
                        image[y * 8 + x] = 16.0;
                    }
                }
            }
        }
        for y in 0..8 {
            for x in 0..8 {
                let stroke_beside = (x > 0 && image[y * 8 + x - 1] == 16.0)
                    || (x < 7 && image[y * 8 + x + 1] == 16.0);
                if image[y * 8 + x] == 0.0 && stroke_beside {
                    image[y * 8 + x] = 5.0;
                }
            }
        }
    }
    Tensor::from_vec(values, [10, 8, 8])
}

/// The digits with their labels: golden file `tests/golden/images.svg`.
pub fn images() -> Figure {
    plot::images(&digit_images(), &plot::titles(&Tensor::arange(10)))
}

/// Misclassified digits, a two-line title each.
pub fn misclassified() -> Figure {
    let digits = digit_images();
    let (pred, truth) = ([8, 3, 7, 4], [0, 5, 1, 9]);
    let titles: Vec<String> = pred
        .iter()
        .zip(&truth)
        .map(|(p, t)| format!("pred {p}\ntrue {t}"))
        .collect();
    let picked = Tensor::stack(&truth.map(|t| digits.i(t)), 0);
    plot::images(&picked, &titles)
}

/// A convolution's weight `[C_out, C_in, kH, kW]` = `[4, 3, 5, 5]`, each
/// filter scaled on its own.
pub fn filters() -> Figure {
    let mut generator = Generator::new(7);
    plot::images(&Tensor::randn_with([4, 3, 5, 5], &mut generator), &[]).scale_each(true)
}

/// The filters of a `Conv2d(1, 8, 3)` (`plot::filters`): golden file
/// `tests/golden/conv_filters.svg`.
pub fn conv_filters() -> Figure {
    let mut generator = Generator::new(3);
    plot::filters(&(Tensor::randn_with([8, 1, 3, 3], &mut generator) * 0.3))
}

/// The feature maps of a digit after a vertical-edge filter, before the
/// ReLU and after it (`plot::feature_maps`, two inputs as two rows):
/// golden file `tests/golden/feature_maps.svg`.
pub fn feature_maps() -> Figure {
    let digits = digit_images().view([-1, 1, 8, 8]) / 16.0;
    let edge = tensor![[[[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]]]];
    let horizontal = edge.transpose(2, 3);
    let maps = F::conv2d(
        &digits.i(2..4),
        &Tensor::cat(&[edge, horizontal], 0),
        None,
        1,
        1,
        1,
        1,
    );
    plot::feature_maps(&maps)
}

/// A 3-class confusion matrix: golden file `tests/golden/confusion.svg`.
pub fn confusion() -> Figure {
    let target = tensor![0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2];
    let pred = tensor![0, 0, 0, 1, 1, 1, 1, 2, 1, 2, 2, 2, 2, 0, 2, 2];
    plot::confusion_matrix(&pred, &target, 3)
}

/// The confusion matrix of a 10-class classifier that gets most digits
/// right, for looking at.
pub fn confusion_digits() -> Figure {
    let target: Vec<i64> = (0..500).map(|i| i % 10).collect();
    let pred: Vec<i64> = target
        .iter()
        .enumerate()
        .map(|(i, &t)| match i % 23 {
            0 => (t + 1) % 10,
            7 => (t + 3) % 10,
            _ => t,
        })
        .collect();
    plot::confusion_matrix(
        &Tensor::from_vec(pred, [500]),
        &Tensor::from_vec(target, [500]),
        10,
    )
}

/// The seed notebook's feed-forward network, 1 → 4 → 6 → 1 with sigmoid
/// hidden layers: golden file `tests/golden/network.svg`.
pub fn network() -> Figure {
    let model = sequential![
        Linear::new(1, 4),
        Sigmoid::new(),
        Linear::new(4, 6),
        Sigmoid::new(),
        Linear::new(6, 1),
    ];
    plot::network(&model)
}

/// A digits classifier, 64 → 32 → 10: its layers are drawn elided.
pub fn network_digits() -> Figure {
    plot::network(&sequential![
        Linear::new(64, 32),
        ReLU::new(),
        Dropout::new(0.2),
        Linear::new(32, 10),
    ])
}

/// Three blobs and a linear classifier with fixed weights: golden file
/// `tests/golden/boundary.svg`.
pub fn boundary() -> Figure {
    let mut generator = Generator::new(3);
    let centres = tensor![[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]];
    let x = Tensor::cat(
        &[
            Tensor::randn_with([8, 2], &mut generator) * 0.6 + centres.i(0),
            Tensor::randn_with([8, 2], &mut generator) * 0.6 + centres.i(1),
            Tensor::randn_with([8, 2], &mut generator) * 0.6 + centres.i(2),
        ],
        0,
    );
    let y = Tensor::from_vec((0..24).map(|i| i / 8).collect::<Vec<i64>>(), [24]);
    // Scores: the dot product with each centre.
    let model = sequential![Linear::from_weights(centres, Some(tensor![0.0, 0.0, 0.0]))];
    plot::decision_boundary(&model, &x, &y)
}

/// Two interleaved spirals of 3 classes and an MLP trained on them (the
/// classification lesson's picture), for looking at.
pub fn boundary_spiral() -> Figure {
    let mut generator = Generator::new(0);
    let per = 100;
    let noise = Tensor::randn_with([3 * per], &mut generator).to_vec::<f32>();
    let mut points = Vec::new();
    for c in 0..3 {
        for i in 0..per {
            let r = i as f32 / per as f32;
            let t = c as f32 * 4.2 + r * 4.0 + noise[c * per + i] * 0.2;
            points.extend([r * t.sin(), r * t.cos()]);
        }
    }
    let x = Tensor::from_vec(points, [3 * per, 2]);
    let y = Tensor::from_vec(
        (0..3 * per as i64)
            .map(|i| i / per as i64)
            .collect::<Vec<_>>(),
        [3 * per],
    );
    let model = sequential![
        Linear::new(2, 32),
        ReLU::new(),
        Linear::new(32, 32),
        ReLU::new(),
        Linear::new(32, 3),
    ];
    let mut optimizer = Adam::new(model.parameters(), 0.02);
    for _ in 0..200 {
        optimizer.zero_grad();
        CrossEntropyLoss::new()
            .forward(&model.forward(&x), &y)
            .backward();
        optimizer.step();
    }
    plot::decision_boundary(&model, &x, &y)
}

/// A classifier's loss and accuracy: golden file
/// `tests/golden/training_curves.svg`.
pub fn training_curves() -> Figure {
    let losses: Vec<f64> = (0..60)
        .map(|e| 0.05 + 2.0 * (-(e as f64) / 12.0).exp())
        .collect();
    let accuracies: Vec<f64> = (0..60)
        .map(|e| 0.97 - 0.6 * (-(e as f64) / 9.0).exp())
        .collect();
    plot::training_curves(&losses, &accuracies)
}

/// The pictures of the classification lesson that have golden files, as
/// `(name, figure)`: the file is `tests/golden/<name>.svg`.
pub fn pictures() -> Vec<(&'static str, Figure)> {
    vec![
        ("images", images()),
        ("conv_filters", conv_filters()),
        ("feature_maps", feature_maps()),
        ("confusion", confusion()),
        ("network", network()),
        ("boundary", boundary()),
        ("training_curves", training_curves()),
    ]
}

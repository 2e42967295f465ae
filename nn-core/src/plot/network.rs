//! The diagram of a fully connected network, read from the model itself:
//! one column of neurons per layer, every connection between them, each
//! layer's activation named under it — the textbook picture of a
//! feed-forward network (the seed notebook's 1-4-6-1 network).

use super::draw::palette;
use super::figure::{Figure, Kind};
use super::svg::{self, AXIS_LABEL_PX, Align, Baseline, INK, LABEL, MUTED, Svg, TICK_PX};
use crate::nn::{Linear, Module};

/// A layer with more neurons than this is drawn elided: its first
/// [`ENDS`] and last [`ENDS`] neurons, with a `⋮` between.
const MAX_DRAWN: usize = 10;
const ENDS: usize = 4;

/// Leaf modules without parameters that change nothing worth naming.
const SILENT: &[&str] = &["Identity", "Flatten"];

/// Leaf modules with parameters that keep the number of features, named
/// under their layer like an activation.
const FEATURE_WISE: &[&str] = &["BatchNorm1d", "LayerNorm", "PReLU"];

/// Space above the neurons (title, layer names), below them (sizes,
/// activations), and left and right of the outer columns, px.
const TOP: f64 = 70.0;
const BOTTOM: f64 = 56.0;
const SIDE: f64 = 70.0;

/// One column of the diagram: a layer of neurons.
#[derive(Clone, Debug)]
pub(crate) struct Layer {
    /// Its number of neurons (the input's features for the first).
    pub size: usize,
    /// The modules applied to it after the `Linear` that made it, in order:
    /// activations (`Sigmoid`), dropout, normalization.
    pub then: Vec<String>,
    /// Where the `Linear` that made it is in the model, as the notebook
    /// reaches it: `net[0]`, `fc1` (empty for the input).
    pub via: String,
}

/// The layers of a network diagram.
#[derive(Clone, Debug)]
pub(crate) struct Diagram {
    pub layers: Vec<Layer>,
}

/// The diagram of a fully connected network — the picture that goes with
/// `Linear(1, 4), Sigmoid, Linear(4, 6), Sigmoid, Linear(6, 1)`: a column of
/// neurons per layer (the input, each `Linear`'s outputs), a line for every
/// connection (every weight), and under each column its size and the
/// activation applied to it. The title is the model's class, its layer
/// sizes and its number of parameters.
///
/// The sizes are read from the model: its `Linear` layers in the order they
/// are declared — a `Sequential`'s order, or a `#[derive(Module)]` struct's
/// fields, depth first through nested modules — which is the order of
/// `forward` in a feed-forward network. Modules between two `Linear`s
/// (`ReLU`, `Sigmoid`, `Dropout`, …) are named under the layer they act on.
/// An activation applied in `forward` with `F::` is not a module, so it is
/// not named. A layer of more than 10 neurons is drawn elided: its first 4
/// and last 4 neurons, with `⋮` between (the count says how many there are).
///
/// # Panics
/// If the model has no `Linear` layer, if a `Linear` does not take as many
/// inputs as the one before it gives (a model whose fields are not declared
/// in the order of `forward`), or if it holds a layer with weights that is
/// not a `Linear` (a convolution): those are not drawn as neurons.
///
/// ```
/// use nn_core::prelude::*;
///
/// let model = sequential![
///     Linear::new(1, 4), Sigmoid::new(),
///     Linear::new(4, 6), Sigmoid::new(),
///     Linear::new(6, 1),
/// ];
/// let fig = plot::network(&model);
/// assert_eq!(fig.mime_bundle().text(), "<Figure 640x414: Sequential: 1 → 4 → 6 → 1, 45 parameters>");
/// let svg = fig.to_svg();
/// assert_eq!(svg.matches("<circle").count(), 1 + 4 + 6 + 1);
/// assert_eq!(svg.matches("<line").count(), 1 * 4 + 4 * 6 + 6 * 1);
/// assert_eq!(svg.matches(">Sigmoid</text>").count(), 2);
/// ```
#[track_caller]
pub fn network(model: &dyn Module) -> Figure {
    let mut walk = Walk::default();
    walk.module(model, "");
    let mut layers = walk.layers;
    assert!(
        !layers.is_empty(),
        "plot::network: {} has no Linear layer to draw",
        model.class_name()
    );
    // Modules before the first Linear act on the input.
    layers[0].then.splice(0..0, walk.before_first);
    let sizes: Vec<String> = layers.iter().map(|l| l.size.to_string()).collect();
    let params = model.num_parameters();
    let title = format!(
        "{}: {}, {params} parameter{}",
        model.class_name(),
        sizes.join(" → "),
        if params == 1 { "" } else { "s" }
    );
    let slots = layers
        .iter()
        .map(|l| drawn(l.size).len())
        .max()
        .unwrap_or(1);
    let width = (2.0 * SIDE + 150.0 * (layers.len() - 1) as f64)
        .max(640.0)
        .max(svg::text_width(&title, svg::TITLE_PX) + 40.0);
    // 48 px a neuron, at most 380 px for a column.
    let height = TOP + BOTTOM + (48.0 * slots.max(4) as f64).min(380.0);
    Figure {
        width: width.ceil() as u32,
        height: height.ceil() as u32,
        title,
        kind: Kind::Network(Diagram { layers }),
        ..Figure::new()
    }
}

/// The walk through a model's modules, depth first.
#[derive(Default)]
struct Walk {
    layers: Vec<Layer>,
    /// Modules met before the first `Linear`.
    before_first: Vec<String>,
}

impl Walk {
    #[track_caller]
    fn module(&mut self, m: &dyn Module, path: &str) {
        if let Some(linear) = m.downcast_ref::<Linear>() {
            match self.layers.last() {
                None => self.layers.push(Layer {
                    size: linear.in_features,
                    then: Vec::new(),
                    via: String::new(),
                }),
                Some(last) => assert_eq!(
                    last.size,
                    linear.in_features,
                    "plot::network: {} takes {} inputs but the layer before it gives {}; \
                     plot::network draws the Linear layers in the order they are declared, \
                     one after the other",
                    reach(path),
                    linear.in_features,
                    last.size
                ),
            }
            self.layers.push(Layer {
                size: linear.out_features,
                then: Vec::new(),
                via: reach(path),
            });
            return;
        }
        let children = m.named_children();
        if children.is_empty() {
            let class = m.class_name();
            assert!(
                m.own_parameters().is_empty() || FEATURE_WISE.contains(&class.as_str()),
                "plot::network: cannot draw {class} ({}): only Linear layers are drawn as neurons",
                reach(path)
            );
            if !SILENT.contains(&class.as_str()) {
                match self.layers.last_mut() {
                    Some(layer) => layer.then.push(class),
                    None => self.before_first.push(class),
                }
            }
            return;
        }
        for (name, child) in children {
            let child_path = if path.is_empty() {
                name
            } else {
                format!("{path}.{name}")
            };
            self.module(child, &child_path);
        }
    }
}

/// How a notebook reaches the module at a dotted path: `net.0` → `net[0]`,
/// `0` → `[0]`, `fc1` → `fc1`.
fn reach(path: &str) -> String {
    let mut out = String::new();
    for part in path.split('.') {
        if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
    }
    out
}

/// The neurons drawn for a layer of `size`: all, or the first and last
/// [`ENDS`] with `None` for the `⋮` between.
fn drawn(size: usize) -> Vec<Option<usize>> {
    if size <= MAX_DRAWN {
        (0..size).map(Some).collect()
    } else {
        (0..ENDS)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((size - ENDS..size).map(Some))
            .collect()
    }
}

/// The role of layer `i` of `n`: `input`, `hidden 1`, …, `output`.
fn role(i: usize, n: usize) -> String {
    if i == 0 {
        "input".to_owned()
    } else if i + 1 == n {
        "output".to_owned()
    } else if n == 3 {
        "hidden".to_owned()
    } else {
        format!("hidden {i}")
    }
}

/// The colour of layer `i` of `n`: inputs green, hidden layers blue, the
/// output orange (matplotlib's `tab10`).
fn layer_colour(i: usize, n: usize) -> (u8, u8, u8) {
    if i == 0 {
        palette(2)
    } else if i + 1 == n {
        palette(1)
    } else {
        palette(0)
    }
}

/// `4 neurons`, `1 input`, `64 inputs`.
fn size_label(size: usize, input: bool) -> String {
    let noun = if input { "input" } else { "neuron" };
    format!("{size} {noun}{}", if size == 1 { "" } else { "s" })
}

/// A drawn neuron (`None`: the `⋮` of an elided layer) and its centre.
type Neuron = (Option<usize>, (f64, f64));

/// The diagram as an SVG document.
pub(crate) fn svg(figure: &Figure, d: &Diagram) -> String {
    let n = d.layers.len();
    let (width, height) = (f64::from(figure.width), f64::from(figure.height));
    let columns: Vec<Vec<Option<usize>>> = d.layers.iter().map(|l| drawn(l.size)).collect();
    let slots = columns.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let room = (height - TOP - BOTTOM).max(10.0);
    let spacing = (room / slots).min(56.0);
    let radius = (spacing * 0.32).clamp(3.0, 15.0);
    let column_x = |i: usize| {
        if n == 1 {
            width / 2.0
        } else {
            SIDE + (width - 2.0 * SIDE) * i as f64 / (n - 1) as f64
        }
    };
    let middle = TOP + room / 2.0;
    // The centres of a column's drawn neurons (`None`: the ellipsis).
    let centres: Vec<Vec<Neuron>> = columns
        .iter()
        .enumerate()
        .map(|(i, col)| {
            let first = middle - spacing * (col.len() as f64 - 1.0) / 2.0;
            col.iter()
                .enumerate()
                .map(|(k, &neuron)| (neuron, (column_x(i), first + spacing * k as f64)))
                .collect()
        })
        .collect();

    let mut out = Svg::new(figure.width, figure.height);
    out.title(&figure.title, figure.width);
    // Connections first, under the neurons: one line per weight drawn.
    let edge_width = if slots > 6.0 { 0.6 } else { 1.0 };
    for pair in centres.windows(2) {
        for &(a, from) in &pair[0] {
            for &(b, to) in &pair[1] {
                if a.is_some() && b.is_some() {
                    out.line(from, to, "#B8B8B8", edge_width);
                }
            }
        }
    }
    for (i, column) in centres.iter().enumerate() {
        let colour = layer_colour(i, n);
        let (fill, stroke) = (svg::hex(svg::tint(colour, 0.25)), svg::hex(colour));
        for &(neuron, centre) in column {
            match neuron {
                Some(_) => out.circle(centre, radius, &fill, (&stroke, 1.5)),
                None => out.text(
                    "⋮",
                    centre,
                    AXIS_LABEL_PX * 1.3,
                    LABEL,
                    Align::Middle,
                    Baseline::Center,
                    false,
                ),
            }
        }
        let x = column_x(i);
        let layer = &d.layers[i];
        // Sizes and activations on one line under the tallest column.
        let bottom = middle + spacing * (slots - 1.0) / 2.0 + radius;
        out.text(
            &role(i, n),
            (x, TOP - 18.0),
            AXIS_LABEL_PX,
            INK,
            Align::Middle,
            Baseline::Bottom,
            false,
        );
        out.text(
            &size_label(layer.size, i == 0),
            (x, bottom + 10.0),
            TICK_PX,
            INK,
            Align::Middle,
            Baseline::Top,
            false,
        );
        if !layer.then.is_empty() {
            out.text(
                &layer.then.join(" · "),
                (x, bottom + 26.0),
                TICK_PX,
                &stroke,
                Align::Middle,
                Baseline::Top,
                false,
            );
        }
        // The Linear between this column and the one before, above the
        // connections.
        if i > 0 && !layer.via.is_empty() {
            let mid = (column_x(i - 1) + x) / 2.0;
            out.text(
                &format!("Linear {}", layer.via),
                (mid, TOP - 18.0),
                TICK_PX,
                MUTED,
                Align::Middle,
                Baseline::Bottom,
                false,
            );
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Dropout, ModuleInfo, ReLU, Sigmoid, Softmax};
    use crate::sequential;
    use std::any::Any;

    fn layers(fig: &Figure) -> &[Layer] {
        match &fig.kind {
            Kind::Network(d) => &d.layers,
            _ => panic!("not a network"),
        }
    }

    #[test]
    fn sizes_and_activations_come_from_the_model() {
        let model = sequential![
            Linear::new(1, 4),
            Sigmoid::new(),
            Linear::new(4, 6),
            Sigmoid::new(),
            Linear::new(6, 1)
        ];
        let fig = network(&model);
        let got: Vec<(usize, String, String)> = layers(&fig)
            .iter()
            .map(|l| (l.size, l.then.join(","), l.via.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (1, String::new(), String::new()),
                (4, "Sigmoid".into(), "[0]".into()),
                (6, "Sigmoid".into(), "[2]".into()),
                (1, String::new(), "[4]".into()),
            ]
        );
    }

    /// A module of its own, as `#[derive(Module)]` writes it, holding a
    /// nested `Sequential`.
    struct Classifier {
        body: crate::nn::Sequential,
        head: Linear,
        out: Softmax,
    }

    impl ModuleInfo for Classifier {
        fn class_name(&self) -> String {
            "Classifier".into()
        }
        fn named_children(&self) -> Vec<(String, &dyn Module)> {
            vec![
                ("body".into(), &self.body as &dyn Module),
                ("head".into(), &self.head),
                ("out".into(), &self.out),
            ]
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    impl Module for Classifier {
        fn forward(&self, x: &crate::Tensor) -> crate::Tensor {
            self.out.forward(&self.head.forward(&self.body.forward(x)))
        }
    }

    #[test]
    fn custom_modules_are_walked_depth_first() {
        let model = Classifier {
            body: sequential![
                Dropout::new(0.2),
                Linear::new(64, 32),
                ReLU::new(),
                Dropout::new(0.5)
            ],
            head: Linear::new(32, 10),
            out: Softmax::new(1),
        };
        let fig = network(&model);
        let l = layers(&fig);
        assert_eq!(l.iter().map(|l| l.size).collect::<Vec<_>>(), [64, 32, 10]);
        assert_eq!(l[0].then, ["Dropout"]);
        assert_eq!(l[1].then, ["ReLU", "Dropout"]);
        assert_eq!((l[1].via.as_str(), l[2].via.as_str()), ("body[1]", "head"));
        assert_eq!(l[2].then, ["Softmax"]);
        assert!(
            fig.title
                .starts_with("Classifier: 64 → 32 → 10, 2410 parameters")
        );
        // 64 and 32 neurons elided to 4 + 4 each, 10 drawn.
        let svg = fig.to_svg();
        assert_eq!(svg.matches("<circle").count(), 8 + 8 + 10);
        assert_eq!(svg.matches(">⋮</text>").count(), 2);
        assert_eq!(svg.matches("<line").count(), 8 * 8 + 8 * 10);
        assert!(svg.contains(">64 inputs</text>") && svg.contains(">32 neurons</text>"));
    }

    #[test]
    #[should_panic(expected = "[1] takes 5 inputs but the layer before it gives 4")]
    fn layers_must_chain() {
        network(&sequential![Linear::new(2, 4), Linear::new(5, 1)]);
    }

    #[test]
    #[should_panic(expected = "ReLU has no Linear layer to draw")]
    fn a_network_needs_a_linear_layer() {
        network(&ReLU::new());
    }

    #[test]
    fn paths_read_as_code() {
        assert_eq!(reach("net.0"), "net[0]");
        assert_eq!(reach("0"), "[0]");
        assert_eq!(reach("fc1"), "fc1");
        assert_eq!(reach("blocks.1.fc"), "blocks[1].fc");
    }

    #[test]
    fn large_layers_are_elided() {
        assert_eq!(drawn(3), [Some(0), Some(1), Some(2)]);
        assert_eq!(drawn(10).len(), 10);
        let d = drawn(100);
        assert_eq!(d.len(), 9);
        assert_eq!((d[3], d[4], d[5]), (Some(3), None, Some(96)));
    }
}

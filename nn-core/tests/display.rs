//! The notebook bundles as a user's crate sees them: `#[derive(Module)]`
//! structs render their summary, figures are SVG with the expected series,
//! and every HTML output parses.

use nn_core::prelude::*;

/// Parses `html` (wrapped in one root) or fails with the parser's message.
fn parse(html: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(html).unwrap_or_else(|e| panic!("not well-formed: {e}\n{html}"))
}

/// The text of each `<tag>` element of `html`, in order.
fn texts(html: &str, tag: &str) -> Vec<String> {
    let wrapped = format!("<root>{html}</root>");
    let doc = parse(&wrapped);
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .map(|n| {
            n.descendants()
                .filter_map(|d| d.is_text().then(|| d.text()).flatten())
                .collect()
        })
        .collect()
}

#[derive(Module)]
struct Block {
    fc: Linear,
    act: ReLU,
}

impl Module for Block {
    fn forward(&self, x: &Tensor) -> Tensor {
        self.act.forward(&self.fc.forward(x))
    }
}

#[derive(Module)]
struct Net {
    body: Sequential,
    block: Block,
    scale: Tensor,
}

impl Module for Net {
    fn forward(&self, x: &Tensor) -> Tensor {
        self.block.forward(&self.body.forward(x)) * &self.scale
    }
}

fn net() -> Net {
    manual_seed(0);
    Net {
        body: sequential![Linear::new(2, 8), Tanh::new()],
        block: Block {
            fc: Linear::new(8, 3),
            act: ReLU::new(),
        },
        scale: Tensor::parameter_with(Tensor::ones([3]), false),
    }
}

#[test]
fn derived_module_renders_torch_text_and_summary() {
    let net = net();
    let bundle = net.mime_bundle();
    assert_eq!(bundle.text(), net.to_string());
    let html = bundle.get("text/html").unwrap();
    let td = texts(html, "td");
    let rows: Vec<&[String]> = td.chunks(3).collect();
    let layers: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        &layers[..7],
        [
            "Net",
            "├─(body): Sequential",
            "│ ├─(0): Linear(in_features=2, out_features=8, bias=True)",
            "│ └─(1): Tanh",
            "└─(block): Block",
            "  ├─(fc): Linear(in_features=8, out_features=3, bias=True)",
            "  └─(act): ReLU",
        ]
    );
    // Inside a Sequential, Tanh has its input's 8 features; outside one
    // the order of forward is unknown, so ReLU shows —.
    assert_eq!(rows[3], ["│ └─(1): Tanh", "8", "—"]);
    assert_eq!(rows[6], ["  └─(act): ReLU", "—", "—"]);
    // The root's own parameter (frozen) is counted on its row and in totals.
    assert_eq!(rows[0], ["Net", "—", "3"]);
    let n = td.len();
    assert_eq!(
        &td[n - 6..],
        [
            "Total params",
            "54",
            "Trainable params",
            "51",
            "Non-trainable params",
            "3"
        ]
    );
}

#[test]
fn module_behind_a_reference_or_box_renders() {
    let net = net();
    let as_dyn: &dyn Module = &net;
    assert_eq!(as_dyn.mime_bundle(), net.mime_bundle());
    let boxed: Box<dyn Module> = Box::new(ReLU::new());
    assert_eq!(boxed.mime_bundle().text(), "ReLU()");
}

#[test]
fn tensor_bundle_is_torch_text_and_a_table() {
    manual_seed(0);
    let x = Tensor::randn([3, 4]);
    let bundle = x.mime_bundle();
    assert_eq!(bundle.text(), x.to_string());
    let html = bundle.get("text/html").unwrap();
    let cells = texts(html, "td");
    // The cells are torch's printed numbers, row by row.
    let printed: Vec<String> = x
        .to_string()
        .replace(['[', ']', '\n'], " ")
        .trim_start_matches("tensor(")
        .trim_end_matches(')')
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(cells, printed);
}

#[test]
fn figure_svg_parses_and_holds_the_series() {
    let x = Tensor::linspace(-3.0, 3.0, 31);
    let fig = plot::line(&x, &x.tanh())
        .label("tanh")
        .scatter(&x, &x.sigmoid())
        .label("sigmoid")
        .title("Two series")
        .x_label("x")
        .y_label("y");
    let bundle = fig.mime_bundle();
    assert_eq!(bundle.text(), "<Figure 640x400: Two series>");
    let svg = bundle.get("image/svg+xml").unwrap();
    let doc = parse(svg);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("640"));
    let text: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    for label in ["Two series", "x", "y", "tanh", "sigmoid"] {
        assert!(text.contains(&label), "{label} missing from {text:?}");
    }
    // The line in the first colour (31 points, simplified but still curved),
    // 31 dots in the second.
    let tanh_line = doc
        .descendants()
        .find(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some("#1F77B4"))
        .expect("the tanh line");
    let points = tanh_line
        .attribute("points")
        .unwrap()
        .split_whitespace()
        .count();
    assert!((5..=31).contains(&points), "{points} points");
    let dots = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle") && n.attribute("fill") == Some("#FF7F0E"))
        .count();
    assert_eq!(dots, 31 + 1, "31 points and the legend's mark");
}

#[test]
fn activation_plots_for_the_course() {
    for (name, fig) in [
        ("ReLU", plot::activation(F::relu, -5.0..5.0)),
        ("Sigmoid", plot::activation(F::sigmoid, -6.0..6.0)),
        ("Tanh", plot::activation(F::tanh, -4.0..4.0)),
        (
            "LeakyReLU",
            plot::activation_named("LeakyReLU", |x| F::leaky_relu(x, 0.1), -5.0..5.0),
        ),
    ] {
        let svg = fig.to_svg();
        let doc = parse(&svg);
        let text: Vec<&str> = doc
            .descendants()
            .filter_map(|n| n.has_tag_name("text").then(|| n.text()).flatten())
            .collect();
        assert!(text.contains(&name), "{name}: {text:?}");
        assert!(text.contains(&format!("{name}(x)").as_str()));
        assert!(text.contains(&format!("{name}′(x)  (autograd)").as_str()));
    }
}

#[test]
fn progress_line_and_live_plot_in_a_training_loop() {
    manual_seed(0);
    let model = Linear::new(1, 1);
    let x = Tensor::linspace(-1.0, 1.0, 20).reshape([20, 1]);
    let y = &x * 3.0 - 0.5;
    let loss_fn = MSELoss::new();
    let mut opt = SGD::new(model.parameters(), 0.1);
    let bar = ProgressBar::new().label("fit").live_plot(10);
    for _ in bar.iter(0..60) {
        opt.zero_grad();
        let loss = loss_fn.forward(&model.forward(&x), &y);
        loss.backward();
        opt.step();
        bar.set_loss(loss.item());
    }
    assert_eq!(bar.position(), 60);
    let line = bar.line();
    assert!(line.starts_with("fit: 100%|██████████| 60/60 ["), "{line}");
    assert!(line.contains("loss="), "{line}");
    let html = bar.mime_bundle().get("text/html").unwrap().to_owned();
    parse(&format!("<root>{html}</root>"));
    let svg = bar.figure().unwrap().to_svg();
    parse(&svg);
    assert!(svg.contains(">Training loss</text>"));
}

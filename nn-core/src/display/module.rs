//! How a notebook shows a model: torch's repr as `text/plain`, and as
//! `text/html` a torchinfo-style summary — torch's tree of modules, each
//! layer's output features where the structure tells them, its parameter
//! count, and the totals.

use super::html::{self, BORDER, MONO, MONO_SIZE, MUTED, SANS, SHADE, TEXT, escape};
use crate::nn::{
    AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d, Conv2d, Dropout, Dropout2d,
    Embedding, Flatten, Identity, LayerNorm, LeakyReLU, Linear, MaxPool2d, Module, ModuleDict,
    ModuleList, ReLU, Sequential, Sigmoid, Softmax, Tanh,
};
use crate::notebook::{MimeBundle, Render};
use std::fmt::Write as _;

/// The bundle of any module: `text/plain` is torch's `repr(model)`,
/// `text/html` the summary table.
///
/// Built-in layers and `#[derive(Module)]` structs implement [`Render`] with
/// this; a hand-written module type does the same in one line:
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::nn::ModuleInfo;
/// use std::any::Any;
///
/// struct Square;
/// impl ModuleInfo for Square {
///     fn class_name(&self) -> String { "Square".into() }
///     fn as_any(&self) -> &dyn Any { self }
/// }
/// impl Module for Square {
///     fn forward(&self, x: &Tensor) -> Tensor { x * x }
/// }
/// impl Render for Square {
///     fn mime_bundle(&self) -> MimeBundle { nn_core::display::module_bundle(self) }
/// }
/// nn_core::evcxr_display!(Square);
///
/// assert_eq!(Square.mime_bundle().text(), "Square()");
/// ```
pub fn module_bundle(module: &dyn Module) -> MimeBundle {
    MimeBundle::new(module.repr()).with_html(summary_html(module))
}

/// `net[0]`, a `Box<dyn Module>`'s contents, any module behind a trait
/// object.
///
/// ```
/// use nn_core::prelude::*;
/// let net = sequential![Linear::new(2, 3), ReLU::new()];
/// assert_eq!(net[0].mime_bundle().text(), "Linear(in_features=2, out_features=3, bias=True)");
/// ```
impl Render for dyn Module {
    fn mime_bundle(&self) -> MimeBundle {
        module_bundle(self)
    }
}

crate::evcxr_display!(dyn Module);

/// [`Render`] through [`module_bundle`] and a cell's last expression showing
/// it, for built-in layers. A new layer type is added to the list below.
macro_rules! render_modules {
    ($($t:ty),* $(,)?) => {$(
        /// The module's repr and its summary table ([`module_bundle`]).
        impl Render for $t {
            fn mime_bundle(&self) -> MimeBundle {
                module_bundle(self)
            }
        }
        crate::evcxr_display!($t);
    )*};
}

render_modules!(
    Linear, ReLU, Sigmoid, Tanh, LeakyReLU, Softmax, Dropout, Flatten, Identity, Sequential,
    ModuleList, ModuleDict
);

render_modules!(
    Conv1d,
    Conv2d,
    MaxPool2d,
    AvgPool2d,
    AdaptiveAvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    LayerNorm,
    Dropout2d,
    Embedding
);

/// Layers whose output has the shape of their input (so, in a
/// [`Sequential`], the features of the layer before them). Matched by torch's
/// class name, so that layers added later are covered by their name.
const SHAPE_PRESERVING: &[&str] = &[
    "ReLU",
    "Sigmoid",
    "Tanh",
    "LeakyReLU",
    "Softmax",
    "LogSoftmax",
    "Dropout",
    "Identity",
    "GELU",
    "ELU",
    "SiLU",
    "Softplus",
    "Hardtanh",
    "ReLU6",
    "Mish",
    "BatchNorm1d",
    "BatchNorm2d",
    "Dropout2d",
    "LayerNorm",
];

/// One line of the summary.
struct Row {
    /// The tree drawing before the name: `├─`, `│ └─`, ….
    prefix: String,
    /// `(0): ` for a child, empty for the root.
    name: String,
    class: String,
    extra: String,
    /// Output features, if the structure tells them.
    features: Option<usize>,
    /// Elements of the module's own parameters.
    params: usize,
    /// `weight [3, 2], bias [3]`, shown on hover.
    shapes: String,
    has_children: bool,
}

/// The rows of `module` and its descendants, depth first. `input` is the
/// number of features coming in, when known (inside a `Sequential`).
fn collect_rows(
    module: &dyn Module,
    name: String,
    prefix: String,
    child_prefix: &str,
    input: Option<usize>,
    rows: &mut Vec<Row>,
) -> Option<usize> {
    let own = module.own_parameters();
    let index = rows.len();
    rows.push(Row {
        prefix,
        name,
        class: module.class_name(),
        extra: module.extra_repr(),
        features: None,
        params: own.iter().map(|(_, p)| p.numel()).sum(),
        shapes: own
            .iter()
            .map(|(n, p)| {
                let dims: Vec<String> = p.shape().iter().map(usize::to_string).collect();
                format!("{n} [{}]", dims.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", "),
        has_children: false,
    });
    let children = module.named_children();
    let is_sequential = module.downcast_ref::<Sequential>().is_some();
    let mut features = input;
    let count = children.len();
    for (i, (child_name, child)) in children.into_iter().enumerate() {
        let last = i + 1 == count;
        let branch = if last { "└─" } else { "├─" };
        let below = if last { "  " } else { "│ " };
        // Inside a Sequential each child gets the previous one's output;
        // elsewhere the order of `forward` is unknown.
        let child_input = if is_sequential { features } else { None };
        let out = collect_rows(
            child,
            format!("({child_name}): "),
            format!("{child_prefix}{branch}"),
            &format!("{child_prefix}{below}"),
            child_input,
            rows,
        );
        if is_sequential {
            features = out;
        }
    }
    rows[index].has_children = count > 0;
    let output = if let Some(linear) = module.downcast_ref::<Linear>() {
        Some(linear.out_features)
    } else if is_sequential {
        features
    } else if count == 0 && SHAPE_PRESERVING.contains(&rows[index].class.as_str()) {
        input
    } else {
        None
    };
    rows[index].features = output;
    output
}

/// The torchinfo-style table.
fn summary_html(module: &dyn Module) -> String {
    let mut rows = Vec::new();
    collect_rows(module, String::new(), String::new(), "", None, &mut rows);
    let total = module.num_parameters();
    let trainable = module.num_trainable_parameters();

    let mut out = String::with_capacity(512 + rows.len() * 400);
    let _ = write!(
        out,
        "<div style=\"font-family: {SANS}; color: {TEXT}; overflow-x: auto; max-width: 100%;\">\
         <table style=\"border-collapse: collapse; border: 1px solid {BORDER}; margin: 0; color: {TEXT}; \
         font-size: {MONO_SIZE};\">"
    );
    let head = format!(
        "padding: 3px 10px; background: {SHADE}; color: {TEXT}; font-weight: 600; border: none; \
         border-bottom: 1px solid {BORDER};"
    );
    let _ = write!(
        out,
        "<thead><tr><th style=\"{head} text-align: left;\">Layer (type)</th>\
         <th style=\"{head} text-align: right;\">Output features</th>\
         <th style=\"{head} text-align: right;\">Param #</th></tr></thead><tbody>"
    );
    let cell = "padding: 1px 10px; border: none; background: transparent; vertical-align: top;";
    for row in &rows {
        let _ = write!(
            out,
            "<tr><td style=\"{cell} text-align: left; white-space: pre; font-family: {MONO};\">\
             <span style=\"color: {MUTED};\">{}</span>{}<span style=\"font-weight: 600;\">{}</span>",
            escape(&row.prefix),
            escape(&row.name),
            escape(&row.class)
        );
        if !row.extra.is_empty() {
            let _ = write!(
                out,
                "<span style=\"color: {MUTED};\">({})</span>",
                escape(&row.extra.replace('\n', ", "))
            );
        }
        out.push_str("</td>");
        let features = match row.features {
            Some(n) => html::thousands(n),
            None => "—".to_owned(),
        };
        let features_colour = if row.features.is_some() { TEXT } else { MUTED };
        let _ = write!(
            out,
            "<td style=\"{cell} text-align: right; font-family: {MONO}; color: {features_colour};\">{features}</td>"
        );
        let (params, colour) = if row.params > 0 {
            (html::thousands(row.params), TEXT)
        } else {
            ("—".to_owned(), MUTED)
        };
        let title = if row.shapes.is_empty() {
            String::new()
        } else {
            format!(" title=\"{}\"", escape(&row.shapes))
        };
        let _ = write!(
            out,
            "<td style=\"{cell} text-align: right; font-family: {MONO}; color: {colour};\"{title}>{params}</td></tr>"
        );
    }
    out.push_str("</tbody><tfoot>");
    let totals = [
        ("Total params", total),
        ("Trainable params", trainable),
        ("Non-trainable params", total - trainable),
    ];
    for (i, (label, n)) in totals.into_iter().enumerate() {
        let border = if i == 0 {
            format!(" border-top: 1px solid {BORDER};")
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<tr><td colspan=\"2\" style=\"{cell}{border} text-align: left; color: {MUTED};\">{label}</td>\
             <td style=\"{cell}{border} text-align: right; font-family: {MONO};\">{}</td></tr>",
            html::thousands(n)
        );
    }
    out.push_str("</tfoot></table></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::tests::{assert_well_formed, cell_texts};
    use crate::nn::Module;
    use crate::sequential;

    #[test]
    fn text_plain_is_torchs_repr() {
        let net = sequential![
            Linear::new(1, 4),
            Sigmoid::new(),
            Linear::new(4, 6),
            Sigmoid::new(),
            Linear::new(6, 1)
        ];
        assert_eq!(net.mime_bundle().text(), net.repr());
        assert_eq!(net.mime_bundle().text(), net.to_string());
        let relu = ReLU::new();
        assert_eq!(relu.mime_bundle().text(), "ReLU()");
        let boxed: Box<dyn Module> = Box::new(Linear::new(2, 3));
        assert_eq!(
            boxed.mime_bundle().text(),
            "Linear(in_features=2, out_features=3, bias=True)"
        );
    }

    #[test]
    fn summary_of_a_sequential() {
        let net = sequential![
            Linear::new(1, 4),
            Sigmoid::new(),
            Linear::new(4, 6),
            Sigmoid::new(),
            Linear::new(6, 1)
        ];
        let html = net.mime_bundle().get("text/html").unwrap().to_owned();
        assert_well_formed(&html);
        let td = cell_texts(&html, "td");
        // Layer, output features, params; then the three totals.
        let expected = [
            ["Sequential", "1", "—"],
            [
                "├─(0): Linear(in_features=1, out_features=4, bias=True)",
                "4",
                "8",
            ],
            ["├─(1): Sigmoid", "4", "—"],
            [
                "├─(2): Linear(in_features=4, out_features=6, bias=True)",
                "6",
                "30",
            ],
            ["├─(3): Sigmoid", "6", "—"],
            [
                "└─(4): Linear(in_features=6, out_features=1, bias=True)",
                "1",
                "7",
            ],
        ];
        let rows: Vec<&[String]> = td.chunks(3).collect();
        for (row, want) in rows.iter().zip(expected) {
            assert_eq!(*row, want);
        }
        assert_eq!(
            &td[18..],
            [
                "Total params",
                "45",
                "Trainable params",
                "45",
                "Non-trainable params",
                "0"
            ]
        );
        assert!(html.contains("title=\"weight [4, 1], bias [4]\""));
    }
}

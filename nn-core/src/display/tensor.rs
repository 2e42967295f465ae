//! How a notebook shows a [`Tensor`], its [`Size`] and its [`DType`].
//!
//! `text/plain` is torch's `repr`, exactly what `print(x)` shows. `text/html`
//! is a header (shape, dtype, autograd state, `Parameter`) over a table for
//! 0-D, 1-D and 2-D tensors, or over the text for more dimensions.
//!
//! The table's cells are read back from that same text, so they show what
//! torch prints — the same precision, integer or scientific mode and
//! summarization (`...` above `threshold` elements, `edgeitems` at each end)
//! under the session's [`PrintOptions`](crate::PrintOptions) — with no second
//! formatter to drift from the first.

use super::html::{self, BORDER, MONO, MONO_SIZE, MUTED, SANS, SHADE, TEXT, escape};
use crate::dtype::DType;
use crate::notebook::{MimeBundle, Render};
use crate::print::{PrintOptions, get_printoptions};
use crate::size::Size;
use crate::tensor::Tensor;
use std::fmt::Write as _;

/// `text/plain`: torch's repr. `text/html`: a header and a table.
///
/// ```
/// use nn_core::prelude::*;
///
/// let x = tensor![[1.0, -1.0], [0.0, 1.0]].requires_grad_(true);
/// let bundle = x.mime_bundle();
/// assert_eq!(bundle.text(), x.to_string());
/// let html = bundle.get("text/html").unwrap();
/// assert!(html.contains("[2, 2]") && html.contains("float32") && html.contains("requires_grad"));
/// assert!(html.contains("<table"));
/// ```
impl Render for Tensor {
    fn mime_bundle(&self) -> MimeBundle {
        let text = self.to_string();
        let html = tensor_html(self, &text);
        MimeBundle::new(text).with_html(html)
    }
}

/// `text/plain`: `torch.Size([3, 5])`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(Size::from([3, 5]).mime_bundle().text(), "torch.Size([3, 5])");
/// ```
impl Render for Size {
    fn mime_bundle(&self) -> MimeBundle {
        MimeBundle::new(self.to_string())
    }
}

/// `text/plain`: `torch.float32`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(DType::Float32.mime_bundle().text(), "torch.float32");
/// ```
impl Render for DType {
    fn mime_bundle(&self) -> MimeBundle {
        MimeBundle::new(self.to_string())
    }
}

crate::evcxr_display!(Tensor, Size, DType);

/// The whole `text/html` of a tensor whose repr is `text`, under the
/// session's print options.
fn tensor_html(t: &Tensor, text: &str) -> String {
    tensor_html_with(t, text, &get_printoptions())
}

/// [`tensor_html`] for `text` printed under `options`.
fn tensor_html_with(t: &Tensor, text: &str, options: &PrintOptions) -> String {
    let shape = t.shape().to_vec();
    let mut out = String::with_capacity(256 + text.len() * 3);
    let _ = write!(
        out,
        "<div style=\"font-family: {SANS}; color: {TEXT}; line-height: 1.4; max-width: 100%;\">"
    );
    header(&mut out, t, &shape, options.threshold);
    let body = parse_body(text);
    let numel: usize = shape.iter().product();
    let table = match (shape.len(), &body) {
        (_, _) if numel == 0 => None,
        (0, Some(value @ Node::Value(_))) => Some(Grid::scalar(value)),
        (1, Some(Node::List(items))) => Grid::vector(items, shape[0], options.linewidth),
        (2, Some(Node::List(rows))) => Grid::matrix(rows, shape[0], shape[1]),
        _ => None,
    };
    match table {
        Some(grid) => grid.write(&mut out),
        None => {
            // Empty tensors and three or more dimensions: torch's text.
            let _ = write!(
                out,
                "<pre style=\"margin: 4px 0 0 0; font-family: {MONO}; font-size: {MONO_SIZE}; \
                 color: {TEXT}; background: transparent;\">{}</pre>",
                escape(text)
            );
        }
    }
    out.push_str("</div>");
    out
}

/// `tensor [2, 3] float32 requires_grad`, and `Parameter` or `grad_fn=<…>`.
fn header(out: &mut String, t: &Tensor, shape: &[usize], threshold: usize) {
    let _ = write!(out, "<div style=\"font-size: 0.92em; color: {MUTED};\">");
    let kind = if t.is_parameter() {
        "Parameter"
    } else {
        "tensor"
    };
    let _ = write!(
        out,
        "<span style=\"font-weight: 600; color: {TEXT};\">{kind}</span>"
    );
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let _ = write!(
        out,
        "<span style=\"margin-left: 6px; font-family: {MONO};\">[{}]</span>",
        dims.join(", ")
    );
    html::badge(out, t.dtype().name(), false);
    if let Some(grad_fn) = t.grad_fn() {
        html::badge(out, &format!("grad_fn=<{}>", grad_fn.name()), true);
    } else if t.requires_grad() {
        html::badge(out, "requires_grad", true);
    }
    let numel = t.numel();
    if numel > threshold {
        let _ = write!(
            out,
            "<span style=\"margin-left: 6px;\">{} elements, summarized</span>",
            html::thousands(numel)
        );
    }
    out.push_str("</div>");
}

/// The body of torch's text, read back: a value (`-0.5000`, `1.0000e+00`,
/// `True`), the `...` of a summarized dimension, or a bracketed list.
#[derive(Debug, PartialEq)]
enum Node<'a> {
    Value(&'a str),
    Ellipsis,
    List(Vec<Node<'a>>),
}

/// Parses what follows `tensor(` in a repr, up to the end of the first value
/// or the bracket that closes the outermost list. `None` if the text is not
/// of that form.
fn parse_body(repr: &str) -> Option<Node<'_>> {
    let start = repr.find("tensor(")? + "tensor(".len();
    let mut tokens = Tokens {
        rest: &repr[start..],
    };
    parse_node(&mut tokens, 0)
}

/// Nesting deeper than this is not a tensor torch printed (and keeps the
/// recursion bounded).
const MAX_DEPTH: usize = 64;

fn parse_node<'a>(tokens: &mut Tokens<'a>, depth: usize) -> Option<Node<'a>> {
    match tokens.next()? {
        "[" if depth < MAX_DEPTH => {
            let mut items = Vec::new();
            loop {
                match tokens.peek()? {
                    "]" => {
                        tokens.next();
                        return Some(Node::List(items));
                    }
                    "," => {
                        tokens.next();
                    }
                    _ => items.push(parse_node(tokens, depth + 1)?),
                }
            }
        }
        "..." => Some(Node::Ellipsis),
        "[" | "]" | "," => None,
        value => Some(Node::Value(value)),
    }
}

/// Splits torch's text into `[`, `]`, `,` and words (values and `...`),
/// skipping spaces and line breaks.
struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    fn peek(&self) -> Option<&'a str> {
        let s = self.rest.trim_start();
        let first = s.chars().next()?;
        if matches!(first, '[' | ']' | ',') {
            return Some(&s[..1]);
        }
        let end = s
            .find(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | ',' | ')'))
            .unwrap_or(s.len());
        (end > 0).then(|| &s[..end])
    }

    fn next(&mut self) -> Option<&'a str> {
        let token = self.peek()?;
        let s = self.rest.trim_start();
        self.rest = &s[token.len()..];
        Some(token)
    }
}

/// A cell of the table: a value, or a marker for hidden values.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Cell<'a> {
    Value(&'a str),
    /// `…`: columns hidden by summarization.
    Across,
    /// `⋮`: rows hidden by summarization.
    Down,
    /// `⋱`: where hidden rows meet hidden columns.
    Diagonal,
}

/// What the HTML table shows: optional column indices, rows with optional
/// labels.
struct Grid<'a> {
    columns: Option<Vec<String>>,
    rows: Vec<(Option<String>, Vec<Cell<'a>>)>,
}

/// The index labels of a dimension of `len` items of which `cells` are
/// shown, `Ellipsis` marking the hidden middle: `0 1 2 … 997 998 999`.
fn index_labels(cells: &[bool], len: usize) -> Vec<String> {
    let shown = cells.iter().filter(|&&is_value| is_value).count();
    let before = cells.iter().take_while(|&&is_value| is_value).count();
    let after = shown - before;
    let mut labels: Vec<String> = (0..before).map(|i| i.to_string()).collect();
    if before < cells.len() {
        labels.push("…".to_owned());
        labels.extend((len.saturating_sub(after)..len).map(|i| i.to_string()));
    }
    labels
}

/// Cells per table row for a 1-D tensor: as many as torch puts on one line
/// (`(linewidth - len("tensor(")) / (width + 2)`), so a long vector wraps as
/// its text does.
fn per_row(cells: &[Cell<'_>], linewidth: usize) -> usize {
    let width = cells
        .iter()
        .map(|c| match c {
            Cell::Value(v) => v.chars().count(),
            _ => 3,
        })
        .max()
        .unwrap_or(1);
    (linewidth.saturating_sub("tensor(".len()) / (width + 2)).max(1)
}

impl<'a> Grid<'a> {
    fn scalar(value: &Node<'a>) -> Grid<'a> {
        let cell = match value {
            Node::Value(v) => Cell::Value(v),
            _ => Cell::Across,
        };
        Grid {
            columns: None,
            rows: vec![(None, vec![cell])],
        }
    }

    fn vector(items: &[Node<'a>], len: usize, linewidth: usize) -> Option<Grid<'a>> {
        let cells = row_cells(items)?;
        if !cells.iter().any(|c| matches!(c, Cell::Value(_))) {
            return None;
        }
        let is_value: Vec<bool> = cells.iter().map(|c| matches!(c, Cell::Value(_))).collect();
        let labels = index_labels(&is_value, len);
        let width = per_row(&cells, linewidth);
        if cells.len() <= width {
            return Some(Grid {
                columns: Some(labels),
                rows: vec![(None, cells)],
            });
        }
        // Wrapped like the text, each row labelled with its first index.
        let rows = cells
            .chunks(width)
            .zip(labels.chunks(width))
            .map(|(chunk, labels)| (Some(labels[0].clone()), chunk.to_vec()))
            .collect();
        Some(Grid {
            columns: None,
            rows,
        })
    }

    fn matrix(rows: &[Node<'a>], n_rows: usize, n_cols: usize) -> Option<Grid<'a>> {
        let mut parsed: Vec<Option<Vec<Cell<'a>>>> = Vec::with_capacity(rows.len());
        for row in rows {
            parsed.push(match row {
                Node::List(items) => Some(row_cells(items)?),
                Node::Ellipsis => None,
                Node::Value(_) => return None,
            });
        }
        let first = parsed.iter().flatten().next()?;
        if !first.iter().any(|c| matches!(c, Cell::Value(_))) {
            return None;
        }
        if parsed.iter().flatten().any(|r| r.len() != first.len()) {
            return None;
        }
        let is_value: Vec<bool> = first.iter().map(|c| matches!(c, Cell::Value(_))).collect();
        let columns = index_labels(&is_value, n_cols);
        let row_is_value: Vec<bool> = parsed.iter().map(Option::is_some).collect();
        let row_labels = index_labels(&row_is_value, n_rows);
        let rows = parsed
            .into_iter()
            .zip(row_labels)
            .map(|(row, label)| {
                let cells = row.unwrap_or_else(|| {
                    is_value
                        .iter()
                        .map(|&v| if v { Cell::Down } else { Cell::Diagonal })
                        .collect()
                });
                (Some(label), cells)
            })
            .collect();
        Some(Grid {
            columns: Some(columns),
            rows,
        })
    }

    fn write(&self, out: &mut String) {
        let has_row_labels = self.rows.iter().any(|(label, _)| label.is_some());
        let _ = write!(
            out,
            "<div style=\"overflow-x: auto; margin-top: 4px;\"><table style=\"border-collapse: collapse; \
             border: 1px solid {BORDER}; font-family: {MONO}; font-size: {MONO_SIZE}; \
             font-variant-numeric: tabular-nums; margin: 0; color: {TEXT};\">"
        );
        let index_style = format!(
            "padding: 1px 8px; text-align: right; color: {MUTED}; background: {SHADE}; \
             font-weight: normal; font-size: 0.85em; border: none;"
        );
        if let Some(columns) = &self.columns {
            out.push_str("<thead><tr>");
            if has_row_labels {
                let _ = write!(out, "<th style=\"{index_style}\"></th>");
            }
            for label in columns {
                let _ = write!(out, "<th style=\"{index_style}\">{}</th>", escape(label));
            }
            out.push_str("</tr></thead>");
        }
        out.push_str("<tbody>");
        let cell_style = "padding: 1px 8px; text-align: right; white-space: pre; border: none; background: transparent;";
        let marker_style = format!("{cell_style} color: {MUTED};");
        for (label, cells) in &self.rows {
            out.push_str("<tr>");
            if has_row_labels {
                let label = label.as_deref().unwrap_or("");
                let _ = write!(out, "<th style=\"{index_style}\">{}</th>", escape(label));
            }
            for cell in cells {
                match cell {
                    Cell::Value(v) => {
                        let _ = write!(out, "<td style=\"{cell_style}\">{}</td>", escape(v));
                    }
                    marker => {
                        let symbol = match marker {
                            Cell::Across => "…",
                            Cell::Down => "⋮",
                            _ => "⋱",
                        };
                        let _ = write!(out, "<td style=\"{marker_style}\">{symbol}</td>");
                    }
                }
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></div>");
    }
}

/// The cells of one printed row: values and the `...` of hidden columns.
/// `None` if the row holds anything else (a nested list).
fn row_cells<'a>(items: &[Node<'a>]) -> Option<Vec<Cell<'a>>> {
    items
        .iter()
        .map(|item| match item {
            Node::Value(v) => Some(Cell::Value(v)),
            Node::Ellipsis => Some(Cell::Across),
            Node::List(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::tests::{assert_well_formed, cell_texts};
    use crate::tensor;

    #[test]
    fn text_plain_is_torchs_repr() {
        let cases = [
            tensor![[1.0, -1.0], [0.0, 1.0], [0.0, 0.0]],
            Tensor::scalar(2.5),
            tensor![1, 2, 3],
            Tensor::ones([3]).requires_grad_(true),
            Tensor::parameter(tensor![0.5, -0.25]),
            Tensor::arange(24).reshape([2, 3, 4]),
            Tensor::zeros([0, 3]),
        ];
        for t in cases {
            assert_eq!(t.mime_bundle().text(), t.to_string());
            assert_eq!(
                t.mime_bundle().mime_types().collect::<Vec<_>>(),
                ["text/plain", "text/html"]
            );
        }
    }

    #[test]
    fn matrix_table_shows_torchs_cells() {
        let x = tensor![[1.0, -1.0], [0.0, 1.0], [0.0, 0.0]];
        let html = x.mime_bundle().get("text/html").unwrap().to_owned();
        assert_well_formed(&html);
        assert_eq!(
            cell_texts(&html, "td"),
            ["1.", "-1.", "0.", "1.", "0.", "0."]
        );
        // Column indices, then one row index per row.
        assert_eq!(cell_texts(&html, "th"), ["", "0", "1", "0", "1", "2"]);
        assert!(html.contains(">tensor<") && html.contains(">[3, 2]<") && html.contains("float32"));
    }

    #[test]
    fn header_shows_autograd_state_and_parameter() {
        let w = Tensor::parameter(tensor![0.5, -0.25]);
        let html = w.mime_bundle().get("text/html").unwrap().to_owned();
        assert!(
            html.contains(">Parameter<") && html.contains("requires_grad"),
            "{html}"
        );
        let y = (&w * 2.0).sum();
        let html = y.mime_bundle().get("text/html").unwrap().to_owned();
        assert_well_formed(&html);
        assert!(html.contains("grad_fn=&lt;SumBackward0&gt;"), "{html}");
        assert!(
            !html.contains("requires_grad"),
            "grad_fn or requires_grad, never both"
        );
        assert_eq!(cell_texts(&html, "td"), ["0.5000"]);
    }

    #[test]
    fn summarized_matrix_has_ellipsis_rows_and_columns() {
        let x = Tensor::arange(40 * 40).reshape([40, 40]);
        let html = x.mime_bundle().get("text/html").unwrap().to_owned();
        assert_well_formed(&html);
        let th = cell_texts(&html, "th");
        // corner, 0 1 2 … 37 38 39, then row labels 0 1 2 … 37 38 39
        assert_eq!(&th[..8], ["", "0", "1", "2", "…", "37", "38", "39"]);
        assert_eq!(&th[8..], ["0", "1", "2", "…", "37", "38", "39"]);
        let td = cell_texts(&html, "td");
        assert_eq!(td.len(), 7 * 7);
        assert_eq!(&td[..7], ["0", "1", "2", "…", "37", "38", "39"]);
        assert_eq!(&td[21..28], ["⋮", "⋮", "⋮", "⋱", "⋮", "⋮", "⋮"]);
        assert_eq!(
            &td[42..],
            ["1560", "1561", "1562", "…", "1597", "1598", "1599"]
        );
        assert!(html.contains("1,600 elements, summarized"));
    }

    #[test]
    fn summarized_vector_follows_print_options() {
        let x = Tensor::arange(10);
        let options = PrintOptions {
            threshold: 5,
            edgeitems: 2,
            ..PrintOptions::default()
        };
        // torch's text under these options (the global options are left
        // alone: tests run in parallel).
        let html = tensor_html_with(&x, "tensor([0, 1,  ..., 8, 9])", &options);
        assert_well_formed(&html);
        assert!(html.contains("10 elements, summarized"));
        assert_eq!(cell_texts(&html, "th"), ["0", "1", "…", "8", "9"]);
        assert_eq!(cell_texts(&html, "td"), ["0", "1", "…", "8", "9"]);
        // edgeitems = 0 prints no value: the text is shown instead.
        let options = PrintOptions {
            threshold: 5,
            edgeitems: 0,
            ..PrintOptions::default()
        };
        let html = tensor_html_with(&x, "tensor([...], size=(10,))", &options);
        assert_well_formed(&html);
        assert!(html.contains("<pre") && html.contains("tensor([...], size=(10,))"));
    }

    #[test]
    fn long_vector_wraps_like_its_text() {
        let x = Tensor::arange(100).to_dtype(DType::Float32) / 3.0;
        let html = x.mime_bundle().get("text/html").unwrap().to_owned();
        assert_well_formed(&html);
        let td = cell_texts(&html, "td");
        assert_eq!(td.len(), 100);
        assert_eq!(td[1], "0.3333");
        // Rows of 8, as torch's lines, each labelled with its first index.
        assert_eq!(
            x.to_string().lines().next().unwrap().matches(',').count(),
            8
        );
        let th = cell_texts(&html, "th");
        assert_eq!(&th[..3], ["0", "8", "16"]);
        assert_eq!(th.len(), 13);
    }

    #[test]
    fn scientific_and_bool_cells() {
        let x = tensor![1e-8, 1.0, 1000.0];
        let html = x.mime_bundle().get("text/html").unwrap().to_owned();
        assert_eq!(
            cell_texts(&html, "td"),
            ["1.0000e-08", "1.0000e+00", "1.0000e+03"]
        );
        let b = tensor![true, false];
        let html = b.mime_bundle().get("text/html").unwrap().to_owned();
        assert_eq!(cell_texts(&html, "td"), ["True", "False"]);
        assert!(html.contains(">bool<"));
    }

    #[test]
    fn higher_dims_and_empty_tensors_show_their_text() {
        for t in [
            Tensor::arange(24).reshape([2, 3, 4]),
            Tensor::zeros([0, 3]),
            Tensor::zeros([0]),
        ] {
            let html = t.mime_bundle().get("text/html").unwrap().to_owned();
            assert_well_formed(&html);
            assert!(!html.contains("<table"), "{html}");
            assert!(html.contains(&escape(&t.to_string())), "{html}");
        }
    }

    #[test]
    fn float64_and_nonfinite_values() {
        let x = Tensor::from_vec(vec![f64::NAN, f64::INFINITY, -0.5], [3]);
        let html = x.mime_bundle().get("text/html").unwrap().to_owned();
        assert_eq!(cell_texts(&html, "td"), ["nan", "inf", "-0.5000"]);
        assert!(html.contains(">float64<"));
    }

    #[test]
    fn parser_reads_torchs_layout() {
        assert_eq!(parse_body("tensor(3.5000)"), Some(Node::Value("3.5000")));
        assert_eq!(
            parse_body("tensor([[ 1., -1.],\n        [ 0.,  1.]], requires_grad=True)"),
            Some(Node::List(vec![
                Node::List(vec![Node::Value("1."), Node::Value("-1.")]),
                Node::List(vec![Node::Value("0."), Node::Value("1.")]),
            ]))
        );
        assert_eq!(
            parse_body("tensor([0, 1,  ..., 8, 9])"),
            Some(Node::List(vec![
                Node::Value("0"),
                Node::Value("1"),
                Node::Ellipsis,
                Node::Value("8"),
                Node::Value("9"),
            ]))
        );
        assert_eq!(parse_body("tensor([1, 2"), None);
        assert_eq!(parse_body("no tensor here"), None);
    }

    #[test]
    fn size_and_dtype_are_text() {
        assert_eq!(
            Size::from([2, 3])
                .mime_bundle()
                .mime_types()
                .collect::<Vec<_>>(),
            ["text/plain"]
        );
        assert_eq!(DType::Int64.mime_bundle().text(), "torch.int64");
    }
}

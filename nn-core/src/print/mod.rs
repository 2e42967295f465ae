//! PyTorch's printing of tensors, byte for byte.
//!
//! The rules are those of torch 2.15 on CPU, written down in
//! `pytorch-reference/printing.md` (cited below as §N) and checked against the
//! 201 real torch outputs in `print-cases.json`:
//!
//! * [`options`]: [`PrintOptions`] and the session-wide setting (§12);
//! * [`pyfloat`]: Python's number formatting (§11), [`python_float_repr`];
//! * `formatter`: one mode and one column width per tensor (§3);
//! * `layout`: nested brackets, line breaking and summarization (§4, §6);
//! * `suffix`: `dtype=`, `requires_grad=`, `grad_fn=` and their wrapping (§5, §7).
//!
//! ```
//! use nn_core::print::{python_float_repr, with_printoptions, PrintOptions};
//!
//! // `.item()` of float32 0.1 prints like Python:
//! assert_eq!(python_float_repr(0.1f32 as f64), "0.10000000149011612");
//! // Options for a block of code, restored afterwards:
//! let p = with_printoptions(PrintOptions::short(), || nn_core::print::get_printoptions().precision);
//! assert_eq!(p, 2);
//! ```

mod formatter;
mod layout;
pub mod options;
pub mod pyfloat;
mod suffix;

#[cfg(test)]
mod cases_test;

pub use options::{PrintOptions, get_printoptions, set_printoptions, with_printoptions};
pub use pyfloat::python_float_repr;

use formatter::{Formatted, format_floats, format_texts};
use layout::{Layout, shown_indices};

/// Flat row-major values of a tensor, by dtype.
pub(crate) enum Values<'a> {
    F32(&'a [f32]),
    F64(&'a [f64]),
    I64(&'a [i64]),
    Bool(&'a [bool]),
}

impl Values<'_> {
    fn len(&self) -> usize {
        match self {
            Values::F32(v) => v.len(),
            Values::F64(v) => v.len(),
            Values::I64(v) => v.len(),
            Values::Bool(v) => v.len(),
        }
    }

    /// `str(t.dtype)`.
    fn dtype_name(&self) -> &'static str {
        match self {
            Values::F32(_) => "torch.float32",
            Values::F64(_) => "torch.float64",
            Values::I64(_) => "torch.int64",
            Values::Bool(_) => "torch.bool",
        }
    }

    /// Renders the elements at `shown` (printing.md §3). Values are converted
    /// once here (float32 widened exactly to f64, ints and bools to Python
    /// `str`) so that everything after is non-generic.
    fn format(&self, shown: &[usize], options: &PrintOptions) -> Formatted {
        match self {
            Values::F32(v) => {
                let wide: Vec<f64> = shown.iter().map(|&i| f64::from(v[i])).collect();
                format_floats(&wide, options)
            }
            Values::F64(v) => {
                let wide: Vec<f64> = shown.iter().map(|&i| v[i]).collect();
                format_floats(&wide, options)
            }
            Values::I64(v) => format_texts(shown.iter().map(|&i| v[i].to_string()).collect()),
            Values::Bool(v) => format_texts(
                shown
                    .iter()
                    .map(|&i| if v[i] { "True" } else { "False" }.to_owned())
                    .collect(),
            ),
        }
    }
}

/// What the printer needs to know about a tensor.
pub(crate) struct TensorText<'a> {
    /// The elements, flat and row-major; as many as the shape's product.
    pub values: Values<'a>,
    /// The sizes of the dimensions; empty for a 0-d tensor.
    pub shape: &'a [usize],
    /// Shows `requires_grad=True` when there is no `grad_fn`.
    pub requires_grad: bool,
    /// The autograd node's class name, e.g. `AddmmBackward0`.
    pub grad_fn: Option<&'a str>,
    /// `nn.Parameter`: adds the `Parameter containing:` line (§8).
    pub is_parameter: bool,
}

/// The text of `repr(t)` in PyTorch, under the current global print options.
pub(crate) fn tensor_repr(t: &TensorText<'_>) -> String {
    tensor_repr_with(t, &get_printoptions())
}

/// The prefix `tensor(`; its length is the base indent of every continuation
/// line (§2).
const PREFIX: &str = "tensor(";

/// The text of `repr(t)` in PyTorch under `options` (torch's `_str_intern`).
pub(crate) fn tensor_repr_with(t: &TensorText<'_>, options: &PrintOptions) -> String {
    let numel: usize = t.shape.iter().product();
    assert_eq!(
        t.values.len(),
        numel,
        "tensor of shape {:?} needs {numel} values",
        t.shape
    );
    let indent = PREFIX.len();

    let mut out = String::with_capacity(64 + numel.min(options.threshold.saturating_add(1)) * 10);
    if t.is_parameter {
        // Parameter.__repr__ puts this line before the ordinary repr; it does
        // not change the indentation or the wrapping below (§8).
        out.push_str("Parameter containing:\n");
    }
    out.push_str(PREFIX);

    let mut suffixes = Vec::new();
    if numel == 0 {
        // §5: body `[]`, the shape unless 1-D, and any dtype but float32.
        out.push_str("[]");
        if t.shape.len() != 1 {
            suffixes.push(format!("size={}", suffix::python_tuple(t.shape)));
        }
        if !matches!(t.values, Values::F32(_)) {
            suffixes.push(format!("dtype={}", t.values.dtype_name()));
        }
    } else {
        // torch adds the shape whenever edgeitems is 0 (§12).
        if options.edgeitems == 0 {
            suffixes.push(format!("size={}", suffix::python_tuple(t.shape)));
        }
        // §7: float32, int64 and bool are implicit for non-empty tensors.
        if matches!(t.values, Values::F64(_)) {
            suffixes.push(format!("dtype={}", t.values.dtype_name()));
        }
        write_body(&mut out, t, numel, indent, options);
    }
    // §7: grad_fn, else requires_grad, never both.
    if let Some(name) = t.grad_fn {
        suffixes.push(format!("grad_fn=<{name}>"));
    } else if t.requires_grad {
        suffixes.push("requires_grad=True".to_owned());
    }
    suffix::push_suffixes(&mut out, &suffixes, indent, options.linewidth);
    out
}

/// The body of a non-empty tensor (§3, §4, §6).
fn write_body(
    out: &mut String,
    t: &TensorText<'_>,
    numel: usize,
    indent: usize,
    options: &PrintOptions,
) {
    let summarize = numel > options.threshold;
    // With edgeitems = 0 a summarized body is `[...]` and shows no element, so
    // nothing needs formatting.
    let shown = if summarize && options.edgeitems == 0 && !t.shape.is_empty() {
        Vec::new()
    } else {
        shown_indices(t.shape, summarize, options.edgeitems)
    };
    let formatted = t.values.format(&shown, options);
    let layout = Layout {
        summarize,
        edgeitems: options.edgeitems,
        linewidth: options.linewidth,
        width: formatted.state.width,
    };
    let mut cells = formatted.cells.iter();
    layout.write(out, t.shape, indent, &mut cells);
    debug_assert!(
        cells.next().is_none(),
        "every shown element is written once"
    );
}

/// The formatter decisions torch would make for `t` (for checking against the
/// `formatter` field of the reference cases).
#[cfg(test)]
pub(crate) fn formatter_state(
    t: &TensorText<'_>,
    options: &PrintOptions,
) -> formatter::FormatterState {
    let numel: usize = t.shape.iter().product();
    let summarize = numel > options.threshold;
    t.values
        .format(
            &shown_indices(t.shape, summarize, options.edgeitems),
            options,
        )
        .state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(values: Values<'_>, shape: &[usize]) -> String {
        repr_with(values, shape, &PrintOptions::default())
    }

    fn repr_with(values: Values<'_>, shape: &[usize], o: &PrintOptions) -> String {
        let t = TensorText {
            values,
            shape,
            requires_grad: false,
            grad_fn: None,
            is_parameter: false,
        };
        tensor_repr_with(&t, o)
    }

    #[test]
    fn scalars() {
        assert_eq!(repr(Values::F32(&[3.5]), &[]), "tensor(3.5000)");
        assert_eq!(repr(Values::F32(&[3.0]), &[]), "tensor(3.)");
        assert_eq!(repr(Values::I64(&[5]), &[]), "tensor(5)");
        assert_eq!(repr(Values::Bool(&[true]), &[]), "tensor(True)");
        assert_eq!(repr(Values::F32(&[f32::NAN]), &[]), "tensor(nan)");
        assert_eq!(repr(Values::F32(&[-0.0]), &[]), "tensor(-0.)");
        assert_eq!(
            repr(Values::F64(&[2.5]), &[]),
            "tensor(2.5000, dtype=torch.float64)"
        );
    }

    #[test]
    fn int_mode_matrix() {
        let v = [1.0f32, -1.0, 0.0, 1.0, 0.0, 0.0];
        assert_eq!(
            repr(Values::F32(&v), &[3, 2]),
            "tensor([[ 1., -1.],\n        [ 0.,  1.],\n        [ 0.,  0.]])"
        );
    }

    #[test]
    fn dtype_suffix_only_for_float64_when_non_empty() {
        assert_eq!(repr(Values::I64(&[1, 2, 3]), &[3]), "tensor([1, 2, 3])");
        assert_eq!(
            repr(Values::Bool(&[true, false]), &[2]),
            "tensor([ True, False])"
        );
        assert_eq!(
            repr(Values::F64(&[0.5, 1.25]), &[2]),
            "tensor([0.5000, 1.2500], dtype=torch.float64)"
        );
    }

    #[test]
    fn empty_tensors() {
        assert_eq!(repr(Values::F32(&[]), &[0]), "tensor([])");
        assert_eq!(repr(Values::F32(&[]), &[0, 3]), "tensor([], size=(0, 3))");
        assert_eq!(
            repr(Values::F32(&[]), &[2, 0, 3]),
            "tensor([], size=(2, 0, 3))"
        );
        assert_eq!(
            repr(Values::I64(&[]), &[0]),
            "tensor([], dtype=torch.int64)"
        );
        assert_eq!(
            repr(Values::Bool(&[]), &[0]),
            "tensor([], dtype=torch.bool)"
        );
        assert_eq!(
            repr(Values::F64(&[]), &[0, 2]),
            "tensor([], size=(0, 2), dtype=torch.float64)"
        );
        let t = TensorText {
            values: Values::F32(&[]),
            shape: &[0],
            requires_grad: true,
            grad_fn: None,
            is_parameter: false,
        };
        assert_eq!(
            tensor_repr_with(&t, &PrintOptions::default()),
            "tensor([], requires_grad=True)"
        );
    }

    #[test]
    fn autograd_suffixes_and_parameter() {
        let w = [-0.3241f32, -0.2302, -0.3493, -0.4683, -0.2919, 0.4298];
        let leaf = TensorText {
            values: Values::F32(&w),
            shape: &[6],
            requires_grad: true,
            grad_fn: None,
            is_parameter: false,
        };
        assert_eq!(
            tensor_repr_with(&leaf, &PrintOptions::default()),
            "tensor([-0.3241, -0.2302, -0.3493, -0.4683, -0.2919,  0.4298],\n       requires_grad=True)"
        );
        let node = TensorText {
            grad_fn: Some("AddBackward0"),
            ..leaf
        };
        assert_eq!(
            tensor_repr_with(&node, &PrintOptions::default()),
            "tensor([-0.3241, -0.2302, -0.3493, -0.4683, -0.2919,  0.4298],\n       grad_fn=<AddBackward0>)"
        );
        let p = TensorText {
            values: Values::F32(&[1.5]),
            shape: &[],
            requires_grad: true,
            grad_fn: None,
            is_parameter: true,
        };
        assert_eq!(
            tensor_repr_with(&p, &PrintOptions::default()),
            "Parameter containing:\ntensor(1.5000, requires_grad=True)"
        );
    }

    #[test]
    fn summarization_threshold_and_hidden_values() {
        let ones = vec![1i64; 1000];
        // exactly 1000 elements: printed in full
        assert!(!repr(Values::I64(&ones), &[1000]).contains("..."));
        let r: Vec<i64> = (0..=1000).collect();
        assert_eq!(
            repr(Values::I64(&r), &[1001]),
            "tensor([   0,    1,    2,  ...,  998,  999, 1000])"
        );
        // a hidden 1e-5 does not turn on sci mode
        let mut v = vec![1.0f32; 1201];
        v[600] = 1e-5;
        assert_eq!(
            repr(Values::F32(&v), &[1201]),
            "tensor([1., 1., 1.,  ..., 1., 1., 1.])"
        );
        // and the full tensor under the "full" profile does see it
        assert!(
            repr_with(Values::F32(&v), &[1201], &PrintOptions::full())
                .starts_with("tensor([1.0000e+00, 1.0000e+00,")
        );
    }

    #[test]
    fn summarized_matrix() {
        let v: Vec<i64> = (0..40 * 40).collect();
        let got = repr(Values::I64(&v), &[40, 40]);
        let want = "tensor([[   0,    1,    2,  ...,   37,   38,   39],\n        [  40,   41,   42,  ...,   77,   78,   79],\n        [  80,   81,   82,  ...,  117,  118,  119],\n        ...,\n        [1480, 1481, 1482,  ..., 1517, 1518, 1519],\n        [1520, 1521, 1522,  ..., 1557, 1558, 1559],\n        [1560, 1561, 1562,  ..., 1597, 1598, 1599]])";
        assert_eq!(got, want);
    }

    #[test]
    fn print_options_threshold_edgeitems() {
        let r: Vec<i64> = (0..10).collect();
        let o = PrintOptions {
            threshold: 5,
            ..PrintOptions::default()
        };
        assert_eq!(
            repr_with(Values::I64(&r), &[10], &o),
            "tensor([0, 1, 2,  ..., 7, 8, 9])"
        );
        let o = PrintOptions {
            threshold: 5,
            edgeitems: 2,
            ..PrintOptions::default()
        };
        assert_eq!(
            repr_with(Values::I64(&r), &[10], &o),
            "tensor([0, 1,  ..., 8, 9])"
        );
        // edgeitems = 0: nothing shown, and the shape is added (torch's _str_intern)
        let o = PrintOptions {
            threshold: 5,
            edgeitems: 0,
            ..PrintOptions::default()
        };
        assert_eq!(
            repr_with(Values::I64(&r), &[10], &o),
            "tensor([...], size=(10,))"
        );
        assert_eq!(
            repr_with(Values::I64(&r), &[2, 5], &o),
            "tensor([...], size=(2, 5))"
        );
        assert_eq!(
            repr_with(Values::I64(&r[..3]), &[3], &o),
            "tensor([0, 1, 2], size=(3,))"
        );
    }

    #[test]
    fn suffix_wraps_after_a_full_line() {
        let v = [0.5f64; 8];
        let t = TensorText {
            values: Values::F64(&v),
            shape: &[8],
            requires_grad: true,
            grad_fn: None,
            is_parameter: false,
        };
        assert_eq!(
            tensor_repr_with(&t, &PrintOptions::default()),
            "tensor([0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000],\n       dtype=torch.float64, requires_grad=True)"
        );
    }

    #[test]
    fn global_options_are_used_by_tensor_repr() {
        // Reads only: tests in this binary never change the global options
        // (see options.rs), so this is torch's default.
        let t = TensorText {
            values: Values::F32(&[1.0 / 3.0]),
            shape: &[],
            requires_grad: false,
            grad_fn: None,
            is_parameter: false,
        };
        assert_eq!(tensor_repr(&t), "tensor(0.3333)");
    }

    #[test]
    fn thousand_elements_print_fast() {
        let v: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.7311).sin()).collect();
        let t = TensorText {
            values: Values::F32(&v),
            shape: &[1000],
            requires_grad: false,
            grad_fn: None,
            is_parameter: false,
        };
        let start = std::time::Instant::now();
        let s = tensor_repr_with(&t, &PrintOptions::default());
        let took = start.elapsed();
        assert_eq!(s.lines().count(), 125);
        // Generous bound for an unoptimised test build on a shared machine.
        assert!(took.as_millis() < 50, "took {took:?}");
    }
}

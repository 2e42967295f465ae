//! torch's `_Formatter`: one mode and one column width for the whole tensor
//! (printing.md §3).
//!
//! The formatter sees only the values that will be shown (printing.md §6), and
//! it renders every shown element once: the width is the longest rendering of
//! a finite non-zero value, so rendering first and measuring after gives the
//! same width as torch's separate measuring pass, with half the work. The
//! left padding to the width is written by the layout, straight into the
//! output.

use super::options::PrintOptions;
use super::pyfloat::{format_fixed, format_sci};

/// The decisions torch's `_Formatter` makes (printing.md §3.2), kept for tests
/// and for comparing with the `formatter` field of the reference cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FormatterState {
    /// Every finite non-zero value is integral (always true for non-floats).
    pub int_mode: bool,
    /// Scientific notation (never for non-floats).
    pub sci_mode: bool,
    /// The column width every element is right-aligned to.
    pub width: usize,
}

/// The shown elements, rendered (not yet padded), in display order.
pub(crate) struct Formatted {
    pub state: FormatterState,
    pub cells: Vec<String>,
}

/// Appends `cell` right-aligned to `width`. Longer cells (nan/inf in a narrow
/// column) are written as they are, never cut (printing.md §3.2 step 5).
pub(crate) fn push_padded(out: &mut String, cell: &str, width: usize) {
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(cell.len())));
    out.push_str(cell);
}

/// Chooses int_mode and sci_mode from the finite non-zero values S
/// (printing.md §3.2 steps 1–4).
fn float_modes(values: &[f64], options: &PrintOptions) -> (bool, bool) {
    let mut any = false;
    let mut int_mode = true;
    let mut min = f64::INFINITY;
    let mut max = 0.0f64;
    for &v in values {
        // Zeros of either sign, NaN and ±Inf take part in no decision (step 1).
        if !v.is_finite() || v == 0.0 {
            continue;
        }
        any = true;
        int_mode &= v == v.ceil();
        let a = v.abs();
        min = min.min(a);
        max = max.max(a);
    }
    if !any {
        // Step 2. torch returns before applying the sci_mode option here, so
        // even a forced `sci_mode: Some(true)` prints `[0., nan]` in int mode.
        return (true, false);
    }
    // Step 4: strict comparisons, on the exact stored values as doubles. In
    // int mode every |v| >= 1, so torch skips the `min < 1e-4` test there.
    let auto = max / min > 1000.0 || max > 1.0e8 || (!int_mode && min < 1.0e-4);
    (int_mode, options.sci_mode.unwrap_or(auto))
}

/// Renders one float in the chosen mode, without padding (printing.md §3.3).
fn render_float(v: f64, int_mode: bool, sci_mode: bool, precision: usize) -> String {
    if sci_mode {
        format_sci(v, precision)
    } else if int_mode {
        let mut s = format_fixed(v, 0);
        // The `.` marks a float dtype; NaN and Inf have none.
        if v.is_finite() {
            s.push('.');
        }
        s
    } else {
        format_fixed(v, precision)
    }
}

/// Formats the shown values of a floating tensor (float32 values must already
/// be widened exactly to `f64`).
pub(crate) fn format_floats(values: &[f64], options: &PrintOptions) -> Formatted {
    let (int_mode, sci_mode) = float_modes(values, options);
    let cells: Vec<String> = values
        .iter()
        .map(|&v| render_float(v, int_mode, sci_mode, options.precision))
        .collect();
    // Step 5: the width comes from S only; the width of the final mode (a
    // forced sci_mode=False on `[1e-5, 1.]` gives width 6, case po_sci_false).
    let width = values
        .iter()
        .zip(&cells)
        .filter(|(v, _)| v.is_finite() && **v != 0.0)
        .map(|(_, s)| s.len())
        .fold(1, usize::max);
    Formatted {
        state: FormatterState {
            int_mode,
            sci_mode,
            width,
        },
        cells,
    }
}

/// Formats the shown values of a non-floating tensor, given as Python `str()`
/// of each value (printing.md §3.1): width = the longest, at least 1.
pub(crate) fn format_texts(texts: Vec<String>) -> Formatted {
    let width = texts.iter().map(String::len).fold(1, usize::max);
    Formatted {
        state: FormatterState {
            int_mode: true,
            sci_mode: false,
            width,
        },
        cells: texts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(values: &[f64]) -> (FormatterState, Vec<String>) {
        fmt_with(values, &PrintOptions::default())
    }

    fn fmt_with(values: &[f64], o: &PrintOptions) -> (FormatterState, Vec<String>) {
        let f = format_floats(values, o);
        (f.state, padded(&f))
    }

    fn padded(f: &Formatted) -> Vec<String> {
        f.cells
            .iter()
            .map(|c| {
                let mut s = String::new();
                push_padded(&mut s, c, f.state.width);
                s
            })
            .collect()
    }

    fn f32s(values: &[f32]) -> Vec<f64> {
        values.iter().map(|&v| f64::from(v)).collect()
    }

    fn state(int_mode: bool, sci_mode: bool, width: usize) -> FormatterState {
        FormatterState {
            int_mode,
            sci_mode,
            width,
        }
    }

    #[test]
    fn sci_thresholds_are_strict() {
        // ratio exactly 1000 stays fixed (printing.md §3.2)
        assert_eq!(
            fmt(&[0.5, 500.0]),
            (
                state(false, false, 8),
                vec!["  0.5000".into(), "500.0000".into()]
            )
        );
        // ratio just over 1000 switches, even for integers
        assert_eq!(fmt(&[1.0, 1001.0]).0, state(true, true, 10));
        assert_eq!(fmt(&[1.0, 1000.0]).0, state(true, false, 5));
        // 1e8 is not > 1e8; 1e8 with 1 is sci because of the ratio
        assert_eq!(fmt(&[1e8]).1, vec!["100000000.".to_string()]);
        assert_eq!(
            fmt(&[1e8, 1.0]).1,
            vec!["1.0000e+08".to_string(), "1.0000e+00".to_string()]
        );
        assert!(fmt(&[1.5e8]).0.sci_mode);
        // float32(0.0001) < 1e-4 -> sci; float32(0.0002) is not
        assert_eq!(fmt(&f32s(&[0.0001])).1, vec!["1.0000e-04".to_string()]);
        assert_eq!(fmt(&f32s(&[0.0002])).1, vec!["0.0002".to_string()]);
        assert!(!fmt(&[1e-4]).0.sci_mode);
    }

    #[test]
    fn forced_sci_mode_and_width_of_final_mode() {
        let off = PrintOptions {
            sci_mode: Some(false),
            ..PrintOptions::default()
        };
        let on = PrintOptions {
            sci_mode: Some(true),
            ..PrintOptions::default()
        };
        assert_eq!(
            fmt_with(&f32s(&[1e-5, 1.0]), &off),
            (
                state(false, false, 6),
                vec!["0.0000".into(), "1.0000".into()]
            )
        );
        assert_eq!(
            fmt_with(&[1.0, 2.0], &on),
            (
                state(true, true, 10),
                vec!["1.0000e+00".into(), "2.0000e+00".into()]
            )
        );
        assert_eq!(
            fmt_with(&[1.0, 1e9], &off).1,
            vec!["         1.".to_string(), "1000000000.".to_string()]
        );
        // no finite non-zero value: the option is not applied (printing.md §3.2 step 2)
        assert_eq!(
            fmt_with(&[0.0, f64::NAN], &on),
            (state(true, false, 1), vec!["0.".into(), "nan".into()])
        );
    }

    #[test]
    fn widths() {
        // Linear-like weights with negatives: 7; all positive below 10: 6; int mode [-1, 10, 100]: 4
        assert_eq!(fmt(&[-0.5, 0.25]).0.width, 7);
        assert_eq!(fmt(&[9.5, 0.25]).0.width, 6);
        assert_eq!(
            fmt(&[-1.0, 10.0, 100.0]),
            (
                state(true, false, 4),
                vec![" -1.".into(), " 10.".into(), "100.".into()]
            )
        );
        // zeros, NaN and Inf never widen the column, and are not cut
        assert_eq!(
            fmt(&[f64::NEG_INFINITY, 1.0]),
            (state(true, false, 2), vec!["-inf".into(), "1.".into()])
        );
        assert_eq!(
            fmt(&[-0.0, 0.0]),
            (state(true, false, 1), vec!["-0.".into(), "0.".into()])
        );
        assert_eq!(
            fmt(&[1.5, f64::NAN, f64::NEG_INFINITY]).1,
            vec!["1.5000", "   nan", "  -inf"]
        );
        assert_eq!(
            fmt(&[f64::INFINITY, 1000.0, -5.0]).1,
            vec!["  inf", "1000.", "  -5."]
        );
        assert_eq!(fmt(&[1e-100, 1e100]).0.width, 11);
    }

    #[test]
    fn negative_zero_keeps_its_sign() {
        assert_eq!(fmt(&[-0.0]).1, vec!["-0."]);
        // width 2 comes from `1.` alone; `-0.` is longer and not padded (case f_negzero_int)
        assert_eq!(fmt(&[-0.0, 1.0]).1, vec!["-0.", "1."]);
        assert_eq!(fmt(&[-0.0, 1.5]).1, vec!["-0.0000", "1.5000"]);
        assert_eq!(
            fmt(&f32s(&[-0.0, 1e-5])).1,
            vec!["-0.0000e+00", "1.0000e-05"]
        );
        // a negative that rounds to zero in fixed mode keeps its sign
        let off = PrintOptions {
            sci_mode: Some(false),
            ..PrintOptions::default()
        };
        assert_eq!(
            fmt_with(&[-0.00004, 0.9], &off).1,
            vec!["-0.0000", " 0.9000"]
        );
    }

    #[test]
    fn ties_to_even() {
        assert_eq!(
            fmt(&[0.03125, 0.09375, 1.15625]).1,
            vec!["0.0312", "0.0938", "1.1562"]
        );
        assert_eq!(fmt(&[1.03125, 1e-5]).1, vec!["1.0312e+00", "1.0000e-05"]);
    }

    #[test]
    fn precision_option() {
        let p2 = PrintOptions {
            precision: 2,
            ..PrintOptions::default()
        };
        assert_eq!(
            fmt_with(&f32s(&[1.12345, -0.5]), &p2).1,
            vec![" 1.12", "-0.50"]
        );
        assert_eq!(
            fmt_with(&f32s(&[1e-5, 1.0]), &p2).1,
            vec!["1.00e-05", "1.00e+00"]
        );
        assert_eq!(fmt_with(&[3.0], &p2).1, vec!["3."]);
    }

    #[test]
    fn texts() {
        let f = format_texts(vec!["-100".into(), "5".into(), "0".into()]);
        assert_eq!(f.state.width, 4);
        assert_eq!(padded(&f), vec!["-100", "   5", "   0"]);
        let f = format_texts(vec!["True".into(), "False".into()]);
        assert_eq!(padded(&f), vec![" True", "False"]);
        assert_eq!(format_texts(Vec::new()).state.width, 1);
    }
}

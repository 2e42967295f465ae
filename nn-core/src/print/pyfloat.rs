//! Python's number formatting, as PyTorch's printer uses it (printing.md §11).
//!
//! Rust's float formatting already produces Python's *digits* (exact binary
//! value, correctly rounded, ties to even); only the layout differs: Python
//! writes `nan` (Rust `NaN`), exponents with a sign and at least two digits
//! (`e-05`, Rust `e-5`), and `.0` on integral reprs.
//!
//! ```
//! use nn_core::print::pyfloat::python_float_repr;
//!
//! let loss: f32 = 0.6025827;
//! assert_eq!(python_float_repr(f64::from(loss)), "0.6025826930999756");
//! assert_eq!(python_float_repr(1e-8), "1e-08");
//! ```

use std::fmt::Write;

/// Python's `repr(float)` (also `str(float)`): the shortest digit string that
/// round-trips, in exponent form when the decimal exponent is < -4 or ≥ 16.
///
/// This is how `.item()` and `.tolist()` values print. A float32 must be
/// widened to `f64` first, exactly as torch's `.item()` does.
///
/// ```
/// use nn_core::print::python_float_repr;
///
/// assert_eq!(python_float_repr(0.1f32 as f64), "0.10000000149011612");
/// assert_eq!(python_float_repr(0.6025826930999756), "0.6025826930999756");
/// assert_eq!(python_float_repr(1e-5f32 as f64), "9.999999747378752e-06");
/// assert_eq!(python_float_repr(1e-5), "1e-05");
/// assert_eq!(python_float_repr(2.0), "2.0");
/// assert_eq!(python_float_repr(-0.0), "-0.0");
/// assert_eq!(python_float_repr(f64::NAN), "nan");
/// assert_eq!(python_float_repr(f64::INFINITY), "inf");
/// assert_eq!(python_float_repr(1e16), "1e+16");
/// ```
pub fn python_float_repr(v: f64) -> String {
    if let Some(s) = non_finite(v) {
        return s.to_owned();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    let sci = shortest_sci(v);
    let (mantissa, exp) = sci
        .split_once('e')
        .expect("`{:e}` always writes an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` writes a decimal exponent");
    // Python (float_repr_style 'short'): exponent form iff decpt <= -4 or
    // decpt > 16, where decpt = exp + 1.
    if !(-4..16).contains(&exp) {
        let mut out = String::with_capacity(mantissa.len() + 5);
        out.push_str(mantissa);
        push_python_exponent(&mut out, exp);
        return out;
    }
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::with_capacity(digits.len() + 20);
    out.push_str(sign);
    if exp < 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
        out.push_str(&digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', int_len - digits.len()));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

/// The shortest round-trip digits of a finite non-zero `v`, in Rust's `{:e}`
/// layout ("-1.2345e-5", "1e16", "6.025826930999756e-1"), chosen as Python
/// chooses them.
///
/// Rust's `{:e}` finds the shortest length, but when `v` lies exactly halfway
/// between two shortest candidates it takes the upper one, where Python
/// (David Gay's dtoa) takes the even one: `1.67160797119140625` is
/// `1.6716079711914062` in Python and `...063` in Rust's `{:e}`. So re-round
/// `v` to that many digits with `{:.Ne}` (exact, ties to even) and keep it when
/// it still round-trips; it can fail to only next to a power of two, where the
/// rounding interval is lopsided and Python also keeps the other candidate.
fn shortest_sci(v: f64) -> String {
    let shortest = format!("{v:e}");
    let digits = shortest
        .split_once('e')
        .map_or(0, |(m, _)| m.bytes().filter(u8::is_ascii_digit).count());
    if digits <= 1 {
        return shortest;
    }
    let even = format!("{v:.prec$e}", prec = digits - 1);
    if even != shortest && even.parse::<f64>() == Ok(v) {
        even
    } else {
        shortest
    }
}

/// Python's `"{:.Nf}".format(v)`: `0.3793`, `-0.0000`, `nan`, `-inf`.
pub(crate) fn format_fixed(v: f64, precision: usize) -> String {
    if let Some(s) = non_finite(v) {
        return s.to_owned();
    }
    // Rust rounds the exact binary value, ties to even, and keeps the sign of
    // negative zero and of negatives that round to zero, like Python. It is
    // slow at this (about 0.6 µs a value, most of a 1000-element print), so
    // the common sizes take an integer path that gives the same text.
    fixed_small(v, precision).unwrap_or_else(|| format!("{v:.precision$}"))
}

/// `{:.N}` of a finite `v` with |v| < 2^53 and N <= 17, by exact integer
/// arithmetic: v = m·2^-s, so v·10^N = m·10^N / 2^s, rounded half to even.
/// `None` outside that range (the caller falls back to `format!`).
fn fixed_small(v: f64, precision: usize) -> Option<String> {
    const TWO_POW_53: f64 = 9_007_199_254_740_992.0;
    if precision > 17 || !v.is_finite() || v.abs() >= TWO_POW_53 {
        return None;
    }
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    // Subnormals have no implicit bit and the exponent of the smallest normal.
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    // |v| < 2^53 with m >= 2^52 (or subnormal) means e <= 0.
    let shift = e.unsigned_abs();
    let scale = 10u64.pow(precision as u32);
    let scaled = u128::from(m) * u128::from(scale); // < 2^53 · 10^17 < 2^110
    let q = if shift == 0 {
        scaled
    } else if shift > 110 {
        0 // below half a unit of the last digit, and never a tie
    } else {
        let q = scaled >> shift;
        let rest = scaled & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        if rest > half || (rest == half && q & 1 == 1) {
            q + 1
        } else {
            q
        }
    };
    let int_part = (q / u128::from(scale)) as u64;
    let frac_part = (q % u128::from(scale)) as u64;
    let mut out = String::with_capacity(24);
    if v.is_sign_negative() {
        out.push('-');
    }
    write!(out, "{int_part}").expect("writing to a String cannot fail");
    if precision > 0 {
        write!(out, ".{frac_part:0precision$}").expect("writing to a String cannot fail");
    }
    Some(out)
}

/// Python's `"{:.Ne}".format(v)`: `1.0000e-04`, `-0.0000e+00`, `1.0000e+100`.
pub(crate) fn format_sci(v: f64, precision: usize) -> String {
    if let Some(s) = non_finite(v) {
        return s.to_owned();
    }
    // Same mantissa digits as Python; only the exponent is spelled `e-4`.
    let rust = format!("{v:.precision$e}");
    let (mantissa, exp) = rust
        .split_once('e')
        .expect("`{:e}` always writes an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` writes a decimal exponent");
    let mut out = String::with_capacity(mantissa.len() + 5);
    out.push_str(mantissa);
    push_python_exponent(&mut out, exp);
    out
}

/// Python spells nan without a sign (even for a negative NaN), and `inf`.
fn non_finite(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("nan")
    } else if v.is_infinite() {
        Some(if v > 0.0 { "inf" } else { "-inf" })
    } else {
        None
    }
}

/// `e`, a sign, and at least two digits: `e-05`, `e+00`, `e+100`.
fn push_python_exponent(out: &mut String, exp: i32) {
    let sign = if exp < 0 { '-' } else { '+' };
    write!(out, "e{sign}{:02}", exp.unsigned_abs()).expect("writing to a String cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_examples_from_printing_md_11() {
        assert_eq!(python_float_repr(0.6025826930999756), "0.6025826930999756");
        assert_eq!(python_float_repr(1e-5f32 as f64), "9.999999747378752e-06");
        assert_eq!(python_float_repr(1e-5), "1e-05");
        assert_eq!(python_float_repr(2.0), "2.0");
        assert_eq!(python_float_repr(-0.0), "-0.0");
        assert_eq!(python_float_repr(0.0), "0.0");
        assert_eq!(python_float_repr(f64::NAN), "nan");
        assert_eq!(python_float_repr(-f64::NAN), "nan");
        assert_eq!(python_float_repr(f64::INFINITY), "inf");
        assert_eq!(python_float_repr(f64::NEG_INFINITY), "-inf");
        assert_eq!(python_float_repr(1e16), "1e+16");
        assert_eq!(python_float_repr(0.1f32 as f64), "0.10000000149011612");
    }

    #[test]
    // The literals are the exact binary values on purpose: each is halfway
    // between two shortest candidates.
    #[allow(clippy::excessive_precision)]
    fn repr_halfway_between_two_shortest_takes_the_even_one() {
        // exactly 1.67160797119140625 (float32 0x3fd5f740 widened): Rust's
        // `{:e}` gives ...063, Python gives ...062
        assert_eq!(python_float_repr(1.67160797119140625), "1.6716079711914062");
        assert_eq!(
            python_float_repr(-2.00400543212890625),
            "-2.0040054321289062"
        );
        assert_eq!(
            python_float_repr(-233891771783429.625),
            "-233891771783429.62"
        );
        assert_eq!(python_float_repr(968.96588134765625), "968.9658813476562");
    }

    #[test]
    fn repr_exponent_thresholds() {
        // decimal exponent -4 stays fixed, -5 switches (printing.md §11)
        assert_eq!(python_float_repr(0.0001), "0.0001");
        assert_eq!(python_float_repr(0.00012), "0.00012");
        assert_eq!(python_float_repr(-0.000012), "-1.2e-05");
        // exponent 15 stays fixed, 16 switches
        assert_eq!(python_float_repr(1e15), "1000000000000000.0");
        assert_eq!(python_float_repr(9999999999999998.0), "9999999999999998.0");
        assert_eq!(python_float_repr(1.5e16), "1.5e+16");
        assert_eq!(
            python_float_repr(-1.2345678901234568e17),
            "-1.2345678901234568e+17"
        );
        assert_eq!(python_float_repr(1e100), "1e+100");
        assert_eq!(python_float_repr(1e-100), "1e-100");
        assert_eq!(python_float_repr(5e-324), "5e-324");
        assert_eq!(python_float_repr(f64::MAX), "1.7976931348623157e+308");
        assert_eq!(python_float_repr(123.456), "123.456");
        assert_eq!(python_float_repr(-100.0), "-100.0");
        assert_eq!(python_float_repr(0.5), "0.5");
    }

    #[test]
    fn fixed_ties_to_even_on_exact_binary_value() {
        // odd multiples of 1/32 are the only ties at 4 decimals (printing.md §3.3)
        assert_eq!(format_fixed(0.03125, 4), "0.0312");
        assert_eq!(format_fixed(0.09375, 4), "0.0938");
        assert_eq!(format_fixed(1.15625, 4), "1.1562");
        assert_eq!(format_fixed(0.125, 2), "0.12");
        assert_eq!(format_fixed(2.5, 0), "2");
        assert_eq!(format_fixed(0.5, 0), "0");
        assert_eq!(format_fixed(1.5, 0), "2");
        // Not ties: the exact binary value decides, never the decimal literal.
        // float32(0.00015) = 0.000150000007..., f64 2.675 = 2.67499999...
        assert_eq!(format_fixed(0.00015f32 as f64, 4), "0.0002");
        assert_eq!(format_fixed(2.675, 2), "2.67");
    }

    #[test]
    fn fixed_negative_zero_and_non_finite() {
        assert_eq!(format_fixed(-0.0, 4), "-0.0000");
        assert_eq!(format_fixed(-0.00001, 4), "-0.0000");
        assert_eq!(format_fixed(-0.0, 0), "-0");
        assert_eq!(format_fixed(f64::NAN, 4), "nan");
        assert_eq!(format_fixed(f64::INFINITY, 0), "inf");
        assert_eq!(format_fixed(f64::NEG_INFINITY, 4), "-inf");
    }

    /// The integer path must give exactly Rust's (Python's) digits.
    fn check_fixed_small(v: f64, precision: usize) {
        if let Some(fast) = fixed_small(v, precision) {
            assert_eq!(
                fast,
                format!("{v:.precision$}"),
                "{v:e} at precision {precision}"
            );
        }
    }

    #[test]
    fn fixed_small_edges() {
        for v in [
            0.0, -0.0, 0.5, -0.5, 1.5, 2.5, 0.03125, -0.09375, 1e-300, 5e-324, -5e-324, 0.99995,
            9.99995,
        ] {
            for p in 0..=17 {
                check_fixed_small(v, p);
            }
        }
        assert_eq!(
            fixed_small(9_007_199_254_740_991.0, 4).as_deref(),
            Some("9007199254740991.0000")
        );
        assert_eq!(fixed_small(9_007_199_254_740_992.0, 4), None);
        assert_eq!(fixed_small(1.0, 18), None);
    }

    proptest::proptest! {
        #[test]
        fn fixed_small_matches_std_on_any_bits(bits: u64, precision in 0usize..=17) {
            check_fixed_small(f64::from_bits(bits), precision);
        }

        #[test]
        fn fixed_small_matches_std_on_float32(bits: u32, precision in 0usize..=8) {
            check_fixed_small(f64::from(f32::from_bits(bits)), precision);
        }

        #[test]
        fn fixed_small_matches_std_near_ties(k in -1_000_000i64..1_000_000, p in 1u32..=12) {
            // odd multiples of 2^-p: exact binary ties for some precisions
            check_fixed_small((2 * k + 1) as f64 / f64::from(1u32 << p), 4);
            check_fixed_small((2 * k + 1) as f64 / f64::from(1u32 << p), 2);
        }
    }

    #[test]
    fn sci_exponent_rewriting() {
        assert_eq!(format_sci(1e-4f32 as f64, 4), "1.0000e-04");
        assert_eq!(format_sci(1e8, 4), "1.0000e+08");
        assert_eq!(format_sci(1.0, 4), "1.0000e+00");
        assert_eq!(format_sci(1e-100, 4), "1.0000e-100");
        assert_eq!(format_sci(1e100, 4), "1.0000e+100");
        assert_eq!(format_sci(-1.2345e-5, 4), "-1.2345e-05");
        assert_eq!(format_sci(0.0, 4), "0.0000e+00");
        assert_eq!(format_sci(-0.0, 4), "-0.0000e+00");
        assert_eq!(format_sci(1.03125, 4), "1.0312e+00");
        assert_eq!(format_sci(9.99995, 4), "1.0000e+01"); // rounds up into the exponent
        assert_eq!(format_sci(99999.5, 4), "1.0000e+05"); // carries into the exponent
        assert_eq!(format_sci(f64::NAN, 4), "nan");
        assert_eq!(format_sci(f64::NEG_INFINITY, 4), "-inf");
        assert_eq!(format_sci(1.5, 2), "1.50e+00");
    }
}

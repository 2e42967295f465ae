//! Scalar lanes of Pommier's `avx_mathfun` float32 `log256_ps` and
//! `sincos256_ps`, as torch's AVX2 kernel evaluates them (rng.md §4.2).
//!
//! These are *not* correctly rounded: torch's `randn` block path uses them, so
//! reproducing torch bit for bit means reproducing their exact float32
//! operation sequence. The AVX2 object file is compiled with `-mfma` and the
//! compiler's default contraction, so every `a*b + c` whose product feeds only
//! that add is one fused multiply-add; rng.md §4.2 lists which operand pairs
//! fused (the other pairing was tested and mismatched), and each `mul_add`
//! below is one of those.

/// Builds a float32 constant from its IEEE-754 bits (the form rng.md gives).
const fn f(bits: u32) -> f32 {
    f32::from_bits(bits)
}

/// Smallest positive normal float32 (`_ps256_min_norm_pos`): log's input is
/// clamped to it to cut off denormals.
const MIN_NORM_POS: f32 = f(0x0080_0000);
/// `_ps256_cephes_SQRTHF`, sqrt(1/2).
const SQRTHF: f32 = f(0x3f35_04f3);
/// Cephes log polynomial P0 … P8 (rng.md §4.2, LOG step 5).
const LOG_P: [f32; 9] = [
    f(0x3d90_21bb),
    f(0xbdeb_d1b8),
    f(0x3def_251a),
    f(0xbdfe_5d4f),
    f(0x3e11_e9bf),
    f(0xbe2a_ae50),
    f(0x3e4c_ceac),
    f(0xbe7f_fffc),
    f(0x3eaa_aaaa),
];
/// Low part of ln 2 (−2.12194440e−4).
const LOG_Q1: f32 = f(0xb95e_8083);
/// High part of ln 2 (0.693359375).
const LOG_Q2: f32 = f(0x3f31_8000);

/// 4/π.
const FOPI: f32 = f(0x3fa2_f983);
/// −π/4 split in three parts for the extended-precision range reduction.
const MINUS_DP1: f32 = f(0xbf49_0000);
const MINUS_DP2: f32 = f(0xb97d_a000);
const MINUS_DP3: f32 = f(0xb322_2169);
/// Cephes cosine polynomial coefficients.
const COSCOF: [f32; 3] = [f(0x37cc_f5ce), f(0xbab6_061a), f(0x3d2a_aaa5)];
/// Cephes sine polynomial coefficients.
const SINCOF: [f32; 3] = [f(0xb94c_a1f9), f(0x3c08_839e), f(0xbe2a_aaa3)];

const SIGN_MASK: u32 = 0x8000_0000;

/// One lane of `log256_ps` (rng.md §4.2, LOG steps 1–9).
///
/// Inputs ≤ 0 give NaN (the `invalid_mask` OR); NaN inputs behave like
/// `_mm256_max_ps(NaN, min_norm)`, which returns `min_norm`.
#[inline(always)]
pub(crate) fn log_ps(x: f32) -> f32 {
    let invalid = x <= 0.0;
    // _mm256_max_ps(x, min_norm) returns the second operand unless x > it.
    let x = if x > MIN_NORM_POS { x } else { MIN_NORM_POS };
    let bits = x.to_bits();
    // Steps 1–2: exponent and mantissa in [0.5, 1).
    let exponent = (bits >> 23) as i32 - 0x7f;
    let m = f32::from_bits((bits & !0x7f80_0000) | 0x3f00_0000);
    let mut e = exponent as f32 + 1.0;
    // Step 3: the branch-free "if m < SQRTHF" of the SIMD code: `tmp` is m or
    // +0.0, and e loses 1 in the same lanes.
    let below = m < SQRTHF;
    let tmp = if below { m } else { 0.0 };
    let t = (m - 1.0) + tmp;
    if below {
        e -= 1.0;
    }
    // Steps 4–5.
    let z = t * t;
    let mut y = LOG_P[0];
    for &p in &LOG_P[1..] {
        y = y.mul_add(t, p);
    }
    // Steps 6–9.
    y *= t;
    y = y.mul_add(z, e * LOG_Q1);
    y = (-z).mul_add(0.5, y);
    let result = e.mul_add(LOG_Q2, t + y);
    if invalid {
        // OR with an all-ones mask: a NaN with every bit set.
        f32::from_bits(u32::MAX)
    } else {
        result
    }
}

/// `_mm256_cvttps_epi32` for one lane: truncation, and the "integer
/// indefinite" value 0x80000000 for NaN or out-of-range inputs (Rust's `as`
/// would saturate instead).
fn cvtt(y: f32) -> i32 {
    if y > -2_147_483_904.0 && y < 2_147_483_648.0 {
        y as i32
    } else {
        i32::MIN
    }
}

/// One lane of `sincos256_ps`: returns `(sin θ, cos θ)` (rng.md §4.2,
/// SIN/COS steps 1–8).
#[inline(always)]
pub(crate) fn sincos_ps(theta: f32) -> (f32, f32) {
    let sign_in = theta.to_bits() & SIGN_MASK;
    let x = f32::from_bits(theta.to_bits() & !SIGN_MASK);
    // Steps 1–2: octant j, rounded up to even.
    let mut j = cvtt(x * FOPI);
    j = j.wrapping_add(1) & !1;
    let y = j as f32;
    // Step 3: sign flips and polynomial selection.
    let swap_sign_sin = ((j & 4) as u32) << 29;
    let no_swap = (j & 2) == 0;
    let sign_cos = ((!j.wrapping_sub(2) & 4) as u32) << 29;
    let sign_sin = sign_in ^ swap_sign_sin;
    // Step 4: x − y·π/4 in three fused steps.
    let mut x = y.mul_add(MINUS_DP1, x);
    x = y.mul_add(MINUS_DP2, x);
    x = y.mul_add(MINUS_DP3, x);
    // Step 5.
    let z = x * x;
    // Step 6: cosine polynomial.
    let mut c = COSCOF[0].mul_add(z, COSCOF[1]);
    c = c.mul_add(z, COSCOF[2]);
    c *= z;
    c = c.mul_add(z, -(z * 0.5));
    c += 1.0;
    // Step 7: sine polynomial.
    let mut s = SINCOF[0].mul_add(z, SINCOF[1]);
    s = s.mul_add(z, SINCOF[2]);
    s *= z;
    s = s.mul_add(x, x);
    // Step 8: the SIMD selection by masks, kept literally because its
    // subtract-then-add turns an exact −0.0 into +0.0.
    let ysin2 = if no_swap { s } else { 0.0 };
    let ysin1 = if no_swap { 0.0 } else { c };
    let s_rest = s - ysin2;
    let c_rest = c - ysin1;
    let sin = ysin1 + ysin2;
    let cos = c_rest + s_rest;
    (
        f32::from_bits(sin.to_bits() ^ sign_sin),
        f32::from_bits(cos.to_bits() ^ sign_cos),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite float32s of the
    /// same sign.
    fn ulps(a: f32, b: f32) -> u32 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn constants_have_the_documented_values() {
        assert_eq!(LOG_Q1, -2.121_944_4e-4);
        assert_eq!(f64::from(LOG_Q2), 0.693_359_375); // exact: 0x3f318000
        assert_eq!(FOPI, (4.0 / std::f64::consts::PI) as f32);
        assert_eq!(SQRTHF, std::f32::consts::FRAC_1_SQRT_2);
    }

    #[test]
    fn log_of_one_and_powers_of_two() {
        assert_eq!(log_ps(1.0), 0.0);
        // Exact powers of two take the m = 0.5 branch; the result is e·Q2 + e·Q1.
        for k in 1..=24 {
            let x = (0.5f32).powi(k);
            let want = -(k as f64) * std::f64::consts::LN_2;
            assert!(
                (f64::from(log_ps(x)) - want).abs() <= want.abs() * 2e-7,
                "log(2^-{k})"
            );
        }
    }

    #[test]
    fn log_is_close_to_the_true_log_on_the_randn_inputs() {
        // The block path feeds 1 − k·2⁻²⁴ for k in [0, 2²⁴): sample that grid.
        for k in (0u32..1 << 24).step_by(4099) {
            let x = 1.0 - k as f32 * (1.0 / 16_777_216.0);
            let got = log_ps(x);
            let want = f64::from(x).ln() as f32;
            assert!(ulps(got, want) <= 3 || (got - want).abs() < 1e-7, "x={x}");
        }
    }

    #[test]
    fn log_of_non_positive_is_nan() {
        assert!(log_ps(0.0).is_nan());
        assert!(log_ps(-1.0).is_nan());
    }

    #[test]
    fn sincos_of_zero() {
        let (s, c) = sincos_ps(0.0);
        assert_eq!(s.to_bits(), 0);
        assert_eq!(c, 1.0);
    }

    #[test]
    fn sincos_is_close_to_the_true_values_on_zero_to_two_pi() {
        let two_pi = f32::from_bits(0x40c9_0fdb);
        for k in (0u32..1 << 24).step_by(2053) {
            let theta = two_pi * (k as f32 * (1.0 / 16_777_216.0));
            let (s, c) = sincos_ps(theta);
            let t = f64::from(theta);
            assert!((f64::from(s) - t.sin()).abs() < 2e-7, "sin({theta})");
            assert!((f64::from(c) - t.cos()).abs() < 2e-7, "cos({theta})");
        }
    }

    #[test]
    fn sincos_signs_in_each_quadrant_and_for_negative_input() {
        for (theta, sin_pos, cos_pos) in [
            (1.0f32, true, true),
            (2.0, true, false),
            (4.0, false, false),
            (5.5, false, true),
        ] {
            let (s, c) = sincos_ps(theta);
            assert_eq!(s > 0.0, sin_pos, "sin({theta})");
            assert_eq!(c > 0.0, cos_pos, "cos({theta})");
            let (sn, cn) = sincos_ps(-theta);
            assert_eq!(sn.to_bits(), (-s).to_bits());
            assert_eq!(cn.to_bits(), c.to_bits());
        }
    }

    #[test]
    fn cvtt_matches_the_intrinsic_on_edges() {
        assert_eq!(cvtt(7.9), 7);
        assert_eq!(cvtt(-7.9), -7);
        assert_eq!(cvtt(f32::NAN), i32::MIN);
        assert_eq!(cvtt(3e9), i32::MIN);
    }
}

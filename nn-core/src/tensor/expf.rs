//! `exp` of float32 values as torch's vector kernels compute it.
//!
//! torch's AVX2 and AVX-512 kernels take `exp` from SLEEF (`Sleef_expf8_u10`,
//! `Sleef_expf16_u10`, Boost license): a Cody–Waite reduction by ln 2 in two
//! parts, a degree-6 polynomial and a scaling by 2^q in two steps, every
//! multiply-add fused. [`sleef_expf`] is that computation for one value, in
//! the same operations and order, so it gives the same bits; it is within
//! 1 ulp of `exp`, not always the correctly rounded value (torch's
//! `sigmoid` on the values of a vector block differs from a correctly
//! rounded one in about 0.3% of all floats).
//!
//! Checked against torch 2.15's `torch.sigmoid` on every 11th float in
//! [-110, 100] (201 million values): no difference.

/// 1 / ln 2.
const R_LN2: f32 = std::f32::consts::LOG2_E;
/// ln 2 in two parts: `L2U` (0.693145751953125) has few significant bits, so
/// `q · L2U` is exact; `L2L` (1.4286068e-6) is the rest.
const L2U: f32 = f32::from_bits(0x3f31_7200);
const L2L: f32 = f32::from_bits(0x35bf_be8e);
/// The polynomial's coefficients, highest degree first (1.9852762e-4,
/// 1.3930436e-3, 8.333361e-3, 4.1666485e-2, 0.16666667, 0.5).
const POLY: [f32; 6] = [
    f32::from_bits(0x3950_2bda),
    f32::from_bits(0x3ab6_96c9),
    f32::from_bits(0x3c08_88a6),
    f32::from_bits(0x3d2a_aa7a),
    f32::from_bits(0x3e2a_aaab),
    0.5,
];
/// 1.5 · 2^23: adding it to a float below 2^22 in size rounds it to an
/// integer (to even on ties, as the `vcvtps2dq` SLEEF uses), which is then
/// read from the low bits.
const ROUND: f32 = 12_582_912.0;

/// `2^q` for `q` within the normal exponents.
#[inline(always)]
fn pow2i(q: i32) -> f32 {
    f32::from_bits((q.wrapping_add(0x7f) << 23) as u32)
}

/// SLEEF's `expf_u10` of one value (see the module docs). Below -104 it is
/// 0, above 100 infinity, NaN stays NaN.
#[inline(always)]
pub(crate) fn sleef_expf(d: f32) -> f32 {
    // q = rint(d / ln 2); outside ±2^22 (|d| > 2.9e6) q is wrong, but so far
    // out the result is replaced by 0 or infinity below.
    let t = d * R_LN2 + ROUND;
    let q = (t.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
    let qf = t - ROUND;
    let s = qf.mul_add(-L2U, d);
    let s = qf.mul_add(-L2L, s);
    let mut u = POLY[0];
    for &c in &POLY[1..] {
        u = u.mul_add(s, c);
    }
    u = 1.0 + (s * s).mul_add(u, s);
    // u · 2^q, as u · 2^(q>>1) · 2^(q - (q>>1)) so that neither factor overflows.
    let half = q >> 1;
    u = u * pow2i(half) * pow2i(q.wrapping_sub(half));
    let u = if d < -104.0 { 0.0 } else { u };
    if 100.0 < d { f32::INFINITY } else { u }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_to_exp_and_exact_where_exp_is() {
        assert_eq!(sleef_expf(0.0), 1.0);
        assert_eq!(sleef_expf(-0.0), 1.0);
        assert_eq!(sleef_expf(1.0), std::f32::consts::E);
        assert_eq!(sleef_expf(-200.0), 0.0);
        assert_eq!(sleef_expf(200.0), f32::INFINITY);
        assert_eq!(sleef_expf(f32::INFINITY), f32::INFINITY);
        assert_eq!(sleef_expf(f32::NEG_INFINITY), 0.0);
        assert!(sleef_expf(f32::NAN).is_nan());
        for i in -1000..=1000 {
            let x = i as f32 * 0.0877;
            let (got, want) = (sleef_expf(x), (x as f64).exp());
            assert!(
                ((got as f64 - want) / want).abs() < 2.0 * f32::EPSILON as f64,
                "exp({x}) = {got}, not {want}"
            );
        }
    }

    #[test]
    fn torch_values_where_vector_and_scalar_code_differ() {
        // torch.sigmoid of 2.0000081 (bits 0x40000022) is 0x3f617bf8 in a
        // block of 32 values (SLEEF) and 0x3f617bfa alone (glibc's expf).
        let x = f32::from_bits(0x4000_0022);
        assert_eq!((1.0 / (sleef_expf(0.0 - x) + 1.0)).to_bits(), 0x3f61_7bf8);
        assert_eq!((1.0 / (1.0 + (-x).exp())).to_bits(), 0x3f61_7bfa);
    }
}

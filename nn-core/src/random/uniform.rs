//! Uniform sampling: `tensor.uniform_(a, b)`, `torch.rand` and the `nn.Linear`
//! initialisation (rng.md §2, §3).
//!
//! Both follow ATen's `uniform_real_distribution<T>` and
//! `transformation::uniform_real`: keep the low `digits(T)` bits of a draw
//! (24 for float from one 32-bit draw, 53 for double from one `random64()`),
//! scale by 2^-digits, then `x * (to - from) + from` in T.

use super::generator::Generator;
use crate::cpu::with_fma;

/// 2⁻²⁴: float32 has 24 significand bits.
const F32_DIVISOR: f32 = 1.0 / 16_777_216.0;
/// 2⁻⁵³: float64 has 53 significand bits.
const F64_DIVISOR: f64 = 1.0 / 9_007_199_254_740_992.0;
const F32_MASK: u32 = (1 << 24) - 1;
const F64_MASK: u64 = (1 << 53) - 1;

/// The argument checks of ATen's `uniform_impl_`, with its messages: both
/// bounds finite and representable in the dtype (`max` is its largest value,
/// `dtype` its name), `low <= high`, and `high - low` representable too.
/// They run before anything is drawn, so a failed call consumes nothing.
fn check_range(low: f64, high: f64, max: f64, dtype: &str) {
    for (value, name) in [(low, "from"), (high, "to")] {
        assert!(
            (-max..=max).contains(&value),
            "{name} is out of bounds for {dtype}"
        );
    }
    assert!(
        low <= high,
        "uniform_ expects to return a [from, to) range, but found from={low} > to={high}"
    );
    assert!(
        high - low <= max,
        "uniform_ expects to-from <= std::numeric_limits<{dtype}>::max(), but found \
         to={high} and from={low} which result in to-from to exceed the limit"
    );
}

impl Generator {
    /// A float32 in [0, 1): `(random() & 0xFFFFFF) · 2⁻²⁴`, exact (rng.md §2
    /// step 2). Also the first stage of the normal block path (§4.2 step 1).
    pub(super) fn unit_f32(&mut self) -> f32 {
        (self.random_u32() & F32_MASK) as f32 * F32_DIVISOR
    }

    /// A float64 in [0, 1): `(random64() & (2⁵³−1)) · 2⁻⁵³`, exact (rng.md
    /// §4.1).
    pub(super) fn unit_f64(&mut self) -> f64 {
        (self.random_u64() & F64_MASK) as f64 * F64_DIVISOR
    }

    /// Fills `out` with float32 values uniform in `[low, high)`, as
    /// `out.uniform_(low, high)` and (with 0, 1) `torch.rand`, in order.
    ///
    /// One 32-bit draw per element. The bounds are rounded to float32 first
    /// and `range = f32(hi − lo)`; the value is `fma(x, range, lo)` with a
    /// single rounding. That is torch's AVX2 kernel, which AVX512 CPUs such as
    /// the reference machine also use (rng.md §2 step 3); torch's DEFAULT
    /// kernel rounds twice and is not reproduced.
    ///
    /// # Panics
    ///
    /// With torch's messages, if `low > high`, if a bound is not a finite
    /// float32, or if `high − low` overflows float32.
    ///
    /// ```
    /// use nn_core::random::{Generator, linear_init_bound};
    ///
    /// // manual_seed(0); nn.Linear(2, 3).weight, row-major (rng.md §3).
    /// let mut g = Generator::new(0);
    /// let b = linear_init_bound(2);
    /// let mut w = [0.0f32; 6];
    /// g.fill_uniform_f32(&mut w, -b, b);
    /// assert_eq!(w[0].to_bits(), 0xbbad7922);
    /// assert_eq!(w[1].to_bits(), 0x3ec2369c);
    /// ```
    pub fn fill_uniform_f32(&mut self, out: &mut [f32], low: f64, high: f64) {
        check_range(low, high, f64::from(f32::MAX), "float");
        let lo = low as f32;
        let hi = high as f32;
        let range = hi - lo;
        // Compiled with FMA where the CPU has it (crate::cpu): the same bits.
        with_fma(
            #[inline(always)]
            || {
                for v in out {
                    *v = self.unit_f32().mul_add(range, lo);
                }
            },
        )
    }

    /// Fills `out` with float64 values uniform in `[low, high)`, as
    /// `out.uniform_(low, high)` on a double tensor, in order.
    ///
    /// One `random64()` per element:
    /// `x = (random64() & (2⁵³−1)) · 2⁻⁵³`, then `fma(x, high − low, low)`.
    /// The formula is ATen's `uniform_real_distribution<double>`. The fused
    /// rounding is inferred, not measured: it is the same template expression,
    /// in the same `-mfma` kernel object, that rng.md §2 found fused for
    /// float32. The reference vectors contain no double uniforms; with
    /// `[0, 1)` (`torch.rand(..., dtype=float64)`) both roundings agree.
    ///
    /// # Panics
    ///
    /// With torch's messages, if `low > high`, if a bound is not finite, or
    /// if `high − low` overflows.
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// let mut g = Generator::new(0);
    /// let mut x = [0.0f64; 1];
    /// g.fill_uniform_f64(&mut x, 0.0, 1.0);
    /// let r = (2357136044u64 << 32) | 2546248239;
    /// assert_eq!(x[0], (r & ((1 << 53) - 1)) as f64 / 2f64.powi(53));
    /// ```
    pub fn fill_uniform_f64(&mut self, out: &mut [f64], low: f64, high: f64) {
        check_range(low, high, f64::MAX, "double");
        let range = high - low;
        with_fma(
            #[inline(always)]
            || {
                for v in out {
                    *v = self.unit_f64().mul_add(range, low);
                }
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rand_stays_in_zero_one_and_uses_24_bits() {
        let mut g = Generator::new(1);
        let mut x = vec![0.0f32; 10_000];
        g.fill_uniform_f32(&mut x, 0.0, 1.0);
        for v in x {
            assert!((0.0..1.0).contains(&v));
            assert_eq!(v * 16_777_216.0, (v * 16_777_216.0).trunc());
        }
    }

    #[test]
    fn uniform_bounds_are_respected() {
        let mut g = Generator::new(2);
        let mut x = vec![0.0f32; 10_000];
        g.fill_uniform_f32(&mut x, -0.25, 0.75);
        assert!(x.iter().all(|v| (-0.25..0.75).contains(v)));
        let mut y = vec![0.0f64; 10_000];
        g.fill_uniform_f64(&mut y, 3.0, 5.0);
        assert!(y.iter().all(|v| (3.0..5.0).contains(v)));
    }

    #[test]
    fn equal_bounds_give_the_bound_and_still_draw() {
        let mut g = Generator::new(0);
        let mut x = [9.0f32; 3];
        g.fill_uniform_f32(&mut x, 0.5, 0.5);
        assert_eq!(x, [0.5; 3]);
        assert_eq!(g.random_u32(), 3626093760, "three draws were consumed");
    }

    #[test]
    fn rand_seed_0_matches_the_first_draws() {
        let mut g = Generator::new(0);
        let mut x = [0.0f32; 2];
        g.fill_uniform_f32(&mut x, 0.0, 1.0);
        assert_eq!(x[0], (2357136044u32 & 0xFF_FFFF) as f32 / 16_777_216.0);
        assert_eq!(x[1], (2546248239u32 & 0xFF_FFFF) as f32 / 16_777_216.0);
    }

    #[test]
    fn fused_rounding_differs_from_two_roundings_somewhere() {
        // rng.md §2: AVX2 (fma) and DEFAULT (two roundings) disagree on about
        // half of Linear(784,128); make sure we implement the fused one.
        let mut g = Generator::new(0);
        let b = (1.0f64 / 784f64.sqrt()) as f32;
        let mut fused = 0;
        for _ in 0..1000 {
            let x = (g.random_u32() & F32_MASK) as f32 * F32_DIVISOR;
            let range = b - (-b);
            if x.mul_add(range, -b) != x * range + (-b) {
                fused += 1;
            }
        }
        assert!(fused > 100);
    }

    #[test]
    #[should_panic(
        expected = "uniform_ expects to return a [from, to) range, but found from=2 > to=1"
    )]
    fn reversed_bounds_panic() {
        Generator::new(0).fill_uniform_f32(&mut [0.0], 2.0, 1.0);
    }

    #[test]
    #[should_panic(expected = "from is out of bounds for float")]
    fn non_finite_bound_panics() {
        Generator::new(0).fill_uniform_f32(&mut [0.0], f64::NEG_INFINITY, 1.0);
    }

    #[test]
    #[should_panic(expected = "uniform_ expects to-from <= std::numeric_limits<float>::max()")]
    fn overflowing_range_panics() {
        Generator::new(0).fill_uniform_f32(&mut [0.0], -3e38, 3e38);
    }

    #[test]
    fn a_failed_call_draws_nothing() {
        let mut g = Generator::new(0);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            g.fill_uniform_f32(&mut [0.0], 1.0, 0.0);
        }));
        assert!(caught.is_err());
        assert_eq!(g.random_u32(), 2357136044);
    }
}

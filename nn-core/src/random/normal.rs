//! Normal sampling: `tensor.normal_(mean, std)` and `torch.randn`
//! (rng.md §4).
//!
//! Torch picks the algorithm by size: fewer than 16 elements go through the
//! serial double Box-Muller with the generator's cache (§4.1); 16 or more
//! contiguous float32 elements go through the 16-wide block path with the
//! `avx_mathfun` polynomials (§4.2), which neither reads nor writes the cache.

use std::f64::consts::PI;

use super::generator::Generator;
use super::mathfun::{log_ps, sincos_ps};
use crate::cpu::with_fma;

/// Block width of the vectorised path: 8 cosines and 8 sines per block.
const BLOCK: usize = 16;
const HALF: usize = BLOCK / 2;
/// `f32(2π)` = 0x40c90fdb, torch's `_mm256_set1_ps(2.0f * c10::pi<double>)`.
const TWO_PI_F32: f32 = f32::from_bits(0x40c9_0fdb);

/// Panics with torch's message for a negative standard deviation
/// (ATen's `normal_impl_`).
fn check_std(std: f64) {
    assert!(std >= 0.0, "normal expects std >= 0.0, but found std {std}");
}

impl Generator {
    /// One sample of ATen's `normal_distribution<double>` (rng.md §4.1).
    ///
    /// Returns the cached value if there is one; otherwise draws
    /// `u1, u2` (four 32-bit draws), caches `r·sin θ` and returns `r·cos θ`.
    /// `log1p`, `sin` and `cos` are the platform libm's, like torch's (glibc
    /// on linux-gnu). The final `val·std + mean` is fused like every other
    /// multiply-add of that kernel object (§2); with std 1 and mean 0 it is
    /// exact either way, and the reference only covers that case.
    fn normal_f64(&mut self, mean: f64, std: f64) -> f64 {
        let val = match self.next_double_normal.take() {
            Some(cached) => cached,
            None => {
                let u1 = self.unit_f64();
                let u2 = self.unit_f64();
                let r = (-2.0 * (-u2).ln_1p()).sqrt();
                let theta = 2.0 * PI * u1;
                self.next_double_normal = Some(r * theta.sin());
                r * theta.cos()
            }
        };
        val.mul_add(std, mean)
    }

    /// Fills `out` with float32 normal values, as `out.normal_(mean, std)`
    /// and (with 0, 1) `torch.randn`.
    ///
    /// * fewer than 16 elements: each element is the serial double Box-Muller
    ///   sample rounded to float32, using and refilling the cache that
    ///   survives between calls (rng.md §4.1);
    /// * 16 or more: fill all slots with uniforms, transform each whole block
    ///   of 16, then if the length is not a multiple of 16 draw 16 *fresh*
    ///   uniforms into the last 16 slots and transform them again (§4.2).
    ///   This is torch's AVX2 kernel (also used on AVX512 CPUs, as on the
    ///   reference machine); its DEFAULT kernel gives different values here.
    ///
    /// # Panics
    ///
    /// If `std < 0`, with torch's message.
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// // manual_seed(0); torch.randn(5) (rng.md §4.1)
    /// let mut g = Generator::new(0);
    /// let mut x = [0.0f32; 5];
    /// g.fill_normal_f32(&mut x, 0.0, 1.0);
    /// assert_eq!(x.map(f32::to_bits), [0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0x3f1184b6, 0xbf8ad1a1]);
    ///
    /// // manual_seed(0); torch.randn(16) (rng.md §4.2)
    /// let mut g = Generator::new(0);
    /// let mut y = [0.0f32; 16];
    /// g.fill_normal_f32(&mut y, 0.0, 1.0);
    /// assert_eq!(y[..4].iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
    ///            [0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d]);
    /// ```
    pub fn fill_normal_f32(&mut self, out: &mut [f32], mean: f64, std: f64) {
        check_std(std);
        if out.len() < BLOCK {
            for v in out {
                *v = self.normal_f64(mean, std) as f32;
            }
            return;
        }
        // torch passes static_cast<float>(mean) and static_cast<float>(std).
        let (mean, std) = (mean as f32, std as f32);
        for v in out.iter_mut() {
            *v = self.unit_f32();
        }
        let n = out.len();
        // Compiled with FMA where the CPU has it (crate::cpu): the same bits.
        with_fma(
            #[inline(always)]
            || {
                for block in out.chunks_exact_mut(BLOCK) {
                    normal_fill_16(block, mean, std);
                }
            },
        );
        if !n.is_multiple_of(BLOCK) {
            // The tail redraw overwrites values that may already have been
            // transformed by the last whole block.
            let tail = &mut out[n - BLOCK..];
            for v in tail.iter_mut() {
                *v = self.unit_f32();
            }
            normal_fill_16(tail, mean, std);
        }
    }

    /// Fills `out` with float64 normal values, as `out.normal_(mean, std)` on
    /// a double tensor, always with the serial double Box-Muller and its
    /// cache (rng.md §4.1).
    ///
    /// That is torch's path for fewer than 16 elements. For 16 or more torch
    /// uses a scalar block algorithm (`normal_fill<double>`, no cache) that
    /// the reference vectors do not cover (rng.md, "What did not work"), so
    /// this method does not claim to match `torch.randn(n, dtype=float64)`
    /// for n ≥ 16.
    ///
    /// # Panics
    ///
    /// If `std < 0`, with torch's message.
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// let mut g = Generator::new(0);
    /// let mut x = [0.0f64; 2];
    /// g.fill_normal_f64(&mut x, 0.0, 1.0);
    /// // float32 torch.randn(2) is the same pair rounded to float32.
    /// assert_eq!((x[0] as f32).to_bits(), 0x3fc53f5c);
    /// assert_eq!((x[1] as f32).to_bits(), 0xbe963c50);
    /// ```
    pub fn fill_normal_f64(&mut self, out: &mut [f64], mean: f64, std: f64) {
        check_std(std);
        for v in out {
            *v = self.normal_f64(mean, std);
        }
    }
}

/// Transforms one block of 16 uniforms in place (`normal_fill_16_AVX2`,
/// rng.md §4.2): lanes j and j+8 become the cosine and sine halves of one
/// Box-Muller pair.
#[inline(always)]
fn normal_fill_16(d: &mut [f32], mean: f32, std: f32) {
    debug_assert_eq!(d.len(), BLOCK);
    for j in 0..HALF {
        let u1 = 1.0 - d[j]; // [0, 1) -> (0, 1] for the log
        let u2 = d[j + HALF];
        let radius = (-2.0 * log_ps(u1)).sqrt();
        let theta = TWO_PI_F32 * u2;
        let (sin, cos) = sincos_ps(theta);
        d[j] = (radius * cos).mul_add(std, mean);
        d[j + HALF] = (radius * sin).mul_add(std, mean);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn randn(g: &mut Generator, n: usize) -> Vec<u32> {
        let mut x = vec![0.0f32; n];
        g.fill_normal_f32(&mut x, 0.0, 1.0);
        x.into_iter().map(f32::to_bits).collect()
    }

    #[test]
    fn randn_17_starts_as_documented() {
        // rng.md §4.2: positions 1.. differ from randn(16) because of the tail.
        let got = randn(&mut Generator::new(0), 17);
        assert_eq!(got[..4], [0xbf901b85, 0xbfd91446, 0x3f111004, 0x3f4b235d]);
    }

    #[test]
    fn the_block_path_draws_n_plus_16_values_when_n_is_not_a_multiple() {
        let mut a = Generator::new(4);
        randn(&mut a, 20);
        let mut b = Generator::new(4);
        for _ in 0..36 {
            b.random_u32();
        }
        assert_eq!(a.random_u32(), b.random_u32());
        let mut c = Generator::new(4);
        randn(&mut c, 32);
        let mut d = Generator::new(4);
        for _ in 0..32 {
            d.random_u32();
        }
        assert_eq!(c.random_u32(), d.random_u32());
    }

    #[test]
    fn the_cache_survives_the_block_path_and_rand() {
        // rng.md §4.1: randn(1); randn(20); randn(1) gives the cached second
        // half of the first pair.
        let mut g = Generator::new(0);
        let first_pair = {
            let mut h = Generator::new(0);
            randn(&mut h, 2)
        };
        assert_eq!(randn(&mut g, 1), first_pair[..1]);
        randn(&mut g, 20);
        g.fill_uniform_f32(&mut [0.0; 3], 0.0, 1.0);
        assert_eq!(randn(&mut g, 1), first_pair[1..]);
    }

    #[test]
    fn mean_and_std_are_applied() {
        let base = randn(&mut Generator::new(11), 40);
        let mut g = Generator::new(11);
        let mut x = vec![0.0f32; 40];
        g.fill_normal_f32(&mut x, 2.0, 0.5);
        for (b, v) in base.iter().zip(&x) {
            let want = f32::from_bits(*b).mul_add(0.5, 2.0);
            assert_eq!(v.to_bits(), want.to_bits());
        }
    }

    #[test]
    fn normal_values_look_standard() {
        let mut g = Generator::new(5);
        let mut x = vec![0.0f32; 64 * 784];
        g.fill_normal_f32(&mut x, 0.0, 1.0);
        let n = x.len() as f64;
        let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = x
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "var {var}");
        assert!(x.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn f64_normal_uses_the_cache_too() {
        let mut g = Generator::new(1);
        let mut a = [0.0f64; 3];
        g.fill_normal_f64(&mut a, 0.0, 1.0);
        let mut b = [0.0f64; 1];
        g.fill_normal_f64(&mut b, 0.0, 1.0);
        let mut h = Generator::new(1);
        let mut c = [0.0f64; 4];
        h.fill_normal_f64(&mut c, 0.0, 1.0);
        assert_eq!([a[0], a[1], a[2], b[0]], c);
    }

    #[test]
    #[should_panic(expected = "normal expects std >= 0.0, but found std -1")]
    fn negative_std_panics() {
        Generator::new(0).fill_normal_f32(&mut [0.0], 0.0, -1.0);
    }
}

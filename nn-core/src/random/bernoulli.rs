//! Bernoulli draws: `tensor.bernoulli_(p)` with a float probability, which is
//! how `F.dropout` makes its mask on a CPU.
//!
//! torch 2.15's CPU kernel (`bernoulli_scalar_kernel_default`, measured on
//! the reference machine: two 32-bit draws per element) takes one double
//! uniform per element, `u = (random64() & (2⁵³−1)) · 2⁻⁵³`, and gives 1 when
//! `u < p`, serially in row-major order.

use super::generator::Generator;

impl Generator {
    /// Fills `out` with 1.0 where a draw falls below `p` and 0.0 elsewhere,
    /// as `out.bernoulli_(p)`: one `random64()` per element, in order.
    ///
    /// # Panics
    ///
    /// If `p` is not in `[0, 1]`, with torch's message.
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// // torch.manual_seed(0); torch.ones(6).bernoulli_(0.5)
    /// let mut g = Generator::new(0);
    /// let mut x = [0.0f32; 6];
    /// g.fill_bernoulli_f32(&mut x, 0.5);
    /// assert_eq!(x, [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]);
    /// ```
    pub fn fill_bernoulli_f32(&mut self, out: &mut [f32], p: f64) {
        check_p(p);
        for v in out {
            *v = if self.unit_f64() < p { 1.0 } else { 0.0 };
        }
    }

    /// [`fill_bernoulli_f32`](Self::fill_bernoulli_f32) for float64 tensors
    /// (the same draws).
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// let mut g = Generator::new(0);
    /// let mut x = [0.0f64; 3];
    /// g.fill_bernoulli_f64(&mut x, 0.5);
    /// assert_eq!(x, [0.0, 0.0, 1.0]);
    /// ```
    pub fn fill_bernoulli_f64(&mut self, out: &mut [f64], p: f64) {
        check_p(p);
        for v in out {
            *v = if self.unit_f64() < p { 1.0 } else { 0.0 };
        }
    }
}

/// ATen's argument check, before anything is drawn.
fn check_p(p: f64) {
    assert!(
        (0.0..=1.0).contains(&p),
        "bernoulli_ expects p to be in [0, 1], but got p={p}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_draws_per_element() {
        let mut g = Generator::new(0);
        g.fill_bernoulli_f32(&mut [0.0; 5], 0.3);
        let mut h = Generator::new(0);
        for _ in 0..10 {
            h.random_u32();
        }
        assert_eq!(g.random_u32(), h.random_u32());
    }

    #[test]
    fn bounds() {
        let mut g = Generator::new(3);
        let mut x = [0.5f32; 100];
        g.fill_bernoulli_f32(&mut x, 1.0);
        assert!(x.iter().all(|&v| v == 1.0));
        g.fill_bernoulli_f32(&mut x, 0.0);
        assert!(x.iter().all(|&v| v == 0.0));
    }

    #[test]
    #[should_panic(expected = "bernoulli_ expects p to be in [0, 1], but got p=1.5")]
    fn bad_p() {
        Generator::new(0).fill_bernoulli_f32(&mut [0.0], 1.5);
    }
}

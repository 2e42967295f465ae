//! Integer sampling: `torch.randint`, `random_()` on int64 and
//! `torch.randperm` (rng.md §5, §6).

use super::generator::Generator;

/// Ranges at or above 2²⁸ take a 64-bit draw, smaller ones a 32-bit draw.
/// Found by experiment on torch 2.15 (rng.md §6): 2²⁸ − 1 uses 32 bits and
/// 2²⁸ uses 64; older ATen sources say 2³².
const RANDINT_64_BIT_RANGE: u64 = 1 << 28;

/// `randperm` switches from the swap-with-later shuffle to the inside-out
/// Fisher-Yates with 64-bit draws at `u32::MAX / 20` (ATen's `randperm_cpu`).
const RANDPERM_LARGE_N: usize = (u32::MAX / 20) as usize;

impl Generator {
    /// Fills `out` with integers uniform in `[low, high)`, as
    /// `torch.randint(low, high, shape)` (int64), in order.
    ///
    /// With `range = high − low`, each element is `random() % range + low`
    /// when `range < 2²⁸` and `random64() % range + low` otherwise (rng.md §6).
    ///
    /// # Panics
    ///
    /// If `low >= high`, with torch's message.
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// // manual_seed(0); torch.randint(0, 10, (20,)) (rng.md §6)
    /// let mut g = Generator::new(0);
    /// let mut x = [0i64; 20];
    /// g.fill_randint(&mut x, 0, 10);
    /// assert_eq!(x, [4, 9, 3, 0, 3, 9, 7, 3, 7, 3, 1, 6, 6, 9, 8, 6, 6, 8, 4, 3]);
    /// ```
    pub fn fill_randint(&mut self, out: &mut [i64], low: i64, high: i64) {
        assert!(
            low < high,
            "random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        );
        // high − low always fits in u64; two's-complement wrapping gives it.
        let range = high.wrapping_sub(low) as u64;
        for v in out {
            let draw = if range >= RANDINT_64_BIT_RANGE {
                self.random_u64()
            } else {
                u64::from(self.random_u32())
            };
            // ATen adds in uint64 and casts to int64: wrapping arithmetic.
            *v = (draw % range).wrapping_add(low as u64) as i64;
        }
    }

    /// Fills `out` as `torch.empty(n, dtype=torch.int64).random_()`:
    /// `random64() % 2⁶³` per element (rng.md §6).
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// let mut g = Generator::new(0);
    /// let mut x = [0i64; 1];
    /// g.fill_random_i64(&mut x);
    /// assert_eq!(x[0], 900450186894289455);
    /// ```
    pub fn fill_random_i64(&mut self, out: &mut [i64]) {
        for v in out {
            *v = (self.random_u64() % (1 << 63)) as i64;
        }
    }

    /// A random permutation of `0..n`, as `torch.randperm(n)` (int64).
    ///
    /// For `n < u32::MAX / 20`: start from the identity and, for
    /// i = 0 … n−2, swap element i with element `i + random() % (n − i)`
    /// (rng.md §5, checked up to n = 3·10⁶). Larger n follows ATen's
    /// inside-out Fisher-Yates with `random64() % (i + 1)`; that branch is
    /// from the ATen source and is not covered by the reference vectors.
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// assert_eq!(Generator::new(0).randperm(10), [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]);
    /// ```
    pub fn randperm(&mut self, n: usize) -> Vec<i64> {
        if n < RANDPERM_LARGE_N {
            let mut r: Vec<i64> = (0..n as i64).collect();
            for i in 0..n.saturating_sub(1) {
                let z = (u64::from(self.random_u32()) % (n - i) as u64) as usize;
                r.swap(i, i + z);
            }
            r
        } else {
            let mut r = vec![0i64; n];
            for i in 0..n {
                let z = (self.random_u64() % (i as u64 + 1)) as usize;
                r[i] = r[z];
                r[z] = i as i64;
            }
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn randint_threshold_is_2_pow_28() {
        // Below: one 32-bit draw each; at 2²⁸: one 64-bit draw each.
        let mut g = Generator::new(0);
        let mut x = [0i64; 1];
        g.fill_randint(&mut x, -5, (1 << 28) - 1 - 5);
        assert_eq!(x[0], 209652399);
        assert_eq!(g.random_u32(), 2546248239);
        let mut g = Generator::new(0);
        g.fill_randint(&mut x, -5, (1 << 28) - 5);
        assert_eq!(x[0], 130329130);
        assert_eq!(g.random_u32(), 3071714933);
    }

    #[test]
    fn randint_bounds() {
        let mut g = Generator::new(7);
        let mut x = vec![0i64; 5000];
        g.fill_randint(&mut x, -3, 4);
        assert!(x.iter().all(|v| (-3..4).contains(v)));
        for k in -3..4 {
            assert!(x.contains(&k));
        }
        g.fill_randint(&mut x, i64::MIN, i64::MAX);
        assert!(x.iter().all(|&v| v < i64::MAX));
        g.fill_randint(&mut x, 9, 10);
        assert!(x.iter().all(|&v| v == 9));
    }

    #[test]
    #[should_panic(
        expected = "random_ expects 'from' to be less than 'to', but got from=5 >= to=5"
    )]
    fn randint_empty_range_panics() {
        Generator::new(0).fill_randint(&mut [0], 5, 5);
    }

    #[test]
    fn random_i64_is_non_negative() {
        let mut g = Generator::new(3);
        let mut x = vec![0i64; 1000];
        g.fill_random_i64(&mut x);
        assert!(x.iter().all(|&v| v >= 0));
    }

    #[test]
    fn randperm_is_a_permutation() {
        for n in [0, 1, 2, 5, 100, 1000] {
            let mut p = Generator::new(n as u64).randperm(n);
            p.sort_unstable();
            assert_eq!(p, (0..n as i64).collect::<Vec<_>>());
        }
    }

    #[test]
    fn randperm_of_zero_and_one_draw_nothing() {
        let mut g = Generator::new(0);
        assert!(g.randperm(0).is_empty());
        assert_eq!(g.randperm(1), [0]);
        assert_eq!(g.random_u32(), 2357136044);
    }
}

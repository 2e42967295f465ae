//! [`Generator`]: the mt19937 engine, its seed and the Box-Muller caches, as
//! ATen's `CPUGeneratorImpl` keeps them (rng.md §1).
//!
//! The sampling methods live beside the distribution they implement:
//! `uniform.rs`, `normal.rs` and `integer.rs`.

use std::fmt;

use super::mt19937::Mt19937;

/// Seed of a generator built with [`Generator::default`]: torch's
/// `c10::default_rng_seed_val`, which `torch.Generator()` uses.
///
/// ```
/// use nn_core::random::{DEFAULT_SEED, Generator};
///
/// assert_eq!(DEFAULT_SEED, 67280421310721);
/// assert_eq!(Generator::default().initial_seed(), DEFAULT_SEED);
/// ```
pub const DEFAULT_SEED: u64 = 67_280_421_310_721;

/// A random number generator reproducing torch's CPU generator bit for bit.
///
/// It holds what `CPUGeneratorImpl` holds: the mt19937 engine (which also
/// remembers the 64-bit seed) and two cached Box-Muller samples, one double
/// and one float. The serial normal path returns the cached second value of a
/// Box-Muller pair before drawing a new pair, so the cache carries over
/// between calls (rng.md §4.1). [`Generator::manual_seed`] clears both caches.
///
/// The process-wide generator behind `torch.manual_seed` is in
/// [`crate::random::with_default_generator`]; a `Generator` value is the
/// counterpart of a `torch.Generator()` object.
///
/// ```
/// use nn_core::random::Generator;
///
/// let mut g = Generator::new(0);
/// assert_eq!(g.random_u32(), 2357136044);
/// ```
#[derive(Clone)]
pub struct Generator {
    pub(super) engine: Mt19937,
    /// The double cache, used by the serial (numel < 16) normal path.
    pub(super) next_double_normal: Option<f64>,
    /// The float cache. Kept to mirror `CPUGeneratorImpl` and cleared by
    /// `manual_seed` like torch; none of the CPU kernels reproduced here reads
    /// it (torch's serial normal path uses the double distribution).
    #[allow(
        dead_code,
        reason = "mirrors CPUGeneratorImpl's float cache; no CPU kernel here reads it"
    )]
    pub(super) next_float_normal: Option<f32>,
}

impl Generator {
    /// A generator seeded with `seed`, as `torch.Generator().manual_seed(seed)`.
    ///
    /// Only the low 32 bits of the seed drive the engine; the full value is
    /// returned by [`Generator::initial_seed`] (rng.md §1).
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// let mut a = Generator::new(5);
    /// let mut b = Generator::new((1 << 32) + 5);
    /// assert_eq!(a.random_u32(), b.random_u32());
    /// assert_eq!(b.initial_seed(), (1 << 32) + 5);
    /// ```
    pub fn new(seed: u64) -> Generator {
        Generator {
            engine: Mt19937::new(seed),
            next_double_normal: None,
            next_float_normal: None,
        }
    }

    /// Re-seeds the generator, as `torch.manual_seed(seed)` does to the
    /// default one: a new engine and both normal caches cleared.
    ///
    /// A negative Python seed corresponds to its two's-complement `u64`
    /// (`seed as u64`).
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// let mut g = Generator::new(1);
    /// let mut one = [0.0f32; 1];
    /// g.fill_normal_f32(&mut one, 0.0, 1.0); // leaves a value in the cache
    /// g.manual_seed(0);
    /// assert_eq!(g.initial_seed(), 0);
    /// g.fill_normal_f32(&mut one, 0.0, 1.0); // the cache did not survive
    /// assert_eq!(one[0].to_bits(), 0x3fc53f5c);
    /// ```
    pub fn manual_seed(&mut self, seed: u64) {
        *self = Generator::new(seed);
    }

    /// The seed this generator was last seeded with (`initial_seed()`).
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// assert_eq!(Generator::new(42).initial_seed(), 42);
    /// ```
    pub fn initial_seed(&self) -> u64 {
        self.engine.seed()
    }

    /// One 32-bit draw from the engine (ATen's `random()`).
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// let mut g = Generator::new(0);
    /// assert_eq!(g.random_u32(), 2357136044);
    /// assert_eq!(g.random_u32(), 2546248239);
    /// ```
    pub fn random_u32(&mut self) -> u32 {
        self.engine.next_u32()
    }

    /// Two 32-bit draws combined as `(first << 32) | second` (ATen's
    /// `random64()`).
    ///
    /// ```
    /// use nn_core::random::Generator;
    ///
    /// let mut g = Generator::new(0);
    /// assert_eq!(g.random_u64(), (2357136044u64 << 32) | 2546248239);
    /// ```
    pub fn random_u64(&mut self) -> u64 {
        let hi = u64::from(self.random_u32());
        let lo = u64::from(self.random_u32());
        (hi << 32) | lo
    }
}

/// `torch.Generator()`: seeded with [`DEFAULT_SEED`] (67280421310721), not
/// from the OS. Only the process-wide default generator is seeded from the OS
/// (see [`crate::random::initial_seed`]).
///
/// ```
/// use nn_core::random::Generator;
///
/// let mut a = Generator::default();
/// let mut b = Generator::new(67280421310721);
/// assert_eq!(a.random_u64(), b.random_u64());
/// ```
impl Default for Generator {
    fn default() -> Self {
        Generator::new(DEFAULT_SEED)
    }
}

/// Shows only the seed: the 624-word engine state is noise in a notebook.
///
/// ```
/// use nn_core::random::Generator;
///
/// assert_eq!(format!("{:?}", Generator::new(7)), "Generator { seed: 7, .. }");
/// ```
impl fmt::Debug for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("seed", &self.initial_seed())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Generator>();
    }

    #[test]
    fn random_u64_is_two_u32_draws() {
        let mut a = Generator::new(42);
        let mut b = Generator::new(42);
        for _ in 0..1000 {
            let hi = u64::from(b.random_u32());
            let lo = u64::from(b.random_u32());
            assert_eq!(a.random_u64(), (hi << 32) | lo);
        }
    }

    #[test]
    fn manual_seed_clears_both_caches() {
        let mut g = Generator::new(3);
        g.next_double_normal = Some(1.5);
        g.next_float_normal = Some(2.5);
        g.manual_seed(3);
        assert_eq!(g.next_double_normal, None);
        assert_eq!(g.next_float_normal, None);
    }

    #[test]
    fn clone_continues_the_same_stream_and_cache() {
        let mut g = Generator::new(9);
        let mut three = [0.0f32; 3];
        g.fill_normal_f32(&mut three, 0.0, 1.0);
        let mut h = g.clone();
        let (mut a, mut b) = ([0.0f32; 5], [0.0f32; 5]);
        g.fill_normal_f32(&mut a, 0.0, 1.0);
        h.fill_normal_f32(&mut b, 0.0, 1.0);
        assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits));
    }
}

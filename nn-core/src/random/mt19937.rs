//! The 32-bit Mersenne Twister exactly as ATen's `at::mt19937` runs it
//! (rng.md §1).
//!
//! Torch keeps the full 64-bit seed for `initial_seed()` but feeds only its low
//! 32 bits to the engine, so seeds that agree modulo 2³² give the same stream.
//! The output stream equals C++ `std::mt19937` seeded with `seed mod 2³²`.

/// State size N of MT19937.
const N: usize = 624;
/// Shift size M of MT19937.
const M: usize = 397;
/// The twist matrix `a`.
const MATRIX_A: u32 = 0x9908_B0DF;
/// Most significant bit (w − r = 1 bit).
const UPPER_MASK: u32 = 0x8000_0000;
/// Least significant r = 31 bits.
const LOWER_MASK: u32 = 0x7FFF_FFFF;
/// Knuth's initialisation multiplier used by `init_genrand`.
const INIT_MULTIPLIER: u32 = 1_812_433_253;

/// The engine: 624 words of state plus ATen's `left`/`next` cursor.
#[derive(Clone)]
pub(crate) struct Mt19937 {
    /// The full 64-bit seed, kept only so `initial_seed()` can return it.
    seed: u64,
    state: [u32; N],
    /// Draws left before the next regeneration; starts at 1 so that the very
    /// first draw regenerates the whole block (ATen's `left_ = 1`).
    left: usize,
    /// Read position in `state`.
    next: usize,
}

impl Mt19937 {
    /// Seeds the engine like `at::mt19937(seed)`: `state[0] = seed mod 2³²`,
    /// then Knuth's recurrence (rng.md §1).
    pub(crate) fn new(seed: u64) -> Self {
        let mut state = [0u32; N];
        // Truncation to the low 32 bits is the point: torch does the same.
        state[0] = (seed & 0xFFFF_FFFF) as u32;
        for j in 1..N {
            let prev = state[j - 1];
            state[j] = INIT_MULTIPLIER
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(j as u32);
        }
        Mt19937 {
            seed,
            state,
            left: 1,
            next: 0,
        }
    }

    /// The 64-bit seed the engine was created with.
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// One tempered 32-bit output (`random()` in ATen).
    pub(crate) fn next_u32(&mut self) -> u32 {
        self.left -= 1;
        if self.left == 0 {
            self.regenerate();
        }
        let mut y = self.state[self.next];
        self.next += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C_5680;
        y ^= (y << 15) & 0xEFC6_0000;
        y ^ (y >> 18)
    }

    /// Refills the whole state block (standard MT19937 `next_state`).
    fn regenerate(&mut self) {
        let s = &mut self.state;
        for k in 0..N - M {
            s[k] = s[k + M] ^ twist(s[k], s[k + 1]);
        }
        for k in N - M..N - 1 {
            s[k] = s[k + M - N] ^ twist(s[k], s[k + 1]);
        }
        s[N - 1] = s[M - 1] ^ twist(s[N - 1], s[0]);
        self.left = N;
        self.next = 0;
    }
}

/// Combines the top bit of `u` with the low 31 bits of `v` and applies the
/// twist matrix.
fn twist(u: u32, v: u32) -> u32 {
    let mixed = (u & UPPER_MASK) | (v & LOWER_MASK);
    (mixed >> 1) ^ if v & 1 != 0 { MATRIX_A } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(seed: u64, n: usize) -> Vec<u32> {
        let mut e = Mt19937::new(seed);
        (0..n).map(|_| e.next_u32()).collect()
    }

    #[test]
    fn first_outputs_seed_0() {
        // rng.md §1 and rng-cases.json `mt19937_first_u32_after_manual_seed`.
        assert_eq!(
            first(0, 10),
            [
                2357136044, 2546248239, 3071714933, 3626093760, 2588848963, 3684848379, 2340255427,
                3638918503, 1819583497, 2678185683
            ]
        );
    }

    #[test]
    fn first_outputs_seed_1() {
        assert_eq!(
            first(1, 10),
            [
                1791095845, 4282876139, 3093770124, 4005303368, 491263, 550290313, 1298508491,
                4290846341, 630311759, 1013994432
            ]
        );
    }

    #[test]
    fn first_outputs_seed_42() {
        assert_eq!(
            first(42, 10),
            [
                1608637542, 3421126067, 4083286876, 787846414, 3143890026, 3348747335, 2571218620,
                2563451924, 670094950, 1914837113
            ]
        );
    }

    #[test]
    fn ten_thousandth_output_matches_the_cpp_standard() {
        // C++11 [rand.predef]: the 10000th invocation of a default-constructed
        // std::mt19937 (seed 5489) produces 4123659995. This crosses many
        // regenerations, so it checks the refill and not only the first block.
        let mut e = Mt19937::new(5489);
        let mut last = 0;
        for _ in 0..10_000 {
            last = e.next_u32();
        }
        assert_eq!(last, 4_123_659_995);
    }

    #[test]
    fn only_the_low_32_bits_of_the_seed_matter() {
        // rng.md §1: 2³² + 5 gives the same numbers as 5.
        assert_eq!(first((1 << 32) + 5, 700), first(5, 700));
        assert_eq!(Mt19937::new((1 << 32) + 5).seed(), (1 << 32) + 5);
    }
}

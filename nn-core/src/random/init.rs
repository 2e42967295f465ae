//! The `nn.Linear` initialisation bound (rng.md §3).

/// The bound `b` of `nn.Linear(fan_in, out)`'s initialisation: the weight
/// (`out·fan_in` draws, row-major) and then the bias (`out` draws) are both
/// filled with `uniform_(−b, b)`, e.g. by [`crate::random::Generator::fill_uniform_f32`].
///
/// Torch computes two bounds in double: the weight's
/// `sqrt(3)·(gain/sqrt(fan_in))` with `gain = sqrt(2/(1 + sqrt(5)²))`
/// (kaiming_uniform with a = √5) and the bias's `1/sqrt(fan_in)`. They often
/// differ by 1 ulp in double but are equal once `uniform_` rounds them to
/// float32, for every fan_in from 1 to 200,000 (rng.md §3, checked
/// exhaustively; a unit test re-checks it). So this returns
/// `f32(1/sqrt(fan_in))`, widened to f64 so passing it on is exact.
///
/// For `fan_in == 0` torch uses a bias bound of 0 (and the weight has no
/// elements, so draws nothing); this returns 0.
///
/// ```
/// use nn_core::random::{Generator, linear_init_bound};
///
/// assert_eq!(linear_init_bound(4), 0.5);
/// assert_eq!((linear_init_bound(784) as f32).to_bits(), 0x3d124925);
///
/// // manual_seed(0); nn.Linear(1, 4): weight then bias (rng.md §3).
/// let mut g = Generator::new(0);
/// let b = linear_init_bound(1);
/// let (mut w, mut bias) = ([0.0f32; 4], [0.0f32; 4]);
/// g.fill_uniform_f32(&mut w, -b, b);
/// g.fill_uniform_f32(&mut bias, -b, b);
/// assert_eq!(w.map(f32::to_bits), [0xbbf55400, 0x3f09545e, 0xbf52b316, 0xbf3c6680]);
/// assert_eq!(bias.map(f32::to_bits), [0xbec532f4, 0x3e894bec, 0xbca24f40, 0x3f4aface]);
/// ```
pub fn linear_init_bound(fan_in: usize) -> f64 {
    if fan_in == 0 {
        return 0.0;
    }
    f64::from((1.0 / (fan_in as f64).sqrt()) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// torch's weight bound, in double (rng.md §3).
    fn weight_bound(fan_in: usize) -> f64 {
        let a = 5f64.sqrt();
        let gain = (2.0 / (1.0 + a.powi(2))).sqrt();
        3f64.sqrt() * (gain / (fan_in as f64).sqrt())
    }

    #[test]
    fn a_squared_is_not_five() {
        // rng.md §3: the 1-ulp difference comes from here.
        assert_eq!(5f64.sqrt().powi(2), 5.000000000000001);
        assert_eq!(weight_bound(1), f64::from_bits(0x3fef_ffff_ffff_ffff));
    }

    #[test]
    fn weight_and_bias_bounds_agree_in_f32_up_to_200000() {
        for fan_in in 1..=200_000 {
            assert_eq!(
                (weight_bound(fan_in) as f32).to_bits(),
                (linear_init_bound(fan_in) as f32).to_bits(),
                "fan_in {fan_in}"
            );
        }
    }

    #[test]
    fn table_of_rng_md() {
        for (fan_in, bits) in [
            (1, 0x3f800000u32),
            (2, 0x3f3504f3),
            (3, 0x3f13cd3a),
            (4, 0x3f000000),
            (6, 0x3ed105ec),
            (10, 0x3ea1e89b),
            (784, 0x3d124925),
        ] {
            assert_eq!((linear_init_bound(fan_in) as f32).to_bits(), bits);
        }
        assert_eq!(linear_init_bound(0), 0.0);
    }
}

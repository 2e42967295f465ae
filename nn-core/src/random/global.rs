//! The default CPU generator behind `torch.manual_seed`, `torch.rand`, …
//!
//! It is one plain process-wide static on purpose: the notebook kernel loads
//! nn-core as one dylib per session, so one static is one generator per
//! session, exactly like torch's one default generator per Python process.
//! All of its state lives here.

use std::fs::File;
use std::io::Read;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use super::generator::Generator;

/// `None` until first use: a process that never calls [`manual_seed`] is
/// seeded from the OS on its first draw, as torch is.
static DEFAULT: Mutex<Option<Generator>> = Mutex::new(None);

/// Locks the default generator.
///
/// A panic inside [`with_default_generator`] (for example `randint` with
/// `low >= high`, which panics before drawing) poisons the mutex; the
/// generator itself is still consistent, so the poison is ignored rather than
/// breaking every later cell of the notebook.
fn lock() -> MutexGuard<'static, Option<Generator>> {
    DEFAULT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A non-deterministic 64-bit seed, for a process that never called
/// [`manual_seed`]. Torch 2.15 gives a different full 64-bit
/// `initial_seed()` in every fresh process (rng.md §1).
///
/// Reads 8 bytes of `/dev/urandom`; where that is unavailable, mixes the
/// clock and the process id (no extra crate for something this small).
fn nondeterministic_seed() -> u64 {
    let mut bytes = [0u8; 8];
    if File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_ok()
    {
        return u64::from_le_bytes(bytes);
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    splitmix64(nanos ^ (u64::from(std::process::id()) << 32))
}

/// SplitMix64's finaliser: spreads clock and pid bits over the whole seed.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Seeds the default generator, as `torch.manual_seed(seed)`: a fresh engine
/// and both normal caches cleared. A negative Python seed corresponds to
/// `seed as u64`.
///
/// ```
/// use nn_core::random::{initial_seed, manual_seed, with_default_generator};
///
/// manual_seed(0);
/// assert_eq!(initial_seed(), 0);
/// assert_eq!(with_default_generator(|g| g.random_u32()), 2357136044);
/// ```
pub fn manual_seed(seed: u64) {
    let mut guard = lock();
    match guard.as_mut() {
        Some(g) => g.manual_seed(seed),
        // No need to read the OS seed for a generator about to be re-seeded.
        None => *guard = Some(Generator::new(seed)),
    }
}

/// The seed of the default generator, as `torch.initial_seed()`.
///
/// In a process that never called [`manual_seed`] this is the random 64-bit
/// seed drawn from the OS; seeding a [`Generator`] with it reproduces the
/// default generator's numbers (rng.md §1).
///
/// ```
/// use nn_core::random::{Generator, initial_seed, with_default_generator};
///
/// // A fresh process (each doctest runs in its own): the seed came from the OS.
/// let seed = initial_seed();
/// let mut copy = Generator::new(seed);
/// assert_eq!(with_default_generator(|g| g.random_u64()), copy.random_u64());
/// ```
pub fn initial_seed() -> u64 {
    with_default_generator(|g| g.initial_seed())
}

/// Runs `f` with exclusive access to the default generator and returns its
/// result. This is how `torch.rand`, `torch.randn`, `nn.Linear`, … draw.
///
/// The generator stays locked while `f` runs, so `f` must not call
/// [`manual_seed`], [`initial_seed`] or `with_default_generator` itself (that
/// would deadlock); use the `&mut Generator` it is given instead.
///
/// ```
/// use nn_core::random::with_default_generator;
///
/// // torch.manual_seed(0); torch.rand(2)
/// let x = with_default_generator(|g| {
///     g.manual_seed(0);
///     let mut x = [0.0f32; 2];
///     g.fill_uniform_f32(&mut x, 0.0, 1.0);
///     x
/// });
/// assert_eq!(x[0], (2357136044u32 & 0xFF_FFFF) as f32 / 16_777_216.0);
/// ```
pub fn with_default_generator<R>(f: impl FnOnce(&mut Generator) -> R) -> R {
    let mut guard = lock();
    let g = guard.get_or_insert_with(|| Generator::new(nondeterministic_seed()));
    f(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_seeds_differ() {
        // 64 random bits twice in a row: equal only if /dev/urandom is broken.
        assert_ne!(nondeterministic_seed(), nondeterministic_seed());
    }

    #[test]
    fn splitmix_spreads_nearby_inputs() {
        assert_ne!(splitmix64(1) >> 32, splitmix64(2) >> 32);
    }

    #[test]
    fn default_generator_survives_a_panic_inside() {
        let caught = std::panic::catch_unwind(|| {
            with_default_generator(|g| g.fill_randint(&mut [0], 5, 5));
        });
        assert!(caught.is_err());
        // Still usable, and the seed/draw pair is consistent (done under one
        // lock so parallel tests cannot interleave).
        let (a, b) = with_default_generator(|g| {
            g.manual_seed(42);
            (g.initial_seed(), g.random_u32())
        });
        assert_eq!((a, b), (42, 1608637542));
    }
}

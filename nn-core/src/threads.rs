//! How many threads the kernels may use, as `torch.set_num_threads` /
//! `torch.get_num_threads`, and the one helper that splits work among them.
//!
//! Only large kernels go parallel (a matrix product of millions of
//! multiply-adds, an elementwise op on hundreds of thousands of values): a
//! small net's ops are microseconds, less than handing work to another
//! thread costs. The threads are rayon's global pool (`rayon-core`): they
//! stay alive between ops, as torch's OpenMP threads do, so a large op does
//! not pay for starting a thread. Work is split so that every value is
//! computed exactly as on one thread, so the numbers do not depend on the
//! thread count — except where torch's do:
//! float32 `sigmoid` of more than 32768 values splits as torch's threads
//! would, since torch's vector and scalar code round differently.
//!
//! ```
//! use nn_core::prelude::*;
//! nn_core::set_num_threads(1);
//! let one = Tensor::ones([600, 600]).mm(&Tensor::ones([600, 600]));
//! nn_core::set_num_threads(2);
//! let two = Tensor::ones([600, 600]).mm(&Tensor::ones([600, 600]));
//! assert_eq!(one.to_vec::<f32>(), two.to_vec::<f32>());
//! ```

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// 0 until [`set_num_threads`] is called: then the default applies.
static NUM_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets how many threads the kernels may use, for the whole process, as
/// `torch.set_num_threads(n)`. The default is the number of cores available
/// to the process.
///
/// # Panics
/// If `n` is 0, with torch's message.
///
/// ```
/// nn_core::set_num_threads(1);
/// assert_eq!(nn_core::get_num_threads(), 1);
/// ```
#[track_caller]
pub fn set_num_threads(n: usize) {
    assert!(n > 0, "set_num_threads expects a positive integer");
    NUM_THREADS.store(n, Ordering::Relaxed);
}

/// How many threads the kernels may use, as `torch.get_num_threads()`.
///
/// ```
/// let n = nn_core::get_num_threads();
/// assert!(n >= 1);
/// nn_core::set_num_threads(2);
/// assert_eq!(nn_core::get_num_threads(), 2);
/// ```
pub fn get_num_threads() -> usize {
    match NUM_THREADS.load(Ordering::Relaxed) {
        0 => {
            // Asking the OS costs system calls: once is enough.
            static DEFAULT: OnceLock<usize> = OnceLock::new();
            *DEFAULT.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        }
        n => n,
    }
}

/// Calls `f(start, chunk)` on consecutive chunks of `out` that together cover
/// it, where `start` is the chunk's offset in `out`, splitting as torch's
/// `at::parallel_for` does: on one thread when `out` has at most `grain`
/// elements or `threads` is 1; else on `min(threads, ⌈len / grain⌉)`
/// threads, each taking `⌈len / that⌉` elements (rounded up to a multiple
/// of `align`; the last takes the rest). Callers pass [`get_num_threads`].
///
/// The calling thread runs the first chunk and rayon's pool the others;
/// which thread runs a chunk never changes what it computes.
pub(crate) fn for_each_chunk<T: Send>(
    out: &mut [T],
    grain: usize,
    align: usize,
    threads: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    let len = out.len();
    if threads <= 1 || len <= grain {
        f(0, out);
        return;
    }
    let tasks = threads.min(len.div_ceil(grain.max(1)));
    let chunk = len.div_ceil(tasks).div_ceil(align.max(1)) * align.max(1);
    // rayon's global pool: its threads stay alive between ops, so a large op
    // does not pay for starting (and, on a VM, unmapping) a thread each time.
    rayon_core::in_place_scope(|s| {
        let mut chunks = out.chunks_mut(chunk).enumerate();
        let first = chunks.next();
        for (i, c) in chunks {
            let f = &f;
            s.spawn(move |_| f(i * chunk, c));
        }
        if let Some((_, c)) = first {
            f(0, c);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_output_once() {
        let mut v = vec![0u32; 1000];
        for_each_chunk(&mut v, 64, 16, 3, |start, c| {
            assert_eq!(start % 16, 0);
            for (i, x) in c.iter_mut().enumerate() {
                *x += (start + i) as u32;
            }
        });
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u32));
    }
}

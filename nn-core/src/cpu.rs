//! Running a kernel with the CPU's fused multiply-add and vector
//! instructions, and what the CPU means for torch's own kernels.
//!
//! `f32::mul_add` is one rounding of `a * b + c`, as torch's kernels compute
//! it. Without the `fma` target feature (the default for x86-64 builds) Rust
//! compiles it to a call into a software `fmaf`, dozens of times slower than
//! the instruction and never vectorized. [`with_fma`] compiles a kernel a
//! second time with FMA and AVX2 enabled (and [`with_avx512`] a third time
//! with AVX-512) and picks the copy the CPU can run; every copy gives the
//! same bits, since a fused multiply-add is exactly rounded either way and
//! the lanes of a vector compute exactly what one element would.

/// Runs `kernel`, compiled with FMA and AVX2 when the CPU has them.
///
/// The closure should be marked `#[inline(always)]` so that its loops are
/// compiled inside the FMA copy (and vectorized there):
/// `with_fma(#[inline(always)] || { … })`.
#[inline(always)]
pub(crate) fn with_fma<R>(kernel: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if has_fma() {
        #[target_feature(enable = "avx2,fma")]
        fn run<R>(kernel: impl FnOnce() -> R) -> R {
            kernel()
        }
        // SAFETY: `run` only needs the CPU to support AVX2 and FMA, which
        // `has_fma` detected.
        return unsafe { run(kernel) };
    }
    kernel()
}

/// Like [`with_fma`], with 512-bit vectors when the CPU has AVX-512: for
/// the elementwise kernels that are bound by arithmetic, not memory.
#[inline(always)]
pub(crate) fn with_avx512<R>(kernel: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
        fn run<R>(kernel: impl FnOnce() -> R) -> R {
            kernel()
        }
        // SAFETY: `run` only needs the CPU to support the AVX-512 subsets
        // named, AVX2 and FMA, which `has_avx512` detected.
        return unsafe { run(kernel) };
    }
    with_fma(kernel)
}

#[cfg(target_arch = "x86_64")]
fn has_fma() -> bool {
    std::is_x86_feature_detected!("fma") && std::is_x86_feature_detected!("avx2")
}

#[cfg(target_arch = "x86_64")]
fn has_avx512() -> bool {
    has_fma()
        && std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx512vl")
}

/// How torch's vectorized elementwise kernels split a run of `n` values on
/// this CPU: they compute whole blocks of two vectors with their vector
/// code (SLEEF's functions for `exp`, …) and the rest, fewer than a block,
/// with the scalar C++ code (`std::exp`, the system libm). The block is 32
/// floats where torch picks its AVX-512 kernels, 16 with AVX2; `None` where
/// it has no vector kernels (every value takes the scalar code).
pub(crate) fn torch_vector_block() -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx512() {
            return Some(32);
        }
        if has_fma() {
            return Some(16);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_and_portable_copies_agree() {
        // 1 + 2^-24 · (1 + 2^-23): unfused it would round to 1.0.
        let (a, b, c) = (2f32.powi(-24), 1.0 + f32::EPSILON, 1.0f32);
        let fused = with_fma(
            #[inline(always)]
            || a.mul_add(b, c),
        );
        let wide = with_avx512(
            #[inline(always)]
            || a.mul_add(b, c),
        );
        assert_eq!(fused, a.mul_add(b, c));
        assert_eq!(wide, fused);
        assert_eq!(fused, 1.0 + f32::EPSILON);
    }
}

//! Room for a new tensor's values, asked for before it is filled: a tensor
//! too large for the machine is a `RuntimeError` with torch's words, as in
//! torch, not an abort of the process (Rust's allocator aborts when memory
//! runs out, and the notebook would lose every variable).
//!
//! torch 2.15, `torch.zeros(10**12)` and `torch.zeros(10**10, 10**10)`:
//!
//! ```text
//! RuntimeError: [enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 4000000000000 bytes. Error code 12 (Cannot allocate memory)
//! RuntimeError: Storage size calculation overflowed with sizes=[10000000000, 10000000000]
//! ```
//!
//! The first without its C++ source location. Whether an allocation
//! succeeds depends on the machine (Linux refuses one larger than its
//! memory and swap) and on the limit the kernel sets on the cells' process
//! (`NN_KERNEL_MEMORY_LIMIT`, docs/kernel.md).

use crate::error::{Result, TensorError};

/// A vector of `shape`'s number of elements, all `value`, or torch's error
/// when the size overflows or the memory cannot be had.
pub(crate) fn try_filled<T: Clone>(shape: &[usize], value: T) -> Result<Vec<T>> {
    let len = shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|n| n.checked_mul(size_of::<T>()).is_some())
        .ok_or_else(|| {
            TensorError::runtime(format!(
                "Storage size calculation overflowed with sizes={shape:?}"
            ))
        })?;
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| out_of_memory(len * size_of::<T>()))?;
    v.resize(len, value);
    Ok(v)
}

/// torch's error for an allocation that failed.
pub(crate) fn out_of_memory(bytes: usize) -> TensorError {
    TensorError::runtime(format!(
        "DefaultCPUAllocator: can't allocate memory: you tried to allocate {bytes} bytes. \
         Error code 12 (Cannot allocate memory)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_tensors_are_filled() {
        assert_eq!(try_filled(&[2, 3], 1.5f32).unwrap(), vec![1.5; 6]);
        assert_eq!(try_filled::<f32>(&[], 0.0).unwrap(), vec![0.0]);
    }

    #[test]
    fn impossible_sizes_are_torchs_errors() {
        // 2^62 * 4 bytes does not fit in 64 bits: no allocator can be asked.
        let err = try_filled(&[1 << 62, 4], 0u8).unwrap_err();
        assert_eq!(
            err.message,
            "Storage size calculation overflowed with sizes=[4611686018427387904, 4]"
        );
        let err = try_filled(&[10_000_000_000, 10_000_000_000], 0.0f32).unwrap_err();
        assert!(
            err.message
                .starts_with("Storage size calculation overflowed")
        );
        // More than any address space holds (2^62 bytes): refused, not aborted.
        let err = try_filled(&[1 << 60], 0.0f32).unwrap_err();
        assert_eq!(
            err.message,
            "DefaultCPUAllocator: can't allocate memory: you tried to allocate \
             4611686018427387904 bytes. Error code 12 (Cannot allocate memory)"
        );
    }
}

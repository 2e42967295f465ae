//! `cumsum`: running sums along a dimension.

use super::Tensor;
use super::offsets::{Lanes, array};
use super::storage::Storage;
use crate::autograd::{Saved, record};
use crate::dtype::DType;
use crate::error::{Result, or_panic};

/// Running sums of every lane, in the lane's order or from its end.
/// torch's CPU kernel adds float32 in double (`acc_type<float>`) and rounds
/// each sum, so the sums are those of the exact values, rounded once.
fn running<T: Copy, A: Copy>(
    v: &[T],
    lanes: Lanes,
    reverse: bool,
    zero: A,
    add: impl Fn(A, T) -> A,
    out: impl Fn(A) -> T,
) -> Vec<T> {
    let mut result = v.to_vec();
    for o in 0..lanes.outer {
        for j in 0..lanes.inner {
            let mut acc = zero;
            for step in 0..lanes.size {
                let i = if reverse { lanes.size - 1 - step } else { step };
                let at = (o * lanes.size + i) * lanes.inner + j;
                acc = add(acc, v[at]);
                result[at] = out(acc);
            }
        }
    }
    result
}

/// Running sums of a storage in its own dtype (int64 wraps around).
fn cumsum_storage(s: &Storage, lanes: Lanes, reverse: bool) -> Storage {
    let shape = s.shape().to_vec();
    match s.contiguous() {
        Storage::F32(a) => {
            let v = a.as_slice().expect("contiguous");
            Storage::F32(array(
                &shape,
                running(v, lanes, reverse, 0f64, |a, x| a + x as f64, |a| a as f32),
            ))
        }
        Storage::F64(a) => {
            let v = a.as_slice().expect("contiguous");
            Storage::F64(array(
                &shape,
                running(v, lanes, reverse, 0f64, |a, x| a + x, |a| a),
            ))
        }
        other => {
            let Storage::I64(a) = other.to_dtype(DType::Int64) else {
                unreachable!()
            };
            let v = a.as_slice().expect("contiguous");
            Storage::I64(array(
                &shape,
                running(v, lanes, reverse, 0i64, i64::wrapping_add, |a| a),
            ))
        }
    }
}

impl Tensor {
    /// Running sums along `dim`, as `x.cumsum(dim)` (`CumsumBackward0`);
    /// integers and bools give int64, as in torch.
    ///
    /// # Panics
    /// If `dim` is out of range, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1, 2, 3, 4].cumsum(0).to_string(), "tensor([ 1,  3,  6, 10])");
    /// let x = tensor![[1.0, 2.0], [3.0, 4.0]];
    /// assert_eq!(x.cumsum(0).to_vec::<f32>(), vec![1.0, 2.0, 4.0, 6.0]);
    /// ```
    #[track_caller]
    pub fn cumsum(&self, dim: i64) -> Tensor {
        or_panic(self.try_cumsum(dim))
    }

    /// Fallible form of [`cumsum`](Self::cumsum).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3]).try_cumsum(1).unwrap_err();
    /// assert_eq!(err.to_string(), "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    /// ```
    pub fn try_cumsum(&self, dim: i64) -> Result<Tensor> {
        let d = self.wrap_dim(dim)?;
        let lanes = Lanes::of(&self.shape(), d);
        let data = cumsum_storage(&self.storage(), lanes, false);
        Ok(record(
            data,
            "CumsumBackward0",
            Saved::Nothing,
            &[self],
            move || {
                Box::new(move |g: &Tensor| {
                    // torch: the gradient summed from the end of each lane.
                    if g.numel() <= 1 || lanes.size == 1 {
                        return vec![Some(g.clone())];
                    }
                    vec![Some(Tensor::from_storage(cumsum_storage(
                        &g.storage(),
                        lanes,
                        true,
                    )))]
                })
            },
        ))
    }
}

//! Constant padding (`ConstantPadNdBackward0`), as `F.pad(x, pad, value=…)`:
//! `pad` lists (before, after) amounts starting from the last dimension; a
//! negative amount crops. The gradient is the output gradient padded by the
//! opposite amounts (that is, cropped back).

use super::Tensor;
use super::storage::{Array, Storage};
use crate::autograd::{Saved, no_grad, record};
use crate::error::{Result, TensorError};
use ndarray::{IxDyn, Slice};

impl Tensor {
    /// `F.pad(self, pad, mode="constant", value=value)`.
    pub(crate) fn constant_pad(&self, pad: &[i64], value: f64) -> Result<Tensor> {
        let shape = self.shape().to_vec();
        if !pad.len().is_multiple_of(2) {
            return Err(TensorError::runtime(
                "Padding length must be divisible by 2",
            ));
        }
        if pad.len() / 2 > shape.len() {
            return Err(TensorError::runtime(format!(
                "Padding length should be less than or equal to two times the input dimension but got padding length {} and input of dimension {}",
                pad.len(),
                shape.len()
            )));
        }
        let mut out_shape = shape.clone();
        for (i, p) in pad.chunks(2).enumerate() {
            let d = shape.len() - 1 - i;
            let size = shape[d] as i64 + p[0] + p[1];
            if size < 0 {
                return Err(TensorError::runtime(format!(
                    "The input size {}, plus negative padding {} and {} resulted in a negative output size, which is invalid. Check dimension {d} of your input.",
                    shape[d], p[0], p[1]
                )));
            }
            out_shape[d] = size as usize;
        }
        let data = padded(&self.storage(), &shape, &out_shape, pad, value);
        let pad = pad.to_vec();
        Ok(record(
            data,
            "ConstantPadNdBackward0",
            Saved::Nothing,
            &[self],
            move || {
                Box::new(move |g: &Tensor| {
                    let back: Vec<i64> = pad.iter().map(|p| -p).collect();
                    let gx = no_grad(|| {
                        Tensor::from_storage(padded(&g.storage(), &out_shape, &shape, &back, 0.0))
                    });
                    vec![Some(gx)]
                })
            },
        ))
    }
}

/// The values of `s` (shape `shape`) padded to `out_shape` with `value`.
fn padded(s: &Storage, shape: &[usize], out_shape: &[usize], pad: &[i64], value: f64) -> Storage {
    // Per dimension: where the kept input lies in the input and the output.
    let n = shape.len();
    let mut src = vec![(0usize, 0usize); n];
    let mut dst = vec![(0usize, 0usize); n];
    for d in 0..n {
        let i = n - 1 - d;
        let (before, after) = if 2 * i + 1 < pad.len() {
            (pad[2 * i], pad[2 * i + 1])
        } else {
            (0, 0)
        };
        let lo = (-before).max(0) as usize;
        let hi = (shape[d] as i64 - (-after).max(0)).max(lo as i64) as usize;
        src[d] = (lo, hi);
        let out_lo = before.max(0) as usize;
        dst[d] = (out_lo, out_lo + (hi - lo));
    }
    match s {
        Storage::F32(a) => Storage::F32(pad_array(a, value as f32, out_shape, &src, &dst)),
        Storage::F64(a) => Storage::F64(pad_array(a, value, out_shape, &src, &dst)),
        Storage::I64(a) => Storage::I64(pad_array(a, value as i64, out_shape, &src, &dst)),
        Storage::Bool(a) => Storage::Bool(pad_array(a, value != 0.0, out_shape, &src, &dst)),
    }
}

/// `a` copied into an array of `fill` of shape `out_shape`: the input's
/// ranges `src` land on the output's ranges `dst`.
fn pad_array<T: Clone>(
    a: &Array<T>,
    fill: T,
    out_shape: &[usize],
    src: &[(usize, usize)],
    dst: &[(usize, usize)],
) -> Array<T> {
    let mut out = Array::from_elem(IxDyn(out_shape), fill);
    let range = |r: &[(usize, usize)], i: usize| Slice::from(r[i].0..r[i].1);
    out.slice_each_axis_mut(|ax| range(dst, ax.axis.index()))
        .assign(&a.slice_each_axis(|ax| range(src, ax.axis.index())));
    out
}

//! 2-D max pooling with the argmax of each window
//! (`MaxPool2DWithIndicesBackward0`), as torch's CPU kernel computes it:
//! windows are scanned row by row, a value replaces the maximum when it is
//! larger or NaN (so the first of equal maxima wins and NaN propagates), and
//! the index is the position in the input plane (`ih · W + iw`). The
//! backward pass adds each output's gradient at its index, outputs in order.
//! Both are exact.

use super::Tensor;
use super::float_kernel::{KernelFloat, float_dtype, storage_of, values};
use super::storage::{Array, Storage};
use crate::autograd::{Saved, no_grad, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError};
use crate::threads::{for_each_chunk, get_num_threads};
use ndarray::IxDyn;
use std::sync::Arc;

/// Inputs of at least this many values are pooled on several threads
/// (planes split among them; each plane is computed the same either way).
pub(crate) const PARALLEL_POOL: usize = 1 << 18;

/// A pooling window walk: kernel, stride, padding, dilation, ceil mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pool2d {
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub dilation: [usize; 2],
    pub ceil_mode: bool,
}

/// The output length of one pooled axis: torch's `pooling_output_shape`
/// (with its checks of stride and padding).
pub(crate) fn pooled_len(
    len: usize,
    kernel: usize,
    pad: usize,
    stride: usize,
    dilation: usize,
    ceil_mode: bool,
) -> Result<i64> {
    if stride == 0 {
        return Err(TensorError::runtime("stride should not be zero"));
    }
    if pad > ((kernel.max(1) - 1) * dilation).div_ceil(2) {
        return Err(TensorError::runtime(format!(
            "pad should be at most half of effective kernel size, but got pad={pad}, kernel_size={kernel} and dilation={dilation}"
        )));
    }
    let (len, kernel, pad, stride, dilation) = (
        len as i64,
        kernel as i64,
        pad as i64,
        stride as i64,
        dilation as i64,
    );
    let numerator =
        len + 2 * pad - dilation * (kernel - 1) - 1 + if ceil_mode { stride - 1 } else { 0 };
    let mut out = numerator.div_euclid(stride) + 1;
    if ceil_mode && (out - 1) * stride >= len + pad {
        out -= 1;
    }
    Ok(out)
}

/// The checks and output size shared by max and average pooling:
/// `(planes, H, W, H_out, W_out)` of a 3-D or 4-D input.
pub(crate) fn pool_shape(
    shape: &[usize],
    p: &Pool2d,
) -> Result<(usize, usize, usize, usize, usize)> {
    let d = shape.len();
    if !(d == 3 || d == 4) || shape.contains(&0) && !(d == 4 && shape[0] == 0) {
        return Err(TensorError::runtime(
            "non-empty 3D or 4D (batch mode) tensor expected for input",
        ));
    }
    let (h, w) = (shape[d - 2], shape[d - 1]);
    let ho = pooled_len(
        h,
        p.kernel[0],
        p.padding[0],
        p.stride[0],
        p.dilation[0],
        p.ceil_mode,
    )?;
    let wo = pooled_len(
        w,
        p.kernel[1],
        p.padding[1],
        p.stride[1],
        p.dilation[1],
        p.ceil_mode,
    )?;
    if p.kernel.contains(&0) {
        return Err(TensorError::runtime(format!(
            "kernel size should be greater than zero, but got kH: {}, kW: {}",
            p.kernel[0], p.kernel[1]
        )));
    }
    if p.dilation.contains(&0) {
        return Err(TensorError::runtime(format!(
            "dilation should be greater than zero, but got dilationH: {}, dilationW: {}",
            p.dilation[0], p.dilation[1]
        )));
    }
    if ho < 1 || wo < 1 {
        return Err(TensorError::runtime(format!(
            "Given input size: ({}x{h}x{w}). Calculated output size: ({}x{ho}x{wo}). Output size is too small",
            shape[d - 3],
            shape[d - 3]
        )));
    }
    let planes = shape[..d - 2].iter().product();
    Ok((planes, h, w, ho as usize, wo as usize))
}

/// `F.max_pool2d(x, …, return_indices=True)`: the maxima and their indices.
pub(crate) fn max_pool2d_with_indices(input: &Tensor, p: &Pool2d) -> Result<(Tensor, Tensor)> {
    let shape = input.shape().to_vec();
    let (planes, h, w, ho, wo) = pool_shape(&shape, p)?;
    let dtype = float_dtype("max_pool2d", &[input.dtype()])?;
    let mut out_shape = shape.clone();
    let d = shape.len();
    out_shape[d - 2] = ho;
    out_shape[d - 1] = wo;
    let dims = Dims {
        planes,
        h,
        w,
        ho,
        wo,
    };
    let xs = input.storage();
    let (data, indices) = match dtype {
        DType::Float64 => forward::<f64>(&xs, p, &dims, &out_shape),
        _ => forward::<f32>(&xs, p, &dims, &out_shape),
    };
    let indices = Arc::new(indices);
    let index_tensor = Tensor::from_storage(Storage::I64(
        Array::from_shape_vec(IxDyn(&out_shape), indices.to_vec())
            .expect("sized")
            .into_shared(),
    ));
    let y = record(
        data,
        "MaxPool2DWithIndicesBackward0",
        Saved::Tensors,
        &[input],
        || {
            let indices = Arc::clone(&indices);
            Box::new(move |g: &Tensor| {
                no_grad(|| {
                    let gs = g.storage().contiguous();
                    let gx = match dtype {
                        DType::Float64 => backward::<f64>(&gs, &indices, &dims, &shape),
                        _ => backward::<f32>(&gs, &indices, &dims, &shape),
                    };
                    vec![Some(Tensor::from_storage(gx))]
                })
            })
        },
    );
    Ok((y, index_tensor))
}

/// Sizes of a pooling: planes (`N·C`), input and output height and width.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dims {
    pub planes: usize,
    pub h: usize,
    pub w: usize,
    pub ho: usize,
    pub wo: usize,
}

impl Dims {
    /// Threads for a pooling of these sizes.
    pub(crate) fn threads(&self) -> usize {
        if self.planes < 2 || self.planes * self.h * self.w < PARALLEL_POOL {
            1
        } else {
            get_num_threads()
        }
    }
}

fn forward<T: KernelFloat>(
    xs: &Storage,
    p: &Pool2d,
    d: &Dims,
    out_shape: &[usize],
) -> (Storage, Vec<i64>) {
    let x = values::<T>(xs);
    let (plane_in, plane_out) = (d.h * d.w, d.ho * d.wo);
    let mut out = vec![T::neg_infinity(); d.planes * plane_out];
    let mut idx = vec![0i64; d.planes * plane_out];
    // One job per plane: its input, and its slices of values and indices.
    let mut planes: Vec<(&mut [T], &mut [i64])> = out
        .chunks_mut(plane_out.max(1))
        .zip(idx.chunks_mut(plane_out.max(1)))
        .collect();
    for_each_chunk(&mut planes, 1, 1, d.threads(), |start, part| {
        for (i, (values, indices)) in part.iter_mut().enumerate() {
            let plane = start + i;
            let src = &x[plane * plane_in..(plane + 1) * plane_in];
            if src.iter().fold(false, |nan, v| nan | v.is_nan()) {
                pool_plane::<T, true>(src, p, d, values, indices);
            } else {
                pool_plane::<T, false>(src, p, d, values, indices);
            }
        }
    });
    (storage_of(out, out_shape), idx)
}

/// One plane: torch's `cpu_max_pool`. For each output the window is
/// scanned in torch's order (rows, then columns, ascending), but the loops
/// run over the window's offsets outside and the outputs of a row inside,
/// so that neighbouring outputs (which do not depend on each other) are
/// computed together. `out` starts at `-inf`.
fn pool_plane<T: KernelFloat, const HAS_NAN: bool>(
    x: &[T],
    p: &Pool2d,
    d: &Dims,
    out: &mut [T],
    idx: &mut [i64],
) {
    let windows_inside = 2 * d.ho <= d.h && 2 * d.wo <= d.w;
    if p.kernel == [2, 2]
        && p.stride == [2, 2]
        && p.padding == [0, 0]
        && p.dilation == [1, 1]
        && windows_inside
    {
        return pool_2x2::<T, HAS_NAN>(x, d, out, idx);
    }
    let [sh, sw] = p.stride;
    let [ph, pw] = p.padding;
    let [dh, dw] = p.dilation;
    let [kh, kw] = p.kernel;
    let (h, w, wo) = (d.h as i64, d.w as i64, d.wo);
    // Per column offset kj: the outputs whose tap lies inside the row, and
    // the tap's column for output 0.
    let columns: Vec<(usize, usize, i64)> = (0..kw)
        .map(|kj| {
            let off = (kj * dw) as i64 - pw as i64;
            let lo = if off >= 0 {
                0
            } else {
                ((-off) as usize).div_ceil(sw)
            };
            let hi = if off >= w {
                0
            } else {
                ((w - off) as usize).div_ceil(sw)
            };
            (lo.min(wo), hi.min(wo).max(lo.min(wo)), off)
        })
        .collect();
    for oh in 0..d.ho {
        let out = &mut out[oh * wo..(oh + 1) * wo];
        let idx = &mut idx[oh * wo..(oh + 1) * wo];
        // torch's starting index: the window's first position inside the
        // input (kept when every value is -inf).
        let mut ih0 = (oh * sh) as i64 - ph as i64;
        while ih0 < 0 {
            ih0 += dh as i64;
        }
        for (ow, i) in idx.iter_mut().enumerate() {
            let mut iw0 = (ow * sw) as i64 - pw as i64;
            while iw0 < 0 {
                iw0 += dw as i64;
            }
            *i = ih0 * w + iw0;
        }
        for ki in 0..kh {
            let ih = (oh * sh + ki * dh) as i64 - ph as i64;
            if ih < 0 || ih >= h {
                continue;
            }
            let row = &x[(ih * w) as usize..((ih + 1) * w) as usize];
            let base = ih * w;
            for &(lo, hi, off) in &columns {
                let taps = (lo..hi).map(|ow| (ow * sw) as i64 + off);
                for ((o, i), iw) in out[lo..hi].iter_mut().zip(&mut idx[lo..hi]).zip(taps) {
                    let v = row[iw as usize];
                    // torch's `val > maxval || isnan(val)`; without NaN in the
                    // plane, one comparison that compiles to a select (random
                    // data makes a branch a coin toss).
                    let take = if HAS_NAN {
                        v > *o || v.is_nan()
                    } else {
                        v > *o
                    };
                    *o = std::hint::select_unpredictable(take, v, *o);
                    *i = std::hint::select_unpredictable(take, base + iw, *i);
                }
            }
        }
    }
}

/// `MaxPool2d(2)`, the course's pooling: each output's four values in
/// torch's order (top left, top right, bottom left, bottom right), every
/// window inside the input (not a ceil-mode edge).
fn pool_2x2<T: KernelFloat, const HAS_NAN: bool>(
    x: &[T],
    d: &Dims,
    out: &mut [T],
    idx: &mut [i64],
) {
    let (w, wo) = (d.w, d.wo);
    let take = |v: T, m: T| if HAS_NAN { v > m || v.is_nan() } else { v > m };
    for oh in 0..d.ho {
        let (r0, r1) = (
            &x[2 * oh * w..(2 * oh + 1) * w],
            &x[(2 * oh + 1) * w..(2 * oh + 2) * w],
        );
        let out = &mut out[oh * wo..(oh + 1) * wo];
        let idx = &mut idx[oh * wo..(oh + 1) * wo];
        let base = (2 * oh * w) as i64;
        for (ow, (o, i)) in out.iter_mut().zip(idx.iter_mut()).enumerate() {
            let c = 2 * ow;
            let (mut m, mut k) = (T::neg_infinity(), base + c as i64);
            for (v, at) in [
                (r0[c], base + c as i64),
                (r0[c + 1], base + c as i64 + 1),
                (r1[c], base + (w + c) as i64),
                (r1[c + 1], base + (w + c) as i64 + 1),
            ] {
                let t = take(v, m);
                m = std::hint::select_unpredictable(t, v, m);
                k = std::hint::select_unpredictable(t, at, k);
            }
            *o = m;
            *i = k;
        }
    }
}

fn backward<T: KernelFloat>(gs: &Storage, idx: &[i64], d: &Dims, in_shape: &[usize]) -> Storage {
    let g = values::<T>(gs);
    let (plane_in, plane_out) = (d.h * d.w, d.ho * d.wo);
    let mut gx = vec![T::default(); d.planes * plane_in];
    for_each_chunk(&mut gx, plane_in, plane_in, d.threads(), |start, part| {
        for (i, dst) in part.chunks_mut(plane_in.max(1)).enumerate() {
            let plane = start / plane_in.max(1) + i;
            let range = plane * plane_out..(plane + 1) * plane_out;
            for (&k, &v) in idx[range.clone()].iter().zip(&g[range]) {
                if k >= 0 {
                    dst[k as usize] += v;
                }
            }
        }
    });
    storage_of(gx, in_shape)
}

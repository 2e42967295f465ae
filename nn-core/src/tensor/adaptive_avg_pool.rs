//! 2-D adaptive average pooling (`AdaptiveAvgPool2DBackward0`): output
//! position `o` of an axis of length `L` pooled to `n` averages the input
//! from `⌊o·L/n⌋` to `⌈(o+1)·L/n⌉`, as torch's CPU kernel computes it (a
//! row-by-row sum divided by the window's height, then by its width).
//! A `1×1` output is torch's shortcut: the mean over the last two
//! dimensions (`MeanBackward1`).

use super::Tensor;
use super::float_kernel::{KernelFloat, float_dtype, storage_of, values};
use super::max_pool::{Dims, PARALLEL_POOL};
use super::storage::Storage;
use crate::autograd::{Saved, no_grad, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError};
use crate::threads::{for_each_chunk, get_num_threads};
use num_traits::NumCast;

/// `F.adaptive_avg_pool2d(x, output_size)`.
pub(crate) fn adaptive_avg_pool2d(input: &Tensor, size: [usize; 2]) -> Result<Tensor> {
    let shape = input.shape().to_vec();
    let d = shape.len();
    if !(d == 3 || d == 4) {
        return Err(TensorError::runtime(format!(
            "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {}",
            super::float_kernel::dims_list(&shape)
        )));
    }
    if shape[d - 2] == 0 || shape[d - 1] == 0 {
        return Err(TensorError::runtime(format!(
            "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes {} with dimension {} being empty",
            super::float_kernel::dims_list(&shape),
            if shape[d - 2] == 0 { d - 2 } else { d - 1 }
        )));
    }
    if size == [1, 1] {
        return Ok(input.mean_dims(&[-1, -2], true));
    }
    let dtype = float_dtype("adaptive_avg_pool2d", &[input.dtype()])?;
    let (h, w) = (shape[d - 2], shape[d - 1]);
    let dims = Dims {
        planes: shape[..d - 2].iter().product(),
        h,
        w,
        ho: size[0],
        wo: size[1],
    };
    let mut out_shape = shape.clone();
    out_shape[d - 2] = size[0];
    out_shape[d - 1] = size[1];
    let xs = input.storage();
    let data = match dtype {
        DType::Float64 => forward::<f64>(&xs, &dims, &out_shape),
        _ => forward::<f32>(&xs, &dims, &out_shape),
    };
    Ok(record(
        data,
        "AdaptiveAvgPool2DBackward0",
        Saved::Tensors,
        &[input],
        || {
            Box::new(move |g: &Tensor| {
                no_grad(|| {
                    let gs = g.storage().contiguous();
                    let gx = match dtype {
                        DType::Float64 => backward::<f64>(&gs, &dims, &shape),
                        _ => backward::<f32>(&gs, &dims, &shape),
                    };
                    vec![Some(Tensor::from_storage(gx))]
                })
            })
        },
    ))
}

/// `⌊a·c/b⌋` and `⌈(a+1)·c/b⌉`: the input range of output `a` of `b`
/// along an axis of length `c`.
fn range(a: usize, b: usize, c: usize) -> (usize, usize) {
    ((a * c) / b, ((a + 1) * c).div_ceil(b))
}

fn threads(d: &Dims) -> usize {
    if d.planes < 2 || d.planes * d.h * d.w < PARALLEL_POOL {
        1
    } else {
        get_num_threads()
    }
}

fn forward<T: KernelFloat>(xs: &Storage, d: &Dims, out_shape: &[usize]) -> Storage {
    let x = values::<T>(xs);
    let (plane_in, plane_out) = (d.h * d.w, d.ho * d.wo);
    let mut out = vec![T::default(); d.planes * plane_out];
    for_each_chunk(&mut out, plane_out, plane_out, threads(d), |start, part| {
        for (i, dst) in part.chunks_mut(plane_out.max(1)).enumerate() {
            let plane = start / plane_out.max(1) + i;
            let src = &x[plane * plane_in..(plane + 1) * plane_in];
            for oh in 0..d.ho {
                let (ih0, ih1) = range(oh, d.ho, d.h);
                let kh: T = NumCast::from(ih1 - ih0).expect("a size");
                for ow in 0..d.wo {
                    let (iw0, iw1) = range(ow, d.wo, d.w);
                    let kw: T = NumCast::from(iw1 - iw0).expect("a size");
                    let mut sum = T::zero();
                    for ih in ih0..ih1 {
                        for &v in &src[ih * d.w + iw0..ih * d.w + iw1] {
                            sum += v;
                        }
                    }
                    dst[oh * d.wo + ow] = sum / kh / kw;
                }
            }
        }
    });
    storage_of(out, out_shape)
}

fn backward<T: KernelFloat>(gs: &Storage, d: &Dims, in_shape: &[usize]) -> Storage {
    let g = values::<T>(gs);
    let (plane_in, plane_out) = (d.h * d.w, d.ho * d.wo);
    let mut gx = vec![T::default(); d.planes * plane_in];
    for_each_chunk(&mut gx, plane_in, plane_in, threads(d), |start, part| {
        for (i, dst) in part.chunks_mut(plane_in.max(1)).enumerate() {
            let plane = start / plane_in.max(1) + i;
            let grad = &g[plane * plane_out..(plane + 1) * plane_out];
            for oh in 0..d.ho {
                let (ih0, ih1) = range(oh, d.ho, d.h);
                let kh: T = NumCast::from(ih1 - ih0).expect("a size");
                for ow in 0..d.wo {
                    let (iw0, iw1) = range(ow, d.wo, d.w);
                    let kw: T = NumCast::from(iw1 - iw0).expect("a size");
                    let delta = grad[oh * d.wo + ow] / kh / kw;
                    for ih in ih0..ih1 {
                        for v in &mut dst[ih * d.w + iw0..ih * d.w + iw1] {
                            *v += delta;
                        }
                    }
                }
            }
        }
    });
    storage_of(gx, in_shape)
}

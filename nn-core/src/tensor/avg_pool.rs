//! 2-D average pooling (`AvgPool2DBackward0`), as torch's CPU kernel: each
//! window's values are summed row by row in the input's float type and
//! divided once by the window's size (counting the padding, or not, or a
//! fixed divisor); the backward pass adds `grad / divisor` to each value of
//! the window, outputs in order. Both are exact.

use super::Tensor;
use super::float_kernel::{KernelFloat, float_dtype, storage_of, values};
use super::max_pool::{Dims, Pool2d, pool_shape};
use super::storage::Storage;
use crate::autograd::{Saved, no_grad, record};
use crate::dtype::DType;
use crate::error::Result;
use crate::threads::for_each_chunk;
use num_traits::NumCast;

/// What an average divides by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Divisor {
    pub count_include_pad: bool,
    pub divisor_override: Option<usize>,
}

/// `F.avg_pool2d`: dilation is 1.
pub(crate) fn avg_pool2d(input: &Tensor, p: &Pool2d, divisor: Divisor) -> Result<Tensor> {
    let shape = input.shape().to_vec();
    let (planes, h, w, ho, wo) = pool_shape(&shape, p)?;
    let dtype = float_dtype("avg_pool2d", &[input.dtype()])?;
    let d = shape.len();
    let mut out_shape = shape.clone();
    out_shape[d - 2] = ho;
    out_shape[d - 1] = wo;
    let dims = Dims {
        planes,
        h,
        w,
        ho,
        wo,
    };
    let p = *p;
    let xs = input.storage();
    let data = match dtype {
        DType::Float64 => forward::<f64>(&xs, &p, divisor, &dims, &out_shape),
        _ => forward::<f32>(&xs, &p, divisor, &dims, &out_shape),
    };
    Ok(record(
        data,
        "AvgPool2DBackward0",
        Saved::Tensors,
        &[input],
        || {
            Box::new(move |g: &Tensor| {
                no_grad(|| {
                    let gs = g.storage().contiguous();
                    let gx = match dtype {
                        DType::Float64 => backward::<f64>(&gs, &p, divisor, &dims, &shape),
                        _ => backward::<f32>(&gs, &p, divisor, &dims, &shape),
                    };
                    vec![Some(Tensor::from_storage(gx))]
                })
            })
        },
    ))
}

/// The window of output `(oh, ow)` clipped to the input, and its divisor
/// (torch's `cpu_avg_pool`); `None` for a window wholly in the padding.
fn window(
    oh: usize,
    ow: usize,
    p: &Pool2d,
    divisor: Divisor,
    d: &Dims,
) -> Option<([usize; 4], usize)> {
    let (h, w) = (d.h as i64, d.w as i64);
    let ih0 = (oh * p.stride[0]) as i64 - p.padding[0] as i64;
    let iw0 = (ow * p.stride[1]) as i64 - p.padding[1] as i64;
    let ih1 = (ih0 + p.kernel[0] as i64).min(h + p.padding[0] as i64);
    let iw1 = (iw0 + p.kernel[1] as i64).min(w + p.padding[1] as i64);
    let pool_size = (ih1 - ih0) * (iw1 - iw0);
    let (ih0, iw0, ih1, iw1) = (ih0.max(0), iw0.max(0), ih1.min(h), iw1.min(w));
    if ih0 >= ih1 || iw0 >= iw1 {
        return None;
    }
    let factor = match divisor {
        Divisor {
            divisor_override: Some(k),
            ..
        } => k as i64,
        Divisor {
            count_include_pad: true,
            ..
        } => pool_size,
        _ => (ih1 - ih0) * (iw1 - iw0),
    };
    Some((
        [ih0 as usize, ih1 as usize, iw0 as usize, iw1 as usize],
        factor as usize,
    ))
}

fn forward<T: KernelFloat>(
    xs: &Storage,
    p: &Pool2d,
    divisor: Divisor,
    d: &Dims,
    out_shape: &[usize],
) -> Storage {
    let x = values::<T>(xs);
    let (plane_in, plane_out) = (d.h * d.w, d.ho * d.wo);
    let mut out = vec![T::default(); d.planes * plane_out];
    for_each_chunk(
        &mut out,
        plane_out,
        plane_out,
        d.threads(),
        |start, part| {
            for (i, dst) in part.chunks_mut(plane_out.max(1)).enumerate() {
                let plane = start / plane_out.max(1) + i;
                let src = &x[plane * plane_in..(plane + 1) * plane_in];
                for oh in 0..d.ho {
                    for ow in 0..d.wo {
                        let Some(([ih0, ih1, iw0, iw1], factor)) = window(oh, ow, p, divisor, d)
                        else {
                            continue;
                        };
                        let mut sum = T::zero();
                        for ih in ih0..ih1 {
                            for &v in &src[ih * d.w + iw0..ih * d.w + iw1] {
                                sum += v;
                            }
                        }
                        let factor: T = NumCast::from(factor).expect("a window size");
                        dst[oh * d.wo + ow] = sum / factor;
                    }
                }
            }
        },
    );
    storage_of(out, out_shape)
}

fn backward<T: KernelFloat>(
    gs: &Storage,
    p: &Pool2d,
    divisor: Divisor,
    d: &Dims,
    in_shape: &[usize],
) -> Storage {
    let g = values::<T>(gs);
    let (plane_in, plane_out) = (d.h * d.w, d.ho * d.wo);
    let mut gx = vec![T::default(); d.planes * plane_in];
    for_each_chunk(&mut gx, plane_in, plane_in, d.threads(), |start, part| {
        for (i, dst) in part.chunks_mut(plane_in.max(1)).enumerate() {
            let plane = start / plane_in.max(1) + i;
            let grad = &g[plane * plane_out..(plane + 1) * plane_out];
            for oh in 0..d.ho {
                for ow in 0..d.wo {
                    let Some(([ih0, ih1, iw0, iw1], factor)) = window(oh, ow, p, divisor, d) else {
                        continue;
                    };
                    let factor: T = NumCast::from(factor).expect("a window size");
                    let delta = grad[oh * d.wo + ow] / factor;
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

//! Elementwise functions: `exp`, `log`, `relu`, `sigmoid`, `pow`, `clamp`, …
//! each with its backward beside it.

use super::Tensor;
use super::expf::sleef_expf;
use super::map::{map, map_array, map_like_torch, zip_map};
use super::storage::{Array, Storage};
use crate::autograd::{Saved, record, record_with_result};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};
use ndarray::Zip;

/// Applies the same expression to f32 and f64 values: `float_map!(s, |x| x.exp())`.
macro_rules! float_map {
    ($s:expr, |$x:ident| $body:expr) => {
        match $s {
            Storage::F32(a) => Storage::F32(a.mapv(|$x: f32| $body).into_shared()),
            Storage::F64(a) => Storage::F64(a.mapv(|$x: f64| $body).into_shared()),
            _ => unreachable!("converted to a float dtype first"),
        }
    };
}

/// Applies an f64 function to float values: float32 values go through f64
/// and are rounded once, which gives the correctly rounded float32 result.
///
/// Why: torch computes `exp`, `log` and `tanh` of float32 tensors with MKL's
/// or SLEEF's vector functions, whose results are correctly rounded in all
/// but rare near-tie cases, while the float32 functions of the system libm
/// differ by version (glibc 2.36's `logf` and `tanhf` are one ulp off torch
/// on some of the reference inputs). Rounding the f64 result is closest to
/// torch and the same on every platform.
macro_rules! rounded_map {
    ($s:expr, $f:expr) => {
        match $s {
            Storage::F32(a) => Storage::F32(a.mapv(|x: f32| $f(x as f64) as f32).into_shared()),
            Storage::F64(a) => Storage::F64(a.mapv($f).into_shared()),
            _ => unreachable!("converted to a float dtype first"),
        }
    };
}

/// Applies the same expression to every numeric dtype (bool excluded).
macro_rules! numeric_map {
    ($s:expr, |$x:ident| $body:expr) => {
        match $s {
            Storage::F32(a) => Storage::F32(a.mapv(|$x: f32| $body).into_shared()),
            Storage::F64(a) => Storage::F64(a.mapv(|$x: f64| $body).into_shared()),
            Storage::I64(a) => Storage::I64(a.mapv(|$x: i64| $body).into_shared()),
            Storage::Bool(_) => unreachable!("bool is rejected first"),
        }
    };
}

/// Combines two float tensors of the same shape and dtype elementwise (for
/// backward formulas with a condition, like relu's mask).
macro_rules! float_zip {
    ($a:expr, $b:expr, |$x:ident, $y:ident| $body:expr) => {
        match ($a.storage(), $b.storage().to_dtype($a.dtype())) {
            (Storage::F32(p), Storage::F32(q)) => {
                Storage::F32(match (p.as_slice(), q.as_slice()) {
                    // Both row-major (the usual case): one vectorized pass.
                    (Some(x), Some(y)) if p.shape() == q.shape() => {
                        super::storage::Array::from_shape_vec(
                            p.raw_dim(),
                            zip_map(x, y, |$x: f32, $y: f32| $body),
                        )
                        .expect("same shape")
                    }
                    _ => Zip::from(&p)
                        .and(&q)
                        .map_collect(|&$x: &f32, &$y: &f32| $body)
                        .into_shared(),
                })
            }
            (Storage::F64(p), Storage::F64(q)) => {
                Storage::F64(match (p.as_slice(), q.as_slice()) {
                    (Some(x), Some(y)) if p.shape() == q.shape() => {
                        super::storage::Array::from_shape_vec(
                            p.raw_dim(),
                            zip_map(x, y, |$x: f64, $y: f64| $body),
                        )
                        .expect("same shape")
                    }
                    _ => Zip::from(&p)
                        .and(&q)
                        .map_collect(|&$x: &f64, &$y: &f64| $body)
                        .into_shared(),
                })
            }
            _ => unreachable!("gradients are float"),
        }
    };
}

impl Tensor {
    /// The values as a float dtype: float tensors as they are, integers and
    /// bools as float32 (what torch's `exp`, `sigmoid`, … compute in).
    fn float_storage(&self) -> Storage {
        let s = self.storage();
        if s.dtype().is_floating_point() {
            s
        } else {
            s.to_dtype(DType::Float32)
        }
    }

    fn reject_bool(&self, what: &str) -> Result<()> {
        if self.dtype() == DType::Bool {
            return Err(TensorError::runtime(format!(
                "\"{what}\" not implemented for 'Bool'"
            )));
        }
        Ok(())
    }

    /// `-self`, as `torch.neg` (`NegBackward0`).
    ///
    /// # Panics
    /// On a bool tensor, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!((-tensor![1.0, -2.0]).to_vec::<f32>(), vec![-1.0, 2.0]);
    /// ```
    #[track_caller]
    pub fn neg(&self) -> Tensor {
        if self.dtype() == DType::Bool {
            or_panic::<()>(Err(TensorError::runtime(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
            )));
        }
        let data = numeric_map!(self.storage(), |x| -x);
        record(data, "NegBackward0", Saved::Nothing, &[self], || {
            Box::new(|g: &Tensor| vec![Some(-g)])
        })
    }

    /// `e^x` elementwise, as `torch.exp` (`ExpBackward0`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![0.0].exp().item(), 1.0);
    /// ```
    pub fn exp(&self) -> Tensor {
        let data = rounded_map!(self.float_storage(), f64::exp);
        record_with_result(data, "ExpBackward0", Saved::Tensors, &[self], |out| {
            let out = Tensor::from_storage(out.clone());
            Box::new(move |g: &Tensor| vec![Some(g * &out)])
        })
    }

    /// The natural logarithm, as `torch.log` (`LogBackward0`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1.0].log().item(), 0.0);
    /// ```
    pub fn log(&self) -> Tensor {
        let data = rounded_map!(self.float_storage(), f64::ln);
        record(data, "LogBackward0", Saved::Tensors, &[self], || {
            let x = self.clone();
            Box::new(move |g: &Tensor| vec![Some(g / &x)])
        })
    }

    /// The square root, as `torch.sqrt` (`SqrtBackward0`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![4.0, 9.0].sqrt().to_vec::<f32>(), vec![2.0, 3.0]);
    /// ```
    pub fn sqrt(&self) -> Tensor {
        let data = float_map!(self.float_storage(), |x| x.sqrt());
        record_with_result(data, "SqrtBackward0", Saved::Tensors, &[self], |out| {
            let out = Tensor::from_storage(out.clone());
            Box::new(move |g: &Tensor| vec![Some(g / &(&out * 2.0))])
        })
    }

    /// `1 / x`, as `torch.reciprocal` (`ReciprocalBackward0`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![2.0, 4.0].reciprocal().to_vec::<f32>(), vec![0.5, 0.25]);
    /// ```
    pub fn reciprocal(&self) -> Tensor {
        let data = float_map!(self.float_storage(), |x| 1.0 / x);
        record_with_result(
            data,
            "ReciprocalBackward0",
            Saved::Tensors,
            &[self],
            |out| {
                let out = Tensor::from_storage(out.clone());
                Box::new(move |g: &Tensor| vec![Some(&(-g) * &(&out * &out))])
            },
        )
    }

    /// The absolute value, as `torch.abs` (`AbsBackward0`; gradient 0 at 0).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![-1.5, 2.0].abs().to_vec::<f32>(), vec![1.5, 2.0]);
    /// ```
    #[track_caller]
    pub fn abs(&self) -> Tensor {
        or_panic(self.reject_bool("abs"));
        // `Default::default()` is each numeric type's zero.
        let data = numeric_map!(self.storage(), |x| if x < Default::default() {
            -x
        } else {
            x
        });
        record(data, "AbsBackward0", Saved::Tensors, &[self], || {
            let x = self.clone();
            Box::new(move |g: &Tensor| {
                let sign = float_zip!(g, x, |_g, v| if v > 0.0 {
                    1.0
                } else if v < 0.0 {
                    -1.0
                } else {
                    0.0
                });
                vec![Some(g * &Tensor::from_storage(sign))]
            })
        })
    }

    /// `max(x, 0)` elementwise, as `torch.relu` (`ReluBackward0`; gradient 0 at 0).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![-1.0, 0.5].relu().to_vec::<f32>(), vec![0.0, 0.5]);
    /// ```
    #[track_caller]
    pub fn relu(&self) -> Tensor {
        or_panic(self.reject_bool("relu"));
        // NaN stays NaN, as in torch's clamp_min.
        let data = match self.storage() {
            Storage::F32(a) => {
                Storage::F32(map_array(&a, |v| map(v, |x| if x < 0.0 { 0.0 } else { x })))
            }
            other => numeric_map!(other, |x| if x < Default::default() {
                Default::default()
            } else {
                x
            }),
        };
        record_with_result(data, "ReluBackward0", Saved::Tensors, &[self], |out| {
            let out = Tensor::from_storage(out.clone());
            Box::new(move |g: &Tensor| {
                vec![Some(Tensor::from_storage(float_zip!(
                    g,
                    out,
                    |gv, r| if r > 0.0 { gv } else { 0.0 }
                )))]
            })
        })
    }

    /// `x` for positive values, `negative_slope · x` otherwise, as
    /// `F.leaky_relu` (`LeakyReluBackward0`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![-2.0, 3.0].leaky_relu(0.5).to_vec::<f32>(), vec![-1.0, 3.0]);
    /// ```
    pub fn leaky_relu(&self, negative_slope: f64) -> Tensor {
        let data = match self.float_storage() {
            Storage::F32(a) => {
                let s = negative_slope as f32;
                Storage::F32(a.mapv(|x| if x > 0.0 { x } else { x * s }).into_shared())
            }
            Storage::F64(a) => Storage::F64(
                a.mapv(|x| if x > 0.0 { x } else { x * negative_slope })
                    .into_shared(),
            ),
            _ => unreachable!(),
        };
        record(data, "LeakyReluBackward0", Saved::Tensors, &[self], || {
            let x = self.clone();
            Box::new(move |g: &Tensor| {
                let s32 = negative_slope as f32;
                let grad = match (g.storage(), x.float_storage()) {
                    (Storage::F32(p), Storage::F32(q)) => Storage::F32(
                        Zip::from(&p)
                            .and(&q)
                            .map_collect(|&gv, &v| if v > 0.0 { gv } else { gv * s32 })
                            .into_shared(),
                    ),
                    (Storage::F64(p), Storage::F64(q)) => Storage::F64(
                        Zip::from(&p)
                            .and(&q)
                            .map_collect(|&gv, &v| if v > 0.0 { gv } else { gv * negative_slope })
                            .into_shared(),
                    ),
                    _ => unreachable!("gradients are float"),
                };
                vec![Some(Tensor::from_storage(grad))]
            })
        })
    }

    /// The logistic function `1 / (1 + e^-x)`, as `torch.sigmoid` (`SigmoidBackward0`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![0.0].sigmoid().item(), 0.5);
    /// ```
    pub fn sigmoid(&self) -> Tensor {
        // torch's two codes (see `map_like_torch`): its vector code
        // `1 / (exp(0 - x) + 1)` with SLEEF's exp, its scalar code
        // `1 / (1 + std::exp(-x))` with the system libm's.
        let f32_sigmoid = |a: &Array<f32>| {
            Storage::F32(map_array(a, |v| {
                map_like_torch(
                    v,
                    #[inline(always)]
                    |x| 1.0 / (sleef_expf(0.0 - x) + 1.0),
                    |x| 1.0 / (1.0 + (-x).exp()),
                )
            }))
        };
        // Borrowed, not cloned: a small net's ops are mostly bookkeeping.
        let data = match &*self.read_storage() {
            Storage::F32(a) => f32_sigmoid(a),
            Storage::F64(a) => Storage::F64(a.mapv(|x| 1.0 / (1.0 + (-x).exp())).into_shared()),
            other => match other.to_dtype(DType::Float32) {
                Storage::F32(a) => f32_sigmoid(&a),
                _ => unreachable!("converted to float32"),
            },
        };
        record_with_result(data, "SigmoidBackward0", Saved::Tensors, &[self], |out| {
            // The values, not a tensor: a tensor is only built if backward runs.
            let out = out.clone();
            // torch's sigmoid_backward: grad * (1 - out) * out, in that order.
            Box::new(move |g: &Tensor| {
                let out = Tensor::from_storage(out.clone());
                if g.dtype() != out.dtype() {
                    return vec![Some(&(g * &out.rsub(1.0)) * &out)];
                }
                vec![Some(Tensor::from_storage(float_zip!(g, out, |gv, o| gv
                    * (1.0 - o)
                    * o)))]
            })
        })
    }

    /// The hyperbolic tangent, as `torch.tanh` (`TanhBackward0`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![0.0].tanh().item(), 0.0);
    /// ```
    pub fn tanh(&self) -> Tensor {
        let data = rounded_map!(self.float_storage(), f64::tanh);
        record_with_result(data, "TanhBackward0", Saved::Tensors, &[self], |out| {
            let out = Tensor::from_storage(out.clone());
            // torch's tanh_backward: grad * (1 - out * out).
            Box::new(move |g: &Tensor| vec![Some(g * &(&out * &out).rsub(1.0))])
        })
    }

    /// `x^exponent` elementwise, as `torch.pow(x, exponent)` (`PowBackward0`).
    ///
    /// Exponents 2 and 3 multiply (`x*x`, `x*x*x`) and 0.5 takes the square
    /// root, as torch's kernel does, so the bits agree.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1.5, -2.0].pow(2.0).to_vec::<f32>(), vec![2.25, 4.0]);
    /// ```
    pub fn pow(&self, exponent: f64) -> Tensor {
        let data = match self.storage() {
            Storage::I64(a) if exponent.fract() == 0.0 && exponent >= 0.0 => {
                Storage::I64(a.mapv(|x| x.wrapping_pow(exponent as u32)).into_shared())
            }
            _ => match self.float_storage() {
                Storage::F32(a) => {
                    let e = exponent as f32;
                    Storage::F32(a.mapv(|x| pow_f32(x, e)).into_shared())
                }
                Storage::F64(a) => Storage::F64(a.mapv(|x| pow_f64(x, exponent)).into_shared()),
                _ => unreachable!(),
            },
        };
        record(data, "PowBackward0", Saved::Tensors, &[self], || {
            let x = self.clone();
            Box::new(move |g: &Tensor| {
                if exponent == 0.0 {
                    return vec![Some(Tensor::zeros_like(g))];
                }
                // torch's pow_backward: grad * (exponent * self.pow(exponent - 1)).
                vec![Some(g * &(&x.pow(exponent - 1.0) * exponent))]
            })
        })
    }

    /// Limits values to `[min, max]`, as `torch.clamp(x, min, max)`; either
    /// bound may be `None`. The gradient passes where `min < x < max` and is 0
    /// at and beyond the bounds (torch 2.15's behaviour with number bounds).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let y = tensor![-2.0, 0.5, 3.0].clamp(Some(-1.0), Some(1.0));
    /// assert_eq!(y.to_vec::<f32>(), vec![-1.0, 0.5, 1.0]);
    /// ```
    #[track_caller]
    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> Tensor {
        or_panic(self.try_clamp(min, max))
    }

    /// Fallible form of [`clamp`](Self::clamp).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = tensor![1.0].try_clamp(None, None).unwrap_err();
    /// assert_eq!(err.to_string(), "torch.clamp: At least one of 'min' or 'max' must not be None");
    /// ```
    pub fn try_clamp(&self, min: Option<f64>, max: Option<f64>) -> Result<Tensor> {
        self.reject_bool("clamp")?;
        if min.is_none() && max.is_none() {
            return Err(TensorError::runtime(
                "torch.clamp: At least one of 'min' or 'max' must not be None",
            ));
        }
        let (lo, hi) = (
            min.unwrap_or(f64::NEG_INFINITY),
            max.unwrap_or(f64::INFINITY),
        );
        // Integer tensors with float bounds become float, as in torch.
        let bounds_float =
            min.is_some_and(|v| v.fract() != 0.0) || max.is_some_and(|v| v.fract() != 0.0);
        let data = match self.storage() {
            Storage::I64(a) if !bounds_float => Storage::I64(
                a.mapv(|x| {
                    let v = x as f64;
                    if v < lo {
                        lo as i64
                    } else if v > hi {
                        hi as i64
                    } else {
                        x
                    }
                })
                .into_shared(),
            ),
            _ => match self.float_storage() {
                Storage::F32(a) => {
                    let (l, h) = (lo as f32, hi as f32);
                    Storage::F32(
                        a.mapv(|x| {
                            if x < l {
                                l
                            } else if x > h {
                                h
                            } else {
                                x
                            }
                        })
                        .into_shared(),
                    )
                }
                Storage::F64(a) => Storage::F64(
                    a.mapv(|x| {
                        if x < lo {
                            lo
                        } else if x > hi {
                            hi
                        } else {
                            x
                        }
                    })
                    .into_shared(),
                ),
                _ => unreachable!(),
            },
        };
        Ok(record(
            data,
            "ClampBackward1",
            Saved::Tensors,
            &[self],
            || {
                let x = self.clone();
                Box::new(move |g: &Tensor| {
                    let (l, h) = (lo, hi);
                    let grad = float_zip!(g, x, |gv, v| {
                        let v = v as f64;
                        if v > l && v < h { gv } else { 0.0 }
                    });
                    vec![Some(Tensor::from_storage(grad))]
                })
            },
        ))
    }

    /// The sine, as `torch.sin` (`SinBackward0`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![0.0].sin().item(), 0.0);
    /// ```
    pub fn sin(&self) -> Tensor {
        let data = float_map!(self.float_storage(), |x| x.sin());
        record(data, "SinBackward0", Saved::Tensors, &[self], || {
            let x = self.clone();
            Box::new(move |g: &Tensor| vec![Some(g * &x.cos())])
        })
    }

    /// The cosine, as `torch.cos` (`CosBackward0`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![0.0].cos().item(), 1.0);
    /// ```
    pub fn cos(&self) -> Tensor {
        let data = float_map!(self.float_storage(), |x| x.cos());
        record(data, "CosBackward0", Saved::Tensors, &[self], || {
            let x = self.clone();
            Box::new(move |g: &Tensor| vec![Some(&(g * &x.sin()) * -1.0)])
        })
    }

    /// `x * x`, as `torch.square` (recorded as `PowBackward0`, as torch does).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![3.0].square().item(), 9.0);
    /// ```
    pub fn square(&self) -> Tensor {
        self.pow(2.0)
    }
}

/// torch's float pow: small integer and half exponents take exact shortcuts.
fn pow_f32(x: f32, e: f32) -> f32 {
    match e {
        1.0 => x,
        2.0 => x * x,
        3.0 => x * x * x,
        0.5 => x.sqrt(),
        -1.0 => 1.0 / x,
        -2.0 => 1.0 / (x * x),
        -0.5 => 1.0 / x.sqrt(),
        _ => x.powf(e),
    }
}

fn pow_f64(x: f64, e: f64) -> f64 {
    match e {
        1.0 => x,
        2.0 => x * x,
        3.0 => x * x * x,
        0.5 => x.sqrt(),
        -1.0 => 1.0 / x,
        -2.0 => 1.0 / (x * x),
        -0.5 => 1.0 / x.sqrt(),
        _ => x.powf(e),
    }
}

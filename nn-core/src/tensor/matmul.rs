//! Matrix products: `matmul` with all of torch's 1-D/2-D/batched rules, `mm`,
//! and `linear` (`x Wᵀ + b`).
//!
//! Small products use an in-order fused multiply-add chain per output
//! element, starting from 0 (from the bias when there is one inner term):
//! that reproduces torch's small `nn.Linear` outputs bit for bit (rng.md §8).
//! Large products go to `matrixmultiply` (through ndarray), which is fast but
//! sums in its own order, as MKL does.

use super::Tensor;
use super::broadcast::broadcast_shapes;
use super::storage::{Array, Storage};
use crate::autograd::{no_grad, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};
use ndarray::{IxDyn, linalg::general_mat_mul};
use num_traits::Float;

/// Above this many multiply-adds a product goes to the blocked kernel.
const SMALL_PRODUCT: usize = 1 << 18;

/// `out = a (m×k) · b (k×n)` (+ `bias` broadcast over rows). `b_t` means `b`
/// is given transposed, as `n×k` row-major (a weight matrix).
fn gemm<T: Float + 'static>(
    a: &[T],
    b: &[T],
    m: usize,
    k: usize,
    n: usize,
    b_t: bool,
    bias: Option<&[T]>,
) -> Vec<T> {
    if m * k * n > SMALL_PRODUCT {
        let av = ndarray::ArrayView2::from_shape((m, k), a).expect("sized");
        let bv = if b_t {
            ndarray::ArrayView2::from_shape((n, k), b)
                .expect("sized")
                .reversed_axes()
        } else {
            ndarray::ArrayView2::from_shape((k, n), b).expect("sized")
        };
        let mut out = match bias {
            Some(bias) => ndarray::Array2::from_shape_fn((m, n), |(_, j)| bias[j]),
            None => ndarray::Array2::zeros((m, n)),
        };
        let beta = if bias.is_some() { T::one() } else { T::zero() };
        general_mat_mul(T::one(), &av, &bv, beta, &mut out);
        return out.into_raw_vec_and_offset().0;
    }
    let mut out = vec![T::zero(); m * n];
    // With a single inner term torch rounds once: fma(x, w, b).
    let fused_bias = k == 1 && bias.is_some();
    for i in 0..m {
        let row = &mut out[i * n..(i + 1) * n];
        if fused_bias {
            row.copy_from_slice(bias.expect("checked"));
        }
        for p in 0..k {
            let x = a[i * k + p];
            if b_t {
                for (j, o) in row.iter_mut().enumerate() {
                    *o = x.mul_add(b[j * k + p], *o);
                }
            } else {
                let brow = &b[p * n..(p + 1) * n];
                for (o, &w) in row.iter_mut().zip(brow) {
                    *o = x.mul_add(w, *o);
                }
            }
        }
        if let (Some(bias), false) = (bias, fused_bias) {
            for (o, &c) in row.iter_mut().zip(bias) {
                *o = *o + c;
            }
        }
    }
    out
}

fn gemm_i64(a: &[i64], b: &[i64], m: usize, k: usize, n: usize) -> Vec<i64> {
    let mut out = vec![0i64; m * n];
    for i in 0..m {
        for p in 0..k {
            for j in 0..n {
                out[i * n + j] =
                    out[i * n + j].wrapping_add(a[i * k + p].wrapping_mul(b[p * n + j]));
            }
        }
    }
    out
}

/// Row-major values of `s` broadcast to `shape`, as a flat vector.
fn flat<T: Clone>(a: &Array<T>, shape: &[usize]) -> Vec<T> {
    let v = a.broadcast(IxDyn(shape)).expect("broadcast checked");
    match v.as_slice() {
        Some(s) => s.to_vec(),
        None => v.iter().cloned().collect(),
    }
}

/// A batched product of `a` (batch… × m × k) and `b` (batch… × k × n), both
/// at least 2-D, with batch broadcasting.
fn batched_product(a: &Storage, b: &Storage, dtype: DType) -> Result<Storage> {
    let (sa, sb) = (a.shape().to_vec(), b.shape().to_vec());
    let (m, k) = (sa[sa.len() - 2], sa[sa.len() - 1]);
    let (k2, n) = (sb[sb.len() - 2], sb[sb.len() - 1]);
    debug_assert_eq!(k, k2);
    let batch = broadcast_shapes(&sa[..sa.len() - 2], &sb[..sb.len() - 2])?;
    let count: usize = batch.iter().product();
    let shape_a: Vec<usize> = batch.iter().copied().chain([m, k]).collect();
    let shape_b: Vec<usize> = batch.iter().copied().chain([k, n]).collect();
    let shape_out: Vec<usize> = batch.iter().copied().chain([m, n]).collect();
    macro_rules! run {
        ($variant:ident, $kernel:expr) => {{
            let (Storage::$variant(x), Storage::$variant(y)) =
                (a.to_dtype(dtype), b.to_dtype(dtype))
            else {
                unreachable!("converted to one dtype")
            };
            let (x, y) = (flat(&x, &shape_a), flat(&y, &shape_b));
            let mut out = Vec::with_capacity(count * m * n);
            for i in 0..count {
                out.extend($kernel(
                    &x[i * m * k..(i + 1) * m * k],
                    &y[i * k * n..(i + 1) * k * n],
                ));
            }
            Storage::$variant(Array::from_shape_vec(IxDyn(&shape_out), out).expect("sized"))
        }};
    }
    Ok(match dtype {
        DType::Float32 => run!(F32, |x: &[f32], y: &[f32]| gemm(x, y, m, k, n, false, None)),
        DType::Float64 => run!(F64, |x: &[f64], y: &[f64]| gemm(x, y, m, k, n, false, None)),
        DType::Int64 => run!(I64, |x: &[i64], y: &[i64]| gemm_i64(x, y, m, k, n)),
        DType::Bool => {
            return Err(TensorError::runtime(
                "\"addmm_impl_cpu_\" not implemented for 'Bool'",
            ));
        }
    })
}

/// Reshapes storage (copying to row-major first when needed).
fn reshape(s: &Storage, shape: &[usize]) -> Storage {
    super::storage::map_storage!(s, a => a.as_standard_layout().into_owned().into_shape_with_order(IxDyn(shape)).expect("same count").into_shared())
}

/// torch's grad_fn for `a.matmul(b)`, which follows the path `at::matmul`
/// takes (dot, mv, mm, folding into mm, or bmm).
fn matmul_grad_fn(da: usize, db: usize, a_requires_grad: bool) -> &'static str {
    match (da, db) {
        (1, 1) => "DotBackward0",
        (2, 1) => "MvBackward0",
        (1, 2) => "SqueezeBackward4",
        (2, 2) => "MmBackward0",
        // 2-D @ batched folds into a transposed mm and copies the result.
        (2, _) if a_requires_grad => "CloneBackward0",
        _ => "UnsafeViewBackward0",
    }
}

fn dims_text(s: &[usize]) -> String {
    s.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("x")
}

impl Tensor {
    /// The matrix product with torch's rules for every combination of 1-D,
    /// 2-D and batched operands (broadcasting batch dimensions), as
    /// `torch.matmul(a, b)` / `a @ b`.
    ///
    /// # Panics
    /// If the inner dimensions differ, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, -1.0];
    /// let w = tensor![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
    /// assert_eq!(x.matmul(&w.t()).to_vec::<f32>(), vec![-1.0, -1.0, -1.0]);
    /// assert_eq!(tensor![[1.0, 2.0]].matmul(&tensor![[3.0], [4.0]]).item(), 11.0);
    /// ```
    #[track_caller]
    pub fn matmul(&self, other: &Tensor) -> Tensor {
        or_panic(self.try_matmul(other))
    }

    /// Fallible form of [`matmul`](Self::matmul).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3, 2]).try_matmul(&Tensor::zeros([3, 5])).unwrap_err();
    /// assert_eq!(err.to_string(), "mat1 and mat2 shapes cannot be multiplied (3x2 and 3x5)");
    /// ```
    pub fn try_matmul(&self, other: &Tensor) -> Result<Tensor> {
        let (sa, sb) = (self.shape().to_vec(), other.shape().to_vec());
        let (da, db) = (sa.len(), sb.len());
        if da == 0 || db == 0 {
            return Err(TensorError::runtime(format!(
                "both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
            )));
        }
        let ka = sa[da - 1];
        let kb = if db == 1 { sb[0] } else { sb[db - 2] };
        if ka != kb {
            return Err(TensorError::runtime(match (da, db) {
                (1, 1) => format!(
                    "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
                    sa[0], sb[0], sa[0], sb[0]
                ),
                (2, 1) => format!(
                    "size mismatch, got input ({}), mat ({}), vec ({})",
                    sa[0],
                    dims_text(&sa),
                    sb[0]
                ),
                (1, 2) => format!(
                    "mat1 and mat2 shapes cannot be multiplied (1x{} and {})",
                    sa[0],
                    dims_text(&sb)
                ),
                (_, 1) | (_, 2) => format!(
                    "mat1 and mat2 shapes cannot be multiplied ({}x{} and {})",
                    sa[..da - 1].iter().product::<usize>(),
                    ka,
                    dims_text(&sb)
                ),
                _ => format!(
                    "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
                    sa[..da.saturating_sub(2)].iter().product::<usize>().max(1),
                    ka,
                    sb[..db - 2].iter().product::<usize>().max(1),
                    kb
                ),
            }));
        }
        let data = self.matmul_values(other)?;
        let name = matmul_grad_fn(da, db, self.requires_grad());
        let (a, b) = (self.clone(), other.clone());
        Ok(record(data, name, &[self, other], move || {
            Box::new(move |g: &Tensor| {
                let (da, db) = (a.dim(), b.dim());
                // Work with ≥2-D operands; put the dropped dims back into g.
                let a2 = if da == 1 { a.unsqueeze(0) } else { a.clone() };
                let b2 = if db == 1 { b.unsqueeze(1) } else { b.clone() };
                let mut g2 = g.clone();
                if da == 1 {
                    g2 = g2.unsqueeze(if db == 1 { 0 } else { -2 });
                }
                if db == 1 {
                    g2 = g2.unsqueeze(-1);
                }
                let ga = a.requires_grad().then(|| {
                    let full = g2.matmul(&b2.transpose(-1, -2));
                    full.sum_to_shape(&a2.shape()).reshape(a.shape())
                });
                let gb = b.requires_grad().then(|| {
                    let full = a2.transpose(-1, -2).matmul(&g2);
                    full.sum_to_shape(&b2.shape()).reshape(b.shape())
                });
                vec![ga, gb]
            })
        }))
    }

    /// The values of `self @ other` (shapes already checked).
    fn matmul_values(&self, other: &Tensor) -> Result<Storage> {
        let (sa, sb) = (self.shape().to_vec(), other.shape().to_vec());
        let dtype = self.dtype().promote(other.dtype());
        let a = if sa.len() == 1 {
            reshape(&self.storage(), &[1, sa[0]])
        } else {
            self.storage()
        };
        let b = if sb.len() == 1 {
            reshape(&other.storage(), &[sb[0], 1])
        } else {
            other.storage()
        };
        let out = batched_product(&a, &b, dtype)?;
        let mut shape = out.shape().to_vec();
        if sb.len() == 1 {
            shape.pop();
        }
        if sa.len() == 1 {
            let n = shape.len();
            shape.remove(n - 1 - usize::from(sb.len() != 1));
        }
        Ok(reshape(&out, &shape))
    }

    /// The product of two matrices, as `torch.mm(a, b)` (`MmBackward0`).
    ///
    /// # Panics
    /// If an operand is not 2-D or the shapes do not fit, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let y = tensor![[1.0, 2.0]].mm(&tensor![[1.0], [1.0]]);
    /// assert_eq!(y.item(), 3.0);
    /// ```
    #[track_caller]
    pub fn mm(&self, other: &Tensor) -> Tensor {
        if self.dim() != 2 {
            or_panic::<()>(Err(TensorError::runtime("self must be a matrix")));
        }
        if other.dim() != 2 {
            or_panic::<()>(Err(TensorError::runtime("mat2 must be a matrix")));
        }
        self.matmul(other)
    }

    /// `x Wᵀ + b`, as `torch.nn.functional.linear(x, weight, bias)`: the
    /// computation of `nn.Linear`. 2-D input with a bias is one fused `addmm`
    /// (`AddmmBackward0`); other inputs are flattened to 2-D and viewed back
    /// (`UnsafeViewBackward0`), or go through `matmul` without a bias.
    ///
    /// # Panics
    /// If the last dimension of `self` is not `weight.size(1)`, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[1.0, -1.0], [0.0, 1.0], [0.0, 0.0]];
    /// let w = tensor![[0.5, 0.5], [1.0, -1.0]];
    /// let b = tensor![0.0, 1.0];
    /// assert_eq!(x.linear(&w, Some(&b)).to_vec::<f32>(), vec![0.0, 3.0, 0.5, 0.0, 0.0, 1.0]);
    /// ```
    #[track_caller]
    pub fn linear(&self, weight: &Tensor, bias: Option<&Tensor>) -> Tensor {
        or_panic(self.try_linear(weight, bias))
    }

    /// Fallible form of [`linear`](Self::linear).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3, 2]).try_linear(&Tensor::zeros([5, 3]), None).unwrap_err();
    /// assert_eq!(err.to_string(), "mat1 and mat2 shapes cannot be multiplied (3x2 and 3x5)");
    /// ```
    pub fn try_linear(&self, weight: &Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
        let Some(bias) = bias else {
            return self.try_matmul(&weight.t());
        };
        let (sx, sw) = (self.shape().to_vec(), weight.shape().to_vec());
        if sw.len() != 2 || sx.is_empty() {
            return self.try_matmul(&weight.t()).and_then(|y| y.try_add(bias));
        }
        let (k, n) = (sw[1], sw[0]);
        let rows: usize = sx[..sx.len() - 1].iter().product();
        if sx[sx.len() - 1] != k {
            return Err(TensorError::runtime(format!(
                "mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
                rows,
                sx[sx.len() - 1],
                k,
                n
            )));
        }
        if bias.numel() != n && bias.numel() != 1 {
            return Err(TensorError::runtime(format!(
                "The size of tensor a ({n}) must match the size of tensor b ({}) at non-singleton dimension 1",
                bias.numel()
            )));
        }
        let dtype = self.dtype().promote(weight.dtype()).promote(bias.dtype());
        if !dtype.is_floating_point() {
            return self.try_matmul(&weight.t()).and_then(|y| y.try_add(bias));
        }
        let bias_row = bias.expand_to(&[n]);
        let mut out_shape = sx[..sx.len() - 1].to_vec();
        out_shape.push(n);
        macro_rules! run {
            ($variant:ident, $t:ty) => {{
                let get = |t: &Tensor| -> Vec<$t> { t.to_dtype(dtype).to_vec::<$t>() };
                let v = gemm(
                    &get(self),
                    &get(weight),
                    rows,
                    k,
                    n,
                    true,
                    Some(&get(&bias_row)),
                );
                Storage::$variant(Array::from_shape_vec(IxDyn(&out_shape), v).expect("sized"))
            }};
        }
        let data = match dtype {
            DType::Float64 => run!(F64, f64),
            _ => run!(F32, f32),
        };
        let name = if sx.len() == 2 {
            "AddmmBackward0"
        } else {
            "UnsafeViewBackward0"
        };
        let (x, w, b) = (self.clone(), weight.clone(), bias.clone());
        Ok(record(data, name, &[self, weight, bias], move || {
            Box::new(move |g: &Tensor| {
                no_grad(|| {
                    let g2 = g.reshape([rows as i64, n as i64]);
                    let gx = x.requires_grad().then(|| g2.matmul(&w).reshape(x.shape()));
                    let gw = w
                        .requires_grad()
                        .then(|| g2.t().matmul(&x.reshape([rows as i64, k as i64])));
                    let gb = b
                        .requires_grad()
                        .then(|| g2.sum_dim(0, false).sum_to_shape(&b.shape()));
                    vec![gx, gw, gb]
                })
            })
        }))
    }
}

//! Matrix products: `matmul` with all of torch's 1-D/2-D/batched rules, `mm`,
//! and `linear` (`x Wᵀ + b`).
//!
//! Small products use an in-order fused multiply-add chain per output
//! element, starting from 0 (from the bias when there is one inner term):
//! that reproduces torch's small `nn.Linear` outputs bit for bit (rng.md §8).
//! Large products go to `matrixmultiply`'s cache-blocked kernels (AVX-512 or
//! FMA, picked at run time), which are fast but sum in their own order, as
//! MKL does; above [`PARALLEL_PRODUCT`] multiply-adds per thread their rows
//! are split among [`get_num_threads`](crate::get_num_threads) threads. A
//! row's values do not depend on which thread computes it, so the numbers
//! are the same for every thread count.
//!
//! Operands are read in place, whether row-major or transposed (a weight
//! `W` is the transposed operand of `x Wᵀ`); only the small chain copies a
//! transposed operand it needs row-major (a few thousand values at most).

use super::Tensor;
use super::broadcast::broadcast_shapes;
use super::storage::{Array, Storage};
use crate::autograd::{Saved, no_grad, record};
use crate::cpu::with_fma;
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};
use crate::threads::{for_each_chunk, get_num_threads};
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, IxDyn, LinalgScalar, ShapeBuilder, s};
use num_traits::Float;
use std::borrow::Cow;

/// Above this many multiply-adds a product goes to the blocked kernel.
const SMALL_PRODUCT: usize = 1 << 18;

/// Each thread of a split product gets at least this many multiply-adds
/// (about 0.2 ms of work on one core): waking a pool thread that has gone to
/// sleep costs tens of microseconds on a virtual machine's idle core.
const PARALLEL_PRODUCT: usize = 1 << 24;

/// A float type the product kernels handle: `f32` or `f64`.
pub(crate) trait GemmFloat: Float + LinalgScalar + Send + Sync {}
impl GemmFloat for f32 {}
impl GemmFloat for f64 {}

/// A `rows × cols` matrix operand read in place: row-major values, or (when
/// `transposed`) the row-major values of its `cols × rows` transpose.
#[derive(Clone, Copy)]
pub(crate) struct Mat<'a, T> {
    data: &'a [T],
    rows: usize,
    cols: usize,
    transposed: bool,
}

impl<'a, T: Copy> Mat<'a, T> {
    pub(crate) fn row_major(data: &'a [T], rows: usize, cols: usize) -> Mat<'a, T> {
        debug_assert_eq!(data.len(), rows * cols);
        Mat {
            data,
            rows,
            cols,
            transposed: false,
        }
    }

    /// The transpose, reading the same values. (A row or a column is laid
    /// out the same either way: it counts as row-major.)
    pub(crate) fn t(self) -> Mat<'a, T> {
        Mat {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            transposed: !self.transposed && self.rows > 1 && self.cols > 1,
        }
    }

    /// Element strides (row, column).
    fn strides(&self) -> (usize, usize) {
        if self.transposed {
            (1, self.rows)
        } else {
            (self.cols, 1)
        }
    }

    fn at(&self, i: usize, j: usize) -> T {
        let (rs, cs) = self.strides();
        self.data[i * rs + j * cs]
    }

    fn view(&self) -> ArrayView2<'a, T> {
        let (rs, cs) = self.strides();
        ArrayView2::from_shape((self.rows, self.cols).strides((rs, cs)), self.data)
            .expect("operand sized")
    }

    /// The values row-major: borrowed when they already are.
    fn row_major_values(&self) -> Cow<'a, [T]> {
        if !self.transposed {
            return Cow::Borrowed(self.data);
        }
        let mut v = Vec::with_capacity(self.rows * self.cols);
        for i in 0..self.rows {
            v.extend((0..self.cols).map(|j| self.data[j * self.rows + i]));
        }
        Cow::Owned(v)
    }
}

/// The values of a 2-D array as a [`Mat`]: in place when they are row-major
/// or transposed row-major (what `t()` of a contiguous tensor gives), else
/// copied row-major into `copy`.
fn as_mat<'a, T: Copy>(a: &'a Array<T>, copy: &'a mut Vec<T>) -> Mat<'a, T> {
    let (rows, cols) = (a.shape()[0], a.shape()[1]);
    if let Some(data) = a.as_slice() {
        return Mat::row_major(data, rows, cols);
    }
    if a.t().is_standard_layout()
        && let Some(data) = a.as_slice_memory_order()
    {
        return Mat::row_major(data, cols, rows).t();
    }
    *copy = a.iter().copied().collect();
    Mat::row_major(copy, rows, cols)
}

/// `a (m×k) · b (k×n)` (+ `bias` broadcast over rows), row-major `m×n`.
fn gemm<T: GemmFloat>(a: Mat<T>, b: Mat<T>, bias: Option<&[T]>) -> Vec<T> {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    debug_assert_eq!(k, b.rows);
    if m == 0 || n == 0 {
        return Vec::new();
    }
    if m * k * n > SMALL_PRODUCT {
        let mut out = match bias {
            Some(bias) => bias.repeat(m),
            None => vec![T::zero(); m * n],
        };
        blocked(a, b, bias.is_some(), &mut out, get_num_threads());
        return out;
    }
    match bias {
        // torch rounds once: fma(x, w, b).
        Some(bias) if k == 1 => {
            let (mut out, w) = (bias.repeat(m), b.row_major_values());
            with_fma(
                #[inline(always)]
                || {
                    for (i, row) in out.chunks_exact_mut(n).enumerate() {
                        let x = a.at(i, 0);
                        for (o, &w) in row.iter_mut().zip(w.iter()) {
                            *o = x.mul_add(w, *o);
                        }
                    }
                },
            );
            out
        }
        _ => {
            let mut out = chain(a, b);
            if let Some(bias) = bias {
                for row in out.chunks_exact_mut(n) {
                    for (o, &c) in row.iter_mut().zip(bias) {
                        *o = *o + c;
                    }
                }
            }
            out
        }
    }
}

/// `out = a·b`, or `out += a·b` when `accumulate` (row-major `m×n`), on
/// the calling thread: the product inside other ops' kernels (convolution),
/// which split their own work among threads.
///
/// Small products take the in-order chain, as [`gemm`] does, and so do
/// products of fewer than 16 long rows (the blocked kernel's 16×16 tiles
/// would be mostly empty); anything else goes to the blocked kernel.
pub(crate) fn product_into<T: GemmFloat>(a: Mat<T>, b: Mat<T>, out: &mut [T], accumulate: bool) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    debug_assert_eq!(out.len(), m * n);
    if m == 0 || n == 0 {
        return;
    }
    let thin_rows = m < 16 && n >= 64 && !b.transposed;
    let v = if m * k * n <= SMALL_PRODUCT || thin_rows {
        chain(a, b)
    } else {
        blocked(a, b, accumulate, out, 1);
        return;
    };
    if accumulate {
        for (o, x) in out.iter_mut().zip(v) {
            *o = *o + x;
        }
    } else {
        out.copy_from_slice(&v);
    }
}

/// `out = a·b (+ out when accumulate)` with the blocked kernel, rows split
/// among up to `threads` threads.
fn blocked<T: GemmFloat>(a: Mat<T>, b: Mat<T>, accumulate: bool, out: &mut [T], threads: usize) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if m == 0 || n == 0 {
        return;
    }
    let (av, bv) = (a.view(), b.view());
    let beta = if accumulate { T::one() } else { T::zero() };
    let rows_per_thread = PARALLEL_PRODUCT.div_ceil(k.max(1) * n).max(1);
    // Whole rows, in multiples of 16 (the kernels' tile height).
    for_each_chunk(out, rows_per_thread * n, 16 * n, threads, |start, chunk| {
        let (r0, rows) = (start / n, chunk.len() / n);
        let mut c = ArrayViewMut2::from_shape((rows, n), chunk).expect("whole rows");
        general_mat_mul(
            T::one(),
            &av.slice(s![r0..r0 + rows, ..]),
            &bv,
            beta,
            &mut c,
        );
    });
}

/// The in-order chain `a·b`: element `[i][j]` is fma(a[i][k-1], b[k-1][j],
/// … fma(a[i][0], b[0][j], 0)), row-major `m×n`.
///
/// The loops run over whole rows of the output, vectorized along them; when
/// the rows are short and many (`x·w` with few outputs, `n = 1` in a
/// regression), it computes the transpose `bᵀ·aᵀ` instead, whose rows are
/// long: the same chains, so the same bits.
fn chain<T: GemmFloat>(a: Mat<T>, b: Mat<T>) -> Vec<T> {
    let (m, n) = (a.rows, b.cols);
    if n >= 16 || n >= m {
        return chain_rows(a, &b.row_major_values(), n);
    }
    let t = chain_rows(b.t(), &a.t().row_major_values(), m);
    if n == 1 {
        return t;
    }
    let mut out = vec![T::zero(); m * n];
    for (j, col) in t.chunks_exact(m).enumerate() {
        for (i, &v) in col.iter().enumerate() {
            out[i * n + j] = v;
        }
    }
    out
}

/// [`chain`] along the rows of the output: `b` is row-major `k×n`.
fn chain_rows<T: GemmFloat>(a: Mat<T>, b: &[T], n: usize) -> Vec<T> {
    let (m, k) = (a.rows, a.cols);
    let mut out = vec![T::zero(); m * n];
    with_fma(
        #[inline(always)]
        || {
            for (i, row) in out.chunks_exact_mut(n.max(1)).enumerate().take(m) {
                for p in 0..k {
                    let x = a.at(i, p);
                    for (o, &w) in row.iter_mut().zip(&b[p * n..(p + 1) * n]) {
                        *o = x.mul_add(w, *o);
                    }
                }
            }
        },
    );
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
        None => {
            v.as_standard_layout()
                .into_owned()
                .into_raw_vec_and_offset()
                .0
        }
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
            let out = if batch.is_empty() {
                // One product of two matrices: read both in place.
                let (mut cx, mut cy) = (Vec::new(), Vec::new());
                $kernel(as_mat(&x, &mut cx), as_mat(&y, &mut cy))
            } else {
                let (x, y) = (flat(&x, &shape_a), flat(&y, &shape_b));
                let mut out = Vec::with_capacity(count * m * n);
                for i in 0..count {
                    out.extend($kernel(
                        Mat::row_major(&x[i * m * k..(i + 1) * m * k], m, k),
                        Mat::row_major(&y[i * k * n..(i + 1) * k * n], k, n),
                    ));
                }
                out
            };
            Storage::$variant(Array::from_shape_vec(IxDyn(&shape_out), out).expect("sized"))
        }};
    }
    Ok(match dtype {
        DType::Float32 => run!(F32, |x: Mat<f32>, y: Mat<f32>| gemm(x, y, None)),
        DType::Float64 => run!(F64, |x: Mat<f64>, y: Mat<f64>| gemm(x, y, None)),
        DType::Int64 => run!(I64, |x: Mat<i64>, y: Mat<i64>| gemm_i64(
            &x.row_major_values(),
            &y.row_major_values(),
            m,
            k,
            n
        )),
        DType::Bool => {
            return Err(TensorError::runtime(
                "\"addmm_impl_cpu_\" not implemented for 'Bool'",
            ));
        }
    })
}

/// Reshapes storage (copying to row-major first when needed).
fn reshape(s: &Storage, shape: &[usize]) -> Storage {
    super::storage::map_storage!(s, a => {
        let a = if a.is_standard_layout() { a.clone() } else { a.as_standard_layout().into_owned().into_shared() };
        a.into_shape_with_order(IxDyn(shape)).expect("same count").into_shared()
    })
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
        // torch's mm/mv/dot/bmm nodes save the operand the other's gradient needs.
        Ok(record(data, name, Saved::Tensors, &[self, other], || {
            let (a, b) = (self.clone(), other.clone());
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
    /// (`UnsafeViewBackward0`), or go through `matmul` without a bias. A bias
    /// that is not 1-D is added with broadcasting, as `+` (`AddBackward0`).
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
        // The values are borrowed, not cloned (reference counts are a good
        // part of a small net's per-op cost); a tensor passed twice is
        // borrowed once. The borrows end before any other op runs.
        let fused = {
            let xs = self.read_storage();
            let wg = (!weight.is_same(self)).then(|| weight.read_storage());
            let ws: &Storage = wg.as_deref().unwrap_or(&xs);
            let bg = (!bias.is_same(self) && !bias.is_same(weight)).then(|| bias.read_storage());
            let bs: &Storage = match &bg {
                Some(guard) => guard,
                None if bias.is_same(self) => &xs,
                None => ws,
            };
            linear_values(&xs, ws, bs)?
        };
        let Some(Linear {
            data,
            rows,
            k,
            n,
            dim,
        }) = fused
        else {
            return self.try_matmul(&weight.t()).and_then(|y| y.try_add(bias));
        };
        let name = if dim == 2 {
            "AddmmBackward0"
        } else {
            "UnsafeViewBackward0"
        };
        // torch's addmm saves x for the weight's gradient and w for x's: nothing
        // when only the bias requires grad.
        let saved = if self.requires_grad() || weight.requires_grad() {
            Saved::Tensors
        } else {
            Saved::Nothing
        };
        Ok(record(data, name, saved, &[self, weight, bias], || {
            let (x, w, b) = (self.clone(), weight.clone(), bias.clone());
            Box::new(move |g: &Tensor| {
                no_grad(|| {
                    let g2 = if g.dim() == 2 {
                        g.clone()
                    } else {
                        g.reshape([rows as i64, n as i64])
                    };
                    let (gx, gw) = match linear_input_grads(g, &x, &w, rows, k, n) {
                        Some(grads) => grads,
                        // Mixed dtypes: matmul promotes them.
                        None => (
                            x.requires_grad().then(|| g2.matmul(&w).reshape(x.shape())),
                            w.requires_grad()
                                .then(|| g2.t().matmul(&x.reshape([rows as i64, k as i64]))),
                        ),
                    };
                    let gb = b
                        .requires_grad()
                        .then(|| g2.sum_dim(0, false).sum_to_shape(&b.shape()));
                    vec![gx, gw, gb]
                })
            })
        }))
    }
}

/// `linear`'s fused values, with what its backward needs.
struct Linear {
    data: Storage,
    rows: usize,
    k: usize,
    n: usize,
    /// The input's number of dimensions.
    dim: usize,
}

/// The values of `x Wᵀ + b` computed in one pass, or `None` where `linear`
/// goes through `matmul` and `add` instead (a weight that is not 2-D, a
/// bias that is not 1-D, a scalar input, integer dtypes).
fn linear_values(xs: &Storage, ws: &Storage, bs: &Storage) -> Result<Option<Linear>> {
    let (sx, sw) = (xs.shape(), ws.shape());
    // A bias of another shape than `[n]` or `[1]` broadcasts as `add` does.
    if sw.len() != 2 || sx.is_empty() || bs.shape().len() != 1 {
        return Ok(None);
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
    if bs.len() != n && bs.len() != 1 {
        return Err(TensorError::runtime(format!(
            "The size of tensor a ({n}) must match the size of tensor b ({}) at non-singleton dimension 1",
            bs.len()
        )));
    }
    let dtype = xs.dtype().promote(ws.dtype()).promote(bs.dtype());
    if !dtype.is_floating_point() {
        return Ok(None);
    }
    // The input's shape with `n` last (IxDyn keeps up to 4 dims inline).
    let mut out_shape = IxDyn(sx);
    out_shape[sx.len() - 1] = n;
    // Converted and made contiguous only when they are not already.
    let cast = |s: &Storage| (s.dtype() != dtype).then(|| s.to_dtype(dtype));
    let (xc, wc, bc) = (cast(xs), cast(ws), cast(bs));
    let row_major = |converted: Option<Storage>, original: &Storage| match converted
        .as_ref()
        .unwrap_or(original)
        .is_contiguous()
    {
        true => converted,
        false => Some(converted.as_ref().unwrap_or(original).contiguous()),
    };
    let (xc, bc) = (row_major(xc, xs), row_major(bc, bs));
    macro_rules! run {
        ($variant:ident) => {{
            let (Storage::$variant(x), Storage::$variant(w), Storage::$variant(b)) = (
                xc.as_ref().unwrap_or(xs),
                wc.as_ref().unwrap_or(ws),
                bc.as_ref().unwrap_or(bs),
            ) else {
                unreachable!("converted to one dtype")
            };
            let x = Mat::row_major(x.as_slice().expect("contiguous"), rows, k);
            let mut w_copy = Vec::new();
            let w = as_mat(w, &mut w_copy);
            let b = b.as_slice().expect("contiguous");
            let b: Cow<[_]> = if b.len() == n {
                Cow::Borrowed(b)
            } else {
                Cow::Owned(vec![b[0]; n])
            };
            let v = gemm(x, w.t(), Some(&b));
            Storage::$variant(Array::from_shape_vec(out_shape, v).expect("sized"))
        }};
    }
    let data = match dtype {
        DType::Float64 => run!(F64),
        _ => run!(F32),
    };
    Ok(Some(Linear {
        data,
        rows,
        k,
        n,
        dim: sx.len(),
    }))
}

/// The gradients of `linear`'s input and weight, `g·W` and `gᵀ·x`, computed
/// on the values in place (the same products `matmul` would compute), when
/// `g`, `x` and `W` share one float dtype; `None` otherwise.
fn linear_input_grads(
    g: &Tensor,
    x: &Tensor,
    w: &Tensor,
    rows: usize,
    k: usize,
    n: usize,
) -> Option<(Option<Tensor>, Option<Tensor>)> {
    let (gs, xs, ws) = (
        g.storage().contiguous(),
        x.storage().contiguous(),
        w.storage(),
    );
    macro_rules! run {
        ($variant:ident) => {{
            let (Storage::$variant(gv), Storage::$variant(xv), Storage::$variant(wv)) =
                (&gs, &xs, &ws)
            else {
                return None;
            };
            let g = Mat::row_major(gv.as_slice().expect("contiguous"), rows, n);
            let gx = x.requires_grad().then(|| {
                let mut w_copy = Vec::new();
                let v = gemm(g, as_mat(wv, &mut w_copy), None);
                Tensor::from_storage(Storage::$variant(
                    Array::from_shape_vec(IxDyn(xv.shape()), v).expect("sized"),
                ))
            });
            let gw = w.requires_grad().then(|| {
                let x = Mat::row_major(xv.as_slice().expect("contiguous"), rows, k);
                let v = gemm(g.t(), x, None);
                Tensor::from_storage(Storage::$variant(
                    Array::from_shape_vec(IxDyn(&[n, k]), v).expect("sized"),
                ))
            });
            Some((gx, gw))
        }};
    }
    match gs {
        Storage::F32(_) => run!(F32),
        Storage::F64(_) => run!(F64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic values with varied exponents and signs.
    fn values(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn linear_of_a_tensor_passed_twice() {
        // Each storage is borrowed once, even when one tensor plays two parts.
        let x = Tensor::from_vec(vec![2.0f32], [1, 1]).requires_grad_(true);
        let y = x.linear(&x, Some(&Tensor::from_vec(vec![1.0f32], [1])));
        assert_eq!(y.grad_fn().unwrap().name(), "AddmmBackward0");
        assert_eq!(y.item(), 5.0);
        y.backward();
        assert_eq!(x.grad().unwrap().item(), 4.0); // d(x·x + 1)/dx = 2x
        // A 2-D bias (here the input itself) broadcasts through `add`.
        x.set_grad(None);
        let y = x.linear(&x, Some(&x));
        assert_eq!(y.grad_fn().unwrap().name(), "AddBackward0");
        assert_eq!(y.item(), 6.0);
        y.backward();
        assert_eq!(x.grad().unwrap().item(), 5.0); // d(x·x + x)/dx = 2x + 1
        let w = Tensor::from_vec(vec![3.0f32], [1, 1]);
        assert_eq!(x.linear(&w, Some(&w)).item(), 9.0);
    }

    #[test]
    fn blocked_rows_do_not_depend_on_the_thread_count() {
        let (m, k, n) = (300, 512, 512);
        let (a, b) = (values(m * k, 1), values(k * n, 2));
        let (a, b) = (Mat::row_major(&a, m, k), Mat::row_major(&b, k, n));
        let run = |threads| {
            let mut out = vec![0.0f32; m * n];
            blocked(a, b, false, &mut out, threads);
            out
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(3));
    }

    #[test]
    fn chain_is_the_same_in_either_orientation() {
        for (m, k, n) in [(100, 10, 1), (64, 128, 10), (33, 17, 2), (5, 7, 3)] {
            let (a, b) = (values(m * k, 3), values(k * n, 4));
            let (a, b) = (Mat::row_major(&a, m, k), Mat::row_major(&b, k, n));
            let rows = chain_rows(a, b.data, n);
            assert_eq!(chain(a, b), rows, "{m}x{k}x{n}");
            // Reading a transposed operand in place gives the same values too.
            let bt: Vec<f32> = b.row_major_values().to_vec();
            let t: Vec<f32> = (0..n * k).map(|i| bt[(i % k) * n + i / k]).collect();
            assert_eq!(chain(a, Mat::row_major(&t, n, k).t()), rows);
        }
    }
}

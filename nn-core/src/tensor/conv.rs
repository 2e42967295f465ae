//! Convolution (1-D and 2-D, with stride, padding, dilation and groups) as
//! matrix products on the columns of [`im2col`](super::im2col), with its
//! gradients (`ConvolutionBackward0`). `nn::functional::conv2d`/`conv1d`
//! and the `Conv2d`/`Conv1d` layers call [`convolution`].
//!
//! The batch is cut into chunks of whole samples, sized from the shapes
//! alone so that one chunk's column matrix stays in the cache (about
//! [`COLUMN_BUDGET`] values): small images share one product (the 64
//! samples of an 8×8 batch make one `[C_out, 9] · [9, 64·64]` product), a
//! large one gets a product of its own. Chunks run on
//! [`get_num_threads`] threads for large convolutions; a chunk computes the
//! same values whichever thread runs it, and the weight's gradient is the
//! sum of the chunks' gradients in chunk order, so the numbers do not
//! depend on the thread count.

use super::Tensor;
use super::float_kernel::{KernelFloat, dims_list, float_dtype, storage_of, values};
use super::im2col::{Gather, Geometry, col2im, im2col};
use super::matmul::{Mat, product_into};
use crate::autograd::{Saved, no_grad, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError};
use crate::threads::{for_each_chunk, get_num_threads};

/// About this many values of a chunk's column matrix (1 MiB of f32).
const COLUMN_BUDGET: usize = 1 << 18;

/// A convolution whose column matrices total at most this many values keeps
/// them from the forward pass for the weight's gradient (4 MiB of f32).
const SAVED_COLUMNS: usize = 1 << 20;

/// Below this many multiply-adds a convolution runs on one thread.
const PARALLEL_WORK: usize = 1 << 22;

/// How a convolution pads its input.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ConvPadding<'a> {
    /// The same number of zeros before and after, per spatial dimension.
    Explicit(&'a [usize]),
    /// As many zeros as keep the output the input's size (stride 1); an odd
    /// total puts the extra zero after, as torch does.
    Same,
}

/// Everything a convolution's kernels need: sizes, and how the batch is cut.
#[derive(Clone, Copy, Debug)]
struct Plan {
    batch: usize,
    in_channels: usize,
    out_channels: usize,
    groups: usize,
    /// One group of one sample.
    geo: Geometry,
    /// Samples per chunk.
    chunk: usize,
    /// Spatial dimensions of the op (1 or 2): the output's shape.
    dims: usize,
}

impl Plan {
    fn out_per_group(&self) -> usize {
        self.out_channels / self.groups
    }
    fn in_sample(&self) -> usize {
        self.in_channels * self.geo.height * self.geo.width
    }
    fn out_sample(&self) -> usize {
        self.out_channels * self.geo.positions()
    }
    fn chunks(&self) -> usize {
        self.batch.div_ceil(self.chunk)
    }
    fn macs(&self) -> usize {
        self.batch * self.out_channels * self.geo.rows() * self.geo.positions()
    }
    fn threads(&self) -> usize {
        if self.macs() < PARALLEL_WORK || self.chunks() < 2 {
            1
        } else {
            get_num_threads()
        }
    }
    fn out_shape(&self) -> Vec<usize> {
        let mut s = vec![self.batch, self.out_channels];
        if self.dims == 2 {
            s.push(self.geo.out_height);
        }
        s.push(self.geo.out_width);
        s
    }
}

/// `torch.conv1d`/`conv2d` on a batched or unbatched input: checks the
/// shapes with torch's messages, then convolves. An unbatched input
/// (`[C, L]` or `[C, H, W]`) goes through `unsqueeze(0)` and
/// `squeeze(0)`, as in torch (whose result then has `SqueezeBackward1`).
pub(crate) fn convolution(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    stride: &[usize],
    padding: ConvPadding,
    dilation: &[usize],
    groups: usize,
) -> Result<Tensor> {
    let dims = stride.len();
    let name = if dims == 1 { "conv1d" } else { "conv2d" };
    let d = input.dim();
    if d != dims + 1 && d != dims + 2 {
        return Err(TensorError::runtime(format!(
            "Expected {}D (unbatched) or {}D (batched) input to {name}, but got input of size: {}",
            dims + 1,
            dims + 2,
            dims_list(&input.shape())
        )));
    }
    if d == dims + 1 {
        let batched = input.try_unsqueeze(0)?;
        let y = convolution(&batched, weight, bias, stride, padding, dilation, groups)?;
        return Ok(y.squeeze_dim(0));
    }
    if matches!(padding, ConvPadding::Same) && stride.iter().any(|&s| s != 1) {
        return Err(TensorError::runtime(
            "padding='same' is not supported for strided convolutions",
        ));
    }
    let plan = check(input, weight, bias, stride, padding, dilation, groups)?;
    let dtype = match bias {
        Some(b) => float_dtype(name, &[input.dtype(), weight.dtype(), b.dtype()])?,
        None => float_dtype(name, &[input.dtype(), weight.dtype()])?,
    };
    match dtype {
        DType::Float64 => Ok(run::<f64>(input, weight, bias, plan)),
        _ => Ok(run::<f32>(input, weight, bias, plan)),
    }
}

/// torch's `check_shape_forward`, then the plan.
fn check(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    stride: &[usize],
    padding: ConvPadding,
    dilation: &[usize],
    groups: usize,
) -> Result<Plan> {
    let dims = stride.len();
    let (xs, ws) = (input.shape(), weight.shape());
    if stride.contains(&0) {
        return Err(TensorError::runtime("non-positive stride is not supported"));
    }
    if dilation.contains(&0) {
        return Err(TensorError::runtime(format!(
            "dilation should be greater than zero, but got {}",
            dims_list(dilation)
        )));
    }
    if groups == 0 {
        return Err(TensorError::runtime("non-positive groups is not supported"));
    }
    if ws.len() != dims + 2 {
        return Err(TensorError::runtime(format!(
            "Expected {}-dimensional input for {}-dimensional weight {}, but got {}-dimensional input of size {} instead",
            ws.len(),
            ws.len(),
            dims_list(&ws),
            xs.len(),
            dims_list(&xs)
        )));
    }
    if ws[0] < groups {
        return Err(TensorError::runtime(format!(
            "Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got weight of size {} instead",
            dims_list(&ws)
        )));
    }
    if ws[0] % groups != 0 {
        return Err(TensorError::runtime(format!(
            "Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size [{}] instead",
            dims_list(&ws)
        )));
    }
    if xs[1] != ws[1] * groups {
        return Err(TensorError::runtime(format!(
            "Given groups={groups}, weight of size {}, expected input{} to have {} channels, but got {} channels instead",
            dims_list(&ws),
            dims_list(&xs),
            ws[1] * groups,
            xs[1]
        )));
    }
    if let Some(b) = bias
        && (b.dim() != 1 || b.shape()[0] != ws[0])
    {
        return Err(TensorError::runtime(format!(
            "Given weight of size {}, expected bias to be 1-dimensional with {} elements, but got bias of size {} instead",
            dims_list(&ws),
            ws[0],
            dims_list(&b.shape())
        )));
    }
    // Padding before and after each spatial dimension.
    let kernel: Vec<usize> = ws[2..].to_vec();
    let spatial: Vec<usize> = xs[2..].to_vec();
    let (mut before, mut after) = (vec![0; dims], vec![0; dims]);
    for a in 0..dims {
        match padding {
            ConvPadding::Explicit(p) => {
                before[a] = p[a];
                after[a] = p[a];
            }
            ConvPadding::Same => {
                let total = dilation[a] * (kernel[a] - 1);
                before[a] = total / 2;
                after[a] = total - total / 2;
            }
        }
    }
    let padded: Vec<usize> = (0..dims)
        .map(|a| spatial[a] + before[a] + after[a])
        .collect();
    let extent: Vec<usize> = (0..dims)
        .map(|a| dilation[a] * (kernel[a].max(1) - 1) + 1)
        .collect();
    if (0..dims).any(|a| padded[a] < extent[a]) {
        // torch reports the symmetric padding it checks: 2 · pad.
        let shown: Vec<String> = (0..dims)
            .map(|a| match padding {
                ConvPadding::Explicit(p) => spatial[a] + 2 * p[a],
                ConvPadding::Same => padded[a],
            })
            .map(|v| v.to_string())
            .collect();
        let k: Vec<String> = extent.iter().map(usize::to_string).collect();
        return Err(TensorError::runtime(format!(
            "Calculated padded input size per channel: ({}). Kernel size: ({}). Kernel size can't be greater than actual input size",
            shown.join(" x "),
            k.join(" x ")
        )));
    }
    // A 1-D convolution is a 2-D one of height 1.
    let two = |v: &[usize], fill: usize| -> [usize; 2] {
        if dims == 1 {
            [fill, v[0]]
        } else {
            [v[0], v[1]]
        }
    };
    let (kernel2, stride2, dilation2) = (two(&kernel, 1), two(stride, 1), two(dilation, 1));
    let (before2, padded2, spatial2) = (two(&before, 0), two(&padded, 1), two(&spatial, 1));
    let out = |a: usize| (padded2[a] - (dilation2[a] * (kernel2[a] - 1) + 1)) / stride2[a] + 1;
    let geo = Geometry {
        channels: xs[1] / groups,
        height: spatial2[0],
        width: spatial2[1],
        kernel: kernel2,
        stride: stride2,
        pad: before2,
        dilation: dilation2,
        out_height: out(0),
        out_width: out(1),
    };
    let batch = xs[0];
    let per_sample = (geo.rows() * geo.positions()).max(1);
    let chunks = (batch * per_sample).div_ceil(COLUMN_BUDGET).max(1);
    Ok(Plan {
        batch,
        in_channels: xs[1],
        out_channels: ws[0],
        groups,
        geo,
        chunk: batch.div_ceil(chunks).max(1),
        dims,
    })
}

/// The forward values and the graph node.
fn run<T: KernelFloat>(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    plan: Plan,
) -> Tensor {
    let xs = input.storage().contiguous();
    let ws = weight.storage().contiguous();
    let bs = bias.map(|b| b.storage().contiguous());
    // Small convolutions run on one thread and keep their columns for the
    // weight's gradient, when there will be one.
    let columns_len = plan.batch * plan.groups * plan.geo.rows() * plan.geo.positions();
    let save = crate::autograd::is_grad_enabled()
        && weight.requires_grad()
        && plan.threads() == 1
        && !plan.geo.is_identity()
        && columns_len <= SAVED_COLUMNS;
    let (y, saved) = {
        let (x, w) = (values::<T>(&xs), values::<T>(&ws));
        let b = bs.as_ref().map(values::<T>);
        forward(&x, &w, b.as_deref(), &plan, save)
    };
    let data = storage_of(y, &plan.out_shape());
    let mut inputs = vec![input, weight];
    inputs.extend(bias);
    let need = [
        input.requires_grad(),
        weight.requires_grad(),
        bias.is_some_and(Tensor::requires_grad),
    ];
    let (x_shape, w_shape) = (input.shape().to_vec(), weight.shape().to_vec());
    record(
        data,
        "ConvolutionBackward0",
        Saved::Tensors,
        &inputs,
        move || {
            Box::new(move |g: &Tensor| {
                no_grad(|| {
                    let gs = g.storage().contiguous();
                    let gy = values::<T>(&gs);
                    let (x, w) = (values::<T>(&xs), values::<T>(&ws));
                    let gx = need[0].then(|| {
                        let v = backward_input(&gy, &w, &plan);
                        Tensor::from_storage(storage_of(v, &x_shape))
                    });
                    let gw = need[1].then(|| {
                        let v = backward_weight(&gy, &x, &plan, saved.as_deref());
                        Tensor::from_storage(storage_of(v, &w_shape))
                    });
                    let mut grads = vec![gx, gw];
                    if bs.is_some() {
                        grads.push(need[2].then(|| {
                            let v = backward_bias(&gy, &plan);
                            Tensor::from_storage(storage_of(v, &[plan.out_channels]))
                        }));
                    }
                    grads
                })
            })
        },
    )
}

/// Two buffers a thread reuses from chunk to chunk (a column matrix is
/// about a megabyte: allocating and zeroing one per chunk cost more than
/// filling it).
struct Scratch<T> {
    a: Vec<T>,
    b: Vec<T>,
}

/// Runs `f(first_sample, samples, out, scratch)` on each chunk of samples,
/// where `out` holds the chunk's `per_sample` values per sample; chunks are
/// split among threads for large convolutions, each thread with its own
/// scratch buffers.
fn for_each_sample_chunk<T: KernelFloat>(
    out: &mut [T],
    per_sample: usize,
    plan: &Plan,
    f: impl Fn(usize, usize, &mut [T], &mut Scratch<T>) + Sync,
) {
    let chunk_len = plan.chunk * per_sample;
    if chunk_len == 0 {
        return;
    }
    let threads = plan.threads();
    for_each_chunk(out, chunk_len, chunk_len, threads, |start, part| {
        let mut scratch = Scratch {
            a: Vec::new(),
            b: Vec::new(),
        };
        for (i, c) in part.chunks_mut(chunk_len).enumerate() {
            let first = (start + i * chunk_len) / per_sample;
            f(first, c.len() / per_sample, c, &mut scratch);
        }
    });
}

/// The first `n` values of a reused buffer, grown when needed; the
/// caller overwrites them all.
fn scratch<T: KernelFloat>(buf: &mut Vec<T>, n: usize) -> &mut [T] {
    if buf.len() < n {
        buf.resize(n, T::default());
    }
    &mut buf[..n]
}

/// The column matrix of samples `first..first + count`, group `g`:
/// `[rows, count · positions]`; the input itself for a 1×1 convolution of
/// one sample.
fn columns<'a, T: KernelFloat>(
    x: &'a [T],
    plan: &Plan,
    table: Option<&Gather>,
    g: usize,
    first: usize,
    count: usize,
    buf: &'a mut Vec<T>,
) -> Mat<'a, T> {
    let geo = &plan.geo;
    let (rows, p) = (geo.rows(), geo.positions());
    let plane = |s: usize| {
        let start = s * plan.in_sample() + g * geo.plane_len();
        &x[start..start + geo.plane_len()]
    };
    if count == 1 && geo.is_identity() {
        return Mat::row_major(plane(first), rows, p);
    }
    let cols = scratch(buf, rows * count * p);
    for j in 0..count {
        match table {
            Some(t) => t.im2col(plane(first + j), cols, count * p, j * p),
            None => im2col(plane(first + j), geo, cols, count * p, j * p),
        }
    }
    Mat::row_major(cols, rows, count * p)
}

/// The output gradient of samples `first..first + count`, group `g`, as
/// `[C_out / groups, count · positions]` (read in place for one sample).
fn grad_rows<'a, T: KernelFloat>(
    gy: &'a [T],
    plan: &Plan,
    g: usize,
    first: usize,
    count: usize,
    buf: &'a mut Vec<T>,
) -> Mat<'a, T> {
    let (og, p) = (plan.out_per_group(), plan.geo.positions());
    let rows = |s: usize| {
        let start = s * plan.out_sample() + g * og * p;
        &gy[start..start + og * p]
    };
    if count == 1 {
        return Mat::row_major(rows(first), og, p);
    }
    let dst = scratch(buf, og * count * p);
    for j in 0..count {
        for (o, src) in rows(first + j).chunks_exact(p).enumerate() {
            dst[o * count * p + j * p..o * count * p + (j + 1) * p].copy_from_slice(src);
        }
    }
    Mat::row_major(dst, og, count * p)
}

/// The output, and with `save` (on one thread) the column matrices of all
/// chunks and groups, in that order.
fn forward<T: KernelFloat>(
    x: &[T],
    w: &[T],
    b: Option<&[T]>,
    plan: &Plan,
    save: bool,
) -> (Vec<T>, Option<Vec<T>>) {
    let (og, p, k) = (plan.out_per_group(), plan.geo.positions(), plan.geo.rows());
    // The output starts as the bias (the products add to it), written once.
    let mut out = Vec::with_capacity(plan.batch * plan.out_sample());
    match b {
        Some(b) => {
            for _ in 0..plan.batch {
                for &v in b {
                    out.extend(std::iter::repeat_n(v, p));
                }
            }
        }
        None => out.resize(plan.batch * plan.out_sample(), T::default()),
    }
    let table = Gather::for_geometry(&plan.geo);
    let saved = std::sync::Mutex::new(Vec::new());
    for_each_sample_chunk(&mut out, plan.out_sample(), plan, |first, count, out, s| {
        let Scratch { a: cols, b: tmp } = s;
        for g in 0..plan.groups {
            let wg = Mat::row_major(&w[g * og * k..(g + 1) * og * k], og, k);
            let c = columns(x, plan, table.as_ref(), g, first, count, cols);
            if count == 1 {
                // The product's rows are the output's channels: add in place.
                let dst = &mut out[g * og * p..(g + 1) * og * p];
                product_into(wg, c, dst, b.is_some());
            } else {
                let tmp = scratch(tmp, og * count * p);
                product_into(wg, c, tmp, false);
                for j in 0..count {
                    for o in 0..og {
                        let src = &tmp[o * count * p + j * p..o * count * p + (j + 1) * p];
                        let start = j * plan.out_sample() + (g * og + o) * p;
                        let dst = &mut out[start..start + p];
                        match b {
                            Some(_) => {
                                for (d, &s) in dst.iter_mut().zip(src) {
                                    *d += s;
                                }
                            }
                            None => dst.copy_from_slice(src),
                        }
                    }
                }
            }
            if save {
                let mut saved = saved.lock().unwrap_or_else(|e| e.into_inner());
                saved.extend_from_slice(&cols[..k * count * p]);
            }
        }
    });
    let saved = saved.into_inner().unwrap_or_else(|e| e.into_inner());
    (out, save.then_some(saved))
}

/// `∂L/∂x`: the columns' gradient `Wᵀ · ∂L/∂y`, added back into the image.
fn backward_input<T: KernelFloat>(gy: &[T], w: &[T], plan: &Plan) -> Vec<T> {
    let mut dx = vec![T::default(); plan.batch * plan.in_sample()];
    let (og, p, k) = (plan.out_per_group(), plan.geo.positions(), plan.geo.rows());
    let geo = plan.geo;
    let table = Gather::for_geometry(&geo);
    for_each_sample_chunk(&mut dx, plan.in_sample(), plan, |first, count, dx, s| {
        let Scratch { a: rows, b: gcols } = s;
        for g in 0..plan.groups {
            let wt = Mat::row_major(&w[g * og * k..(g + 1) * og * k], og, k).t();
            let gr = grad_rows(gy, plan, g, first, count, rows);
            let gcols = scratch(gcols, k * count * p);
            product_into(wt, gr, gcols, false);
            for j in 0..count {
                let start = j * plan.in_sample() + g * geo.plane_len();
                let dx = &mut dx[start..start + geo.plane_len()];
                match &table {
                    Some(t) => t.col2im(gcols, dx, count * p, j * p),
                    None => col2im(gcols, &geo, dx, count * p, j * p),
                }
            }
        }
    });
    dx
}

/// `∂L/∂W`: per chunk `∂L/∂y · columnsᵀ`, summed over the chunks in order;
/// the columns are recomputed unless the forward pass `saved` them.
fn backward_weight<T: KernelFloat>(gy: &[T], x: &[T], plan: &Plan, saved: Option<&[T]>) -> Vec<T> {
    let (og, k) = (plan.out_per_group(), plan.geo.rows());
    let per_chunk = plan.out_channels * k;
    let mut partials = vec![T::default(); plan.chunks() * per_chunk];
    let threads = plan.threads();
    let table = Gather::for_geometry(&plan.geo);
    for_each_chunk(
        &mut partials,
        per_chunk,
        per_chunk,
        threads,
        |start, part| {
            let (mut cols, mut rows) = (Vec::new(), Vec::new());
            for (i, dw) in part.chunks_mut(per_chunk).enumerate() {
                let first = (start / per_chunk + i) * plan.chunk;
                let count = plan.chunk.min(plan.batch - first);
                for g in 0..plan.groups {
                    let len = k * count * plan.geo.positions();
                    let c = match saved {
                        Some(s) => {
                            let at = first * plan.groups * k * plan.geo.positions() + g * len;
                            Mat::row_major(&s[at..at + len], k, count * plan.geo.positions())
                        }
                        None => columns(x, plan, table.as_ref(), g, first, count, &mut cols),
                    };
                    let gr = grad_rows(gy, plan, g, first, count, &mut rows);
                    product_into(gr, c.t(), &mut dw[g * og * k..(g + 1) * og * k], false);
                }
            }
        },
    );
    let mut parts = partials.chunks_exact(per_chunk);
    let mut dw = parts
        .next()
        .map(<[T]>::to_vec)
        .unwrap_or_else(|| vec![T::default(); per_chunk]);
    for part in parts {
        for (d, &v) in dw.iter_mut().zip(part) {
            *d += v;
        }
    }
    dw
}

/// `∂L/∂b`: the output gradient summed over samples and positions.
fn backward_bias<T: KernelFloat>(gy: &[T], plan: &Plan) -> Vec<T> {
    let p = plan.geo.positions();
    let mut db = vec![T::default(); plan.out_channels];
    if p == 0 {
        return db;
    }
    for sample in gy.chunks_exact(plan.out_sample().max(1)) {
        for (d, row) in db.iter_mut().zip(sample.chunks_exact(p)) {
            *d += row.iter().copied().sum::<T>();
        }
    }
    db
}

//! im2col and col2im: the windows of a 2-D convolution laid out as the
//! columns of a matrix, so that the convolution becomes one matrix product
//! (`weight [C_out, C·kh·kw] · columns [C·kh·kw, H_out·W_out]`), and the
//! way back, which adds every column's values into the image positions they
//! came from (the gradient of the input).
//!
//! Row `(c·kh + i)·kw + j` of the column matrix holds, for every output
//! position `(oh, ow)`, the input value at
//! `(oh·stride_h − pad_top + i·dilation_h, ow·stride_w − pad_left + j·dilation_w)`
//! of channel `c`, or 0 where that falls in the padding. A 1-D convolution
//! is the same with height 1.

/// The shape of one 2-D convolution (or pooling window walk): the input
/// plane, the kernel and how it moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Geometry {
    /// Input channels taken by one product (a group's channels).
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    /// Padding before the first row and column (after the last may differ:
    /// it only shows in the output size).
    pub pad: [usize; 2],
    pub dilation: [usize; 2],
    pub out_height: usize,
    pub out_width: usize,
}

impl Geometry {
    /// Rows of the column matrix: `channels · kh · kw`.
    pub fn rows(&self) -> usize {
        self.channels * self.kernel[0] * self.kernel[1]
    }

    /// Output positions of one sample: `H_out · W_out`.
    pub fn positions(&self) -> usize {
        self.out_height * self.out_width
    }

    /// Values of one input plane set (`channels · H · W`).
    pub fn plane_len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// Whether the column matrix is the input itself (a 1×1 kernel that
    /// moves by one without padding).
    pub fn is_identity(&self) -> bool {
        self.kernel == [1, 1]
            && self.stride == [1, 1]
            && self.pad == [0, 0]
            && self.out_height == self.height
            && self.out_width == self.width
    }

    /// The output positions `o` of one axis whose input index
    /// `o·stride + offset` lies in `0..len`, as a range (they are
    /// consecutive), where `offset = k·dilation − pad`.
    fn valid(out_len: usize, stride: usize, offset: isize, len: usize) -> (usize, usize) {
        // First o with o·stride + offset >= 0.
        let lo = if offset >= 0 {
            0
        } else {
            ((-offset) as usize).div_ceil(stride)
        };
        // First o with o·stride + offset >= len.
        let hi = if (len as isize) <= offset {
            0
        } else {
            ((len as isize - offset) as usize).div_ceil(stride)
        };
        (lo.min(out_len), hi.min(out_len).max(lo.min(out_len)))
    }

    /// For each kernel offset along height and width, the valid output
    /// range and the input offset, in the order the rows use them.
    fn offsets(&self, axis: usize, k: usize) -> (usize, usize, isize) {
        let (out_len, len) = if axis == 0 {
            (self.out_height, self.height)
        } else {
            (self.out_width, self.width)
        };
        let offset = (k * self.dilation[axis]) as isize - self.pad[axis] as isize;
        let (lo, hi) = Geometry::valid(out_len, self.stride[axis], offset, len);
        (lo, hi, offset)
    }
}

/// Writes the column matrix of one sample's `channels` planes (`x`, row-major
/// `[channels, H, W]`) into `cols`: row `r` starts at `r·ld + col0` and
/// holds `positions()` values.
pub(crate) fn im2col<T: Copy + Default>(
    x: &[T],
    g: &Geometry,
    cols: &mut [T],
    ld: usize,
    col0: usize,
) {
    let (h, w) = (g.height, g.width);
    let (ho, wo) = (g.out_height, g.out_width);
    let (sh, sw) = (g.stride[0], g.stride[1]);
    let zero = T::default();
    // Moving by one along a row that keeps its width: a row of the column
    // matrix is the plane shifted, in one copy (then the columns that
    // wrapped around from the neighbouring row are zeroed).
    let shifted = sw == 1 && sh == 1 && wo == w;
    let mut row = 0;
    for c in 0..g.channels {
        let plane = &x[c * h * w..(c + 1) * h * w];
        for i in 0..g.kernel[0] {
            let (oh_lo, oh_hi, off_h) = g.offsets(0, i);
            for j in 0..g.kernel[1] {
                let (ow_lo, ow_hi, off_w) = g.offsets(1, j);
                let dst = &mut cols[row * ld + col0..row * ld + col0 + ho * wo];
                fill(&mut dst[..oh_lo * wo], zero);
                fill(&mut dst[oh_hi * wo..], zero);
                if shifted && oh_lo < oh_hi {
                    // dst[k] = plane[k + shift] on oh_lo·wo..oh_hi·wo, where
                    // that index lies in the plane.
                    let shift = off_h * w as isize + off_w;
                    let (lo, hi) = (oh_lo * wo, oh_hi * wo);
                    let k_lo = (-shift).clamp(lo as isize, hi as isize) as usize;
                    let k_hi =
                        ((h * w) as isize - shift).clamp(k_lo as isize, hi as isize) as usize;
                    fill(&mut dst[lo..k_lo], zero);
                    dst[k_lo..k_hi].copy_from_slice(
                        &plane[(k_lo as isize + shift) as usize..(k_hi as isize + shift) as usize],
                    );
                    fill(&mut dst[k_hi..hi], zero);
                    if ow_lo > 0 || ow_hi < wo {
                        for oh in oh_lo..oh_hi {
                            let d = &mut dst[oh * wo..(oh + 1) * wo];
                            fill(&mut d[..ow_lo], zero);
                            fill(&mut d[ow_hi..], zero);
                        }
                    }
                    row += 1;
                    continue;
                }
                for oh in oh_lo..oh_hi {
                    let ih = (oh * sh) as isize + off_h;
                    let src = &plane[ih as usize * w..(ih as usize + 1) * w];
                    let d = &mut dst[oh * wo..(oh + 1) * wo];
                    fill(&mut d[..ow_lo], zero);
                    fill(&mut d[ow_hi..], zero);
                    if ow_lo < ow_hi {
                        let iw0 = ((ow_lo * sw) as isize + off_w) as usize;
                        if sw == 1 {
                            d[ow_lo..ow_hi].copy_from_slice(&src[iw0..iw0 + (ow_hi - ow_lo)]);
                        } else {
                            for (k, v) in d[ow_lo..ow_hi].iter_mut().enumerate() {
                                *v = src[iw0 + k * sw];
                            }
                        }
                    }
                }
                row += 1;
            }
        }
    }
}

/// `d.fill(v)` for the few values of a border without a call into `memset`.
#[inline(always)]
fn fill<T: Copy>(d: &mut [T], v: T) {
    match d.len() {
        0 => {}
        1 => d[0] = v,
        2 => {
            d[0] = v;
            d[1] = v;
        }
        _ => d.fill(v),
    }
}

/// The column matrix of a small output plane as an index table: for each
/// (row, position) the input offset it reads, or [`Gather::PADDING`].
/// Narrow images (the 8×8 digits) make rows of a few values, where
/// [`im2col`]'s per-row copies cost more in bookkeeping than they move; a
/// table built once per convolution makes each sample one gather.
pub(crate) struct Gather {
    index: Vec<u32>,
    positions: usize,
}

impl Gather {
    /// An offset past any input: reads as 0, adds nowhere.
    const PADDING: u32 = u32::MAX;

    /// The table, for output planes at most 8 wide and tables of at most
    /// 2¹⁶ entries; `None` otherwise (use [`im2col`]).
    pub fn for_geometry(g: &Geometry) -> Option<Gather> {
        let (rows, positions) = (g.rows(), g.positions());
        if g.out_width > 8
            || rows * positions > 1 << 16
            || g.plane_len() >= Gather::PADDING as usize
        {
            return None;
        }
        let mut index = Vec::with_capacity(rows * positions);
        for c in 0..g.channels {
            for i in 0..g.kernel[0] {
                for j in 0..g.kernel[1] {
                    for oh in 0..g.out_height {
                        let ih =
                            (oh * g.stride[0] + i * g.dilation[0]) as isize - g.pad[0] as isize;
                        for ow in 0..g.out_width {
                            let iw =
                                (ow * g.stride[1] + j * g.dilation[1]) as isize - g.pad[1] as isize;
                            let inside = ih >= 0
                                && iw >= 0
                                && (ih as usize) < g.height
                                && (iw as usize) < g.width;
                            index.push(if inside {
                                ((c * g.height + ih as usize) * g.width + iw as usize) as u32
                            } else {
                                Gather::PADDING
                            });
                        }
                    }
                }
            }
        }
        Some(Gather { index, positions })
    }

    /// [`im2col`] through the table.
    pub fn im2col<T: Copy + Default>(&self, x: &[T], cols: &mut [T], ld: usize, col0: usize) {
        let p = self.positions;
        for (r, index) in self.index.chunks_exact(p).enumerate() {
            let dst = &mut cols[r * ld + col0..r * ld + col0 + p];
            for (d, &i) in dst.iter_mut().zip(index) {
                *d = x.get(i as usize).copied().unwrap_or_default();
            }
        }
    }

    /// [`col2im`] through the table (the same order of additions).
    pub fn col2im<T: Copy + std::ops::AddAssign>(
        &self,
        cols: &[T],
        dx: &mut [T],
        ld: usize,
        col0: usize,
    ) {
        let p = self.positions;
        for (r, index) in self.index.chunks_exact(p).enumerate() {
            let src = &cols[r * ld + col0..r * ld + col0 + p];
            for (&v, &i) in src.iter().zip(index) {
                if let Some(d) = dx.get_mut(i as usize) {
                    *d += v;
                }
            }
        }
    }
}

/// The reverse of [`im2col`]: adds each value of the column matrix into the
/// input position it was read from (`dx`, row-major `[channels, H, W]`).
/// Rows are added in order, so the sums do not depend on threads.
pub(crate) fn col2im<T: Copy + std::ops::AddAssign>(
    cols: &[T],
    g: &Geometry,
    dx: &mut [T],
    ld: usize,
    col0: usize,
) {
    let (h, w) = (g.height, g.width);
    let (ho, wo) = (g.out_height, g.out_width);
    let (sh, sw) = (g.stride[0], g.stride[1]);
    let mut row = 0;
    for c in 0..g.channels {
        let plane = &mut dx[c * h * w..(c + 1) * h * w];
        for i in 0..g.kernel[0] {
            let (oh_lo, oh_hi, off_h) = g.offsets(0, i);
            for j in 0..g.kernel[1] {
                let (ow_lo, ow_hi, off_w) = g.offsets(1, j);
                let src = &cols[row * ld + col0..row * ld + col0 + ho * wo];
                if ow_lo < ow_hi {
                    for oh in oh_lo..oh_hi {
                        let ih = ((oh * sh) as isize + off_h) as usize;
                        let d = &mut plane[ih * w..(ih + 1) * w];
                        let s = &src[oh * wo + ow_lo..oh * wo + ow_hi];
                        let iw0 = ((ow_lo * sw) as isize + off_w) as usize;
                        if sw == 1 {
                            for (o, &v) in d[iw0..iw0 + s.len()].iter_mut().zip(s) {
                                *o += v;
                            }
                        } else {
                            for (k, &v) in s.iter().enumerate() {
                                d[iw0 + k * sw] += v;
                            }
                        }
                    }
                }
                row += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(
        h: usize,
        w: usize,
        k: [usize; 2],
        s: [usize; 2],
        p: [usize; 2],
        d: [usize; 2],
    ) -> Geometry {
        let out = |len: usize, a: usize| (len + 2 * p[a] - d[a] * (k[a] - 1) - 1) / s[a] + 1;
        Geometry {
            channels: 2,
            height: h,
            width: w,
            kernel: k,
            stride: s,
            pad: p,
            dilation: d,
            out_height: out(h, 0),
            out_width: out(w, 1),
        }
    }

    /// The column matrix by its definition, one value at a time.
    fn naive(x: &[f32], g: &Geometry) -> Vec<f32> {
        let mut cols = vec![0.0; g.rows() * g.positions()];
        for c in 0..g.channels {
            for i in 0..g.kernel[0] {
                for j in 0..g.kernel[1] {
                    let r = (c * g.kernel[0] + i) * g.kernel[1] + j;
                    for oh in 0..g.out_height {
                        for ow in 0..g.out_width {
                            let ih =
                                (oh * g.stride[0] + i * g.dilation[0]) as isize - g.pad[0] as isize;
                            let iw =
                                (ow * g.stride[1] + j * g.dilation[1]) as isize - g.pad[1] as isize;
                            if ih >= 0
                                && iw >= 0
                                && (ih as usize) < g.height
                                && (iw as usize) < g.width
                            {
                                cols[r * g.positions() + oh * g.out_width + ow] =
                                    x[(c * g.height + ih as usize) * g.width + iw as usize];
                            }
                        }
                    }
                }
            }
        }
        cols
    }

    #[test]
    fn columns_match_the_definition() {
        for (h, w, k, s, p, d) in [
            (5, 5, [3, 3], [1, 1], [1, 1], [1, 1]),
            (7, 6, [2, 3], [2, 1], [0, 1], [1, 1]),
            (8, 9, [3, 3], [3, 2], [2, 2], [2, 1]),
            (4, 4, [1, 1], [1, 1], [0, 0], [1, 1]),
            (1, 9, [1, 4], [1, 3], [0, 2], [1, 2]),
            (3, 3, [3, 3], [1, 1], [2, 2], [1, 1]),
            (6, 7, [3, 3], [1, 1], [1, 1], [1, 1]),
            (5, 9, [5, 5], [1, 1], [2, 2], [1, 1]),
            (8, 20, [3, 3], [1, 1], [2, 2], [2, 2]),
            (4, 18, [1, 3], [1, 1], [0, 1], [1, 1]),
        ] {
            let g = geometry(h, w, k, s, p, d);
            let x: Vec<f32> = (0..g.plane_len()).map(|v| v as f32 + 1.0).collect();
            let mut cols = vec![f32::NAN; g.rows() * g.positions()];
            im2col(&x, &g, &mut cols, g.positions(), 0);
            assert_eq!(cols, naive(&x, &g), "{g:?}");
            // col2im adds each column value back where it came from: with
            // all-ones columns it counts how many windows see each input.
            let mut dx = vec![0.0f32; g.plane_len()];
            col2im(&vec![1.0; cols.len()], &g, &mut dx, g.positions(), 0);
            let mut count = vec![0.0f32; g.plane_len()];
            for (r, v) in naive(&x, &g).iter().enumerate() {
                if *v != 0.0 {
                    count[*v as usize - 1] += 1.0;
                }
                let _ = r;
            }
            assert_eq!(dx, count, "{g:?}");
            // The table gives the same columns and sums, where it applies.
            if let Some(table) = Gather::for_geometry(&g) {
                let mut by_table = vec![f32::NAN; cols.len()];
                table.im2col(&x, &mut by_table, g.positions(), 0);
                assert_eq!(by_table, cols, "{g:?}");
                let mut dx2 = vec![0.0f32; g.plane_len()];
                table.col2im(&vec![1.0; cols.len()], &mut dx2, g.positions(), 0);
                assert_eq!(dx2, dx, "{g:?}");
            }
        }
    }
}

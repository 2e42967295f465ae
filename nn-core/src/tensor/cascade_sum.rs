//! torch's floating-point `sum`, step for step, so that sums (and means, and
//! every gradient summed back over broadcast dimensions) have torch's bits.
//!
//! torch does not sum left to right. A reduction goes through a
//! `TensorIterator`, which reorders the dimensions (reduced ones innermost,
//! then by stride) and merges contiguous ones; the kernel (`cascade_sum` in
//! ATen's `SumKernel.cpp`) then adds in float (not double) with a cascade of
//! partial sums, four interleaved accumulators per row, and 32-byte vectors
//! (8 floats) when the reduced or the kept dimension is contiguous. The
//! rounding depends on all of it, so this module follows it exactly, on one
//! thread (torch's choice below 32768 elements).
//!
//! The vector width is AVX2's even on AVX-512 CPUs: `SumKernel.cpp` registers
//! its kernel with `REGISTER_DISPATCH`, which leaves the AVX-512 slot empty,
//! so torch falls back to the AVX2 build (the reference sums confirm it).

use super::storage::Array;
use num_traits::Float;

/// The bytes of one SIMD vector (AVX2).
const VECTOR_BYTES: usize = 32;

/// Sums `a` over `dims` (sorted, distinct) as torch does; returns the result
/// in row-major order of the reduced shape.
pub(crate) fn cascade_sum<T: Float + 'static>(a: &Array<T>, dims: &[usize]) -> Vec<T> {
    let shape = a.shape().to_vec();
    let kept: usize = shape
        .iter()
        .enumerate()
        .filter(|(d, _)| !dims.contains(d))
        .map(|(_, &n)| n)
        .product();
    if a.is_empty() {
        return vec![T::zero(); kept];
    }
    // The values and their strides (in elements), as torch's tensor would
    // have them: a transposed or permuted tensor keeps its layout; other
    // non-contiguous views are read as a contiguous copy.
    let positive = a.strides().iter().all(|&s| s >= 0);
    let (values, in_strides): (Vec<T>, Vec<isize>) = match a.as_slice_memory_order() {
        Some(s) if positive => (s.to_vec(), a.strides().to_vec()),
        _ => (a.iter().copied().collect(), contiguous_strides(&shape)),
    };
    // The output: contiguous over the kept dimensions, stride 0 over the
    // reduced ones.
    let mut out_strides = vec![0isize; shape.len()];
    let mut step = 1isize;
    for d in (0..shape.len()).rev() {
        if !dims.contains(&d) {
            out_strides[d] = step;
            step *= shape[d] as isize;
        }
    }
    let mut it = Iter::new(&shape, [&out_strides, &in_strides]);
    it.reorder();
    it.coalesce();
    let mut sum = Sum {
        out: vec![T::zero(); kept],
        input: &values,
        width: VECTOR_BYTES / std::mem::size_of::<T>(),
    };
    it.for_each(|offsets, strides, size0, size1| sum.loop2d(offsets, strides, size0, size1));
    sum.out
}

fn contiguous_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut step = 1isize;
    for d in (0..shape.len()).rev() {
        strides[d] = step;
        step *= shape[d].max(1) as isize;
    }
    strides
}

/// The dimension bookkeeping of a reduction `TensorIterator` with operands
/// `[output, input]`; dimension 0 is the innermost.
struct Iter {
    shape: Vec<usize>,
    /// `strides[op][dim]`, in elements.
    strides: [Vec<isize>; 2],
}

impl Iter {
    /// Starts, as torch does, from the tensor dimensions in reverse order.
    fn new(shape: &[usize], strides: [&[isize]; 2]) -> Iter {
        let rev = |v: &[isize]| v.iter().rev().copied().collect::<Vec<_>>();
        Iter {
            shape: shape.iter().rev().copied().collect(),
            strides: [rev(strides[0]), rev(strides[1])],
        }
    }

    /// `TensorIteratorBase::reorder_dimensions`: an insertion sort with
    /// torch's (possibly ambiguous) comparison.
    fn reorder(&mut self) {
        let n = self.shape.len();
        let mut perm: Vec<usize> = (0..n).collect();
        // 1: `d0` goes after `d1`; -1: before; 0: undecided.
        let should_swap = |d0: usize, d1: usize| -> i32 {
            for (op, strides) in self.strides.iter().enumerate() {
                let (s0, s1) = (strides[d0], strides[d1]);
                // The output of a reduction: reduced dimensions go first.
                if op == 0 && (s0 == 0) != (s1 == 0) {
                    return if s1 == 0 { 1 } else { -1 };
                }
                if s0 == 0 || s1 == 0 {
                    continue;
                }
                if s0 < s1 {
                    return -1;
                }
                if s0 > s1 {
                    return 1;
                }
                if self.shape[d0] > self.shape[d1] {
                    return 1;
                }
            }
            0
        };
        for i in 1..n {
            let mut d1 = i;
            for d0 in (0..i).rev() {
                match should_swap(perm[d0], perm[d1]) {
                    c if c > 0 => {
                        perm.swap(d0, d1);
                        d1 = d0;
                    }
                    c if c < 0 => break,
                    _ => {}
                }
            }
        }
        self.shape = perm.iter().map(|&p| self.shape[p]).collect();
        for s in &mut self.strides {
            *s = perm.iter().map(|&p| s[p]).collect();
        }
    }

    /// `TensorIteratorBase::coalesce_dimensions`: merges neighbours that are
    /// one run in memory for every operand.
    fn coalesce(&mut self) {
        let n = self.shape.len();
        if n <= 1 {
            return;
        }
        let mut prev = 0;
        for d in 1..n {
            let (s0, s1) = (self.shape[prev], self.shape[d]);
            let can = s0 == 1
                || s1 == 1
                || self
                    .strides
                    .iter()
                    .all(|st| s0 as isize * st[prev] == st[d]);
            if can {
                if self.shape[prev] == 1 {
                    for st in &mut self.strides {
                        st[prev] = st[d];
                    }
                }
                self.shape[prev] *= self.shape[d];
            } else {
                prev += 1;
                if prev != d {
                    for st in &mut self.strides {
                        st[prev] = st[d];
                    }
                    self.shape[prev] = self.shape[d];
                }
            }
        }
        self.shape.truncate(prev + 1);
        for st in &mut self.strides {
            st.truncate(prev + 1);
        }
    }

    /// `serial_for_each`: calls `loop2d(offsets, strides, size0, size1)` for
    /// every position of the dimensions above the first two, the third fastest.
    /// `strides` is torch's `[out0, in0, out1, in1]`.
    fn for_each(&self, mut loop2d: impl FnMut([isize; 2], [isize; 4], usize, usize)) {
        let n = self.shape.len();
        let st = |op: usize, d: usize| if d < n { self.strides[op][d] } else { 0 };
        let strides = [st(0, 0), st(1, 0), st(0, 1), st(1, 1)];
        let size0 = self.shape.first().copied().unwrap_or(1);
        let size1 = if n >= 2 { self.shape[1] } else { 1 };
        let mut index = vec![0usize; n.saturating_sub(2)];
        loop {
            let mut offsets = [0isize; 2];
            for (k, &i) in index.iter().enumerate() {
                for (op, o) in offsets.iter_mut().enumerate() {
                    *o += i as isize * self.strides[op][k + 2];
                }
            }
            loop2d(offsets, strides, size0, size1);
            // Next position, the lowest outer dimension fastest.
            let mut k = 0;
            loop {
                if k == index.len() {
                    return;
                }
                index[k] += 1;
                if index[k] < self.shape[k + 2] {
                    break;
                }
                index[k] = 0;
                k += 1;
            }
        }
    }
}

/// The kernel's state: the output (accumulated into) and the input values.
struct Sum<'a, T> {
    out: Vec<T>,
    input: &'a [T],
    /// Lanes of one vector.
    width: usize,
}

impl<T: Float> Sum<'_, T> {
    fn at(&self, offset: isize) -> T {
        self.input[offset as usize]
    }

    fn lanes<const L: usize>(&self, offset: isize) -> [T; L] {
        std::array::from_fn(|l| self.at(offset + l as isize))
    }

    fn store(&mut self, offset: isize, v: T) {
        let o = &mut self.out[offset as usize];
        *o = *o + v;
    }

    /// The body of `cascade_sum`'s loop: picks one of four strategies.
    fn loop2d(&mut self, base: [isize; 2], strides: [isize; 4], size0: usize, size1: usize) {
        let (mut in_s, mut out_s) = ([strides[1], strides[3]], [strides[0], strides[2]]);
        let (mut n0, mut n1) = (size0, size1);
        // Move the reduction to the first dimension.
        if out_s[0] != 0 && out_s[1] == 0 {
            in_s.swap(0, 1);
            out_s.swap(0, 1);
            std::mem::swap(&mut n0, &mut n1);
        }
        if out_s[0] != 0 && out_s[1] != 0 {
            // Not a reduction in these two dimensions: out += in elementwise.
            for j in 0..n1 as isize {
                for i in 0..n0 as isize {
                    let v = self.at(base[1] + j * in_s[1] + i * in_s[0]);
                    self.store(base[0] + j * out_s[1] + i * out_s[0], v);
                }
            }
            return;
        }
        let out_stride = out_s[1];
        let w = self.width;
        if in_s[0] == 1 && n0 >= w {
            self.vectorized_inner_sum(base, in_s[1], out_stride, n0, n1);
        } else if in_s[1] == 1 && n1 >= w {
            self.vectorized_outer_sum(base, in_s[0], out_stride, n0, n1);
        } else if in_s[0] < in_s[1] {
            for j in 0..n1 as isize {
                let row = base[1] + j * in_s[1];
                let s = row_sum::<T, 1>(|i| [self.at(row + i as isize * in_s[0])], n0)[0];
                self.store(base[0] + j * out_stride, s);
            }
        } else {
            self.scalar_outer_sum(base, in_s, out_stride, n0, n1);
        }
    }

    /// Rows contiguous along the reduction: vectors of `width` lanes summed
    /// with the cascade, then the leftover elements, then the lanes.
    fn vectorized_inner_sum(
        &mut self,
        base: [isize; 2],
        outer: isize,
        out_stride: isize,
        n0: usize,
        n1: usize,
    ) {
        match self.width {
            8 => self.vectorized_inner_sum_l::<8>(base, outer, out_stride, n0, n1),
            _ => self.vectorized_inner_sum_l::<4>(base, outer, out_stride, n0, n1),
        }
    }

    fn vectorized_inner_sum_l<const L: usize>(
        &mut self,
        base: [isize; 2],
        outer: isize,
        out_stride: isize,
        n0: usize,
        n1: usize,
    ) {
        let vectors = n0 / L;
        for j in 0..n1 as isize {
            let row = base[1] + j * outer;
            let acc = row_sum::<T, L>(|i| self.lanes::<L>(row + (i * L) as isize), vectors);
            let mut total = T::zero();
            for k in vectors * L..n0 {
                total = total + self.at(row + k as isize);
            }
            for lane in acc {
                total = total + lane;
            }
            self.store(base[0] + j * out_stride, total);
        }
    }

    /// Columns contiguous across the kept dimension: four vectors of columns
    /// at a time, then one vector, then single columns.
    fn vectorized_outer_sum(
        &mut self,
        base: [isize; 2],
        inner: isize,
        out_stride: isize,
        n0: usize,
        n1: usize,
    ) {
        match self.width {
            8 => self.vectorized_outer_sum_l::<8>(base, inner, out_stride, n0, n1),
            _ => self.vectorized_outer_sum_l::<4>(base, inner, out_stride, n0, n1),
        }
    }

    fn vectorized_outer_sum_l<const L: usize>(
        &mut self,
        base: [isize; 2],
        inner: isize,
        out_stride: isize,
        n0: usize,
        n1: usize,
    ) {
        let mut j = 0usize;
        while j + 4 * L <= n1 {
            let row = base[1] + j as isize;
            let sums = multi_row_sum::<T, L, 4>(
                |i, k| self.lanes::<L>(row + i as isize * inner + (k * L) as isize),
                n0,
            );
            for (i, lanes) in sums.iter().enumerate() {
                for (l, &v) in lanes.iter().enumerate() {
                    self.store(base[0] + (j + i * L + l) as isize * out_stride, v);
                }
            }
            j += 4 * L;
        }
        while j + L <= n1 {
            let row = base[1] + j as isize;
            let sums = row_sum::<T, L>(|i| self.lanes::<L>(row + i as isize * inner), n0);
            for (l, &v) in sums.iter().enumerate() {
                self.store(base[0] + (j + l) as isize * out_stride, v);
            }
            j += L;
        }
        while j < n1 {
            let row = base[1] + j as isize;
            let s = row_sum::<T, 1>(|i| [self.at(row + i as isize * inner)], n0)[0];
            self.store(base[0] + j as isize * out_stride, s);
            j += 1;
        }
    }

    /// Four output columns at a time, each summed down its column.
    fn scalar_outer_sum(
        &mut self,
        base: [isize; 2],
        in_s: [isize; 2],
        out_stride: isize,
        n0: usize,
        n1: usize,
    ) {
        let mut j = 0usize;
        while j + 3 < n1 {
            let row = base[1] + j as isize * in_s[1];
            let sums = multi_row_sum::<T, 1, 4>(
                |i, k| [self.at(row + i as isize * in_s[0] + k as isize * in_s[1])],
                n0,
            );
            for (k, s) in sums.iter().enumerate() {
                self.store(base[0] + (j + k) as isize * out_stride, s[0]);
            }
            j += 4;
        }
        while j < n1 {
            let row = base[1] + j as isize * in_s[1];
            let s = row_sum::<T, 1>(|i| [self.at(row + i as isize * in_s[0])], n0)[0];
            self.store(base[0] + j as isize * out_stride, s);
            j += 1;
        }
    }
}

/// `utils::CeilLog2` (1 for 0, 1 and 2).
fn ceil_log2(x: usize) -> usize {
    if x <= 2 {
        1
    } else {
        (usize::BITS - (x - 1).leading_zeros()) as usize
    }
}

fn add<T: Float, const L: usize>(a: &mut [T; L], b: &[T; L]) {
    for (x, &y) in a.iter_mut().zip(b) {
        *x = *x + y;
    }
}

/// `multi_row_sum`: `N` columns summed at once down `size` rows, each in four
/// cascade levels that fold into the next every `2^level_power` rows.
/// `load(i, k)` gives row `i` of column `k` (`L` lanes).
fn multi_row_sum<T: Float, const L: usize, const N: usize>(
    load: impl Fn(usize, usize) -> [T; L],
    size: usize,
) -> [[T; L]; N] {
    const LEVELS: usize = 4;
    let level_power = 4.max(ceil_log2(size) / LEVELS);
    let level_step = 1usize << level_power;
    let level_mask = level_step - 1;
    let mut acc = [[[T::zero(); L]; N]; LEVELS];
    let mut i = 0;
    while i + level_step <= size {
        for _ in 0..level_step {
            for (k, a) in acc[0].iter_mut().enumerate() {
                add(a, &load(i, k));
            }
            i += 1;
        }
        for j in 1..LEVELS {
            let (lower, upper) = acc.split_at_mut(j);
            for (lo, up) in lower[j - 1].iter_mut().zip(upper[0].iter_mut()) {
                add(up, lo);
                *lo = [T::zero(); L];
            }
            if i & (level_mask << (j * level_power)) != 0 {
                break;
            }
        }
    }
    while i < size {
        for (k, a) in acc[0].iter_mut().enumerate() {
            add(a, &load(i, k));
        }
        i += 1;
    }
    let (first, levels) = acc.split_at_mut(1);
    for level in levels.iter() {
        for (a, b) in first[0].iter_mut().zip(level) {
            add(a, b);
        }
    }
    acc[0]
}

/// `row_sum`: one row seen as `(-1, 4)`: four interleaved partial sums, the
/// leftover elements added to the first, then the four added in order.
fn row_sum<T: Float, const L: usize>(load: impl Fn(usize) -> [T; L], size: usize) -> [T; L] {
    let rows = size / 4;
    let mut partial = multi_row_sum::<T, L, 4>(|i, k| load(i * 4 + k), rows);
    for i in rows * 4..size {
        add(&mut partial[0], &load(i));
    }
    for k in 1..4 {
        let p = partial[k];
        add(&mut partial[0], &p);
    }
    partial[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::IxDyn;

    fn sum(values: Vec<f32>, shape: &[usize], dims: &[usize]) -> Vec<f32> {
        let a = Array::from_shape_vec(IxDyn(shape), values).unwrap();
        cascade_sum(&a, dims)
    }

    #[test]
    fn short_rows_add_four_interleaved_partials() {
        // [a, b, c, d, e]: ((a + e) + b) + c) + d
        let v = vec![1e8f32, 1.0, -1e8, 1.0, 1.0];
        let expected = (((1e8f32 + 1.0) + 1.0) + -1e8) + 1.0;
        assert_eq!(sum(v, &[5], &[0]), vec![expected]);
    }

    #[test]
    fn reducing_outer_and_inner_dims_sums_rows_then_adds_them() {
        // [2, 3, 4] over (0, 2): per kept index, each row of 4 then the rows.
        let v: Vec<f32> = (0..24).map(|i| (i as f32).sqrt()).collect();
        let got = sum(v.clone(), &[2, 3, 4], &[0, 2]);
        for j in 0..3 {
            let row = |i: usize| {
                let r = &v[i * 12 + j * 4..i * 12 + j * 4 + 4];
                ((r[0] + r[1]) + r[2]) + r[3]
            };
            assert_eq!(got[j], (0.0 + row(0)) + row(1));
        }
    }

    #[test]
    fn matches_exact_sum_for_integers() {
        let v: Vec<f32> = (0..1000).map(|i| i as f32).collect();
        assert_eq!(sum(v, &[10, 100], &[0, 1]), vec![499500.0]);
    }
}

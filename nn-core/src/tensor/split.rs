//! `split` and `chunk`: a tensor cut into consecutive pieces along a
//! dimension.

use super::Tensor;
use crate::error::{Result, TensorError, or_panic};

impl Tensor {
    /// Cuts `self` along `dim` into pieces of `split_size` (the last may be
    /// smaller), as `x.split(split_size, dim)`; each piece records
    /// `SplitBackward0`.
    ///
    /// # Panics
    /// If `split_size` is 0 for a non-empty dimension or `dim` is out of
    /// range, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let pieces = Tensor::arange(5).split(2, 0);
    /// let sizes: Vec<usize> = pieces.iter().map(|p| p.numel()).collect();
    /// assert_eq!(sizes, vec![2, 2, 1]);
    /// assert_eq!(pieces[2].to_string(), "tensor([4])");
    /// ```
    #[track_caller]
    pub fn split(&self, split_size: usize, dim: i64) -> Vec<Tensor> {
        or_panic(self.try_split(split_size, dim))
    }

    /// Fallible form of [`split`](Self::split).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3]).try_split(0, 0).unwrap_err();
    /// assert_eq!(err.to_string(), "split_size can only be 0 if dimension size is 0, but got dimension size of 3");
    /// ```
    pub fn try_split(&self, split_size: usize, dim: i64) -> Result<Vec<Tensor>> {
        self.split_by(split_size, dim, "SplitBackward0")
    }

    fn split_by(&self, split_size: usize, dim: i64, name: &'static str) -> Result<Vec<Tensor>> {
        if self.dim() == 0 {
            return Err(TensorError::runtime(
                "split expects at least a 1-dimensional tensor",
            ));
        }
        let d = self.wrap_dim(dim)?;
        let n = self.shape()[d];
        if split_size == 0 && n != 0 {
            return Err(TensorError::runtime(format!(
                "split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )));
        }
        let pieces = if split_size == 0 {
            1
        } else {
            n.div_ceil(split_size).max(1)
        };
        Ok((0..pieces)
            .map(|i| {
                let start = (i * split_size).min(n);
                let len = split_size.min(n - start);
                self.sliced_as(d, start, len, 1, name)
            })
            .collect())
    }

    /// Cuts `self` along `dim` into pieces of the given `sizes` (which must
    /// add up to the dimension), as `x.split([sizes…], dim)`; each piece
    /// records `SplitWithSizesBackward0`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::arange(6).reshape([3, 2]);
    /// let parts = x.split_with_sizes(&[1, 2], 0);
    /// assert_eq!(parts[1].to_string(), "tensor([[2, 3],\n        [4, 5]])");
    /// ```
    #[track_caller]
    pub fn split_with_sizes(&self, sizes: &[usize], dim: i64) -> Vec<Tensor> {
        or_panic(self.try_split_with_sizes(sizes, dim))
    }

    /// Fallible form of [`split_with_sizes`](Self::split_with_sizes).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3]).try_split_with_sizes(&[1, 1], 0).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at dimension 0), but got split_sizes=[1, 1]"
    /// );
    /// ```
    pub fn try_split_with_sizes(&self, sizes: &[usize], dim: i64) -> Result<Vec<Tensor>> {
        if self.dim() == 0 {
            return Err(TensorError::runtime(
                "split expects at least a 1-dimensional tensor",
            ));
        }
        let d = self.wrap_dim(dim)?;
        let n = self.shape()[d];
        if sizes.iter().sum::<usize>() != n {
            return Err(TensorError::runtime(format!(
                "split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension {d}), but got split_sizes={sizes:?}"
            )));
        }
        let mut start = 0;
        Ok(sizes
            .iter()
            .map(|&len| {
                let piece = self.sliced_as(d, start, len, 1, "SplitWithSizesBackward0");
                start += len;
                piece
            })
            .collect())
    }

    /// Cuts `self` along `dim` into `chunks` pieces of equal size (the last
    /// may be smaller, and there may be fewer pieces), as
    /// `x.chunk(chunks, dim)`; each piece records `SplitBackward0`.
    ///
    /// # Panics
    /// If `chunks` is 0 or `dim` is out of range, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::arange(10).reshape([5, 2]);
    /// let [a, b] = <[Tensor; 2]>::try_from(x.chunk(2, 0)).unwrap();
    /// assert_eq!((a.shape()[0], b.shape()[0]), (3, 2));
    /// assert_eq!(Tensor::arange(6).chunk(4, 0).len(), 3); // pieces of 2
    /// ```
    #[track_caller]
    pub fn chunk(&self, chunks: usize, dim: i64) -> Vec<Tensor> {
        or_panic(self.try_chunk(chunks, dim))
    }

    /// Fallible form of [`chunk`](Self::chunk).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([3]).try_chunk(0, 0).unwrap_err();
    /// assert_eq!(err.to_string(), "chunk expects `chunks` to be greater than 0, got: 0");
    /// ```
    pub fn try_chunk(&self, chunks: usize, dim: i64) -> Result<Vec<Tensor>> {
        if self.dim() == 0 {
            return Err(TensorError::runtime(
                "chunk expects at least a 1-dimensional tensor",
            ));
        }
        if chunks == 0 {
            return Err(TensorError::runtime(
                "chunk expects `chunks` to be greater than 0, got: 0",
            ));
        }
        let d = self.wrap_dim(dim)?;
        let n = self.shape()[d];
        if n == 0 {
            // torch: `chunks` empty pieces.
            return Ok((0..chunks)
                .map(|_| self.sliced_as(d, 0, 0, 1, "SplitWithSizesBackward0"))
                .collect());
        }
        self.split_by(n.div_ceil(chunks), dim, "SplitBackward0")
    }
}

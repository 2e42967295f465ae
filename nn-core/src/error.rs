//! Errors with PyTorch's wording.
//!
//! Notebook-facing functions panic with these messages (like a Python
//! exception); the `try_*` forms return them for library users.
//!
//! ```
//! use nn_core::error::ErrorKind;
//! use nn_core::prelude::*;
//!
//! let x = Tensor::zeros([3]);
//! // `x.i(3)` panics with this message; `try_i` returns it.
//! let err = x.try_i(3).unwrap_err();
//! assert_eq!(err.kind, ErrorKind::Index);
//! assert_eq!(err.message, "index 3 is out of bounds for dimension 0 with size 3");
//! ```

use std::fmt;

/// The Python exception PyTorch would raise for this error.
///
/// ```
/// use nn_core::error::ErrorKind;
/// use nn_core::prelude::*;
///
/// let x = Tensor::arange(3);
/// assert_eq!(x.try_i(5).unwrap_err().kind, ErrorKind::Index); // IndexError
/// let zero_step = Slice::new(None, None, 0);
/// assert_eq!(x.try_i(zero_step).unwrap_err().kind, ErrorKind::Value); // ValueError
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `RuntimeError`: shapes that do not fit, autograd misuse, …
    Runtime,
    /// `IndexError`: a dimension or index out of range.
    Index,
    /// `ValueError`: an argument with a bad value.
    Value,
    /// `TypeError`: an operation not defined for the dtype.
    Type,
    /// `NotImplementedError`: an operation torch does not provide for this
    /// dtype on the CPU (`topk` of bools, `std` of integers).
    NotImplemented,
}

/// An error from a tensor operation, carrying PyTorch's message.
///
/// ```
/// use nn_core::prelude::*;
/// let a = Tensor::zeros([3, 2]);
/// let b = Tensor::zeros([3, 5]);
/// let err = a.try_matmul(&b).unwrap_err();
/// assert_eq!(err.to_string(), "mat1 and mat2 shapes cannot be multiplied (3x2 and 3x5)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorError {
    /// Which Python exception torch raises here.
    pub kind: ErrorKind,
    /// Torch's message.
    pub message: String,
}

impl TensorError {
    /// A `RuntimeError` with `message`.
    ///
    /// ```
    /// let e = nn_core::TensorError::runtime("boom");
    /// assert_eq!(e.to_string(), "boom");
    /// ```
    pub fn runtime(message: impl Into<String>) -> Self {
        TensorError {
            kind: ErrorKind::Runtime,
            message: message.into(),
        }
    }

    /// An `IndexError` with `message`.
    ///
    /// ```
    /// let e = nn_core::TensorError::index("index 3 is out of bounds for dimension 0 with size 3");
    /// assert_eq!(e.kind, nn_core::error::ErrorKind::Index);
    /// ```
    pub fn index(message: impl Into<String>) -> Self {
        TensorError {
            kind: ErrorKind::Index,
            message: message.into(),
        }
    }

    /// A `ValueError` with `message`.
    ///
    /// ```
    /// let e = nn_core::TensorError::value("bad value");
    /// assert_eq!(e.kind, nn_core::error::ErrorKind::Value);
    /// ```
    pub fn value(message: impl Into<String>) -> Self {
        TensorError {
            kind: ErrorKind::Value,
            message: message.into(),
        }
    }

    /// A `TypeError` with `message`.
    ///
    /// ```
    /// let e = nn_core::TensorError::type_error("bad type");
    /// assert_eq!(e.kind, nn_core::error::ErrorKind::Type);
    /// ```
    pub fn type_error(message: impl Into<String>) -> Self {
        TensorError {
            kind: ErrorKind::Type,
            message: message.into(),
        }
    }

    /// A `NotImplementedError` with `message`.
    ///
    /// ```
    /// let e = nn_core::TensorError::not_implemented("topk does not support bool dtypes on CPU");
    /// assert_eq!(e.kind, nn_core::error::ErrorKind::NotImplemented);
    /// ```
    pub fn not_implemented(message: impl Into<String>) -> Self {
        TensorError {
            kind: ErrorKind::NotImplemented,
            message: message.into(),
        }
    }

    /// `Dimension out of range (expected to be in range of [-n, n-1], but got d)`.
    ///
    /// ```
    /// let e = nn_core::TensorError::dim_out_of_range(2, 2);
    /// assert_eq!(e.to_string(), "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    /// ```
    pub fn dim_out_of_range(dim: i64, ndim: usize) -> Self {
        // torch treats a 0-d tensor as having one dimension for this check.
        let n = ndim.max(1) as i64;
        TensorError::index(format!(
            "Dimension out of range (expected to be in range of [{}, {}], but got {dim})",
            -n,
            n - 1
        ))
    }
}

impl fmt::Display for TensorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TensorError {}

/// `Result` with a [`TensorError`].
///
/// ```
/// use nn_core::prelude::*;
///
/// fn first_row(x: &Tensor) -> nn_core::Result<Tensor> {
///     x.try_i(0)
/// }
/// assert_eq!(first_row(&tensor![[1.0, 2.0]]).unwrap().to_vec::<f32>(), vec![1.0, 2.0]);
/// assert!(first_row(&Tensor::zeros([0])).is_err());
/// ```
pub type Result<T> = std::result::Result<T, TensorError>;

/// Unwraps `r`, panicking with torch's message (no `called Result::unwrap` noise),
/// reported at the caller's location.
#[track_caller]
pub(crate) fn or_panic<T>(r: Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

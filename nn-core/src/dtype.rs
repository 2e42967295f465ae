//! Element types of a tensor, named as in PyTorch.
//!
//! ```
//! use nn_core::prelude::*;
//!
//! assert_eq!(tensor![1, 2].dtype(), DType::Int64);
//! assert_eq!(tensor![1.5].dtype(), DType::Float32);
//! let x = tensor![1, 2].to_dtype(DType::Float64);
//! assert_eq!(x.to_string(), "tensor([1., 2.], dtype=torch.float64)");
//! ```

use std::fmt;

/// The element type of a [`Tensor`](crate::Tensor), as `torch.dtype`.
///
/// Displays as PyTorch does:
///
/// ```
/// use nn_core::DType;
/// assert_eq!(DType::Float32.to_string(), "torch.float32");
/// assert_eq!(format!("{:?}", DType::Int64), "torch.int64");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// `torch.bool`
    Bool,
    /// `torch.int64` (`torch.long`), the default integer type.
    Int64,
    /// `torch.float32` (`torch.float`), the default floating type.
    Float32,
    /// `torch.float64` (`torch.double`).
    Float64,
}

impl DType {
    /// The name after `torch.`, e.g. `"float32"`.
    ///
    /// ```
    /// assert_eq!(nn_core::DType::Float64.name(), "float64");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::Int64 => "int64",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
        }
    }

    /// Whether this is a floating-point type, as `torch.is_floating_point`.
    ///
    /// ```
    /// assert!(nn_core::DType::Float32.is_floating_point());
    /// assert!(!nn_core::DType::Int64.is_floating_point());
    /// ```
    pub fn is_floating_point(self) -> bool {
        matches!(self, DType::Float32 | DType::Float64)
    }

    /// The result type of a binary operation between two tensors, as
    /// `torch.promote_types`: bool < int64 < float32 < float64.
    ///
    /// ```
    /// use nn_core::DType;
    /// assert_eq!(DType::Int64.promote(DType::Float32), DType::Float32);
    /// assert_eq!(DType::Float32.promote(DType::Float64), DType::Float64);
    /// ```
    pub fn promote(self, other: DType) -> DType {
        self.max(other)
    }

    /// The size of one element in bytes, as `torch.dtype.itemsize`.
    ///
    /// ```
    /// assert_eq!(nn_core::DType::Float32.itemsize(), 4);
    /// ```
    pub fn itemsize(self) -> usize {
        match self {
            DType::Bool => 1,
            DType::Float32 => 4,
            DType::Int64 | DType::Float64 => 8,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "torch.{}", self.name())
    }
}

impl fmt::Debug for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

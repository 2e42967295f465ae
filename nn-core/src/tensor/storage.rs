//! The values of a tensor: one shared ndarray per dtype.
//!
//! `ArcArray` makes clones and shape changes (transpose, reshape of contiguous
//! data) cheap: they share the buffer, and a write to a shared buffer copies it
//! first. So a reshaped tensor never aliases its source the way a torch view
//! does; in-place updates (optimizer steps) change only the tensor they are
//! called on.

use crate::dtype::DType;
use ndarray::{ArcArray, IxDyn};

/// An n-dimensional array of one dtype, shared copy-on-write.
pub type Array<T> = ArcArray<T, IxDyn>;

/// The values of a tensor. Public only because [`Element`]'s sealed plumbing
/// names it; not part of the API.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub enum Storage {
    F32(Array<f32>),
    F64(Array<f64>),
    I64(Array<i64>),
    Bool(Array<bool>),
}

/// Applies the same expression to whichever typed array a storage holds,
/// rebuilding a storage of the same dtype: `map_storage!(s, a => a.t())`.
macro_rules! map_storage {
    ($s:expr, $a:ident => $body:expr) => {
        match $s {
            $crate::tensor::storage::Storage::F32($a) => {
                $crate::tensor::storage::Storage::F32($body)
            }
            $crate::tensor::storage::Storage::F64($a) => {
                $crate::tensor::storage::Storage::F64($body)
            }
            $crate::tensor::storage::Storage::I64($a) => {
                $crate::tensor::storage::Storage::I64($body)
            }
            $crate::tensor::storage::Storage::Bool($a) => {
                $crate::tensor::storage::Storage::Bool($body)
            }
        }
    };
}

/// Evaluates the same expression on whichever typed array a storage holds.
macro_rules! with_storage {
    ($s:expr, $a:ident => $body:expr) => {
        match $s {
            $crate::tensor::storage::Storage::F32($a) => $body,
            $crate::tensor::storage::Storage::F64($a) => $body,
            $crate::tensor::storage::Storage::I64($a) => $body,
            $crate::tensor::storage::Storage::Bool($a) => $body,
        }
    };
}

pub(crate) use {map_storage, with_storage};

impl Storage {
    pub(crate) fn dtype(&self) -> DType {
        match self {
            Storage::F32(_) => DType::Float32,
            Storage::F64(_) => DType::Float64,
            Storage::I64(_) => DType::Int64,
            Storage::Bool(_) => DType::Bool,
        }
    }

    pub(crate) fn shape(&self) -> &[usize] {
        with_storage!(self, a => a.shape())
    }

    pub(crate) fn len(&self) -> usize {
        with_storage!(self, a => a.len())
    }

    /// The values converted to `dtype` (a cheap clone when it already is).
    /// Conversions follow torch: floats to int truncate toward zero, anything
    /// to bool is `!= 0`, bool to number is 0/1.
    pub(crate) fn to_dtype(&self, dtype: DType) -> Storage {
        if self.dtype() == dtype {
            return self.clone();
        }
        match dtype {
            DType::Float32 => {
                Storage::F32(with_storage!(self, a => a.mapv(|v| v.to_f32()).into_shared()))
            }
            DType::Float64 => {
                Storage::F64(with_storage!(self, a => a.mapv(|v| v.to_f64()).into_shared()))
            }
            DType::Int64 => {
                Storage::I64(with_storage!(self, a => a.mapv(|v| v.to_i64()).into_shared()))
            }
            DType::Bool => {
                Storage::Bool(with_storage!(self, a => a.mapv(|v| v.to_bool()).into_shared()))
            }
        }
    }

    /// Row-major values as f64 (exact for f32 and for integers below 2^53).
    pub(crate) fn to_f64_vec(&self) -> Vec<f64> {
        with_storage!(self, a => a.iter().map(|v| v.to_f64()).collect())
    }

    /// Whether the values are row-major without gaps.
    pub(crate) fn is_contiguous(&self) -> bool {
        with_storage!(self, a => a.is_standard_layout())
    }

    /// A standard-layout (row-major contiguous) copy, or the same buffer if it
    /// already is one.
    pub(crate) fn contiguous(&self) -> Storage {
        map_storage!(self, a => if a.is_standard_layout() { a.clone() } else { a.as_standard_layout().into_owned().into_shared() })
    }
}

/// Hides the storage plumbing of [`Element`] from the public API.
pub mod sealed {
    use super::{Array, Storage};
    pub trait Sealed: Sized {
        fn wrap(a: Array<Self>) -> Storage;
        fn unwrap(s: &Storage) -> Option<&Array<Self>>;
        fn unwrap_mut(s: &mut Storage) -> Option<&mut Array<Self>>;
    }
}

/// A type a tensor can hold: `f32`, `f64`, `i64` or `bool`.
///
/// ```
/// use nn_core::{DType, tensor::Element};
/// assert_eq!(<f32 as Element>::DTYPE, DType::Float32);
/// assert_eq!(true.to_f64(), 1.0);
/// assert_eq!((-2.7f32).to_i64(), -2);
/// ```
pub trait Element:
    sealed::Sealed + Copy + Send + Sync + PartialEq + PartialOrd + std::fmt::Debug + 'static
{
    /// The dtype of a tensor holding this type.
    const DTYPE: DType;
    /// Converts to f32 (torch's casting rules).
    fn to_f32(self) -> f32;
    /// Converts to f64.
    fn to_f64(self) -> f64;
    /// Converts to i64 (floats truncate toward zero).
    fn to_i64(self) -> i64;
    /// Converts to bool (`!= 0`).
    fn to_bool(self) -> bool;
}

macro_rules! element {
    ($t:ty, $variant:ident, $dtype:expr, $f32:expr, $f64:expr, $i64:expr, $bool:expr) => {
        impl sealed::Sealed for $t {
            fn wrap(a: Array<Self>) -> Storage {
                Storage::$variant(a)
            }
            fn unwrap(s: &Storage) -> Option<&Array<Self>> {
                match s {
                    Storage::$variant(a) => Some(a),
                    _ => None,
                }
            }
            fn unwrap_mut(s: &mut Storage) -> Option<&mut Array<Self>> {
                match s {
                    Storage::$variant(a) => Some(a),
                    _ => None,
                }
            }
        }
        impl Element for $t {
            const DTYPE: DType = $dtype;
            fn to_f32(self) -> f32 {
                let f: fn($t) -> f32 = $f32;
                f(self)
            }
            fn to_f64(self) -> f64 {
                let f: fn($t) -> f64 = $f64;
                f(self)
            }
            fn to_i64(self) -> i64 {
                let f: fn($t) -> i64 = $i64;
                f(self)
            }
            fn to_bool(self) -> bool {
                let f: fn($t) -> bool = $bool;
                f(self)
            }
        }
    };
}

element!(
    f32,
    F32,
    DType::Float32,
    |v| v,
    |v| v as f64,
    |v| v as i64,
    |v| v != 0.0
);
element!(
    f64,
    F64,
    DType::Float64,
    |v| v as f32,
    |v| v,
    |v| v as i64,
    |v| v != 0.0
);
element!(
    i64,
    I64,
    DType::Int64,
    |v| v as f32,
    |v| v as f64,
    |v| v,
    |v| v != 0
);
element!(
    bool,
    Bool,
    DType::Bool,
    |v| v as u8 as f32,
    |v| v as u8 as f64,
    |v| v as i64,
    |v| v
);

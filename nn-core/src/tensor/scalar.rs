//! A Python number: what ops accept beside tensors (`x * 2.0`, `full(3, 7)`).

use crate::dtype::DType;

/// A plain number, as a Python `float`, `int` or `bool` passed to a torch op.
///
/// Mixed with a tensor it follows torch's promotion: a float scalar keeps a
/// float tensor's dtype and turns an integer tensor into float32; an integer
/// scalar keeps the tensor's dtype (turning bool into int64).
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!((&tensor![1, 2] * 2).dtype(), DType::Int64);
/// assert_eq!((&tensor![1, 2] * 0.5).dtype(), DType::Float32);
/// assert_eq!(Scalar::from(3).dtype(), DType::Int64);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// A Python `float`.
    Float(f64),
    /// A Python `int`.
    Int(i64),
    /// A Python `bool`.
    Bool(bool),
}

impl Scalar {
    /// The dtype torch gives a tensor made from this number alone
    /// (`torch.tensor(2.5)` is float32, `torch.tensor(2)` int64).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Scalar::from(2.5).dtype(), DType::Float32);
    /// ```
    pub fn dtype(self) -> DType {
        match self {
            Scalar::Float(_) => DType::Float32,
            Scalar::Int(_) => DType::Int64,
            Scalar::Bool(_) => DType::Bool,
        }
    }

    /// The value as f64.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Scalar::from(true).to_f64(), 1.0);
    /// ```
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Float(v) => v,
            Scalar::Int(v) => v as f64,
            Scalar::Bool(v) => v as u8 as f64,
        }
    }

    /// The value as i64 (floats truncate toward zero).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Scalar::from(-2.5).to_i64(), -2);
    /// ```
    pub fn to_i64(self) -> i64 {
        match self {
            Scalar::Float(v) => v as i64,
            Scalar::Int(v) => v,
            Scalar::Bool(v) => v as i64,
        }
    }

    /// Whether this is a float.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(Scalar::from(1.0).is_float());
    /// ```
    pub fn is_float(self) -> bool {
        matches!(self, Scalar::Float(_))
    }

    /// The dtype of `tensor op self` for a tensor of dtype `t`.
    pub(crate) fn result_dtype(self, t: DType) -> DType {
        match self {
            _ if t.is_floating_point() => t,
            Scalar::Float(_) => DType::Float32,
            Scalar::Int(_) if t == DType::Bool => DType::Int64,
            _ => t,
        }
    }
}

macro_rules! scalar_from {
    ($variant:ident: $($t:ty),*) => {$(
        impl From<$t> for Scalar {
            fn from(v: $t) -> Scalar {
                Scalar::$variant(v.into())
            }
        }
    )*};
}
scalar_from!(Float: f64, f32);
scalar_from!(Int: i64, i32, i16, i8, u32, u16, u8);
scalar_from!(Bool: bool);

impl From<usize> for Scalar {
    fn from(v: usize) -> Scalar {
        Scalar::Int(v as i64)
    }
}

impl From<isize> for Scalar {
    fn from(v: isize) -> Scalar {
        Scalar::Int(v as i64)
    }
}

//! The float types the layer kernels (convolution, pooling, normalisation)
//! are written for, and how their values come out of and go back into a
//! tensor's storage: a kernel is one generic function over [`KernelFloat`],
//! instantiated for `f32` and `f64` once, inside nn-core.

use super::matmul::GemmFloat;
use super::storage::{Array, Storage};
use crate::dtype::DType;
use crate::error::{Result, TensorError};
use ndarray::IxDyn;
use std::borrow::Cow;

/// `f32` or `f64`.
pub(crate) trait KernelFloat:
    GemmFloat + super::Element + Default + std::ops::AddAssign + std::iter::Sum
{
}
impl KernelFloat for f32 {}
impl KernelFloat for f64 {}

/// The values of a storage of `T`, row-major (borrowed when they already are).
pub(crate) fn values<T: KernelFloat>(s: &Storage) -> Cow<'_, [T]> {
    let a = T::unwrap(s).expect("the caller checked the dtype");
    match a.as_slice() {
        Some(v) => Cow::Borrowed(v),
        None => Cow::Owned(a.iter().copied().collect()),
    }
}

/// A storage of shape `shape` holding `v` (row-major).
pub(crate) fn storage_of<T: KernelFloat>(v: Vec<T>, shape: &[usize]) -> Storage {
    T::wrap(Array::from_shape_vec(IxDyn(shape), v).expect("sized by the caller"))
}

/// The one float dtype of an op's float operands, or torch's error.
pub(crate) fn float_dtype(op: &str, dtypes: &[DType]) -> Result<DType> {
    let first = dtypes[0];
    if let Some(&other) = dtypes.iter().find(|&&d| d != first) {
        return Err(TensorError::runtime(format!(
            "expected scalar type {} but found {}",
            scalar_type(first),
            scalar_type(other)
        )));
    }
    if !first.is_floating_point() {
        return Err(TensorError::runtime(format!(
            "\"{op}\" not implemented for '{}'",
            scalar_type(first)
        )));
    }
    Ok(first)
}

/// torch's C++ name of a dtype (`Float`, `Double`, `Long`, `Bool`).
pub(crate) fn scalar_type(d: DType) -> &'static str {
    match d {
        DType::Float32 => "Float",
        DType::Float64 => "Double",
        DType::Int64 => "Long",
        DType::Bool => "Bool",
    }
}

/// A list of sizes as torch prints `IntArrayRef`: `[2, 3, 8, 8]`.
pub(crate) fn dims_list(dims: &[usize]) -> String {
    let v: Vec<String> = dims.iter().map(usize::to_string).collect();
    format!("[{}]", v.join(", "))
}

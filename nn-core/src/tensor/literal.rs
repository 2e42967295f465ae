//! The `tensor!` macro: tensors from nested array literals, as `torch.tensor([...])`.

use super::Tensor;
use super::storage::Storage;
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};
use ndarray::{ArcArray, IxDyn};

/// Builds a tensor from a nested literal, as `torch.tensor([...])`.
///
/// Float literals give float32, integers int64 and booleans bool, as in
/// torch. A single number needs [`Tensor::scalar`] (a 0-d tensor):
/// `tensor![2.5]` is the 1-D `tensor([2.5000])`, like `torch.tensor([2.5])`.
///
/// ```
/// use nn_core::prelude::*;
/// let x = tensor![[1.0, -1.0], [0.0, 1.0], [0.0, 0.0]];
/// assert_eq!(x.shape(), [3, 2]);
/// let i = tensor![1, 2, 3];
/// assert_eq!(i.dtype(), DType::Int64);
/// assert_eq!(tensor![true, false].to_string(), "tensor([ True, False])");
/// ```
#[macro_export]
macro_rules! tensor {
    () => {
        $crate::Tensor::from_literal([0.0f32; 0])
    };
    ($($x:expr),+ $(,)?) => {
        $crate::Tensor::from_literal([$($x),+])
    };
}

/// The values of a literal, in row-major order, by the kind of number.
#[doc(hidden)]
pub enum LiteralValues {
    Float(Vec<f64>),
    Int(Vec<i64>),
    Bool(Vec<bool>),
}

/// A value `tensor!` and [`Tensor::from_literal`] accept: numbers, and arrays,
/// slices or vectors of them, nested.
///
/// ```
/// use nn_core::prelude::*;
///
/// let rows = vec![vec![1.0, 2.0], vec![3.0, 4.0]]; // e.g. read from a file
/// let x = Tensor::from_literal(rows);
/// assert_eq!(x.shape(), [2, 2]);
/// assert_eq!(Tensor::from_literal([[true], [false]]).dtype(), DType::Bool);
/// ```
pub trait TensorLiteral {
    /// Appends this literal's values, recording its shape at `depth`.
    #[doc(hidden)]
    fn visit(&self, depth: usize, shape: &mut Vec<usize>, values: &mut LiteralValues)
    -> Result<()>;
    /// A fresh value buffer of this literal's kind.
    #[doc(hidden)]
    fn empty_values() -> LiteralValues;
}

macro_rules! number_literal {
    ($kind:ident, $conv:expr, $($t:ty),*) => {$(
        impl TensorLiteral for $t {
            fn visit(&self, depth: usize, shape: &mut Vec<usize>, values: &mut LiteralValues) -> Result<()> {
                if depth < shape.len() {
                    return Err(TensorError::value(format!(
                        "expected sequence of length {} at dim {} (got a number)",
                        shape[depth], depth
                    )));
                }
                if let LiteralValues::$kind(v) = values {
                    let f: fn($t) -> _ = $conv;
                    v.push(f(*self));
                }
                Ok(())
            }
            fn empty_values() -> LiteralValues {
                LiteralValues::$kind(Vec::new())
            }
        }
    )*};
}
number_literal!(Float, f64::from, f64, f32);
number_literal!(Int, |v| v as i64, i32, i16, i8, u32, u16, u8, usize, isize);
number_literal!(Int, |v| v, i64);
number_literal!(Bool, |v| v, bool);

fn visit_sequence<T: TensorLiteral>(
    items: &[T],
    depth: usize,
    shape: &mut Vec<usize>,
    values: &mut LiteralValues,
) -> Result<()> {
    if depth == shape.len() {
        shape.push(items.len());
    } else if shape[depth] != items.len() {
        return Err(TensorError::value(format!(
            "expected sequence of length {} at dim {} (got {})",
            shape[depth],
            depth,
            items.len()
        )));
    }
    for item in items {
        item.visit(depth + 1, shape, values)?;
    }
    Ok(())
}

impl<T: TensorLiteral, const N: usize> TensorLiteral for [T; N] {
    fn visit(
        &self,
        depth: usize,
        shape: &mut Vec<usize>,
        values: &mut LiteralValues,
    ) -> Result<()> {
        visit_sequence(self, depth, shape, values)
    }
    fn empty_values() -> LiteralValues {
        T::empty_values()
    }
}

impl<T: TensorLiteral> TensorLiteral for Vec<T> {
    fn visit(
        &self,
        depth: usize,
        shape: &mut Vec<usize>,
        values: &mut LiteralValues,
    ) -> Result<()> {
        visit_sequence(self, depth, shape, values)
    }
    fn empty_values() -> LiteralValues {
        T::empty_values()
    }
}

impl<T: TensorLiteral> TensorLiteral for &[T] {
    fn visit(
        &self,
        depth: usize,
        shape: &mut Vec<usize>,
        values: &mut LiteralValues,
    ) -> Result<()> {
        visit_sequence(self, depth, shape, values)
    }
    fn empty_values() -> LiteralValues {
        T::empty_values()
    }
}

fn array<T>(shape: Vec<usize>, v: Vec<T>) -> ArcArray<T, IxDyn> {
    ArcArray::from_shape_vec(IxDyn(&shape), v).expect("literal shape matches its values")
}

impl Tensor {
    /// A tensor from a (nested) literal; the [`tensor!`](crate::tensor!) macro calls this.
    ///
    /// # Panics
    /// On ragged nesting, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let t = Tensor::from_literal(vec![vec![1.0, 2.0], vec![3.0, 4.0]]);
    /// assert_eq!(t.shape(), [2, 2]);
    /// ```
    #[track_caller]
    pub fn from_literal<L: TensorLiteral>(literal: L) -> Tensor {
        or_panic(Tensor::try_from_literal(literal, None))
    }

    /// A tensor from a literal with an explicit dtype, as
    /// `torch.tensor([...], dtype=...)`. Float literals keep all their digits
    /// when the dtype is float64.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let t = Tensor::from_literal_as([0.1, 0.2], DType::Float64);
    /// assert_eq!(t.to_vec::<f64>(), vec![0.1, 0.2]);
    /// ```
    #[track_caller]
    pub fn from_literal_as<L: TensorLiteral>(literal: L, dtype: DType) -> Tensor {
        or_panic(Tensor::try_from_literal(literal, Some(dtype)))
    }

    /// Fallible form of [`from_literal`](Self::from_literal) /
    /// [`from_literal_as`](Self::from_literal_as).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::try_from_literal(vec![vec![1.0, 2.0], vec![3.0]], None).unwrap_err();
    /// assert_eq!(err.to_string(), "expected sequence of length 2 at dim 1 (got 1)");
    /// ```
    pub fn try_from_literal<L: TensorLiteral>(literal: L, dtype: Option<DType>) -> Result<Tensor> {
        // Only the walk over the literal is generic: the rest is compiled
        // once here rather than in every notebook cell with a `tensor!`.
        let mut shape = Vec::new();
        let mut values = L::empty_values();
        literal.visit(0, &mut shape, &mut values)?;
        Ok(Tensor::from_literal_values(shape, values, dtype))
    }

    fn from_literal_values(
        shape: Vec<usize>,
        values: LiteralValues,
        dtype: Option<DType>,
    ) -> Tensor {
        let storage = match values {
            LiteralValues::Float(v) => match dtype {
                Some(DType::Float64) => Storage::F64(array(shape, v)),
                _ => Storage::F32(array(shape, v.into_iter().map(|x| x as f32).collect())),
            },
            LiteralValues::Int(v) => Storage::I64(array(shape, v)),
            LiteralValues::Bool(v) => Storage::Bool(array(shape, v)),
        };
        let storage = match dtype {
            Some(d) => storage.to_dtype(d),
            None => storage,
        };
        Tensor::from_storage(storage)
    }
}

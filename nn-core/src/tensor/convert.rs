//! Getting values in and out: `item`, `to_vec`, `tolist`, ndarray
//! conversions, dtype casts, copies.

use super::Tensor;
use super::storage::{Element, Storage, map_storage, sealed::Sealed, with_storage};
use crate::autograd::{Saved, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};
use ndarray::{ArrayBase, ArrayD, Data, Dimension, IxDyn};
use std::fmt;

impl Tensor {
    /// The single value of a one-element tensor, as `x.item()` (floats widen
    /// exactly to f64, so `{}` prints Python's digits for float32 values).
    ///
    /// # Panics
    /// If the tensor has more than one element, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::scalar(0.1).item(), 0.10000000149011612);
    /// assert_eq!(tensor![[3]].item(), 3.0);
    /// ```
    #[track_caller]
    pub fn item(&self) -> f64 {
        or_panic(self.try_item())
    }

    /// Fallible form of [`item`](Self::item).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([6]).try_item().unwrap_err();
    /// assert_eq!(err.to_string(), "a Tensor with 6 elements cannot be converted to Scalar");
    /// ```
    pub fn try_item(&self) -> Result<f64> {
        let n = self.numel();
        if n != 1 {
            return Err(TensorError::runtime(format!(
                "a Tensor with {n} elements cannot be converted to Scalar"
            )));
        }
        Ok(self.storage().to_f64_vec()[0])
    }

    /// The single value as `T` (an integer tensor's exact `i64`, a bool…).
    ///
    /// # Panics
    /// If the tensor has more than one element.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![7].item_as::<i64>(), 7);
    /// assert!(tensor![true].item_as::<bool>());
    /// ```
    #[track_caller]
    pub fn item_as<T: Element>(&self) -> T {
        or_panic(self.try_item());
        self.to_vec::<T>()[0]
    }

    /// All values in row-major order, converted to `T`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[1.0, 2.0], [3.0, 4.0]];
    /// assert_eq!(x.to_vec::<f32>(), vec![1.0, 2.0, 3.0, 4.0]);
    /// assert_eq!(x.t().to_vec::<i64>(), vec![1, 3, 2, 4]);
    /// ```
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        let s = self.storage().to_dtype(T::DTYPE);
        let a = T::unwrap(&s).expect("converted to T's dtype");
        match a.as_slice() {
            Some(v) => v.to_vec(),
            None => a.iter().copied().collect(),
        }
    }

    /// The values as a nested list that prints like Python's `x.tolist()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[1.5, 2.0], [0.1, -0.0]];
    /// assert_eq!(x.tolist().to_string(), "[[1.5, 2.0], [0.10000000149011612, -0.0]]");
    /// ```
    pub fn tolist(&self) -> List {
        fn build(values: &[f64], shape: &[usize], dtype: DType) -> List {
            match shape.split_first() {
                None => List::Number(values[0], dtype),
                Some((&n, rest)) => {
                    let step: usize = rest.iter().product();
                    List::Items(
                        (0..n)
                            .map(|i| build(&values[i * step..(i + 1) * step], rest, dtype))
                            .collect(),
                    )
                }
            }
        }
        build(&self.storage().to_f64_vec(), &self.shape(), self.dtype())
    }

    /// The values as an ndarray array of `T`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let a = tensor![[1.0, 2.0]].to_ndarray::<f32>();
    /// assert_eq!(a.shape(), &[1, 2]);
    /// ```
    pub fn to_ndarray<T: Element>(&self) -> ArrayD<T> {
        let s = self.storage().to_dtype(T::DTYPE);
        T::unwrap(&s).expect("converted to T's dtype").to_owned()
    }

    /// A tensor holding an ndarray array's values.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let t = Tensor::from_ndarray(ndarray::arr2(&[[1.0f32, 2.0], [3.0, 4.0]]));
    /// assert_eq!(t.shape(), [2, 2]);
    /// ```
    pub fn from_ndarray<T: Element, S: Data<Elem = T>, D: Dimension>(
        array: ArrayBase<S, D>,
    ) -> Tensor {
        Tensor::from_storage(T::wrap(array.into_owned().into_dyn().into_shared()))
    }

    /// The values converted to `dtype`, as `x.to(dtype)` (float to float keeps
    /// the graph: `ToCopyBackward0`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1.7, -1.7].to_dtype(DType::Int64).to_string(), "tensor([ 1, -1])");
    /// ```
    pub fn to_dtype(&self, dtype: DType) -> Tensor {
        if self.dtype() == dtype {
            return self.clone();
        }
        let data = self.storage().to_dtype(dtype);
        if !dtype.is_floating_point() {
            return Tensor::from_storage(data);
        }
        let from = self.dtype();
        record(
            data,
            "ToCopyBackward0",
            Saved::Nothing,
            &[self],
            move || Box::new(move |g: &Tensor| vec![Some(g.to_dtype(from))]),
        )
    }

    /// As float32, as `x.float()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1, 2].float().dtype(), DType::Float32);
    /// ```
    pub fn float(&self) -> Tensor {
        self.to_dtype(DType::Float32)
    }

    /// As float64, as `x.double()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1.0].double().dtype(), DType::Float64);
    /// ```
    pub fn double(&self) -> Tensor {
        self.to_dtype(DType::Float64)
    }

    /// As int64, as `x.long()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![2.9].long().to_vec::<i64>(), vec![2]);
    /// ```
    pub fn long(&self) -> Tensor {
        self.to_dtype(DType::Int64)
    }

    /// Integers and bools as float32; float tensors unchanged.
    pub(crate) fn to_float(&self) -> Tensor {
        if self.dtype().is_floating_point() {
            self.clone()
        } else {
            self.to_dtype(DType::Float32)
        }
    }

    /// A copy with its own values, as torch's `x.clone()` (`CloneBackward0`).
    /// (Rust's `Clone` gives a second handle to the same tensor instead.)
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let a = tensor![1.0, 2.0];
    /// let b = a.clone_tensor();
    /// b.fill_(0.0);
    /// assert_eq!(a.to_vec::<f32>(), vec![1.0, 2.0]);
    /// ```
    pub fn clone_tensor(&self) -> Tensor {
        let data = self.storage().contiguous();
        let data = map_storage!(data, a => a.to_owned().into_shared());
        record(data, "CloneBackward0", Saved::Nothing, &[self], || {
            Box::new(|g: &Tensor| vec![Some(g.clone())])
        })
    }

    /// A detached row-major copy (for gradients built from views).
    pub(crate) fn contiguous_detached(&self) -> Tensor {
        Tensor::from_storage(self.storage().contiguous())
    }

    // ------------------------------------------------------------- in place

    /// Replaces the values, refusing what torch refuses: writing into a leaf
    /// that requires grad while grad mode is on.
    #[track_caller]
    pub(crate) fn assign_in_place(&self, data: Storage) {
        or_panic(self.check_in_place());
        self.set_storage(data);
    }

    pub(crate) fn check_in_place(&self) -> Result<()> {
        if crate::autograd::is_grad_enabled() && self.requires_grad() {
            return Err(TensorError::runtime(if self.is_leaf() {
                "a leaf Variable that requires grad is being used in an in-place operation."
            } else {
                "in-place operations on tensors that are part of a graph are not supported here; write `let y = &x + &z;` instead"
            }));
        }
        Ok(())
    }

    /// Updates in place with `f(self, other)` computed out of place, keeping
    /// the dtype and checking the shape stays.
    #[track_caller]
    fn update(&self, new: Tensor) -> Tensor {
        if new.shape() != self.shape() {
            or_panic::<()>(Err(TensorError::runtime(format!(
                "output with shape {:?} doesn't match the broadcast shape {:?}",
                self.shape().to_vec(),
                new.shape().to_vec()
            ))));
        }
        self.assign_in_place(new.storage().to_dtype(self.dtype()));
        self.clone()
    }

    /// Sets every element to `value`, as `x.fill_(value)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::zeros([2]);
    /// x.fill_(3.0);
    /// assert_eq!(x.to_vec::<f32>(), vec![3.0, 3.0]);
    /// ```
    #[track_caller]
    pub fn fill_(&self, value: impl Into<super::Scalar>) -> Tensor {
        self.update(Tensor::full_dtype(self.shape(), value, self.dtype()))
    }

    /// Sets every element to zero, as `x.zero_()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 2.0];
    /// x.zero_();
    /// assert_eq!(x.to_vec::<f32>(), vec![0.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn zero_(&self) -> Tensor {
        self.fill_(0)
    }

    /// Copies `src`'s values (broadcast) into this tensor, as `x.copy_(src)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::zeros([2, 2]);
    /// x.copy_(&tensor![1.0, 2.0]);
    /// assert_eq!(x.to_vec::<f32>(), vec![1.0, 2.0, 1.0, 2.0]);
    /// ```
    #[track_caller]
    pub fn copy_(&self, src: &Tensor) -> Tensor {
        let shape = self.shape();
        let data = with_storage!(&src.storage(), a => {
            match a.broadcast(IxDyn(&shape)) {
                Some(v) => Ok(<_ as Sealed>::wrap(v.to_owned().into_shared())),
                None => Err(TensorError::runtime(format!(
                    "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}",
                    shape.last().copied().unwrap_or(1),
                    a.shape().last().copied().unwrap_or(1),
                    shape.len().saturating_sub(1)
                ))),
            }
        });
        let data = or_panic(data);
        self.assign_in_place(data.to_dtype(self.dtype()));
        self.clone()
    }

    /// `self += other` in place, as `x.add_(other)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 2.0];
    /// x.add_(&tensor![10.0, 10.0]);
    /// assert_eq!(x.to_vec::<f32>(), vec![11.0, 12.0]);
    /// ```
    #[track_caller]
    pub fn add_(&self, other: &Tensor) -> Tensor {
        or_panic(self.check_in_place());
        self.update(crate::autograd::no_grad(|| self + other))
    }

    /// `self -= other` in place, as `x.sub_(other)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 2.0];
    /// x.sub_(&tensor![1.0, 1.0]);
    /// assert_eq!(x.to_vec::<f32>(), vec![0.0, 1.0]);
    /// ```
    #[track_caller]
    pub fn sub_(&self, other: &Tensor) -> Tensor {
        or_panic(self.check_in_place());
        self.update(crate::autograd::no_grad(|| self - other))
    }

    /// `self *= other` in place, as `x.mul_(other)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 2.0];
    /// x.mul_(&tensor![3.0, 3.0]);
    /// assert_eq!(x.to_vec::<f32>(), vec![3.0, 6.0]);
    /// ```
    #[track_caller]
    pub fn mul_(&self, other: &Tensor) -> Tensor {
        or_panic(self.check_in_place());
        self.update(crate::autograd::no_grad(|| self * other))
    }

    /// `self /= other` in place, as `x.div_(other)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 2.0];
    /// x.div_(&tensor![2.0, 2.0]);
    /// assert_eq!(x.to_vec::<f32>(), vec![0.5, 1.0]);
    /// ```
    #[track_caller]
    pub fn div_(&self, other: &Tensor) -> Tensor {
        or_panic(self.check_in_place());
        self.update(crate::autograd::no_grad(|| self / other))
    }
}

impl<T: Element> From<ArrayD<T>> for Tensor {
    fn from(a: ArrayD<T>) -> Tensor {
        Tensor::from_ndarray(a)
    }
}

impl From<f32> for Tensor {
    fn from(v: f32) -> Tensor {
        Tensor::scalar(v)
    }
}

impl From<f64> for Tensor {
    fn from(v: f64) -> Tensor {
        Tensor::scalar(v)
    }
}

/// A nested list of numbers, printed like Python's `tensor.tolist()`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(tensor![1, 2].tolist().to_string(), "[1, 2]");
/// assert_eq!(Tensor::scalar(2.0).tolist().to_string(), "2.0");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum List {
    /// One number, with the dtype that decides how it prints.
    Number(f64, DType),
    /// A list of lists or numbers.
    Items(Vec<List>),
}

impl fmt::Display for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            List::Number(v, DType::Bool) => f.write_str(if *v != 0.0 { "True" } else { "False" }),
            List::Number(v, DType::Int64) => write!(f, "{}", *v as i64),
            List::Number(v, _) => f.write_str(&crate::print::python_float_repr(*v)),
            List::Items(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

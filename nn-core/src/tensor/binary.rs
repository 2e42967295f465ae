//! `+ - * /` between tensors and with numbers: broadcasting, type promotion,
//! autograd, and the operator traits.

use super::Tensor;
use super::broadcast::broadcast_shapes;
use super::map::{map, zip_map};
use super::scalar::Scalar;
use super::storage::{Array, Storage};
use crate::autograd::{Saved, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};
use ndarray::{IxDyn, Zip};
use std::ops;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// Elementwise arithmetic for one element type.
trait Arith: Copy + Send + Sync {
    fn apply(op: BinOp, a: Self, b: Self) -> Self;
}

impl Arith for f32 {
    fn apply(op: BinOp, a: f32, b: f32) -> f32 {
        match op {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => a / b,
        }
    }
}

impl Arith for f64 {
    fn apply(op: BinOp, a: f64, b: f64) -> f64 {
        match op {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => a / b,
        }
    }
}

impl Arith for i64 {
    fn apply(op: BinOp, a: i64, b: i64) -> i64 {
        // Integer tensors wrap around on overflow, as in torch.
        match op {
            BinOp::Add => a.wrapping_add(b),
            BinOp::Sub => a.wrapping_sub(b),
            BinOp::Mul => a.wrapping_mul(b),
            BinOp::Div => unreachable!("integer division is promoted to float"),
        }
    }
}

fn zip_apply<T: Arith + Send + Sync>(
    op: BinOp,
    a: &Array<T>,
    b: &Array<T>,
    shape: &[usize],
) -> Array<T> {
    // The common cases on contiguous values, one vectorized pass each (the
    // op is matched once, outside the loop).
    macro_rules! each_op {
        ($f:ident, $($arg:expr),*) => {
            match op {
                BinOp::Add => $f($($arg),*, |p, q| T::apply(BinOp::Add, p, q)),
                BinOp::Sub => $f($($arg),*, |p, q| T::apply(BinOp::Sub, p, q)),
                BinOp::Mul => $f($($arg),*, |p, q| T::apply(BinOp::Mul, p, q)),
                BinOp::Div => $f($($arg),*, |p, q| T::apply(BinOp::Div, p, q)),
            }
        };
    }
    let values = match (a.as_slice(), b.as_slice()) {
        // Same shape.
        (Some(x), Some(y)) if a.shape() == b.shape() => Some(each_op!(zip_map, x, y)),
        // A tensor and a single value (a number, a 0-d gradient).
        (Some(x), _) if b.len() == 1 && a.shape() == shape => {
            let q = *b.iter().next().expect("one value");
            fn with_right<T: Copy + Sync + Send>(
                x: &[T],
                q: T,
                f: impl Fn(T, T) -> T + Sync,
            ) -> Vec<T> {
                map(x, |p| f(p, q))
            }
            Some(each_op!(with_right, x, q))
        }
        (_, Some(y)) if a.len() == 1 && b.shape() == shape => {
            let p = *a.iter().next().expect("one value");
            fn with_left<T: Copy + Sync + Send>(
                p: T,
                y: &[T],
                f: impl Fn(T, T) -> T + Sync,
            ) -> Vec<T> {
                map(y, |q| f(p, q))
            }
            Some(each_op!(with_left, p, y))
        }
        _ => None,
    };
    if let Some(v) = values {
        return Array::from_shape_vec(IxDyn(shape), v).expect("same shape");
    }
    let va = a.broadcast(IxDyn(shape)).expect("shapes were checked");
    let vb = b.broadcast(IxDyn(shape)).expect("shapes were checked");
    Zip::from(&va)
        .and(&vb)
        .map_collect(|&p, &q| T::apply(op, p, q))
        .into_shared()
}

/// The dtype of `a op b` (torch's `result_type`): a 0-d operand does not
/// raise the dtype of a dimensioned one within the same category
/// (`ones(2) + tensor(1., dtype=float64)` stays float32).
fn result_type(a: &Tensor, b: &Tensor) -> DType {
    let (da, db) = (a.dtype(), b.dtype());
    let category = |d: DType| match d {
        DType::Bool => 0,
        DType::Int64 => 1,
        _ => 2,
    };
    match (a.dim() == 0, b.dim() == 0) {
        (false, true) if category(db) <= category(da) => da,
        (true, false) if category(da) <= category(db) => db,
        _ => da.promote(db),
    }
}

/// The values of `a op b` in `dtype` (the computation type).
fn compute(op: BinOp, a: &Storage, b: &Storage, dtype: DType, shape: &[usize]) -> Result<Storage> {
    if dtype == DType::Bool {
        // bool + bool is logical or, bool * bool logical and (torch).
        let ints = compute(
            op,
            &a.to_dtype(DType::Int64),
            &b.to_dtype(DType::Int64),
            DType::Int64,
            shape,
        )?;
        if op == BinOp::Sub {
            return Err(TensorError::runtime(
                "Subtraction, the `-` operator, with two bool tensors is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
            ));
        }
        return Ok(ints.to_dtype(DType::Bool));
    }
    Ok(match (a.to_dtype(dtype), b.to_dtype(dtype)) {
        (Storage::F32(x), Storage::F32(y)) => Storage::F32(zip_apply(op, &x, &y, shape)),
        (Storage::F64(x), Storage::F64(y)) => Storage::F64(zip_apply(op, &x, &y, shape)),
        (Storage::I64(x), Storage::I64(y)) => Storage::I64(zip_apply(op, &x, &y, shape)),
        _ => unreachable!("both operands were converted to {dtype:?}"),
    })
}

impl Tensor {
    /// `self op other` with broadcasting, promotion and autograd.
    pub(crate) fn binary(&self, other: &Tensor, op: BinOp) -> Result<Tensor> {
        let shape = broadcast_shapes(&self.shape(), &other.shape())?;
        let mut dtype = result_type(self, other);
        if op == BinOp::Div && !dtype.is_floating_point() {
            dtype = DType::Float32; // true division
        }
        let data = compute(op, &self.storage(), &other.storage(), dtype, &shape)?;
        let name = match op {
            BinOp::Add => "AddBackward0",
            BinOp::Sub => "SubBackward0",
            BinOp::Mul => "MulBackward0",
            BinOp::Div => "DivBackward0",
        };
        // The builder runs only when a graph is recorded: no clones otherwise.
        // add/sub keep nothing in torch; mul/div keep their operands.
        let saved = match op {
            BinOp::Add | BinOp::Sub => Saved::Nothing,
            BinOp::Mul | BinOp::Div => Saved::Tensors,
        };
        Ok(record(data, name, saved, &[self, other], || {
            let (a, b) = (self.clone(), other.clone());
            let (sa, sb) = (a.shape().to_vec(), b.shape().to_vec());
            let (need_a, need_b) = (a.requires_grad(), b.requires_grad());
            Box::new(move |g: &Tensor| {
                let (ga, gb) = match op {
                    BinOp::Add => (need_a.then(|| g.clone()), need_b.then(|| g.clone())),
                    BinOp::Sub => (need_a.then(|| g.clone()), need_b.then(|| -g)),
                    BinOp::Mul => (need_a.then(|| g * &b), need_b.then(|| g * &a)),
                    // torch: grad / other, and -grad * ((self / other) / other).
                    BinOp::Div => (
                        need_a.then(|| g / &b),
                        need_b.then(|| &(-g) * &(&(&a / &b) / &b)),
                    ),
                };
                vec![
                    ga.map(|t| t.sum_to_shape(&sa)),
                    gb.map(|t| t.sum_to_shape(&sb)),
                ]
            })
        }))
    }

    /// `self op scalar`: the number becomes a 0-d tensor of the result dtype.
    pub(crate) fn binary_scalar(&self, s: Scalar, op: BinOp) -> Result<Tensor> {
        self.binary(&scalar_operand(s, self.dtype()), op)
    }

    /// Adds tensors elementwise with broadcasting, as `torch.add`; the same as `&a + &b`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let y = tensor![[1.0, 2.0], [3.0, 4.0]].add(&tensor![10.0, 20.0]);
    /// assert_eq!(y.to_vec::<f32>(), vec![11.0, 22.0, 13.0, 24.0]);
    /// ```
    #[track_caller]
    pub fn add(&self, other: &Tensor) -> Tensor {
        or_panic(self.try_add(other))
    }

    /// Fallible form of [`add`](Self::add).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([2, 3]).try_add(&Tensor::zeros([2, 4])).unwrap_err();
    /// assert_eq!(err.to_string(), "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
    /// ```
    pub fn try_add(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, BinOp::Add)
    }

    /// Subtracts elementwise with broadcasting, as `torch.sub`; the same as `&a - &b`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![3.0].sub(&tensor![1.0]).item(), 2.0);
    /// ```
    #[track_caller]
    pub fn sub(&self, other: &Tensor) -> Tensor {
        or_panic(self.try_sub(other))
    }

    /// Fallible form of [`sub`](Self::sub).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(Tensor::zeros([2]).try_sub(&Tensor::zeros([3])).is_err());
    /// ```
    pub fn try_sub(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, BinOp::Sub)
    }

    /// Multiplies elementwise with broadcasting, as `torch.mul`; the same as `&a * &b`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![2.0, 3.0].mul(&tensor![4.0, 5.0]).to_vec::<f32>(), vec![8.0, 15.0]);
    /// ```
    #[track_caller]
    pub fn mul(&self, other: &Tensor) -> Tensor {
        or_panic(self.try_mul(other))
    }

    /// Fallible form of [`mul`](Self::mul).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(Tensor::zeros([2]).try_mul(&Tensor::zeros([3])).is_err());
    /// ```
    pub fn try_mul(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, BinOp::Mul)
    }

    /// Divides elementwise with broadcasting (true division: integers give
    /// float32), as `torch.div`; the same as `&a / &b`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1, 3].div(&tensor![2, 2]).to_string(), "tensor([0.5000, 1.5000])");
    /// ```
    #[track_caller]
    pub fn div(&self, other: &Tensor) -> Tensor {
        or_panic(self.try_div(other))
    }

    /// Fallible form of [`div`](Self::div).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(Tensor::zeros([2]).try_div(&Tensor::zeros([3])).is_err());
    /// ```
    pub fn try_div(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(other, BinOp::Div)
    }

    /// `scalar - self`, as `torch.rsub(self, scalar)` (`RsubBackward1`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1.0, 3.0].rsub(2.0).to_vec::<f32>(), vec![1.0, -1.0]);
    /// ```
    pub fn rsub(&self, scalar: impl Into<Scalar>) -> Tensor {
        let s = scalar_operand(scalar.into(), self.dtype());
        let dtype = result_type(self, &s);
        let shape = self.shape().to_vec();
        let data = or_panic(compute(
            BinOp::Sub,
            &s.storage(),
            &self.storage(),
            dtype,
            &shape,
        ));
        record(data, "RsubBackward1", Saved::Nothing, &[self], || {
            Box::new(|g: &Tensor| vec![Some(-g)])
        })
    }

    /// `scalar / self`: torch computes `reciprocal(self) * scalar`, so the
    /// result's grad_fn is `MulBackward0` and its bits are those two roundings.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![2.0, 4.0].rdiv(1.0).to_vec::<f32>(), vec![0.5, 0.25]);
    /// ```
    pub fn rdiv(&self, scalar: impl Into<Scalar>) -> Tensor {
        let s = scalar.into();
        let base = if self.dtype().is_floating_point() {
            self.clone()
        } else {
            self.to_dtype(DType::Float32)
        };
        or_panic(base.reciprocal().binary_scalar(s, BinOp::Mul))
    }
}

/// A number as a 0-d tensor of the dtype `tensor op number` computes in.
fn scalar_operand(s: Scalar, tensor_dtype: DType) -> Tensor {
    Tensor::full_dtype([], s, s.result_dtype(tensor_dtype))
}

// ------------------------------------------------------------ operator traits

macro_rules! tensor_ops {
    ($Trait:ident, $method:ident, $op:expr) => {
        impl ops::$Trait<&Tensor> for &Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: &Tensor) -> Tensor {
                or_panic(self.binary(rhs, $op))
            }
        }
        impl ops::$Trait<Tensor> for &Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: Tensor) -> Tensor {
                or_panic(self.binary(&rhs, $op))
            }
        }
        impl ops::$Trait<&Tensor> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: &Tensor) -> Tensor {
                or_panic(self.binary(rhs, $op))
            }
        }
        impl ops::$Trait<Tensor> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: Tensor) -> Tensor {
                or_panic(self.binary(&rhs, $op))
            }
        }
    };
}
tensor_ops!(Add, add, BinOp::Add);
tensor_ops!(Sub, sub, BinOp::Sub);
tensor_ops!(Mul, mul, BinOp::Mul);
tensor_ops!(Div, div, BinOp::Div);

macro_rules! scalar_ops {
    ($($t:ty),*) => {$(
        scalar_ops!(@one $t, Add, add, BinOp::Add);
        scalar_ops!(@one $t, Sub, sub, BinOp::Sub);
        scalar_ops!(@one $t, Mul, mul, BinOp::Mul);
        scalar_ops!(@one $t, Div, div, BinOp::Div);

        // number + tensor and number * tensor commute, as in torch.
        impl ops::Add<&Tensor> for $t {
            type Output = Tensor;
            #[track_caller]
            fn add(self, rhs: &Tensor) -> Tensor { or_panic(rhs.binary_scalar(self.into(), BinOp::Add)) }
        }
        impl ops::Add<Tensor> for $t {
            type Output = Tensor;
            #[track_caller]
            fn add(self, rhs: Tensor) -> Tensor { or_panic(rhs.binary_scalar(self.into(), BinOp::Add)) }
        }
        impl ops::Mul<&Tensor> for $t {
            type Output = Tensor;
            #[track_caller]
            fn mul(self, rhs: &Tensor) -> Tensor { or_panic(rhs.binary_scalar(self.into(), BinOp::Mul)) }
        }
        impl ops::Mul<Tensor> for $t {
            type Output = Tensor;
            #[track_caller]
            fn mul(self, rhs: Tensor) -> Tensor { or_panic(rhs.binary_scalar(self.into(), BinOp::Mul)) }
        }
        impl ops::Sub<&Tensor> for $t {
            type Output = Tensor;
            fn sub(self, rhs: &Tensor) -> Tensor { rhs.rsub(self) }
        }
        impl ops::Sub<Tensor> for $t {
            type Output = Tensor;
            fn sub(self, rhs: Tensor) -> Tensor { rhs.rsub(self) }
        }
        impl ops::Div<&Tensor> for $t {
            type Output = Tensor;
            fn div(self, rhs: &Tensor) -> Tensor { rhs.rdiv(self) }
        }
        impl ops::Div<Tensor> for $t {
            type Output = Tensor;
            fn div(self, rhs: Tensor) -> Tensor { rhs.rdiv(self) }
        }
    )*};
    (@one $t:ty, $Trait:ident, $method:ident, $op:expr) => {
        impl ops::$Trait<$t> for &Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: $t) -> Tensor { or_panic(self.binary_scalar(rhs.into(), $op)) }
        }
        impl ops::$Trait<$t> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: $t) -> Tensor { or_panic(self.binary_scalar(rhs.into(), $op)) }
        }
    };
}
// One float and one integer type only: with a single impl per literal kind,
// `(&x * 2.0).sum()` infers its types (two float impls would make the
// literal ambiguous and the method call fail to compile).
scalar_ops!(f64, i64);

impl ops::Neg for &Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(self)
    }
}

impl ops::Neg for Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(&self)
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn promotion_follows_torch() {
        assert_eq!(
            (&tensor![1, 2] + &tensor![0.5, 0.5]).dtype(),
            DType::Float32
        );
        let f64_scalar = Tensor::full_dtype([], 1.0, DType::Float64);
        assert_eq!((&Tensor::ones([2]) + &f64_scalar).dtype(), DType::Float32);
        assert_eq!((&tensor![1, 2] + &f64_scalar).dtype(), DType::Float64);
        assert_eq!((&tensor![true, false] + 1).dtype(), DType::Int64);
        assert_eq!(
            (&tensor![true, false] + &tensor![true, true]).to_vec::<bool>(),
            vec![true, true]
        );
    }

    #[test]
    fn broadcasting_and_grad_reduce_back() {
        let a = Tensor::ones([2, 3]).requires_grad_(true);
        let b = tensor![1.0, 2.0, 3.0].requires_grad_(true);
        (&a * &b).sum().backward();
        assert_eq!(b.grad().unwrap().to_vec::<f32>(), vec![2.0, 2.0, 2.0]);
        assert_eq!(
            a.grad().unwrap().to_vec::<f32>(),
            vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0]
        );
    }

    #[test]
    fn scalar_forms_have_torch_grad_fns() {
        let a = tensor![1.0, 2.0].requires_grad_(true);
        assert_eq!((&a - 1.0).grad_fn().unwrap().name(), "SubBackward0");
        assert_eq!((2.0 - &a).grad_fn().unwrap().name(), "RsubBackward1");
        assert_eq!((2.0 / &a).grad_fn().unwrap().name(), "MulBackward0");
        assert_eq!((&a / 3.0).grad_fn().unwrap().name(), "DivBackward0");
        assert_eq!((2.0 * &a).grad_fn().unwrap().name(), "MulBackward0");
    }
}

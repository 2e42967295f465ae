//! Comparisons (`eq`, `lt`, … giving bool tensors), `equal`, `allclose`,
//! logical operations and `where`.

use super::Tensor;
use super::broadcast::broadcast_shapes;
use super::scalar::Scalar;
use super::storage::{Array, Storage};
use crate::dtype::DType;
use crate::error::{Result, or_panic};
use ndarray::{IxDyn, Zip};

/// The right-hand side of a comparison: a tensor or a number.
///
/// ```
/// use nn_core::prelude::*;
/// let x = tensor![1.0, -2.0];
/// assert_eq!(x.gt(0.0).to_vec::<bool>(), vec![true, false]);
/// assert_eq!(x.eq(&tensor![1.0, 2.0]).to_vec::<bool>(), vec![true, false]);
/// ```
pub trait Operand {
    /// The operand as a tensor (numbers become 0-d tensors).
    fn to_operand(&self, like: DType) -> Tensor;
}

impl Operand for &Tensor {
    fn to_operand(&self, _like: DType) -> Tensor {
        (*self).clone()
    }
}
impl Operand for Tensor {
    fn to_operand(&self, _like: DType) -> Tensor {
        self.clone()
    }
}
macro_rules! scalar_operand {
    ($($t:ty),*) => {$(
        impl Operand for $t {
            fn to_operand(&self, like: DType) -> Tensor {
                let s = Scalar::from(*self);
                Tensor::full_dtype([], s, s.result_dtype(like))
            }
        }
    )*};
}
scalar_operand!(f64, f32, i64, i32, bool);

#[derive(Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

fn cmp_values<T: PartialOrd + Copy>(
    op: Cmp,
    a: &Array<T>,
    b: &Array<T>,
    shape: &[usize],
) -> Array<bool> {
    let (va, vb) = (
        a.broadcast(IxDyn(shape)).expect("checked"),
        b.broadcast(IxDyn(shape)).expect("checked"),
    );
    Zip::from(&va)
        .and(&vb)
        .map_collect(|&x, &y| match op {
            Cmp::Eq => x == y,
            Cmp::Ne => x != y,
            Cmp::Lt => x < y,
            Cmp::Le => x <= y,
            Cmp::Gt => x > y,
            Cmp::Ge => x >= y,
        })
        .into_shared()
}

impl Tensor {
    fn compare(&self, other: &Tensor, op: Cmp) -> Result<Tensor> {
        let shape = broadcast_shapes(&self.shape(), &other.shape())?;
        let dtype = self.dtype().promote(other.dtype());
        let out = match (
            self.storage().to_dtype(dtype),
            other.storage().to_dtype(dtype),
        ) {
            (Storage::F32(a), Storage::F32(b)) => cmp_values(op, &a, &b, &shape),
            (Storage::F64(a), Storage::F64(b)) => cmp_values(op, &a, &b, &shape),
            (Storage::I64(a), Storage::I64(b)) => cmp_values(op, &a, &b, &shape),
            (Storage::Bool(a), Storage::Bool(b)) => cmp_values(op, &a, &b, &shape),
            _ => unreachable!("converted to one dtype"),
        };
        Ok(Tensor::from_storage(Storage::Bool(out)))
    }

    pub(crate) fn eq_tensor(&self, other: &Tensor) -> Tensor {
        or_panic(self.compare(other, Cmp::Eq))
    }

    /// Elementwise `==`, as `x == y` / `torch.eq` (a bool tensor).
    ///
    /// # Panics
    /// If the shapes do not broadcast, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1, 2, 3].eq(2).to_string(), "tensor([False,  True, False])");
    /// ```
    #[track_caller]
    pub fn eq(&self, other: impl Operand) -> Tensor {
        or_panic(self.compare(&other.to_operand(self.dtype()), Cmp::Eq))
    }

    /// Elementwise `!=`, as `torch.ne`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1, 2].ne(2).to_vec::<bool>(), vec![true, false]);
    /// ```
    #[track_caller]
    pub fn ne(&self, other: impl Operand) -> Tensor {
        or_panic(self.compare(&other.to_operand(self.dtype()), Cmp::Ne))
    }

    /// Elementwise `<`, as `torch.lt`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1.0, 3.0].lt(2.0).to_vec::<bool>(), vec![true, false]);
    /// ```
    #[track_caller]
    pub fn lt(&self, other: impl Operand) -> Tensor {
        or_panic(self.compare(&other.to_operand(self.dtype()), Cmp::Lt))
    }

    /// Elementwise `<=`, as `torch.le`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![2.0, 3.0].le(2.0).to_vec::<bool>(), vec![true, false]);
    /// ```
    #[track_caller]
    pub fn le(&self, other: impl Operand) -> Tensor {
        or_panic(self.compare(&other.to_operand(self.dtype()), Cmp::Le))
    }

    /// Elementwise `>`, as `torch.gt`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1.0, 3.0].gt(2.0).to_vec::<bool>(), vec![false, true]);
    /// ```
    #[track_caller]
    pub fn gt(&self, other: impl Operand) -> Tensor {
        or_panic(self.compare(&other.to_operand(self.dtype()), Cmp::Gt))
    }

    /// Elementwise `>=`, as `torch.ge`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![2.0, 1.0].ge(2.0).to_vec::<bool>(), vec![true, false]);
    /// ```
    #[track_caller]
    pub fn ge(&self, other: impl Operand) -> Tensor {
        or_panic(self.compare(&other.to_operand(self.dtype()), Cmp::Ge))
    }

    /// Whether both tensors have the same shape and the same values, as
    /// `torch.equal(a, b)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(tensor![1.0, 2.0].equal(&tensor![1.0, 2.0]));
    /// assert!(!tensor![1.0, 2.0].equal(&tensor![1.0]));
    /// ```
    pub fn equal(&self, other: &Tensor) -> bool {
        self.shape() == other.shape()
            && self
                .compare(other, Cmp::Eq)
                .is_ok_and(|t| t.to_vec::<bool>().iter().all(|&b| b))
    }

    /// Elementwise `|a - b| <= atol + rtol·|b|` (NaN never close), as
    /// `torch.isclose(a, b, rtol, atol)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let c = tensor![1.0, 2.0].isclose(&tensor![1.0 + 1e-7, 2.1], 1e-5, 1e-8);
    /// assert_eq!(c.to_vec::<bool>(), vec![true, false]);
    /// ```
    #[track_caller]
    pub fn isclose(&self, other: &Tensor, rtol: f64, atol: f64) -> Tensor {
        let shape = or_panic(broadcast_shapes(&self.shape(), &other.shape()));
        let (a, b) = match (
            self.storage().to_dtype(DType::Float64),
            other.storage().to_dtype(DType::Float64),
        ) {
            (Storage::F64(a), Storage::F64(b)) => (a, b),
            _ => unreachable!(),
        };
        let (va, vb) = (
            a.broadcast(IxDyn(&shape)).expect("checked"),
            b.broadcast(IxDyn(&shape)).expect("checked"),
        );
        let out = Zip::from(&va)
            .and(&vb)
            .map_collect(|&x, &y| x == y || (x - y).abs() <= atol + rtol * y.abs())
            .into_shared();
        Tensor::from_storage(Storage::Bool(out))
    }

    /// Whether every element is close, as `torch.allclose(a, b)` with its
    /// defaults `rtol = 1e-5`, `atol = 1e-8`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(tensor![1.0, 2.0].allclose(&tensor![1.0, 2.000001]));
    /// ```
    #[track_caller]
    pub fn allclose(&self, other: &Tensor) -> bool {
        self.allclose_with(other, 1e-5, 1e-8)
    }

    /// [`allclose`](Self::allclose) with explicit tolerances.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(tensor![1.0].allclose_with(&tensor![1.05], 0.1, 0.0));
    /// ```
    #[track_caller]
    pub fn allclose_with(&self, other: &Tensor, rtol: f64, atol: f64) -> bool {
        self.isclose(other, rtol, atol)
            .to_vec::<bool>()
            .iter()
            .all(|&b| b)
    }

    /// Elementwise logical not (`~mask`), as `torch.logical_not`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![true, false].logical_not().to_vec::<bool>(), vec![false, true]);
    /// ```
    pub fn logical_not(&self) -> Tensor {
        let b = match self.storage().to_dtype(DType::Bool) {
            Storage::Bool(b) => b,
            _ => unreachable!(),
        };
        Tensor::from_storage(Storage::Bool(b.mapv(|v| !v).into_shared()))
    }

    /// Picks from `x` where `condition` is true and from `y` elsewhere, with
    /// broadcasting, as `torch.where(condition, x, y)`.
    ///
    /// # Panics
    /// If the shapes do not broadcast, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![-1.0, 2.0];
    /// let r = Tensor::where_cond(&x.gt(0.0), &x, &Tensor::zeros([2]));
    /// assert_eq!(r.to_vec::<f32>(), vec![0.0, 2.0]);
    /// ```
    #[track_caller]
    pub fn where_cond(condition: &Tensor, x: &Tensor, y: &Tensor) -> Tensor {
        let shape = or_panic(broadcast_shapes(&condition.shape(), &x.shape()));
        let shape = or_panic(broadcast_shapes(&shape, &y.shape()));
        let mask = match condition.storage().to_dtype(DType::Bool) {
            Storage::Bool(b) => b
                .broadcast(IxDyn(&shape))
                .expect("checked")
                .to_owned()
                .into_shared(),
            _ => unreachable!(),
        };
        let data = pick(
            &mask,
            &x.storage(),
            &y.storage(),
            x.dtype().promote(y.dtype()),
            &shape,
        );
        let (sx, sy) = (x.shape().to_vec(), y.shape().to_vec());
        crate::autograd::record(
            data,
            "WhereBackward0",
            crate::autograd::Saved::Tensors,
            &[x, y],
            move || {
                Box::new(move |g: &Tensor| {
                    let zeros = Tensor::zeros_like(g).storage();
                    let gs = g.storage();
                    let gx = Tensor::from_storage(pick(&mask, &gs, &zeros, g.dtype(), &shape));
                    let gy = Tensor::from_storage(pick(&mask, &zeros, &gs, g.dtype(), &shape));
                    vec![Some(gx.sum_to_shape(&sx)), Some(gy.sum_to_shape(&sy))]
                })
            },
        )
    }
}

/// `mask ? a : b` elementwise in `dtype`, broadcast to `shape`.
fn pick(mask: &Array<bool>, a: &Storage, b: &Storage, dtype: DType, shape: &[usize]) -> Storage {
    fn go<T: Copy>(mask: &Array<bool>, a: &Array<T>, b: &Array<T>, shape: &[usize]) -> Array<T> {
        let (va, vb) = (
            a.broadcast(IxDyn(shape)).expect("checked"),
            b.broadcast(IxDyn(shape)).expect("checked"),
        );
        Zip::from(mask)
            .and(&va)
            .and(&vb)
            .map_collect(|&m, &x, &y| if m { x } else { y })
            .into_shared()
    }
    match (a.to_dtype(dtype), b.to_dtype(dtype)) {
        (Storage::F32(x), Storage::F32(y)) => Storage::F32(go(mask, &x, &y, shape)),
        (Storage::F64(x), Storage::F64(y)) => Storage::F64(go(mask, &x, &y, shape)),
        (Storage::I64(x), Storage::I64(y)) => Storage::I64(go(mask, &x, &y, shape)),
        (Storage::Bool(x), Storage::Bool(y)) => Storage::Bool(go(mask, &x, &y, shape)),
        _ => unreachable!("converted to one dtype"),
    }
}

impl PartialEq for Tensor {
    /// `a == b` on tensors is `torch.equal(a, b)` (same shape and values);
    /// use [`Tensor::eq`] for the elementwise comparison.
    fn eq(&self, other: &Tensor) -> bool {
        self.equal(other)
    }
}

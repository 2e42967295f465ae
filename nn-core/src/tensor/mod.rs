//! [`Tensor`]: a cheap-to-clone handle over shared n-dimensional values, with
//! the autograd state PyTorch keeps beside them.
//!
//! ```
//! use nn_core::prelude::*;
//!
//! let x = tensor![[1.0, 2.0], [3.0, 4.0]];
//! let same = x.clone(); // another handle to the same tensor, as `same = x`
//! same.fill_(0.5);
//! assert_eq!(x.to_vec::<f32>(), vec![0.5; 4]);
//! let w = Tensor::ones([2]).requires_grad_(true);
//! x.matmul(&w).sum().backward();
//! assert_eq!(w.grad().unwrap().to_vec::<f32>(), vec![1.0, 1.0]);
//! ```

mod adaptive_avg_pool;
mod advanced_index;
mod alloc;
mod avg_pool;
mod batch_norm;
mod binary;
mod broadcast;
mod cascade_sum;
mod compare;
mod conv;
mod convert;
mod creation;
mod cumsum;
mod display;
mod embedding;
mod expf;
mod float_kernel;
mod gather;
mod im2col;
mod index;
mod layer_norm;
mod literal;
mod map;
mod masked;
mod matmul;
mod max_pool;
mod offsets;
mod one_hot;
mod pad;
mod reduce;
mod repeat;
mod return_types;
mod scalar;
mod scatter;
mod select;
mod shape;
mod softmax;
mod sort;
mod split;
mod stl_sort;
pub(crate) mod storage;
mod topk;
mod unary;
mod variance;

pub(crate) use adaptive_avg_pool::adaptive_avg_pool2d;
pub(crate) use avg_pool::{Divisor, avg_pool2d};
pub(crate) use batch_norm::batch_norm;
pub use compare::Operand;
pub(crate) use conv::{ConvPadding, convolution};
pub use convert::List;
pub(crate) use embedding::embedding;
pub use index::{ELLIPSIS, IndexArg, NEW_AXIS, Slice, TensorIndex};
pub(crate) use layer_norm::layer_norm;
pub use literal::TensorLiteral;
pub(crate) use map::zip_floats;
pub(crate) use max_pool::{Pool2d, max_pool2d_with_indices};
pub(crate) use one_hot::one_hot;
pub use return_types::ValuesIndices;
pub use scalar::Scalar;
pub use shape::ReshapeArg;
pub use storage::Element;

use crate::autograd::{BackwardOptions, GradFn, Node};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};
use crate::size::Size;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard};
use storage::Storage;

/// An n-dimensional array of numbers with autograd, as `torch.Tensor`.
///
/// Cloning a `Tensor` is cheap and gives another handle to the same tensor
/// (like assigning a tensor to a second Python variable): both see the same
/// `.grad()` and in-place updates.
///
/// ```
/// use nn_core::prelude::*;
/// let x = tensor![[1.0, -1.0], [0.0, 1.0], [0.0, 0.0]];
/// assert_eq!(x.shape(), [3, 2]);
/// assert_eq!(x.dtype(), DType::Float32);
/// let y = &x * 2.0 + 1.0;
/// assert_eq!(y.to_vec::<f32>(), vec![3.0, -1.0, 1.0, 3.0, 1.0, 1.0]);
/// ```
#[derive(Clone)]
pub struct Tensor {
    inner: Arc<TensorImpl>,
}

struct TensorImpl {
    data: RwLock<Storage>,
    /// The op that made this tensor; `None` for leaves.
    node: Option<Arc<Node>>,
    requires_grad: AtomicBool,
    retains_grad: AtomicBool,
    grad: Mutex<Option<Tensor>>,
    /// Prints as `Parameter containing:` (an `nn.Parameter`).
    is_parameter: bool,
}

/// torch's warning when the `.grad` of a non-leaf tensor is read (torch 2.15's words).
const NON_LEAF_GRAD: &str = "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.";

/// Locks ignore poisoning: a panic in a notebook cell (a shape error, an
/// interrupt) must not make every tensor it touched unusable afterwards.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Tensor {
    fn build(
        data: Storage,
        node: Option<Arc<Node>>,
        requires_grad: bool,
        is_parameter: bool,
    ) -> Tensor {
        // Every op's result is made here: where a training loop notices the
        // interrupt button (`notebook::interrupt`). The new tensor is no
        // one's yet, so stopping here leaves every value whole.
        crate::notebook::interrupt_point();
        Tensor {
            inner: Arc::new(TensorImpl {
                data: RwLock::new(data),
                node,
                requires_grad: AtomicBool::new(requires_grad),
                retains_grad: AtomicBool::new(false),
                grad: Mutex::new(None),
                is_parameter,
            }),
        }
    }

    pub(crate) fn from_storage(data: Storage) -> Tensor {
        Tensor::build(data, None, false, false)
    }

    pub(crate) fn from_node(data: Storage, node: Arc<Node>) -> Tensor {
        Tensor::build(data, Some(node), true, false)
    }

    /// The values (a cheap handle to the shared buffer).
    pub(crate) fn storage(&self) -> Storage {
        self.inner
            .data
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Borrows the values without cloning the handle (a reference-count
    /// round trip): for hot paths. Drop the guard before anything can write
    /// this tensor, and do not borrow one tensor twice at once (the same
    /// thread taking a read lock twice can block behind a waiting writer).
    pub(crate) fn read_storage(&self) -> RwLockReadGuard<'_, Storage> {
        self.inner.data.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the values in place (optimizer steps, `copy_`, `fill_`).
    pub(crate) fn set_storage(&self, data: Storage) {
        *self.inner.data.write().unwrap_or_else(|e| e.into_inner()) = data;
    }

    /// Runs `f` on the values in place, row-major. Copy-on-write: values
    /// shared with another tensor are copied first, so only this tensor
    /// changes (as [`set_storage`](Self::set_storage) would). `f` must not
    /// use this tensor.
    ///
    /// # Panics
    /// If the tensor does not hold `T` values.
    pub(crate) fn update_values<T: Element, R>(&self, f: impl FnOnce(&mut [T]) -> R) -> R {
        let mut data = self.inner.data.write().unwrap_or_else(|e| e.into_inner());
        let a = T::unwrap_mut(&mut data).expect("the caller checked the dtype");
        if !a.is_standard_layout() {
            *a = a.as_standard_layout().into_owned().into_shared();
        }
        f(a.as_slice_mut().expect("row-major"))
    }

    /// Identity of the underlying tensor, for the autograd engine's maps.
    pub(crate) fn id(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }

    pub(crate) fn node(&self) -> Option<&Arc<Node>> {
        self.inner.node.as_ref()
    }

    /// Whether two handles refer to the same tensor (Python's `a is b`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let a = Tensor::zeros([2]);
    /// let b = a.clone();
    /// assert!(a.is_same(&b));
    /// assert!(!a.is_same(&Tensor::zeros([2])));
    /// ```
    pub fn is_same(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The element type.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![1, 2].dtype(), DType::Int64);
    /// ```
    pub fn dtype(&self) -> DType {
        self.inner
            .data
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .dtype()
    }

    /// The shape, as `x.size()` in torch.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let y = Tensor::zeros([3, 5]);
    /// assert_eq!(y.size().to_string(), "torch.Size([3, 5])");
    /// ```
    pub fn size(&self) -> Size {
        Size::from(
            self.inner
                .data
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .shape(),
        )
    }

    /// The shape, as `x.shape` in torch (the same as [`size`](Self::size)).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[1.0, -1.0], [0.0, 1.0], [0.0, 0.0]];
    /// assert_eq!(x.shape()[1], 2);
    /// ```
    pub fn shape(&self) -> Size {
        self.size()
    }

    /// The size of one dimension; negative `dim` counts from the end.
    ///
    /// # Panics
    /// If `dim` is out of range, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros([3, 5]).size_of(-1), 5);
    /// ```
    #[track_caller]
    pub fn size_of(&self, dim: i64) -> usize {
        let d = or_panic(self.wrap_dim(dim));
        self.size()[d]
    }

    /// The number of dimensions, as `x.dim()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros([3, 5]).dim(), 2);
    /// assert_eq!(Tensor::scalar(1.0).dim(), 0);
    /// ```
    pub fn dim(&self) -> usize {
        self.inner
            .data
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .shape()
            .len()
    }

    /// The number of elements, as `x.numel()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros([3, 5]).numel(), 15);
    /// ```
    pub fn numel(&self) -> usize {
        self.inner
            .data
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Converts a possibly negative dimension index into `0..dim()`.
    pub(crate) fn wrap_dim(&self, dim: i64) -> Result<usize> {
        wrap_dim(dim, self.dim())
    }

    // ---------------------------------------------------------------- autograd

    /// Whether gradients are computed for this tensor.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = Tensor::ones([2]).requires_grad_(true);
    /// assert!(w.requires_grad());
    /// assert!((&w * 2.0).requires_grad());
    /// ```
    pub fn requires_grad(&self) -> bool {
        self.inner.requires_grad.load(Ordering::Relaxed)
    }

    /// Sets `requires_grad` on a leaf tensor and returns it, as `x.requires_grad_()`.
    ///
    /// # Panics
    /// On a non-leaf tensor, or asking for gradients of a non-float tensor,
    /// with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = Tensor::ones([3]).requires_grad_(true);
    /// assert_eq!(x.to_string(), "tensor([1., 1., 1.], requires_grad=True)");
    /// ```
    #[track_caller]
    pub fn requires_grad_(&self, requires_grad: bool) -> Tensor {
        or_panic(self.try_requires_grad_(requires_grad))
    }

    /// Fallible form of [`requires_grad_`](Self::requires_grad_).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = tensor![1, 2].try_requires_grad_(true).unwrap_err();
    /// assert_eq!(err.to_string(), "only Tensors of floating point dtype can require gradients");
    /// ```
    pub fn try_requires_grad_(&self, requires_grad: bool) -> Result<Tensor> {
        if !self.is_leaf() {
            if requires_grad {
                return Ok(self.clone());
            }
            return Err(TensorError::runtime(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
            ));
        }
        if requires_grad && !self.dtype().is_floating_point() {
            return Err(TensorError::runtime(
                "only Tensors of floating point dtype can require gradients",
            ));
        }
        self.inner
            .requires_grad
            .store(requires_grad, Ordering::Relaxed);
        Ok(self.clone())
    }

    /// Whether this tensor is a leaf of the graph (made by the user, not by a
    /// tracked operation), as `x.is_leaf`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = Tensor::ones([2]).requires_grad_(true);
    /// assert!(w.is_leaf());
    /// assert!(!(&w + 1.0).is_leaf());
    /// ```
    pub fn is_leaf(&self) -> bool {
        self.inner.node.is_none()
    }

    /// The function that created this tensor, as `x.grad_fn`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = Tensor::ones([2]).requires_grad_(true);
    /// assert!(w.grad_fn().is_none());
    /// assert_eq!(w.relu().grad_fn().unwrap().name(), "ReluBackward0");
    /// ```
    pub fn grad_fn(&self) -> Option<GradFn> {
        self.inner.node.clone().map(GradFn)
    }

    /// The gradient accumulated by [`backward`](Self::backward), as `x.grad`.
    ///
    /// Reading the `.grad()` of a non-leaf tensor (one computed from others)
    /// gives `None`, and prints torch's `UserWarning` to stderr once per line
    /// of code, as torch does: such a tensor gets a gradient only after
    /// [`retain_grad`](Self::retain_grad).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 2.0].requires_grad_(true);
    /// let y = x.pow(2.0);
    /// y.sum().backward();
    /// assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![2.0, 4.0]);
    /// assert!(y.grad().is_none()); // UserWarning: The .grad attribute of a Tensor that is not a leaf …
    /// ```
    #[track_caller]
    pub fn grad(&self) -> Option<Tensor> {
        let grad = lock(&self.inner.grad).clone();
        if grad.is_none() && !self.is_leaf() && !self.retains_grad() {
            crate::warnings::warn(NON_LEAF_GRAD, std::panic::Location::caller());
        }
        grad
    }

    /// Replaces the gradient, as assigning `x.grad = …` (`None` clears it).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0].requires_grad_(true);
    /// x.set_grad(Some(tensor![5.0]));
    /// assert_eq!(x.grad().unwrap().item(), 5.0);
    /// x.set_grad(None);
    /// assert!(x.grad().is_none());
    /// ```
    pub fn set_grad(&self, grad: Option<Tensor>) {
        *lock(&self.inner.grad) = grad.map(|g| g.detach());
    }

    /// Adds `g` to the gradient (or sets it when there is none).
    pub(crate) fn accumulate_grad(&self, g: &Tensor) {
        let mut slot = lock(&self.inner.grad);
        *slot = Some(match slot.take() {
            None => g.detach(),
            Some(previous) => crate::autograd::no_grad(|| &previous + g),
        });
    }

    /// Keeps the gradient of a non-leaf tensor after `backward`, as `x.retain_grad()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 2.0].requires_grad_(true);
    /// let y = &x * 3.0;
    /// y.retain_grad();
    /// y.sum().backward();
    /// assert_eq!(y.grad().unwrap().to_vec::<f32>(), vec![1.0, 1.0]);
    /// ```
    pub fn retain_grad(&self) {
        if !self.is_leaf() {
            self.inner.retains_grad.store(true, Ordering::Relaxed);
        }
    }

    /// Whether [`retain_grad`](Self::retain_grad) was called on this non-leaf.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let y = &tensor![1.0].requires_grad_(true) * 2.0;
    /// assert!(!y.retains_grad());
    /// ```
    pub fn retains_grad(&self) -> bool {
        self.inner.retains_grad.load(Ordering::Relaxed)
    }

    /// Computes the gradients of this scalar with respect to every leaf that
    /// requires grad, accumulating into their `.grad()`, as `loss.backward()`.
    ///
    /// This frees the tensors the graph saved, as torch does: a second
    /// `backward()` through the same graph fails with torch's "Trying to
    /// backward through the graph a second time" message.
    /// [`backward_retain_graph`](Self::backward_retain_graph) keeps them;
    /// [`backward_with`](Self::backward_with) takes the gradient of a
    /// non-scalar result.
    ///
    /// # Panics
    /// If the tensor does not require grad, is not a single element, or its
    /// graph was freed by an earlier backward, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![2.0, -1.0].requires_grad_(true);
    /// let loss = (&w * &w).sum();
    /// loss.backward();
    /// assert_eq!(w.grad().unwrap().to_vec::<f32>(), vec![4.0, -2.0]);
    /// assert!(loss.try_backward(None).unwrap_err().to_string().starts_with("Trying to backward through the graph a second time"));
    /// ```
    #[track_caller]
    pub fn backward(&self) {
        or_panic(self.try_backward(None))
    }

    /// [`backward`](Self::backward) keeping the graph, so that another
    /// backward through it works, as `loss.backward(retain_graph=True)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![3.0].requires_grad_(true);
    /// let loss = (&w * &w).sum();
    /// loss.backward_retain_graph();
    /// loss.backward(); // the second pass adds to the first
    /// assert_eq!(w.grad().unwrap().item(), 12.0);
    /// ```
    #[track_caller]
    pub fn backward_retain_graph(&self) {
        or_panic(self.try_backward_options(&BackwardOptions {
            gradient: None,
            retain_graph: true,
        }))
    }

    /// Back-propagates an explicit gradient of the same shape as this tensor,
    /// as `y.backward(gradient)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 2.0].requires_grad_(true);
    /// let y = &x * 3.0;
    /// y.backward_with(&tensor![1.0, 10.0]);
    /// assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![3.0, 30.0]);
    /// ```
    #[track_caller]
    pub fn backward_with(&self, gradient: &Tensor) {
        or_panic(self.try_backward(Some(gradient)))
    }

    /// `backward` with all of torch's keyword arguments that apply here,
    /// as `y.backward(gradient=…, retain_graph=…)`.
    ///
    /// ```
    /// use nn_core::autograd::BackwardOptions;
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 2.0].requires_grad_(true);
    /// let y = x.pow(2.0);
    /// let options = BackwardOptions { gradient: Some(tensor![1.0, 1.0]), retain_graph: true };
    /// y.backward_options(options.clone());
    /// y.backward_options(options);
    /// assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![4.0, 8.0]);
    /// ```
    #[track_caller]
    pub fn backward_options(&self, options: BackwardOptions) {
        or_panic(self.try_backward_options(&options))
    }

    /// Fallible form of [`backward`](Self::backward) / [`backward_with`](Self::backward_with).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, 2.0].requires_grad_(true);
    /// let err = (&x * 2.0).try_backward(None).unwrap_err();
    /// assert_eq!(err.to_string(), "grad can be implicitly created only for scalar outputs");
    /// ```
    pub fn try_backward(&self, gradient: Option<&Tensor>) -> Result<()> {
        self.try_backward_options(&BackwardOptions {
            gradient: gradient.cloned(),
            retain_graph: false,
        })
    }

    /// Fallible form of [`backward_options`](Self::backward_options).
    ///
    /// ```
    /// use nn_core::autograd::BackwardOptions;
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0].requires_grad_(true);
    /// let y = x.exp().sum();
    /// y.try_backward_options(&BackwardOptions::default()).unwrap();
    /// assert!(y.try_backward_options(&BackwardOptions::default()).is_err()); // freed
    /// ```
    pub fn try_backward_options(&self, options: &BackwardOptions) -> Result<()> {
        let grad = match &options.gradient {
            Some(g) => {
                if g.shape() != self.shape() {
                    return Err(TensorError::runtime(format!(
                        "Mismatch in shape: grad_output[0] has a shape of {} and output[0] has a shape of {}.",
                        g.shape(),
                        self.shape()
                    )));
                }
                g.detach().to_dtype(self.dtype())
            }
            None => {
                if self.numel() != 1 {
                    return Err(TensorError::runtime(
                        "grad can be implicitly created only for scalar outputs",
                    ));
                }
                Tensor::ones_like(self)
            }
        };
        crate::autograd::run_backward(self, grad, options.retain_graph)
    }

    /// A new tensor with the same values, cut from the graph, as `x.detach()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = Tensor::ones([2]).requires_grad_(true);
    /// let d = (&w * 2.0).detach();
    /// assert!(!d.requires_grad() && d.is_leaf());
    /// ```
    pub fn detach(&self) -> Tensor {
        Tensor::from_storage(self.storage())
    }

    /// Whether this tensor is a module parameter (`nn.Parameter`); parameters
    /// print with a `Parameter containing:` line first.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let p = Tensor::parameter(tensor![1.5]);
    /// assert!(p.is_parameter() && p.requires_grad());
    /// assert!(!tensor![1.5].is_parameter());
    /// ```
    pub fn is_parameter(&self) -> bool {
        self.inner.is_parameter
    }

    /// Wraps the values of `t` as a parameter that requires grad, as
    /// `nn.Parameter(t)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let p = Tensor::parameter(Tensor::scalar(1.5));
    /// assert_eq!(p.to_string(), "Parameter containing:\ntensor(1.5000, requires_grad=True)");
    /// ```
    pub fn parameter(t: Tensor) -> Tensor {
        Tensor::parameter_with(t, true)
    }

    /// Like [`parameter`](Self::parameter), choosing `requires_grad`, as
    /// `nn.Parameter(t, requires_grad=False)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let p = Tensor::parameter_with(tensor![1.0], false);
    /// assert!(!p.requires_grad());
    /// ```
    pub fn parameter_with(t: Tensor, requires_grad: bool) -> Tensor {
        let requires_grad = requires_grad && t.dtype().is_floating_point();
        Tensor::build(t.storage(), None, requires_grad, true)
    }
}

/// Converts a possibly negative dimension index into `0..ndim` (a 0-d tensor
/// accepts 0 and -1, as in torch).
pub(crate) fn wrap_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        return Err(TensorError::dim_out_of_range(dim, ndim));
    }
    Ok(if dim < 0 {
        (dim + n) as usize
    } else {
        dim as usize
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor;

    /// Reads `t.grad()` on one line of code.
    fn read_grad(t: &Tensor) -> (Option<Tensor>, u32) {
        (t.grad(), line!())
    }

    #[test]
    fn non_leaf_grad_warns_once_per_line() {
        let x = tensor![1.0].requires_grad_(true);
        let y = &x * 2.0;
        y.sum().backward();
        let (g, line) = read_grad(&y);
        assert!(g.is_none());
        let (_, again) = read_grad(&(&x * 3.0)); // another tensor, same line
        assert_eq!(line, again);
        assert_eq!(
            crate::warnings::shown_at(NON_LEAF_GRAD)
                .iter()
                .filter(|&&l| l == line)
                .count(),
            1
        );
        // Leaves and retained non-leaves do not warn.
        let z = &x * 4.0;
        z.retain_grad();
        z.sum().backward();
        assert!(z.grad().is_some() && x.grad().is_some());
        assert!(!crate::warnings::shown_at(NON_LEAF_GRAD).contains(&(line!() - 1)));
    }
}

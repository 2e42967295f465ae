//! A node of the graph: the op that made a tensor, and how to push its gradient back.

use super::grad_mode::is_grad_enabled;
use crate::tensor::Tensor;
use crate::tensor::storage::Storage;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Maps the gradient of an op's result to one gradient per input (`None` where
/// an input needs none).
pub(crate) type BackwardFn = Box<dyn Fn(&Tensor) -> Vec<Option<Tensor>> + Send + Sync>;

/// The op that produced a tensor.
pub(crate) struct Node {
    /// torch's `grad_fn.name()`, e.g. `AddmmBackward0`.
    pub(crate) name: &'static str,
    /// Creation order; a node's consumers always have larger numbers.
    pub(crate) seq: u64,
    /// The op's inputs; `None` for inputs that do not require grad.
    pub(crate) inputs: Vec<Option<Tensor>>,
    pub(crate) backward: BackwardFn,
}

static NEXT_SEQ: AtomicU64 = AtomicU64::new(0);

/// Builds an op's result: with a graph node when grad mode is on and an input
/// requires grad, else a plain tensor. `backward` is only called (to build the
/// closure and whatever it saves) when a node is needed.
pub(crate) fn record(
    data: Storage,
    name: &'static str,
    inputs: &[&Tensor],
    backward: impl FnOnce() -> BackwardFn,
) -> Tensor {
    record_with_result(data, name, inputs, |_| backward())
}

/// Like [`record`], for ops whose backward needs their result: `backward`
/// gets the result's values (so nothing is kept when no graph is recorded).
pub(crate) fn record_with_result(
    data: Storage,
    name: &'static str,
    inputs: &[&Tensor],
    backward: impl FnOnce(&Storage) -> BackwardFn,
) -> Tensor {
    if is_grad_enabled() && inputs.iter().any(|t| t.requires_grad()) {
        let backward = backward(&data);
        let node = Node {
            name,
            seq: NEXT_SEQ.fetch_add(1, Ordering::Relaxed),
            inputs: inputs
                .iter()
                .map(|t| t.requires_grad().then(|| (*t).clone()))
                .collect(),
            backward,
        };
        Tensor::from_node(data, Arc::new(node))
    } else {
        Tensor::from_storage(data)
    }
}

/// The function that created a tensor, as `tensor.grad_fn` in torch.
///
/// ```
/// use nn_core::prelude::*;
/// let a = Tensor::ones([2]).requires_grad_(true);
/// let y = (&a * 2.0).sum();
/// let f = y.grad_fn().unwrap();
/// assert_eq!(f.name(), "SumBackward0");
/// assert_eq!(f.to_string(), "<SumBackward0>");
/// assert_eq!(f.next_functions()[0].as_ref().unwrap().name(), "MulBackward0");
/// ```
#[derive(Clone)]
pub struct GradFn(pub(crate) Arc<Node>);

impl GradFn {
    /// torch's name of the backward function, e.g. `"AddmmBackward0"`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let a = Tensor::ones([2]).requires_grad_(true);
    /// assert_eq!((&a + &a).grad_fn().unwrap().name(), "AddBackward0");
    /// ```
    pub fn name(&self) -> &'static str {
        self.0.name
    }

    /// The grad_fn of each input (`None` for leaves and inputs without grad),
    /// as `grad_fn.next_functions` (where torch shows `AccumulateGrad` for leaves).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let a = Tensor::ones([2]).requires_grad_(true);
    /// let y = &a.exp() + &a;
    /// let next = y.grad_fn().unwrap().next_functions();
    /// assert_eq!(next[0].as_ref().unwrap().name(), "ExpBackward0");
    /// assert!(next[1].is_none());
    /// ```
    pub fn next_functions(&self) -> Vec<Option<GradFn>> {
        self.0
            .inputs
            .iter()
            .map(|i| i.as_ref().and_then(|t| t.grad_fn()))
            .collect()
    }
}

impl fmt::Display for GradFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0.name)
    }
}

impl fmt::Debug for GradFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

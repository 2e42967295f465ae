//! A node of the graph: the op that made a tensor, and how to push its gradient back.

use super::grad_mode::is_grad_enabled;
use crate::error::{Result, TensorError};
use crate::tensor::Tensor;
use crate::tensor::storage::Storage;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Maps the gradient of an op's result to one gradient per input (`None` where
/// an input needs none).
pub(crate) type BackwardFn = Box<dyn Fn(&Tensor) -> Vec<Option<Tensor>> + Send + Sync>;

/// Whether an op's backward keeps tensors alive, as torch's `SavedVariable`s:
/// `exp` keeps its result, `mul` its operands, `index_select` its index;
/// `add`, `sum`, views and `cat` keep only sizes and numbers.
///
/// It decides what a second `backward()` through the node does once the
/// graph is freed: torch raises for a node that saved tensors and runs a node
/// that saved none again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Saved {
    /// Only sizes, dims and numbers: the node can run again after `backward()`.
    Nothing,
    /// Tensors (inputs, the result, indices or masks): freed by `backward()`
    /// unless the graph is retained.
    Tensors,
}

/// torch's message for a backward through a node whose saved tensors are gone.
pub(crate) const FREED_GRAPH: &str = "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.";

/// The op that produced a tensor.
pub(crate) struct Node {
    /// torch's `grad_fn.name()`, e.g. `AddmmBackward0`.
    pub(crate) name: &'static str,
    /// Creation order; a node's consumers always have larger numbers.
    pub(crate) seq: u64,
    /// The op's inputs; `None` for inputs that do not require grad.
    pub(crate) inputs: Vec<Option<Tensor>>,
    saved: Saved,
    /// The closure (and the tensors it saved); `None` once freed.
    backward: Mutex<Option<BackwardFn>>,
}

impl Node {
    /// Runs the backward closure on `grad`. Without `retain_graph`, a node
    /// that saved tensors drops them (the closure) afterwards, as torch
    /// releases its saved variables; running it again is torch's error.
    pub(crate) fn apply(&self, grad: &Tensor, retain_graph: bool) -> Result<Vec<Option<Tensor>>> {
        let mut slot = self.backward.lock().unwrap_or_else(|e| e.into_inner());
        let Some(backward) = slot.as_ref() else {
            return Err(TensorError::runtime(FREED_GRAPH));
        };
        let grads = backward(grad);
        if !retain_graph && self.saved == Saved::Tensors {
            *slot = None;
        }
        Ok(grads)
    }
}

static NEXT_SEQ: AtomicU64 = AtomicU64::new(0);

/// Builds an op's result: with a graph node when grad mode is on and an input
/// requires grad, else a plain tensor. `backward` is only called (to build the
/// closure and whatever it saves) when a node is needed. `saved` says whether
/// torch's node for this op saves tensors.
pub(crate) fn record(
    data: Storage,
    name: &'static str,
    saved: Saved,
    inputs: &[&Tensor],
    backward: impl FnOnce() -> BackwardFn,
) -> Tensor {
    record_with_result(data, name, saved, inputs, |_| backward())
}

/// Like [`record`], for ops whose backward needs their result: `backward`
/// gets the result's values (so nothing is kept when no graph is recorded).
pub(crate) fn record_with_result(
    data: Storage,
    name: &'static str,
    saved: Saved,
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
            saved,
            backward: Mutex::new(Some(backward)),
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

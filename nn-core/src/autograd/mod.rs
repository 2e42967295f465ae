//! Reverse-mode automatic differentiation, micrograd-style.
//!
//! Every differentiable op builds its result with `record`: when grad mode is
//! on and an input requires grad, the result carries a `Node` holding the
//! inputs, torch's `grad_fn` name and a closure that maps the result's gradient
//! to the inputs' gradients. [`backward`](crate::Tensor::backward) walks the
//! graph in decreasing creation order — the order torch's engine uses on one
//! CPU thread, so gradient sums are added in the same order — and accumulates
//! into the leaves' `.grad`.
//!
//! As in torch, `backward()` frees the tensors the graph saved (an op's
//! inputs, result, indices or masks): a second backward through a node that
//! saved tensors fails with torch's "Trying to backward through the graph a
//! second time" message, unless the first one kept the graph
//! ([`Tensor::backward_retain_graph`](crate::Tensor::backward_retain_graph)).
//! Nodes that saved only sizes (`add`, `sum`, views) run again.
//!
//! ```
//! use nn_core::prelude::*;
//!
//! let w = tensor![1.0, -2.0].requires_grad_(true);
//! let loss = (&w * &w).sum();
//! assert_eq!(loss.grad_fn().unwrap().name(), "SumBackward0");
//! loss.backward();
//! assert_eq!(w.grad().unwrap().to_vec::<f32>(), vec![2.0, -4.0]);
//! assert!(no_grad(|| &w * 2.0).grad_fn().is_none()); // nothing recorded
//! ```

mod engine;
mod grad_mode;
mod node;

pub(crate) use engine::run_backward;
pub use engine::{BackwardOptions, backward, try_backward};
pub use grad_mode::{NoGradGuard, is_grad_enabled, no_grad, set_grad_enabled};
pub use node::GradFn;
pub(crate) use node::{Node, Saved, record, record_with_result};

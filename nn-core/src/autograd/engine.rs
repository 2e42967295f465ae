//! `backward()`: run the graph's closures from the root to the leaves.

use crate::autograd::grad_mode::NoGradGuard;
use crate::error::{Result, TensorError};
use crate::tensor::Tensor;
use std::collections::{BinaryHeap, HashMap};

/// A tensor waiting for its gradient, ordered by its node's creation number.
struct Pending {
    seq: u64,
    tensor: Tensor,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.seq.cmp(&other.seq)
    }
}

/// The keyword arguments of `tensor.backward(...)`, for
/// [`Tensor::backward_options`]: the gradient of a non-scalar result, and
/// whether to keep the graph's saved tensors for another backward.
///
/// ```
/// use nn_core::autograd::BackwardOptions;
/// use nn_core::prelude::*;
///
/// let x = tensor![1.0, 2.0].requires_grad_(true);
/// let y = x.exp();
/// // y.backward(torch.ones(2), retain_graph=True)
/// y.backward_options(BackwardOptions { gradient: Some(Tensor::ones([2])), retain_graph: true });
/// y.backward_with(&Tensor::ones([2])); // the graph is still there
/// assert!(x.grad().unwrap().allclose(&(&x.exp() * 2.0)));
/// ```
#[derive(Clone, Debug, Default)]
pub struct BackwardOptions {
    /// `gradient=`: the gradient of the result, needed unless it has one element.
    pub gradient: Option<Tensor>,
    /// `retain_graph=True`: keep the saved tensors, so that another backward
    /// through the same graph works.
    pub retain_graph: bool,
}

/// Back-propagates `grad` (the gradient of `root`) through the graph.
///
/// Nodes run in decreasing creation order: every consumer of a tensor was
/// created after it, so a tensor's gradient is complete when it is popped.
/// Leaves are accumulated last, in the order they were first reached.
/// Without `retain_graph`, every node that ran frees what it saved.
pub(crate) fn run_backward(root: &Tensor, grad: Tensor, retain_graph: bool) -> Result<()> {
    run_backward_from(vec![(root.clone(), grad)], retain_graph)
}

/// [`run_backward`] from several results at once, each with its gradient,
/// as `torch.autograd.backward(tensors, grad_tensors)`.
pub(crate) fn run_backward_from(roots: Vec<(Tensor, Tensor)>, retain_graph: bool) -> Result<()> {
    if let Some(i) = roots.iter().position(|(t, _)| !t.requires_grad()) {
        return Err(TensorError::runtime(format!(
            "element {i} of tensors does not require grad and does not have a grad_fn"
        )));
    }
    // Interrupted before it starts, never half done: that would leave some
    // gradients accumulated and part of the graph freed.
    let _whole = crate::notebook::Uninterruptible::new();
    let _no_grad = NoGradGuard::new();
    let mut grads: HashMap<usize, Tensor> = HashMap::new();
    let mut queue = BinaryHeap::new();
    let mut leaves: Vec<Tensor> = Vec::new();

    for (root, grad) in roots {
        if let Some(previous) = grads.remove(&root.id()) {
            grads.insert(root.id(), &previous + &grad);
            continue;
        }
        grads.insert(root.id(), grad);
        match root.node() {
            Some(node) => queue.push(Pending {
                seq: node.seq,
                tensor: root,
            }),
            None => leaves.push(root),
        }
    }

    while let Some(Pending { tensor, .. }) = queue.pop() {
        let g = grads
            .remove(&tensor.id())
            .expect("a queued tensor has a gradient");
        if tensor.retains_grad() {
            tensor.accumulate_grad(&g);
        }
        let node = tensor
            .node()
            .expect("only tensors with a grad_fn are queued");
        let input_grads = node.apply(&g, retain_graph)?;
        debug_assert_eq!(input_grads.len(), node.inputs.len(), "{}", node.name);
        for (input, gi) in node.inputs.iter().zip(input_grads) {
            let (Some(input), Some(gi)) = (input, gi) else {
                continue;
            };
            debug_assert_eq!(
                gi.shape(),
                input.shape(),
                "gradient shape from {}",
                node.name
            );
            match grads.remove(&input.id()) {
                Some(previous) => {
                    grads.insert(input.id(), &previous + &gi);
                }
                None => {
                    grads.insert(input.id(), gi);
                    match input.node() {
                        Some(n) => queue.push(Pending {
                            seq: n.seq,
                            tensor: input.clone(),
                        }),
                        None => leaves.push(input.clone()),
                    }
                }
            }
        }
    }

    for leaf in leaves {
        if let Some(g) = grads.remove(&leaf.id()) {
            leaf.accumulate_grad(&g);
        }
    }
    Ok(())
}

/// Computes the gradients of several results at once, each with its
/// gradient (`None`: a one-element result, gradient 1), as
/// `torch.autograd.backward(tensors, grad_tensors)`. The pieces of a
/// `split`, or a model's two outputs, back-propagate in one pass.
///
/// # Panics
/// As [`Tensor::backward`], with torch's messages.
///
/// ```
/// use nn_core::prelude::*;
/// let x = tensor![1.0, 2.0, 3.0, 4.0].requires_grad_(true);
/// let parts = x.split(2, 0);
/// nn_core::autograd::backward(&parts, &[Some(tensor![1.0, 1.0]), Some(tensor![10.0, 10.0])]);
/// assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![1.0, 1.0, 10.0, 10.0]);
/// ```
#[track_caller]
pub fn backward(tensors: &[Tensor], grad_tensors: &[Option<Tensor>]) {
    crate::error::or_panic(try_backward(tensors, grad_tensors, false))
}

/// Fallible form of [`backward`], with `retain_graph`.
///
/// ```
/// use nn_core::prelude::*;
/// let x = tensor![2.0].requires_grad_(true);
/// let y = x.exp();
/// nn_core::autograd::try_backward(&[y.clone()], &[None], true).unwrap();
/// nn_core::autograd::try_backward(&[y], &[None], false).unwrap(); // retained
/// let err = nn_core::autograd::try_backward(&[tensor![1.0]], &[None], false).unwrap_err();
/// assert_eq!(err.to_string(), "element 0 of tensors does not require grad and does not have a grad_fn");
/// ```
pub fn try_backward(
    tensors: &[Tensor],
    grad_tensors: &[Option<Tensor>],
    retain_graph: bool,
) -> Result<()> {
    if grad_tensors.len() != tensors.len() {
        return Err(TensorError::runtime(format!(
            "grad_tensors must have the same length as tensors ({} and {})",
            grad_tensors.len(),
            tensors.len()
        )));
    }
    let mut roots = Vec::with_capacity(tensors.len());
    for (i, (t, g)) in tensors.iter().zip(grad_tensors).enumerate() {
        let grad = match g {
            Some(g) if g.shape() != t.shape() => {
                return Err(TensorError::runtime(format!(
                    "Mismatch in shape: grad_output[{i}] has a shape of {} and output[{i}] has a shape of {}.",
                    g.shape(),
                    t.shape()
                )));
            }
            Some(g) => g.detach().to_dtype(t.dtype()),
            None if t.numel() != 1 => {
                return Err(TensorError::runtime(
                    "grad can be implicitly created only for scalar outputs",
                ));
            }
            None => Tensor::ones_like(t),
        };
        roots.push((t.clone(), grad));
    }
    run_backward_from(roots, retain_graph)
}

#[cfg(test)]
mod tests {
    use super::super::node::FREED_GRAPH;
    use crate::tensor;
    use crate::tensor::Tensor;

    #[test]
    fn a_second_backward_needs_the_saved_tensors() {
        let x = tensor![1.0, 2.0].requires_grad_(true);
        let y = x.exp().sum();
        y.backward();
        let err = y.try_backward(None).unwrap_err();
        assert_eq!(err.message, FREED_GRAPH);
        // The failed pass added nothing.
        assert!(x.grad().unwrap().allclose(&x.exp()));
    }

    #[test]
    fn nodes_that_saved_nothing_run_again() {
        let x = tensor![1.0, 2.0].requires_grad_(true);
        let y = (&x + 1.0).reshape([2, 1]).sum();
        y.backward();
        y.backward();
        assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![2.0, 2.0]);
    }

    #[test]
    fn retain_graph_keeps_them_for_one_more_pass() {
        let x = tensor![3.0].requires_grad_(true);
        let y = (&x * &x).sum();
        y.backward_retain_graph();
        y.backward_retain_graph();
        y.backward();
        assert_eq!(x.grad().unwrap().item(), 18.0);
        assert_eq!(y.try_backward(None).unwrap_err().message, FREED_GRAPH);
    }

    #[test]
    fn several_roots_in_one_pass() {
        let x = tensor![1.0, 2.0].requires_grad_(true);
        let a = x.exp();
        let b = &a * 2.0; // a is also an input of b: its gradient sums both
        super::backward(
            &[a.clone(), b],
            &[Some(Tensor::ones([2])), Some(Tensor::ones([2]))],
        );
        assert!(x.grad().unwrap().allclose(&(&x.exp() * 3.0)));
        let err = super::try_backward(&[a], &[None], false).unwrap_err();
        assert_eq!(
            err.message,
            "grad can be implicitly created only for scalar outputs"
        );
    }
}

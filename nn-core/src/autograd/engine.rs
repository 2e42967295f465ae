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

/// Back-propagates `grad` (the gradient of `root`) through the graph.
///
/// Nodes run in decreasing creation order: every consumer of a tensor was
/// created after it, so a tensor's gradient is complete when it is popped.
/// Leaves are accumulated last, in the order they were first reached.
pub(crate) fn run_backward(root: &Tensor, grad: Tensor) -> Result<()> {
    if !root.requires_grad() {
        return Err(TensorError::runtime(
            "element 0 of tensors does not require grad and does not have a grad_fn",
        ));
    }
    let _no_grad = NoGradGuard::new();
    let mut grads: HashMap<usize, Tensor> = HashMap::new();
    let mut queue = BinaryHeap::new();
    let mut leaves: Vec<Tensor> = Vec::new();

    grads.insert(root.id(), grad);
    match root.node() {
        Some(node) => queue.push(Pending {
            seq: node.seq,
            tensor: root.clone(),
        }),
        None => leaves.push(root.clone()),
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
        let input_grads = (node.backward)(&g);
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

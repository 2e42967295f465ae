//! [`default_collate`]: a batch's items stacked into tensors, as
//! `torch.utils.data.default_collate` does for items of tensors.

use crate::tensor::Tensor;

/// Stacks the items of a batch field by field: item `k` holds one tensor per
/// field, and the result holds, per field, `torch.stack` of that field over
/// the items (a new first dimension of size `items.len()`).
///
/// This is what a [`DataLoader`](super::DataLoader) does to the items of a
/// batch before converting back to the item type, so that items `(x_i, y_i)`
/// become a batch `(x, y)`. Stacking records `StackBackward0` when an item
/// requires grad, as in torch.
///
/// # Panics
/// If there are no items, if items hold different numbers of tensors, or
/// (with torch's message) if one field's tensors differ in shape.
///
/// ```
/// use nn_core::data::default_collate;
/// use nn_core::prelude::*;
///
/// let items = vec![
///     vec![tensor![1.0, 2.0], tensor![0]],
///     vec![tensor![3.0, 4.0], tensor![1]],
/// ];
/// let batch = default_collate(items);
/// assert_eq!(batch[0].to_string(), "tensor([[1., 2.],\n        [3., 4.]])");
/// assert_eq!(batch[1].to_string(), "tensor([[0],\n        [1]])");
/// ```
#[track_caller]
pub fn default_collate(items: Vec<Vec<Tensor>>) -> Vec<Tensor> {
    let Some(first) = items.first() else {
        panic!("default_collate: expected at least one item in a batch");
    };
    let fields = first.len();
    let mut columns: Vec<Vec<Tensor>> = (0..fields)
        .map(|_| Vec::with_capacity(items.len()))
        .collect();
    for (k, item) in items.into_iter().enumerate() {
        assert!(
            item.len() == fields,
            "each element in list of batch should be of equal size (item 0 has {fields} tensors, item {k} has {})",
            item.len()
        );
        for (column, tensor) in columns.iter_mut().zip(item) {
            column.push(tensor);
        }
    }
    columns
        .iter()
        .map(|column| Tensor::stack(column, 0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor;

    #[test]
    fn scalars_stack_to_a_vector() {
        let batch = default_collate(vec![vec![tensor![5.0].i(0)], vec![tensor![6.0].i(0)]]);
        assert_eq!(batch[0].shape(), [2]);
        assert_eq!(batch[0].to_vec::<f32>(), [5.0, 6.0]);
    }

    #[test]
    fn stacking_keeps_the_graph() {
        let x = Tensor::ones([2, 3]).requires_grad_(true);
        let batch = default_collate(vec![vec![x.i(1)], vec![x.i(0)]]);
        assert_eq!(batch[0].grad_fn().unwrap().name(), "StackBackward0");
    }

    #[test]
    #[should_panic(expected = "each element in list of batch should be of equal size")]
    fn ragged_items_panic() {
        default_collate(vec![vec![tensor![1.0]], vec![tensor![1.0], tensor![2.0]]]);
    }
}

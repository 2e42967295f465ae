//! [`ValuesIndices`]: what `max(dim)`, `min(dim)`, `topk` and `sort` return,
//! as torch's `torch.return_types` named tuples.

use super::Tensor;
use std::fmt;

/// Values and their positions, as torch's `torch.return_types.max` (and
/// `min`, `topk`, `sort`): read `.values` and `.indices`, or split it into a
/// tuple as Python unpacks it. Prints as torch prints it.
///
/// ```
/// use nn_core::prelude::*;
///
/// let x = tensor![[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]];
/// let m = x.max_dim(1, false); // x.max(dim=1)
/// assert_eq!(m.values.to_vec::<f32>(), vec![5.0, 7.0]);
/// assert_eq!(m.indices.to_vec::<i64>(), vec![1, 0]);
/// assert_eq!(
///     m.to_string(),
///     "torch.return_types.max(\nvalues=tensor([5., 7.]),\nindices=tensor([1, 0]))"
/// );
/// let (values, indices) = x.min_dim(0, false).into(); // values, indices = x.min(0)
/// assert_eq!((values.to_vec::<f32>(), indices.to_vec::<i64>()), (vec![1.0, 0.0, 2.0], vec![0, 1, 0]));
/// ```
#[derive(Clone)]
pub struct ValuesIndices {
    /// The selected values (with autograd).
    pub values: Tensor,
    /// Their positions along the dimension (int64).
    pub indices: Tensor,
    /// The op, as in `torch.return_types.<op>`.
    op: &'static str,
}

impl ValuesIndices {
    pub(crate) fn new(op: &'static str, values: Tensor, indices: Tensor) -> ValuesIndices {
        ValuesIndices {
            values,
            indices,
            op,
        }
    }

    /// The name torch prints after `torch.return_types.`: `"max"`, `"min"`,
    /// `"topk"` or `"sort"`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(tensor![3.0, 1.0].sort(0, false).name(), "sort");
    /// ```
    pub fn name(&self) -> &'static str {
        self.op
    }
}

/// `let (values, indices) = x.max_dim(1, false).into();`
impl From<ValuesIndices> for (Tensor, Tensor) {
    fn from(v: ValuesIndices) -> (Tensor, Tensor) {
        (v.values, v.indices)
    }
}

/// torch's repr: `torch.return_types.max(\nvalues=…,\nindices=…)`.
impl fmt::Display for ValuesIndices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "torch.return_types.{}(\nvalues={:?},\nindices={:?})",
            self.op, self.values, self.indices
        )
    }
}

/// The same text as `Display`.
impl fmt::Debug for ValuesIndices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

//! [`Subset`]: chosen items of a data set, as `torch.utils.data.Subset`.

use std::fmt;
use std::rc::Rc;

use super::{Dataset, Sample};

/// The items of a data set at `indices`, in that order: item `i` of the
/// subset is item `indices[i]` of the data set, as `Subset(dataset, indices)`.
/// [`random_split`](super::random_split) returns these.
///
/// ```
/// use nn_core::data::Subset;
/// use nn_core::prelude::*;
///
/// let ds = TensorDataset::new(tensor![10, 11, 12, 13, 14]);
/// let odd = Subset::new(&ds, &[1, 3]);
/// assert_eq!(odd.len(), 2);
/// assert_eq!(odd.get(1).to_string(), "tensor(13)");
/// ```
pub struct Subset<I: Sample> {
    dataset: Rc<dyn Dataset<Item = I>>,
    indices: Rc<[usize]>,
}

impl<I: Sample> Subset<I> {
    /// The items of `dataset` at `indices`. The subset keeps its own handle
    /// to the data set (a clone: a `TensorDataset`'s tensors are shared).
    ///
    /// Indices are not checked here, as in torch: an index past the data
    /// set's end fails when that item is read.
    ///
    /// ```
    /// use nn_core::data::Subset;
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::arange(10));
    /// let first_three = Subset::new(&ds, &[0, 1, 2]);
    /// assert_eq!(first_three.len(), 3);
    /// ```
    pub fn new<D>(dataset: &D, indices: &[usize]) -> Subset<I>
    where
        D: Dataset<Item = I> + Clone + 'static,
    {
        Subset::from_shared(Rc::new(dataset.clone()), indices.into())
    }

    /// A subset of a data set already shared (what `random_split` builds).
    pub(crate) fn from_shared(
        dataset: Rc<dyn Dataset<Item = I>>,
        indices: Rc<[usize]>,
    ) -> Subset<I> {
        Subset { dataset, indices }
    }

    /// The indices into the data set, as `subset.indices`.
    ///
    /// ```
    /// use nn_core::data::Subset;
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::arange(10));
    /// assert_eq!(Subset::new(&ds, &[4, 2]).indices(), [4, 2]);
    /// ```
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }

    /// The whole data set, as `subset.dataset`.
    ///
    /// ```
    /// use nn_core::data::Subset;
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::arange(10));
    /// assert_eq!(Subset::new(&ds, &[4, 2]).dataset().len(), 10);
    /// ```
    pub fn dataset(&self) -> &dyn Dataset<Item = I> {
        &*self.dataset
    }
}

impl<I: Sample> Dataset for Subset<I> {
    type Item = I;

    fn len(&self) -> usize {
        self.indices.len()
    }

    /// Item `indices[index]` of the data set.
    ///
    /// # Panics
    /// `list index out of range` (Python's `IndexError`) if `index >= len()`.
    #[track_caller]
    fn get(&self, index: usize) -> I {
        let Some(&i) = self.indices.get(index) else {
            panic!("list index out of range");
        };
        self.dataset.get(i)
    }
}

/// Another handle to the same data set and indices.
///
/// ```
/// use nn_core::data::Subset;
/// use nn_core::prelude::*;
///
/// let ds = TensorDataset::new(Tensor::arange(10));
/// let a = Subset::new(&ds, &[1, 2]);
/// assert_eq!(a.clone().indices(), a.indices());
/// ```
impl<I: Sample> Clone for Subset<I> {
    fn clone(&self) -> Self {
        Subset {
            dataset: Rc::clone(&self.dataset),
            indices: Rc::clone(&self.indices),
        }
    }
}

/// The length and the first indices, e.g. `Subset(len=360, indices=[1046, 12, …])`.
///
/// ```
/// use nn_core::data::Subset;
/// use nn_core::prelude::*;
///
/// let ds = TensorDataset::new(Tensor::arange(10));
/// assert_eq!(format!("{:?}", Subset::new(&ds, &[4, 2])), "Subset(len=2, indices=[4, 2])");
/// ```
impl<I: Sample> fmt::Debug for Subset<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 8;
        let shown: Vec<String> = self
            .indices
            .iter()
            .take(SHOWN)
            .map(usize::to_string)
            .collect();
        let more = if self.indices.len() > SHOWN {
            ", …"
        } else {
            ""
        };
        write!(
            f,
            "Subset(len={}, indices=[{}{more}])",
            self.indices.len(),
            shown.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::TensorDataset;
    use crate::tensor::Tensor;

    #[test]
    fn items_follow_the_indices() {
        let ds = TensorDataset::new(Tensor::arange(10));
        let s = Subset::new(&ds, &[7, 7, 0]);
        let got: Vec<f64> = (0..s.len()).map(|i| s.get(i).item()).collect();
        assert_eq!(got, [7.0, 7.0, 0.0]);
    }

    #[test]
    #[should_panic(expected = "list index out of range")]
    fn past_the_end_is_pythons_index_error() {
        let ds = TensorDataset::new(Tensor::arange(10));
        Subset::new(&ds, &[1]).get(1);
    }

    #[test]
    fn a_subset_of_a_subset() {
        let ds = TensorDataset::new(Tensor::arange(10));
        let s = Subset::new(&Subset::new(&ds, &[9, 8, 7]), &[2, 0]);
        assert_eq!((s.get(0).item(), s.get(1).item()), (7.0, 9.0));
    }
}

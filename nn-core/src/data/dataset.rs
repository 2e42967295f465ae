//! [`Dataset`]: `torch.utils.data.Dataset`, a length and an item per index.

use std::rc::Rc;

use super::Sample;

/// A data set: `len()` items, item `i` given by `get(i)`, as a PyTorch
/// `Dataset`'s `__len__` and `__getitem__`.
///
/// `Item` is a tensor or a tuple of tensors ([`Sample`]); a
/// [`DataLoader`](super::DataLoader) stacks items into batches of the same
/// type. The trait is object safe, so a data set can be kept as
/// `Rc<dyn Dataset<Item = (Tensor, Tensor)>>` or `Box<dyn …>`.
///
/// A data set of your own is a struct with these two methods. Deriving
/// `Clone` lets a `DataLoader` or [`random_split`](super::random_split) keep
/// their own handle to it (tensors are shared, not copied):
///
/// ```
/// use nn_core::prelude::*;
///
/// /// Points on the line y = 2x + 1.
/// #[derive(Clone)]
/// struct Line {
///     x: Tensor,
/// }
///
/// impl Dataset for Line {
///     type Item = (Tensor, Tensor);
///     fn len(&self) -> usize {
///         self.x.shape()[0]
///     }
///     fn get(&self, index: usize) -> (Tensor, Tensor) {
///         let x = self.x.i(index);
///         let y = &x * 2.0 + 1.0;
///         (x, y)
///     }
/// }
///
/// let ds = Line { x: Tensor::linspace(0.0, 1.0, 5) };
/// assert_eq!(ds.len(), 5);
/// let (x, y) = ds.get(4);
/// assert_eq!((x.item(), y.item()), (1.0, 3.0));
/// let loader = DataLoader::new(&ds, 2);
/// assert_eq!(loader.len(), 3);
/// ```
pub trait Dataset {
    /// What one index gives: a tensor or a tuple of tensors.
    type Item: Sample;

    /// The number of items, as `len(dataset)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new((Tensor::zeros([10, 2]), Tensor::zeros([10])));
    /// assert_eq!(ds.len(), 10);
    /// ```
    fn len(&self) -> usize;

    /// Item `index`, as `dataset[index]`.
    ///
    /// # Panics
    /// If `index >= len()` (how it is worded is up to the data set;
    /// [`TensorDataset`](super::TensorDataset) says what torch says).
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new((tensor![[1.0, 2.0], [3.0, 4.0]], tensor![0, 1]));
    /// let (x, y) = ds.get(1);
    /// assert_eq!(x.to_string(), "tensor([3., 4.])");
    /// assert_eq!(y.to_string(), "tensor(1)");
    /// ```
    fn get(&self, index: usize) -> Self::Item;

    /// Whether there are no items.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// assert!(TensorDataset::new(Tensor::zeros([0, 3])).is_empty());
    /// ```
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A shared data set is a data set: `Rc<dyn Dataset<Item = …>>` is how to
/// hand a data set that is not `Clone` to a [`DataLoader`](super::DataLoader).
///
/// ```
/// use std::rc::Rc;
/// use nn_core::prelude::*;
///
/// let ds: Rc<dyn Dataset<Item = Tensor>> = Rc::new(TensorDataset::new(Tensor::arange(5)));
/// assert_eq!(ds.len(), 5);
/// assert_eq!(DataLoader::new(&ds, 2).len(), 3);
/// ```
impl<D: Dataset + ?Sized> Dataset for Rc<D> {
    type Item = D::Item;

    fn len(&self) -> usize {
        (**self).len()
    }

    fn get(&self, index: usize) -> Self::Item {
        (**self).get(index)
    }
}

/// A boxed data set is a data set.
///
/// ```
/// use nn_core::prelude::*;
///
/// let ds: Box<dyn Dataset<Item = Tensor>> = Box::new(TensorDataset::new(Tensor::arange(5)));
/// assert_eq!(ds.get(3).item(), 3.0);
/// ```
impl<D: Dataset + ?Sized> Dataset for Box<D> {
    type Item = D::Item;

    fn len(&self) -> usize {
        (**self).len()
    }

    fn get(&self, index: usize) -> Self::Item {
        (**self).get(index)
    }
}

//! [`DataLoader`]: mini-batches of a data set, as `torch.utils.data.DataLoader`
//! with `num_workers=0`: a sampler orders the indices, a batch sampler groups
//! them, collation stacks the items.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use super::batch_sampler::{BatchIndices, BatchSampler, batch_count};
use super::sampler::{RandomSampler, SequentialSampler, SharedGenerator};
use super::{Dataset, Sample, default_collate};
use crate::random::{Generator, with_default_generator};

/// Mini-batches of a data set, as `DataLoader(dataset, batch_size, shuffle,
/// drop_last)`.
///
/// A batch has the type of the data set's items, each tensor stacked along a
/// new first dimension: a `TensorDataset` of `(x, y)` gives batches
/// `(x, y)`. Iterating `&loader` is one epoch, as `for x, y in loader:`.
///
/// With `shuffle(true)`, every epoch is a new random order, and under
/// [`manual_seed`](crate::manual_seed) the batches are torch's, in torch's
/// order: starting an epoch draws torch's `_base_seed` from the default
/// generator (one int64 `random_()`, drawn by torch's loader even without
/// shuffling), and the first batch makes the [`RandomSampler`] draw its seed
/// and its `randperm` (see there). Code that draws random numbers between
/// epochs therefore sees the same numbers as in PyTorch.
///
/// ```
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// let x = Tensor::arange(10).float().view([5, 2]);
/// let y = tensor![0, 1, 0, 1, 1];
/// let ds = TensorDataset::new((x, y));
/// let loader = DataLoader::new(&ds, 2).shuffle(true);
/// assert_eq!(loader.len(), 3);
/// for (xb, yb) in &loader {
///     assert_eq!(xb.shape()[1], 2);
///     assert_eq!(xb.shape()[0], yb.shape()[0]);
/// }
/// // The batches torch gives after torch.manual_seed(0):
/// manual_seed(0);
/// let labels: Vec<String> = loader.iter().map(|(_, yb)| yb.to_string()).collect();
/// assert_eq!(labels, ["tensor([1, 1])", "tensor([0, 1])", "tensor([0])"]);
/// ```
pub struct DataLoader<I: Sample> {
    dataset: Rc<dyn Dataset<Item = I>>,
    batch_size: usize,
    shuffle: bool,
    drop_last: bool,
    generator: Option<SharedGenerator>,
}

impl<I: Sample> DataLoader<I> {
    /// Batches of `batch_size` items of `dataset`, in order; change with
    /// [`shuffle`](Self::shuffle), [`drop_last`](Self::drop_last) and
    /// [`generator`](Self::generator). The loader keeps its own handle to the
    /// data set (a clone: a `TensorDataset`'s tensors are shared, not copied).
    ///
    /// # Panics
    /// If `batch_size` is 0, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::arange(10));
    /// let loader = DataLoader::new(&ds, 4);
    /// let batches: Vec<String> = loader.iter().map(|b| b.to_string()).collect();
    /// assert_eq!(batches, ["tensor([0, 1, 2, 3])", "tensor([4, 5, 6, 7])", "tensor([8, 9])"]);
    /// ```
    #[track_caller]
    pub fn new<D>(dataset: &D, batch_size: usize) -> DataLoader<I>
    where
        D: Dataset<Item = I> + Clone + 'static,
    {
        assert!(
            batch_size > 0,
            "batch_size should be a positive integer value, but got batch_size={batch_size}"
        );
        DataLoader {
            dataset: Rc::new(dataset.clone()),
            batch_size,
            shuffle: false,
            drop_last: false,
            generator: None,
        }
    }

    /// Visits the items in a new random order each epoch (`shuffle=True`),
    /// torch's order under [`manual_seed`](crate::manual_seed).
    ///
    /// # Panics
    /// If the data set is empty, with torch's `ValueError`:
    /// `num_samples should be a positive integer value, but got num_samples=0`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// manual_seed(0);
    /// let ds = TensorDataset::new(Tensor::arange(6));
    /// let loader = DataLoader::new(&ds, 3).shuffle(true);
    /// let batches: Vec<String> = loader.iter().map(|b| b.to_string()).collect();
    /// assert_eq!(batches, ["tensor([0, 4, 3])", "tensor([5, 2, 1])"]);
    /// ```
    #[track_caller]
    pub fn shuffle(self, shuffle: bool) -> DataLoader<I> {
        if shuffle {
            // torch builds the RandomSampler, which checks, in the constructor.
            RandomSampler::from_shared(self.dataset.len(), None);
        }
        DataLoader { shuffle, ..self }
    }

    /// Leaves out the last batch when it would be short (`drop_last=True`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::arange(10));
    /// assert_eq!(DataLoader::new(&ds, 4).drop_last(true).len(), 2);
    /// ```
    pub fn drop_last(self, drop_last: bool) -> DataLoader<I> {
        DataLoader { drop_last, ..self }
    }

    /// Draws from `generator` instead of the default generator
    /// (`generator=torch.Generator().manual_seed(s)`): the epoch's
    /// `_base_seed` and, with shuffling, the permutations themselves.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::arange(6));
    /// let loader = DataLoader::new(&ds, 3).shuffle(true).generator(Generator::new(1));
    /// let batches: Vec<String> = loader.iter().map(|b| b.to_string()).collect();
    /// assert_eq!(batches, ["tensor([0, 4, 5])", "tensor([1, 2, 3])"]);
    /// ```
    pub fn generator(self, generator: Generator) -> DataLoader<I> {
        DataLoader {
            generator: Some(Rc::new(RefCell::new(generator))),
            ..self
        }
    }

    /// The number of batches per epoch, as `len(loader)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::zeros([1797, 64]));
    /// assert_eq!(DataLoader::new(&ds, 64).len(), 29);
    /// ```
    pub fn len(&self) -> usize {
        batch_count(self.dataset.len(), self.batch_size, self.drop_last)
    }

    /// Whether an epoch gives no batch.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::zeros([3, 2]));
    /// assert!(DataLoader::new(&ds, 4).drop_last(true).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of items per batch, as `loader.batch_size`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::zeros([3, 2]));
    /// assert_eq!(DataLoader::new(&ds, 2).batch_size(), 2);
    /// ```
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The data set, as `loader.dataset`: `loader.dataset().len()` is the
    /// number of items, as `len(dataloader.dataset)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::zeros([10, 2]));
    /// let loader = DataLoader::new(&ds, 4);
    /// assert_eq!(loader.dataset().len(), 10);
    /// ```
    pub fn dataset(&self) -> &dyn Dataset<Item = I> {
        &*self.dataset
    }

    /// How this loader groups indices into batches, as
    /// `loader.batch_sampler`; it shares the loader's generator.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new(Tensor::zeros([5, 2]));
    /// let b = DataLoader::new(&ds, 2).batch_sampler();
    /// assert_eq!(b.iter().collect::<Vec<_>>(), [vec![0, 1], vec![2, 3], vec![4]]);
    /// ```
    pub fn batch_sampler(&self) -> BatchSampler {
        let len = self.dataset.len();
        if self.shuffle {
            let sampler = RandomSampler::from_shared(len, self.generator.clone());
            BatchSampler::new(sampler, self.batch_size, self.drop_last)
        } else {
            BatchSampler::new(SequentialSampler::new(len), self.batch_size, self.drop_last)
        }
    }

    /// One epoch of batches, as `iter(loader)`. Draws torch's `_base_seed`
    /// now; with shuffling, the order is drawn at the first batch.
    ///
    /// ```
    /// use nn_core::prelude::*;
    ///
    /// let ds = TensorDataset::new((Tensor::zeros([5, 2]), Tensor::arange(5)));
    /// let loader = DataLoader::new(&ds, 2);
    /// let (x, y) = loader.iter().next().unwrap(); // next(iter(loader))
    /// assert_eq!(x.shape(), [2, 2]);
    /// assert_eq!(y.to_string(), "tensor([0, 1])");
    /// ```
    pub fn iter(&self) -> Batches<I> {
        // torch: self._base_seed = torch.empty((), dtype=torch.int64)
        //     .random_(generator=loader.generator).item()
        // It seeds worker processes, which this loader does not have; it is
        // drawn so that the random numbers after an epoch are torch's.
        let mut base_seed = [0i64];
        match &self.generator {
            Some(g) => g.borrow_mut().fill_random_i64(&mut base_seed),
            None => with_default_generator(|g| g.fill_random_i64(&mut base_seed)),
        }
        Batches {
            dataset: Rc::clone(&self.dataset),
            batches: self.batch_sampler().iter(),
        }
    }
}

/// One epoch: `for (x, y) in &loader`.
///
/// ```
/// use nn_core::prelude::*;
///
/// let ds = TensorDataset::new((Tensor::zeros([6, 2]), Tensor::zeros([6])));
/// let loader = DataLoader::new(&ds, 4);
/// let mut sizes = vec![];
/// for (x, _y) in &loader {
///     sizes.push(x.shape()[0]);
/// }
/// assert_eq!(sizes, [4, 2]);
/// ```
impl<I: Sample> IntoIterator for &DataLoader<I> {
    type Item = I;
    type IntoIter = Batches<I>;

    fn into_iter(self) -> Batches<I> {
        self.iter()
    }
}

/// Shows the settings, e.g.
/// `DataLoader(batch_size=32, shuffle=true, drop_last=false, batches=45)`.
///
/// ```
/// use nn_core::prelude::*;
///
/// let ds = TensorDataset::new(Tensor::zeros([10]));
/// assert_eq!(
///     format!("{:?}", DataLoader::new(&ds, 4)),
///     "DataLoader(batch_size=4, shuffle=false, drop_last=false, batches=3)"
/// );
/// ```
impl<I: Sample> fmt::Debug for DataLoader<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DataLoader(batch_size={}, shuffle={}, drop_last={}, batches={})",
            self.batch_size,
            self.shuffle,
            self.drop_last,
            self.len()
        )
    }
}

/// One epoch of a [`DataLoader`]: each item a batch. It owns handles to the
/// data set, so it can be kept in a variable across notebook cells, as
/// `it = iter(loader)` then `next(it)`.
///
/// ```
/// use nn_core::prelude::*;
///
/// let ds = TensorDataset::new(Tensor::arange(5));
/// let mut it = DataLoader::new(&ds, 2).iter();
/// assert_eq!(it.len(), 3);
/// assert_eq!(it.next().unwrap().to_string(), "tensor([0, 1])");
/// assert_eq!(it.len(), 2);
/// ```
pub struct Batches<I: Sample> {
    dataset: Rc<dyn Dataset<Item = I>>,
    batches: BatchIndices,
}

impl<I: Sample> Iterator for Batches<I> {
    type Item = I;

    fn next(&mut self) -> Option<I> {
        let indices = self.batches.next()?;
        let items = indices
            .into_iter()
            .map(|i| self.dataset.get(i).into_tensors())
            .collect();
        Some(I::from_tensors(default_collate(items)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.batches.size_hint()
    }
}

impl<I: Sample> ExactSizeIterator for Batches<I> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::TensorDataset;
    use crate::tensor;
    use crate::tensor::Tensor;

    #[test]
    fn batches_stack_the_items() {
        let ds = TensorDataset::new((
            tensor![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
            tensor![7, 8, 9],
        ));
        let batches: Vec<(Tensor, Tensor)> = DataLoader::new(&ds, 2).iter().collect();
        assert_eq!(batches.len(), 2);
        assert_eq!(batches[0].0.to_vec::<f32>(), [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(batches[0].1.to_vec::<i64>(), [7, 8]);
        assert_eq!(batches[1].0.shape(), [1, 2]);
    }

    #[test]
    fn an_epoch_draws_its_base_seed_then_its_permutation() {
        let ds = TensorDataset::new(Tensor::arange(8));
        let loader = DataLoader::new(&ds, 3)
            .shuffle(true)
            .generator(Generator::new(5));
        let got: Vec<i64> = loader.iter().flat_map(|b| b.to_vec::<i64>()).collect();
        let mut g = Generator::new(5);
        g.fill_random_i64(&mut [0]);
        assert_eq!(got, g.randperm(8));
    }

    #[test]
    fn a_second_epoch_is_a_new_order() {
        let ds = TensorDataset::new(Tensor::arange(50));
        let loader = DataLoader::new(&ds, 50)
            .shuffle(true)
            .generator(Generator::new(0));
        let a = loader.iter().next().unwrap().to_vec::<i64>();
        let b = loader.iter().next().unwrap().to_vec::<i64>();
        assert_ne!(a, b);
    }

    #[test]
    #[should_panic(
        expected = "num_samples should be a positive integer value, but got num_samples=0"
    )]
    fn shuffling_an_empty_data_set_is_torchs_value_error() {
        let ds = TensorDataset::new(Tensor::zeros([0, 2]));
        let _ = DataLoader::new(&ds, 2).shuffle(true);
    }
}

//! [`BatchSampler`]: a sampler's indices grouped into batches, as
//! `torch.utils.data.BatchSampler`. `drop_last` lives here.

use super::sampler::{Indices, Sampler};

/// Groups a [`Sampler`]'s indices into lists of `batch_size`; the last list
/// is shorter when the size does not divide the data set, or left out with
/// `drop_last`.
///
/// ```
/// use nn_core::data::{BatchSampler, SequentialSampler};
///
/// // list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
/// let b = BatchSampler::new(SequentialSampler::new(10), 3, false);
/// assert_eq!(b.iter().collect::<Vec<_>>(), [vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8], vec![9]]);
/// let b = BatchSampler::new(SequentialSampler::new(10), 3, true);
/// assert_eq!(b.len(), 3);
/// ```
#[derive(Clone, Debug)]
pub struct BatchSampler {
    sampler: Sampler,
    batch_size: usize,
    drop_last: bool,
}

impl BatchSampler {
    /// Batches of `batch_size` indices from `sampler`.
    ///
    /// # Panics
    /// If `batch_size` is 0, with torch's `ValueError`: `batch_size should
    /// be a positive integer value, but got batch_size=0`.
    ///
    /// ```
    /// use nn_core::data::{BatchSampler, RandomSampler};
    ///
    /// let b = BatchSampler::new(RandomSampler::new(10), 4, false);
    /// assert_eq!(b.iter().map(|batch| batch.len()).collect::<Vec<_>>(), [4, 4, 2]);
    /// ```
    #[track_caller]
    pub fn new(sampler: impl Into<Sampler>, batch_size: usize, drop_last: bool) -> BatchSampler {
        assert!(
            batch_size > 0,
            "batch_size should be a positive integer value, but got batch_size={batch_size}"
        );
        BatchSampler {
            sampler: sampler.into(),
            batch_size,
            drop_last,
        }
    }

    /// The number of batches an epoch gives: `len / batch_size`, rounded up,
    /// or down with `drop_last`.
    ///
    /// ```
    /// use nn_core::data::{BatchSampler, SequentialSampler};
    ///
    /// assert_eq!(BatchSampler::new(SequentialSampler::new(10), 4, false).len(), 3);
    /// assert_eq!(BatchSampler::new(SequentialSampler::new(10), 4, true).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        batch_count(self.sampler.len(), self.batch_size, self.drop_last)
    }

    /// Whether an epoch gives no batch.
    ///
    /// ```
    /// use nn_core::data::{BatchSampler, SequentialSampler};
    ///
    /// assert!(BatchSampler::new(SequentialSampler::new(3), 4, true).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of indices per batch.
    ///
    /// ```
    /// use nn_core::data::{BatchSampler, SequentialSampler};
    ///
    /// assert_eq!(BatchSampler::new(SequentialSampler::new(3), 2, false).batch_size(), 2);
    /// ```
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Whether a last, short batch is left out.
    ///
    /// ```
    /// use nn_core::data::{BatchSampler, SequentialSampler};
    ///
    /// assert!(BatchSampler::new(SequentialSampler::new(3), 2, true).drop_last());
    /// ```
    pub fn drop_last(&self) -> bool {
        self.drop_last
    }

    /// The sampler the indices come from.
    ///
    /// ```
    /// use nn_core::data::{BatchSampler, Sampler, SequentialSampler};
    ///
    /// let b = BatchSampler::new(SequentialSampler::new(3), 2, false);
    /// assert!(matches!(b.sampler(), Sampler::Sequential(_)));
    /// ```
    pub fn sampler(&self) -> &Sampler {
        &self.sampler
    }

    /// One epoch's batches of indices.
    ///
    /// ```
    /// use nn_core::data::{BatchSampler, SequentialSampler};
    ///
    /// let b = BatchSampler::new(SequentialSampler::new(5), 2, true);
    /// assert_eq!(b.iter().collect::<Vec<_>>(), [vec![0, 1], vec![2, 3]]);
    /// ```
    pub fn iter(&self) -> BatchIndices {
        BatchIndices {
            indices: self.sampler.iter(),
            batch_size: self.batch_size,
            drop_last: self.drop_last,
            left: self.len(),
        }
    }
}

/// Batches in an epoch of `len` indices.
pub(crate) fn batch_count(len: usize, batch_size: usize, drop_last: bool) -> usize {
    if drop_last {
        len / batch_size
    } else {
        len.div_ceil(batch_size)
    }
}

/// One epoch of a [`BatchSampler`]: lists of indices.
///
/// ```
/// use nn_core::data::{BatchSampler, SequentialSampler};
///
/// let epoch = BatchSampler::new(SequentialSampler::new(5), 2, false).iter();
/// assert_eq!(epoch.len(), 3);
/// ```
#[derive(Debug)]
pub struct BatchIndices {
    indices: Indices,
    batch_size: usize,
    drop_last: bool,
    /// Batches still to come, for `len()` (a progress bar's total).
    left: usize,
}

impl Iterator for BatchIndices {
    type Item = Vec<usize>;

    /// Takes indices one by one until the batch is full or the sampler is
    /// used up, as torch's `islice` (or `zip`, with `drop_last`) does: a
    /// sampler is always read to its end, which a `RandomSampler` with a
    /// generator of its own notices (see there).
    fn next(&mut self) -> Option<Vec<usize>> {
        let batch: Vec<usize> = self.indices.by_ref().take(self.batch_size).collect();
        if batch.is_empty() || (self.drop_last && batch.len() < self.batch_size) {
            self.left = 0;
            return None;
        }
        self.left = self.left.saturating_sub(1);
        Some(batch)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for BatchIndices {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SequentialSampler;

    fn batches(n: usize, size: usize, drop_last: bool) -> Vec<Vec<usize>> {
        BatchSampler::new(SequentialSampler::new(n), size, drop_last)
            .iter()
            .collect()
    }

    #[test]
    fn short_last_batch_kept_or_dropped() {
        assert_eq!(batches(5, 2, false), [vec![0, 1], vec![2, 3], vec![4]]);
        assert_eq!(batches(5, 2, true), [vec![0, 1], vec![2, 3]]);
        assert_eq!(batches(4, 2, true), [vec![0, 1], vec![2, 3]]);
        assert_eq!(batches(1, 2, true), Vec::<Vec<usize>>::new());
        assert_eq!(batches(0, 2, false), Vec::<Vec<usize>>::new());
    }

    #[test]
    fn len_counts_the_batches_the_iterator_gives() {
        for n in 0..12 {
            for size in 1..6 {
                for drop_last in [false, true] {
                    let b = BatchSampler::new(SequentialSampler::new(n), size, drop_last);
                    let mut it = b.iter();
                    assert_eq!(it.len(), b.len());
                    let mut count = 0;
                    while it.next().is_some() {
                        count += 1;
                        assert_eq!(it.len(), b.len() - count);
                    }
                    assert_eq!(count, b.len(), "n={n} size={size} drop_last={drop_last}");
                }
            }
        }
    }

    #[test]
    #[should_panic(
        expected = "batch_size should be a positive integer value, but got batch_size=0"
    )]
    fn zero_batch_size_is_torchs_value_error() {
        BatchSampler::new(SequentialSampler::new(3), 0, false);
    }
}

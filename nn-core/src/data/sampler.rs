//! Samplers: the order in which an epoch visits a data set's indices, as
//! `torch.utils.data.SequentialSampler` and `RandomSampler`. Shuffling and
//! torch's exact random order live here and nowhere else.

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use crate::random::{Generator, with_default_generator};

/// A generator several owners draw from in turn, as a `torch.Generator`
/// object passed to a `DataLoader` is shared by its sampler.
pub(crate) type SharedGenerator = Rc<RefCell<Generator>>;

/// Indices `0, 1, …, len − 1` in order, every epoch (`SequentialSampler`).
///
/// ```
/// use nn_core::data::SequentialSampler;
///
/// let s = SequentialSampler::new(4);
/// assert_eq!(s.iter().collect::<Vec<_>>(), [0, 1, 2, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct SequentialSampler {
    len: usize,
}

impl SequentialSampler {
    /// A sampler over a data set of `len` items.
    ///
    /// ```
    /// use nn_core::data::SequentialSampler;
    ///
    /// assert_eq!(SequentialSampler::new(3).len(), 3);
    /// ```
    pub fn new(len: usize) -> SequentialSampler {
        SequentialSampler { len }
    }

    /// The number of indices an epoch gives.
    ///
    /// ```
    /// use nn_core::data::SequentialSampler;
    ///
    /// assert!(SequentialSampler::new(0).is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether an epoch gives no index.
    ///
    /// ```
    /// use nn_core::data::SequentialSampler;
    ///
    /// assert!(!SequentialSampler::new(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// One epoch's indices.
    ///
    /// ```
    /// use nn_core::data::SequentialSampler;
    ///
    /// assert_eq!(SequentialSampler::new(2).iter().collect::<Vec<_>>(), [0, 1]);
    /// ```
    pub fn iter(&self) -> Range<usize> {
        0..self.len
    }
}

/// A random permutation of `0..len` per epoch, drawn exactly as torch's
/// `RandomSampler` (without replacement) draws it:
///
/// * without a generator of its own, an epoch's first index takes a seed
///   from the default generator —
///   `int(torch.empty((), dtype=torch.int64).random_().item())` — and the
///   permutation is `torch.randperm(len, generator=torch.Generator().manual_seed(seed))`;
///   so each epoch draws a new seed and gives a new order, and under
///   [`manual_seed`](crate::manual_seed) the orders are torch's;
/// * with a generator ([`RandomSampler::generator`]), the permutation is
///   drawn from it directly, and once an epoch's indices are used up torch
///   draws (and discards) one more permutation from it; so does this.
///
/// Nothing is drawn until the first index of an epoch is asked for, as in
/// torch, where `__iter__` is a Python generator.
///
/// ```
/// use nn_core::data::RandomSampler;
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// let s = RandomSampler::new(10);
/// // torch.manual_seed(0); s = RandomSampler(range(10)); list(s)
/// assert_eq!(s.iter().collect::<Vec<_>>(), [6, 9, 0, 7, 3, 5, 4, 2, 1, 8]);
/// // list(s) again: a new seed from the default generator, a new order.
/// assert_eq!(s.iter().collect::<Vec<_>>(), [6, 7, 1, 4, 2, 0, 9, 8, 3, 5]);
/// ```
#[derive(Clone, Debug)]
pub struct RandomSampler {
    len: usize,
    generator: Option<SharedGenerator>,
}

impl RandomSampler {
    /// A sampler over a data set of `len` items.
    ///
    /// # Panics
    /// If `len` is 0, with torch's `ValueError`: `num_samples should be a
    /// positive integer value, but got num_samples=0`.
    ///
    /// ```
    /// use nn_core::data::RandomSampler;
    ///
    /// assert_eq!(RandomSampler::new(5).len(), 5);
    /// ```
    #[track_caller]
    pub fn new(len: usize) -> RandomSampler {
        RandomSampler::from_shared(len, None)
    }

    #[track_caller]
    pub(crate) fn from_shared(len: usize, generator: Option<SharedGenerator>) -> RandomSampler {
        assert!(
            len > 0,
            "num_samples should be a positive integer value, but got num_samples={len}"
        );
        RandomSampler { len, generator }
    }

    /// Draws from `generator` instead of the default generator, as
    /// `RandomSampler(data, generator=g)`.
    ///
    /// ```
    /// use nn_core::data::RandomSampler;
    /// use nn_core::prelude::*;
    ///
    /// let s = RandomSampler::new(10).generator(Generator::new(0));
    /// // The permutation is randperm(10) from the generator itself.
    /// assert_eq!(s.iter().collect::<Vec<_>>(), [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]);
    /// ```
    pub fn generator(self, generator: Generator) -> RandomSampler {
        RandomSampler {
            generator: Some(Rc::new(RefCell::new(generator))),
            ..self
        }
    }

    /// The number of indices an epoch gives.
    ///
    /// ```
    /// use nn_core::data::RandomSampler;
    ///
    /// assert_eq!(RandomSampler::new(7).len(), 7);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: a random sampler has at least one index.
    ///
    /// ```
    /// use nn_core::data::RandomSampler;
    ///
    /// assert!(!RandomSampler::new(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// One epoch's indices. The permutation is drawn when the first index
    /// is asked for.
    ///
    /// ```
    /// use nn_core::data::RandomSampler;
    ///
    /// let mut order: Vec<usize> = RandomSampler::new(5).iter().collect();
    /// order.sort();
    /// assert_eq!(order, [0, 1, 2, 3, 4]);
    /// ```
    pub fn iter(&self) -> RandomIndices {
        RandomIndices {
            len: self.len,
            generator: self.generator.clone(),
            state: State::NotStarted,
        }
    }
}

/// One epoch of a [`RandomSampler`]: an iterator over the permutation.
///
/// ```
/// use nn_core::data::RandomSampler;
///
/// let epoch = RandomSampler::new(3).iter();
/// assert_eq!(epoch.len(), 3);
/// assert_eq!(epoch.count(), 3);
/// ```
#[derive(Debug)]
pub struct RandomIndices {
    len: usize,
    generator: Option<SharedGenerator>,
    state: State,
}

#[derive(Debug)]
enum State {
    NotStarted,
    Running { perm: Vec<i64>, next: usize },
    Done,
}

impl RandomIndices {
    /// torch's `RandomSampler.__iter__` up to its first `yield`.
    fn permutation(&self) -> Vec<i64> {
        match &self.generator {
            Some(g) => g.borrow_mut().randperm(self.len),
            None => {
                // seed = int(torch.empty((), dtype=torch.int64).random_().item())
                let seed = with_default_generator(|g| {
                    let mut seed = [0i64];
                    g.fill_random_i64(&mut seed);
                    seed[0]
                });
                Generator::new(seed as u64).randperm(self.len)
            }
        }
    }
}

impl Iterator for RandomIndices {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if let State::NotStarted = self.state {
            self.state = State::Running {
                perm: self.permutation(),
                next: 0,
            };
        }
        let State::Running { perm, next } = &mut self.state else {
            return None;
        };
        if let Some(&i) = perm.get(*next) {
            *next += 1;
            return Some(i as usize);
        }
        // torch ends the epoch with `yield from randperm(n, generator)[:0]`
        // (num_samples % n == 0): one more permutation drawn and thrown
        // away. Only a generator that outlives the epoch can tell.
        if let Some(g) = &self.generator {
            g.borrow_mut().randperm(self.len);
        }
        self.state = State::Done;
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = match &self.state {
            State::NotStarted => self.len,
            State::Running { perm, next } => perm.len() - next,
            State::Done => 0,
        };
        (left, Some(left))
    }
}

impl ExactSizeIterator for RandomIndices {}

/// The index order of a [`BatchSampler`](super::BatchSampler): sequential or
/// random.
///
/// ```
/// use nn_core::data::{RandomSampler, Sampler, SequentialSampler};
///
/// let s: Sampler = SequentialSampler::new(3).into();
/// assert_eq!(s.iter().collect::<Vec<_>>(), [0, 1, 2]);
/// let r: Sampler = RandomSampler::new(3).into();
/// assert_eq!(r.len(), 3);
/// ```
#[derive(Clone, Debug)]
pub enum Sampler {
    /// In order ([`SequentialSampler`]).
    Sequential(SequentialSampler),
    /// Shuffled each epoch ([`RandomSampler`]).
    Random(RandomSampler),
}

impl Sampler {
    /// The number of indices an epoch gives.
    ///
    /// ```
    /// use nn_core::data::{Sampler, SequentialSampler};
    ///
    /// assert_eq!(Sampler::from(SequentialSampler::new(4)).len(), 4);
    /// ```
    pub fn len(&self) -> usize {
        match self {
            Sampler::Sequential(s) => s.len(),
            Sampler::Random(s) => s.len(),
        }
    }

    /// Whether an epoch gives no index.
    ///
    /// ```
    /// use nn_core::data::{Sampler, SequentialSampler};
    ///
    /// assert!(Sampler::from(SequentialSampler::new(0)).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One epoch's indices.
    ///
    /// ```
    /// use nn_core::data::{Sampler, SequentialSampler};
    ///
    /// let s = Sampler::from(SequentialSampler::new(2));
    /// assert_eq!(s.iter().collect::<Vec<_>>(), [0, 1]);
    /// ```
    pub fn iter(&self) -> Indices {
        match self {
            Sampler::Sequential(s) => Indices::Sequential(s.iter()),
            Sampler::Random(s) => Indices::Random(s.iter()),
        }
    }
}

/// Wraps a sequential sampler.
///
/// ```
/// use nn_core::data::{Sampler, SequentialSampler};
///
/// assert!(matches!(Sampler::from(SequentialSampler::new(1)), Sampler::Sequential(_)));
/// ```
impl From<SequentialSampler> for Sampler {
    fn from(s: SequentialSampler) -> Sampler {
        Sampler::Sequential(s)
    }
}

/// Wraps a random sampler.
///
/// ```
/// use nn_core::data::{RandomSampler, Sampler};
///
/// assert!(matches!(Sampler::from(RandomSampler::new(1)), Sampler::Random(_)));
/// ```
impl From<RandomSampler> for Sampler {
    fn from(s: RandomSampler) -> Sampler {
        Sampler::Random(s)
    }
}

/// One epoch of a [`Sampler`].
///
/// ```
/// use nn_core::data::{Sampler, SequentialSampler};
///
/// let epoch = Sampler::from(SequentialSampler::new(3)).iter();
/// assert_eq!(epoch.len(), 3);
/// ```
#[derive(Debug)]
pub enum Indices {
    /// A sequential epoch.
    Sequential(Range<usize>),
    /// A random epoch.
    Random(RandomIndices),
}

impl Iterator for Indices {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            Indices::Sequential(r) => r.next(),
            Indices::Random(r) => r.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Indices::Sequential(r) => r.size_hint(),
            Indices::Random(r) => r.size_hint(),
        }
    }
}

impl ExactSizeIterator for Indices {}

#[cfg(test)]
mod tests {
    // The default generator is process-wide and other unit tests draw from
    // it in parallel: these tests use generators of their own;
    // tests/data_cases.rs checks the default-generator path against torch.
    use super::*;

    #[test]
    fn nothing_is_drawn_before_the_first_index() {
        let g = Generator::new(1);
        let s = RandomSampler::new(5).generator(g.clone());
        let epoch = s.iter();
        drop(epoch);
        let mut fresh = g;
        assert_eq!(
            s.generator.as_ref().unwrap().borrow_mut().random_u32(),
            fresh.random_u32()
        );
    }

    #[test]
    fn a_used_up_epoch_draws_one_more_permutation_from_its_generator() {
        let s = RandomSampler::new(6).generator(Generator::new(3));
        assert_eq!(s.iter().count(), 6);
        let mut expected = Generator::new(3);
        expected.randperm(6);
        expected.randperm(6);
        assert_eq!(
            s.generator.as_ref().unwrap().borrow_mut().random_u32(),
            expected.random_u32()
        );
    }

    #[test]
    #[should_panic(
        expected = "num_samples should be a positive integer value, but got num_samples=0"
    )]
    fn an_empty_random_sampler_is_torchs_value_error() {
        RandomSampler::new(0);
    }
}

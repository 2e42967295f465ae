//! [`random_split`]: a data set cut at random into non-overlapping subsets,
//! with torch's permutation (`torch.utils.data.random_split`).

use std::rc::Rc;

use super::{Dataset, Sample, Subset, warn};
use crate::random::{Generator, with_default_generator};

/// A length given to [`random_split`]: a count (`usize`, `i32`, `i64`) or a
/// fraction of the data set (`f64`), as torch accepts either.
///
/// ```
/// use nn_core::data::SplitLength;
///
/// assert_eq!(360usize.as_f64(), 360.0);
/// assert_eq!(0.2f64.as_f64(), 0.2);
/// ```
pub trait SplitLength: Copy {
    /// The value as Python would hold it (an int or a float; both are
    /// exact in `f64` below 2⁵³).
    ///
    /// ```
    /// use nn_core::data::SplitLength;
    ///
    /// assert_eq!(3i32.as_f64(), 3.0);
    /// ```
    fn as_f64(self) -> f64;
}

macro_rules! split_length {
    ($($t:ty),*) => {$(
        impl SplitLength for $t {
            fn as_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
split_length!(usize, i32, i64, f64);

/// Splits `dataset` at random into subsets of the given lengths, as
/// `random_split(dataset, lengths)`: the permutation is
/// `torch.randperm(len(dataset))` drawn from the default generator, so under
/// [`manual_seed`](crate::manual_seed) the subsets hold the same items as
/// torch's.
///
/// `lengths` are counts that sum to the data set's length, or fractions
/// that sum to 1. Fractions become `floor(len · fraction)` items each, and
/// what is left is handed out one by one from the first subset on (torch's
/// rule; a subset left empty gets torch's `UserWarning` on stderr).
///
/// Each subset keeps a handle to the data set (a clone: a `TensorDataset`'s
/// tensors are shared, not copied).
///
/// # Panics
/// With torch's `ValueError` messages: `Sum of input lengths does not equal
/// the length of the input dataset!`, `Fraction at index 1 is not between 0
/// and 1`; and if a count is negative or not whole.
///
/// ```
/// use nn_core::prelude::*;
///
/// let (x, y) = data::load_digits();
/// let digits = TensorDataset::new((x, y));
///
/// manual_seed(0);
/// let [train, test] = random_split(&digits, [0.8, 0.2]);
/// assert_eq!((train.len(), test.len()), (1438, 359));
///
/// manual_seed(0);
/// let [a, b, c] = random_split(&digits, [1000, 500, 297]);
/// assert_eq!(a.indices()[..5], train.indices()[..5]); // the same permutation
/// assert_eq!((b.len(), c.len()), (500, 297));
/// ```
#[track_caller]
pub fn random_split<D, L, const N: usize>(dataset: &D, lengths: [L; N]) -> [Subset<D::Item>; N]
where
    D: Dataset + Clone + 'static,
    L: SplitLength,
{
    let lengths = lengths.map(SplitLength::as_f64);
    let parts = with_default_generator(|g| split_indices(dataset.len(), &lengths, g));
    into_subsets(Rc::new(dataset.clone()), parts)
}

/// [`random_split`] drawing from `generator` instead of the default one, as
/// `random_split(dataset, lengths, generator=torch.Generator().manual_seed(42))`.
///
/// ```
/// use nn_core::prelude::*;
///
/// let ds = TensorDataset::new(Tensor::arange(10));
/// let [a, b] = random_split_with(&ds, [3, 7], &mut Generator::new(42));
/// assert_eq!(a.indices(), [2, 6, 1]);
/// assert_eq!(b.len(), 7);
/// ```
#[track_caller]
pub fn random_split_with<D, L, const N: usize>(
    dataset: &D,
    lengths: [L; N],
    generator: &mut Generator,
) -> [Subset<D::Item>; N]
where
    D: Dataset + Clone + 'static,
    L: SplitLength,
{
    let lengths = lengths.map(SplitLength::as_f64);
    let parts = split_indices(dataset.len(), &lengths, generator);
    into_subsets(Rc::new(dataset.clone()), parts)
}

fn into_subsets<I: Sample, const N: usize>(
    dataset: Rc<dyn Dataset<Item = I>>,
    parts: Vec<Rc<[usize]>>,
) -> [Subset<I>; N] {
    let subsets: Vec<Subset<I>> = parts
        .into_iter()
        .map(|indices| Subset::from_shared(Rc::clone(&dataset), indices))
        .collect();
    match subsets.try_into() {
        Ok(array) => array,
        Err(_) => unreachable!("one part per length"),
    }
}

/// The indices of each part: the lengths resolved as torch does, then
/// consecutive runs of `randperm(sum(lengths))`.
#[track_caller]
fn split_indices(len: usize, lengths: &[f64], generator: &mut Generator) -> Vec<Rc<[usize]>> {
    let counts = match resolve_lengths(len, lengths) {
        Ok(counts) => counts,
        Err(message) => panic!("{message}"),
    };
    let perm = generator.randperm(len);
    let mut start = 0;
    counts
        .iter()
        .map(|&count| {
            let part: Rc<[usize]> = perm[start..start + count]
                .iter()
                .map(|&i| i as usize)
                .collect();
            start += count;
            part
        })
        .collect()
}

/// Lengths as counts, following `random_split`'s rules (torch 2.15,
/// torch/utils/data/dataset.py): fractions when their sum is close to 1
/// (`math.isclose`, relative tolerance 1e-9) and not above it.
fn resolve_lengths(len: usize, lengths: &[f64]) -> Result<Vec<usize>, String> {
    // Python's sum(): left to right from 0 (Python 3.11; 3.12's compensated
    // sum differs only in the last bit, which only matters exactly at 1).
    let sum: f64 = lengths.iter().fold(0.0, |acc, &l| acc + l);
    let is_close_to_one = (sum - 1.0).abs() <= 1e-9 * sum.abs().max(1.0);
    if is_close_to_one && sum <= 1.0 {
        let mut counts = Vec::with_capacity(lengths.len());
        for (i, &fraction) in lengths.iter().enumerate() {
            if !(0.0..=1.0).contains(&fraction) {
                return Err(format!("Fraction at index {i} is not between 0 and 1"));
            }
            counts.push((len as f64 * fraction).floor() as usize);
        }
        let remainder = len - counts.iter().sum::<usize>();
        for i in 0..remainder {
            let k = i % counts.len();
            counts[k] += 1;
        }
        for (i, &count) in counts.iter().enumerate() {
            if count == 0 {
                warn(&format!(
                    "Length of split at index {i} is 0. This might result in an empty dataset."
                ));
            }
        }
        return Ok(counts);
    }
    if sum != len as f64 {
        return Err(
            "Sum of input lengths does not equal the length of the input dataset!".to_string(),
        );
    }
    lengths
        .iter()
        .map(|&l| {
            if l >= 0.0 && l.fract() == 0.0 {
                Ok(l as usize)
            } else {
                Err(format!(
                    "random_split: lengths must be counts (whole numbers, not negative) or fractions summing to 1, but got {l}"
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::TensorDataset;
    use crate::tensor::Tensor;

    #[test]
    fn fractions_hand_out_the_remainder_round_robin() {
        // torch: random_split(range(10), [0.25, 0.25, 0.5]) -> 3, 3, 4 (2+2+5 = 9, one left).
        assert_eq!(resolve_lengths(10, &[0.25, 0.25, 0.5]), Ok(vec![3, 2, 5]));
        assert_eq!(resolve_lengths(11, &[0.3, 0.3, 0.4]), Ok(vec![4, 3, 4]));
        assert_eq!(resolve_lengths(1797, &[0.8, 0.2]), Ok(vec![1438, 359]));
    }

    #[test]
    fn counts_must_sum_to_the_length() {
        assert_eq!(resolve_lengths(10, &[3.0, 7.0]), Ok(vec![3, 7]));
        assert_eq!(
            resolve_lengths(10, &[3.0, 6.0]),
            Err("Sum of input lengths does not equal the length of the input dataset!".into())
        );
        assert!(resolve_lengths(10, &[3.5, 6.5]).is_err());
    }

    #[test]
    fn a_fraction_out_of_range_is_named() {
        assert_eq!(
            resolve_lengths(10, &[1.5, -0.5]),
            Err("Fraction at index 0 is not between 0 and 1".into())
        );
    }

    #[test]
    fn parts_cover_the_permutation_once() {
        let ds = TensorDataset::new(Tensor::arange(100));
        let [a, b, c] = random_split_with(&ds, [0.5, 0.3, 0.2], &mut Generator::new(3));
        let mut all: Vec<usize> = [a.indices(), b.indices(), c.indices()].concat();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert_eq!(
            a.indices(),
            &Generator::new(3).randperm(100)[..50]
                .iter()
                .map(|&i| i as usize)
                .collect::<Vec<_>>()[..]
        );
    }
}

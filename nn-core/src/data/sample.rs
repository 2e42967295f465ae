//! [`Sample`]: what one index of a data set gives — a tensor or a tuple of
//! tensors — and, stacked, what a batch is.

use crate::tensor::Tensor;

/// The shape of a data set's items and of a [`DataLoader`](super::DataLoader)'s
/// batches: a [`Tensor`], a tuple of up to four tensors, or a `Vec<Tensor>`.
///
/// A batch has the same type as an item, each tensor stacked along a new
/// first dimension, as PyTorch's `default_collate` does: items `(x_i, y_i)`
/// give batches `(x, y)`, so a training loop reads `for (x, y) in &loader`.
///
/// Only the conversion to and from a list of tensors is needed; the stacking
/// itself is [`default_collate`](super::default_collate), written once.
///
/// ```
/// use nn_core::data::Sample;
/// use nn_core::prelude::*;
///
/// let pair = (tensor![1.0, 2.0], tensor![0]);
/// let tensors = pair.into_tensors();
/// assert_eq!(tensors.len(), 2);
/// let (x, y) = <(Tensor, Tensor)>::from_tensors(tensors);
/// assert_eq!((x.shape(), y.shape()), (Size::from([2]), Size::from([1])));
/// ```
pub trait Sample: Sized {
    /// The tensors, in order.
    ///
    /// ```
    /// use nn_core::data::Sample;
    /// use nn_core::prelude::*;
    ///
    /// assert_eq!(tensor![1.0].into_tensors().len(), 1);
    /// ```
    fn into_tensors(self) -> Vec<Tensor>;

    /// Rebuilds the value from its tensors.
    ///
    /// # Panics
    /// If `tensors` does not hold as many tensors as `Self` has.
    ///
    /// ```
    /// use nn_core::data::Sample;
    /// use nn_core::prelude::*;
    ///
    /// let (a,) = <(Tensor,)>::from_tensors(vec![tensor![1.0]]);
    /// assert_eq!(a.to_vec::<f32>(), [1.0]);
    /// ```
    fn from_tensors(tensors: Vec<Tensor>) -> Self;
}

/// The panic of a `from_tensors` given the wrong number of tensors.
#[track_caller]
fn wrong_count(expected: usize, got: usize) -> ! {
    panic!("expected a sample of {expected} tensors, but got {got}")
}

/// A single tensor: a data set of one tensor whose batches are tensors.
///
/// ```
/// use nn_core::data::Sample;
/// use nn_core::prelude::*;
///
/// let x = Tensor::from_tensors(vec![tensor![1.0, 2.0]]);
/// assert_eq!(x.shape(), [2]);
/// ```
impl Sample for Tensor {
    fn into_tensors(self) -> Vec<Tensor> {
        vec![self]
    }

    #[track_caller]
    fn from_tensors(tensors: Vec<Tensor>) -> Self {
        let got = tensors.len();
        let [t] = <[Tensor; 1]>::try_from(tensors).unwrap_or_else(|_| wrong_count(1, got));
        t
    }
}

/// Any number of tensors, decided at run time.
///
/// ```
/// use nn_core::data::Sample;
/// use nn_core::prelude::*;
///
/// let v = Vec::<Tensor>::from_tensors(vec![tensor![1.0], tensor![2.0], tensor![3.0]]);
/// assert_eq!(v.len(), 3);
/// ```
impl Sample for Vec<Tensor> {
    fn into_tensors(self) -> Vec<Tensor> {
        self
    }

    fn from_tensors(tensors: Vec<Tensor>) -> Self {
        tensors
    }
}

macro_rules! sample_tuple {
    ($n:literal; $($name:ident),+) => {
        // A tuple of tensors, e.g. `(features, target)` (examples on the trait).
        impl Sample for ($(sample_tuple!(@tensor $name),)+) {
            fn into_tensors(self) -> Vec<Tensor> {
                let ($($name,)+) = self;
                vec![$($name),+]
            }

            #[track_caller]
            fn from_tensors(tensors: Vec<Tensor>) -> Self {
                let got = tensors.len();
                let [$($name),+] = <[Tensor; $n]>::try_from(tensors)
                    .unwrap_or_else(|_| wrong_count($n, got));
                ($($name,)+)
            }
        }
    };
    (@tensor $name:ident) => { Tensor };
}

sample_tuple!(1; a);
sample_tuple!(2; a, b);
sample_tuple!(3; a, b, c);
sample_tuple!(4; a, b, c, d);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor;

    #[test]
    fn tuples_round_trip_in_order() {
        let (a, b) = <(Tensor, Tensor)>::from_tensors(vec![tensor![1.0], tensor![2.0]]);
        assert_eq!((a.item(), b.item()), (1.0, 2.0));
        let t = (tensor![1.0], tensor![2.0], tensor![3.0]).into_tensors();
        assert_eq!(
            t.iter().map(Tensor::item).collect::<Vec<_>>(),
            [1.0, 2.0, 3.0]
        );
    }

    #[test]
    #[should_panic(expected = "expected a sample of 2 tensors, but got 3")]
    fn wrong_count_panics() {
        <(Tensor, Tensor)>::from_tensors(vec![tensor![1.0]; 3]);
    }
}

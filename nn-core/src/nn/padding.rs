//! `Padding`: how a convolution pads its input — zeros on each side, or
//! `"same"` / `"valid"`, as the `padding` argument of torch's `Conv2d`.

use super::int_or_pair::IntOrPair;
use crate::error::{Result, TensorError};

/// A convolution's `padding`: explicit amounts of zeros (the same before
/// and after, per dimension), `Same` (the output keeps the input's size;
/// stride 1 only) or `Valid` (no padding).
///
/// Converts from a number, a pair, or the strings `"same"` and `"valid"`:
///
/// ```
/// use nn_core::nn::Padding;
/// assert_eq!(Padding::from(1), Padding::Explicit([1, 1]));
/// assert_eq!(Padding::from((0, 2)), Padding::Explicit([0, 2]));
/// assert_eq!(Padding::from("same"), Padding::Same);
/// assert_eq!(Padding::default(), Padding::Explicit([0, 0]));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// Zeros before and after: `[height, width]` (a 1-D convolution uses
    /// the first).
    Explicit([usize; 2]),
    /// `padding="same"`: as many zeros as keep the output the input's size
    /// (an odd total puts the extra zero after, as torch does).
    Same,
    /// `padding="valid"`: no padding.
    Valid,
}

impl Default for Padding {
    fn default() -> Padding {
        Padding::Explicit([0, 0])
    }
}

impl Padding {
    /// Parses `"same"` or `"valid"`, with torch's error otherwise.
    ///
    /// ```
    /// use nn_core::nn::Padding;
    /// assert_eq!(Padding::try_from_str("valid").unwrap(), Padding::Valid);
    /// assert_eq!(
    ///     Padding::try_from_str("full").unwrap_err().to_string(),
    ///     "Invalid padding string 'full', should be one of {'valid', 'same'}"
    /// );
    /// ```
    pub fn try_from_str(s: &str) -> Result<Padding> {
        match s {
            "same" => Ok(Padding::Same),
            "valid" => Ok(Padding::Valid),
            _ => Err(TensorError::value(format!(
                "Invalid padding string '{s}', should be one of {{'valid', 'same'}}"
            ))),
        }
    }

    /// How torch prints it in a convolution's repr, for `dims` spatial
    /// dimensions: `(1, 1)`, `(1,)`, `same`, `valid`.
    pub(crate) fn repr(&self, dims: usize) -> String {
        match self {
            Padding::Explicit(p) => super::int_or_pair::python_tuple(&p[..dims]),
            Padding::Same => "same".into(),
            Padding::Valid => "valid".into(),
        }
    }

    /// Whether torch's repr shows it (anything but zeros).
    pub(crate) fn is_shown(&self) -> bool {
        *self != Padding::Explicit([0, 0])
    }
}

impl From<usize> for Padding {
    fn from(v: usize) -> Padding {
        Padding::Explicit([v, v])
    }
}

impl From<(usize, usize)> for Padding {
    fn from((h, w): (usize, usize)) -> Padding {
        Padding::Explicit([h, w])
    }
}

impl From<[usize; 2]> for Padding {
    fn from(p: [usize; 2]) -> Padding {
        Padding::Explicit(p)
    }
}

impl From<IntOrPair> for Padding {
    fn from(p: IntOrPair) -> Padding {
        Padding::Explicit(p.pair())
    }
}

/// `"same"` or `"valid"`.
///
/// # Panics
/// On any other string, with torch's message.
impl From<&str> for Padding {
    #[track_caller]
    fn from(s: &str) -> Padding {
        crate::error::or_panic(Padding::try_from_str(s))
    }
}

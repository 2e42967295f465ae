//! `IntOrPair`: a size argument given as one number or a pair, as torch's
//! `kernel_size=3` / `kernel_size=(3, 5)`.

use std::fmt;

/// One number for both spatial dimensions, or one per dimension (height,
/// width), as torch's `_size_2_t` arguments. Pooling layers print it as it
/// was given (`kernel_size=2`, `kernel_size=(2, 3)`); convolutions always
/// print pairs.
///
/// ```
/// use nn_core::nn::IntOrPair;
/// assert_eq!(IntOrPair::from(3).pair(), [3, 3]);
/// assert_eq!(IntOrPair::from((2, 5)).pair(), [2, 5]);
/// assert_eq!(IntOrPair::from(3).to_string(), "3");
/// assert_eq!(IntOrPair::from([2, 5]).to_string(), "(2, 5)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOrPair {
    /// The same number for height and width.
    Int(usize),
    /// Height, then width.
    Pair(usize, usize),
}

impl IntOrPair {
    /// `[height, width]`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::IntOrPair::Pair(1, 2).pair(), [1, 2]);
    /// ```
    pub fn pair(self) -> [usize; 2] {
        match self {
            IntOrPair::Int(v) => [v, v],
            IntOrPair::Pair(h, w) => [h, w],
        }
    }
}

impl From<usize> for IntOrPair {
    fn from(v: usize) -> IntOrPair {
        IntOrPair::Int(v)
    }
}

impl From<(usize, usize)> for IntOrPair {
    fn from((h, w): (usize, usize)) -> IntOrPair {
        IntOrPair::Pair(h, w)
    }
}

impl From<[usize; 2]> for IntOrPair {
    fn from([h, w]: [usize; 2]) -> IntOrPair {
        IntOrPair::Pair(h, w)
    }
}

/// Python's text: `3` or `(3, 5)`.
impl fmt::Display for IntOrPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrPair::Int(v) => write!(f, "{v}"),
            IntOrPair::Pair(h, w) => write!(f, "({h}, {w})"),
        }
    }
}

/// A Python tuple of sizes: `(3,)`, `(3, 5)`.
pub(crate) fn python_tuple(v: &[usize]) -> String {
    match v {
        [one] => format!("({one},)"),
        _ => {
            let parts: Vec<String> = v.iter().map(usize::to_string).collect();
            format!("({})", parts.join(", "))
        }
    }
}

/// Python's `True` / `False`.
pub(crate) fn python_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

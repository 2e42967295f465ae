//! `Size`, the shape of a tensor, printed as `torch.Size([3, 5])`.
//!
//! ```
//! use nn_core::prelude::*;
//!
//! let x = Tensor::zeros([3, 5]);
//! assert_eq!(x.size().to_string(), "torch.Size([3, 5])");
//! assert_eq!(x.size()[1], 5);
//! assert_eq!(x.size().numel(), 15);
//! ```

use std::fmt;
use std::ops::Deref;

/// The shape of a tensor, as `torch.Size`.
///
/// It dereferences to `[usize]`, so `x.size()[1]`, `.len()` and `.iter()` work,
/// and compares equal to arrays and slices.
///
/// ```
/// use nn_core::Size;
/// let s = Size::from([3, 5]);
/// assert_eq!(s.to_string(), "torch.Size([3, 5])");
/// assert_eq!(s[1], 5);
/// assert_eq!(s, [3, 5]);
/// assert_eq!(s.numel(), 15);
/// assert_eq!(Size::from([]).to_string(), "torch.Size([])");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Size(Vec<usize>);

impl Size {
    /// The number of elements a tensor of this shape holds (1 for `[]`).
    ///
    /// ```
    /// assert_eq!(nn_core::Size::from([2, 3, 4]).numel(), 24);
    /// ```
    pub fn numel(&self) -> usize {
        self.0.iter().product()
    }

    /// The dimensions as a vector.
    ///
    /// ```
    /// assert_eq!(nn_core::Size::from([2, 3]).to_vec(), vec![2, 3]);
    /// ```
    pub fn to_vec(&self) -> Vec<usize> {
        self.0.clone()
    }
}

impl Deref for Size {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        &self.0
    }
}

impl AsRef<[usize]> for Size {
    fn as_ref(&self) -> &[usize] {
        &self.0
    }
}

impl From<Vec<usize>> for Size {
    fn from(v: Vec<usize>) -> Self {
        Size(v)
    }
}

impl From<&[usize]> for Size {
    fn from(v: &[usize]) -> Self {
        Size(v.to_vec())
    }
}

impl<const N: usize> From<[usize; N]> for Size {
    fn from(v: [usize; N]) -> Self {
        Size(v.to_vec())
    }
}

impl From<Size> for Vec<usize> {
    fn from(s: Size) -> Self {
        s.0
    }
}

impl<const N: usize> PartialEq<[usize; N]> for Size {
    fn eq(&self, other: &[usize; N]) -> bool {
        self.0 == other
    }
}

impl PartialEq<[usize]> for Size {
    fn eq(&self, other: &[usize]) -> bool {
        self.0 == other
    }
}

impl PartialEq<Vec<usize>> for Size {
    fn eq(&self, other: &Vec<usize>) -> bool {
        &self.0 == other
    }
}

impl<'a> IntoIterator for &'a Size {
    type Item = &'a usize;
    type IntoIter = std::slice::Iter<'a, usize>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("torch.Size([")?;
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        f.write_str("])")
    }
}

impl fmt::Debug for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

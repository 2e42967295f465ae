//! PyTorch's broadcasting rules, and the reverse: summing a gradient back to
//! the shape of an input that was broadcast.

use super::Tensor;
use crate::error::{Result, TensorError};

/// The shape two operands broadcast to (dimensions aligned from the right;
/// each pair equal or one of them 1).
///
/// The error names sizes and the dimension as torch does:
/// `The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1`.
pub(crate) fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        // Position counted from the right, then mapped into each operand.
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            (x, y) => {
                return Err(TensorError::runtime(format!(
                    "The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {i}"
                )));
            }
        };
    }
    Ok(out)
}

impl Tensor {
    /// Sums this gradient over the dimensions that broadcasting expanded, so
    /// that it has `shape` again (torch's `sum_to_size`).
    pub(crate) fn sum_to_shape(&self, shape: &[usize]) -> Tensor {
        let own = self.shape();
        if own == *shape {
            return self.clone();
        }
        let lead = own.len() - shape.len();
        let mut dims: Vec<i64> = (0..lead as i64).collect();
        for (i, &s) in shape.iter().enumerate() {
            if s == 1 && own[lead + i] != 1 {
                dims.push((lead + i) as i64);
            }
        }
        let summed = if dims.is_empty() {
            self.clone()
        } else {
            self.sum_dims(&dims, true)
        };
        summed.reshape(shape.iter().map(|&d| d as i64).collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasts_like_torch() {
        assert_eq!(broadcast_shapes(&[3, 1], &[4]).unwrap(), vec![3, 4]);
        assert_eq!(broadcast_shapes(&[], &[2, 3]).unwrap(), vec![2, 3]);
        assert_eq!(
            broadcast_shapes(&[5, 1, 3], &[4, 1]).unwrap(),
            vec![5, 4, 3]
        );
        assert_eq!(
            broadcast_shapes(&[2, 3], &[2, 4]).unwrap_err().to_string(),
            "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"
        );
    }
}

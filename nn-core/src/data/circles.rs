//! [`make_circles`]: a small circle inside a large one (scikit-learn's
//! `make_circles`, drawn with torch's generator).

use std::f64::consts::PI;

use super::points::{shuffle_and_noise, step};
use crate::tensor::Tensor;

/// A circle of radius `factor` inside a circle of radius 1: `n_samples`
/// points as a float32 tensor `[n_samples, 2]` and their circle (0 outer,
/// 1 inner) as an int64 tensor `[n_samples]`, shuffled, with Gaussian noise
/// of standard deviation `noise` added to the coordinates.
///
/// The shape is scikit-learn's `make_circles` (the outer circle gets
/// `n_samples / 2` points, evenly spaced); the random numbers are torch's:
/// under [`manual_seed`](crate::manual_seed) this gives the same points, bit
/// for bit, as the PyTorch recipe `make_circles` in
/// `tools/reference/datasets.py`:
///
/// ```python
/// t = torch.arange(n, dtype=torch.float64) / n * (2 * math.pi)  # per circle
/// outer = (cos t, sin t);  inner = (cos t * factor, sin t * factor)
/// perm = torch.randperm(n_samples)
/// points = points[perm] + noise * torch.randn(n_samples, 2).double()
/// return points.float(), labels[perm]
/// ```
///
/// # Panics
/// If `factor` is not in `[0, 1)`.
///
/// ```
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// let (x, y) = data::make_circles(100, 0.05, 0.5);
/// assert_eq!(x.shape(), [100, 2]);
/// assert_eq!(y.sum().item(), 50.0);
/// ```
#[track_caller]
pub fn make_circles(n_samples: usize, noise: f64, factor: f64) -> (Tensor, Tensor) {
    assert!(
        (0.0..1.0).contains(&factor),
        "make_circles: factor must be in [0, 1), but got {factor}"
    );
    let n_out = n_samples / 2;
    let n_in = n_samples - n_out;
    let mut points = Vec::with_capacity(n_samples);
    for i in 0..n_out {
        let t = step(i, n_out, 2.0 * PI);
        points.push([t.cos(), t.sin()]);
    }
    for i in 0..n_in {
        let t = step(i, n_in, 2.0 * PI);
        points.push([t.cos() * factor, t.sin() * factor]);
    }
    let labels: Vec<i64> = (0..n_samples).map(|i| i64::from(i >= n_out)).collect();
    shuffle_and_noise(&points, &labels, noise)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_noise_the_radii_are_1_and_factor() {
        let (x, y) = make_circles(40, 0.0, 0.3);
        let xs = x.to_vec::<f32>();
        for (p, &label) in xs.chunks(2).zip(&y.to_vec::<i64>()) {
            let r = f64::from(p[0]).hypot(f64::from(p[1]));
            let expected = if label == 0 { 1.0 } else { 0.3 };
            assert!((r - expected).abs() < 1e-6, "{p:?} of circle {label}");
        }
    }

    #[test]
    #[should_panic(expected = "factor must be in [0, 1)")]
    fn factor_one_is_refused() {
        make_circles(10, 0.0, 1.0);
    }
}

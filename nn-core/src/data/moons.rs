//! [`make_moons`]: two interleaving half circles, a classic 2-D
//! classification data set (scikit-learn's `make_moons`, drawn with torch's
//! generator).

use std::f64::consts::PI;

use super::points::{shuffle_and_noise, step};
use crate::tensor::Tensor;

/// Two interleaving half circles: `n_samples` points as a float32 tensor
/// `[n_samples, 2]` and their moon (0 or 1) as an int64 tensor
/// `[n_samples]`, shuffled, with Gaussian noise of standard deviation
/// `noise` added to the coordinates.
///
/// The shape is scikit-learn's `make_moons` (the upper moon, label 0, gets
/// `n_samples / 2` points); the random numbers are torch's, from the default
/// generator: under [`manual_seed`](crate::manual_seed) this gives the same
/// points, bit for bit, as the PyTorch recipe `make_moons` in
/// `tools/reference/datasets.py`:
///
/// ```python
/// t = torch.arange(n, dtype=torch.float64) / max(n - 1, 1) * math.pi  # per moon
/// upper = (cos t, sin t);  lower = (1 - cos t, 1 - sin t - 0.5)
/// perm = torch.randperm(n_samples)                   # shuffle
/// points = points[perm] + noise * torch.randn(n_samples, 2).double()
/// return points.float(), labels[perm]
/// ```
///
/// ```
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// let (x, y) = data::make_moons(200, 0.1);
/// assert_eq!((x.shape(), y.shape()), (Size::from([200, 2]), Size::from([200])));
/// assert_eq!(y.sum().item(), 100.0);
/// ```
pub fn make_moons(n_samples: usize, noise: f64) -> (Tensor, Tensor) {
    let n_out = n_samples / 2;
    let n_in = n_samples - n_out;
    let mut points = Vec::with_capacity(n_samples);
    for i in 0..n_out {
        let t = step(i, (n_out.max(2)) - 1, PI);
        points.push([t.cos(), t.sin()]);
    }
    for i in 0..n_in {
        let t = step(i, (n_in.max(2)) - 1, PI);
        points.push([1.0 - t.cos(), 1.0 - t.sin() - 0.5]);
    }
    let labels: Vec<i64> = (0..n_samples).map(|i| i64::from(i >= n_out)).collect();
    shuffle_and_noise(&points, &labels, noise)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_noise_the_points_lie_on_the_moons() {
        let (x, y) = make_moons(50, 0.0);
        let xs = x.to_vec::<f32>();
        for (p, &label) in xs.chunks(2).zip(&y.to_vec::<i64>()) {
            let (cx, cy) = if label == 0 { (0.0, 0.0) } else { (1.0, 0.5) };
            let r = (f64::from(p[0]) - cx).hypot(f64::from(p[1]) - cy);
            assert!((r - 1.0).abs() < 1e-6, "{p:?} of moon {label}");
        }
    }
}

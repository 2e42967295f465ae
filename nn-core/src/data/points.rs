//! What the 2-D data set generators share: the last step of their recipe,
//! shuffling the points and adding noise (tools/reference/datasets.py,
//! `_shuffle_and_noise`).

use crate::random::with_default_generator;
use crate::tensor::Tensor;

/// `perm = torch.randperm(n)`, then `points[perm] + noise *
/// torch.randn(n, 2).double()` in float64, rounded once to float32, and
/// `labels[perm]`: the draws come from the default generator, in that order.
pub(crate) fn shuffle_and_noise(
    points: &[[f64; 2]],
    labels: &[i64],
    noise: f64,
) -> (Tensor, Tensor) {
    let n = points.len();
    let (perm, z) = with_default_generator(|g| {
        let perm = g.randperm(n);
        let mut z = vec![0.0f32; 2 * n];
        g.fill_normal_f32(&mut z, 0.0, 1.0);
        (perm, z)
    });
    let mut xy = Vec::with_capacity(2 * n);
    let mut shuffled = Vec::with_capacity(n);
    for (row, &p) in perm.iter().enumerate() {
        let [x, y] = points[p as usize];
        xy.push((x + noise * f64::from(z[2 * row])) as f32);
        xy.push((y + noise * f64::from(z[2 * row + 1])) as f32);
        shuffled.push(labels[p as usize]);
    }
    (
        Tensor::from_vec(xy, [n, 2]),
        Tensor::from_vec(shuffled, [n]),
    )
}

/// `torch.arange(n, dtype=torch.float64) / d * scale`, one value: `i / d`
/// then `· scale`, each rounded, as torch's two float64 kernels do.
pub(crate) fn step(i: usize, d: usize, scale: f64) -> f64 {
    i as f64 / d as f64 * scale
}

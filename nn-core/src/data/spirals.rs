//! [`make_spirals`]: interleaved spiral arms, one class per arm (the
//! CS231n spiral, drawn with torch's generator).

use std::f64::consts::PI;

use super::points::step;
use crate::random::with_default_generator;
use crate::tensor::Tensor;

/// `n_classes` spiral arms around the origin: `n_samples` points as a
/// float32 tensor `[n_samples, 2]` and their arm as an int64 tensor
/// `[n_samples]`, shuffled. Arm `k` runs from the origin to radius 1 while
/// its angle turns by 4 radians, starting at `2π·k / n_classes`; `noise` is
/// the standard deviation of Gaussian noise added to the angle (CS231n's
/// spiral uses 0.2). The arms get `n_samples / n_classes` points each, the
/// first arms one more when it does not divide.
///
/// Under [`manual_seed`](crate::manual_seed) this gives the same points, bit
/// for bit, as the PyTorch recipe `make_spirals` in
/// `tools/reference/datasets.py`:
///
/// ```python
/// r = torch.arange(m, dtype=torch.float64) / max(m - 1, 1)   # per arm, m points
/// perm = torch.randperm(n_samples)                           # shuffle r and labels
/// angle = r * 4 + labels.double() * (2 * math.pi / n_classes) \
///         + noise * torch.randn(n_samples).double()
/// points = torch.stack([r * torch.sin(angle), r * torch.cos(angle)], dim=1)
/// return points.float(), labels
/// ```
///
/// # Panics
/// If `n_classes` is 0.
///
/// ```
/// use nn_core::prelude::*;
///
/// manual_seed(0);
/// let (x, y) = data::make_spirals(300, 3, 0.2);
/// assert_eq!(x.shape(), [300, 2]);
/// assert_eq!(y.max().item(), 2.0);
/// ```
#[track_caller]
pub fn make_spirals(n_samples: usize, n_classes: usize, noise: f64) -> (Tensor, Tensor) {
    assert!(n_classes > 0, "make_spirals: n_classes must be at least 1");
    let mut radius = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for k in 0..n_classes {
        let m = n_samples / n_classes + usize::from(k < n_samples % n_classes);
        radius.extend((0..m).map(|i| step(i, m.max(2) - 1, 1.0)));
        labels.extend(std::iter::repeat_n(k as i64, m));
    }
    let (perm, z) = with_default_generator(|g| {
        let perm = g.randperm(n_samples);
        let mut z = vec![0.0f32; n_samples];
        g.fill_normal_f32(&mut z, 0.0, 1.0);
        (perm, z)
    });
    let arm_angle = 2.0 * PI / n_classes as f64;
    let mut xy = Vec::with_capacity(2 * n_samples);
    let mut shuffled = Vec::with_capacity(n_samples);
    for (row, &p) in perm.iter().enumerate() {
        let (r, label) = (radius[p as usize], labels[p as usize]);
        let angle = r * 4.0 + label as f64 * arm_angle + noise * f64::from(z[row]);
        xy.push((r * angle.sin()) as f32);
        xy.push((r * angle.cos()) as f32);
        shuffled.push(label);
    }
    (
        Tensor::from_vec(xy, [n_samples, 2]),
        Tensor::from_vec(shuffled, [n_samples]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arms_split_the_samples_as_evenly_as_possible() {
        let (x, y) = make_spirals(10, 3, 0.0);
        assert_eq!(x.shape(), [10, 2]);
        let mut counts = [0; 3];
        for l in y.to_vec::<i64>() {
            counts[l as usize] += 1;
        }
        assert_eq!(counts, [4, 3, 3]);
    }

    #[test]
    fn without_noise_radius_and_angle_follow_the_arm() {
        let (x, y) = make_spirals(30, 2, 0.0);
        for (p, &label) in x.to_vec::<f32>().chunks(2).zip(&y.to_vec::<i64>()) {
            let r = f64::from(p[0]).hypot(f64::from(p[1]));
            if r > 1e-3 {
                let angle = f64::from(p[0]).atan2(f64::from(p[1]));
                let expected = r * 4.0 + label as f64 * PI;
                let turn = (angle - expected).rem_euclid(2.0 * PI);
                assert!(
                    !(1e-5..=2.0 * PI - 1e-5).contains(&turn),
                    "{p:?} of arm {label}"
                );
            }
        }
    }
}

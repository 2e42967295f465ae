"""The 2-D data sets of nn_core::data, as PyTorch code.

`make_moons`, `make_circles` and `make_spirals` here are the recipes that
nn-core's `data::make_moons`, `data::make_circles` and `data::make_spirals`
follow: after the same `torch.manual_seed(s)` they give the same points, bit
for bit (tools/reference/data_cases.py records them; nn-core/tests/data_cases.rs
checks). Use them in the PyTorch twin of a notebook:

    import torch
    from datasets import make_moons      # this file
    torch.manual_seed(0)
    x, y = make_moons(200, noise=0.1)    # Rust: manual_seed(0); data::make_moons(200, 0.1)

`load_digits()` reads the 8×8 digits that nn-core embeds
(nn-core/data/digits.csv.gz, scikit-learn's file), as `data::load_digits()`.

The recipes, in the words of scikit-learn's generators of the same names:
evenly spaced points on the curves, computed in float64; the samples
shuffled with `torch.randperm`; Gaussian noise from `torch.randn` (float32
draws, used in float64); the points rounded once to float32 at the end.

Only torch is needed (no numpy, no scikit-learn).
"""

import csv
import gzip
import math
import os

import torch

DIGITS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "nn-core", "data", "digits.csv.gz",
)


def _shuffle_and_noise(points, labels, noise):
    """Shuffles the samples, then adds noise * N(0, 1) to each coordinate."""
    n = points.shape[0]
    perm = torch.randperm(n)
    points, labels = points[perm], labels[perm]
    points = points + noise * torch.randn(n, 2).double()
    return points.float(), labels


def make_moons(n_samples=100, noise=0.0):
    """Two interleaving half circles; label 0 (upper moon) gets n_samples // 2 points."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = torch.arange(n_out, dtype=torch.float64) / max(n_out - 1, 1) * math.pi
    t_in = torch.arange(n_in, dtype=torch.float64) / max(n_in - 1, 1) * math.pi
    x = torch.cat([torch.cos(t_out), 1 - torch.cos(t_in)])
    y = torch.cat([torch.sin(t_out), 1 - torch.sin(t_in) - 0.5])
    labels = torch.cat(
        [torch.zeros(n_out, dtype=torch.int64), torch.ones(n_in, dtype=torch.int64)]
    )
    return _shuffle_and_noise(torch.stack([x, y], dim=1), labels, noise)


def make_circles(n_samples=100, noise=0.0, factor=0.8):
    """A circle of radius `factor` (label 1) inside the unit circle (label 0)."""
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor must be in [0, 1), but got {factor}")
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = torch.arange(n_out, dtype=torch.float64) / n_out * (2 * math.pi)
    t_in = torch.arange(n_in, dtype=torch.float64) / n_in * (2 * math.pi)
    x = torch.cat([torch.cos(t_out), torch.cos(t_in) * factor])
    y = torch.cat([torch.sin(t_out), torch.sin(t_in) * factor])
    labels = torch.cat(
        [torch.zeros(n_out, dtype=torch.int64), torch.ones(n_in, dtype=torch.int64)]
    )
    return _shuffle_and_noise(torch.stack([x, y], dim=1), labels, noise)


def make_spirals(n_samples=300, n_classes=3, noise=0.2):
    """CS231n's spiral: one arm per class, from the origin to radius 1, the
    angle turning 4 radians along an arm; the noise is added to the angle."""
    if n_classes < 1:
        raise ValueError("make_spirals: n_classes must be at least 1")
    counts = [
        n_samples // n_classes + (1 if k < n_samples % n_classes else 0)
        for k in range(n_classes)
    ]
    r = torch.cat(
        [torch.arange(m, dtype=torch.float64) / max(m - 1, 1) for m in counts]
    )
    labels = torch.cat(
        [torch.full((m,), k, dtype=torch.int64) for k, m in enumerate(counts)]
    )
    perm = torch.randperm(n_samples)
    r, labels = r[perm], labels[perm]
    angle = (
        r * 4
        + labels.double() * (2 * math.pi / n_classes)
        + noise * torch.randn(n_samples).double()
    )
    points = torch.stack([r * torch.sin(angle), r * torch.cos(angle)], dim=1)
    return points.float(), labels


def load_digits():
    """The 1,797 handwritten digits, as nn-core's `data::load_digits()` and
    scikit-learn's `load_digits(return_X_y=True)`: images as float32
    [1797, 64] (8×8 pixels row by row, 0 to 16), digits as int64 [1797]."""
    with gzip.open(DIGITS, "rt") as f:
        rows = [[float(v) for v in row] for row in csv.reader(f)]
    table = torch.tensor(rows, dtype=torch.float32)
    return table[:, :64].contiguous(), table[:, 64].long()

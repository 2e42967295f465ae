"""Reference cases for nn_core::data, from PyTorch.

Runs torch.utils.data (DataLoader, RandomSampler, random_split) and the
data set recipes of datasets.py under several seeds and writes what they give
to nn-core/tests/reference/data-cases.json, which nn-core/tests/data_cases.rs
replays in Rust. Needs only torch (2.15.0 for the committed file):

    python3 tools/reference/data_cases.py

Every case starts from `torch.manual_seed(seed)` and runs a small program;
after it, a "probe" of the default generator (`torch.empty(4,
dtype=torch.int64).random_()`) records how many numbers the program drew, so
the Rust side must draw exactly as many, in the same order.
"""

import gzip
import hashlib
import json
import os
import struct
import sys

import torch
from torch.utils.data import DataLoader, TensorDataset, random_split

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datasets import make_circles, make_moons, make_spirals  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "nn-core", "tests", "reference", "data-cases.json")
DIGITS = os.path.join(ROOT, "nn-core", "data", "digits.csv.gz")

SEEDS = [0, 1, 42, 2024]


def probe():
    return torch.empty(4, dtype=torch.int64).random_().tolist()


def run_loader(n, batch_size, shuffle, drop_last, program, generator_seed):
    """program: list of steps; "epoch" iterates a whole epoch, "next" takes
    next(iter(loader)), "rand" draws torch.rand(3) (as a model's
    initialisation would between epochs). Returns each step's batches."""
    ds = TensorDataset(torch.arange(n))
    kwargs = {}
    if generator_seed is not None:
        kwargs["generator"] = torch.Generator().manual_seed(generator_seed)
    loader = DataLoader(ds, batch_size=batch_size, shuffle=shuffle,
                        drop_last=drop_last, **kwargs)
    steps = []
    for step in program:
        if step == "epoch":
            steps.append([b[0].tolist() for b in loader])
        elif step == "next":
            steps.append([next(iter(loader))[0].tolist()])
        elif step == "rand":
            torch.rand(3)
            steps.append([])
        else:
            raise ValueError(step)
    return len(loader), steps


def loader_cases():
    cases = []
    shapes = [
        (10, 3), (10, 5), (10, 10), (10, 16), (7, 1), (1, 1), (1, 4),
        (17, 4), (100, 32), (100, 7), (150, 16), (1797, 64),
    ]
    for seed in SEEDS:
        for n, bs in shapes:
            for shuffle in (False, True):
                for drop_last in (False, True):
                    cases.append(dict(seed=seed, n=n, batch_size=bs, shuffle=shuffle,
                                      drop_last=drop_last, generator_seed=None,
                                      program=["epoch", "epoch", "epoch"]))
    # Partial epochs, draws between epochs, a generator of the loader's own.
    for seed in SEEDS:
        for program in (["next", "epoch"], ["epoch", "rand", "epoch"], ["next", "next", "rand", "next"]):
            cases.append(dict(seed=seed, n=20, batch_size=6, shuffle=True, drop_last=False,
                              generator_seed=None, program=program))
        for n, bs, drop_last in ((10, 3, False), (12, 4, True), (12, 4, False), (100, 32, True)):
            cases.append(dict(seed=seed, n=n, batch_size=bs, shuffle=True, drop_last=drop_last,
                              generator_seed=seed + 7, program=["epoch", "epoch", "next", "epoch"]))
            cases.append(dict(seed=seed, n=n, batch_size=bs, shuffle=False, drop_last=drop_last,
                              generator_seed=seed + 7, program=["epoch", "next"]))
    for c in cases:
        torch.manual_seed(c["seed"])
        c["len"], c["steps"] = run_loader(c["n"], c["batch_size"], c["shuffle"],
                                          c["drop_last"], c["program"], c["generator_seed"])
        c["probe"] = probe()
    return cases


def pair_loader_cases():
    """A two-tensor data set: the batches as torch prints them."""
    cases = []
    for seed in (0, 3):
        torch.manual_seed(seed)
        x = torch.arange(21, dtype=torch.float32).view(7, 3) / 4
        y = torch.arange(7) % 3
        loader = DataLoader(TensorDataset(x, y), batch_size=3, shuffle=True)
        batches = [[str(xb), str(yb)] for xb, yb in loader]
        cases.append(dict(seed=seed, batch_size=3, batches=batches, probe=probe()))
    return cases


def split_cases():
    cases = []
    configs = [
        (10, [3, 7]), (10, [0.3, 0.7]), (10, [0.25, 0.25, 0.5]), (11, [0.3, 0.3, 0.4]),
        (100, [80, 20]), (100, [0.8, 0.1, 0.1]), (1797, [0.8, 0.2]), (1797, [1000, 797]),
        (5, [0.5, 0.5]), (3, [1.0, 0.0]),
    ]
    for seed in SEEDS:
        for n, lengths in configs:
            for generator_seed in (None, 42):
                torch.manual_seed(seed)
                kwargs = {}
                if generator_seed is not None:
                    kwargs["generator"] = torch.Generator().manual_seed(generator_seed)
                parts = random_split(range(n), lengths, **kwargs)
                cases.append(dict(seed=seed, n=n, lengths=lengths, generator_seed=generator_seed,
                                  indices=[list(p.indices) for p in parts], probe=probe()))
    return cases


def f32_bits(t):
    return [format(struct.unpack("<I", struct.pack("<f", v))[0], "08x") for v in t.flatten().tolist()]


def generator_cases():
    cases = []
    programs = [
        ("make_moons", [100, 0.1]), ("make_moons", [7, 0.0]), ("make_moons", [1, 0.3]),
        ("make_moons", [0, 0.1]), ("make_moons", [300, 0.2]),
        ("make_circles", [100, 0.05, 0.5]), ("make_circles", [9, 0.0, 0.8]),
        ("make_circles", [1, 0.1, 0.3]),
        ("make_spirals", [300, 3, 0.2]), ("make_spirals", [10, 4, 0.5]),
        ("make_spirals", [7, 2, 0.0]), ("make_spirals", [200, 2, 0.1]),
    ]
    functions = dict(make_moons=make_moons, make_circles=make_circles, make_spirals=make_spirals)
    for seed in (0, 1, 42):
        for name, args in programs:
            torch.manual_seed(seed)
            x, y = functions[name](*args)
            cases.append(dict(seed=seed, function=name, args=args, shape=list(x.shape),
                              x_bits=f32_bits(x), y=y.tolist(), probe=probe()))
    return cases


def digits_case():
    """Read with Python's gzip and csv modules, independently of nn-core."""
    with gzip.open(DIGITS, "rt") as f:
        rows = [[int(v) for v in line.split(",")] for line in f]
    images = [r[:64] for r in rows]
    labels = [r[64] for r in rows]
    flat = struct.pack("<%df" % (64 * len(images)), *[float(p) for img in images for p in img])
    return dict(
        count=len(rows),
        class_counts=[labels.count(k) for k in range(10)],
        images_sha256=hashlib.sha256(flat).hexdigest(),
        labels_sha256=hashlib.sha256(struct.pack("<%dq" % len(labels), *labels)).hexdigest(),
        first_image=images[0],
        first_labels=labels[:20],
    )


def main():
    doc = dict(
        torch_version=torch.__version__,
        loader=loader_cases(),
        pair_loader=pair_loader_cases(),
        random_split=split_cases(),
        generators=generator_cases(),
        digits=digits_case(),
    )
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{OUT}: {len(doc['loader'])} loader, {len(doc['pair_loader'])} pair-loader, "
          f"{len(doc['random_split'])} random_split, {len(doc['generators'])} generator cases; "
          f"{os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()

"""torch's side of the convolutional workloads of nn-core/benches/workloads.rs,
in the style of ../shared/pytorch-reference/bench_torch.py (same timing, same
JSON): bench/compare.sh runs both and puts them next to nn-core's.

Run:  python3 bench/bench_conv_torch.py [--out FILE] [--json FILE] [--quick]

  cnn_digits_b64           the course's digits CNN, Conv2d(1,8,3,pad 1)-ReLU-MaxPool2d(2)-
                           Conv2d(8,16,3,pad 1)-ReLU-MaxPool2d(2)-Flatten-Linear(64,10), batch 64
                           of 1x8x8: one training step (forward, CrossEntropyLoss, backward, SGD)
  lenet_fwd_b64            LeNet-5 (ReLU, max pooling) on 64 images of 1x28x28, forward under no_grad
  lenet_train_b64          the same, one training step
  conv2d_3x3_64x32x32x32   Conv2d(32, 32, 3, padding=1) on randn(64, 32, 32, 32), forward under no_grad
"""
import argparse
import json
import platform
import statistics
import time

import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--out", default="bench-conv-torch.txt")
p.add_argument("--json", default="bench-conv-torch.json")
p.add_argument("--quick", action="store_true")
args = p.parse_args()
REPEATS = 3 if args.quick else 7


def timeit(fn, iters, repeats=REPEATS, warmup=None):
    for _ in range(warmup if warmup is not None else max(1, iters // 5)):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        times.append((time.perf_counter() - t0) / iters)
    return statistics.median(times), min(times), max(times)


def digits_cnn():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64, 10))


def lenet():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def train_setup(make, image):
    torch.manual_seed(0)
    net = make()
    x = torch.randn(64, *image)
    target = torch.randint(0, 10, (64,))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_func = nn.CrossEntropyLoss()

    def step():
        out = net(x)
        loss = loss_func(out, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def lenet_forward_setup():
    torch.manual_seed(0)
    net = lenet()
    x = torch.randn(64, 1, 28, 28)

    def fwd():
        with torch.no_grad():
            net(x)

    return fwd


def conv_large_setup():
    torch.manual_seed(0)
    conv = nn.Conv2d(32, 32, 3, padding=1)
    x = torch.randn(64, 32, 32, 32)

    def fwd():
        with torch.no_grad():
            conv(x)

    return fwd


rows = []
results = {}


def record(key, label, threads, med, mn, mx, note):
    results.setdefault(key, {})[threads] = {"median_s": med, "min_s": mn, "max_s": mx}
    rows.append((label, threads, med, mn, mx, note))


q = 0.3 if args.quick else 1.0
for threads in (1, 2):
    torch.set_num_threads(threads)
    med, mn, mx = timeit(train_setup(digits_cnn, (1, 8, 8)), int(300 * q))
    record("cnn_digits_b64", "digits CNN batch 64 (1x8x8) train step", threads, med, mn, mx, f"{1 / med:,.0f} steps/s")
    med, mn, mx = timeit(lenet_forward_setup(), int(100 * q))
    record("lenet_fwd_b64", "LeNet-5 batch 64 (1x28x28) forward, no_grad", threads, med, mn, mx, f"{1 / med:,.0f} calls/s")
    med, mn, mx = timeit(train_setup(lenet, (1, 28, 28)), int(50 * q))
    record("lenet_train_b64", "LeNet-5 batch 64 (1x28x28) train step", threads, med, mn, mx, f"{1 / med:,.0f} steps/s")
    med, mn, mx = timeit(conv_large_setup(), max(3, int(10 * q)))
    gf = 2 * 64 * 32 * 32 * 32 * 32 * 9 / med / 1e9
    record("conv2d_3x3_64x32x32x32", "Conv2d(32,32,3,pad 1) on 64x32x32x32 forward", threads, med, mn, mx,
           f"{gf:,.1f} GFLOP/s")

lines = [f"torch {torch.__version__} | python {platform.python_version()} | {platform.machine()} | "
         f"cpu capability {torch.backends.cpu.get_cpu_capability()} | mkldnn {torch.backends.mkldnn.is_available()}",
         f"timing: median of {REPEATS} runs (time.perf_counter), per-iteration; min/max in brackets", "",
         f"{'benchmark':52s} {'thr':>3s} {'median':>12s}  {'rate':>18s}   [min .. max]", "-" * 110]
for (label, threads, med, mn, mx, note) in rows:
    def fmt(s):
        return f"{s * 1e3:.4f} ms" if s >= 1e-4 else f"{s * 1e6:.2f} us"
    lines.append(f"{label:52s} {threads:>3d} {fmt(med):>12s}  {note:>18s}   [{fmt(mn)} .. {fmt(mx)}]")
text = "\n".join(lines)
print(text)
with open(args.out, "w") as f:
    f.write(text + "\n")
with open(args.json, "w") as f:
    json.dump(results, f, indent=1)

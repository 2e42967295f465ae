#!/usr/bin/env bash
# Runs PyTorch's benchmarks (../shared/pytorch-reference/bench_torch.py and
# bench/bench_conv_torch.py, the convolutional networks) and ours (cargo
# bench -p nn-core --bench workloads) back to back, then prints
# torch_time / our_time per workload and thread count (> 1: we are faster).
#
#   bench/compare.sh            full runs (about 5 minutes each)
#   bench/compare.sh --quick    shorter runs (bench_torch.py --quick, NN_BENCH_QUICK=1)
#   bench/compare.sh --table    only print the table from the last runs' results
#   bench/compare.sh --conv     only the convolutional workloads (f)-(h)
#
# Without torch (`python3 -c 'import torch'` fails) it runs ours, prints our
# times and says torch is missing; the ratios then use the numbers in
# bench-torch.md (another machine and run: indicative only).
# Results: target/bench-compare/ (torch.json, torch.txt, torch-conv.json,
# torch-conv.txt) and target/criterion/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0 run=1 conv=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --conv) conv=1 ;;
    --table) run=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

ref=../shared/pytorch-reference
target="${CARGO_TARGET_DIR:-target}"
out="$target/bench-compare"
mkdir -p "$out"

if [ "$run" = 1 ]; then
  if python3 -c 'import torch' 2>/dev/null; then
    if [ "$conv" = 0 ]; then
      echo "==> torch: python3 $ref/bench_torch.py" >&2
      python3 "$ref/bench_torch.py" $([ "$quick" = 1 ] && echo --quick) \
        --out "$out/torch.txt" --json "$out/torch.json" >&2
    fi
    echo "==> torch: python3 bench/bench_conv_torch.py" >&2
    python3 bench/bench_conv_torch.py $([ "$quick" = 1 ] && echo --quick) \
      --out "$out/torch-conv.txt" --json "$out/torch-conv.json" >&2
  else
    rm -f "$out/torch.json" "$out/torch-conv.json"
  fi
  echo "==> ours: cargo bench -p nn-core --bench workloads" >&2
  if [ "$quick" = 1 ]; then export NN_BENCH_QUICK=1; fi
  if [ "$conv" = 1 ]; then
    cargo bench -p nn-core --bench workloads -- 'cnn_|lenet|conv2d' >&2
  else
    cargo bench -p nn-core --bench workloads >&2
  fi
fi

# Other processes share the cores: say how busy the machine was.
if [ "$run" = 1 ] && [ -r /proc/loadavg ]; then
  echo "load average (1, 5, 15 min) after the runs: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
fi

python3 - "$target/criterion" "$out/torch.json" "$ref/bench-torch.md" "$out/torch-conv.json" <<'EOF'
import json, os, re, sys

criterion, torch_json, torch_md, torch_conv_json = sys.argv[1:5]
workloads = [
    ("reg_1_10_1", "(a) regression SGD step, net 1-10-1"),
    ("reg_1_64_64_1", "(a) regression SGD step, net 1-64-64-1"),
    ("reg_1_10_1_adam", "(a') regression Adam step, net 1-10-1"),
    ("mlp_784_128_10_b64", "(b) MLP 784-128-10 batch 64 train step"),
    ("matmul_512", "(c) matmul 512x512 float32"),
    ("matmul_1024", "(c) matmul 1024x1024 float32"),
    ("ffn_fwd_grad", "(d) forward 1-4-6-1 batch 3, autograd on"),
    ("ffn_fwd_nograd", "(d') forward 1-4-6-1 batch 3, no_grad"),
    ("relu_1e6", "(e) relu, 10^6 floats"),
    ("sigmoid_1e6", "(e) sigmoid, 10^6 floats"),
    ("cnn_digits_b64", "(f) digits CNN batch 64 train step"),
    ("lenet_fwd_b64", "(g) LeNet-5 batch 64 forward, no_grad"),
    ("lenet_train_b64", "(g) LeNet-5 batch 64 train step"),
    ("conv2d_3x3_64x32x32x32", "(h) Conv2d 3x3 on 64x32x32x32, forward"),
]
# bench-torch.md (the fallback without torch) has rows for the first ten only.
md_workloads = workloads[:10]

def ours(key, threads):
    path = os.path.join(criterion, key, str(threads), "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"] * 1e-9
    except OSError:
        return None

torch, source = {}, None
if os.path.exists(torch_json) or os.path.exists(torch_conv_json):
    doc = {}
    for path in (torch_json, torch_conv_json):
        if os.path.exists(path):
            with open(path) as f:
                doc.update(json.load(f))
    for key, _ in workloads:
        for threads, r in doc.get(key, {}).items():
            torch[(key, int(threads))] = r["median_s"]
    source = "measured in this run"
else:
    print("torch is missing (no torch results: python3 -c 'import torch' fails, or torch was not run;"
          " pip install torch to measure it here).")
    # bench-torch.md, Run 1: rows in bench_torch.py's order, 1 then 2 threads.
    try:
        text = open(torch_md).read()
        run1 = text.split("## Run 1", 1)[1].split("## Run 2", 1)[0]
        rows = re.findall(r"^\(.*?\s(\d)\s+([\d.]+) (ms|us)\s", run1, re.M)
        for i, (threads, value, unit) in enumerate(rows):
            key = md_workloads[i % len(md_workloads)][0]
            torch[(key, int(threads))] = float(value) * (1e-3 if unit == "ms" else 1e-6)
        source = "from bench-torch.md Run 1 (another machine and run: indicative only)"
    except (OSError, IndexError):
        pass

def fmt(s):
    if s is None:
        return "-"
    return f"{s * 1e3:.3f} ms" if s >= 1e-4 else f"{s * 1e6:.2f} us"

print(f"torch times: {source or 'none'}; ours: criterion median. ratio = torch / ours (> 1: we are faster)")
print(f"{'workload':44s} {'thr':>3s} {'torch':>11s} {'ours':>11s} {'ratio':>8s}")
print("-" * 81)
for threads in (1, 2):
    for key, label in workloads:
        t, o = torch.get((key, threads)), ours(key, threads)
        ratio = f"{t / o:.2f}x" if t and o else "-"
        print(f"{label:44s} {threads:>3d} {fmt(t):>11s} {fmt(o):>11s} {ratio:>8s}")
EOF

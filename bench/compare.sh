#!/usr/bin/env bash
# Runs PyTorch's benchmarks (../shared/pytorch-reference/bench_torch.py and
# bench/bench_conv_torch.py, the convolutional networks) and ours (cargo
# bench -p nn-core --bench workloads) back to back, then prints
# torch_time / our_time per workload and thread count (> 1: we are faster).
#
#   bench/compare.sh              full runs (about 5 minutes each)
#   bench/compare.sh --quick      shorter runs (bench_torch.py --quick, NN_BENCH_QUICK=1)
#   bench/compare.sh --conv       only the convolutional workloads (f)-(h)
#   bench/compare.sh --repeat N   N rounds, torch first in odd rounds and ours
#                                 first in even ones; prints the medians over
#                                 the rounds (times, and the ratios of each
#                                 round) and each round's load average
#   bench/compare.sh --table      only print the table from the last runs' results
#
# On a machine shared with other work, compare within a round and take
# medians of several rounds: torch and ours then see the same load.
# Without torch (`python3 -c 'import torch'` fails) it runs ours, prints our
# times and says torch is missing; the ratios then use the numbers in
# bench-torch.md (another machine and run: indicative only).
# Results: target/bench-compare/ (torch*.json, torch*.txt, rounds/N.json) and
# target/criterion/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0 run=1 conv=0 repeat=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --conv) conv=1 ;;
    --table) run=0 ;;
    --repeat) repeat="${2:?--repeat needs a number}"; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

ref=../shared/pytorch-reference
target="${CARGO_TARGET_DIR:-target}"
out="$target/bench-compare"
mkdir -p "$out"
have_torch=0
python3 -c 'import torch' 2>/dev/null && have_torch=1

run_torch() {
  if [ "$have_torch" = 0 ]; then
    rm -f "$out/torch.json" "$out/torch-conv.json"
    return
  fi
  if [ "$conv" = 0 ]; then
    echo "==> torch: python3 $ref/bench_torch.py" >&2
    python3 "$ref/bench_torch.py" $([ "$quick" = 1 ] && echo --quick) \
      --out "$out/torch.txt" --json "$out/torch.json" >&2
  fi
  echo "==> torch: python3 bench/bench_conv_torch.py" >&2
  python3 bench/bench_conv_torch.py $([ "$quick" = 1 ] && echo --quick) \
    --out "$out/torch-conv.txt" --json "$out/torch-conv.json" >&2
}

run_ours() {
  echo "==> ours: cargo bench -p nn-core --bench workloads" >&2
  if [ "$quick" = 1 ]; then export NN_BENCH_QUICK=1; fi
  if [ "$conv" = 1 ]; then
    cargo bench -p nn-core --bench workloads -- 'cnn_|lenet|conv2d' >&2
  else
    cargo bench -p nn-core --bench workloads >&2
  fi
}

# The Python below: `snapshot N` records round N's results (with the load
# average) in rounds/N.json; `table` prints the medians over the rounds.
analyse() {
  python3 - "$1" "${2:-}" "$target/criterion" "$out" "$ref/bench-torch.md" <<'EOF'
import json, os, re, statistics, sys

mode, round_no, criterion, out, torch_md = sys.argv[1:6]
torch_json = os.path.join(out, "torch.json")
torch_conv_json = os.path.join(out, "torch-conv.json")
rounds_dir = os.path.join(out, "rounds")
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


def torch_now():
    """torch's medians from this round's files, or bench-torch.md's."""
    torch, source = {}, None
    if os.path.exists(torch_json) or os.path.exists(torch_conv_json):
        doc = {}
        for path in (torch_json, torch_conv_json):
            if os.path.exists(path):
                with open(path) as f:
                    doc.update(json.load(f))
        for key, _ in workloads:
            for threads, r in doc.get(key, {}).items():
                torch[f"{key}/{threads}"] = r["median_s"]
        source = "measured in this run"
    else:
        # bench-torch.md, Run 1: rows in bench_torch.py's order, 1 then 2 threads.
        try:
            text = open(torch_md).read()
            run1 = text.split("## Run 1", 1)[1].split("## Run 2", 1)[0]
            rows = re.findall(r"^\(.*?\s(\d)\s+([\d.]+) (ms|us)\s", run1, re.M)
            for i, (threads, value, unit) in enumerate(rows):
                key = md_workloads[i % len(md_workloads)][0]
                torch[f"{key}/{threads}"] = float(value) * (1e-3 if unit == "ms" else 1e-6)
            source = "from bench-torch.md Run 1 (another machine and run: indicative only)"
        except (OSError, IndexError):
            pass
    return torch, source


if mode == "snapshot":
    torch, source = torch_now()
    mine = {f"{k}/{t}": ours(k, t) for k, _ in workloads for t in (1, 2)}
    load = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else []
    os.makedirs(rounds_dir, exist_ok=True)
    with open(os.path.join(rounds_dir, f"{round_no}.json"), "w") as f:
        json.dump({"load": load, "torch": torch, "torch_source": source, "ours": mine}, f)
    sys.exit(0)

rounds = []
if os.path.isdir(rounds_dir):
    for name in sorted(os.listdir(rounds_dir), key=lambda n: int(n.split(".")[0])):
        with open(os.path.join(rounds_dir, name)) as f:
            rounds.append(json.load(f))
if not rounds:
    torch, source = torch_now()
    rounds = [{"load": [], "torch": torch, "torch_source": source,
               "ours": {f"{k}/{t}": ours(k, t) for k, _ in workloads for t in (1, 2)}}]
source = rounds[-1]["torch_source"]
if source is None or source.startswith("from bench-torch.md"):
    print("torch is missing (no torch results: python3 -c 'import torch' fails, or torch was not run;"
          " pip install torch to measure it here).")


def median(values):
    values = [v for v in values if v]
    return statistics.median(values) if values else None


def fmt(s):
    if s is None:
        return "-"
    return f"{s * 1e3:.3f} ms" if s >= 1e-4 else f"{s * 1e6:.2f} us"

n = len(rounds)
what = "median over %d rounds" % n if n > 1 else "one round"
print(f"torch times: {source or 'none'}; ours: criterion median; {what}. "
      "ratio = torch / ours (> 1: we are faster)" + ("; the ratio is the median of the rounds' ratios" if n > 1 else ""))
for i, r in enumerate(rounds, 1):
    if r["load"]:
        print(f"round {i}: load average (1, 5, 15 min) after it {' '.join(r['load'])}")
print(f"{'workload':44s} {'thr':>3s} {'torch':>11s} {'ours':>11s} {'ratio':>8s}")
print("-" * 81)
for threads in (1, 2):
    for key, label in workloads:
        k = f"{key}/{threads}"
        t = median([r["torch"].get(k) for r in rounds])
        o = median([r["ours"].get(k) for r in rounds])
        ratios = [r["torch"][k] / r["ours"][k] for r in rounds if r["torch"].get(k) and r["ours"].get(k)]
        ratio = f"{statistics.median(ratios):.2f}x" if ratios else "-"
        if t is None and o is None:
            continue
        print(f"{label:44s} {threads:>3d} {fmt(t):>11s} {fmt(o):>11s} {ratio:>8s}")
EOF
}

if [ "$run" = 1 ]; then
  rm -rf "$out/rounds"
  for round in $(seq 1 "$repeat"); do
    if [ $((round % 2)) = 1 ]; then run_torch; run_ours; else run_ours; run_torch; fi
    analyse snapshot "$round"
    # Other processes share the cores: say how busy the machine was.
    if [ -r /proc/loadavg ]; then
      echo "round $round: load average (1, 5, 15 min) $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs" >&2
    fi
  done
fi
analyse table

#!/usr/bin/env bash
# Peak resident memory of two training loops, ours and torch's (when torch
# imports), each under /usr/bin/time -v: the MLP of benchmark (b) and the
# LeNet-5 of benchmark (g).
#   bench/memory.sh [STEPS] [CNN_STEPS]     (default 2000 and 200)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
steps="${1:-2000}"
cnn_steps="${2:-200}"
cargo build --release -q -p nn-core --example mlp_memory --example cnn_memory
peak() { grep -E "Maximum resident set size" | awk '{print "  /usr/bin/time -v: maximum resident set size " $NF " kB"}'; }
echo "==> nn-core, MLP"
/usr/bin/time -v "${CARGO_TARGET_DIR:-target}/release/examples/mlp_memory" "$steps" 2> >(peak >&2)
sleep 0.1
echo "==> nn-core, LeNet-5"
/usr/bin/time -v "${CARGO_TARGET_DIR:-target}/release/examples/cnn_memory" "$cnn_steps" 2> >(peak >&2)
sleep 0.1
if python3 -c 'import torch' 2>/dev/null; then
  echo "==> torch, MLP"
  /usr/bin/time -v python3 bench/mlp_memory.py "$steps" 2> >(peak >&2)
  sleep 0.1
  echo "==> torch, LeNet-5"
  /usr/bin/time -v python3 bench/cnn_memory.py "$cnn_steps" 2> >(peak >&2)
  sleep 0.1
  echo "==> python3 -c 'import torch' alone (the interpreter and torch's libraries)"
  /usr/bin/time -v python3 -c 'import torch' 2> >(peak >&2)
  sleep 0.1
else
  echo "torch is missing: only nn-core measured"
fi

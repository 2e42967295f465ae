#!/usr/bin/env bash
# Peak resident memory of the MLP training loop (benchmark (b)), ours and
# torch's (when torch imports), each under /usr/bin/time -v.
#   bench/memory.sh [STEPS]     (default 2000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
steps="${1:-2000}"
cargo build --release -q -p nn-core --example mlp_memory
peak() { grep -E "Maximum resident set size" | awk '{print "  /usr/bin/time -v: maximum resident set size " $NF " kB"}'; }
echo "==> nn-core"
/usr/bin/time -v "${CARGO_TARGET_DIR:-target}/release/examples/mlp_memory" "$steps" 2> >(peak >&2)
sleep 0.1
if python3 -c 'import torch' 2>/dev/null; then
  echo "==> torch"
  /usr/bin/time -v python3 bench/mlp_memory.py "$steps" 2> >(peak >&2)
  sleep 0.1
  echo "==> python3 -c 'import torch' alone (the interpreter and torch's libraries)"
  /usr/bin/time -v python3 -c 'import torch' 2> >(peak >&2)
  sleep 0.1
else
  echo "torch is missing: only nn-core measured"
fi

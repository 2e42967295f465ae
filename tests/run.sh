#!/usr/bin/env bash
# Runs every test of the project — the README's test command.
#
#   1. Rust: formatting, clippy, unit/reference/property tests (and nn-core's
#      opt-in `png` feature), rustdoc.
#   2. End to end: installs the kernel (./install.sh, idempotent), then drives
#      a real Jupyter with pytest: the kernel protocol, the course notebooks
#      (nbclient, nbconvert) and JupyterLab in a headless browser.
#
# Options: --rust-only (step 1), --e2e-only (step 2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rust=1 e2e=1
for arg in "$@"; do
  case "$arg" in
    --rust-only) e2e=0 ;;
    --e2e-only) rust=0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }

if [ "$rust" = 1 ]; then
  step "cargo fmt --check"
  cargo fmt --all --check
  step "cargo clippy (warnings are errors)"
  cargo clippy --workspace --all-targets --locked -- -D warnings
  # nn-core's opt-in feature `png` (PNG figures) compiles code of its own.
  cargo clippy --locked -p nn-core --all-targets --features png -- -D warnings
  step "cargo test nn-core (unit, reference, property and doc tests)"
  cargo test --locked -p nn-core -p nn-core-derive
  step "cargo test nn-core --features png (PNG figures: tests and doc tests)"
  cargo test --locked -p nn-core --features png --test plot_png
  cargo test --locked -p nn-core --features png --doc plot
  # The kernel's tests in release: the build install.sh makes (evcxr and
  # rust-analyzer take ~10 minutes to build a second time in debug).
  step "cargo test nn-kernel (release)"
  cargo test --locked --release -p nn-kernel
  step "cargo doc (warnings are errors)"
  RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
fi

if [ "$e2e" = 1 ]; then
  step "install the kernel (./install.sh --no-notebooks)"
  ./install.sh --no-notebooks
  step "end-to-end tests (pytest: kernel protocol, notebooks, JupyterLab)"
  python3 -m pytest tests -ra
fi

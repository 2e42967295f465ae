#!/usr/bin/env bash
# Installs the rust-nn kernel for a shared deployment: a container image
# (Dockerfile), Binder (binder/postBuild) or an administrator's JupyterHub.
# Unlike ./install.sh it chooses nothing: the Python environment is given,
# the kernelspec goes into that environment's sys.prefix, and no notebooks
# are executed. Safe to run again. See --help.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIN_RUST="1.95"
PYTHON_ARG="${PYTHON:-python3}"
KERNEL_BINARY=""
WARM=1
DOCS=1

usage() {
    cat <<USAGE
Usage: deploy/install-kernel.sh [--python PY] [--kernel-binary FILE] [--no-docs] [--no-warm]

Installs the Jupyter kernel "Rust (nn-core)" (kernelspec rust-nn) of this
checkout ($ROOT) for the user running it:
  1. checks Rust >= $MIN_RUST (cargo, rustc, the rust-src component), a C
     linker (cc), and that PY has jupyter_client;
  2. builds the kernel: cargo build --release --locked -p nn-kernel
     (nothing to do when it is up to date; skipped with --kernel-binary);
  3. builds nn-core's API documentation (the kernel's Help link):
     cargo doc -p nn-core --no-deps (skipped with --no-docs);
  4. installs the kernelspec into PY's sys.prefix
     (nn-kernel install --sys-prefix: PREFIX/share/jupyter/kernels/rust-nn),
     then builds the template, nn-core compiled once into the kernel cache
     (NN_KERNEL_CACHE, default ~/.cache/nn-kernel), so that every kernel of
     this user starts without compiling nn-core (skipped when up to date, or
     with --no-warm);
  5. checks that PY's Jupyter sees the kernelspec there.

It writes only into this checkout (target/), PY's sys.prefix, the kernel
cache and cargo's own folders (CARGO_HOME, default ~/.cargo): no root needed
when the user owns the environment. Run it as the user whose kernels will
use the template (the cache is per user unless NN_KERNEL_CACHE is shared).

Options:
  --python PY           the Python of the environment that runs Jupyter
                        (default: \$PYTHON, else python3 on PATH)
  --kernel-binary FILE  use this already built nn-kernel instead of building
                        one; the kernelspec runs FILE, so it must stay there
  --no-docs             do not build nn-core's documentation
  --no-warm             do not build the template (each user's first kernel
                        then compiles nn-core, ~2 minutes on 2 cores)
  -h, --help            show this help

The kernelspec records NN_KERNEL_NN_CORE (this checkout's nn-core) and, when
set, NN_KERNEL_CACHE, NN_KERNEL_OPT_LEVEL and NN_KERNEL_FEATURES: the
kernels use what the template was built with. docs/deploy.md has the
deployments that use this script.
USAGE
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --python) shift; [[ $# -gt 0 ]] || { echo "install-kernel.sh: --python needs an interpreter" >&2; exit 2; }
            PYTHON_ARG="$1" ;;
        --kernel-binary) shift; [[ $# -gt 0 ]] || { echo "install-kernel.sh: --kernel-binary needs a file" >&2; exit 2; }
            KERNEL_BINARY="$1" ;;
        --no-docs) DOCS=0 ;;
        --no-warm) WARM=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install-kernel.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# As in install.sh: rust-analyzer's crates compile `option_env!("CI")` in, so
# a build with CI set would be a second build of the kernel. And the target
# folder must be this checkout's target/: nn-kernel install copies nn-core's
# documentation from there.
cargo() { env -u CI -u CARGO_TARGET_DIR cargo "$@"; }
step() { printf '\n==> %s   [%d:%02d]\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }
say() { printf '    %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'install-kernel.sh: error: %s\n' "$*" >&2; exit 1; }

step "Checking Rust, cc and Python"
need_rust=$(( WARM == 1 || DOCS == 1 || ${#KERNEL_BINARY} == 0 ))
if [[ $need_rust -eq 1 ]]; then
    command -v cargo >/dev/null || die "cargo not found on PATH: install Rust $MIN_RUST or newer (https://rustup.rs)"
    command -v rustc >/dev/null || die "rustc not found on PATH: install Rust $MIN_RUST or newer (https://rustup.rs)"
    rust_version="$(rustc --version | awk '{print $2}')"
    if [[ "$(printf '%s\n%s\n' "$MIN_RUST" "${rust_version%%-*}" | sort -V | head -n1)" != "$MIN_RUST" ]]; then
        die "Rust $rust_version is too old: nn-kernel needs $MIN_RUST or newer"
    fi
    say "rustc $rust_version ($(command -v rustc))"
    # evcxr needs the standard library's sources to infer variables' types.
    if [[ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]]; then
        say "rust-src is installed"
    elif command -v rustup >/dev/null; then
        say "adding the rust-src component (rustup)"
        rustup component add rust-src || warn "could not add rust-src: evcxr will fail to infer the types of some variables"
    else
        warn "the rust-src component is missing and there is no rustup to add it: evcxr will fail to infer the types of some variables"
    fi
    command -v cc >/dev/null || die "no C compiler/linker (cc) found: Rust links with it (Debian/Ubuntu: apt-get install gcc libc6-dev)"
fi
command -v "$PYTHON_ARG" >/dev/null || die "Python not found: $PYTHON_ARG (give the environment's interpreter with --python)"
PY="$(command -v "$PYTHON_ARG")"
"$PY" -c 'import jupyter_client' 2>/dev/null \
    || die "$PY has no jupyter_client: install Jupyter into that environment first (pip install jupyterlab)"
PREFIX="$("$PY" -c 'import sys; print(sys.prefix)')"
say "Python $PY (sys.prefix $PREFIX)"
if ! mkdir -p "$PREFIX/share/jupyter/kernels" 2>/dev/null || [[ ! -w "$PREFIX/share/jupyter/kernels" ]]; then
    die "cannot write to $PREFIX/share/jupyter/kernels: run this as the owner of that environment"
fi

if [[ -n "$KERNEL_BINARY" ]]; then
    step "Using the kernel $KERNEL_BINARY (no build)"
    [[ -x "$KERNEL_BINARY" ]] || die "--kernel-binary $KERNEL_BINARY is not an executable file"
    KERNEL="$(cd "$(dirname "$KERNEL_BINARY")" && pwd)/$(basename "$KERNEL_BINARY")"
    "$KERNEL" --version
else
    step "Building the kernel (a first build takes ~10 minutes on 2 cores)"
    (cd "$ROOT" && cargo build --release --locked -p nn-kernel)
    KERNEL="$ROOT/target/release/nn-kernel"
fi

if [[ $DOCS -eq 1 ]]; then
    step "Building nn-core's API documentation (the kernel's Help link)"
    cargo doc --locked -p nn-core --no-deps --manifest-path "$ROOT/Cargo.toml"
fi

# The kernel compiles cells against this checkout's nn-core, whichever
# binary runs (a --kernel-binary built elsewhere defaults to its own).
export NN_KERNEL_NN_CORE="$ROOT/nn-core"
if [[ $WARM -eq 1 ]]; then
    step "Installing the kernelspec and building the template (~2 minutes on 2 cores the first time)"
    say "kernel cache: ${NN_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nn-kernel}"
    install_args=(--sys-prefix)
else
    step "Installing the kernelspec (no template: --no-warm)"
    install_args=(--sys-prefix --no-warm)
fi
# --sys-prefix asks VIRTUAL_ENV, else $PYTHON: make it PY's environment.
env -u VIRTUAL_ENV PYTHON="$PY" "$KERNEL" install "${install_args[@]}"

step "Checking that Jupyter sees the kernelspec"
"$PY" - "$PREFIX/share/jupyter/kernels/rust-nn" <<'CHECK' || die "$PY's Jupyter does not see the rust-nn kernelspec in its sys.prefix"
import os
import sys
from jupyter_client.kernelspec import KernelSpecManager

expected = os.path.realpath(sys.argv[1])
found = KernelSpecManager().find_kernel_specs().get("rust-nn")
print("    Jupyter sees rust-nn in", found or "(nowhere)")
if found is None:
    sys.exit(1)
if os.path.realpath(found) != expected:
    # A user's own kernelspec comes first in Jupyter's search path.
    print(f"warning: {found} hides the one installed in {expected}; "
          "remove it (nn-kernel uninstall --user) to use this one", file=sys.stderr)
CHECK

step "Done"
echo "Kernel \"Rust (nn-core)\" installed for $PY; start Jupyter from that environment (e.g. $(dirname "$PY")/jupyter lab)."
echo "(install-kernel.sh took $((SECONDS / 60)) min $((SECONDS % 60)) s)"

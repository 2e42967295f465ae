#!/usr/bin/env bash
# Installs the "Rust (nn-core)" Jupyter kernel from this checkout, then
# executes notebooks/ to HTML. Safe to run again. See --help.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SITE="$ROOT/site"
VENV="$ROOT/.venv"
FORCE_VENV=0
NOTEBOOKS=1
MIN_RUST="1.95"

usage() {
    cat <<EOF
Usage: ./install.sh [--venv] [--no-notebooks] [--site DIR]

Installs the Jupyter kernel "Rust (nn-core)" (kernelspec rust-nn):
  1. checks for cargo and rustc (Rust >= $MIN_RUST) and Python 3;
  2. adds the rust-src component with rustup (evcxr needs it to infer the
     types of variables; a warning is printed if it cannot be added);
  3. builds the kernel (cargo build --release --locked);
  4. installs the kernelspec into your existing Jupyter (the one that
     \`jupyter\` runs), or, if there is none, creates a project virtual
     environment .venv with JupyterLab, nbclient and nbconvert and installs
     it there;
  5. builds nn-core into the kernel's build template, so that a kernel
     starts without compiling dependencies (skipped when the template is
     up to date; \`target/release/nn-kernel warm\` forces it);
  6. executes every notebooks/*.ipynb and writes HTML to site/.

Running it again updates everything in place.

Options:
  --venv          use (or create) .venv even if a Jupyter is installed
  --no-notebooks  skip step 6
  --site DIR      write the HTML to DIR instead of site/
  -h, --help      show this help

Afterwards: \`jupyter lab\` (or .venv/bin/jupyter lab), then pick
"Rust (nn-core)". As root, add --allow-root; to keep it local, --ip 127.0.0.1.
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --venv) FORCE_VENV=1 ;;
        --no-notebooks) NOTEBOOKS=0 ;;
        --site) shift; SITE="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")" ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

step() { printf '\n==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

step "Checking Rust and Python"
command -v cargo >/dev/null || die "cargo not found: install Rust from https://rustup.rs"
command -v rustc >/dev/null || die "rustc not found: install Rust from https://rustup.rs"
rust_version="$(rustc --version | awk '{print $2}')"
if [[ "$(printf '%s\n%s\n' "$MIN_RUST" "${rust_version%%-*}" | sort -V | head -n1)" != "$MIN_RUST" ]]; then
    die "Rust $rust_version is too old: nn-kernel needs $MIN_RUST or newer (rustup update stable)"
fi
echo "rustc $rust_version"
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || die "Python 3 not found (looked for $PYTHON)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
    || die "$("$PYTHON" --version) is too old: Python 3.9 or newer is needed"
"$PYTHON" --version

step "Adding the rust-src component"
if command -v rustup >/dev/null; then
    if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
        echo "rust-src is installed"
    elif ! rustup component add rust-src; then
        warn "could not add rust-src: evcxr will fail to infer the types of some variables (e.g. let v = vec![1, 2];)"
    fi
else
    warn "rustup not found: make sure the rust-src component of your toolchain is installed"
fi

step "Building the kernel"
(cd "$ROOT" && cargo build --release --locked -p nn-kernel)
KERNEL="$ROOT/target/release/nn-kernel"

step "Finding Jupyter"
JUPYTER=""
if [[ $FORCE_VENV -eq 0 ]] && command -v jupyter >/dev/null && jupyter kernelspec list >/dev/null 2>&1; then
    JUPYTER="$(command -v jupyter)"
    echo "using the existing Jupyter: $JUPYTER"
    INSTALL_ARGS=(--user)
else
    if [[ ! -x "$VENV/bin/python" ]]; then
        echo "creating $VENV"
        "$PYTHON" -m venv "$VENV" \
            || die "could not create a virtual environment (on Debian/Ubuntu: apt-get install python3-venv)"
    fi
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet jupyterlab nbclient nbconvert
    JUPYTER="$VENV/bin/jupyter"
    echo "using $JUPYTER"
    INSTALL_ARGS=(--prefix "$VENV")
fi

step "Building nn-core's API documentation (the kernel's Help link)"
cargo doc --locked -p nn-core --no-deps --manifest-path "$ROOT/Cargo.toml"

step "Installing the kernelspec and building the template"
"$KERNEL" install "${INSTALL_ARGS[@]}"
"$JUPYTER" kernelspec list | grep -E '^\s*rust-nn\s' || die "Jupyter does not see the rust-nn kernelspec"

if [[ $NOTEBOOKS -eq 1 ]]; then
    step "Executing notebooks/ to HTML in $SITE"
    shopt -s nullglob
    notebooks=("$ROOT"/notebooks/*.ipynb)
    if [[ ${#notebooks[@]} -eq 0 ]]; then
        echo "no notebooks in notebooks/ yet: nothing to execute"
    else
        mkdir -p "$SITE"
        # Streams merged after execution, as JupyterLab shows them (the
        # kernel publishes lines as they come, in timing-dependent groups).
        (cd "$ROOT/notebooks" && "$JUPYTER" nbconvert --execute --to html \
            --Exporter.preprocessors="['nbconvert.preprocessors.CoalesceStreamsPreprocessor']" \
            --ExecutePreprocessor.kernel_name=rust-nn \
            --ExecutePreprocessor.timeout=900 \
            --output-dir "$SITE" "${notebooks[@]}")
        echo "HTML written to $SITE"
    fi
fi

step "Done"
echo "Start JupyterLab with: $JUPYTER lab   (as root: add --allow-root --ip 127.0.0.1)"
echo "and pick \"Rust (nn-core)\"."

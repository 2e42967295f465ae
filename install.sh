#!/usr/bin/env bash
# Installs the "Rust (nn-core)" Jupyter kernel from this checkout, then
# executes notebooks/ to HTML. Safe to run again. See --help.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SITE="$ROOT/site"
VENV="$ROOT/.venv"
# Where the chosen Python environment is recorded for tests/run.sh.
ENV_FILE="${NN_KERNEL_ENV_FILE:-$ROOT/.nn-kernel-env}"
FORCE_VENV=0
SAME_ENV=0
NOTEBOOKS=1
MIN_RUST="1.95"

usage() {
    cat <<USAGE
Usage: ./install.sh [--venv] [--same-env] [--no-notebooks] [--site DIR]

Installs the Jupyter kernel "Rust (nn-core)" (kernelspec rust-nn):
  1. checks for cargo and rustc (Rust >= $MIN_RUST), a C linker (cc) and
     Python 3 (>= 3.9);
  2. chooses the Python environment with Jupyter, before anything long:
     - the one that runs \`jupyter\` (on PATH), if it has everything used
       here (jupyter_client; nbconvert >= 7.14 and nbclient for the course
       pages; JupyterLab or Notebook to open notebooks);
     - the same, completed with pip, if something is missing and it is a
       virtual, conda or user environment (or a Python you own) that pip
       may install into;
     - otherwise the project's .venv (created with JupyterLab, nbconvert
       and nbclient): with no Jupyter, or one pip must not change (your
       distribution's Python);
     and says which and why. The choice is recorded in .nn-kernel-env, where
     tests/run.sh finds it;
  3. adds the rust-src component with rustup (evcxr needs it to infer the
     types of variables; a warning is printed if it cannot be added);
  4. builds the kernel (cargo build --release --locked; nothing to do when
     it is up to date);
  5. installs the kernelspec: for your user (every Jupyter of yours sees it)
     when you have a Jupyter, into .venv when .venv is the only one; then
     builds nn-core into the kernel's build template, so that a kernel starts
     without compiling dependencies (skipped when the template is up to date;
     \`target/release/nn-kernel warm\` forces it);
  6. executes every notebooks/*.ipynb and writes HTML to site/.

Running it again updates everything in place. A first run on 2 cores takes
about 15 minutes (see docs/install.md).

Options:
  --venv          use (or create) the project's .venv even if a Jupyter is installed
  --same-env      use the environment recorded by the last run, if it still
                  works (tests/run.sh does this)
  --no-notebooks  skip step 6 (then nbconvert and nbclient are not needed)
  --site DIR      write the HTML to DIR instead of site/
  -h, --help      show this help

Environment: PYTHON (default python3) creates .venv; NN_KERNEL_FEATURES=png
builds the kernel's nn-core with PNG figures (docs/display.md).
USAGE
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --venv) FORCE_VENV=1 ;;
        --same-env) SAME_ENV=1 ;;
        --no-notebooks) NOTEBOOKS=0 ;;
        --site) shift; [[ $# -gt 0 ]] || { echo "install.sh: --site needs a folder" >&2; exit 2; }
            mkdir -p "$1"; SITE="$(cd "$1" && pwd)" ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# rust-analyzer's ra_ap_stdx compiles `option_env!("CI")` in: a build with CI
# set and one without are two builds of the kernel (~10 minutes each on 2
# cores). Builds here ignore CI, so that both kinds of runs share one.
cargo() { env -u CI cargo "$@"; }
# Each step says when it starts (time since install.sh started).
step() { printf '\n==> %s   [%d:%02d]\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }
say() { printf '    %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
is_root() { [[ "$(id -u)" == 0 ]]; }

step "Checking Rust and Python"
type -P cargo >/dev/null || die "cargo not found: install Rust from https://rustup.rs"
command -v rustc >/dev/null || die "rustc not found: install Rust from https://rustup.rs"
rust_version="$(rustc --version | awk '{print $2}')"
if [[ "$(printf '%s\n%s\n' "$MIN_RUST" "${rust_version%%-*}" | sort -V | head -n1)" != "$MIN_RUST" ]]; then
    die "Rust $rust_version is too old: nn-kernel needs $MIN_RUST or newer (rustup update stable)"
fi
echo "rustc $rust_version"
# Rust links with the system's C toolchain (so do the kernel's cells).
command -v cc >/dev/null || die "no C compiler/linker (cc) found: install one (Debian/Ubuntu: sudo apt-get install build-essential; macOS: xcode-select --install)"
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || die "Python 3 not found (looked for $PYTHON)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
    || die "$("$PYTHON" --version) is too old: Python 3.9 or newer is needed"
"$PYTHON" --version

# probe PYTHON: sets py_executable, env_kind, env_writable, env_pip_args,
# env_why, env_scripts, missing, missing_words (tools/jupyter_env.py).
py_executable="" env_kind="" env_writable="" env_pip_args="" env_why="" env_scripts="" missing="" missing_words=""
probe() {
    local out args=(probe)
    [[ $NOTEBOOKS -eq 1 ]] && args+=(--notebooks)
    out="$("$1" "$ROOT/tools/jupyter_env.py" "${args[@]}")" || return 1
    eval "$out"
}

# The Python interpreter that runs the `jupyter` program $1: the script's
# #! line, or (pyenv shims, wrappers) what `jupyter troubleshoot` reports.
python_of_jupyter() {
    local line exe
    IFS= read -r line <"$1" || true
    exe="${line#\#!}"
    exe="${exe%% *}"
    if [[ "$line" == '#!'* && "$(basename "$exe")" == python* && -x "$exe" ]]; then
        echo "$exe"
        return
    fi
    "$1" troubleshoot 2>/dev/null | awk '/^sys.executable:/ { getline; print $1; exit }'
}

# The project's .venv, created if needed, with what install.sh uses.
project_venv() {
    if [[ ! -x "$VENV/bin/python" ]]; then
        say "creating $VENV"
        if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
            rm -rf "$VENV"
            # Debian and Ubuntu ship venv (ensurepip) in a package of its own.
            if is_root && command -v apt-get >/dev/null && [[ "$(command -v "$PYTHON")" == /usr/bin/* ]]; then
                say "installing Debian's python3-venv (apt-get)"
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null \
                    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null; } \
                    || die "could not install python3-venv"
                "$PYTHON" -m venv "$VENV" || die "could not create $VENV"
            else
                die "could not create a virtual environment with $PYTHON (on Debian/Ubuntu: sudo apt-get install python3-venv)"
            fi
        fi
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip \
            || warn "could not upgrade pip in $VENV; going on with $("$VENV/bin/python" -m pip --version)"
    fi
    probe "$VENV/bin/python"
    if [[ -n "$missing" ]]; then
        say "installing JupyterLab, nbconvert and nbclient into $VENV (pip downloads ~50 MB the first time)"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check jupyterlab "nbconvert>=7.14" nbclient \
            || die "pip could not install JupyterLab, nbconvert and nbclient into $VENV"
    fi
    probe "$VENV/bin/python"
    [[ -z "$missing" ]] || die "$VENV still lacks $missing_words"
}

step "Choosing the Python environment with Jupyter"
JPY=""            # the environment's Python interpreter
KERNELSPEC=()     # nn-kernel install's target
existing=""       # the `jupyter` on PATH, if any
if command -v jupyter >/dev/null; then
    existing="$(command -v jupyter)"
fi
if [[ $SAME_ENV -eq 1 && -f "$ENV_FILE" ]]; then
    # shellcheck source=/dev/null
    source "$ENV_FILE"
    if [[ -x "${NN_PYTHON:-}" ]] && probe "$NN_PYTHON" && [[ -z "$missing" ]]; then
        JPY="$NN_PYTHON"
        KERNELSPEC=("$NN_KERNELSPEC")
        [[ -z "${NN_KERNELSPEC_PREFIX:-}" ]] || KERNELSPEC+=("$NN_KERNELSPEC_PREFIX")
        say "using the environment recorded in $ENV_FILE: $JPY"
    else
        say "the environment recorded in $ENV_FILE (${NN_PYTHON:-?}) is gone or incomplete: choosing again"
    fi
fi
if [[ -z "$JPY" && $FORCE_VENV -eq 1 ]]; then
    say "--venv: using the project's virtual environment $VENV"
    project_venv
    JPY="$VENV/bin/python"
    KERNELSPEC=(--prefix "$VENV")
elif [[ -z "$JPY" && -n "$existing" ]]; then
    candidate="$(python_of_jupyter "$existing")"
    if [[ -z "$candidate" ]] || ! probe "$candidate"; then
        say "found $existing, but not the Python that runs it"
        say "so: using the project's virtual environment $VENV instead"
        project_venv
        JPY="$VENV/bin/python"
    elif [[ "$(cd "$(dirname "$py_executable")/.." && pwd -P)" == "$(cd "$VENV" 2>/dev/null && pwd -P)" ]]; then
        say "found $existing: the project's virtual environment $VENV"
        project_venv
        JPY="$VENV/bin/python"
        KERNELSPEC=(--prefix "$VENV")
    elif [[ -z "$missing" ]]; then
        say "found $existing (Python $py_executable): it has everything needed, nothing to install"
        JPY="$py_executable"
    elif [[ "$env_writable" == 1 ]]; then
        say "found $existing (Python $py_executable), without $missing_words"
        say "installing what is missing there with pip, because $env_why"
        # shellcheck disable=SC2086 # requirements, one per word; "--user" or nothing
        "$py_executable" -m pip install --quiet --disable-pip-version-check $env_pip_args $missing \
            || die "pip could not install $missing into $py_executable's environment (run ./install.sh --venv to use a project .venv instead)"
        JPY="$py_executable"
        probe "$JPY"
        [[ -z "$missing" ]] || die "$py_executable's environment still lacks $missing_words"
    else
        say "found $existing (Python $py_executable), without $missing_words"
        say "not installing there, because $env_why"
        say "so: using the project's virtual environment $VENV instead"
        project_venv
        JPY="$VENV/bin/python"
    fi
    # The kernel is registered for the user: the Jupyter on PATH sees it too.
    [[ ${#KERNELSPEC[@]} -gt 0 ]] || KERNELSPEC=(--user)
elif [[ -z "$JPY" ]]; then
    say "no \`jupyter\` on PATH: using the project's virtual environment $VENV"
    project_venv
    JPY="$VENV/bin/python"
    KERNELSPEC=(--prefix "$VENV")
fi
probe "$JPY"
JUPYTER="$env_scripts/jupyter"
cat >"$ENV_FILE" <<RECORD
# Written by ./install.sh on $(date -u '+%Y-%m-%d %H:%M UTC'): the Python
# environment with Jupyter that the rust-nn kernel was installed for.
# tests/run.sh installs its Python packages into it when NN_ENV_WRITABLE=1.
NN_PYTHON=$(printf '%q' "$py_executable")
NN_SCRIPTS=$(printf '%q' "$env_scripts")
NN_ENV_KIND=$(printf '%q' "$env_kind")
NN_ENV_WRITABLE=$env_writable
NN_PIP_ARGS=$(printf '%q' "$env_pip_args")
NN_KERNELSPEC=${KERNELSPEC[0]}
NN_KERNELSPEC_PREFIX=$(printf '%q' "${KERNELSPEC[1]:-}")
RECORD
say "recorded in $ENV_FILE"

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

step "Building the kernel (a first build takes ~10 minutes on 2 cores)"
(cd "$ROOT" && cargo build --release --locked -p nn-kernel)
KERNEL="$ROOT/target/release/nn-kernel"

step "Building nn-core's API documentation (the kernel's Help link)"
cargo doc --locked -p nn-core --no-deps --manifest-path "$ROOT/Cargo.toml"

step "Installing the kernelspec and building the template"
"$KERNEL" install "${KERNELSPEC[@]}"
# Jupyter itself must see it (JUPYTER_PATH, JUPYTER_DATA_DIR, ... respected).
"$JPY" -c '
import sys
from jupyter_client.kernelspec import KernelSpecManager
specs = KernelSpecManager().find_kernel_specs()
print("Jupyter sees rust-nn in", specs.get("rust-nn", "(nowhere)"))
sys.exit("rust-nn" not in specs)
' || die "$JUPYTER does not see the rust-nn kernelspec"

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
        (cd "$ROOT/notebooks" && "$JPY" -m nbconvert --execute --to html \
            --Exporter.preprocessors="['nbconvert.preprocessors.CoalesceStreamsPreprocessor']" \
            --ExecutePreprocessor.kernel_name=rust-nn \
            --ExecutePreprocessor.timeout=900 \
            --output-dir "$SITE" "${notebooks[@]}")
        echo "HTML written to $SITE"
    fi
fi

# How to start what this environment has, by a name that runs: `jupyter lab`
# when PATH finds this very program, else its full path.
open_hint() {
    local sub dir
    for sub in lab notebook; do
        for dir in "$env_scripts" "$(dirname "$py_executable")"; do
            if [[ -x "$dir/jupyter-$sub" ]]; then
                if [[ "$(command -v "jupyter-$sub" || true)" == "$dir/jupyter-$sub" && "$(command -v jupyter || true)" == "$dir/jupyter" ]]; then
                    echo "jupyter $sub"
                elif [[ -x "$dir/jupyter" ]]; then
                    echo "$dir/jupyter $sub"
                else
                    echo "$dir/jupyter-$sub"
                fi
                return
            fi
        done
    done
}

step "Done"
program="$(open_hint)"
[[ -n "$program" ]] || die "neither JupyterLab nor Notebook found in $env_scripts"
case "$program" in *notebook) app="Jupyter Notebook" ;; *) app="JupyterLab" ;; esac
if is_root; then
    echo "Start $app with: $program --allow-root --ip 127.0.0.1"
else
    echo "Start $app with: $program"
fi
echo "and pick \"Rust (nn-core)\"."
echo "(install.sh took $((SECONDS / 60)) min $((SECONDS % 60)) s)"

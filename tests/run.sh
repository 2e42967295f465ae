#!/usr/bin/env bash
# Runs every test of the project — the README's test command, after ./install.sh.
#
#   0. Installs or checks what the tests need: rustfmt and clippy (rustup);
#      the kernel of this checkout (./install.sh --same-env --no-notebooks:
#      nothing to do when it is up to date); tests/requirements.txt, with pip,
#      into the Python environment ./install.sh chose (.nn-kernel-env);
#      for the JupyterLab browser test, Chromium (as root: apt-get) and
#      playwright-core (npm ci in tests/browser); for the classroom test
#      (JupyterHub), configurable-http-proxy (npm ci in tests/classroom).
#   1. Rust: formatting, clippy, unit/reference/property tests (and nn-core's
#      opt-in `png` feature), rustdoc.
#   2. End to end, pytest in that environment: the kernel protocol, rich
#      display, the course notebooks (nbclient, nbconvert), ./install.sh in
#      fresh environments, JupyterLab in a headless browser, a class of
#      students on JupyterHub.
#   A summary at the end names what passed, failed, and was NOT RUN and why.
#
# Options: --rust-only (0-1), --e2e-only (0, 2), --prepare (0 only).
# With CI set (CI=true), a test that cannot run is a failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
ENV_FILE="${NN_KERNEL_ENV_FILE:-$ROOT/.nn-kernel-env}"

rust=1 e2e=1 tests=1
for arg in "$@"; do
  case "$arg" in
    --rust-only) e2e=0 ;;
    --e2e-only) rust=0 ;;
    --prepare) tests=0 ;;
    -h|--help) sed -n '2,18p' "$0" | cut -c3-; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

# rust-analyzer's ra_ap_stdx compiles `option_env!("CI")` in: a build with CI
# set and one without are two builds of the kernel (~10 minutes each on 2
# cores). Builds here ignore CI, so that both kinds of runs share one.
cargo() { env -u CI cargo "$@"; }
PASSED=() NOT_RUN=() CURRENT=""
step() { CURRENT="$*"; printf '\n==> %s\n' "$*"; }
done_step() { PASSED+=("$CURRENT"); }
say() { printf '    %s\n' "$*"; }
is_root() { [ "$(id -u)" = 0 ]; }
in_ci() { case "${CI:-}" in ""|0|false|False|no) return 1 ;; *) return 0 ;; esac; }
can_apt() { is_root && command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {
  if [ $apt_updated = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

summary() {
  local status=$?
  printf '\n==> Summary\n'
  local line
  for line in "${PASSED[@]}"; do printf '  passed   %s\n' "$line"; done
  for line in "${NOT_RUN[@]}"; do printf '  NOT RUN  %s\n' "$line"; done
  if [ $status -ne 0 ]; then
    printf '  FAILED   %s (exit status %s; its output is above)\n' "$CURRENT" "$status"
  elif [ ${#NOT_RUN[@]} -gt 0 ] && in_ci; then
    printf '  FAILED   CI: every test must run here\n'
    status=1
  elif [ ${#NOT_RUN[@]} -gt 0 ]; then
    printf '  Everything that ran passed; the tests NOT RUN above were not checked.\n'
  elif [ "$tests" = 0 ]; then
    printf '  Ready for the tests (--prepare runs none).\n'
  else
    printf '  Everything passed.\n'
  fi
  exit $status
}
trap summary EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 0. What the tests need -------------------------------------------------

if [ "$rust" = 1 ] && command -v rustup >/dev/null 2>&1; then
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    step "rustup component add rustfmt clippy"
    rustup component add rustfmt clippy
    done_step
  fi
fi

if [ "$e2e" = 1 ]; then
  # The tests check the installed kernel: bring it up to date with this
  # checkout, in the environment install.sh chose before.
  step "./install.sh --same-env --no-notebooks (the kernel of this checkout)"
  ./install.sh --same-env --no-notebooks
  done_step
fi

TEST_PYTHON=""
if [ -f "$ENV_FILE" ]; then
  # shellcheck source=/dev/null
  . "$ENV_FILE"
  step "Python packages (tests/requirements.txt)"
  TEST_PYTHON="$NN_PYTHON"
  eval "$("$TEST_PYTHON" tools/jupyter_env.py missing tests/requirements.txt)"
  if [ -z "$missing" ]; then
    say "all in $TEST_PYTHON's environment"
  elif [ "$NN_ENV_WRITABLE" = 1 ]; then
    say "installing into $TEST_PYTHON's environment (the one ./install.sh chose): $missing"
    # shellcheck disable=SC2086 # "--user" or nothing
    "$TEST_PYTHON" -m pip install --quiet --disable-pip-version-check $NN_PIP_ARGS -r tests/requirements.txt
  else
    # install.sh used a Jupyter that pip must not change (a distribution's);
    # the kernel is registered for the user, so a venv's Jupyter sees it too.
    say "$TEST_PYTHON's environment lacks $missing and pip must not change it:"
    say "installing them into the project's virtual environment .venv instead"
    [ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
    TEST_PYTHON="$ROOT/.venv/bin/python"
    NN_SCRIPTS="$ROOT/.venv/bin"
    "$TEST_PYTHON" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
  fi
  # `jupyter`, `python3` (nn-core's safetensors test) from that environment.
  PATH="$NN_SCRIPTS:$(dirname "$TEST_PYTHON"):$PATH"
  export PATH
  done_step
elif [ "$e2e" = 1 ]; then
  echo "error: ./install.sh did not record its environment in $ENV_FILE" >&2
  exit 1
else
  NOT_RUN+=("Python side of nn-core/tests/state_dict_files.rs (safetensors): no environment recorded yet, run ./install.sh")
fi

if [ "$e2e" = 1 ]; then
  step "Chromium and playwright-core (the JupyterLab browser test)"
  browser_why=""
  if [ -z "${CHROMIUM:-}" ]; then
    for name in chromium chromium-browser google-chrome-stable google-chrome; do
      if command -v "$name" >/dev/null 2>&1; then CHROMIUM="$(command -v "$name")"; break; fi
    done
  fi
  if [ -z "${CHROMIUM:-}" ] && can_apt; then
    say "installing Debian's chromium (apt-get)"
    apt_install chromium && CHROMIUM="$(command -v chromium)"
  fi
  if [ -z "${CHROMIUM:-}" ] || [ ! -x "$CHROMIUM" ]; then
    browser_why="Chromium not found${CHROMIUM:+ at CHROMIUM=$CHROMIUM}: install it (sudo apt-get install chromium), or set CHROMIUM=/path/to/chrome"
  else
    say "browser: $CHROMIUM"
    export CHROMIUM
  fi
  node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
  if { ! command -v npm >/dev/null 2>&1 || [ "$(node_major)" -lt 18 ]; } && can_apt; then
    say "installing Debian's nodejs and npm (apt-get)"
    apt_install nodejs npm || true
  fi
  if ! command -v npm >/dev/null 2>&1 || [ "$(node_major)" -lt 18 ]; then
    browser_why="${browser_why:+$browser_why; }Node.js 18+ and npm not found: install them (sudo apt-get install nodejs npm)"
  elif [ ! -f tests/browser/node_modules/.package-lock.json ] \
      || [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
    say "npm ci in tests/browser (playwright-core)"
    (cd tests/browser && npm ci --no-audit --no-fund --no-update-notifier --loglevel=error) \
      || browser_why="${browser_why:+$browser_why; }npm ci in tests/browser failed (see above)"
  else
    say "playwright-core: $(node -p 'require("./tests/browser/node_modules/playwright-core/package.json").version')"
  fi
  if [ -n "$browser_why" ]; then
    say "the browser test will NOT RUN: $browser_why"
    NOT_RUN+=("JupyterLab in Chromium (tests/browser): $browser_why")
    export NN_BROWSER_NOT_RUN="$browser_why"
  else
    done_step
  fi

  # JupyterHub's proxy, for the classroom test (tests/classroom): Node.js 20+.
  step "configurable-http-proxy (the classroom test: JupyterHub)"
  classroom_why=""
  if ! command -v npm >/dev/null 2>&1 || [ "$(node_major)" -lt 20 ]; then
    classroom_why="Node.js 20+ and npm not found: install them (sudo apt-get install nodejs npm)"
  elif [ ! -f tests/classroom/node_modules/.package-lock.json ] \
      || [ tests/classroom/package-lock.json -nt tests/classroom/node_modules/.package-lock.json ]; then
    say "npm ci in tests/classroom (configurable-http-proxy)"
    (cd tests/classroom && npm ci --no-audit --no-fund --no-update-notifier --loglevel=error) \
      || classroom_why="npm ci in tests/classroom failed (see above)"
  else
    say "configurable-http-proxy: $(node -p 'require("./tests/classroom/node_modules/configurable-http-proxy/package.json").version')"
  fi
  if [ -n "$classroom_why" ]; then
    say "the classroom test will NOT RUN: $classroom_why"
    NOT_RUN+=("a class on JupyterHub (tests/classroom): $classroom_why")
    export NN_CLASSROOM_NOT_RUN="$classroom_why"
  else
    done_step
  fi
fi

if [ "$tests" = 0 ]; then
  exit 0
fi

# The reference tests (nn-core's and the notebooks' against PyTorch) read
# ../shared/pytorch-reference beside the repository and skip without it.
if [ ! -d ../shared/pytorch-reference ]; then
  NOT_RUN+=("comparisons with PyTorch's reference files: $(cd .. && pwd)/shared/pytorch-reference not found (the print, RNG, autograd, optimizer and notebook cases skip)")
fi

# --- 1. Rust ------------------------------------------------------------------

if [ "$rust" = 1 ]; then
  step "cargo fmt --check"
  cargo fmt --all --check
  done_step
  step "cargo clippy (warnings are errors)"
  cargo clippy --workspace --all-targets --locked -- -D warnings
  # nn-core's opt-in feature `png` (PNG figures) compiles code of its own.
  cargo clippy --locked -p nn-core --all-targets --features png -- -D warnings
  done_step
  step "cargo test nn-core (unit, reference, property and doc tests)"
  cargo test --locked -p nn-core -p nn-core-derive
  done_step
  step "cargo test nn-core --features png (PNG figures: tests and doc tests)"
  cargo test --locked -p nn-core --features png --test plot_png
  cargo test --locked -p nn-core --features png --doc plot
  done_step
  # The kernel's tests in release: the build install.sh makes (evcxr and
  # rust-analyzer take ~10 minutes to build a second time in debug).
  step "cargo test nn-kernel (release)"
  cargo test --locked --release -p nn-kernel
  done_step
  step "cargo doc (warnings are errors)"
  RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
  done_step
fi

# --- 2. End to end --------------------------------------------------------------

if [ "$e2e" = 1 ]; then
  step "end-to-end tests (pytest: kernel protocol, display, notebooks, install.sh, JupyterLab, JupyterHub)"
  "$TEST_PYTHON" -m pytest tests -ra
  done_step
fi

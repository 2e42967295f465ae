#!/usr/bin/env bash
# Re-executes the course notebooks in place with the installed `rust-nn`
# kernel, so that the committed outputs are what the kernel produces today.
# Run it after changing a notebook or anything its outputs depend on, then
# review `git diff notebooks/` and commit.
#
# usage: tools/run-notebooks.sh [notebooks/NAME.ipynb ...]   (default: all)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ $# -eq 0 ]; then
  set -- notebooks/*.ipynb
fi
# The Jupyter environment ./install.sh chose (.nn-kernel-env), else PATH's.
nbconvert=(jupyter nbconvert)
if [ -f .nn-kernel-env ]; then
  # shellcheck source=/dev/null
  . ./.nn-kernel-env
  nbconvert=("$NN_PYTHON" -m nbconvert)
fi
for nb in "$@"; do
  echo "==> $nb"
  # Consecutive stream outputs are merged after execution (as JupyterLab
  # shows them): how the kernel's streamed lines are grouped into messages
  # depends on timing, and the committed notebooks should not.
  "${nbconvert[@]}" --to notebook --execute --inplace \
    --Exporter.preprocessors="['nbconvert.preprocessors.CoalesceStreamsPreprocessor']" \
    --ExecutePreprocessor.kernel_name=rust-nn \
    --ExecutePreprocessor.timeout=600 \
    --ExecutePreprocessor.startup_timeout=600 \
    "$nb"
done

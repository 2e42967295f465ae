"""The outputs of PyTorch's three beginner tutorials as nn-core's examples
port them ("Build the Neural Network", "Automatic Differentiation with
torch.autograd", "Optimizing Model Parameters"): runs each twin script in
tools/reference/tutorials/ and writes what it printed to
nn-core/tests/reference/tutorial-outputs.json, which nn-core/tests/tutorials.rs
compares with `cargo run --example tutorial_<name>`'s output. Needs only torch
(2.15.0 for the committed file):

    python3 tools/reference/tutorials.py
"""

import json
import os
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "nn-core", "tests", "reference", "tutorial-outputs.json")

# example name (nn-core/examples/tutorial_<name>.rs): twin script
TUTORIALS = {
    "build_model": "tutorials/build_model.py",
    "autograd": "tutorials/autograd.py",
    "optimization": "tutorials/optimization.py",
}


def main():
    outputs = {}
    for name, script in TUTORIALS.items():
        run = subprocess.run(
            [sys.executable, os.path.join(HERE, script)],
            capture_output=True, text=True, check=True,
        )
        outputs[name] = run.stdout
        print(f"{name}: {len(run.stdout.splitlines())} lines")
    document = {
        "generated_by": "python3 tools/reference/tutorials.py",
        "torch": torch.__version__,
        "twins": {name: f"tools/reference/{script}" for name, script in TUTORIALS.items()},
        "outputs": outputs,
    }
    with open(OUT, "w") as f:
        json.dump(document, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()

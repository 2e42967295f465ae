"""Runs a PyTorch twin notebook and records what its tagged cells print, the
blocks the Rust notebook of the same name must print too.

    python3 notebooks/pytorch/run_twin.py 04-classification.ipynb
    # writes notebooks/pytorch/04-classification.printed.json

Needs torch (2.15.0 for the committed files), nothing else: the code cells run
in order in one namespace, from this folder, as a kernel would run them, each
cell's stdout captured. Pictures are not recorded: with matplotlib installed
they are drawn off screen (Agg) and dropped; without it, `plt` is a stand-in
that does nothing. tests/notebooks/test_notebooks.py compares the JSON with
the executed Rust notebook; the tests never need torch.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import types
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent


def matplotlib_or_stand_in() -> str:
    """Agg when matplotlib is there, else a module whose calls do nothing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        plt.show = lambda *a, **k: plt.close("all")
        return f"matplotlib {matplotlib.__version__} (Agg)"
    except ImportError:
        pass

    class Anything:
        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            return Anything()

        def __call__(self, *args, **kwargs):
            return Anything()

        def __iter__(self):
            return iter((Anything(), Anything()))

        @property
        def flat(self):
            return iter(())

    def attribute(name):
        if name.startswith("__"):  # __file__, __path__...: not a plotting call
            raise AttributeError(name)
        return Anything()

    pyplot = types.ModuleType("matplotlib.pyplot")
    pyplot.__getattr__ = attribute
    package = types.ModuleType("matplotlib")
    package.pyplot = pyplot
    sys.modules["matplotlib"] = package
    sys.modules["matplotlib.pyplot"] = pyplot
    return "no matplotlib: plots skipped"


def run(name: str) -> dict:
    import torch

    plots = matplotlib_or_stand_in()
    nb = json.loads((HERE / name).read_text())
    namespace: dict = {"__name__": "__main__"}
    printed: dict[str, str] = {}
    os.chdir(HERE)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            # torch without numpy warns on import; not part of any cell's output.
            warnings.simplefilter("ignore")
            exec(compile("".join(cell["source"]), f"<{name} cell {i}>", "exec"), namespace)
        for tag in cell.get("metadata", {}).get("tags", []):
            printed[tag] = out.getvalue()
    return {
        "notebook": f"notebooks/pytorch/{name}",
        "generated_by": "python3 notebooks/pytorch/run_twin.py " + name,
        "torch": torch.__version__,
        "plots": plots,
        "printed": printed,
    }


if __name__ == "__main__":
    names = sys.argv[1:] or ["04-classification.ipynb"]
    for name in names:
        result = run(name)
        path = HERE / name.replace(".ipynb", ".printed.json")
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        print("wrote", path, f"({len(result['printed'])} cells, torch {result['torch']}, {result['plots']})")

#!/usr/bin/env python3
"""What each course cell makes rustc compile: runs notebooks in our kernel,
keeps the crate evcxr generated for every cell (NN_KERNEL_KEEP_SOURCES), then
compiles each again with the kernel's own rustc command on a copy of the
build template, asking rustc (RUSTC_BOOTSTRAP=1, profiling only) for the
functions it instantiates (-Zprint-mono-items) and its passes' times.

Prints per cell: source lines, functions compiled in the cell's crate (all /
instantiated from nn-core / from std / the cell's own), CPU time of the
compile, and the nn-core generics it instantiates most. Not a test.

Usage: .venv/bin/python bench/cell_items.py [notebooks/01-linear-layers.ipynb ...]
       [--top N] [--env NAME=VALUE]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("NN_KERNEL_CACHE", Path.home() / ".cache/nn-kernel"))


def keep_sources(notebook: Path, folder: Path, env: dict[str, str]) -> list[str]:
    nb = nbformat.read(notebook, as_version=4)
    kernel_env = dict(os.environ, NN_KERNEL_STANDBY="0", NN_KERNEL_KEEP_SOURCES=str(folder))
    kernel_env.update(env)
    NotebookClient(nb, kernel_name="rust-nn", timeout=900, allow_errors=True,
                   resources={"metadata": {"path": str(notebook.parent)}}).execute(env=kernel_env)
    return [c.source.splitlines()[0] if c.source else "" for c in nb.cells if c.cell_type == "code"]


class Replay:
    """The kernel's recorded rustc command, on a private copy of the template."""

    def __init__(self, tmp: Path):
        template = CACHE / "template" / "build"
        record_path = template / ".evcxr-rustc-command.json"
        if not record_path.exists():
            sys.exit(f"{record_path} is missing: rebuild the template (nn-kernel warm)")
        self.build = tmp / "build"
        shutil.copytree(template, self.build, symlinks=True)
        record = json.loads(record_path.read_text())
        old = record["cwd"]
        fix = lambda s: s.replace(old, str(self.build))  # noqa: E731
        self.program = record["program"]
        self.args = [fix(a) for a in record["args"]]
        self.env = {k: fix(v) for k, v in record["envs"]}
        self.env.pop("RUSTC_WRAPPER", None)
        self.env["RUSTC_BOOTSTRAP"] = "1"  # -Z flags: profiling only

    def compile(self, source: str) -> tuple[list[str], float, dict[str, float]]:
        (self.build / "src" / "lib.rs").write_text(source)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run = subprocess.run(
            [self.program, *self.args, "-Zprint-mono-items=yes", "-Ztime-passes"],
            cwd=self.build, env=self.env, capture_output=True, text=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
        items = [line.split(" @@")[0][len("MONO_ITEM "):] for line in run.stdout.splitlines()
                 if line.startswith("MONO_ITEM ")]
        passes = {}
        for line in run.stderr.splitlines():
            m = re.match(r"time:\s+([\d.]+);.*\s(\S+)$", line)
            if m:
                passes[m.group(2)] = float(m.group(1)) * 1000
        return items, cpu, passes


def origin(item: str) -> str:
    if "nn_core" in item:
        return "nn-core"
    if re.search(r"\b(std|core|alloc)::", item) and "run_user_code" not in item:
        return "std"
    return "cell"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--top", type=int, default=3, help="nn-core generics listed per cell")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    notebooks = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="nn-cell-items-") as tmp:
        replay = Replay(Path(tmp))
        for notebook in notebooks:
            folder = Path(tmp) / notebook.stem
            heads = keep_sources(notebook, folder, env)
            print(f"\n{notebook.name}")
            print(f"{'cell':>4} {'lines':>5} {'fns':>5} {'nn-core':>7} {'std':>5} {'cell':>5} "
                  f"{'cpu ms':>7} {'link ms':>7}  source")
            totals = collections.Counter()
            for i, path in enumerate(sorted(folder.glob("cell-*.rs"))):
                source = path.read_text()
                items, cpu, passes = replay.compile(source)
                kinds = collections.Counter(origin(it) for it in items)
                totals.update(kinds)
                head = heads[i] if i < len(heads) else ""
                print(f"{i:>4} {source.count(chr(10)):>5} {len(items):>5} {kinds['nn-core']:>7} "
                      f"{kinds['std']:>5} {kinds['cell']:>5} {cpu:>7.0f} "
                      f"{passes.get('link', float('nan')):>7.0f}  {head[:40]}")
                generic = collections.Counter(
                    re.sub(r"<.*", "", it.replace("fn ", "")) for it in items if origin(it) == "nn-core")
                for name, n in generic.most_common(args.top):
                    print(f"{'':>36}{n:>4} x {name[:80]}")
            print(f"all cells: {sum(totals.values())} functions "
                  f"(nn-core {totals['nn-core']}, std {totals['std']}, cell {totals['cell']})")


if __name__ == "__main__":
    main()

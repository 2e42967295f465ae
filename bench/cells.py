#!/usr/bin/env python3
"""Real course cells, side by side: every notebook of notebooks/ executed in
our kernel (rust-nn), and the same lessons in IPython + PyTorch
(notebooks/pytorch/, the twins), in one run. Not a test: prints figures.

Per notebook and start mode it prints: kernel start (launch → kernel_info
reply), median / p90 / max cell (execute_request sent → reply and idle, as
nbclient sees it), the whole run (launch → shutdown), and the ratio of the
whole run to the IPython + PyTorch twin's. Modes:

  warm   a standby kernel is waiting (what a student gets from the second
         notebook on); the bench waits for it before each launch
  cold   no standby (NN_KERNEL_STANDBY=0): a first launch, or a notebook
         opened right after another
  pair   two notebooks executed at once (01 and 02, each in its own kernel,
         warm), as when a class shares the 2 cores

With --breakdown it prints, per cell of the last run, where our kernel spent
the time (the kernel reports it in each execute_reply's metadata,
`nn_kernel.timing`: queue, rust-analyzer, compile, run, output, and the
compile's attempts).

IPython + PyTorch needs a Python where `import torch` and `import ipykernel`
work (and matplotlib for the plots): --torch-python PATH, or
$NN_BENCH_TORCH_PYTHON, else the first of python3 / .venv/bin/python that has
them. Without one it says so and prints ours only.

Usage (with the Python that has nbclient, e.g. the one install.sh chose):
    .venv/bin/python bench/cells.py [--runs 3] [--modes warm,cold,pair]
                                    [--breakdown] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient
except ImportError as error:  # pragma: no cover - a message, not a test
    sys.exit(
        f"bench/cells.py needs nbclient and jupyter_client ({error}).\n"
        "Run it with the Python of the Jupyter that install.sh chose, e.g. "
        ".venv/bin/python bench/cells.py"
    )

ROOT = Path(__file__).resolve().parent.parent
OURS = "rust-nn"
TORCH_KERNEL = "nn-bench-ipython-torch"

sys.path.insert(0, str(ROOT / "tests"))
from long_session import rss_mb  # noqa: E402  IPython's kernel and its children


# ------------------------------------------------------------------ running


class Timed:
    """The times of one notebook run."""

    def __init__(self, name: str):
        self.name = name
        self.start = 0.0  # launch → kernel_info reply
        self.whole = 0.0  # launch → shutdown done
        self.cells: list[float] = []
        self.sources: list[str] = []
        self.timings: list[dict | None] = []
        self.errors: list[str] = []
        self.memory_mb = float("nan")  # our processes' RSS after the last cell

    def summary(self) -> dict:
        cells = sorted(self.cells)
        return {
            "notebook": self.name,
            "start": self.start,
            "median": statistics.median(cells) if cells else float("nan"),
            "p90": percentile(cells, 0.9),
            "max": max(cells) if cells else float("nan"),
            "whole": self.whole,
            "cells": self.cells,
            "errors": self.errors,
            "memory_mb": self.memory_mb,
        }


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (p90 of 10 cells is the 9th)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-q * len(sorted_values) // 1)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def kernel_memory_mb() -> float:
    """Resident memory of every process of our kernel's executable (the
    kernel with rust-analyzer, the process running the cells, the standby
    and its cells' process), from /proc: what one student costs."""
    try:
        exe = os.path.realpath(nn_kernel_exe())
    except Exception:  # noqa: BLE001 - no kernelspec: nothing to measure
        return float("nan")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.path.realpath(f"/proc/{pid}/exe") != exe:
                continue
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


async def run_notebook(path: Path, kernel: str, env: dict[str, str]) -> Timed:
    nb = nbformat.read(path, as_version=4)
    last_code = max((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), default=-1)
    timed = Timed(path.stem)
    began: dict[int, float] = {}
    launched = time.monotonic()

    def on_start(**_):
        timed.start = time.monotonic() - launched

    def on_execute(cell, cell_index, **_):
        began[cell_index] = time.monotonic()

    def on_executed(cell, cell_index, execute_reply, **_):
        timed.cells.append(time.monotonic() - began[cell_index])
        timed.sources.append(cell.source.splitlines()[0] if cell.source else "")
        timed.timings.append(
            (execute_reply or {}).get("metadata", {}).get("nn_kernel", {}).get("timing")
        )
        if cell_index == last_code:
            timed.memory_mb = (kernel_memory_mb() if kernel == OURS
                               else rss_mb(client.km.provisioner.process.pid))
        content = (execute_reply or {}).get("content", {})
        if content.get("status") == "error":
            timed.errors.append(f"cell {cell_index}: {content.get('ename')}: {content.get('evalue')}")

    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=900,
        startup_timeout=600,
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
        on_notebook_start=on_start,
        on_cell_execute=on_execute,
        on_cell_executed=on_executed,
    )
    await client.async_execute(env=env)
    timed.whole = time.monotonic() - launched
    return timed


EXTRA_ENV: dict[str, str] = {}


def kernel_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(EXTRA_ENV)
    env.update(extra or {})
    return env


# ------------------------------------------------------------------ our kernel


def nn_kernel_exe() -> Path:
    spec = KernelSpecManager().get_kernel_spec(OURS)
    return Path(spec.argv[0])


def standby(action: str) -> str:
    result = subprocess.run(
        [str(nn_kernel_exe()), "standby", action], capture_output=True, text=True
    )
    return (result.stdout + result.stderr).strip()


def wait_for_standby(timeout: float = 120) -> bool:
    """True once a standby is waiting (the served kernel starts the next one
    after its warm-up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "waiting" in standby("status"):
            return True
        time.sleep(0.25)
    return False


def wait_for_quiet(seconds: float = 1.0) -> None:
    """Lets the previous kernel's processes exit before the next launch."""
    time.sleep(seconds)


# ------------------------------------------------------------------ IPython + PyTorch


def find_torch_python(explicit: str | None) -> str | None:
    candidates = [explicit, os.environ.get("NN_BENCH_TORCH_PYTHON"), "python3",
                  str(ROOT / ".venv/bin/python")]
    for python in candidates:
        if not python:
            continue
        exe = shutil.which(python) or (python if Path(python).exists() else None)
        if not exe:
            continue
        ok = subprocess.run(
            [exe, "-c", "import torch, ipykernel, matplotlib"],
            capture_output=True,
        ).returncode == 0
        if ok:
            return exe
        if explicit and python == explicit:
            sys.exit(f"{explicit}: cannot import torch, ipykernel and matplotlib")
    return None


def install_torch_kernelspec(python: str, folder: Path) -> None:
    """A kernelspec for IPython in that Python, visible to this process only."""
    spec = folder / "kernels" / TORCH_KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "IPython + PyTorch (bench)",
        "language": "python",
    }))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(folder)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    )


# ------------------------------------------------------------------ report


def fmt(seconds: float) -> str:
    return f"{seconds:.3f}"


def print_table(rows: list[dict], title: str) -> None:
    print(f"\n{title}")
    head = (f"{'kernel':<16}{'mode':<6}{'notebook':<28}{'start':>7}{'median':>8}{'p90':>7}{'max':>7}"
            f"{'whole':>8}{'vs torch':>10}{'MB':>7}")
    print(head)
    print("-" * len(head))
    for r in rows:
        ratio = f"{r['ratio']:.2f}x" if r.get("ratio") else ""
        print(
            f"{r['kernel']:<16}{r['mode']:<6}{r['notebook']:<28}{fmt(r['start']):>7}"
            f"{fmt(r['median']):>8}{fmt(r['p90']):>7}{fmt(r['max']):>7}{fmt(r['whole']):>8}{ratio:>10}"
            f"{r.get('memory_mb', float('nan')):>7.0f}"
        )
        for error in r.get("errors", []):
            print(f"    error: {error}")


def print_breakdown(timed: Timed) -> None:
    print(f"\nwhere the time went, {timed.name} (ms; nbclient's wall time first)")
    keys = ["queue", "analysis", "compile", "run", "output"]
    print(f"{'cell':>4} {'wall':>6} " + " ".join(f"{k:>8}" for k in keys) + "  attempts  source")
    for i, (wall, timing, source) in enumerate(zip(timed.cells, timed.timings, timed.sources)):
        timing = timing or {}
        parts = " ".join(f"{timing.get(k + '_ms', float('nan')):8.1f}" for k in keys)
        attempts = ",".join(timing.get("compiles", []))
        print(f"{i:>4} {wall * 1000:6.0f} {parts}  {attempts:<8}  {source[:40]}")


def median_rows(runs: list[list[dict]]) -> list[dict]:
    """Per (kernel, mode, notebook): the median of each figure over the runs."""
    groups: dict[tuple, list[dict]] = {}
    for rows in runs:
        for r in rows:
            groups.setdefault((r["kernel"], r["mode"], r["notebook"]), []).append(r)
    out = []
    for key, rs in groups.items():
        m = {"kernel": key[0], "mode": key[1], "notebook": key[2], "errors": []}
        for field in ("start", "median", "p90", "max", "whole", "memory_mb"):
            m[field] = statistics.median(r[field] for r in rs)
        for r in rs:
            m["errors"] += r["errors"]
        out.append(m)
    return out


def add_course_rows(rows: list[dict]) -> None:
    """Per mode of our kernel, every course cell together (the issue's
    targets are for the course's cells, not one notebook's)."""
    for mode in ("warm", "cold", "pair"):
        ours = [r for r in rows if r["kernel"] == OURS and r["mode"] == mode]
        if len(ours) < 2:
            continue
        cells = sorted(c for r in ours for c in r["cells"])
        rows.append({
            "kernel": OURS, "mode": mode, "notebook": "(all course cells)",
            "start": statistics.median(r["start"] for r in ours),
            "median": statistics.median(cells), "p90": percentile(cells, 0.9),
            "max": max(cells), "whole": sum(r["whole"] for r in ours),
            "cells": cells, "errors": [], "memory_mb": max(r["memory_mb"] for r in ours),
        })


def add_ratios(rows: list[dict]) -> None:
    torch_whole = {
        r["notebook"]: r["whole"] for r in rows if r["kernel"] == "ipython+torch"
    }
    for r in rows:
        if r["kernel"] == OURS and r["notebook"] in torch_whole:
            r["ratio"] = r["whole"] / torch_whole[r["notebook"]]


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", default="warm,cold,pair")
    parser.add_argument("--notebooks", nargs="*", help="our notebooks (default: notebooks/*.ipynb)")
    parser.add_argument("--torch-python")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--json", help="write every run's figures to this file")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="environment of our kernels (e.g. NN_KERNEL_CELLS=upstream to "
                             "measure evcxr's own way of compiling cells)")
    args = parser.parse_args()
    EXTRA_ENV.update(dict(item.split("=", 1) for item in args.env))

    ours = [Path(p) for p in args.notebooks] if args.notebooks else sorted(
        (ROOT / "notebooks").glob("*.ipynb"))
    twins = {p.stem: p for p in sorted((ROOT / "notebooks" / "pytorch").glob("*.ipynb"))}
    modes = [m for m in args.modes.split(",") if m]

    torch_python = None if args.no_torch else find_torch_python(args.torch_python)
    tmp = Path(tempfile.mkdtemp(prefix="nn-bench-cells-"))
    if torch_python:
        install_torch_kernelspec(torch_python, tmp)
        print(f"IPython + PyTorch: {torch_python}")
    else:
        print("IPython + PyTorch: not found (no Python with torch, ipykernel and matplotlib; "
              "see --torch-python): printing ours only")
    try:
        print(f"rust-nn: {nn_kernel_exe()}")
    except Exception as error:  # noqa: BLE001 - a message for the user
        sys.exit(f"the rust-nn kernelspec is not installed ({error}): run ./install.sh first")

    all_runs: list[list[dict]] = []
    last: dict[tuple, Timed] = {}
    for run in range(1, args.runs + 1):
        rows: list[dict] = []

        def record(kernel: str, mode: str, timed: Timed) -> None:
            row = {"kernel": kernel, "mode": mode} | timed.summary()
            rows.append(row)
            last[(kernel, mode, timed.name)] = timed

        if torch_python:
            for name, path in twins.items():
                timed = asyncio.run(run_notebook(path, TORCH_KERNEL, kernel_env()))
                record("ipython+torch", "-", timed)
        if "cold" in modes:
            standby("stop")
            for path in ours:
                wait_for_quiet()
                timed = asyncio.run(run_notebook(path, OURS, kernel_env({"NN_KERNEL_STANDBY": "0"})))
                record(OURS, "cold", timed)
        if "warm" in modes or "pair" in modes:
            if not wait_for_standby(timeout=1):
                # A launch whose warm-up starts the first standby.
                asyncio.run(run_notebook(ours[0], OURS, kernel_env()))
        if "warm" in modes:
            for path in ours:
                if not wait_for_standby():
                    print("warning: no standby became ready; this launch is cold")
                timed = asyncio.run(run_notebook(path, OURS, kernel_env()))
                record(OURS, "warm", timed)
        if "pair" in modes and len(ours) >= 2:
            wait_for_standby()

            async def pair():
                return await asyncio.gather(
                    run_notebook(ours[0], OURS, kernel_env()),
                    run_notebook(ours[1], OURS, kernel_env()),
                )

            for timed in asyncio.run(pair()):
                record(OURS, "pair", timed)
        add_course_rows(rows)
        add_ratios(rows)
        load = os.getloadavg()
        print_table(rows, f"run {run} of {args.runs} (load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})")
        all_runs.append(rows)

    if args.runs > 1:
        rows = median_rows(all_runs)
        add_ratios(rows)
        print_table(rows, f"median of {args.runs} runs")
    if args.breakdown:
        for (kernel, mode, _), timed in last.items():
            if kernel == OURS and mode in ("warm", "cold"):
                print(f"\n[{mode}]", end="")
                print_breakdown(timed)
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": all_runs}, indent=1))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Memory of one student's kernel, and what rust-analyzer costs: a kernel
started cold (so that the launched process is the kernel itself), notebook
01's cells executed in it, then a completion request (Tab) and an inspection
(Shift-Tab), then idle until rust-analyzer is let go. Not a test: prints
figures.

For each mode of NN_KERNEL_ANALYZER (lazy, the default, and eager) it prints
the PSS of the kernel's process tree (the kernel with rust-analyzer in it,
the process running the cells) after start-up, after notebook 01, after the
first Tab (and how long that Tab took), and after the idle time
(NN_KERNEL_ANALYZER_IDLE, 10 s here) has passed; and the PSS of a standby
kernel once one is waiting.

Usage: .venv/bin/python bench/kernel_memory.py [--modes lazy,eager]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from harness import KERNEL_NAME, nn_kernel, start_cold_kernel, wait_for_standby  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from long_session import pss_mb  # noqa: E402

IDLE = 10


def notebook_cells(name: str) -> list[str]:
    nb = json.loads((HERE.parent / "notebooks" / name).read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def standby_pss() -> float | None:
    """PSS of the waiting standby kernel's process tree, if one waits."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if len(cmd) > 1 and cmd[0].endswith(b"nn-kernel") and cmd[1] == b"standby":
            if len(cmd) > 2 and cmd[2] in (b"stop", b"status"):
                continue
            return pss_mb(int(proc.name))
    return None


def measure(mode: str) -> dict:
    nn_kernel("standby", "stop")
    k = start_cold_kernel(NN_KERNEL_ANALYZER=mode, NN_KERNEL_ANALYZER_IDLE=str(IDLE))
    pid = k.km.provisioner.process.pid
    figures = {"mode": mode}
    try:
        k.ok("1 + 1", timeout=600)
        time.sleep(3)  # the background work of an idle kernel (eager: warm-up)
        figures["after_start_mb"] = pss_mb(pid)
        for code in notebook_cells("01-linear-layers.ipynb"):
            k.execute(code)
        figures["after_notebook_01_mb"] = pss_mb(pid)
        code = "let tab_test = Tensor::ones([2, 3]);\ntab_test.su"
        started = time.monotonic()
        reply = k.request(lambda kc: kc.complete(code, len(code)), timeout=300)
        figures["first_tab_s"] = time.monotonic() - started
        figures["first_tab_matches"] = len(reply["content"].get("matches", []))
        started = time.monotonic()
        k.request(lambda kc: kc.inspect("Tensor::ones", 8), timeout=300)
        figures["then_shift_tab_s"] = time.monotonic() - started
        figures["after_tab_mb"] = pss_mb(pid)
        time.sleep(IDLE + 4)
        figures["after_idle_mb"] = pss_mb(pid)
        started = time.monotonic()
        k.request(lambda kc: kc.complete(code, len(code)), timeout=300)
        figures["tab_after_unload_s"] = time.monotonic() - started
    finally:
        k.shutdown()
        nn_kernel("standby", "stop")
    # This kernel started none (a cold kernel: NN_KERNEL_STANDBY=0); one
    # started by hand, as a kernel would start it, once it waits.
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    standby = subprocess.Popen([spec.argv[0], "standby"], env={**os.environ, **spec.env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if wait_for_standby(120):
            time.sleep(2)
            figures["standby_mb"] = standby_pss()
    finally:
        nn_kernel("standby", "stop")
        try:
            standby.wait(30)
        except subprocess.TimeoutExpired:
            standby.kill()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="lazy,eager")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    for mode in args.modes.split(","):
        f = measure(mode)
        print(
            f"{mode:6} start {f['after_start_mb']:6.0f} MB | after 01 {f['after_notebook_01_mb']:6.0f} MB"
            f" | first Tab {f['first_tab_s']:5.2f} s ({f['first_tab_matches']} matches),"
            f" Shift-Tab {f['then_shift_tab_s']:4.2f} s → {f['after_tab_mb']:6.0f} MB"
            f" | idle {IDLE} s → {f['after_idle_mb']:6.0f} MB (Tab then {f['tab_after_unload_s']:4.2f} s)"
            f" | standby {f.get('standby_mb') or float('nan'):6.0f} MB",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Start-up and cell latency of the `rust-nn` kernel (and of evcxr_jupyter's
`rust` kernel when installed). Not a test: prints figures.

For each kernel and start mode it measures, from launch:
  - the kernel_info reply,
  - the first output of a first cell (`1 + 1`),
  - in a second launch, the first output of a first cell that defines a
    variable (`let x = tensor![[1.0, -1.0]]; x`: evcxr asks rust-analyzer for
    its type, and rust-analyzer's first analysis loads the standard library
    and nn-core's dependencies),
and then the median time of 20 simple cells (`i + 1`) and of 20 cells that
each define a variable (`let v_i = i;`), each from execute_request to the
idle status.

Start modes of rust-nn: "cold" (NN_KERNEL_STANDBY=0: the launch starts evcxr
itself) and "standby" (a standby kernel started by an earlier launch is
waiting, which is what a user gets from the second notebook on).

Usage: python3 bench/kernel_startup.py [--runs N] [--cells N]
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import subprocess
import time

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager


def run_cell(kc, code: str, timeout: float = 600) -> tuple[float | None, float]:
    """Sends code; returns (time of first output, time of idle) from now."""
    start = time.monotonic()
    msg_id = kc.execute(code)
    first = None
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if first is None and kind in ("execute_result", "stream", "display_data", "error"):
            first = time.monotonic() - start
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            return first, time.monotonic() - start


FIRST_CELL = "1 + 1"
FIRST_LET_CELL = "let x = tensor![[1.0, -1.0]]; x"


def wait_for_iopub(kc, msg_id: str) -> None:
    """Waits until iopub is connected: a subscriber misses what is published
    before it is (ZeroMQ), and a kernel served by a standby answers so fast
    that the first cell's outputs could be lost. The kernel publishes a
    status for every request; without it, asks again."""
    while True:
        deadline = time.monotonic() + 0.2
        while time.monotonic() < deadline:
            try:
                msg = kc.get_iopub_msg(timeout=0.1)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status":
                return
        msg_id = kc.kernel_info()


def kernel_cpu_seconds() -> float:
    """CPU time used so far by every process of an nn-kernel executable."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if not os.path.realpath(f"/proc/{pid}/exe").endswith("/nn-kernel"):
                continue
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def wait_quiet(limit: float = 60.0) -> None:
    """Waits until the kernel's processes use < 5% of a core for a second
    (its background work is done), at most `limit` seconds."""
    time.sleep(2)  # past the idle delay that starts the background work
    deadline = time.monotonic() + limit
    before = kernel_cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(1)
        now = kernel_cpu_seconds()
        if now - before < 0.05:
            return
        before = now


def measure(
    kernel_name: str, env: dict[str, str], cells: int, first_cell: str = FIRST_CELL
) -> dict[str, float]:
    launched = time.monotonic()
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    try:
        msg_id = kc.kernel_info()
        while True:
            reply = kc.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        info = time.monotonic() - launched
        wait_for_iopub(kc, msg_id)
        sent = time.monotonic()
        first, _ = run_cell(kc, first_cell)
        first_output = sent - launched + (first or 0)
        result = {"kernel_info": info, "first_output": first_output}
        print(f"  {kernel_name}: first output {first_output:.2f}s ({first_cell})", flush=True)
        if cells:
            # Once idle, the kernel warms rust-analyzer up (~4 s of CPU, for
            # completion) and then starts the next launch's standby (~5 s).
            # Measure after that, as a user reading the first output would.
            run_cell(kc, "0")
            wait_quiet()
            times = [run_cell(kc, f"{i} + 1")[1] for i in range(cells)]
            result["cell_median"] = statistics.median(times)
            lets = [run_cell(kc, f"let v_{i} = {i};")[1] for i in range(cells)]
            result["let_median"] = statistics.median(lets)
        return result
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def measure_both(kernel_name: str, env: dict[str, str], cells: int) -> dict[str, float]:
    """Two launches: one with `1 + 1` first (and the cell medians), one with a
    `let` first."""
    result = measure(kernel_name, env, cells)
    result["first_let_output"] = measure(kernel_name, env, 0, FIRST_LET_CELL)["first_output"]
    return result


def nn_kernel(spec, *args: str) -> str:
    env = {**os.environ, **spec.env}
    done = subprocess.run([spec.argv[0], *args], env=env, capture_output=True, text=True)
    return done.stdout.strip()


def wait_for_standby(spec, timeout: float = 600) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if nn_kernel(spec, "standby", "status") == "waiting":
            return True
        time.sleep(0.5)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="launches per mode (default 3)")
    parser.add_argument("--cells", type=int, default=20, help="simple cells per launch (default 20)")
    args = parser.parse_args()
    specs = KernelSpecManager().find_kernel_specs()
    rows = []
    if "rust-nn" in specs:
        spec = KernelSpecManager().get_kernel_spec("rust-nn")
        cold = {**os.environ, "NN_KERNEL_STANDBY": "0"}
        nn_kernel(spec, "standby", "stop")
        for _ in range(args.runs):
            rows.append(("rust-nn", "cold", measure_both("rust-nn", cold, args.cells)))
        for _ in range(args.runs):
            # Each launch leaves a standby for the next one, once it is warm;
            # start one here if there is none.
            if nn_kernel(spec, "standby", "status") != "waiting":
                subprocess.Popen(
                    [spec.argv[0], "standby"],
                    env={**os.environ, **spec.env},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            if not wait_for_standby(spec):
                print("no standby became ready")
                break
            rows.append(("rust-nn", "standby", measure("rust-nn", dict(os.environ), args.cells)))
            if not wait_for_standby(spec):
                print("no standby became ready")
                break
            first_let = measure("rust-nn", dict(os.environ), 0, FIRST_LET_CELL)
            rows[-1][2]["first_let_output"] = first_let["first_output"]
        nn_kernel(spec, "standby", "stop")
    else:
        print("rust-nn is not installed (./install.sh)")
    if "rust" in specs:
        for _ in range(args.runs):
            rows.append(("rust (evcxr_jupyter)", "-", measure_both("rust", dict(os.environ), args.cells)))
    else:
        print("evcxr_jupyter's `rust` kernel is not installed: no comparison")

    print(
        f"\n{'kernel':<22} {'start':<8} {'kernel_info':>12} {'first output':>13} "
        f"{'first let output':>17} {'cell median':>12} {'let median':>11}"
    )
    for name, mode, r in rows:
        print(
            f"{name:<22} {mode:<8} {r['kernel_info']:>11.2f}s {r['first_output']:>12.2f}s "
            f"{r.get('first_let_output', float('nan')):>16.2f}s "
            f"{r['cell_median']:>11.3f}s {r['let_median']:>10.3f}s"
        )


if __name__ == "__main__":
    main()

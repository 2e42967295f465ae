#!/usr/bin/env python3
"""Start-up and cell latency of the `rust-nn` kernel (and of evcxr_jupyter's
`rust` kernel when installed). Not a test: prints figures.

For each kernel and start mode it measures, from launch:
  - the kernel_info reply,
  - the first output of a first cell (`1 + 1`),
and then the median time of 20 simple cells (`i + 1`), each from
execute_request to the idle status.

Start modes of rust-nn: "cold" (NN_KERNEL_STANDBY=0: the launch starts evcxr
itself) and "standby" (a standby kernel started by an earlier launch is
waiting, which is what a user gets from the second notebook on).

Usage: python3 bench/kernel_startup.py [--runs N] [--cells N]
"""

from __future__ import annotations

import argparse
import os
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


def measure(kernel_name: str, env: dict[str, str], cells: int) -> dict[str, float]:
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
        sent = time.monotonic()
        first, _ = run_cell(kc, "1 + 1")
        first_output = sent - launched + (first or 0)
        times = [run_cell(kc, f"{i} + 1")[1] for i in range(cells)]
        return {
            "kernel_info": info,
            "first_output": first_output,
            "cell_median": statistics.median(times),
        }
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


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
            rows.append(("rust-nn", "cold", measure("rust-nn", cold, args.cells)))
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
        nn_kernel(spec, "standby", "stop")
    else:
        print("rust-nn is not installed (./install.sh)")
    if "rust" in specs:
        for _ in range(args.runs):
            rows.append(("rust (evcxr_jupyter)", "-", measure("rust", dict(os.environ), args.cells)))
    else:
        print("evcxr_jupyter's `rust` kernel is not installed: no comparison")

    print(f"\n{'kernel':<22} {'start':<8} {'kernel_info':>12} {'first output':>13} {'cell median':>12}")
    for name, mode, r in rows:
        print(
            f"{name:<22} {mode:<8} {r['kernel_info']:>11.2f}s {r['first_output']:>12.2f}s "
            f"{r['cell_median']:>11.3f}s"
        )


if __name__ == "__main__":
    main()

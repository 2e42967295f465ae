#!/usr/bin/env python3
"""Launches in a row, as students open and close notebooks: each launch
starts a kernel (served by the standby when one waits), runs a first cell
with a `let`, and ends in one of three ways (graceful shutdown, Jupyter's
`now=True`, or a restart then a cell then shutdown), after a random gap of
0.2-13 s. Not a test: prints how many launches answered, and for those
that did not, what the kernel said on stderr.

Usage: .venv/bin/python bench/launches.py [--launches 40] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from jupyter_client.manager import KernelManager  # noqa: E402

from harness import KERNEL_NAME, Kernel, nn_kernel  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--launches", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    nn_kernel("standby", "stop")
    answered, failures, firsts = 0, [], []
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    for n in range(args.launches):
        ending = rng.choice(["graceful", "now", "restart"])
        stderr = tempfile.TemporaryFile()
        km = KernelManager(kernel_name=KERNEL_NAME)
        started = time.monotonic()
        ok = False
        try:
            km.start_kernel(stderr=stderr)
            kc = km.client()
            kc.start_channels()
            kc.wait_for_ready(timeout=60)
            k = Kernel(km, kc)
            run = k.execute(f"let v = {n}; v + 1", timeout=args.timeout)
            ok = run.status == "ok" and run.result_text() == str(n + 1)
            firsts.append(time.monotonic() - started)
            if ok and ending == "restart":
                km.restart_kernel(now=True)
                kc.wait_for_ready(timeout=60)
                again = k.execute("2 * 21", timeout=args.timeout)
                ok = again.status == "ok" and again.result_text() == "42"
        except Exception as error:  # a hang or a dead kernel: recorded
            stderr.seek(0)
            failures.append((n, ending, repr(error), stderr.read().decode(errors="replace")[-2000:]))
        finally:
            try:
                kc.stop_channels()
                km.shutdown_kernel(now=ending == "now")
            except Exception:
                pass
        answered += ok
        if not ok and (not failures or failures[-1][0] != n):
            stderr.seek(0)
            failures.append((n, ending, "wrong answer", stderr.read().decode(errors="replace")[-2000:]))
        print(f"  launch {n + 1:2}: {'ok' if ok else 'FAILED'} ({ending}, "
              f"{time.monotonic() - started:.1f} s)", flush=True)
        time.sleep(rng.uniform(0.2, 13))
    nn_kernel("standby", "stop")
    print(f"\n{answered} of {args.launches} launches answered their first cell "
          f"(median launch → first answer {statistics.median(firsts):.2f} s)")
    for n, ending, why, err in failures:
        print(f"\nlaunch {n + 1} ({ending}): {why}\n--- kernel stderr ---\n{err}")
    return 0 if answered == args.launches else 1


if __name__ == "__main__":
    sys.exit(main())

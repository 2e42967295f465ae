#!/usr/bin/env python3
"""1,000 cells in one kernel session (tests/long_session.py: tensors, a training
step, displayed tensors, plots, arithmetic, a printed model, in turn), as a
student's notebook grows over a lesson. Not a test: prints figures.

It prints the median and p90 latency of the first 100 and of the last 100
cells (execute_request sent → reply and idle) and their ratio (issue 16's
target: the last 100 within 20% of the first 100), the memory (PSS) of the
kernel's process tree after the first cells and at the end, and the size of
the session's build folder at both times.

Usage (with the Python that has jupyter_client, e.g. the one install.sh
chose):  .venv/bin/python bench/soak.py [--cells 1000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

from long_session import run_soak  # noqa: E402


def p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=1000)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.cells < 200:
        parser.error("--cells must be at least 200 (first and last 100 are compared)")
    load = os.getloadavg()[0]
    started = time.monotonic()

    def progress(done, soak):
        recent = soak.seconds[-100:]
        print(f"  {done:5} cells, median of the last 100: {statistics.median(recent):.3f} s",
              flush=True)

    soak = run_soak(args.cells, progress)
    first, last = soak.seconds[:100], soak.seconds[-100:]
    figures = {
        "cells": args.cells,
        "load_average_at_start": load,
        "wall_seconds": time.monotonic() - started,
        "first_100_median_s": statistics.median(first),
        "first_100_p90_s": p90(first),
        "last_100_median_s": statistics.median(last),
        "last_100_p90_s": p90(last),
        "ratio_last_to_first_median": statistics.median(last) / statistics.median(first),
        "memory_start_mb": soak.memory_start_mb,
        "memory_end_mb": soak.memory_end_mb,
        "build_folder_start_mb": soak.folder_start_mb,
        "build_folder_end_mb": soak.folder_end_mb,
        "wrong_cells": soak.wrong,
    }
    print(f"\n{args.cells} cells in one session ({figures['wall_seconds']:.0f} s, "
          f"load average {load:.1f} at start)")
    print(f"  first 100: median {figures['first_100_median_s']:.3f} s, "
          f"p90 {figures['first_100_p90_s']:.3f} s")
    print(f"  last 100:  median {figures['last_100_median_s']:.3f} s, "
          f"p90 {figures['last_100_p90_s']:.3f} s")
    print(f"  last / first (median): {figures['ratio_last_to_first_median']:.2f} "
          f"(target ≤ 1.20)")
    print(f"  memory of the kernel's process tree (PSS): {soak.memory_start_mb:.0f} MB → "
          f"{soak.memory_end_mb:.0f} MB")
    print(f"  build folder: {soak.folder_start_mb:.0f} MB → {soak.folder_end_mb:.0f} MB")
    print(f"  cells with a wrong output: {len(soak.wrong)}")
    for line in soak.wrong[:5]:
        print(f"    {line}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)
    return 1 if soak.wrong else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""What nn-core's interrupt points cost: the course's training steps timed
with them and without them, in one run. Not a test: prints figures.

Every new tensor, `backward` and an optimizer's `step` pass an interrupt
point (nn-core/src/notebook/interrupt.rs): one relaxed atomic load and a
branch, so that a training loop written as the course writes it stops when
the student presses *interrupt*. The target is a cost under 1% on the
course's nets.

It builds the workloads benchmark (nn-core/benches/workloads.rs) twice:
as it is ("with"), and with `--cfg nn_core_no_interrupt_check` ("without":
the points compile to nothing) in its own target folder. Then it runs the two
binaries in turn, ABAB…, each round timing every workload on 1 thread with
Criterion, and prints per workload the median over the rounds of each
binary's time per step, the ratio with/without, and the median and spread of
the per-round ratios (a round's two runs see nearly the same load). On a
shared machine, run it when the load average is low; it prints the load of
every round.

A 2-core virtual machine swings single runs by several percent, more than
the cost sought, so it also bounds the cost from its parts: how many points
one step passes (counted by nn-core's unit test
`a_training_step_passes_few_interrupt_points`, the regression nets) times
what one point costs (`interrupt_check_x1000`), over the measured step.

Usage:
    python3 bench/interrupt_cost.py [--rounds 6] [--quick] [--json FILE]
                                    [--workloads reg_1_10_1,mlp_784_128_10_b64]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The nets of notebooks 02 (regression, SGD and Adam), 04 (a bigger
# regression net, the MLP on 28x28 digits) and 05 (the convolutional nets).
COURSE = [
    "reg_1_10_1",
    "reg_1_10_1_adam",
    "reg_1_64_64_1",
    "mlp_784_128_10_b64",
    "cnn_digits_b64",
    "lenet_train_b64",
]
CFG = "nn_core_no_interrupt_check"
UNITS = {"ps": 1e-6, "ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
# Criterion's summary: "reg_1_10_1/1  time:   [10.311 µs 10.402 µs 10.512 µs]",
# the name on a line of its own when it is long.
NAME = re.compile(r"^(\w+)(?:/1)?(?:\s|$)")
TIME = re.compile(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]")


def build(target: Path | None) -> Path:
    """Builds the workloads benchmark and returns the binary's path."""
    env = dict(os.environ)
    if target is not None:
        env["CARGO_TARGET_DIR"] = str(target)
        env["RUSTFLAGS"] = (env.get("RUSTFLAGS", "") + f" --cfg {CFG}").strip()
    out = subprocess.run(
        ["cargo", "bench", "-p", "nn-core", "--bench", "workloads", "--no-run",
         "--message-format=json-render-diagnostics"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, check=True, text=True,
    ).stdout
    for line in out.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "workloads" \
                and message.get("executable"):
            return Path(message["executable"])
    sys.exit("bench/interrupt_cost.py: cargo built no workloads binary")


def run(binary: Path, workloads: list[str], quick: bool, home: Path) -> dict[str, float]:
    """Runs one binary over the workloads (1 thread); µs per step each."""
    env = dict(os.environ, CRITERION_HOME=str(home))
    if quick:
        env["NN_BENCH_QUICK"] = "1"
    # The training steps on 1 thread; the check's own benchmark has no threads.
    pattern = "^(" + "|".join(re.escape(w) for w in workloads) + ")(/1)?$"
    done = subprocess.run(
        [str(binary), "--bench", "--noplot", "--discard-baseline", pattern],
        cwd=ROOT / "nn-core", env=env, capture_output=True, text=True,
    )
    if done.returncode:
        sys.exit(f"bench/interrupt_cost.py: {binary} failed:\n{done.stderr}")
    out = done.stdout
    times, current = {}, None
    for line in out.splitlines():
        if name := NAME.match(line):
            current = name.group(1)
        if (time := TIME.search(line)) and current:
            times[current] = float(time.group(1)) * UNITS[time.group(2)]
            current = None
    missing = set(workloads) - set(times)
    if missing:
        sys.exit(f"bench/interrupt_cost.py: no time for {sorted(missing)} in:\n{out}")
    return times


def points_per_step() -> dict[str, int]:
    """Interrupt points per training step, from nn-core's counting test."""
    out = subprocess.run(
        ["cargo", "test", "-q", "-p", "nn-core", "--lib", "a_training_step_passes_few_interrupt_points",
         "--", "--nocapture"],
        cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True,
    ).stdout
    names = {("[10]", "false"): "reg_1_10_1", ("[10]", "true"): "reg_1_10_1_adam",
             ("[64, 64]", "false"): "reg_1_64_64_1"}
    counts = {}
    for hidden, adam, points in re.findall(r"hidden (\[[\d, ]+\]), adam (\w+): (\d+) interrupt points", out):
        counts[names[(hidden, adam)]] = int(points)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--quick", action="store_true", help="NN_BENCH_QUICK=1 (1 s per workload)")
    parser.add_argument("--workloads", default=",".join(COURSE))
    parser.add_argument("--json", type=Path, help="write every round's times here")
    args = parser.parse_args()
    workloads = args.workloads.split(",")

    home = ROOT / "target" / "interrupt-cost"
    print("building the benchmark with the interrupt points …", flush=True)
    with_check = build(None)
    print(f"building it without them (--cfg {CFG}, {home / 'target'}) …", flush=True)
    without_check = build(home / "target")

    counts = points_per_step()
    rounds = []
    for number in range(args.rounds):
        # Alternate which binary goes first, so neither always runs warmer.
        order = [("with", with_check), ("without", without_check)]
        if number % 2:
            order.reverse()
        result = {"load": os.getloadavg()[0]}
        for name, binary in order:
            names = workloads + ["interrupt_check_x1000"] * (name == "with")
            result[name] = run(binary, names, args.quick, home / "criterion")
        rounds.append(result)
        print(f"round {number + 1}/{args.rounds}: load {result['load']:.2f}  " + "  ".join(
            f"{w} {result['with'][w]:.2f}/{result['without'][w]:.2f}" for w in workloads), flush=True)

    print(f"\nµs per training step, 1 thread, median of {args.rounds} rounds "
          f"(load average {min(r['load'] for r in rounds):.2f}-{max(r['load'] for r in rounds):.2f})")
    print(f"{'workload':<22} {'with':>10} {'without':>10} {'with/without':>13}   per-round ratios: median [min, max]")
    for w in workloads:
        on = statistics.median(r["with"][w] for r in rounds)
        off = statistics.median(r["without"][w] for r in rounds)
        ratios = [r["with"][w] / r["without"][w] for r in rounds]
        print(f"{w:<22} {on:>10.2f} {off:>10.2f} {on / off:>13.4f}   "
              f"{statistics.median(ratios):.4f} [{min(ratios):.4f}, {max(ratios):.4f}]")
    # One point: the check's own time per call (ns), median over the rounds.
    point_ns = statistics.median(r["with"]["interrupt_check_x1000"] for r in rounds)  # µs/1000 = ns
    print(f"\none interrupt point: {point_ns:.3f} ns (interrupt_check_x1000, median)")
    for w, points in counts.items():
        if w in workloads:
            step_us = statistics.median(r["with"][w] for r in rounds)
            print(f"{w:<22} {points} points per step x {point_ns:.3f} ns = {points * point_ns:.1f} ns "
                  f"= {100 * points * point_ns / 1000 / step_us:.3f}% of its {step_us:.2f} µs step")
    if args.json:
        args.json.write_text(json.dumps(
            {"workloads": workloads, "points_per_step": counts, "rounds": rounds}, indent=1))


if __name__ == "__main__":
    main()

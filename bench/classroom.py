#!/usr/bin/env python3
"""A class on one server: JupyterHub (from PyPI) on loopback, a local
spawner and N test students, who all at the same moment open notebook 01,
run every cell, then open notebook 02 and run every cell, through the hub's
REST API and their kernels' websockets, as JupyterLab would. Not a test: it
prints figures (tests/classroom/test_classroom.py runs the same code with
3 students and asserts on them).

Each student has a server of their own (JupyterHub's REST API), opens a
notebook as JupyterLab does (a session, so a kernel of its own, and the
kernel's websocket), sends every code cell in order, each after the
previous one's reply, and closes notebook 01 (Jupyter shuts its kernel
down) before opening 02, which stays open until the end measurement.

For each N (`--users 1,5,10,20`) it starts a fresh hub and prints:

  * completion: how many notebooks ran with every code cell's text outputs
    equal to the notebook's stored ones (compared as tests/notebooks does:
    streams joined, text/plain of results and displays, errors, timings of
    progress lines masked);
  * wall time: all students start → the last one's last cell done; per
    student the server's start, each notebook (session created → last
    cell's reply), and cells (execute_request → reply and idle);
  * memory per student: the PSS (from /proc/PID/smaps_rollup; RSS beside it)
    of the processes that student's Jupyter server started: the kernels,
    their cells' processes (rust-analyzer is inside the kernel), the standby
    and the compilers running at that moment; not the Jupyter server itself,
    which is reported separately. "end" is after both notebooks, with
    notebook 02's kernel still open and the standby (if any) waiting;
    "peak" is the largest sample during the run;
  * the server: the sampled peak of every process of the class together
    (hub, proxy, Jupyter servers, students' processes) and how far the
    machine's MemAvailable fell below its value before the hub started
    (other work on the machine moves the latter).

How a student's server is set up (what an instructor's jupyterhub_config.py
needs, see `HUB_CONFIG`): every Jupyter server runs from this environment
(`jupyterhub-singleuser` beside this Python, which finds the `rust-nn`
kernelspec), with the Rust toolchain's PATH, RUSTUP_HOME and CARGO_HOME
(JupyterHub passes almost nothing of its own environment on), and its own
kernel cache NN_KERNEL_CACHE=<home>/.cache/nn-kernel, seeded at the first
start with a copy of the instructor's warmed build template. All servers
share the host's network, so ports are chosen below the ephemeral range:
the servers' (JupyterHub's random choice collided with a kernel's port at
10 students) and, per student, a block for their kernels' ports
(`KERNEL_PORTS_CONFIG`; Jupyter's random choice made kernels of 2 of 20
students fail with "Address already in use").

The figures also go to bench/results/classroom-DATE.json (--json FILE;
results are not committed), and the hub's log there when a class fails.

Needs: `pip install jupyterhub websocket-client requests` (tests/requirements.txt),
configurable-http-proxy (`npm ci` in tests/classroom), the kernel installed
with its template (./install.sh).

Usage (with the Python of the Jupyter that install.sh chose):
    .venv/bin/python bench/classroom.py [--users 1,5,10,20] [--notebooks 01,02]
                                        [--tab] [--kernel-ports blocks|jupyter]
                                        [--interval 1.0] [--json FILE] [--keep]

`--tab`: each student also presses Tab once after the last cell; the
completion loads rust-analyzer into their kernel, whose memory is then
part of the "end" figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ports  # bench/ports.py (this folder is on the import path)

ROOT = Path(__file__).resolve().parent.parent
KERNEL_NAME = os.environ.get("NN_KERNEL_NAME", "rust-nn")
CHP = ROOT / "tests" / "classroom" / "node_modules" / ".bin" / "configurable-http-proxy"
# The Jupyter server of every student: the one of the environment running
# this script (where install.sh registered the kernelspec).
SINGLEUSER = Path(sys.executable).parent / "jupyterhub-singleuser"
RESULTS = ROOT / "bench" / "results"
DEFAULT_NOTEBOOKS = ["01", "02"]
# The target of issue 16: memory per student.
TARGET_MB = 400

CELL_TIMEOUT = float(os.environ.get("NN_CLASSROOM_CELL_TIMEOUT", "600"))
SPAWN_TIMEOUT = float(os.environ.get("NN_CLASSROOM_SPAWN_TIMEOUT", "600"))


def missing() -> str | None:
    """Why the class cannot run here, or None."""
    try:
        import jupyterhub  # noqa: F401
        import requests  # noqa: F401
        import websocket  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (pip install -r tests/requirements.txt)"
    if not SINGLEUSER.exists():
        return f"{SINGLEUSER} not found (jupyterhub is not installed in this Python's environment)"
    if not CHP.exists():
        return f"{CHP} not found: run `npm ci` in tests/classroom (tests/run.sh does)"
    try:
        spec = kernelspec()
    except Exception as error:  # noqa: BLE001 - a reason for the report
        return f"the {KERNEL_NAME} kernelspec is not installed ({error}): run ./install.sh"
    template = instructor_cache(spec) / "template"
    if not (template / "stamp").exists():
        return f"no warmed build template at {template}: run ./install.sh (or nn-kernel warm)"
    return None


# ------------------------------------------------------------------ the kernel


def kernelspec():
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager().get_kernel_spec(KERNEL_NAME)


def instructor_cache(spec=None) -> Path:
    """The kernel cache install.sh warmed (kernel/src/config.rs's default)."""
    spec = spec or kernelspec()
    for env in (spec.env, os.environ):
        if env.get("NN_KERNEL_CACHE"):
            return Path(env["NN_KERNEL_CACHE"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "nn-kernel"
    return Path.home() / ".cache" / "nn-kernel"


def standby(action: str, cache: Path) -> str:
    """`nn-kernel standby ACTION` for the kernel cache `cache`."""
    spec = kernelspec()
    env = {**os.environ, **spec.env, "NN_KERNEL_CACHE": str(cache)}
    try:
        done = subprocess.run([spec.argv[0], "standby", action], env=env,
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    return (done.stdout + done.stderr).strip()


def nn_core_fingerprint() -> str:
    """nn-core's fingerprint as the kernel computes it (kernel/src/config.rs:
    the newest modification time and the number of files under nn-core's
    library — not its top-level tests, benches, examples — and the
    workspace's Cargo.lock), to compare with the template's record."""
    nn_core = Path(os.environ.get("NN_KERNEL_NN_CORE", ROOT / "nn-core")).resolve()
    newest, count = 0, 0
    not_the_library = ("tests", "benches", "examples", "proptest-regressions")
    stack = [nn_core]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name in ("target", ".git") or (
                folder == nn_core and entry.name in not_the_library
            ):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            else:
                count += 1
                newest = max(newest, st.st_mtime_ns)
    try:
        newest = max(newest, (nn_core.parent / "Cargo.lock").stat().st_mtime_ns)
    except OSError:
        pass
    return f"{newest}/{count}"


def template_current() -> bool:
    """Whether the instructor's template was built from nn-core as it is now
    (else each kernel believes it must compile nn-core, and says so when its
    first cell waits more than 10 s)."""
    try:
        recorded = (instructor_cache() / "template" / "nn-core.fingerprint").read_text()
    except OSError:
        return False
    return recorded.strip() == nn_core_fingerprint()


# ------------------------------------------------------------------ notebooks


def notebook_paths(prefixes: list[str]) -> list[Path]:
    paths = []
    for prefix in prefixes:
        found = sorted((ROOT / "notebooks").glob(f"{prefix}*.ipynb"))
        if len(found) != 1:
            raise SystemExit(f"notebooks/{prefix}*.ipynb: expected one notebook, found {found}")
        paths.append(found[0])
    return paths


# Progress lines carry timings (rate, elapsed, time left) that differ per run
# (the same as tests/notebooks/test_notebooks.py).
TIMING = re.compile(r"\d+(?:\.\d+)?\s*(?:it/s|s/it|ms|µs|s)\b|\d+:\d{2}(?::\d{2})?")


def text_outputs(outputs: list[dict]) -> list[str]:
    """A code cell's outputs as comparable text, as tests/notebooks compares
    them: streams, errors, and the text/plain of results and displays
    (timings masked). Consecutive pieces of one stream are joined: how a
    stream is cut into messages depends on timing."""
    out: list[str] = []
    for o in outputs:
        if o["output_type"] == "stream":
            head = f"[{o['name']}] "
            text = o["text"] if isinstance(o["text"], str) else "".join(o["text"])
            if out and out[-1].startswith(head):
                out[-1] += text
            else:
                out.append(head + text)
        elif o["output_type"] == "error":
            out.append(f"[error] {o['ename']}: {o['evalue']}")
        else:
            text = o.get("data", {}).get("text/plain", "")
            text = text if isinstance(text, str) else "".join(text)
            out.append(f"[{o['output_type']}] {TIMING.sub('…', text)}")
    return out


class Outputs:
    """A notebook's outputs built from iopub messages as nbclient builds them:
    `update_display_data` rewrites every output with that display id, and
    `clear_output(wait=True)` clears at the next output."""

    def __init__(self, cells: int) -> None:
        self.cells: list[list[dict]] = [[] for _ in range(cells)]
        self.by_display_id: dict[str, list[dict]] = {}
        self.clear_next = False

    def add(self, index: int, msg: dict) -> None:
        kind, content = msg["header"]["msg_type"], msg["content"]
        if kind == "clear_output":
            if content.get("wait"):
                self.clear_next = True
            else:
                self.cells[index].clear()
            return
        display_id = (content.get("transient") or {}).get("display_id")
        if kind == "update_display_data":
            for output in self.by_display_id.get(display_id, []):
                output["data"], output["metadata"] = content["data"], content.get("metadata", {})
            return
        if kind == "stream":
            output = {"output_type": "stream", "name": content["name"], "text": content["text"]}
        elif kind in ("display_data", "execute_result"):
            output = {"output_type": kind, "data": content["data"], "metadata": content.get("metadata", {})}
        elif kind == "error":
            output = {"output_type": "error", "ename": content["ename"], "evalue": content["evalue"],
                      "traceback": content.get("traceback", [])}
        else:
            return
        if self.clear_next:
            self.cells[index].clear()
            self.clear_next = False
        if display_id:
            self.by_display_id.setdefault(display_id, []).append(output)
        self.cells[index].append(output)


# What the kernel prints when a first cell waits more than 10 s for its
# start-up while nn-core's files are newer than the template (kernel/src/server.rs).
STARTUP_NOTICE = "nn-kernel: still starting"


def differences(stored: dict, outputs: Outputs, cells: set[int]) -> tuple[list[str], int]:
    """Where a run's text outputs differ from the stored notebook's, over the
    cells in `cells` (those that ran); and how many of those cells differ
    only by the kernel's start-up notice."""
    problems, notice_only = [], 0
    for i, cell in enumerate(stored["cells"]):
        if cell["cell_type"] != "code" or i not in cells:
            continue
        want, got = "\n".join(text_outputs(cell.get("outputs", []))), "\n".join(text_outputs(outputs.cells[i]))
        if want != got:
            diff = "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(), "stored", "now",
                                                  lineterm="", n=1))
            problems.append(f"cell {i}:\n{diff[:2000]}")
            without = [o for o in outputs.cells[i]
                       if not (o["output_type"] == "stream" and o["text"].startswith(STARTUP_NOTICE))]
            notice_only += want == "\n".join(text_outputs(without))
    return problems, notice_only


# ------------------------------------------------------------------ memory


def read_kb(path: str, keys: tuple[str, ...]) -> dict[str, int]:
    found = {}
    with open(path) as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in keys:
                found[name] = int(rest.split()[0])
    return found


def mem_available_mb() -> float:
    return read_kb("/proc/meminfo", ("MemAvailable",))["MemAvailable"] / 1024


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the machine, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


@dataclass
class Proc:
    pid: int
    ppid: int
    comm: str
    owner: str | None  # the student, "hub" (hub and proxy), or None
    role: str  # server, kernel, cells, compiler, hub, proxy, other
    rss_kb: int = 0
    pss_kb: int = 0


class ProcessTable:
    """Finds the class's processes in /proc. A student's processes carry
    their Jupyter server's environment (JUPYTERHUB_USER, and this run's
    NN_CLASSROOM_RUN): kernels, the cells' processes, rustc, and standbys,
    which the kernel starts in a process group of their own and which
    outlive the kernel that started them, so they are found by environment,
    not only as descendants. The hub and the proxy are the hub's tree."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.hub_pid: int | None = None
        self.known: dict[tuple[int, str], tuple[str | None, str]] = {}

    def _identify(self, pid: int) -> tuple[str | None, str]:
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        except OSError:
            return None, "other"
        if env.get(b"NN_CLASSROOM_RUN", b"").decode() != self.run_id:
            return None, "other"
        user = env.get(b"JUPYTERHUB_USER", b"").decode() or None
        exe = os.path.basename(argv[0]) if argv else ""
        if any(a.endswith("jupyterhub-singleuser") for a in argv[:2]):
            role = "server"
        elif env.get(b"EVCXR_IS_RUNTIME"):
            role = "cells"
        elif exe == "nn-kernel":
            role = "kernel"  # kernels, their stand-ins, standbys
        elif exe in ("rustc", "cargo", "cc", "ld", "ld.lld", "rust-lld", "collect2") or "rustc" in exe:
            role = "compiler"
        else:
            role = "other"
        return user, role

    def scan(self, pss: bool = True) -> list[Proc]:
        stats: dict[int, tuple[int, str, str]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            rest = stat[stat.rindex(")") + 2:].split()
            stats[int(entry)] = (int(rest[1]), rest[19], comm)  # ppid, starttime, comm
        children: dict[int, list[int]] = {}
        for pid, (ppid, _, _) in stats.items():
            children.setdefault(ppid, []).append(pid)
        hub_tree: set[int] = set()
        if self.hub_pid is not None and self.hub_pid in stats:
            stack = [self.hub_pid]
            while stack:
                p = stack.pop()
                hub_tree.add(p)
                stack.extend(children.get(p, []))
        procs = []
        for pid, (ppid, start, comm) in stats.items():
            key = (pid, start)
            if key not in self.known:
                self.known[key] = self._identify(pid)
            owner, role = self.known[key]
            if owner is None and pid in hub_tree:
                owner, role = "hub", ("proxy" if comm.startswith("node") or "proxy" in comm else "hub")
            if owner is None:
                continue
            proc = Proc(pid, ppid, comm, owner, role)
            try:
                if pss:
                    got = read_kb(f"/proc/{pid}/smaps_rollup", ("Rss", "Pss"))
                    proc.rss_kb, proc.pss_kb = got.get("Rss", 0), got.get("Pss", 0)
                else:
                    got = read_kb(f"/proc/{pid}/status", ("VmRSS",))
                    proc.rss_kb = proc.pss_kb = got.get("VmRSS", 0)
            except (OSError, ValueError):
                continue  # exited meanwhile
            procs.append(proc)
        return procs


def summarize(procs: list[Proc], users: list[str]) -> dict:
    """Per student (without the server), per server, hub + proxy, total (MB)."""
    mb = 1024
    out: dict[str, Any] = {"students": {}, "servers": {}, "hub": {"pss": 0.0, "rss": 0.0}}
    for user in users:
        mine = [p for p in procs if p.owner == user and p.role != "server"]
        server = [p for p in procs if p.owner == user and p.role == "server"]
        roles: dict[str, float] = {}
        counts: dict[str, int] = {}
        for p in mine:
            roles[p.role] = roles.get(p.role, 0) + p.pss_kb / mb
            counts[p.role] = counts.get(p.role, 0) + 1
        out["students"][user] = {
            "pss": sum(p.pss_kb for p in mine) / mb,
            "rss": sum(p.rss_kb for p in mine) / mb,
            "processes": len(mine),
            "by_role_pss": roles,
            "by_role_count": counts,
        }
        out["servers"][user] = {"pss": sum(p.pss_kb for p in server) / mb,
                                "rss": sum(p.rss_kb for p in server) / mb}
    hub = [p for p in procs if p.owner == "hub"]
    out["hub"] = {"pss": sum(p.pss_kb for p in hub) / mb, "rss": sum(p.rss_kb for p in hub) / mb}
    out["total"] = {"pss": sum(p.pss_kb for p in procs) / mb, "rss": sum(p.rss_kb for p in procs) / mb}
    return out


class Sampler(threading.Thread):
    """Samples the class's memory every `interval` seconds while it runs."""

    def __init__(self, table: ProcessTable, users: list[str], interval: float) -> None:
        super().__init__(daemon=True)
        self.table, self.users, self.interval = table, users, interval
        self.stop_event = threading.Event()
        self.samples: list[dict] = []
        self.peak_total = {"pss": 0.0, "rss": 0.0}
        self.peak_student: dict[str, float] = {u: 0.0 for u in users}
        self.peak_student_rss: dict[str, float] = {u: 0.0 for u in users}
        self.min_available = mem_available_mb()
        self.cost = 0.0  # seconds of this thread's CPU

    def run(self) -> None:
        began = time.monotonic()
        while not self.stop_event.is_set():
            cpu = time.thread_time()
            summary = summarize(self.table.scan(), self.users)
            available = mem_available_mb()
            self.cost += time.thread_time() - cpu
            self.min_available = min(self.min_available, available)
            self.peak_total["pss"] = max(self.peak_total["pss"], summary["total"]["pss"])
            self.peak_total["rss"] = max(self.peak_total["rss"], summary["total"]["rss"])
            for user, s in summary["students"].items():
                self.peak_student[user] = max(self.peak_student[user], s["pss"])
                self.peak_student_rss[user] = max(self.peak_student_rss[user], s["rss"])
            self.samples.append({"t": round(time.monotonic() - began, 2),
                                 "total_pss": round(summary["total"]["pss"], 1),
                                 "available": round(available, 1)})
            self.stop_event.wait(self.interval)

    def stop(self) -> None:
        self.stop_event.set()
        self.join()


# ------------------------------------------------------------------ the hub

# An instructor's jupyterhub_config.py for this kernel is the same, minus the
# loopback test settings (ports, the dummy authenticator, the insecure
# SimpleLocalProcessSpawner that runs everyone as this OS user).
HUB_CONFIG = '''\
# Written by bench/classroom.py for one run (see there).
import asyncio
import os
import shutil
import sys
from pathlib import Path

S = {settings!r}
sys.path.insert(0, S["bench_dir"])
import ports  # noqa: E402  bench/ports.py
c = get_config()  # noqa: F821

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = S["proxy_port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = S["hub_port"]
c.JupyterHub.db_url = "sqlite:///" + S["hub_dir"] + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = S["hub_dir"] + "/cookie_secret"
c.JupyterHub.pid_file = S["hub_dir"] + "/jupyterhub.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.ConfigurableHTTPProxy.command = [S["chp"]]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:%d" % S["proxy_api_port"]
c.ConfigurableHTTPProxy.auth_token = S["proxy_token"]
c.ConfigurableHTTPProxy.pid_file = S["hub_dir"] + "/proxy.pid"

# Students are created through the REST API with the bench's service token.
c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.JupyterHub.services = [{{"name": "classroom", "api_token": S["service_token"]}}]
c.JupyterHub.load_roles = [{{
    "name": "classroom",
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "list:users"],
    "services": ["classroom"],
}}]

# Every student is this OS user with a home of their own (testing only).
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = S["homes"] + "/{{username}}"
# The single-user servers run from the environment where the rust-nn
# kernelspec is installed (install.sh's), so that each one finds it.
c.Spawner.cmd = [S["singleuser"]]
c.Spawner.args = S["singleuser_args"]
c.Spawner.ip = "127.0.0.1"
c.Spawner.start_timeout = S["spawn_timeout"]
c.Spawner.http_timeout = S["spawn_timeout"]


def kernel_cache(spawner):
    return os.path.join(spawner.home_dir, ".cache", "nn-kernel")


# JupyterHub passes on almost nothing of its own environment: the kernel
# needs the Rust toolchain (PATH, and RUSTUP_HOME / CARGO_HOME, which would
# otherwise follow the student's HOME) and a kernel cache of its own per
# student (build folders, standby socket: never shared between students).
c.Spawner.environment = {{
    **S["environment"],
    "NN_KERNEL_CACHE": kernel_cache,
}}


PORTS_TAKEN = set(S["ports_taken"])


def free_port():
    """See bench/ports.py: below the ephemeral range, where the kernels'
    sockets cannot take it between this choice and the server's start
    (JupyterHub's own choice, a random ephemeral port, can be taken
    meanwhile)."""
    return ports.free_port(tuple(S["server_ports"]), PORTS_TAKEN)


KERNEL_BLOCKS = {{}}


def kernel_ports(spawner):
    """The student's kernels' ports: a block of their own (see
    KERNEL_PORTS_CONFIG in bench/classroom.py), in their Jupyter server's
    configuration."""
    name = spawner.user.name
    if name not in KERNEL_BLOCKS:
        KERNEL_BLOCKS[name] = len(KERNEL_BLOCKS)
    first = S["kernel_ports"][0] + KERNEL_BLOCKS[name] * S["kernel_port_block"]
    last = first + S["kernel_port_block"] - 1
    if last >= S["kernel_ports"][1]:
        raise RuntimeError("too many students for the kernel port blocks")
    config = Path(spawner.home_dir) / ".jupyter" / "jupyter_server_config.py"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(S["kernel_ports_config"].replace("FIRST_PORT", str(first)).replace("LAST_PORT", str(last)))


async def seed(spawner):
    """At a student's first start, seed their kernel cache with a copy of
    the instructor's warmed build template (`nn-kernel install` built it:
    nn-core and its dependencies compiled). Without it each student's first
    kernel compiles nn-core for minutes. `cp -a` keeps the modification
    times that cargo compares; each kernel then copies this template into
    its own session folder, as it does for a single user. The template
    must be refreshed (this copy removed) when the kernel or nn-core is
    updated; a stale one is ignored by the kernel, which then builds.
    Measured cost of the copy being at another path than the instructor's
    cache: every kernel start compiles the small `nn-core-session` crate
    again (its path is part of cargo's fingerprint), about 1.5 s more
    start-up (0.9 → 2.6 s on 2 cores); nn-core itself is not rebuilt."""
    # The server's port: see free_port.
    spawner.port = free_port()
    home = Path(spawner.home_dir)
    home.mkdir(parents=True, exist_ok=True)
    if S["kernel_port_blocks"]:
        kernel_ports(spawner)
    for notebook in S["notebooks"]:
        target = home / os.path.basename(notebook)
        if not target.exists():
            shutil.copy(notebook, target)
    cache = Path(kernel_cache(spawner))
    if not (cache / "template").exists():
        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / "template.partial"
        shutil.rmtree(partial, ignore_errors=True)
        copy = await asyncio.create_subprocess_exec("cp", "-a", S["template"], str(partial))
        if await copy.wait() != 0:
            raise RuntimeError("copying the kernel's build template failed")
        partial.rename(cache / "template")


c.Spawner.pre_spawn_hook = seed
'''


# Below the ephemeral range: the hub's, the proxy's and the Jupyter servers'
# ports, then one block per student for their kernels' ports.
SERVER_PORTS = (max(1024, ports.ephemeral_low() - 12000), max(2048, ports.ephemeral_low() - 6000))
KERNEL_PORTS = (SERVER_PORTS[1], ports.ephemeral_low())
KERNEL_PORT_BLOCK = 50  # ports per student: 5 per kernel

# A student's Jupyter server configuration (~/.jupyter/jupyter_server_config.py)
# with kernel port blocks (`--kernel-ports blocks`, the default).
KERNEL_PORTS_CONFIG = '''\
# Written by the hub (bench/classroom.py) for one student: their kernels take
# their ports from a block of their own, below the ephemeral range. Jupyter
# picks a kernel's ports by binding port 0 and closing the socket; with many
# students' servers on one host, another server's kernel (or any outgoing
# connection) can take such a port before this kernel binds it. The kernel
# then fails ("Address already in use") and jupyter_client restarts it on the
# same ports until it gives up (jupyter_client issues #276/#487): seen with 20
# students. Hubs whose servers each have a network of their own (containers,
# Kubernetes) do not need this.
import socket

from jupyter_client.connect import LocalPortCache

PORTS = range(FIRST_PORT, LAST_PORT + 1)


def find_available_port(self, ip):
    for port in PORTS:
        if port in self.currently_used_ports:
            continue
        with socket.socket() as s:
            try:
                s.bind((ip, port))
            except OSError:
                continue
        self.currently_used_ports.add(port)
        return port
    raise RuntimeError(f"no free port for a kernel in {PORTS.start}-{PORTS.stop - 1}")


LocalPortCache.find_available_port = find_available_port
'''

PORTS_TAKEN: set[int] = set()


def free_port() -> int:
    """A port for the hub, the proxy or a Jupyter server (bench/ports.py);
    HUB_CONFIG chooses the servers' the same way."""
    return ports.free_port(SERVER_PORTS, PORTS_TAKEN)


class Hub:
    """A JupyterHub on 127.0.0.1 in a temporary folder, for one class."""

    def __init__(self, notebooks: list[Path], run_id: str, keep: bool = False,
                 kernel_port_blocks: bool = True) -> None:
        import requests

        self.keep = keep
        self.run_id = run_id
        self.tmp = Path(tempfile.mkdtemp(prefix="nn-classroom-"))
        self.hub_dir = self.tmp / "hub"
        self.homes = self.tmp / "home"
        self.hub_dir.mkdir()
        self.homes.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.service_token = secrets.token_hex(16)
        self.template = instructor_cache() / "template"
        self.users: list[str] = []
        self.api = requests.Session()
        self.api.trust_env = False
        self.api.headers["Authorization"] = f"token {self.service_token}"
        path = os.environ.get("PATH", "")
        environment = {
            "PATH": os.pathsep.join([str(SINGLEUSER.parent), path]),
            "RUSTUP_HOME": os.environ.get("RUSTUP_HOME", str(Path.home() / ".rustup")),
            "CARGO_HOME": os.environ.get("CARGO_HOME", str(Path.home() / ".cargo")),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            # Marks this run's processes for the memory figures.
            "NN_CLASSROOM_RUN": run_id,
        }
        for name in ("RUSTUP_TOOLCHAIN", "RUSTUP_AUTO_INSTALL", "NN_KERNEL_STANDBY", "NN_KERNEL_MEMORY_LIMIT"):
            if name in os.environ:
                environment[name] = os.environ[name]
        # A kernelspec outside the environment's own data folder (--user).
        spec_parent = Path(kernelspec().resource_dir).parent.parent
        environment["JUPYTER_PATH"] = str(spec_parent)
        settings = {
            "proxy_port": self.port,
            "hub_port": free_port(),
            "proxy_api_port": free_port(),
            "hub_dir": str(self.hub_dir),
            "homes": str(self.homes),
            "chp": str(CHP),
            "proxy_token": secrets.token_hex(16),
            "service_token": self.service_token,
            "singleuser": str(SINGLEUSER),
            "singleuser_args": ["--ServerApp.allow_root=True"] if os.geteuid() == 0 else [],
            "spawn_timeout": int(SPAWN_TIMEOUT),
            "environment": environment,
            "template": str(self.template),
            "notebooks": [str(p) for p in notebooks],
            "ports_taken": sorted(PORTS_TAKEN),
            "server_ports": SERVER_PORTS,
            "bench_dir": str(Path(__file__).resolve().parent),
            "kernel_ports": KERNEL_PORTS,
            "kernel_port_block": KERNEL_PORT_BLOCK,
            "kernel_port_blocks": kernel_port_blocks,
            "kernel_ports_config": KERNEL_PORTS_CONFIG,
        }
        self.config = self.hub_dir / "jupyterhub_config.py"
        self.config.write_text(HUB_CONFIG.format(settings=settings))
        self.log_path = self.hub_dir / "jupyterhub.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(SINGLEUSER.parent / "jupyterhub"), "-f", str(self.config)],
            cwd=self.hub_dir, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if self.api.get(f"{self.url}/hub/api/", timeout=2).ok:
                    return
            except OSError:
                pass
            except Exception:  # noqa: BLE001 - requests' connection errors
                pass
            time.sleep(0.25)
        raise RuntimeError(f"jupyterhub did not answer within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def hub_api(self, method: str, path: str, **kwargs) -> Any:
        response = self.api.request(method, f"{self.url}/hub/api{path}", timeout=60, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} /hub/api{path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    def add_students(self, names: list[str]) -> dict[str, str]:
        """Creates the students and one API token each; {name: token}."""
        self.hub_api("POST", "/users", json={"usernames": names})
        self.users += names
        return {name: self.hub_api("POST", f"/users/{name}/tokens",
                                   json={"note": "classroom bench", "expires_in": 24 * 3600})["token"]
                for name in names}

    def cache_of(self, user: str) -> Path:
        return self.homes / user / ".cache" / "nn-kernel"

    def stop(self) -> list[str]:
        """Stops the servers, the hub and proxy, every standby and anything
        left of this run; removes the temporary folder. Returns notes."""
        notes = []
        self.stop_times: dict[str, float] = {}
        mark = time.monotonic()

        def lap(name: str) -> None:
            nonlocal mark
            now = time.monotonic()
            self.stop_times[name] = round(now - mark, 2)
            mark = now

        if self.proc is not None and self.proc.poll() is None:
            for user in self.users:
                try:
                    self.api.delete(f"{self.url}/hub/api/users/{user}/server", timeout=30)
                except Exception:  # noqa: BLE001 - best effort, the hub stops them too
                    pass
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and self.servers_running():
                time.sleep(0.5)
            lap("servers")
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                notes.append("the hub did not stop within 30 s: killed")
                self.proc.kill()
                self.proc.wait()
            lap("hub")
        for user in self.users:
            if self.cache_of(user).exists():
                standby("stop", self.cache_of(user))
        lap("standbys")
        # Whatever of this run is still alive (a standby still starting, a
        # proxy the hub left): processes this bench started, by their pid.
        leftovers = [p for p in ProcessTable(self.run_id).scan(pss=False)]
        if self.proc is not None:
            try:
                with open(self.hub_dir / "proxy.pid") as f:
                    proxy_pid = int(f.read().strip())
                os.kill(proxy_pid, 0)
                leftovers.append(Proc(proxy_pid, 0, "proxy", "hub", "proxy"))
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 10  # a standby told to stop exits by itself
        while leftovers and time.monotonic() < deadline:
            time.sleep(0.5)
            leftovers = [p for p in leftovers if Path(f"/proc/{p.pid}").exists()]
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for p in leftovers:
                try:
                    os.kill(p.pid, sig)
                except OSError:
                    pass
            if leftovers and sig == signal.SIGTERM:
                notes.append(f"{len(leftovers)} process(es) left after the hub stopped "
                             f"({', '.join(sorted({p.comm for p in leftovers}))}): terminated")
                time.sleep(2)
            leftovers = [p for p in leftovers if Path(f"/proc/{p.pid}").exists()]
        lap("leftovers")
        if getattr(self, "log", None):
            self.log.close()
        if self.keep:
            notes.append(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        lap("files")
        return notes

    def servers_running(self) -> bool:
        try:
            users = self.api.get(f"{self.url}/hub/api/users", timeout=10).json()
        except Exception:  # noqa: BLE001
            return False
        return any(u.get("servers") for u in users if isinstance(u, dict))


# ------------------------------------------------------------------ a student


class KernelSocket:
    """A kernel's websocket (Jupyter Server's JSON protocol)."""

    def __init__(self, url: str, token: str, username: str) -> None:
        import websocket

        self.session = uuid.uuid4().hex
        self.username = username
        self.ws = websocket.create_connection(
            f"{url}?session_id={self.session}",
            header=[f"Authorization: token {token}"], timeout=CELL_TIMEOUT,
        )

    def send(self, msg_type: str, content: dict, channel: str = "shell") -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.username, "session": self.session,
                       "msg_type": msg_type, "version": "5.3",
                       "date": dt.datetime.now(dt.timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "content": content,
            "channel": channel, "buffers": [],
        }))
        return msg_id

    def recv(self, deadline: float) -> dict:
        import websocket

        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no message from the kernel in time")
        self.ws.settimeout(remaining)
        try:
            data = self.ws.recv()
        except websocket.WebSocketTimeoutException as error:
            raise TimeoutError("no message from the kernel in time") from error
        if isinstance(data, bytes):  # a message with binary buffers: not ours
            return {"header": {"msg_type": "binary"}, "parent_header": {}, "channel": "", "content": {}}
        return json.loads(data)

    def request(self, msg_type: str, content: dict, timeout: float) -> dict:
        """Sends a shell request and returns its reply."""
        deadline = time.monotonic() + timeout
        msg_id = self.send(msg_type, content)
        reply_type = msg_type.replace("_request", "_reply")
        while True:
            msg = self.recv(deadline)
            if msg["parent_header"].get("msg_id") == msg_id and msg["header"]["msg_type"] == reply_type:
                return msg

    def kernel_info(self, timeout: float) -> dict:
        return self.request("kernel_info_request", {}, timeout)

    def execute(self, code: str, timeout: float) -> tuple[dict, list[dict]]:
        """Runs `code`; returns its reply and its output messages, once the
        reply and the idle status have both arrived (as nbclient waits)."""
        deadline = time.monotonic() + timeout
        msg_id = self.send("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True,
        })
        reply, idle, outputs = None, False, []
        while reply is None or not idle:
            msg = self.recv(deadline)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "execute_reply":
                reply = msg
            elif kind == "status":
                idle = msg["content"].get("execution_state") == "idle"
            elif kind != "execute_input":
                outputs.append(msg)
        return reply, outputs

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001
            pass


@dataclass
class NotebookRun:
    name: str
    ok: bool = False
    kernel_start: float = float("nan")  # session created → kernel_info reply
    seconds: float = float("nan")  # session created → last cell done
    cells: list[float] = field(default_factory=list)
    tab: dict | None = None  # --tab: the completion request after the last cell
    # Problems that are only the kernel's "still starting" notice.
    notice_only: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class Student:
    name: str
    token: str
    spawn: float = float("nan")  # POST server → ready
    finished: float = float("nan")  # since the class started
    notebooks: list[NotebookRun] = field(default_factory=list)
    error: str | None = None


class StudentThread(threading.Thread):
    """One student: starts their server, then for each notebook opens it
    (a session and kernel of its own), runs every code cell in order and
    closes it (shutting its kernel down), except the last, which stays open
    until the class is measured and over (`close_notebook`)."""

    def __init__(self, hub: Hub, student: Student, notebooks: list[Path], start: threading.Barrier,
                 began: list[float], tab: bool = False) -> None:
        super().__init__(daemon=True, name=student.name)
        import requests

        self.hub, self.student, self.notebooks = hub, student, notebooks
        self.start_barrier, self.began, self.tab = start, began, tab
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.headers["Authorization"] = f"token {student.token}"
        self.base = f"{hub.url}/user/{student.name}"
        self.open_session: str | None = None

    def run(self) -> None:
        self.start_barrier.wait()
        try:
            self.spawn()
            for i, path in enumerate(self.notebooks):
                if self.open_session:
                    self.close_notebook()
                last = i == len(self.notebooks) - 1
                self.run_notebook(path, tab=self.tab and last)
        except Exception as error:  # noqa: BLE001 - reported per student
            self.student.error = f"{type(error).__name__}: {error}"
        self.student.finished = time.monotonic() - self.began[0]

    def spawn(self) -> None:
        t0 = time.monotonic()
        self.hub.hub_api("POST", f"/users/{self.student.name}/server")
        deadline = t0 + SPAWN_TIMEOUT
        while time.monotonic() < deadline:
            model = self.hub.hub_api("GET", f"/users/{self.student.name}")
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                self.student.spawn = time.monotonic() - t0
                return
            if not server and not model.get("pending"):
                raise RuntimeError(f"the server of {self.student.name} failed to start:\n{self.hub.log_tail(15)}")
            time.sleep(0.25)
        raise TimeoutError(f"the server of {self.student.name} did not start within {SPAWN_TIMEOUT} s")

    def server_api(self, method: str, path: str, **kwargs) -> Any:
        response = self.http.request(method, f"{self.base}/api{path}", timeout=120, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    def run_notebook(self, path: Path, tab: bool = False) -> NotebookRun:
        stored = json.loads(path.read_text())
        run = NotebookRun(path.stem)
        self.student.notebooks.append(run)
        outputs = Outputs(len(stored["cells"]))
        ran: set[int] = set()
        t0 = time.monotonic()
        channel = None
        stage = "opening the notebook"
        try:
            session = self.server_api("POST", "/sessions", json={
                "path": path.name, "name": path.name, "type": "notebook", "kernel": {"name": KERNEL_NAME},
            })
            self.open_session = session["id"]
            ws_url = f"{self.base.replace('http://', 'ws://')}/api/kernels/{session['kernel']['id']}/channels"
            channel = KernelSocket(ws_url, self.student.token, self.student.name)
            channel.kernel_info(timeout=120)
            run.kernel_start = time.monotonic() - t0
            for i, cell in enumerate(stored["cells"]):
                if cell["cell_type"] != "code":
                    continue
                stage = f"cell {i}"
                source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                began = time.monotonic()
                ran.add(i)
                reply, messages = channel.execute(source, CELL_TIMEOUT)
                run.cells.append(time.monotonic() - began)
                for msg in messages:
                    outputs.add(i, msg)
                if reply["content"].get("status") != "ok":
                    c = reply["content"]
                    run.problems.append(f"cell {i}: {c.get('status')} {c.get('ename', '')}: {c.get('evalue', '')}")
            if tab:
                # The student presses Tab once: completion loads rust-analyzer.
                stage = "Tab"
                code = "Tensor::ze"
                began = time.monotonic()
                reply = channel.request("complete_request", {"code": code, "cursor_pos": len(code)}, CELL_TIMEOUT)
                matches = reply["content"].get("matches", [])
                run.tab = {"seconds": time.monotonic() - began, "matches": len(matches),
                           "zeros": any(m.startswith("zeros") for m in matches)}
        except Exception as error:  # noqa: BLE001 - reported; the student goes on
            run.problems.append(f"{stage}: {type(error).__name__}: {error} "
                                f"(after {time.monotonic() - t0:.1f} s)")
        finally:
            if channel is not None:
                channel.close()
        run.seconds = time.monotonic() - t0
        problems, run.notice_only = differences(stored, outputs, ran)
        run.problems += problems
        run.ok = not run.problems
        return run

    def close_notebook(self) -> None:
        """Closes the open notebook and shuts its kernel down."""
        if self.open_session:
            self.server_api("DELETE", f"/sessions/{self.open_session}")
            self.open_session = None


# ------------------------------------------------------------------ a class


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    rank = max(1, int(-(-q * len(values) // 1)))
    return values[min(rank, len(values)) - 1]


def median(values: list[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def run_class(users: int, notebooks: list[Path], interval: float = 1.0, keep: bool = False,
              settle: float = 60.0, tab: bool = False, log=print, log_dir: Path | None = None,
              kernel_port_blocks: bool = True) -> dict:
    """Runs one class of `users` students; returns its figures (a dict,
    JSON-ready). With `tab`, each student asks for a completion (Tab) after
    the last cell, which loads rust-analyzer into their kernel. When
    something fails, the hub's log (with the Jupyter servers') is copied to
    `log_dir`. `kernel_port_blocks`: each student's kernels take their ports
    from a block of their own (see KERNEL_PORTS_CONFIG); without, Jupyter's
    own random choice."""
    run_id = uuid.uuid4().hex[:12]
    names = [f"student{i:02d}" for i in range(1, users + 1)]
    load_before = os.getloadavg()
    available_before = mem_available_mb()
    hub = Hub(notebooks, run_id, keep=keep, kernel_port_blocks=kernel_port_blocks)
    table = ProcessTable(run_id)
    result: dict[str, Any] = {
        "users": users, "notebooks": [p.stem for p in notebooks], "tab": tab,
        "kernel_ports": "blocks" if kernel_port_blocks else "jupyter",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "load_before": load_before, "mem_available_before_mb": available_before,
        "template_current": template_current(),
    }
    if not result["template_current"]:
        log("  warning: nn-core's files are newer than the kernel's build template: kernels whose first "
            "cell waits more than 10 s will print a start-up notice (run ./install.sh or nn-kernel warm)")
    sampler = None
    threads: list[StudentThread] = []
    phase = time.monotonic()
    try:
        hub.start()
        result["hub_start_s"] = time.monotonic() - phase
        table.hub_pid = hub.proc.pid
        tokens = hub.add_students(names)
        students = [Student(name, tokens[name]) for name in names]
        sampler = Sampler(table, names, interval)
        barrier = threading.Barrier(users + 1)
        began = [0.0]
        threads = [StudentThread(hub, s, notebooks, barrier, began, tab) for s in students]
        for t in threads:
            t.start()
        sampler.start()
        busy0, total0 = cpu_times()
        began[0] = time.monotonic()
        barrier.wait()
        log(f"  {users} student(s) started …")
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)  # (not join(): Ctrl-C stops the bench here, cleanly)
        wall = max(s.finished for s in students)
        busy1, total1 = cpu_times()
        result["wall_s"] = wall
        result["cpu_busy_pct"] = 100 * (busy1 - busy0) / max(1, total1 - total0)
        result["load_after"] = os.getloadavg()
        # "End": every student with notebook 02 open; wait until each one's
        # standby is waiting (a kernel starts it once idle), so that what is
        # measured is a student sitting at their notebook.
        phase = time.monotonic()
        settle_deadline = phase + settle
        waiting = {}
        for name in names:
            while True:
                state = standby("status", hub.cache_of(name)) if hub.cache_of(name).exists() else "none"
                if "waiting" in state or time.monotonic() > settle_deadline:
                    break
                time.sleep(0.5)
            waiting[name] = "waiting" in state
        time.sleep(min(2.0, interval * 2))  # the kernels' own idle work
        result["settle_s"] = time.monotonic() - phase
        end_procs = table.scan()
        end = summarize(end_procs, names)
        sampler.stop()
        result["mem_available_min_mb"] = sampler.min_available
        result["mem_available_drop_mb"] = available_before - sampler.min_available
        result["peak_total"] = sampler.peak_total
        result["end"] = end
        result["hub_mb"] = end["hub"]
        result["sampler"] = {"interval_s": interval, "samples": len(sampler.samples),
                             "cpu_s": round(sampler.cost, 2), "series": sampler.samples}
        result["end_processes"] = [
            {"pid": p.pid, "ppid": p.ppid, "comm": p.comm, "owner": p.owner, "role": p.role,
             "pss_mb": round(p.pss_kb / 1024, 1), "rss_mb": round(p.rss_kb / 1024, 1)} for p in end_procs
        ]
        result["students"] = []
        for s in students:
            result["students"].append({
                "name": s.name, "spawn_s": s.spawn, "finished_s": s.finished, "error": s.error,
                "standby_waiting_at_end": waiting.get(s.name, False),
                "notebooks": [
                    {"notebook": n.name, "ok": n.ok, "kernel_start_s": n.kernel_start, "seconds": n.seconds,
                     "cells_s": n.cells, "problems": n.problems, "tab": n.tab,
                     "problems_only_startup_notice": n.notice_only} for n in s.notebooks
                ],
                "memory_end_mb": end["students"][s.name],
                "memory_peak_pss_mb": sampler.peak_student[s.name],
                "memory_peak_rss_mb": sampler.peak_student_rss[s.name],
                "server_end_mb": end["servers"][s.name],
            })
        result["complete"] = sum(1 for s in students for n in s.notebooks if n.ok)
        result["expected"] = users * len(notebooks)
    except BaseException:
        result["hub_log_tail"] = hub.log_tail(60)
        result["complete"] = -1
        raise
    finally:
        if log_dir is not None and result.get("complete", -1) != result.get("expected"):
            try:
                log_dir.mkdir(parents=True, exist_ok=True)
                saved = log_dir / f"classroom-{users}-{dt.datetime.now():%Y%m%d-%H%M%S}-hub.log"
                hub.log.flush()
                shutil.copy(hub.log_path, saved)
                result["hub_log"] = str(saved)
                log(f"  the hub's log (with the Jupyter servers'): {saved}")
            except (OSError, AttributeError):
                pass
        if sampler is not None and sampler.is_alive():
            sampler.stop()
        phase = time.monotonic()
        # Each student closes their notebook (Jupyter shuts its kernel down).
        for t in threads:
            try:
                t.close_notebook()
            except Exception:  # noqa: BLE001 - the server's stop closes it anyway
                pass
        result["close_s"] = time.monotonic() - phase
        phase = time.monotonic()
        result["cleanup"] = hub.stop()
        result["cleanup_s"] = time.monotonic() - phase
        result["cleanup_phases_s"] = getattr(hub, "stop_times", {})
        result["mem_available_after_mb"] = mem_available_mb()
    return result


# ------------------------------------------------------------------ report


def mb(value: float) -> str:
    return f"{value:,.0f} MB" if value == value else "-"


def seconds(value: float) -> str:
    return f"{value:.1f} s" if value == value else "-"


def format_class(r: dict) -> str:
    students = r["students"]
    lines = []
    load = " ".join(f"{x:.2f}" for x in r["load_before"])
    lines.append(f"\n== {r['users']} student(s), notebooks {' then '.join(r['notebooks'])}"
                 f"{', then Tab once' if r.get('tab') else ''}"
                 f"{', Jupyter choosing kernel ports' if r.get('kernel_ports') == 'jupyter' else ''} — "
                 f"{r['date']}, load average before {load}, CPU busy during the run "
                 f"{r['cpu_busy_pct']:.0f}% of {os.cpu_count()} cores")
    noticed = [n for s in students for n in s["notebooks"]
               if not n["ok"] and n["problems_only_startup_notice"] == len(n["problems"])]
    lines.append(f"  completed with every output correct: {r['complete']}/{r['expected']} notebooks"
                 + (f" ({len(noticed)} more differ only by the kernel's start-up notice "
                    f"\"{STARTUP_NOTICE}…\" added to a first cell)" if noticed else ""))
    if not r.get("template_current", True):
        lines.append("  warning: nn-core's files are newer than the build template: a first cell that waits "
                     "more than 10 s prints the start-up notice (run ./install.sh or nn-kernel warm)")
    for s in students:
        if s["error"]:
            lines.append(f"    {s['name']}: {s['error']}")
        for n in s["notebooks"]:
            for problem in n["problems"][:3]:
                lines.append(f"    {s['name']} {n['notebook']}: {problem}")
    cells = [c for s in students for n in s["notebooks"] for c in n["cells_s"]]
    lines.append(f"  wall time (all start → last cell done): {seconds(r['wall_s'])}; "
                 f"server start median {seconds(median([s['spawn_s'] for s in students]))} "
                 f"(max {seconds(max(s['spawn_s'] for s in students))}); "
                 f"cells median {median(cells):.2f} s, p90 {percentile(cells, 0.9):.2f} s, "
                 f"max {max(cells) if cells else float('nan'):.2f} s")
    for name in r["notebooks"]:
        runs = [n for s in students for n in s["notebooks"] if n["notebook"] == name]
        if runs:
            lines.append(f"  {name}: kernel start median {seconds(median([n['kernel_start_s'] for n in runs]))}, "
                         f"whole notebook median {seconds(median([n['seconds'] for n in runs]))} "
                         f"(max {seconds(max(n['seconds'] for n in runs))})")
    tabs = [n["tab"] for s in students for n in s["notebooks"] if n.get("tab")]
    if r.get("tab"):
        lines.append(f"  Tab (completion of `Tensor::ze`, loading rust-analyzer): median "
                     f"{seconds(median([t['seconds'] for t in tabs]))}, max "
                     f"{seconds(max((t['seconds'] for t in tabs), default=float('nan')))}; "
                     f"{sum(t['zeros'] for t in tabs)}/{len(tabs)} offered `zeros`")
    end_pss = [s["memory_end_mb"]["pss"] for s in students]
    end_rss = [s["memory_end_mb"]["rss"] for s in students]
    peak = [s["memory_peak_pss_mb"] for s in students]
    server = [s["server_end_mb"]["pss"] for s in students]
    server_rss = [s["server_end_mb"]["rss"] for s in students]
    lines.append(f"  per student (kernel + cells' process + standby, not the Jupyter server), PSS: "
                 f"end median {mb(median(end_pss))}, max {mb(max(end_pss))} (RSS median {mb(median(end_rss))}, "
                 f"max {mb(max(end_rss))}); peak during the run median {mb(median(peak))}, max {mb(max(peak))}"
                 f"  [target ≤ {TARGET_MB} MB]")
    lines.append(f"  Jupyter server per student, PSS: median {mb(median(server))} (RSS {mb(median(server_rss))}); "
                 f"hub + proxy: {mb(r['hub_mb']['pss'])} (RSS {mb(r['hub_mb']['rss'])})")
    lines.append(f"  the server's peak, every process of the class (sampled every {r['sampler']['interval_s']} s, "
                 f"{r['sampler']['samples']} samples): PSS {mb(r['peak_total']['pss'])}, RSS {mb(r['peak_total']['rss'])}; "
                 + (f"MemAvailable fell by {mb(r['mem_available_drop_mb'])} "
                    f"(from {mb(r['mem_available_before_mb'])} to {mb(r['mem_available_min_mb'])})"
                    if r['mem_available_drop_mb'] >= 0 else
                    f"MemAvailable never fell below its {mb(r['mem_available_before_mb'])} before the hub "
                    f"started (other work on the machine freed more meanwhile)"))
    head = (f"  {'student':<10}{'start':>8}" + "".join(f"{n[:14]:>16}" for n in r["notebooks"])
            + f"{'end PSS':>10}{'end RSS':>10}{'peak PSS':>10}{'server':>9}  at the end: PSS MB (processes) by role")
    lines.append(head)
    for s in students:
        per_nb = "".join(
            f"{(seconds(n['seconds']) + (' ok' if n['ok'] else ' FAIL')):>16}" for n in s["notebooks"]
        ) + "".join(f"{'-':>16}" for _ in range(len(r["notebooks"]) - len(s["notebooks"])))
        counts = s["memory_end_mb"]["by_role_count"]
        roles = ", ".join(f"{k} {v:.0f} ({counts[k]})" for k, v in sorted(s["memory_end_mb"]["by_role_pss"].items()))
        lines.append(f"  {s['name']:<10}{seconds(s['spawn_s']):>8}{per_nb}{mb(s['memory_end_mb']['pss']):>10}"
                     f"{mb(s['memory_end_mb']['rss']):>10}{mb(s['memory_peak_pss_mb']):>10}"
                     f"{mb(s['server_end_mb']['pss']):>9}  {roles}"
                     + ("" if s["standby_waiting_at_end"] else "  (no standby waiting)"))
    lines.append(f"  around the class: hub start {seconds(r.get('hub_start_s', float('nan')))}, waiting for the "
                 f"standbys before the end measurement {seconds(r.get('settle_s', float('nan')))}, "
                 f"closing the notebooks {seconds(r.get('close_s', float('nan')))}, "
                 f"clean-up {seconds(r.get('cleanup_s', float('nan')))}; the sampler used "
                 f"{r['sampler']['cpu_s']:.1f} s of CPU")
    for note in r.get("cleanup", []):
        lines.append(f"  cleanup: {note}")
    return "\n".join(lines)


def format_summary(runs: list[dict]) -> str:
    lines = ["\n== summary",
             f"  {'N':>3} {'complete':>9} {'wall':>8} {'cell med':>9} {'cell p90':>9} {'student PSS end med/max':>24} "
             f"{'peak max':>9} {'server/student':>15} {'class peak PSS':>15} {'MemAvail drop':>14}"]
    for r in runs:
        students = r["students"]
        cells = [c for s in students for n in s["notebooks"] for c in n["cells_s"]]
        end = [s["memory_end_mb"]["pss"] for s in students]
        peak = [s["memory_peak_pss_mb"] for s in students]
        server = [s["server_end_mb"]["pss"] for s in students]
        lines.append(
            f"  {r['users']:>3} {str(r['complete']) + '/' + str(r['expected']):>9} {seconds(r['wall_s']):>8} "
            f"{median(cells):>8.2f}s {percentile(cells, 0.9):>8.2f}s "
            f"{mb(median(end)) + ' / ' + mb(max(end)):>24} {mb(max(peak)):>9} {mb(median(server)):>15} "
            f"{mb(r['peak_total']['pss']):>15} {mb(r['mem_available_drop_mb']):>14}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="1,5,10,20", help="class sizes, e.g. 1,5,10,20")
    parser.add_argument("--notebooks", default=",".join(DEFAULT_NOTEBOOKS),
                        help="notebook prefixes, run in this order (default 01,02)")
    parser.add_argument("--interval", type=float, default=1.0, help="memory sampling interval (s)")
    parser.add_argument("--json", help="write the figures here (default bench/results/classroom-DATE.json)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders (homes, hub log)")
    parser.add_argument("--kernel-ports", choices=["blocks", "jupyter"], default="blocks",
                        help="blocks: each student's kernels take ports from a block of their own "
                             "(default); jupyter: Jupyter's random ports, which collide between "
                             "students' servers on one host")
    parser.add_argument("--tab", action="store_true",
                        help="each student presses Tab once after the last cell (completion loads "
                             "rust-analyzer into the kernel): memory with it")
    args = parser.parse_args()

    why = missing()
    if why:
        sys.exit(f"bench/classroom.py cannot run: {why}")
    import jupyterhub

    sizes = [int(x) for x in args.users.split(",") if x.strip()]
    notebooks = notebook_paths([x.strip() for x in args.notebooks.split(",") if x.strip()])
    spec = kernelspec()
    exe = Path(spec.argv[0])
    info = {
        "host": socket.gethostname(), "cpus": os.cpu_count(),
        "mem_total_mb": read_kb("/proc/meminfo", ("MemTotal",))["MemTotal"] / 1024,
        "kernel": str(exe),
        "kernel_mtime": dt.datetime.fromtimestamp(exe.stat().st_mtime, dt.timezone.utc).isoformat(timespec="seconds")
        if exe.exists() else None,
        "template": str(instructor_cache(spec) / "template"),
        "jupyterhub": jupyterhub.__version__,
    }
    print(f"JupyterHub {info['jupyterhub']}, kernel {exe} (built {info['kernel_mtime']}), "
          f"{info['cpus']} cores, {info['mem_total_mb'] / 1024:.1f} GiB")
    runs = []
    for users in sizes:
        result = run_class(users, notebooks, interval=args.interval, keep=args.keep, tab=args.tab,
                           log_dir=RESULTS, kernel_port_blocks=args.kernel_ports == "blocks")
        runs.append(result)
        print(format_class(result), flush=True)
    if len(runs) > 1:
        print(format_summary(runs))
    path = Path(args.json) if args.json else RESULTS / f"classroom-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**info, "runs": runs}, indent=1))
    print(f"\nfigures written to {path}")
    failed = sum(r["expected"] - r["complete"] for r in runs)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

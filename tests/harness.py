"""Helpers for testing the installed `rust-nn` kernel through the Jupyter
protocol, shared by every end-to-end test (`tests/conftest.py` puts this
folder on the import path and registers the `kernel` fixture).

The kernel must be installed first (`./install.sh`, or
`target/release/nn-kernel install`). Set NN_KERNEL_NAME to test another
kernelspec name.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from queue import Empty
from typing import Any

import subprocess

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager, start_new_kernel

KERNEL_NAME = os.environ.get("NN_KERNEL_NAME", "rust-nn")

# Generous: the first cell of a kernel waits for evcxr's start-up, which
# compiles nn-core when the template is stale (nn-core changed since install).
STARTUP_TIMEOUT = float(os.environ.get("NN_KERNEL_STARTUP_TIMEOUT", "600"))
CELL_TIMEOUT = 120.0

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(text: str) -> str:
    """Text without ANSI colour codes."""
    return ANSI.sub("", text)


@dataclass
class Run:
    """What one execute_request produced."""

    reply: dict[str, Any]
    outputs: list[dict[str, Any]] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    @property
    def status(self) -> str:
        return self.reply["content"]["status"]

    def of_type(self, msg_type: str) -> list[dict[str, Any]]:
        return [m for m in self.outputs if m["msg_type"] == msg_type]

    def stream(self, name: str = "stdout") -> str:
        return "".join(
            m["content"]["text"] for m in self.of_type("stream") if m["content"]["name"] == name
        )

    def result_text(self) -> str | None:
        results = self.of_type("execute_result")
        return results[0]["content"]["data"]["text/plain"] if results else None

    def error(self) -> dict[str, Any]:
        errors = self.of_type("error")
        assert len(errors) == 1, f"expected one error output, got {self.outputs}"
        return errors[0]["content"]


class Kernel:
    """A running kernel and a blocking client, with an execute helper that
    collects every iopub message of the request until the kernel is idle."""

    def __init__(self, km: KernelManager, kc: Any) -> None:
        self.km = km
        self.kc = kc
        self.first: Run | None = None

    def send(self, code: str, **kwargs: Any) -> str:
        return self.kc.execute(code, **kwargs)

    def collect(self, msg_id: str, timeout: float = CELL_TIMEOUT, on_output=None) -> Run:
        run = Run(reply={}, started=time.monotonic())
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no idle status for {msg_id} within {timeout}s")
            try:
                msg = self.kc.get_iopub_msg(timeout=remaining)
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status":
                if msg["content"]["execution_state"] == "idle":
                    break
                continue
            if msg["msg_type"] == "execute_input":
                continue
            msg["received"] = time.monotonic()
            run.outputs.append(msg)
            if on_output is not None:
                on_output(msg)
        run.reply = self.reply(msg_id, timeout)
        run.finished = time.monotonic()
        return run

    def reply(self, msg_id: str, timeout: float = CELL_TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            msg = self.kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.1))
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def execute(self, code: str, timeout: float = CELL_TIMEOUT, **kwargs: Any) -> Run:
        return self.collect(self.send(code, **kwargs), timeout)

    def ok(self, code: str, timeout: float = CELL_TIMEOUT) -> Run:
        run = self.execute(code, timeout)
        assert run.status == "ok", f"{code!r} failed: {run.reply['content']} {run.outputs}"
        return run

    def request(self, send, timeout: float = CELL_TIMEOUT) -> dict[str, Any]:
        """Sends a shell request with `send(kc)` and returns its reply."""
        return self.reply(send(self.kc), timeout)

    def run(self, code: str, timeout: float = CELL_TIMEOUT) -> list[dict[str, Any]]:
        """Executes `code`, fails unless it succeeds, and returns its iopub
        outputs (without status and execute_input messages)."""
        return self.ok(code, timeout).outputs

    def shutdown(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)


def start_kernel() -> Kernel:
    """Starts a kernel and waits until its start-up (evcxr, nn-core) is done."""
    km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=60)
    kernel = Kernel(km, kc)
    kernel.first = kernel.ok("1 + 1", timeout=STARTUP_TIMEOUT)
    return kernel


def start_cold_kernel(**env: str) -> Kernel:
    """Starts a kernel with its own evcxr start-up (no standby kernel takes
    the launch, so the launched process is the kernel), `env` added to the
    environment; returns once it answers, before its first cell."""
    km = KernelManager(kernel_name=KERNEL_NAME)
    km.start_kernel(env={**os.environ, "NN_KERNEL_STANDBY": "0", **env})
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return Kernel(km, kc)


def nn_kernel(*args: str) -> str:
    """Runs the installed kernel's executable (with its kernelspec's
    environment) and returns its output."""
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    env = {**os.environ, **spec.env}
    done = subprocess.run(
        [spec.argv[0], *args], env=env, capture_output=True, text=True, timeout=60
    )
    return done.stdout.strip()


def wait_for_standby(timeout: float = STARTUP_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if nn_kernel("standby", "status") == "waiting":
            return True
        time.sleep(0.5)
    return False

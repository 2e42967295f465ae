"""Choosing ports for the classroom benchmark, shared by bench/classroom.py
and the JupyterHub configuration it writes (which imports this file from
the hub's process, so the choice is made the same way on both sides)."""

from __future__ import annotations

import random
import socket


def ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range (where port 0 binds)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(ports: tuple[int, int], taken: set[int]) -> int:
    """A free port on 127.0.0.1 in `ports` (below the ephemeral range), not
    in `taken`, which it joins. Ports the kernels take for their sockets
    (Jupyter binds port 0) are in the ephemeral range: a port picked there
    and bound a few seconds later, as the hub's random ports are, can
    meanwhile be taken by a kernel (seen with 10 students: a Jupyter server
    failed to start and the hub waited for it)."""
    for _ in range(1000):
        port = random.randrange(*ports)
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise RuntimeError(f"no free port in {ports[0]}-{ports[1] - 1}")

"""Executes the course notebooks once per test session through the installed
`rust-nn` kernel (nbclient), for every test in this folder."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL_NAME = os.environ.get("NN_KERNEL_NAME", "rust-nn")


def kernel_installed() -> bool:
    try:
        out = subprocess.run(["jupyter", "kernelspec", "list"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return False
    return any(line.split()[:1] == [KERNEL_NAME] for line in out.splitlines())


@pytest.fixture(scope="session")
def executed() -> dict[str, nbformat.NotebookNode]:
    """{notebook file name: the notebook executed now}."""
    if not kernel_installed():
        pytest.fail(f"the `{KERNEL_NAME}` kernel is not installed: run ./install.sh first")
    result = {}
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            kernel_name=KERNEL_NAME,
            timeout=600,
            startup_timeout=600,
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
        result[path.name] = nb
    return result


@pytest.fixture(scope="session")
def committed() -> dict[str, nbformat.NotebookNode]:
    """{notebook file name: the notebook as committed, with its outputs}."""
    return {p.name: nbformat.read(p, as_version=4) for p in NOTEBOOKS}

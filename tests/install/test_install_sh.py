"""`./install.sh` on the Jupyter a newcomer's machine already has:

(b) a virtual environment with only `jupyter_client` and `ipykernel` on PATH
    (what VS Code or an IPython user installs): install.sh completes it with
    pip before the build, installs the kernel and renders the course;
(c) a virtual environment with JupyterLab, nbconvert and nbclient on PATH:
    install.sh installs nothing into it and uses it.
(a) no Jupyter at all is CI's fresh machine: `.ci/run`'s `./install.sh`.

Both then run `tests/run.sh --prepare` (what the README's test command does
first) and check that the tests' packages went into that same environment.

Each run reuses this checkout's kernel build (cargo has nothing to do) and
build template; the kernelspec goes to a temporary JUPYTER_DATA_DIR and the
record of the chosen environment to a temporary NN_KERNEL_ENV_FILE, so the
installed kernel the other tests use is untouched. pip needs PyPI (or its
cache) for the environments' packages.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PIP = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]


def make_venv(path: Path, *packages: str) -> Path:
    """A fresh virtual environment with `packages`; returns its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    subprocess.run([str(path / "bin" / "python"), *PIP, *packages], check=True)
    return path / "bin"


def path_without_jupyter() -> list[str]:
    """PATH without the folders that have a `jupyter` (the tests' own
    environment among them), as on a machine that has only the venv."""
    return [d for d in os.environ["PATH"].split(os.pathsep) if d and not (Path(d) / "jupyter").exists()]


def run_install(tmp: Path, venv_bin: Path, *args: str, script: str = "install.sh") -> str:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "JUPYTER_PATH")},
        "PATH": os.pathsep.join([str(venv_bin), *path_without_jupyter()]),
        "VIRTUAL_ENV": str(venv_bin.parent),
        "JUPYTER_DATA_DIR": str(tmp / "jupyter-data"),
        "NN_KERNEL_ENV_FILE": str(tmp / "nn-kernel-env"),
    }
    env.pop("NN_BROWSER_NOT_RUN", None)
    done = subprocess.run(
        [str(ROOT / script), *args],
        cwd=tmp,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=1800,
    )
    log = tmp / f"{Path(script).name}.log"
    log.write_text(done.stdout)
    assert done.returncode == 0, f"{script} {' '.join(args)} failed ({log}):\n{done.stdout[-6000:]}"
    return done.stdout


def recorded(tmp: Path) -> dict[str, str]:
    """The environment install.sh recorded for tests/run.sh."""
    values = {}
    for line in (tmp / "nn-kernel-env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            words = shlex.split(value)
            values[name] = words[0] if words else ""
    return values


def missing(venv_bin: Path, *args: str) -> str:
    out = subprocess.run(
        [str(venv_bin / "python"), str(ROOT / "tools" / "jupyter_env.py"), *args],
        check=True, capture_output=True, text=True,
    ).stdout
    values = dict(line.partition("=")[::2] for line in out.splitlines())
    return " ".join(shlex.split(values["missing"]))


def packages(venv_bin: Path) -> str:
    return subprocess.run(
        [str(venv_bin / "python"), "-m", "pip", "freeze", "--all"], check=True, capture_output=True, text=True
    ).stdout


def check_installed_kernel(tmp: Path, out: str, venv_bin: Path) -> None:
    # Registered where the venv's Jupyter looks (the user's data folder).
    spec = json.loads((tmp / "jupyter-data" / "kernels" / "rust-nn" / "kernel.json").read_text())
    assert Path(spec["argv"][0]) == ROOT / "target" / "release" / "nn-kernel"
    assert f"Jupyter sees rust-nn in {tmp / 'jupyter-data' / 'kernels' / 'rust-nn'}" in out
    env = recorded(tmp)
    assert Path(env["NN_PYTHON"]).parent == venv_bin, env
    assert env["NN_ENV_WRITABLE"] == "1" and env["NN_KERNELSPEC"] == "--user", env
    # The closing hint names a program of that environment that runs (by
    # name when PATH finds that very program).
    hint = next(line for line in out.splitlines() if line.startswith("Start JupyterLab with: "))
    program = hint.removeprefix("Start JupyterLab with: ").split()
    found = shutil.which(program[0], path=os.pathsep.join([str(venv_bin), *path_without_jupyter()]))
    assert found and Path(found).parent == venv_bin and program[1] == "lab", hint
    version = subprocess.run([found, program[1], "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.strip()[:1].isdigit(), (hint, version)


def check_prepare(tmp: Path, venv_bin: Path) -> None:
    """`tests/run.sh --prepare`, run after install.sh, installs the tests'
    packages into the environment install.sh chose."""
    out = run_install(tmp, venv_bin, "--prepare", script="tests/run.sh")
    assert "==> Python packages (tests/requirements.txt)" in out, out
    assert missing(venv_bin, "missing", str(ROOT / "tests" / "requirements.txt")) == ""


def test_partial_jupyter_is_completed_before_the_build(tmp_path: Path) -> None:
    """(b): only jupyter_client and ipykernel, as VS Code installs them."""
    venv_bin = make_venv(tmp_path / "venv", "jupyter_client", "ipykernel")
    assert missing(venv_bin, "probe", "--notebooks") != ""
    site = tmp_path / "site"
    out = run_install(tmp_path, venv_bin, "--site", str(site))

    said = out.index(f"found {venv_bin / 'jupyter'}")
    installing = out.index("installing what is missing there with pip, because it is a virtual environment")
    assert said < installing < out.index("==> Building the kernel"), out
    assert "nbconvert 7.14 or newer" in out[said:installing] and "JupyterLab" in out[said:installing], out
    assert missing(venv_bin, "probe", "--notebooks") == ""
    check_installed_kernel(tmp_path, out, venv_bin)

    # The course rendered through that environment's nbconvert and the kernel.
    for notebook in NOTEBOOKS:
        page = site / f"{notebook.stem}.html"
        assert page.exists(), f"{page} was not written:\n{out[-3000:]}"
        html = page.read_text()
        assert "tensor(" in html, f"{page} has no tensor output"
        assert "jp-RenderedText" in html and 'data-mime-type="application/vnd.jupyter.stderr"' not in html, page
    check_prepare(tmp_path, venv_bin)


def test_full_jupyterlab_is_used_as_it_is(tmp_path: Path) -> None:
    """(c): JupyterLab, nbconvert and nbclient are there: nothing installed."""
    venv_bin = make_venv(tmp_path / "venv", "jupyterlab", "nbconvert>=7.14", "nbclient")
    before = packages(venv_bin)
    out = run_install(tmp_path, venv_bin, "--site", str(tmp_path / "site"))
    found = next(line for line in out.splitlines() if line.strip().startswith("found "))
    assert found.strip().startswith(f"found {venv_bin / 'jupyter'} (Python {venv_bin}/python"), out
    assert found.endswith("it has everything needed, nothing to install"), out
    assert "pip" not in out[out.index("==> Choosing") : out.index("==> Adding the rust-src")], out
    assert packages(venv_bin) == before, "install.sh changed a complete environment"
    check_installed_kernel(tmp_path, out, venv_bin)
    assert sorted(p.stem for p in (tmp_path / "site").glob("*.html")) == [p.stem for p in NOTEBOOKS]
    check_prepare(tmp_path, venv_bin)

"""JupyterLab in a real browser: open notebook 01, run all cells, check that
no cell shows an error and that the plots are visible, and save a screenshot
(tests/artifacts/jupyterlab-01.png)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
# tests/run.sh sets CHROMIUM to the browser it found (or installed).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def not_run(why: str) -> None:
    """A browser test that cannot run is reported as NOT RUN (a skip with
    that word), never as passed; in CI (CI=true) it is a failure."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"CI: the browser test cannot run: {why}")
    pytest.skip(f"NOT RUN: {why}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path: Path):
    """`jupyter lab` on 127.0.0.1 with a token, serving a copy of notebooks/."""
    if os.environ.get("NN_BROWSER_NOT_RUN"):
        not_run(os.environ["NN_BROWSER_NOT_RUN"])
    if not Path(CHROMIUM).exists():
        not_run(f"{CHROMIUM} not found: install Chromium (as root: apt-get install chromium) or set CHROMIUM")
    if not (HERE / "node_modules" / "playwright-core").exists():
        not_run("playwright-core is missing: run `npm ci` in tests/browser (tests/run.sh does)")
    work = tmp_path / "course"
    shutil.copytree(ROOT / "notebooks", work)
    # Render every cell (JupyterLab 4 otherwise only renders cells in view).
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    # No "get notified about Jupyter news?" toast over the screenshot.
    apputils = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    apputils.mkdir(parents=True)
    (apputils / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    port, token = free_port(), "nn-kernel-test"
    proc = subprocess.Popen(
        [
            "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
            "--LabApp.expose_app_in_browser=True", f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
            f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "lab.log", "w"),
    )
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not start:\n" + (tmp_path / "lab.log").read_text())
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_notebook01_runs_in_jupyterlab(lab: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "jupyterlab-01.png"
    run = subprocess.run(
        ["node", str(HERE / "lab.mjs"), lab, "01-linear-layers.ipynb", str(shot)],
        capture_output=True, text=True, timeout=1800,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    print(report)
    assert report["cells"] > 0 and report["executed"] == report["cells"], report
    assert report["errors"] == 0, report
    assert not [s for s in report["stderr"] if "error" in s.lower() or "panicked" in s], report
    assert report["svgImages"] >= 2 and report["visibleSvgImages"] == report["svgImages"], report
    assert shot.exists() and shot.stat().st_size > 10_000

"""The deployment files (docs/deploy.md): what can be checked without Docker,
Kubernetes or Binder.

(a) `Dockerfile` parses: known instructions, continuation lines joined, FROM
    first, its COPY sources and the script it runs exist; docker's own check
    (`docker build --check`, with a running daemon) and hadolint when present;
(b) `deploy/z2jh-values.yaml` parses and has what Zero to JupyterHub reads,
    consistent with the Dockerfile (cache, notebooks, memory limits);
(c) `binder/postBuild`, `binder/start` and `deploy/install-kernel.sh` pass
    `bash -n` (and shellcheck when present), are executable, and the
    script's --help and option errors work;
(d) `nn-kernel install --sys-prefix` puts the kernelspec into a fresh venv,
    where that venv's `jupyter kernelspec list` finds it;
(e) as root: `deploy/install-kernel.sh` run by a throwaway unprivileged user
    on a copy of this working tree in a clean folder, with a Rust toolchain
    and no cargo cache of its own: kernelspec in the user's venv, template
    warmed in the user's cache, a second run with nothing to do, a kernel
    that runs a cell, and no file written elsewhere. It reuses this
    checkout's nn-kernel (--kernel-binary) instead of a 10-minute build.

(d) and (e) need the kernel built (./install.sh) and PyPI (or pip's cache)
for jupyter_client; (e) also crates.io for nn-core's dependencies.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
VALUES = ROOT / "deploy" / "z2jh-values.yaml"
SCRIPT = ROOT / "deploy" / "install-kernel.sh"
POST_BUILD = ROOT / "binder" / "postBuild"
START = ROOT / "binder" / "start"
KERNEL = ROOT / "target" / "release" / "nn-kernel"
PIP = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]

INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY",
    "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL",
    "HEALTHCHECK", "SHELL",
}


def need_kernel() -> Path:
    if not KERNEL.is_file():
        pytest.skip(f"NOT RUN: {KERNEL} is not built yet (./install.sh builds it)")
    return KERNEL


# ---------------------------------------------------------------- (a) Dockerfile


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comments and blank lines dropped,
    lines ending in a backslash joined with the next (comment lines inside
    a continued instruction are skipped, as Docker does)."""
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = pending + line
        pending = ""
        word, _, args = full.partition(" ")
        result.append((word, args.strip()))
    assert not pending, f"the Dockerfile ends inside a continued line: {pending!r}"
    return result


def test_dockerfile_parses() -> None:
    instructions = dockerfile_instructions(DOCKERFILE.read_text())
    assert instructions, "empty Dockerfile"
    for word, args in instructions:
        assert word.upper() in INSTRUCTIONS, f"unknown Dockerfile instruction {word!r}"
        assert word == word.upper(), f"instruction {word!r} not in upper case (the convention)"
        assert args, f"{word} without arguments"
    # Only ARGs may come before the first FROM.
    first = next(word for word, _ in instructions if word != "ARG")
    assert first == "FROM", f"the first instruction is {first}, not FROM"
    froms = [args for word, args in instructions if word == "FROM"]
    assert len(froms) == 1 and re.fullmatch(r"rust:1\.95[.\w-]*", froms[0]), froms

    by_word: dict[str, list[str]] = {}
    for word, args in instructions:
        by_word.setdefault(word, []).append(args)
    # Exec form (JSON arrays): a signal-forwarding init, then Jupyter on all
    # of the container's interfaces.
    entrypoint = json.loads(by_word["ENTRYPOINT"][-1])
    cmd = json.loads(by_word["CMD"][-1])
    assert entrypoint[0] == "tini", entrypoint
    assert cmd[:2] == ["jupyter", "lab"] and "--ip=0.0.0.0" in cmd, cmd
    assert by_word["EXPOSE"] == ["8888"]
    # Runs as jovyan (uid 1000), created with that uid.
    assert by_word["USER"][-1] == "${NB_USER}" and "NB_USER=jovyan" in by_word["ARG"]
    assert "NB_UID=1000" in by_word["ARG"]
    assert any("useradd" in r and '--uid "${NB_UID}"' in r for r in by_word["RUN"])
    # Rust with rust-src, the shared install script with --sys-prefix's
    # environment, nothing the kernel needs under the (mounted-over) home.
    runs = " ".join(by_word["RUN"])
    assert "rustup component add rust-src" in runs
    assert "deploy/install-kernel.sh --python /opt/venv/bin/python" in runs
    env = " ".join(by_word["ENV"])
    cache = re.search(r"NN_KERNEL_CACHE=(\S+)", env)
    assert cache and not cache.group(1).startswith("/home"), env
    # COPY sources exist and are not excluded by .dockerignore.
    ignored = [
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for args in by_word["COPY"]:
        words = [w for w in args.split() if not w.startswith("--")]
        for source in words[:-1]:
            assert (ROOT / source).exists(), f"COPY source {source} does not exist"
            assert source.split("/")[0] not in ignored, f"COPY source {source} is in .dockerignore"
    for entry in ("target", ".venv", "site", "node_modules"):
        assert entry in ignored, f".dockerignore lacks {entry}/"
    assert SCRIPT.is_file() and os.access(SCRIPT, os.X_OK)


def test_dockerfile_with_docker_or_hadolint() -> None:
    """Docker's own parser and checks (needs a daemon), or hadolint."""
    checked = []
    if shutil.which("hadolint"):
        # DL3008: apt versions are not pinned (the base image's Debian is).
        done = subprocess.run(["hadolint", "--ignore", "DL3008", str(DOCKERFILE)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        checked.append("hadolint")
    if shutil.which("docker"):
        info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
        if info.returncode == 0:
            done = subprocess.run(
                ["docker", "build", "--check", "."], cwd=ROOT, capture_output=True, text=True, timeout=600
            )
            assert done.returncode == 0, done.stdout + done.stderr
            checked.append("docker build --check")
    if not checked:
        why = "no hadolint; " + (
            "docker is installed but its daemon is not running (docker info fails)"
            if shutil.which("docker")
            else "no docker"
        )
        pytest.skip(f"Dockerfile checked by this file's parser only: {why}")


# ---------------------------------------------------------------- (b) z2jh values


def size_in_bytes(value: str) -> float:
    """Kubernetes quantities (2G, 512M, 1Gi) and the kernel's (1G = 2^30)."""
    match = re.fullmatch(r"([\d.]+)\s*([KMGT]i?)?B?", str(value).strip(), re.IGNORECASE)
    assert match, f"not a memory size: {value!r}"
    number, unit = float(match.group(1)), (match.group(2) or "").upper()
    powers = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4}
    base = 1024 if unit.endswith("I") else 1000
    return number * base ** powers[unit.rstrip("I")]


def test_z2jh_values() -> None:
    values = yaml.safe_load(VALUES.read_text())
    # Top-level keys that the chart knows (a typo would be rejected by helm).
    assert set(values) <= {
        "singleuser", "hub", "proxy", "cull", "prePuller", "scheduling", "ingress",
        "debug", "global", "custom", "imagePullSecret", "imagePullSecrets", "rbac",
        "fullnameOverride", "nameOverride", "httpRoute",
    }, set(values)
    single = values["singleuser"]
    assert single["image"]["name"] and single["image"]["tag"]
    assert single["defaultUrl"] == "/lab"
    limit, guarantee = size_in_bytes(single["memory"]["limit"]), size_in_bytes(single["memory"]["guarantee"])
    assert 0 < guarantee <= limit, single["memory"]
    assert 0 < float(single["cpu"]["guarantee"]) <= float(single["cpu"]["limit"]), single["cpu"]
    env = single["extraEnv"]
    # The cells' limit (binary units, as the kernel reads it) below the pod's.
    cells = env["NN_KERNEL_MEMORY_LIMIT"]
    assert re.fullmatch(r"\d+[MG]", cells), cells
    cells_bytes = int(cells[:-1]) * 1024 ** (2 if cells.endswith("M") else 3)
    assert cells_bytes < limit, (cells, single["memory"]["limit"])
    assert env.get("NN_KERNEL_ANALYZER", "lazy") in ("lazy", "eager")
    # The build cache: the image's (the Dockerfile's NN_KERNEL_CACHE), not
    # the students' home volume, with no volume mounted in it (the kernel
    # makes its cache and sessions folders 0700, which it cannot do to a
    # mount point owned by root); the pod's local disk bounded instead.
    home = single["storage"]["homeMountPath"]
    cache = env["NN_KERNEL_CACHE"]
    assert not cache.startswith(home.rstrip("/") + "/"), (cache, home)
    assert f"NN_KERNEL_CACHE={cache}" in DOCKERFILE.read_text()
    for mount in single["storage"].get("extraVolumeMounts") or []:
        assert not mount["mountPath"].startswith(cache), mount
    assert "ephemeral-storage" in single["extraResource"]["limits"]
    # The course is copied from where the Dockerfile put the repository.
    hook = " ".join(single["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "/opt/nn-kernel/notebooks/*.ipynb" in hook and "COPY --chown=${NB_USER}:${NB_GID} . /opt/nn-kernel" in DOCKERFILE.read_text()
    assert single["uid"] == 1000
    # Idle servers are culled, idle kernels too.
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    kernels = single["extraFiles"]["jupyter-server-config"]["data"]["MappingKernelManager"]
    assert kernels["cull_idle_timeout"] > 0


# ---------------------------------------------------------------- (c) scripts


@pytest.mark.parametrize("script", [SCRIPT, POST_BUILD, START], ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_scripts(script: Path) -> None:
    assert os.access(script, os.X_OK), f"{script} is not executable"
    assert script.read_text().startswith("#!/usr/bin/env bash\n")
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    if shutil.which("shellcheck"):
        done = subprocess.run(["shellcheck", "-x", str(script)], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stdout


def test_shellcheck_available() -> None:
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck not installed: the scripts were checked with bash -n only")


def test_install_script_options(tmp_path: Path) -> None:
    done = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("Usage: deploy/install-kernel.sh"), done
    for option in ("--python", "--kernel-binary", "--no-docs", "--no-warm"):
        assert option in done.stdout
    done = subprocess.run([str(SCRIPT), "--bogus"], capture_output=True, text=True)
    assert done.returncode == 2 and "unknown option --bogus" in done.stderr, done
    # A Python without jupyter_client is refused before anything is built.
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    done = subprocess.run(
        [str(SCRIPT), "--python", str(bare / "bin" / "python"), "--kernel-binary", "/bin/true", "--no-warm", "--no-docs"],
        capture_output=True, text=True, env=clean_env(),
    )
    assert done.returncode == 1 and "has no jupyter_client" in done.stderr, done
    # binder/postBuild runs the same script; Binder reads binder/ only.
    assert "deploy/install-kernel.sh --python" in POST_BUILD.read_text()
    assert "rust-src" in POST_BUILD.read_text() and "--profile minimal" in POST_BUILD.read_text()
    requirements = (ROOT / "binder" / "requirements.txt").read_text()
    assert re.search(r"^jupyterlab\b", requirements, re.MULTILINE)


# ---------------------------------------------------------------- (d) --sys-prefix


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without what would choose another Python or
    another Jupyter folder, plus `extra`."""
    drop = {"VIRTUAL_ENV", "PYTHON", "PYTHONPATH", "PYTHONHOME", "JUPYTER_PATH", "JUPYTER_DATA_DIR", "CONDA_PREFIX"}
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def test_kernelspec_installs_with_sys_prefix(tmp_path: Path) -> None:
    kernel = tmp_path / "nn-kernel"
    shutil.copy2(need_kernel(), kernel)  # a build running meanwhile cannot swap it
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), *PIP, "jupyter_client"], check=True, timeout=600)
    # nn-kernel finds sys.prefix with `python3` on PATH: the venv's. The
    # user's data folder is an empty one, so that a kernelspec installed
    # for this user cannot answer in the venv's place.
    env = clean_env(
        PATH=os.pathsep.join([str(venv / "bin"), os.environ["PATH"]]),
        JUPYTER_DATA_DIR=str(tmp_path / "user-data"),
    )
    done = subprocess.run(
        [str(kernel), "install", "--sys-prefix", "--no-warm"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    spec_dir = venv / "share" / "jupyter" / "kernels" / "rust-nn"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"][0] == str(kernel.resolve()) and spec["display_name"] == "Rust (nn-core)"
    assert (spec_dir / "logo-64x64.png").is_file()
    listed = subprocess.run(
        [str(venv / "bin" / "jupyter"), "kernelspec", "list", "--json"], env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    specs = json.loads(listed.stdout)["kernelspecs"]
    assert "rust-nn" in specs and Path(specs["rust-nn"]["resource_dir"]) == spec_dir, specs
    assert not (tmp_path / "user-data" / "kernels" / "rust-nn").exists()

    # With VIRTUAL_ENV set, --sys-prefix takes that environment, whatever
    # python3 PATH finds.
    other = tmp_path / "other-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(other)], check=True)
    done = subprocess.run(
        [str(kernel), "install", "--sys-prefix", "--no-warm"],
        env={**env, "VIRTUAL_ENV": str(other)}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (other / "share" / "jupyter" / "kernels" / "rust-nn" / "kernel.json").is_file()

    done = subprocess.run([str(kernel), "uninstall", "--sys-prefix"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and not spec_dir.exists(), done.stdout + done.stderr


# ---------------------------------------------------------------- (e) unprivileged


def run_as(user: str, home: Path, path: list[str], *command: str, timeout: float = 900, **env: str) -> subprocess.CompletedProcess:
    """`command` as `user`, with a minimal environment of its own (+ `env`)."""
    variables = [f"HOME={home}", f"USER={user}", f"LOGNAME={user}", "LANG=C.UTF-8", f"PATH={':'.join(path)}"]
    variables += [f"{name}={value}" for name, value in env.items()]
    return subprocess.run(
        ["runuser", "-u", user, "--", "env", "-i", *variables, *command],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, cwd=home,
    )


def copy_working_tree(to: Path) -> None:
    """The files of this working tree, as git sees them (tracked, and new
    files not ignored): no target/, .venv/, site/."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, to / name)


def processes_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except FileNotFoundError:
                pass
    return pids


CELL_CHECK = r"""
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="rust-nn", startup_timeout=120)
try:
    msg_id = kc.execute("let x = tensor![[1.0, -1.0], [2.0, 0.5]];\nx.sum()")
    text = None
    while True:
        msg = kc.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "execute_result":
            text = msg["content"]["data"]["text/plain"]
        if msg["msg_type"] == "error":
            print("\n".join(msg["content"]["traceback"]))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    print("RESULT", text)
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
"""


def test_install_script_as_unprivileged_user() -> None:
    if os.geteuid() != 0:
        pytest.skip("NOT RUN: needs root, to create a throwaway user (useradd) and run the script as it (runuser)")
    for tool in ("useradd", "userdel", "runuser", "git"):
        if not shutil.which(tool):
            pytest.skip(f"NOT RUN: {tool} not found")
    kernel = need_kernel()
    python = next((p for p in ("/usr/bin/python3", "/usr/local/bin/python3") if Path(p).is_file()), None)
    if python is None or subprocess.run([python, "-c", "import venv, ensurepip"]).returncode != 0:
        pytest.skip("NOT RUN: no system python3 with venv that another user can run")
    sysroot = Path(subprocess.run(["rustc", "--print", "sysroot"], check=True, capture_output=True, text=True).stdout.strip())

    # A folder another user can reach (pytest's tmp_path is root's, 0700).
    base = Path(tempfile.mkdtemp(prefix="nn-deploy-", dir="/tmp"))
    base.chmod(0o755)
    user = f"nnk{os.getpid() % 100000}"
    home, repo, rust = base / "home", base / "repo", base / "rust"
    subprocess.run(
        ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", "--user-group", user],
        check=True,
    )
    uid = int(subprocess.run(["id", "-u", user], check=True, capture_output=True, text=True).stdout)
    try:
        # The checkout, with the already built kernel as its only build
        # output (as the Dockerfile leaves it), owned by the user.
        copy_working_tree(repo)
        (repo / "target" / "release").mkdir(parents=True)
        shutil.copy2(kernel, repo / "target" / "release" / "nn-kernel")
        subprocess.run(["chown", "-R", f"{user}:{user}", str(repo)], check=True)
        # Rust: this machine's toolchain (rustc, cargo, rust-src) as a plain
        # folder (hard links; root's ~/.rustup is not readable by others), no
        # rustup. The user's CARGO_HOME is its own, empty ~/.cargo.
        if subprocess.run(["cp", "-al", str(sysroot), str(rust)]).returncode != 0:
            shutil.rmtree(rust, ignore_errors=True)
            subprocess.run(["cp", "-a", str(sysroot), str(rust)], check=True)
        venv = home / "venv"
        path = [str(rust / "bin"), str(venv / "bin"), "/usr/bin", "/bin"]
        made = run_as(user, home, path, python, "-m", "venv", str(venv), timeout=300)
        assert made.returncode == 0, made.stdout
        made = run_as(user, home, path, str(venv / "bin" / "python"), *PIP, "jupyter_client", timeout=600)
        assert made.returncode == 0, made.stdout

        script = [
            "bash", str(repo / "deploy" / "install-kernel.sh"), "--python", str(venv / "bin" / "python"),
            "--kernel-binary", str(repo / "target" / "release" / "nn-kernel"), "--no-docs",
        ]
        started = time.monotonic()
        first = run_as(user, home, path, *script)
        took = time.monotonic() - started
        (base / "first-run.log").write_text(first.stdout)
        assert first.returncode == 0, f"install-kernel.sh failed as {user} after {took:.0f} s:\n{first.stdout[-6000:]}"
        print(f"install-kernel.sh as {user}, template included: {took:.0f} s; its last lines:")
        print("\n".join(first.stdout.splitlines()[-25:]))

        spec_dir = venv / "share" / "jupyter" / "kernels" / "rust-nn"
        spec = json.loads((spec_dir / "kernel.json").read_text())
        assert spec["argv"][0] == str(repo / "target" / "release" / "nn-kernel"), spec
        assert spec["env"]["NN_KERNEL_NN_CORE"] == str(repo / "nn-core"), spec
        assert f"Jupyter sees rust-nn in {spec_dir}" in first.stdout, first.stdout[-3000:]
        template = home / ".cache" / "nn-kernel" / "template"
        assert (template / "stamp").is_file() and (template / "build").is_dir(), first.stdout[-3000:]
        assert (template / "stamp").stat().st_uid == uid

        # Idempotent: again, nothing to do.
        started = time.monotonic()
        second = run_as(user, home, path, *script)
        assert second.returncode == 0, second.stdout[-4000:]
        assert "is up to date" in second.stdout, second.stdout[-3000:]
        assert time.monotonic() - started < 60, second.stdout

        # The kernel, as that user from that venv, runs nn-core in a cell.
        check = base / "cell_check.py"
        check.write_text(CELL_CHECK)
        check.chmod(0o644)
        cell = run_as(
            user, home, path, str(venv / "bin" / "python"), str(check), timeout=300, NN_KERNEL_STANDBY="0"
        )
        assert "RESULT tensor(2.5000)" in cell.stdout, cell.stdout[-4000:]

        # Nothing written where the user may write outside its own folders.
        strays = subprocess.run(
            ["find", "/tmp", "/var/tmp", "/dev/shm", "-xdev", "-user", user, "-not", "-path", f"{base}/*"],
            capture_output=True, text=True,
        ).stdout.split()
        assert not strays, strays
    finally:
        for pid in processes_of(uid):  # the test's own processes, if any are left
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        subprocess.run(["userdel", "--force", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)

"""Security of the installed `rust-nn` kernel (issue 16, item 5): it runs
only messages signed with the connection file's key, listens only where the
connection file says (and on loopback for nn-core's interrupt link), and its
cache, build folders and standby socket are private to its user, so that one
user of a shared machine (a JupyterHub) cannot reach another's kernel.

docs/kernel.md, "Security", says what is private and what is checked.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import zmq
from harness import KERNEL_NAME, STARTUP_TIMEOUT, Kernel, wait_for_standby
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

# How long a rejected request is given to (wrongly) get an answer.
NO_ANSWER = 4.0
# Printed by the code of the forged requests: must never appear.
MARKER = "FORGED-CELL-RAN"
FORGED_CODE = f'let forged_variable = 7;\nprintln!("{MARKER}");'


def spec_env() -> dict[str, str]:
    return KernelSpecManager().get_kernel_spec(KERNEL_NAME).env


def kernel_exe() -> str:
    return KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv[0]


def kernel_cache() -> Path:
    """The installed kernel's cache folder, as `kernel/src/config.rs` finds
    it: the kernelspec's environment first (`nn-kernel install` records
    NN_KERNEL_CACHE there when it was set), then ours."""
    env = {**os.environ, **spec_env()}
    if env.get("NN_KERNEL_CACHE"):
        return Path(env["NN_KERNEL_CACHE"])
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "nn-kernel"
    return Path.home() / ".cache" / "nn-kernel"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def kernel_pid(k: Kernel) -> int:
    """The process serving `k` (the launched one, or the standby that took
    the launch): the parent of the cells' process."""
    return int(k.ok("std::os::unix::process::parent_id()").result_text())


def session_dir(cache: Path, pid: int) -> Path:
    folders = list((cache / "sessions").glob(f"{pid}-*"))
    assert len(folders) == 1, f"the build folder of kernel {pid}: {folders}"
    return folders[0]


# ------------------------------------------------------------------ signatures


def raw_socket(k: Kernel, channel: str) -> zmq.Socket:
    """A DEALER socket of our own on the kernel's `channel` port."""
    info = k.km.get_connection_info()
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.linger = 0
    sock.connect(f"{info['transport']}://{info['ip']}:{info[channel + '_port']}")
    return sock


def send_unsigned(sock: zmq.Socket, msg_type: str, content: dict) -> str:
    """A well-formed request with an empty signature, sent with raw zmq."""
    msg_id = uuid.uuid4().hex
    header = {
        "msg_id": msg_id,
        "msg_type": msg_type,
        "username": "intruder",
        "session": uuid.uuid4().hex,
        "date": datetime.now(timezone.utc).isoformat(),
        "version": "5.3",
    }
    frames = [header, {}, {}, content]
    sock.send_multipart([b"<IDS|MSG>", b""] + [json.dumps(f).encode() for f in frames])
    return msg_id


def answered(sock: zmq.Socket, timeout: float) -> list[list[bytes]]:
    """Whatever arrives on `sock` within `timeout` seconds."""
    got = []
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        if sock.poll(int(remaining * 1000)):
            got.append(sock.recv_multipart())
    return got


def published_for(k: Kernel, msg_ids: set[str], timeout: float) -> list[dict]:
    """iopub messages, within `timeout` seconds, caused by `msg_ids` or
    printing the marker."""
    found = []
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            msg = k.kc.get_iopub_msg(timeout=remaining)
        except Exception:
            break
        text = json.dumps(msg["content"], default=str)
        if msg["parent_header"].get("msg_id") in msg_ids or MARKER in text:
            found.append(msg)
    return found


def test_requests_signed_with_another_key_or_unsigned_are_not_run(kernel: Kernel) -> None:
    kernel.ok("1 + 1")
    shell = raw_socket(kernel, "shell")
    control = raw_socket(kernel, "control")
    try:
        impostor = Session(key=b"not-the-connection-key", username="intruder")
        content = {"code": FORGED_CODE, "silent": False, "store_history": True}
        forged = {
            impostor.send(shell, "execute_request", content)["header"]["msg_id"],
            send_unsigned(shell, "execute_request", content),
            # A forged shutdown on the control channel must not stop it either.
            impostor.send(control, "shutdown_request", {"restart": False})["header"]["msg_id"],
            send_unsigned(control, "shutdown_request", {"restart": False}),
        }
        assert answered(shell, NO_ANSWER) == [], "a forged shell request was answered"
        assert answered(control, 0.5) == [], "a forged control request was answered"
        assert published_for(kernel, forged, 1.0) == [], "a forged request was run"

        # The same socket, with the connection file's key: answered, and the
        # reply is signed with that key (Session.recv checks it).
        info = kernel.km.get_connection_info()
        genuine = Session(key=info["key"], signature_scheme=info["signature_scheme"])
        sent = genuine.send(shell, "kernel_info_request", {})
        assert shell.poll(30_000), "a correctly signed request got no reply"
        _, reply = genuine.recv(shell)
        assert reply["parent_header"]["msg_id"] == sent["header"]["msg_id"]
        assert reply["msg_type"] == "kernel_info_reply"
    finally:
        shell.close()
        control.close()

    # Nothing of the forged cells ran: no variable, no output.
    run = kernel.execute("forged_variable")
    assert run.status == "error", run.outputs
    assert "forged_variable" in json.dumps(run.error())
    run = kernel.ok('println!("still here"); 40 + 2')
    assert run.result_text() == "42"
    assert MARKER not in run.stream()


# ------------------------------------------------------------------ listeners


def _address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    # /proc/net/tcp{,6}: each 32-bit word in host (little-endian) order.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    family = socket.AF_INET if len(raw) == 4 else socket.AF_INET6
    return socket.inet_ntop(family, words)


def tcp_listeners(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket of process `pid`."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.split(":")
                found.add((_address(address), int(port, 16)))
    return found


def ports_of(info: dict) -> set[int]:
    return {info[f"{c}_port"] for c in ("shell", "iopub", "stdin", "control", "hb")}


def test_listens_only_on_the_connection_files_ports_and_loopback(kernel: Kernel) -> None:
    pid = kernel_pid(kernel)
    info = kernel.km.get_connection_info()
    link = kernel.ok(
        'println!("{}", std::env::var("NN_KERNEL_IPC").unwrap().split(\' \').next().unwrap());'
    ).stream()
    link_host, link_port = link.strip().rsplit(":", 1)
    assert link_host == "127.0.0.1", link
    expected = {(info["ip"], port) for port in ports_of(info)} | {("127.0.0.1", int(link_port))}
    assert tcp_listeners(pid) == expected


def test_binds_the_address_the_connection_file_names(tmp_path) -> None:
    # Not the usual 127.0.0.1: the kernel binds what the file says, nothing
    # else, and never every address (0.0.0.0).
    ip = "127.0.0.2"
    connection = tmp_path / "kernel-security.json"
    write_connection_file(str(connection), ip=ip, key=uuid.uuid4().hex.encode())
    info = json.loads(connection.read_text())
    env = {**os.environ, **spec_env(), "NN_KERNEL_STANDBY": "0"}
    process = subprocess.Popen(
        [kernel_exe(), "kernel", str(connection)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = BlockingKernelClient(connection_file=str(connection))
    client.load_connection_file()
    try:
        # It binds once its build folder is ready (a copy of the template).
        wanted = {(ip, port) for port in ports_of(info)}
        deadline = time.monotonic() + 120
        while not wanted <= (found := tcp_listeners(process.pid)):
            assert process.poll() is None, "the kernel exited"
            assert time.monotonic() < deadline, f"listening on {found}, not {wanted}"
            time.sleep(0.2)
        # Anything else can only be nn-core's interrupt link, on loopback.
        others = found - wanted
        assert all(address == "127.0.0.1" for address, _ in others), found
        assert len(others) <= 1, found
        # And it answers there.
        client.start_channels()
        client.wait_for_ready(timeout=60)
    finally:
        if client.channels_running:
            client.shutdown()
            client.stop_channels()
        else:
            process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.parametrize("standby", [False, True], ids=["cold", "standby"])
def test_ipc_transport_uses_unix_sockets(tmp_path, standby: bool) -> None:
    # `transport: "ipc"` (jupyter_client's KernelManager(transport="ipc")):
    # the five channels are Unix sockets named IP-PORT, with no TCP port to
    # race for on a host running many kernels; only nn-core's interrupt
    # link stays on loopback TCP. Served by a standby too (it binds what the
    # handed-over connection file says).
    if standby:
        assert wait_for_standby(STARTUP_TIMEOUT), "no standby kernel became ready"
    km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc")
    km.ip = str(tmp_path / "kernel")
    env = {**os.environ} if standby else {**os.environ, "NN_KERNEL_STANDBY": "0"}
    km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    k = Kernel(km, kc)
    try:
        kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        assert k.ok("let v = 20; v + 1", timeout=STARTUP_TIMEOUT).result_text() == "21"
        assert k.ok("v * 2").result_text() == "40"
        info = km.get_connection_info()
        for port in ports_of(info):
            path = Path(f"{info['ip']}-{port}")
            assert stat.S_ISSOCK(path.stat().st_mode), f"{path} is not a Unix socket"
        listeners = tcp_listeners(kernel_pid(k))
        assert len(listeners) <= 1 and all(a == "127.0.0.1" for a, _ in listeners), listeners
    finally:
        k.shutdown()


# ------------------------------------------------------------------ file modes


def test_cache_build_folders_and_standby_socket_are_private(kernel: Kernel) -> None:
    cache = kernel_cache()
    pid = kernel_pid(kernel)
    assert mode(cache) == 0o700, oct(mode(cache))
    if (cache / "template").exists():
        assert mode(cache / "template") == 0o700
    assert mode(cache / "sessions") == 0o700
    folder = session_dir(cache, pid)
    assert mode(folder) == 0o700
    assert mode(folder / "build") == 0o700
    if {**os.environ, **spec_env()}.get("NN_KERNEL_STANDBY") == "0":
        return
    # The kernel starts a standby for the next launch once it is warm.
    assert wait_for_standby(), "no standby kernel started"
    standby = cache / "standby.sock"
    assert stat.S_ISSOCK(os.stat(standby).st_mode)
    assert mode(standby) == 0o600, oct(mode(standby))


# ------------------------------------------------------------------ another user

PROBE = r"""
import json, os, socket, sys
out = {}
for path in sys.argv[1:]:
    try:
        if path.endswith(".sock"):
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(5)
            s.connect(path)
            s.close()
            out[path] = "reached"
        else:
            os.listdir(path)
            os.chdir(path)
            out[path] = "reached"
    except PermissionError:
        out[path] = "denied"
    except OSError as error:
        out[path] = type(error).__name__
print(json.dumps(out))
"""


def probe_as(user: str, *paths: Path) -> dict[str, str]:
    done = subprocess.run(
        ["runuser", "-u", user, "--", "/usr/bin/python3", "-c", PROBE, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd="/",
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def stranger():
    """A throw-away unprivileged system user, removed afterwards."""
    if os.geteuid() != 0:
        pytest.skip("needs root: creates a throw-away user (useradd) and acts as it (runuser)")
    for tool in ("useradd", "userdel", "runuser"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs `{tool}` to act as another user")
    if not Path("/usr/bin/python3").exists():
        pytest.skip("needs /usr/bin/python3 for the other user's probe")
    name = f"nnsec{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=True,
        capture_output=True,
    )
    try:
        yield name
    finally:
        subprocess.run(["userdel", name], capture_output=True)


def test_another_user_cannot_reach_the_build_folders_or_the_standby(stranger: str) -> None:
    # A cache in a folder every user may enter (as a home folder often is on
    # a JupyterHub; root's own is not), already there with mode 0755, as an
    # older kernel left it: the standby makes it private.
    base = Path(tempfile.mkdtemp(prefix="nn-kernel-security-", dir="/tmp"))
    os.chmod(base, 0o755)
    cache = base / "cache"
    cache.mkdir(mode=0o755)
    os.chmod(cache, 0o755)
    template = kernel_cache() / "template"
    if template.is_dir():
        (cache / "template").symlink_to(template)  # no second nn-core build
    env = {**os.environ, **spec_env(), "NN_KERNEL_CACHE": str(cache)}
    log = (base / "standby.log").open("w")
    standby = subprocess.Popen(
        [kernel_exe(), "standby"],
        env=env,
        cwd=base,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    socket_path = cache / "standby.sock"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not socket_path.exists():
            assert standby.poll() is None, (base / "standby.log").read_text()
            assert time.monotonic() < deadline, "the standby did not start"
            time.sleep(0.5)
        folder = session_dir(cache, standby.pid)
        levels = [cache, cache / "sessions", folder, folder / "build"]
        assert [mode(p) for p in levels] == [0o700] * 4
        assert mode(socket_path) == 0o600

        # The probe works: the user can enter the folder around the cache.
        assert probe_as(stranger, base) == {str(base): "reached"}
        # Each folder keeps the user out by itself: opened one by one (as
        # root), the next still does.
        for i, level in enumerate(levels):
            seen = probe_as(stranger, *levels, socket_path)
            assert seen[str(level)] == "denied", seen
            for opened in levels[:i]:
                assert seen[str(opened)] == "reached", seen
            # The socket (0600) keeps the user out once the cache is open.
            assert seen[str(socket_path)] == "denied", seen
            os.chmod(level, 0o755)
    finally:
        for path in (cache, cache / "sessions"):
            if path.exists():
                os.chmod(path, 0o700)
        subprocess.run(
            [kernel_exe(), "standby", "stop"], env=env, capture_output=True, timeout=60
        )
        try:
            standby.wait(timeout=60)
        except subprocess.TimeoutExpired:
            standby.kill()
            standby.wait()
        log.close()
        shutil.rmtree(base, ignore_errors=True)

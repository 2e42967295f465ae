"""Protocol tests of the installed `rust-nn` kernel with jupyter_client:
outputs, displays, errors, interrupts, nn-core's per-session state."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from harness import (
    KERNEL_NAME,
    STARTUP_TIMEOUT,
    Kernel,
    plain,
    start_cold_kernel,
    start_kernel,
)
from jupyter_client.manager import KernelManager


def test_kernel_info_describes_rust(kernel: Kernel) -> None:
    reply = kernel.request(lambda kc: kc.kernel_info())
    content = reply["content"]
    info = content["language_info"]
    assert info["name"] == "rust"
    assert info["mimetype"] == "text/rust"
    assert info["file_extension"] == ".rs"
    assert info["pygments_lexer"] == "rust"
    assert info["codemirror_mode"] == "rust"
    assert info["version"]
    assert content["protocol_version"] >= "5.3"
    assert "nn-core" in content["banner"]
    docs = [link["url"] for link in content["help_links"] if link["text"] == "nn-core API"]
    assert docs == ["/kernelspecs/rust-nn/doc/nn_core/index.html"]


def test_help_link_serves_nn_core_docs() -> None:
    # Jupyter serves a kernelspec's files under /kernelspecs/<name>/: the
    # installed kernelspec carries nn-core's rustdoc there.
    from jupyter_client.kernelspec import KernelSpecManager

    spec_dir = Path(KernelSpecManager().get_kernel_spec(KERNEL_NAME).resource_dir)
    page = (spec_dir / "doc" / "nn_core" / "index.html").read_text()
    assert "nn_core" in page and "Tensor" in page


def test_execution_count_starts_at_one() -> None:
    k = start_kernel()
    try:
        assert k.first.reply["content"]["execution_count"] == 1
        assert k.ok("2 + 2").reply["content"]["execution_count"] == 2
    finally:
        k.shutdown()


def test_result_and_streams(kernel: Kernel) -> None:
    run = kernel.ok('println!("to stdout");\neprintln!("to stderr");\n6 * 7')
    assert run.stream("stdout") == "to stdout\n"
    assert run.stream("stderr") == "to stderr\n"
    assert run.result_text() == "42"


def test_unit_result_shows_nothing(kernel: Kernel) -> None:
    run = kernel.ok('println!("x")')
    assert run.of_type("execute_result") == []


def test_stdout_streams_while_the_cell_runs(kernel: Kernel) -> None:
    code = (
        "for i in 0..3 {\n"
        '    println!("line {i}");\n'
        "    std::thread::sleep(std::time::Duration::from_millis(400));\n"
        "}"
    )
    run = kernel.ok(code)
    streams = run.of_type("stream")
    assert "".join(m["content"]["text"] for m in streams) == "line 0\nline 1\nline 2\n"
    # Line by line as written, not all at the end of the cell.
    assert len(streams) == 3
    assert streams[-1]["received"] - streams[0]["received"] > 0.4


def test_tensor_shows_as_result(kernel: Kernel) -> None:
    run = kernel.ok("let x = tensor![[1.0, -1.0]]; x")
    assert run.result_text() == "tensor([[ 1., -1.]])"


def test_two_displays_in_one_cell(kernel: Kernel) -> None:
    run = kernel.ok('display(&"first figure");\ndisplay(&"second figure");')
    displays = run.of_type("display_data")
    assert [d["content"]["data"]["text/plain"] for d in displays] == [
        "first figure",
        "second figure",
    ]
    ids = {d["content"]["transient"]["display_id"] for d in displays}
    assert len(ids) == 2


def test_display_carries_the_whole_bundle(kernel: Kernel) -> None:
    run = kernel.ok(
        'display(&MimeBundle::new("plain").with_html("<b>rich</b>").with("application/json", "{\\"a\\": 1}"));'
    )
    (display,) = run.of_type("display_data")
    assert display["content"]["data"] == {
        "text/plain": "plain",
        "text/html": "<b>rich</b>",
        "application/json": {"a": 1},
    }


def test_update_display_keeps_the_display_id(kernel: Kernel) -> None:
    run = kernel.ok('let progress = display(&"epoch 0");\nprogress.update(&"epoch 1");')
    (shown,) = run.of_type("display_data")
    (updated,) = run.of_type("update_display_data")
    display_id = shown["content"]["transient"]["display_id"]
    assert display_id
    assert updated["content"]["transient"]["display_id"] == display_id
    assert updated["content"]["data"]["text/plain"] == "epoch 1"
    # A later cell can update it too.
    run = kernel.ok('progress.update(&"epoch 2");')
    (later,) = run.of_type("update_display_data")
    assert later["content"]["transient"]["display_id"] == display_id


def test_clear_output(kernel: Kernel) -> None:
    run = kernel.ok("clear_output(true);")
    (clear,) = run.of_type("clear_output")
    assert clear["content"]["wait"] is True


def test_panic_is_an_error_and_keeps_variables(kernel: Kernel) -> None:
    kernel.ok("let kept = 41;")
    run = kernel.execute('let lost = 1;\npanic!("shape mismatch: [2] vs [3]");')
    assert run.status == "error"
    assert run.reply["content"]["evalue"] == "shape mismatch: [2] vs [3]"
    error = run.error()
    assert error["evalue"] == "shape mismatch: [2] vs [3]"
    assert error["ename"] == "panic"
    assert "shape mismatch" in plain("\n".join(error["traceback"]))
    # No backtrace or default panic text besides the error.
    assert run.stream("stderr") == ""
    assert kernel.ok("kept + 1").result_text() == "42"


def test_panic_inside_nn_core_is_an_error(kernel: Kernel) -> None:
    run = kernel.execute("let v: Vec<i32> = Vec::new();\nv[3]")
    assert run.status == "error"
    assert "index out of bounds" in run.error()["evalue"]
    assert kernel.ok("1 + 2").result_text() == "3"


def test_compile_error_points_at_the_cells_line(kernel: Kernel) -> None:
    kernel.ok("let before_error = 5;")
    run = kernel.execute('let a = 1;\nlet b: i32 = "text";')
    assert run.status == "error"
    error = run.error()
    assert error["ename"] == "CompileError"
    assert error["evalue"] == "mismatched types"
    traceback = plain("\n".join(error["traceback"]))
    assert "error[E0308]: mismatched types" in traceback
    assert "line 2, column 14" in traceback
    assert '2 | let b: i32 = "text";' in traceback
    assert "expected `i32`, found `&str`" in traceback
    # Nothing from evcxr's generated crate.
    assert "src/lib.rs" not in traceback
    assert "evcxr" not in traceback
    assert kernel.ok("before_error").result_text() == "5"


def test_interrupt_stops_an_nn_core_loop_and_keeps_variables(kernel: Kernel) -> None:
    kernel.ok("let survivor = 7;")
    code = 'println!("started");\nloop {\n    let _ = Tensor::rand([16]);\n    check_interrupt();\n}'
    msg_id = kernel.send(code)
    interrupted_at: list[float] = []

    def interrupt_once_running(msg):
        if msg["msg_type"] == "stream" and "started" in msg["content"]["text"]:
            time.sleep(0.5)
            interrupted_at.append(time.monotonic())
            kernel.km.interrupt_kernel()

    run = kernel.collect(msg_id, timeout=60, on_output=interrupt_once_running)
    assert interrupted_at, "the loop never started"
    assert run.status == "error"
    assert run.error()["ename"] == "KeyboardInterrupt"
    # Generous: the kernel aims at well under 1 s on a quiet machine.
    assert run.finished - interrupted_at[0] < 10
    assert kernel.ok("survivor").result_text() == "7"
    # The interrupt does not leak into the next loop.
    assert kernel.ok("for _ in 0..1000 { check_interrupt(); }\n1").result_text() == "1"


def test_interrupt_of_other_code_restarts_the_process() -> None:
    k = start_kernel()
    try:
        k.ok("let doomed = 1;")
        code = 'println!("sleeping");\nstd::thread::sleep(std::time::Duration::from_secs(120));'
        msg_id = k.send(code)

        def interrupt(msg):
            if msg["msg_type"] == "stream" and "sleeping" in msg["content"]["text"]:
                k.km.interrupt_kernel()

        run = k.collect(msg_id, timeout=90, on_output=interrupt)
        assert run.status == "error"
        error = run.error()
        assert error["ename"] == "KeyboardInterrupt"
        assert "variables were lost" in error["evalue"]
        # The session goes on: a fresh process, nn-core connected again.
        assert k.execute("doomed").status == "error"
        run = k.ok('display(&"still displays");')
        assert len(run.of_type("display_data")) == 1
        run = k.execute('panic!("still reported")')
        assert run.error()["evalue"] == "still reported"
    finally:
        k.shutdown()


def test_seed_in_one_cell_rand_in_the_next(kernel: Kernel) -> None:
    kernel.ok("manual_seed(0);")
    # torch.manual_seed(0); torch.rand(3)
    assert kernel.ok("Tensor::rand([3])").result_text() == "tensor([0.4963, 0.7682, 0.0885])"
    # The generator moved on, once for the whole session.
    assert kernel.ok("Tensor::rand([3])").result_text() == "tensor([0.1320, 0.3074, 0.6341])"


def test_two_kernels_started_at_once_both_work() -> None:
    kernels: list[Kernel] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            kernels.append(start_kernel())
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(STARTUP_TIMEOUT + 60)
    try:
        assert not errors, errors
        assert len(kernels) == 2
        for i, k in enumerate(kernels):
            k.ok(f"let mine = {i};")
        for i, k in enumerate(kernels):
            assert k.ok("mine * 10").result_text() == str(i * 10)
    finally:
        for k in kernels:
            k.shutdown()


def test_is_complete(kernel: Kernel) -> None:
    def status(code: str) -> tuple[str, str]:
        content = kernel.request(lambda kc: kc.is_complete(code))["content"]
        return content["status"], content.get("indent", "")

    assert status("let x = 1;") == ("complete", "")
    assert status("fn f() {") == ("incomplete", "    ")
    assert status("let v = vec![1,") == ("incomplete", "    ")
    assert status("let s = \"open") == ("incomplete", "")
    assert status("fn f() { )") == ("invalid", "")


def test_history_and_comm_info(kernel: Kernel) -> None:
    kernel.ok("let remembered = 3;")
    reply = kernel.request(lambda kc: kc.history(hist_access_type="tail", n=1, output=False, raw=True))
    assert reply["content"]["status"] == "ok"
    assert reply["content"]["history"][-1][2] == "let remembered = 3;"
    reply = kernel.request(lambda kc: kc.comm_info())
    assert reply["content"] == {"status": "ok", "comms": {}}


def test_failed_cell_aborts_cells_queued_behind_it(kernel: Kernel) -> None:
    failing = kernel.send('panic!("first fails")')
    queued = kernel.send("1")
    assert kernel.collect(failing).status == "error"
    assert kernel.collect(queued).status == "aborted"
    assert kernel.ok("2").result_text() == "2"


def test_restart_gives_a_fresh_session() -> None:
    k = start_kernel()
    try:
        k.ok("let before_restart = 1;")
        k.km.restart_kernel(now=False)
        k.kc.wait_for_ready(timeout=60)
        run = k.execute("before_restart", timeout=STARTUP_TIMEOUT)
        assert run.status == "error"
        assert k.ok("1 + 1").result_text() == "2"
    finally:
        k.shutdown()


def test_an_edited_path_dependency_is_rebuilt(tmp_path) -> None:
    # Cells normally skip cargo (vendor/evcxr/PATCHES.md, patch 2); a crate of
    # the user's own, edited between cells, must still be rebuilt.
    crate = tmp_path / "mine"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "mine"\nversion = "0.1.0"\nedition = "2024"\n\n[workspace]\n'
    )
    lib = crate / "src" / "lib.rs"
    lib.write_text("pub fn answer() -> i32 { 1 }\n")
    k = start_kernel()
    try:
        assert k.ok("2 + 1").result_text() == "3"
        run = k.ok(f":dep mine = {{ path = {str(crate)!r} }}\nmine::answer()")
        assert run.result_text() == "1"
        lib.write_text("pub fn answer() -> i32 { 2 }\n")
        assert k.ok("mine::answer()").result_text() == "2"
        assert k.ok("mine::answer() + 40").result_text() == "42"
    finally:
        k.shutdown()


def test_a_standby_kernel_serves_the_next_launch(tmp_path) -> None:
    from harness import wait_for_standby

    first = start_kernel()
    try:
        assert wait_for_standby(), "no standby kernel started"
        km = KernelManager(kernel_name=KERNEL_NAME)
        km.start_kernel(cwd=str(tmp_path))
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        k = Kernel(km, kc)
        try:
            launched = km.provisioner.process.pid
            run = k.ok("std::os::unix::process::parent_id()", timeout=STARTUP_TIMEOUT)
            # The cells' process belongs to the standby, not to the launched one.
            assert run.result_text() != str(launched)
            assert run.reply["content"]["execution_count"] == 1
            # It works in the notebook's folder.
            run = k.ok('println!("{}", std::env::current_dir().unwrap().display());')
            assert run.stream("stdout").strip() == str(tmp_path)
            (tmp_path / "data.txt").write_text("42")
            run = k.ok('std::fs::read_to_string("data.txt").unwrap()')
            assert run.result_text() == '"42"'
            assert len(k.ok('display(&"shown");').of_type("display_data")) == 1
            assert k.execute('panic!("reported")').error()["evalue"] == "reported"
        finally:
            k.shutdown()
        # The stand-in ends with the kernel.
        assert not km.is_alive()
    finally:
        first.shutdown()


def test_a_let_during_the_background_warm_up() -> None:
    # A cold kernel (no standby) warms rust-analyzer up on a thread of its
    # own once idle (vendor/evcxr/PATCHES.md, patch 3); a `let` sent at once
    # does not wait for it (patch 5: the compiled cell reports the type):
    # its type must come out right, and the warm-up defines nothing.
    k = start_cold_kernel()
    try:
        assert k.ok("1 + 1", timeout=STARTUP_TIMEOUT).result_text() == "2"
        k.ok("let t = tensor![[1.0, -1.0]];")
        assert k.ok("t").result_text() == "tensor([[ 1., -1.]])"
        assert k.ok(":vars").result_text() == "t: Tensor\n"
        assert k.ok("let u = t.relu(); u").result_text() == "tensor([[1., 0.]])"
    finally:
        k.shutdown()


def test_a_dependency_gone_behind_the_kernels_back_is_rebuilt() -> None:
    # Cells skip cargo (vendor/evcxr/PATCHES.md, patch 2); if a dependency's
    # library disappears, rustc cannot load it, and the cell must go through
    # cargo, which rebuilds it, instead of reporting rustc's error.
    k = start_cold_kernel()
    try:
        assert k.ok("1 + 1", timeout=STARTUP_TIMEOUT).result_text() == "2"
        assert k.ok("2 + 2").result_text() == "4"
        # This kernel's folder (the launched process is the kernel: no standby).
        pid = k.km.provisioner.process.pid
        pattern = f"sessions/{pid}-*/build/target/*/debug/deps/libnn_core_session.so"
        libraries = list(kernel_cache().glob(pattern))
        assert len(libraries) == 1, libraries
        libraries[0].rename(libraries[0].with_name("moved-away.so"))
        run = k.ok("Tensor::ones([2]).sum()", timeout=STARTUP_TIMEOUT)
        assert run.result_text() == "tensor(2.)"
        assert libraries[0].exists()
    finally:
        k.shutdown()


def kernel_cache() -> Path:
    """The kernel's cache folder, as `kernel/src/config.rs` finds it."""
    if "NN_KERNEL_CACHE" in os.environ:
        return Path(os.environ["NN_KERNEL_CACHE"])
    if "XDG_CACHE_HOME" in os.environ:
        return Path(os.environ["XDG_CACHE_HOME"]) / "nn-kernel"
    return Path.home() / ".cache" / "nn-kernel"


def test_a_broken_nn_core_still_gives_a_kernel(tmp_path) -> None:
    crate = tmp_path / "nn-core"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "nn-core"\nversion = "0.1.0"\nedition = "2024"\n\n'
        '[lib]\nname = "nn_core"\n\n[workspace]\n'
    )
    (crate / "src" / "lib.rs").write_text("pub fn half_written( -> {\n")
    k = start_cold_kernel(
        NN_KERNEL_NN_CORE=str(crate), NN_KERNEL_CACHE=str(tmp_path / "cache")
    )
    try:
        run = k.ok("1 + 1", timeout=STARTUP_TIMEOUT)
        assert run.result_text() == "2"
        notice = run.stream("stderr")
        assert "nn-core" in notice and "could not be loaded" in notice, notice
        assert "half_written" in plain(notice) or "expected" in plain(notice), notice
        # Only the first cell says it.
        assert k.ok("2 + 2").stream("stderr") == ""
    finally:
        k.shutdown()

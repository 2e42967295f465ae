"""A long session, as a student's notebook grows: the same ten kinds of cell
(tensors, a training step, a displayed tensor, plots, arithmetic, a printed
model) over and over in one kernel, each checked. Shared by
`tests/kernel/test_soak.py` (a few hundred cells: outputs, memory, build
folder) and `bench/soak.py` (1,000 cells: latency of the first 100 against
the last 100, memory at start and end).

The kernel is started cold (no standby), so that the process jupyter_client
launched is the kernel itself and its process tree is the session's: the
kernel (with rust-analyzer when loaded), the process running the cells, and
the compilers while a cell compiles.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import Kernel, start_cold_kernel

SETUP = """\
manual_seed(0);
let net = sequential![Linear::new(4, 8), ReLU::new(), Linear::new(8, 1)];
let loss_func = MSELoss::new();
let mut opt = SGD::new(net.parameters(), 0.01);
let mut losses: Vec<f64> = Vec::new();
let x = Tensor::randn([64, 4]);
println!("ready");
"""


def cell(i: int) -> tuple[str, str]:
    """Cell number `i` and a text its output must contain."""
    kind = i % 10
    if kind == 0:
        return (
            f"manual_seed({i});\nlet x = Tensor::randn([64, 4]);\n"
            f'println!("cell {i} {{}}", x.size());',
            f"cell {i} torch.Size([64, 4])",
        )
    if kind == 1:
        return (
            "let target = Tensor::randn([64, 1]);\n"
            "let loss = loss_func.forward(&net.forward(&x), &target);\n"
            "opt.zero_grad();\nloss.backward();\nopt.step();\n"
            "losses.push(loss.item());\n"
            f'println!("cell {i} positive={{}}", loss.item() > 0.0);',
            f"cell {i} positive=true",
        )
    if kind == 2:
        return "x.i(..2)", "tensor([["
    if kind == 3:
        return "plot::loss_curve(&losses).title(\"loss\")", "<svg"
    if kind == 4:
        return f"{i} + 1", str(i + 1)
    if kind == 5:
        return (
            f"let s: usize = (0..{i}).sum();\nprintln!(\"cell {i} sum={{s}}\");",
            f"cell {i} sum={i * (i - 1) // 2}",
        )
    if kind == 6:
        return 'println!("{net}");', "Sequential(\n  (0): Linear(in_features=4, out_features=8, bias=True)"
    if kind == 7:
        return f"let v = vec![{i}; 3];\nv.len()", "3"
    if kind == 8:
        return (
            "let a = Tensor::linspace(-1.0, 1.0, 20).unsqueeze(1);\n"
            "plot::scatter(&a, &a.pow(2.0))",
            "<svg",
        )
    return (
        "let d = no_grad(|| net.forward(&x));\n"
        f'println!("cell {i} {{}}", d.size());',
        f"cell {i} torch.Size([64, 1])",
    )


def output_text(run) -> str:
    """Everything a cell showed, as text (SVG for pictures)."""
    parts = [run.stream("stdout")]
    for msg in run.of_type("execute_result") + run.of_type("display_data"):
        data = msg["content"]["data"]
        parts.append(data.get("image/svg+xml", data.get("text/plain", "")))
    return "\n".join(parts)


def tree_pids(pid: int) -> list[int]:
    """`pid` and its descendants."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                pass
    return pids


def tree_kb(pid: int, file: str, field: str) -> int:
    """The sum of `field` (in kB) of /proc/PID/`file` over the process tree of
    `pid` ("smaps_rollup", "Pss:" or "status", "VmRSS:")."""
    total = 0
    for p in tree_pids(pid):
        try:
            for line in Path(f"/proc/{p}/{file}").read_text().splitlines():
                if line.startswith(field):
                    total += int(line.split()[1])
        except OSError:
            pass  # exited meanwhile
    return total


def pss_mb(pid: int) -> float:
    """Proportional set size of the process tree of `pid`, in MB."""
    return tree_kb(pid, "smaps_rollup", "Pss:") / 1024


def rss_mb(pid: int) -> float:
    """Resident set size of the process tree of `pid`, in MB (pages shared
    between the processes counted in each)."""
    return tree_kb(pid, "status", "VmRSS:") / 1024


def folder_mb(path: Path) -> float:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total / 1e6


def session_folder(pid: int) -> Path | None:
    """The build folder of the kernel with process id `pid`."""
    cache = Path(
        os.environ.get("NN_KERNEL_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "nn-kernel"
    )
    found = sorted((cache / "sessions").glob(f"{pid}-*"))
    return found[0] if found else None


@dataclass
class Soak:
    cells: int
    seconds: list[float] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    memory_start_mb: float = 0.0
    memory_end_mb: float = 0.0
    folder_start_mb: float = 0.0
    folder_end_mb: float = 0.0


def run_soak(cells: int, progress=None) -> Soak:
    """Runs `cells` cells after SETUP in one cold kernel; measures."""
    kernel: Kernel = start_cold_kernel()
    soak = Soak(cells)
    try:
        kernel.ok(SETUP, timeout=600)
        pid = kernel.km.provisioner.process.pid
        folder = session_folder(pid)
        # After a first round, so that the start is a session in use.
        for i in range(10):
            kernel.ok(cell(i)[0])
        soak.memory_start_mb = pss_mb(pid)
        soak.folder_start_mb = folder_mb(folder) if folder else 0.0
        for i in range(10, 10 + cells):
            code, want = cell(i)
            started = time.monotonic()
            run = kernel.execute(code)
            soak.seconds.append(time.monotonic() - started)
            text = output_text(run)
            if run.status != "ok" or want not in text:
                soak.wrong.append(f"cell {i} ({run.status}): {code!r} gave {text[:300]!r}")
            if progress and (i - 9) % 100 == 0:
                progress(i - 9, soak)
        soak.memory_end_mb = pss_mb(pid)
        soak.folder_end_mb = folder_mb(folder) if folder else 0.0
    finally:
        kernel.shutdown()
    return soak

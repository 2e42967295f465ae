"""The course notebooks, executed through the real kernel with nbclient.

- no cell fails;
- every code cell's text outputs equal the committed ones (the committed
  notebooks are the course: they must be what the kernel produces today);
- plot cells produce SVG;
- notebook 01 prints what PyTorch printed for the same programs
  (`notebook-outputs.txt`), and notebook 02's losses follow PyTorch's;
- notebooks 04's and 05's tagged cells print what their PyTorch twins' cells
  of the same tags printed (`notebooks/pytorch/NN-….printed.json`);
- `jupyter nbconvert --to html` embeds the plots and the tensors' text.
"""

from __future__ import annotations

import base64
import difflib
import html
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reference import OUTPUTS, section

ROOT = Path(__file__).resolve().parents[2]

# Progress lines carry timings (rate, elapsed, time left) that differ per run.
TIMING = re.compile(r"\d+(?:\.\d+)?\s*(?:it/s|s/it|ms|µs|s)\b|\d+:\d{2}(?::\d{2})?")


def text_outputs(cell) -> list[str]:
    """A code cell's outputs as comparable text: streams, errors, and the
    text/plain of results and displays (timings masked). Consecutive pieces of
    one stream are joined: how a stream is cut into messages depends on timing."""
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream":
            head = f"[{o['name']}] "
            if out and out[-1].startswith(head):
                out[-1] += o["text"]
            else:
                out.append(head + o["text"])
        elif o["output_type"] == "error":
            out.append(f"[error] {o['ename']}: {o['evalue']}")
        else:
            data = o.get("data", {})
            out.append(f"[{o['output_type']}] {TIMING.sub('…', data.get('text/plain', ''))}")
    return out


def stdout(cell) -> str:
    return "".join(o["text"] for o in cell.get("outputs", []) if o["output_type"] == "stream" and o["name"] == "stdout")


def tagged(nb, tag: str):
    cells = [c for c in nb.cells if c.cell_type == "code" and tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {tag!r}, found {len(cells)}"
    return cells[0]


def show_diff(expected: str, got: str) -> str:
    return "\n".join(difflib.unified_diff(expected.splitlines(), got.splitlines(), "expected", "got", lineterm=""))


COURSE = [
    "01-linear-layers.ipynb",
    "02-training-a-network.ipynb",
    "03-activation-functions.ipynb",
    "04-classification.ipynb",
    "05-convolutional-networks.ipynb",
]


def test_the_course_notebooks(committed) -> None:
    assert sorted(committed) == COURSE


def test_no_cell_fails(executed) -> None:
    failures = []
    for name, nb in executed.items():
        for i, cell in enumerate(nb.cells):
            for o in cell.get("outputs", []):
                if o["output_type"] == "error":
                    failures.append(f"{name} cell {i}: {o['ename']}: {o['evalue']}")
                if o["output_type"] == "stream" and o["name"] == "stderr" and "panicked" in o["text"]:
                    failures.append(f"{name} cell {i}: {o['text']}")
    assert not failures, "\n".join(failures)


def test_outputs_equal_the_committed_ones(executed, committed) -> None:
    problems = []
    for name, nb in executed.items():
        old = committed[name]
        assert len(old.cells) == len(nb.cells), f"{name}: the cell count changed"
        for i, (a, b) in enumerate(zip(old.cells, nb.cells)):
            if a.cell_type != "code":
                continue
            want, got = "\n".join(text_outputs(a)), "\n".join(text_outputs(b))
            if want != got:
                problems.append(f"{name} cell {i}:\n{show_diff(want, got)}")
    assert not problems, (
        "outputs differ from the committed notebooks (regenerate them with `tools/run-notebooks.sh` "
        "if the change is intended):\n\n" + "\n\n".join(problems)
    )


def test_plot_cells_produce_svg(executed) -> None:
    count = 0
    for name, nb in executed.items():
        for i, cell in enumerate(nb.cells):
            if "plot" not in cell.metadata.get("tags", []):
                continue
            svgs = [o["data"]["image/svg+xml"] for o in cell.outputs if "image/svg+xml" in o.get("data", {})]
            assert svgs, f"{name} cell {i} is a plot cell without image/svg+xml output"
            for svg in svgs:
                root = ET.fromstring(svg)
                assert root.tag.endswith("svg")
                # Curves (polyline, path), a diagram (plot::network: lines, circles),
                # or cells (plot::confusion_matrix: rects beside the background's).
                drawn = ("polyline", "path", "line", "circle")
                assert any(root.find(f".//{{http://www.w3.org/2000/svg}}{tag}") is not None for tag in drawn) or (
                    len(root.findall(".//{http://www.w3.org/2000/svg}rect")) > 1
                ), f"{name} cell {i}: the SVG draws nothing"
            count += 1
    assert count >= 12, f"only {count} plot cells"


# ---------------------------------------------------------------------------
# Notebook 01 against PyTorch's output for the same programs.


def labelled(text: str, labels: list[str]) -> dict[str, str]:
    """Splits printed lines into {label: value} where a value starts after
    `label` at the beginning of a line and runs until the next label or a
    `-----` separator line."""
    values: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        starts = [l for l in labels if line.startswith(l)]
        if starts:
            current = max(starts, key=len)
            values[current] = line[len(current):]
        elif line.startswith("-----"):
            current = None
        elif current is not None:
            values[current] += "\n" + line
    return values


# (cell tag, printed label, reference section, reference expression, suffix our line adds)
NOTEBOOK_01 = [
    ("example-1", "input : ", "Example 1", "x", ""),
    ("example-1", "Weight : ", "Example 1", "lin.weight", ""),
    ("example-1", "Bias : ", "Example 1", "lin.bias", ""),
    ("example-1", "output : ", "Example 1", "y = lin(x)", ""),
    ("example-1", "y : ", "Example 1", "y2 = x.matmul(W.t()) + b", ""),
    ("example-1", "activation : ", "Example 1", "F.relu(y)", ""),
    ("example-2", "network structure : ", "Example 2", "model", ""),
    ("example-2", "Weight : ", "Example 2", "model[0].weight", ""),
    ("example-2", "Bias : ", "Example 1", "lin.bias", ""),
    ("example-2", "activation : ", "Example 2", "model(x)", ""),
    ("example-2", "internal output : ", "Example 1", "y2 = x.matmul(W.t()) + b", ""),
    ("example-2", "ReLU(output) :", "Example 1", "F.relu(y2)", ""),
    ("example-3", "Weight : ", "Example 3", "net.l1.weight", ""),
    ("example-3", "activation : ", "Example 3", "net(x)", ""),
    ("example-4", "activation : ", "Example 4", "net(x)", ""),
    ("ffn", "nb parameters : ", "Feed-forward", "sum(p.numel() for p in ffn.parameters())", ""),
    ("ffn", "input : ", "Feed-forward", "xf", " of size torch.Size([3, 1])"),
    ("ffn", "[0] Weight : ", "Feed-forward", "ffn param 0.weight", ""),
    ("ffn", "[0] Bias : ", "Feed-forward", "ffn param 0.bias", ""),
    ("ffn", "[2] Weight : ", "Feed-forward", "ffn param 2.weight", ""),
    ("ffn", "[2] Bias : ", "Feed-forward", "ffn param 2.bias", ""),
    ("ffn", "[4] Weight : ", "Feed-forward", "ffn param 4.weight", ""),
    ("ffn", "[4] Bias : ", "Feed-forward", "ffn param 4.bias", ""),
    ("ffn", "activation : ", "Feed-forward", "ffn(xf)", " of size torch.Size([3, 1])"),
]

# Labels the cells print that have no reference block (they end a value).
UNCHECKED_LABELS = ["Activation function : ", "[1] Activation function : ", "[3] Activation function : "]

# Cells whose whole output is a sequence of reference blocks.
NOTEBOOK_01_WHOLE = [
    ("intro-weight", "Intro", ["lin.weight.size()", "lin.weight"]),
    ("intro-bias", "Intro", ["lin.bias.size()", "lin.bias"]),
    ("intro-y", "Intro", ["y.size()", "y = lin(x)"]),
    ("count", "Feed-forward", ["sum(p.numel() for p in ffn.parameters())"]),
    ("linspace", "torch.linspace", ["torch.linspace(-1, 1, 100)", "torch.unsqueeze(xl, dim=1)"]),
]

# The module trees: the same lines as torch's below the class name (our
# structs keep the seed notebook's names; the reference used short ones).
NOTEBOOK_01_TREES = [
    ("example-3-tree", "Example 3", "net"),
]


@pytest.fixture(scope="module")
def nb01(executed):
    if not OUTPUTS.exists():
        pytest.skip(f"{OUTPUTS} not found (the reference files live in ../shared beside the repository)")
    return executed["01-linear-layers.ipynb"]


def test_notebook01_prints_what_torch_printed(nb01) -> None:
    problems, checked = [], 0
    labels = sorted({l for _, l, *_ in NOTEBOOK_01} | set(UNCHECKED_LABELS))
    for tag, label, sec, expr, suffix in NOTEBOOK_01:
        got = labelled(stdout(tagged(nb01, tag)), labels).get(label)
        want = section(sec)[expr] + suffix
        checked += 1
        if got != want:
            problems.append(f"cell {tag}, `{label}` vs torch's `{expr}` ({sec}):\n{show_diff(want, got or '<missing>')}")
    for tag, sec, exprs in NOTEBOOK_01_WHOLE:
        want = "\n".join(section(sec)[e] for e in exprs)
        got = stdout(tagged(nb01, tag)).rstrip("\n")
        checked += 1
        if got != want:
            problems.append(f"cell {tag} vs torch's {exprs} ({sec}):\n{show_diff(want, got)}")
    for tag, sec, expr in NOTEBOOK_01_TREES:
        want = section(sec)[expr].splitlines()[1:]
        got = stdout(tagged(nb01, tag)).splitlines()[1 : 1 + len(want)]
        checked += 1
        if got != want:
            problems.append(f"cell {tag} tree vs torch's `{expr}`:\n{show_diff(chr(10).join(want), chr(10).join(got))}")
    print(f"notebook 01: {checked - len(problems)}/{checked} printed blocks equal PyTorch's")
    assert not problems, "\n\n".join(problems)


def test_example_4_prints_its_own_model(nb01) -> None:
    # The seed notebook printed Example 2's `net` here by mistake.
    out = stdout(tagged(nb01, "example-4"))
    assert "network structure : NeuralNetworkSequential(\n  (net): Sequential(" in out


# ---------------------------------------------------------------------------
# Notebook 02: the training losses against PyTorch's.

LOSS_LINE = re.compile(r"^(\d+) (tensor\(.*\))$")


def loss_lines(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in map(LOSS_LINE.match, text.splitlines()) if m}


@pytest.mark.parametrize(
    ("tag", "sec"),
    [
        ("train-sgd", "Regression y = x^2 + 0.2*rand: Linear(1,10) -> ReLU -> Linear(10,1), SGD"),
        ("train-adam", "Regression y = x^2 + 0.2*rand: Linear(1,10) -> ReLU -> Linear(10,1), Adam"),
    ],
)
def test_notebook02_losses_follow_torch(executed, tag: str, sec: str) -> None:
    if not OUTPUTS.exists():
        pytest.skip(f"{OUTPUTS} not found")
    nb = executed["02-training-a-network.ipynb"]
    got = loss_lines(stdout(tagged(nb, tag)))
    want = loss_lines("\n".join(section(sec).values()))
    assert sorted(got, key=int) == [str(t) for t in range(0, 200, 20)]
    assert got == want, show_diff("\n".join(f"{k} {v}" for k, v in want.items()), "\n".join(f"{k} {v}" for k, v in got.items()))


def test_notebook02_data_and_final_weights_follow_torch(executed) -> None:
    if not OUTPUTS.exists():
        pytest.skip(f"{OUTPUTS} not found")
    nb = executed["02-training-a-network.ipynb"]
    ref = section("Regression y = x^2 + 0.2*rand: Linear(1,10) -> ReLU -> Linear(10,1), SGD")
    data = stdout(tagged(nb, "data"))
    assert ref["y[:5]"] in data
    final = stdout(tagged(nb, "final-sgd"))
    assert final.startswith("final loss : tensor(0.0047)")
    params = stdout(tagged(nb, "final-params-sgd")).rstrip("\n")
    assert params == ref["net[2].weight (final)"] + "\n" + ref["net[2].bias (final)"], show_diff(
        ref["net[2].weight (final)"] + "\n" + ref["net[2].bias (final)"], params
    )


# ---------------------------------------------------------------------------
# Notebook 04 against its PyTorch twin (notebooks/pytorch/run_twin.py ran it).

TWIN_04 = ROOT / "notebooks" / "pytorch" / "04-classification.printed.json"
TWIN_05 = ROOT / "notebooks" / "pytorch" / "05-convolutional-networks.printed.json"


def check_twin(executed, name: str, printed: Path) -> None:
    """The tagged cells of notebook `name` print what the twin's cells of the
    same tags printed (`printed`, written by run_twin.py)."""
    import json

    twin = json.loads(printed.read_text())
    nb = executed[name]
    tags = {t for c in nb.cells if c.cell_type == "code" for t in c.metadata.get("tags", []) if t != "plot"}
    assert set(twin["printed"]) == tags, (
        f"the twin's tagged cells {sorted(twin['printed'])} are not {name}'s {sorted(tags)}: "
        "tag both alike (notebooks/pytorch/make_twins.py), then run notebooks/pytorch/run_twin.py"
    )
    problems = []
    for tag, want in twin["printed"].items():
        got = stdout(tagged(nb, tag))
        if got != want:
            problems.append(f"cell {tag} vs torch {twin['torch']}:\n{show_diff(want, got)}")
    print(f"{name}: {len(twin['printed']) - len(problems)}/{len(twin['printed'])} printed blocks equal PyTorch's")
    assert not problems, "\n\n".join(problems)


def test_notebook04_prints_what_its_pytorch_twin_printed(executed) -> None:
    check_twin(executed, "04-classification.ipynb", TWIN_04)


def test_notebook05_prints_what_its_pytorch_twin_printed(executed) -> None:
    check_twin(executed, "05-convolutional-networks.ipynb", TWIN_05)


def test_notebook04_draws_its_pictures(executed) -> None:
    nb = executed["04-classification.ipynb"]
    titles = [
        o["data"]["text/plain"]
        for c in nb.cells
        for o in c.get("outputs", [])
        if "image/svg+xml" in o.get("data", {})
    ]
    # The live boundary leaves one picture, the final one.
    for start in [
        "<Figure 640x400: Decision boundary (accuracy ",
        "<Figure 720x300: Loss | Accuracy>",
        "<Figure 640x506: Sequential: 64 → 32 → 10, 2410 parameters>",
        "<Figure 478x494: Confusion matrix (accuracy 96.1%)>",
    ]:
        assert any(t.startswith(start) for t in titles), f"no figure {start}…: {titles}"
    boundaries = [t for t in titles if "Decision boundary" in t]
    assert boundaries[-1] == "<Figure 640x400: Decision boundary (accuracy 99.0%)>", boundaries


# ---------------------------------------------------------------------------
# HTML export (the course pages).


@pytest.mark.parametrize("name", COURSE)
def test_html_export_embeds_plots_and_tensors(executed, tmp_path: Path, name: str) -> None:
    import nbformat

    path = tmp_path / name
    nbformat.write(executed[name], path)
    subprocess.run(["jupyter", "nbconvert", "--to", "html", str(path)], check=True, capture_output=True)
    page = path.with_suffix(".html").read_text()
    uris = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert uris, "no SVG data URI in the HTML"
    for uri in uris:
        ET.fromstring(base64.b64decode(uri))
    if name.startswith("01"):
        assert html.escape("tensor([[-0.0053,  0.3793],") in page
        assert html.escape("Linear(in_features=2, out_features=3, bias=True)") in page
    if name.startswith("04"):
        # The spirals' boundary, curves, digits, network, confusion matrix, mistakes.
        assert len(uris) >= 7, f"{len(uris)} pictures"
        assert html.escape("epoch 15  train loss 0.0506  test accuracy 96.1%") in page
    if name.startswith("05"):
        # The pictures of the lesson: filters and feature maps (blue-white-red
        # with a colour bar), digits, a confusion matrix, among the SVGs.
        svgs = [base64.b64decode(u).decode() for u in uris]
        assert any(">the 8 learned filters of the first layer</text>" in s and "#F7F7F7" in s for s in svgs), (
            "no filters picture"
        )
        assert any(">after conv1</text>" in s for s in svgs), "no feature maps picture"
        assert html.escape("Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))") in page

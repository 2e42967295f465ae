"""End-to-end tests of nn-core's rich display through the installed `rust-nn`
kernel: figures as `display_data` with SVG, the progress line updated in place
(`update_display_data` with one display id), tensors and models as HTML, and
figures embedded in `jupyter nbconvert --to html`.

Needs the kernel installed (`./install.sh`); skipped with a message otherwise.
Set NN_KERNEL_NAME to test another kernelspec name.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from harness import KERNEL_NAME, STARTUP_TIMEOUT, Kernel

SVG_NS = "{http://www.w3.org/2000/svg}"


def of_type(outputs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in outputs if m["msg_type"] == kind]


def parse_svg(svg: str | bytes) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg", root.tag
    return root


def svg_texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG_NS}text")]


def test_two_figures_in_one_cell_give_two_svg_displays(kernel: Kernel) -> None:
    outputs = kernel.run(
        "plot::activation(F::relu, -5.0..5.0).show();\n"
        "plot::activation(F::sigmoid, -6.0..6.0).show();"
    )
    displays = of_type(outputs, "display_data")
    assert len(displays) == 2, outputs
    titles = []
    for d in displays:
        data = d["content"]["data"]
        assert data["text/plain"].startswith("<Figure 640x400: ")
        root = parse_svg(data["image/svg+xml"])
        titles.append(svg_texts(root))
    assert "ReLU" in titles[0] and "ReLU′(x)  (autograd)" in titles[0]
    assert "Sigmoid" in titles[1]
    # Each is its own output, with its own display id.
    ids = {d["content"].get("transient", {}).get("display_id") for d in displays}
    assert len(ids) == 2


def test_figure_as_last_expression_is_an_svg_result(kernel: Kernel) -> None:
    outputs = kernel.run("let x = Tensor::linspace(0.0, 1.0, 11);\nplot::line(&x, &x.pow(2.0)).title(\"square\")")
    results = of_type(outputs, "execute_result")
    assert len(results) == 1, outputs
    data = results[0]["content"]["data"]
    assert data["text/plain"] == "<Figure 640x400: square>"
    assert "square" in svg_texts(parse_svg(data["image/svg+xml"]))


def test_progress_updates_one_display_in_place(kernel: Kernel) -> None:
    outputs = kernel.run(
        "let bar = ProgressBar::new();\n"
        "for i in bar.iter(0..30) {\n"
        "    bar.set_loss(1.0 / (i + 1) as f64);\n"
        "    std::thread::sleep(std::time::Duration::from_millis(20));\n"
        "}"
    )
    displays = of_type(outputs, "display_data")
    updates = of_type(outputs, "update_display_data")
    assert len(displays) == 1, outputs
    assert updates, "the progress line was never updated"
    display_id = displays[0]["content"]["transient"]["display_id"]
    assert {u["content"]["transient"]["display_id"] for u in updates} == {display_id}
    last = updates[-1]["content"]["data"]
    assert last["text/plain"].startswith("100%|██████████| 30/30 [")
    assert "loss=0.03333" in last["text/plain"]
    assert "text/html" in last
    # Throttled: far fewer messages than steps, none as plain stdout.
    assert len(updates) < 30
    assert not of_type(outputs, "stream")


def test_live_plot_redraws_in_place(kernel: Kernel) -> None:
    outputs = kernel.run(
        "let bar = ProgressBar::new().live_plot(10);\n"
        "for i in bar.iter(0..40) {\n"
        "    bar.set_loss(1.0 / (i + 1) as f64);\n"
        "    std::thread::sleep(std::time::Duration::from_millis(10));\n"
        "}"
    )
    displays = of_type(outputs, "display_data")
    svg_ids = {
        d["content"]["transient"]["display_id"]
        for d in displays
        if "image/svg+xml" in d["content"]["data"]
    }
    assert len(svg_ids) == 1, displays
    plot_updates = [
        u for u in of_type(outputs, "update_display_data")
        if u["content"]["transient"]["display_id"] in svg_ids
    ]
    assert plot_updates, "the loss plot was never redrawn"
    parse_svg(plot_updates[-1]["content"]["data"]["image/svg+xml"])


def test_tensor_and_module_results_are_html_with_torch_text(kernel: Kernel) -> None:
    outputs = kernel.run("tensor![[1.0, -1.0], [0.0, 1.0], [0.0, 0.0]]")
    data = of_type(outputs, "execute_result")[0]["content"]["data"]
    assert data["text/plain"] == "tensor([[ 1., -1.],\n        [ 0.,  1.],\n        [ 0.,  0.]])"
    table = ET.fromstring(f"<root>{data['text/html']}</root>")
    assert ["".join(td.itertext()) for td in table.iter("td")] == ["1.", "-1.", "0.", "1.", "0.", "0."]

    outputs = kernel.run("Linear::new(2, 3)")
    data = of_type(outputs, "execute_result")[0]["content"]["data"]
    assert data["text/plain"] == "Linear(in_features=2, out_features=3, bias=True)"
    html = ET.fromstring(f"<root>{data['text/html']}</root>")
    cells = ["".join(td.itertext()) for td in html.iter("td")]
    assert "Total params" in cells and "9" in cells

    outputs = kernel.run("MSELoss::new()")
    data = of_type(outputs, "execute_result")[0]["content"]["data"]
    assert data == {"text/plain": "MSELoss()"}


def test_model_summary_as_cell_result(kernel: Kernel) -> None:
    outputs = kernel.run("sequential![Linear::new(2, 3), ReLU::new()]")
    data = of_type(outputs, "execute_result")[0]["content"]["data"]
    assert data["text/plain"] == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)"
    )
    html = ET.fromstring(f"<root>{data['text/html']}</root>")
    cells = ["".join(td.itertext()) for td in html.iter("td")]
    assert "Total params" in cells and "9" in cells


def test_nbconvert_html_embeds_the_figures(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Rust (nn)", "language": "rust"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Activation functions"),
        nbformat.v4.new_code_cell("plot::activation(F::relu, -5.0..5.0)"),
        nbformat.v4.new_code_cell(
            "plot::activation(F::tanh, -4.0..4.0).show();\n"
            "plot::loss_curve(&[1.0, 0.5, 0.25, 0.2])"
        ),
    ]
    path = tmp_path / "plots.ipynb"
    path.write_text(json.dumps(nb))
    subprocess.run(
        [
            "jupyter", "nbconvert", "--to", "html", "--execute",
            f"--ExecutePreprocessor.kernel_name={KERNEL_NAME}",
            f"--ExecutePreprocessor.timeout={int(STARTUP_TIMEOUT)}",
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=STARTUP_TIMEOUT + 120,
    )
    html = (tmp_path / "plots.html").read_text()
    svgs: list[bytes] = [
        base64.b64decode(m) for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    ]
    # Or inline, with templates that do not encode SVG.
    svgs += [m.encode() for m in re.findall(r"<svg[\s\S]*?</svg>", html) if "viewBox=\"0 0 640 400\"" in m]
    titles = [t for svg in svgs for t in svg_texts(parse_svg(svg))]
    assert len(svgs) == 3, f"expected three figures in the HTML, found {len(svgs)}"
    for title in ["ReLU", "Tanh", "Training loss"]:
        assert title in titles

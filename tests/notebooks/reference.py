"""Reads `notebook-outputs.txt`: what PyTorch printed for the seed notebook's
programs under `manual_seed(0)`, as sections of `>>> expression` blocks."""

from __future__ import annotations

import re
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "pytorch-reference"
OUTPUTS = REFERENCE / "notebook-outputs.txt"

RULE = re.compile(r"^#{20,}$")


def sections(path: Path = OUTPUTS) -> dict[str, dict[str, str]]:
    """{section title: {expression: printed text}}.

    A section starts with `# Title   [torch.manual_seed(0)]` between two rules
    of `#`; each `>>> expr` line starts a block that runs to the next `>>>`,
    the next section or a blank line. Lines that are not in a block (the
    training loop's `0 tensor(…)` lines) are kept under the key `""`.
    """
    result: dict[str, dict[str, str]] = {}
    title = None
    blocks: dict[str, list[str]] = {}
    current = ""
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if RULE.match(line) and i + 2 < len(lines) and RULE.match(lines[i + 2]):
            if title is not None:
                result[title] = {k: "\n".join(v).rstrip("\n") for k, v in blocks.items()}
            title = re.sub(r"\s*\[torch\.manual_seed\(\d+\)\]\s*$", "", lines[i + 1].lstrip("# ").rstrip())
            blocks, current = {"": []}, ""
            i += 3
            continue
        if title is not None:
            if line.startswith(">>> "):
                current = line[4:]
                blocks[current] = []
            elif line.strip() == "":
                current = ""
            elif current:
                blocks[current].append(line)
            else:
                blocks[""].append(line)
        i += 1
    if title is not None:
        result[title] = {k: "\n".join(v).rstrip("\n") for k, v in blocks.items()}
    return result


def section(name_start: str) -> dict[str, str]:
    """The one section whose title starts with `name_start`."""
    found = [v for k, v in sections().items() if k.startswith(name_start)]
    assert len(found) == 1, f"expected one reference section starting with {name_start!r}, found {len(found)}"
    return found[0]

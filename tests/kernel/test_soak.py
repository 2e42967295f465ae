"""Soak and leak (issue 16): hundreds of cells in one session — tensors, a
training step, displayed tensors, plots, arithmetic, a printed model — each
output checked; the memory of the kernel's process tree and the session's
build folder do not grow with the number of cells (each cell's compiled
library is removed after it ran). Latency over 1,000 cells is measured by
`bench/soak.py` (speed is for benchmarks, not for test assertions).

NN_KERNEL_SOAK_CELLS sets the number of cells (200 by default).
"""

from __future__ import annotations

import os

from long_session import run_soak

CELLS = int(os.environ.get("NN_KERNEL_SOAK_CELLS", "200"))


def test_hundreds_of_cells_in_one_session() -> None:
    soak = run_soak(CELLS)
    assert not soak.wrong, "\n".join(soak.wrong[:10])
    assert len(soak.seconds) == CELLS
    # The variables are the same few tensors and a model throughout (the
    # losses vector grows by a few hundred numbers): the process tree may
    # not grow by more than allocator noise.
    growth = soak.memory_end_mb - soak.memory_start_mb
    assert growth < 60, (
        f"the kernel's process tree grew by {growth:.0f} MB over {CELLS} cells "
        f"({soak.memory_start_mb:.0f} → {soak.memory_end_mb:.0f} MB)"
    )
    # Old cells' artifacts are removed: the build folder stays the size it
    # had after the first cells (incremental-compilation caches churn a little).
    assert soak.folder_start_mb > 0, "the session's build folder was not found"
    assert soak.folder_end_mb < soak.folder_start_mb + 50, (
        f"the build folder grew from {soak.folder_start_mb:.0f} MB to "
        f"{soak.folder_end_mb:.0f} MB over {CELLS} cells"
    )

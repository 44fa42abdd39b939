"""Refresh the outputs that nbval checks, and strip every other output from the notebooks.

    python scripts/refresh_notebook_outputs.py

Runs each chapter on its default parameters (the demo data) with papermill, then writes back only
the outputs of cells tagged `nbval-check-output` (stable text summaries). Every other output is
removed, so no row-level data is ever committed in a notebook.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nbformat  # noqa: E402
import papermill  # noqa: E402

from pipeline.paths import NOTEBOOKS_DIR, PROJECT_ROOT  # noqa: E402
from pipeline.chapters.registry import CHAPTERS  # noqa: E402
from pipeline.execution import KERNEL_NAME, ensure_kernel, ipc_kernel_config  # noqa: E402

CHECKED = "nbval-check-output"


def strip(notebook: nbformat.NotebookNode, executed: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
    outputs = {cell.id: cell.get("outputs", []) for cell in executed.cells} if executed else {}
    counts = {cell.id: cell.get("execution_count") for cell in executed.cells} if executed else {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        keep = CHECKED in cell.metadata.get("tags", []) and cell.id in outputs
        cell.outputs = outputs[cell.id] if keep else []
        # nbval treats a cell with outputs but no execution count as an error, so kept cells keep theirs.
        cell.execution_count = counts.get(cell.id) if keep else None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    notebook.metadata.pop("papermill", None)
    return notebook


def main() -> None:
    ensure_kernel()
    with tempfile.TemporaryDirectory() as scratch:
        for chapter in CHAPTERS:
            name = chapter.notebook
            source = NOTEBOOKS_DIR / name
            executed = papermill.execute_notebook(str(source), str(Path(scratch) / name), kernel_name=KERNEL_NAME,
                                                  progress_bar=False, cwd=str(PROJECT_ROOT),
                                                  config=ipc_kernel_config(Path(scratch)))
            notebook = strip(nbformat.read(source, as_version=4), executed)
            nbformat.write(notebook, source)
            print(f"refreshed {source.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()

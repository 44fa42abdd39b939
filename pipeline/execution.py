"""Executing chapter notebooks with papermill, in a named kernel on IPC sockets, and naming the failing
cell when one fails; the facts a manifest records about the run (git commit, package versions).

papermill is driven through its Python API from this one process: importing it once costs seconds, a
kernel start about half a second.
"""
from __future__ import annotations

import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipeline.chapters.registry import Chapter
from pipeline.paths import NOTEBOOKS_DIR, PROJECT_ROOT

KERNEL_NAME = "csp-assessment"
KERNEL_DISPLAY_NAME = "Python (CSP assessment)"
PACKAGES = ["pandas", "numpy", "scipy", "statsmodels", "pyarrow", "pydantic", "matplotlib", "seaborn", "papermill",
            "nbconvert", "nbformat", "nbclient", "ipykernel", "PyYAML", "openpyxl"]


def ensure_kernel() -> None:
    """Register the named kernel for this Python unless Jupyter already has one that runs this interpreter."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if Path(spec.argv[0]).resolve() == Path(sys.executable).resolve() or spec.argv[0] == "python":
            return
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME, prefix=sys.prefix)


@dataclass
class ChapterFailure(Exception):
    chapter: str
    notebook: Path
    cell: str
    error: str

    def __str__(self) -> str:
        return (f"Chapter '{self.chapter}' failed in {self.cell}: {self.error}\n"
                f"The failed notebook is kept at {self.notebook}")


def describe_failure(notebook: Path, error: Exception) -> tuple[str, str]:
    """The failing cell (its number among the chapter's code cells and first source line) and the error.

    papermill saves the failed notebook with a banner cell inserted at the top, so the cell is found by
    its error output rather than by papermill's index.
    """
    import nbformat

    cell = "an unknown cell"
    if notebook.exists():
        code_cells = [c for c in nbformat.read(notebook, as_version=4).cells
                      if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]
        for number, candidate in enumerate(code_cells, start=1):
            if any(output.get("output_type") == "error" for output in candidate.get("outputs", [])):
                first_line = (candidate.source.strip().splitlines() or [""])[0]
                cell = f"code cell {number} ('{first_line[:70]}')"
                break
    ename, evalue = getattr(error, "ename", type(error).__name__), getattr(error, "evalue", str(error))
    return cell, f"{ename}: {evalue}"


def ipc_kernel_config(socket_dir: Path):
    """Kernel on IPC sockets in a private folder: partner data never crosses a TCP port."""
    from traitlets.config import Config

    return Config({"KernelManager": {"transport": "ipc", "ip": str(socket_dir / "kernel")}})


def run_chapter(chapter: Chapter, out_dir: Path, parameters: dict, notebooks_dir: Path | None = None) -> float:
    """Execute one chapter's notebook into `out_dir`; its published tables go to out_dir/tables/<chapter>."""
    import papermill

    source, target = (notebooks_dir or NOTEBOOKS_DIR) / chapter.notebook, out_dir / chapter.notebook
    parameters = parameters | {"tables_dir": str(out_dir / "tables" / chapter.name)}
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="csp-kernel-") as sockets:
            papermill.execute_notebook(str(source), str(target), parameters=parameters, kernel_name=KERNEL_NAME,
                                       progress_bar=False, cwd=str(PROJECT_ROOT), log_output=False,
                                       config=ipc_kernel_config(Path(sockets)))
    except Exception as error:  # papermill's execution error, or a kernel that died
        cell, message = describe_failure(target, error)
        raise ChapterFailure(chapter.name, target, cell, message) from None
    return time.perf_counter() - started


def git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True).stdout.strip()
        return commit + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions

"""Executing chapter notebooks with papermill, in a named kernel on IPC sockets, and naming the failing
cell when one fails; the facts a manifest records about the run (git commit, package versions).

papermill is driven through its Python API from this one process: importing it once costs seconds, a
kernel start about half a second, and the project's imports (pandas, scipy, matplotlib, seaborn) more than
a second more in every fresh kernel. A `WarmKernel` pays both once: started with the
imports every chapter notebook makes, it executes chapters one after another, each in a fresh namespace
(IPython's reset), which is what papermill allows by handing nbclient a running kernel manager.
"""
from __future__ import annotations

import ast
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
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


@cache
def module_path(module: str, root: Path = PROJECT_ROOT) -> Path | None:
    """The source file of a project module ('pipeline.methods.knox'), or None when it is not one (found on disk,
    without importing anything; remembered for the process, as every chapter's key asks about the same names)."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _import_statements(statements: list[ast.stmt]):
    """The import statements among these and in every block nested in them (functions, classes, if, try,
    with, loops, match). Imports are statements, so expressions need not be visited: a tenth of ast.walk's work."""
    for node in statements:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            nested = getattr(node, block, None)
            if isinstance(nested, list):
                yield from _import_statements(nested)


def imported_modules(source: str, package: str = "") -> set[str]:
    """The project names a piece of code imports: each module, and each name imported from it as a candidate
    module ('from pipeline.x import y' gives pipeline.x and pipeline.x.y; module_path tells which are modules).
    `package` resolves relative imports."""
    found: set[str] = set()
    for node in _import_statements(ast.parse(source).body):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            if base.startswith("pipeline"):
                found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("pipeline")}
    return found


def notebook_imports(notebooks: list[Path]) -> list[str]:
    """The project modules the notebooks import (what a warm kernel imports before the first chapter). The
    notebooks are read as plain JSON: nbformat's validation is not needed to find imports."""
    names: set[str] = set()
    for path in notebooks:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                try:
                    names |= imported_modules(source)
                except SyntaxError:
                    continue
    return sorted(name for name in names if module_path(name) is not None)


FRESH_NAMESPACE = "get_ipython().reset(new_session=True)\nimport matplotlib.pyplot\nmatplotlib.pyplot.close('all')"


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def kernel_environment(concurrent_kernels: int) -> dict[str, str]:
    """The environment for one of `concurrent_kernels` kernels running at once on this machine: its linear
    algebra library gets an equal share of the cores, unless the user set the thread count. Left at one thread
    per core each, two kernels' OpenBLAS threads spin against each other: the acquisitive chapter's statistics
    took 4.8 s beside a busy core against 2.6 s with one thread (2 cores)."""
    environment = dict(os.environ)
    threads = str(max(1, (os.cpu_count() or 1) // max(1, concurrent_kernels)))
    for variable in BLAS_THREADS:
        environment.setdefault(variable, threads)
    return environment


READY_TIMEOUT = 120.0  # seconds a kernel has to answer kernel_info once started (a busy machine is slow, not stuck)


class KernelStartError(RuntimeError):
    """A kernel that did not start (or did not answer) after the retry: the reason from each attempt."""


class WarmKernel:
    """One kernel (IPC sockets, the project root as its folder) started once with the notebooks' imports, for
    executing chapters one after another. Used from the thread that made it (its sockets belong to that thread's
    event loop). Chapters share only imported modules: the project keeps no state in them (random generators are
    seeded where they are used), and each chapter starts in a fresh namespace with no figure open."""

    def __init__(self, imports: list[str], environment: dict[str, str] | None = None):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self._run_sync = run_sync
        self._sockets = tempfile.TemporaryDirectory(prefix="csp-kernel-")
        self.manager = AsyncKernelManager(kernel_name=KERNEL_NAME, config=ipc_kernel_config(Path(self._sockets.name)),
                                          client_class="pipeline.kernel_client.PromptKernelClient")
        run_sync(self.manager.start_kernel)(cwd=str(PROJECT_ROOT), env=environment or dict(os.environ))
        # gc.freeze: the imported modules' million objects move to a generation the cyclic collector never
        # scans again. Otherwise every full collection walks them: IPython's reset collects once per chapter
        # (0.13 s each) and matplotlib's many small objects trigger more; the chapters' CPU fell by a tenth.
        self.execute("\n".join(f"import {module}" for module in imports) + "\nimport gc\ngc.freeze()")

    def execute(self, code: str) -> None:
        client = self.manager.client()
        client.start_channels()
        try:
            self._run_sync(client.wait_for_ready)(timeout=READY_TIMEOUT)
            reply = self._run_sync(client.execute_interactive)(code, timeout=300, store_history=False,
                                                               output_hook=lambda message: None)
        finally:
            client.stop_channels()
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(f"the warm kernel could not run {code.splitlines()[0]!r}: "
                               f"{content.get('ename')}: {content.get('evalue')}")

    def alive(self) -> bool:
        return bool(self._run_sync(self.manager.is_alive)())

    def shutdown(self) -> None:
        try:
            self._run_sync(self.manager.shutdown_kernel)(now=True)
        finally:
            self._sockets.cleanup()


def start_warm_kernel(imports: list[str], environment: dict[str, str] | None = None, attempts: int = 2) -> WarmKernel:
    """A WarmKernel, started again once if the first did not start or answer: a kernel that loses a race with a
    busy machine usually starts the second time. Raises KernelStartError with each attempt's reason."""
    reasons = []
    for attempt in range(1, attempts + 1):
        try:
            return WarmKernel(imports, environment)
        except Exception as error:  # noqa: BLE001 - any failure to start is retried once, then named
            reasons.append(f"attempt {attempt}: {type(error).__name__}: {error}")
    raise KernelStartError("; ".join(reasons))


def kernel_start_failure(chapter: Chapter, out_dir: Path, error: Exception,
                         notebooks_dir: Path | None = None) -> ChapterFailure:
    """A chapter that could not run because no kernel started, as a ChapterFailure naming the chapter (with its
    notebook copied, unexecuted, into the run's folder so the .failed folder holds what was to be run)."""
    source = notebooks_dir / chapter.notebook if notebooks_dir else notebook_source(chapter)
    target = out_dir / chapter.notebook
    if not target.exists() and source.exists():
        shutil.copyfile(source, target)
    return ChapterFailure(chapter.name, target, "no cell (the kernel did not start)",
                          f"the Jupyter kernel '{KERNEL_NAME}' did not start, twice: {error}. If the machine is "
                          "busy, run again when it is quieter; 'jupyter kernelspec list' shows the kernel used")


def notebook_source(chapter: Chapter) -> Path:
    """The notebook a chapter executes from (looked up when called, so a test can point NOTEBOOKS_DIR elsewhere)."""
    return NOTEBOOKS_DIR / chapter.notebook


def run_chapter(chapter: Chapter, out_dir: Path, parameters: dict, notebooks_dir: Path | None = None,
                kernel: WarmKernel | None = None) -> float:
    """Execute one chapter's notebook into `out_dir`; its published tables go to out_dir/tables/<chapter>.
    In a fresh kernel of its own, or in `kernel` (a warm one) after clearing its namespace."""
    import papermill

    source = notebooks_dir / chapter.notebook if notebooks_dir else notebook_source(chapter)
    target = out_dir / chapter.notebook
    parameters = parameters | {"tables_dir": str(out_dir / "tables" / chapter.name)}
    started = time.perf_counter()
    # papermill writes the whole notebook before and after every cell unless told not to: 80 writes of a 1 MB
    # notebook for the violence chapter, a second of this process's time across the demo. It still writes the
    # notebook at the end, and a failed one with the failing cell marked.
    options = dict(parameters=parameters, kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                   request_save_on_cell_execute=False)
    try:
        if kernel is not None:
            kernel.execute(FRESH_NAMESPACE)
            papermill.execute_notebook(str(source), str(target), km=kernel.manager, **options)
        else:
            with tempfile.TemporaryDirectory(prefix="csp-kernel-") as sockets:
                papermill.execute_notebook(str(source), str(target), cwd=str(PROJECT_ROOT),
                                           config=ipc_kernel_config(Path(sockets)), **options)
    except Exception as error:  # papermill's execution error, or a kernel that died
        if not target.exists():  # a kernel that died leaves no notebook: keep the one that was run, for a rerun
            shutil.copyfile(source, target)
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

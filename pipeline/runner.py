"""Run the assessment: execute the chapter notebooks in order with papermill, publish the report,
and write manifest.json (input hashes, parameters, package versions, git commit, timings).

papermill and nbconvert are driven through their Python APIs from this one process: importing
them once costs seconds, a kernel start about one second.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from pipeline.inputs.config import load_config
from pipeline.fileio import LockedError, exclusive_lock, remove_stale, replace_dir, staging_dir, write_text
from pipeline.stages.ingest import latest_month
from pipeline.paths import DEFAULT_CONFIG, NOTEBOOKS_DIR, OUTPUTS_DIR, PROCESSED_DIR, PROJECT_ROOT, RAW_DIR, resolve
from pipeline.inputs.pseudonymise import MissingKeyError
from pipeline.errors import InputDataError
from pipeline.inputs.sources import sha256_of

KERNEL_NAME = "csp-assessment"
KERNEL_DISPLAY_NAME = "Python (CSP assessment)"
CHAPTERS = {"data_quality": "01_data_quality.ipynb", "crime_overview": "02_crime_overview.ipynb",
            "strategic_priority": "03_strategic_priority.ipynb"}
PACKAGES = ["pandas", "numpy", "scipy", "statsmodels", "pyarrow", "matplotlib", "seaborn", "papermill", "nbconvert",
            "nbformat", "nbclient", "ipykernel", "PyYAML", "openpyxl"]


def ensure_kernel() -> None:
    """Register the named kernel for this Python if Jupyter does not know it yet."""
    from jupyter_client.kernelspec import KernelSpecManager

    if KERNEL_NAME in KernelSpecManager().find_kernel_specs():
        return
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


def _describe_failure(notebook: Path, error: Exception) -> tuple[str, str]:
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


TABLES_VARIABLE = "CSP_TABLES_DIR"  # where display.show_table saves each published table as CSV


def run_chapter(name: str, out_dir: Path, parameters: dict) -> float:
    import os
    import tempfile

    import papermill

    source, target = NOTEBOOKS_DIR / CHAPTERS[name], out_dir / CHAPTERS[name]
    os.environ[TABLES_VARIABLE] = str(out_dir / "tables" / name)  # the kernel inherits this process's environment
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="csp-kernel-") as sockets:
            papermill.execute_notebook(str(source), str(target), parameters=parameters, kernel_name=KERNEL_NAME,
                                       progress_bar=False, cwd=str(PROJECT_ROOT), log_output=False,
                                       config=ipc_kernel_config(Path(sockets)))
    except Exception as error:  # papermill's execution error, or a kernel that died
        cell, message = _describe_failure(target, error)
        raise ChapterFailure(name, target, cell, message) from None
    return time.perf_counter() - started


def input_hashes(config, raw_dir: Path) -> dict[str, str]:
    folders = [config.police_uk_dir, config.reference_dir, config.fingertips_dir] + ([config.partner_dir] if config.partner_dir else [])
    hashes = {}
    for folder in folders:
        root = config.raw_path(folder, raw_dir)
        for path in sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []:
            hashes[str(path.relative_to(raw_dir)) if path.is_relative_to(raw_dir) else str(path)] = sha256_of(path)
    hashes[f"config:{Path(config.path).name}"] = sha256_of(Path(config.path))
    return hashes


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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="run_assessment.py",
        description="Run the Community Safety Partnership strategic assessment: ingest and analyse the raw data "
                    "with the chapter notebooks, then publish one HTML report.")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG.relative_to(PROJECT_ROOT)),
                        help="assessment configuration YAML (default: %(default)s, the synthetic demo)")
    parser.add_argument("--period-end", default="", metavar="YYYY-MM",
                        help="last month of the assessment year (default: the latest month in the police.uk files)")
    parser.add_argument("--raw-dir", default="", help="folder of raw files (default: data/raw)")
    parser.add_argument("--out-dir", default="", help="folder for executed notebooks and the report (default: outputs)")
    parser.add_argument("--processed-dir", default="", help="folder for processed tables (default: data/processed)")
    parser.add_argument("--only", choices=sorted(CHAPTERS), action="append",
                        help="run only this chapter (repeatable); the report then holds only these chapters")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = load_config(args.config)
        raw_dir = resolve(args.raw_dir) if args.raw_dir else RAW_DIR
        period_end = pd.Period(args.period_end, freq="M") if args.period_end else latest_month(config, raw_dir)
    except (InputDataError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out_root = resolve(args.out_dir) if args.out_dir else OUTPUTS_DIR
    final_dir = out_root / f"{period_end}-{config.name}"
    processed_root = resolve(args.processed_dir) if args.processed_dir else PROCESSED_DIR
    chapters = [name for name in CHAPTERS if not args.only or name in args.only]
    parameters = {"config_path": str(Path(config.path)), "period_end": str(period_end), "raw_dir": str(raw_dir),
                  "processed_root": str(processed_root)}
    try:
        refuse_without_key(config, raw_dir)
        with exclusive_lock(final_dir, f"run of {config.name} for {period_end} started {time.strftime('%Y-%m-%d %H:%M:%S')}"):
            return _run(config, period_end, raw_dir, final_dir, chapters, parameters)
    except (LockedError, MissingKeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 3


def refuse_without_key(config, raw_dir: Path) -> None:
    """A real assessment with partner extracts does not start without a pseudonymisation key."""
    from pipeline.inputs.partner_extracts import CONTRACTS, find_extract
    from pipeline.inputs.pseudonymise import load_key

    partner_dir = config.raw_path(config.partner_dir, raw_dir) if config.partner_dir else None
    if any(find_extract(partner_dir, contract) for contract in CONTRACTS.values()):
        load_key(config.synthetic)


def _run(config, period_end, raw_dir: Path, final_dir: Path, chapters: list[str], parameters: dict) -> int:
    """Build the run in a staging folder and swap it in only when every chapter, the report and the manifest
    are written; a failed run is kept as <folder>.failed with the failing notebook."""
    remove_stale(final_dir.parent, final_dir.name)
    out_dir = staging_dir(final_dir)
    ensure_kernel()
    print(f"Assessment '{config.name}', year ending {period_end}: {len(chapters)} chapter(s) -> {final_dir}")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for number, name in enumerate(chapters, start=1):
        print(f"  [{number}/{len(chapters)}] {name} ...", end="", flush=True)
        try:
            timings[name] = round(run_chapter(name, out_dir, parameters), 2)
        except ChapterFailure as failure:
            failed = final_dir.parent / f"{final_dir.name}.failed"
            replace_dir(out_dir, failed)
            failure.notebook = failed / failure.notebook.name
            print(" FAILED")
            print(f"error: {failure}", file=sys.stderr)
            return 1
        print(f" done in {timings[name]:.1f} s")
    from pipeline.report.assemble import build_report

    report_started = time.perf_counter()
    build_report([out_dir / CHAPTERS[name] for name in chapters], out_dir / "report.html", config.title,
                 f"Assessment year ending {period_end.strftime('%B %Y')}. Partnership area: {config.area_name}.",
                 config.synthetic)
    timings["report"] = round(time.perf_counter() - report_started, 2)
    timings["total"] = round(time.perf_counter() - started, 2)
    manifest = {"assessment": config.name, "config": str(config.path), "parameters": parameters,
                "chapters": chapters, "report": str(final_dir / "report.html"), "git_commit": git_commit(),
                "packages": package_versions(), "timings_seconds": timings, "inputs_sha256": input_hashes(config, raw_dir)}
    write_text(json.dumps(manifest, indent=2) + "\n", out_dir / "manifest.json")
    replace_dir(out_dir, final_dir)
    print(f"Report: {final_dir / 'report.html'}")
    return 0

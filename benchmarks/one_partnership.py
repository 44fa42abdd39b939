"""One partnership end to end, and reruns: the demo run against its floor, and a rerun with nothing changed against
a cold run. Every measurement is its own process, the kinds interleaved, medians compared.

    python benchmarks/one_partnership.py [--repeat 3]

- floor: papermill executing as many empty notebooks as there are chapters (one kernel each, as papermill does by
  default) plus one nbconvert HTML export: what any papermill report of this shape costs, as the issue measured it.
- floor, like for like: the same with jsonschema's rfc3987_syntax import skipped, as run_assessment.py does (a
  second of grammar compiling that any papermill process can skip the same way).
- chapters: the demo run with its ingest already done (a fresh output folder, so no chapter is cached).
- cold: the demo run from nothing (fresh processed and output folders).
- rerun: the demo run again into the folder of the run before it, nothing changed (every chapter reused).
Prints the machine's cores, the medians and the ratios the issue bounds: chapters / floor (1.5), the demo under
30 s, rerun / cold (0.25).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLOOR = """
import sys, tempfile
if sys.argv[3] == "skip":
    sys.modules["rfc3987_syntax"] = None
from pathlib import Path
import nbformat, papermill
from nbconvert import HTMLExporter
count, kernel = int(sys.argv[1]), sys.argv[2]
with tempfile.TemporaryDirectory() as folder:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    nbformat.write(notebook, Path(folder) / "empty.ipynb")
    for n in range(count):
        papermill.execute_notebook(str(Path(folder) / "empty.ipynb"), str(Path(folder) / f"out{n}.ipynb"),
                                   kernel_name=kernel, progress_bar=False)
    HTMLExporter().from_filename(str(Path(folder) / "out0.ipynb"))
"""


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    from pipeline.chapters.registry import CHAPTERS
    from pipeline.execution import KERNEL_NAME, ensure_kernel

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ensure_kernel()
    run = [sys.executable, "run_assessment.py"]
    measured: dict[str, list[float]] = {"floor": [], "floor_like": [], "chapters": [], "cold": [], "rerun": []}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        shared_processed = scratch / "processed"
        subprocess.run([*run, "--processed-dir", str(shared_processed), "--out-dir", str(scratch / "warmup")],
                       cwd=ROOT, check=True, capture_output=True)
        for repeat in range(args.repeat):
            measured["floor"].append(seconds([sys.executable, "-c", FLOOR, str(len(CHAPTERS)), KERNEL_NAME, "as is"]))
            measured["floor_like"].append(seconds([sys.executable, "-c", FLOOR, str(len(CHAPTERS)), KERNEL_NAME, "skip"]))
            measured["chapters"].append(seconds([*run, "--processed-dir", str(shared_processed),
                                                 "--out-dir", str(scratch / f"chapters{repeat}")]))
            cold = [*run, "--processed-dir", str(scratch / f"cold_processed{repeat}"), "--out-dir", str(scratch / f"cold{repeat}")]
            measured["cold"].append(seconds(cold))
            measured["rerun"].append(seconds(cold))
    median = {name: statistics.median(values) for name, values in measured.items()}
    print(f"machine: {os.cpu_count()} cores; {len(CHAPTERS)} chapters; medians of {args.repeat} interleaved runs")
    for name, value in median.items():
        print(f"  {name:10s} {value:6.1f} s   (runs: {', '.join(f'{v:.1f}' for v in measured[name])})")
    print(f"ratio demo run (ingest done) / floor: {median['chapters'] / median['floor']:.2f} (bound 1.5)")
    print(f"ratio demo run (ingest done) / floor like for like: {median['chapters'] / median['floor_like']:.2f}")
    print(f"demo run (ingest done): {median['chapters']:.1f} s (bound 30 s)")
    print(f"ratio rerun / cold run: {median['rerun'] / median['cold']:.2f} (bound 0.25)")


if __name__ == "__main__":
    main()

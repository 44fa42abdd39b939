"""What the weekly bulletin costs when the ingest is current, against the same run's chapters.

    python benchmarks/bulletin.py [--config config/demo.yaml] [--repeat 3]

Both are the whole command a user types, as a new process, on a processed folder that is already
current: `run_assessment.py --bulletin` into a new bulletin folder, and `run_assessment.py` into a new
report folder (every chapter executed, none copied from a cache). Prints the ratio, and the bulletin's
own wall time against the five seconds the weekly use needs; run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BULLETIN_BUDGET_SECONDS = 5.0


def wall_time(arguments: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "run_assessment.py", *arguments], cwd=PROJECT_ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def best_of(repeat: int, scratch: Path, label: str, arguments: list[str]) -> float:
    return min(wall_time([*arguments, "--out-dir", str(scratch / f"{label}-{i}")]) for i in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="config/demo.yaml")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        common = ["--config", args.config, "--processed-dir", str(scratch / "processed")]
        wall_time([*common, "--out-dir", str(scratch / "first-run")])  # makes the ingest current
        chapters = best_of(max(1, args.repeat - 1), scratch, "report", common)
        bulletin = best_of(args.repeat, scratch, "bulletin", [*common, "--bulletin"])
    verdict = "within" if bulletin < BULLETIN_BUDGET_SECONDS else "OVER"
    print(f"{args.config}: bulletin / ingest-current report run = {bulletin / chapters:.3f} "
          f"({bulletin:.1f} s against {chapters:.1f} s, best of {args.repeat}); "
          f"{verdict} the {BULLETIN_BUDGET_SECONDS:.0f} s budget")


if __name__ == "__main__":
    main()

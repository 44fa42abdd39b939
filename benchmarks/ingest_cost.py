"""How much the checks and enrichment cost on top of simply reading the files.

    python benchmarks/ingest_cost.py [--repeat 3]

Prints ratios, not seconds, so that results compare across machines: the whole ingest of each
shipped assessment against a bare read of its police.uk street files (the floor any ingest pays).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.inputs import police_uk
from pipeline.inputs.config import load_config  # noqa: E402
from pipeline.stages.ingest import run_ingest  # noqa: E402
from pipeline.paths import RAW_DIR  # noqa: E402


def best_of(repeat: int, work) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for name in ("demo", "real_2024"):
        config = load_config(f"config/{name}.yaml")
        files = police_uk.discover(config.raw_path(config.police_uk_dir, RAW_DIR))["street"]
        read = best_of(args.repeat, lambda: police_uk.read_monthly(files, police_uk.STREET_COLUMNS))
        with tempfile.TemporaryDirectory() as scratch:
            full = best_of(args.repeat, lambda: run_ingest(config, None, RAW_DIR, Path(scratch)))
        print(f"{name}: full ingest / bare read of street files = {full / read:.1f}x "
              f"(best of {args.repeat})")


if __name__ == "__main__":
    main()

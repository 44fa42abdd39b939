"""Many partnerships: the marginal cost of one more partnership's report, and the projected time for every CSP of
England and Wales (a calculation from the measured figures, stated as such).

    python benchmarks/partnerships.py [--repeat 2]

Runs the real 2024 Cambridgeshire files (config/real_2024.yaml) for one partnership and for all six of the force
area, each from nothing (fresh processed and output folders), interleaved; the marginal cost is
(six - one) / 5. The projection multiplies it by the 314 CSPs of the ONS lookup on this machine, and by the
per-core cost over 32 workers for a cluster; the national ingest comes from benchmarks/national_ingest.py.
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
CSPS = 314  # rows of reference/LAD23_CSP23_PFA23_lookup_December_2023.csv grouped by CSP23CD


def seconds(partnerships: str, scratch: Path, tag: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "run_assessment.py", "--config", "config/real_2024.yaml", "--partnerships",
                    partnerships, "--out-dir", str(scratch / f"out-{tag}"), "--processed-dir", str(scratch / f"p-{tag}")],
                   cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workers", type=int, default=32, help="cluster size for the projection")
    args = parser.parse_args()
    one, six = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for repeat in range(args.repeat):
            one.append(seconds("Cambridge", Path(scratch), f"one{repeat}"))
            six.append(seconds("all", Path(scratch), f"six{repeat}"))
    t_one, t_six = statistics.median(one), statistics.median(six)
    marginal = (t_six - t_one) / 5
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores; real 2024 Cambridgeshire files; medians of {args.repeat} interleaved runs")
    print(f"  one partnership:  {t_one:.1f} s (runs {', '.join(f'{v:.1f}' for v in one)})")
    print(f"  six partnerships: {t_six:.1f} s (runs {', '.join(f'{v:.1f}' for v in six)})")
    print(f"marginal cost of one more partnership: {marginal:.1f} s (bound 5 s)")
    print(f"projection (a calculation, not a measurement): {CSPS} CSPs x {marginal:.1f} s = {CSPS * marginal / 60:.0f} min "
          f"on this machine, plus the national ingest (benchmarks/national_ingest.py); on {args.workers} workers of one "
          f"core each, {CSPS} x {marginal * cores:.1f} core-s / {args.workers} = {CSPS * marginal * cores / args.workers / 60:.1f} min")


if __name__ == "__main__":
    main()

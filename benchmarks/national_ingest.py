"""Ingest at national scale: the project's ingest of a national police.uk year for one partnership, against the
floor of a plain polars scan-and-group-by of the same files. Each measurement runs in its own process (so its peak
memory is its own), the two interleaved, and the medians are compared.

    python benchmarks/national_data.py            # once: about 6 million rows under benchmarks/data/national
    python benchmarks/national_ingest.py [--repeat 3] [--data benchmarks/data/national]

Prints the machine's cores, each median time and peak memory, and the ratios the issue bounds (ingest / floor
time at most 3, peak memory at most 1.5 GB).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "benchmarks" / "data" / "national"

FLOOR = """
import json, resource, sys, time
import polars as pl
started = time.perf_counter()
files = sorted(__import__("glob").glob(sys.argv[1] + "/*/*-street.csv"))
counts = (pl.scan_csv(files, infer_schema=False).group_by("LSOA code", "Crime type").len().collect())
print(json.dumps({"seconds": time.perf_counter() - started, "rows": int(counts["len"].sum()),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

INGEST = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from pipeline.inputs.config import load_config
from pipeline.stages.ingest import run_ingest
import polars, pyarrow.parquet, pipeline.inputs.boundaries  # noqa: F401,E401 - the libraries ingest uses load
# before the clock, as polars does for the floor: the ratio compares reading work, not imports
started = time.perf_counter()
result = run_ingest(load_config(sys.argv[2]), "2024-12", Path(sys.argv[1]), Path(sys.argv[4]))
street = result.quality.set_index("source").loc["police.uk street"]
print(json.dumps({"seconds": time.perf_counter() - started, "rows": int(street["rows_in"]),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def raw_folder(data: Path, scratch: Path) -> tuple[Path, Path]:
    """A raw folder whose police.uk files are the national ones (reference data linked), and a config for
    Cambridge reading it."""
    raw = scratch / "raw"
    raw.mkdir()
    for name in ("reference", "fingertips", "home_office", "boundaries"):
        (raw / name).symlink_to(ROOT / "data" / "raw" / name)
    (raw / "police.uk").symlink_to(data.resolve())
    config = scratch / "national.yaml"
    config.write_text((ROOT / "config" / "real_2024.yaml").read_text()
                      .replace("name: real_2024", "name: national").replace("police_uk: real/police.uk", "police_uk: police.uk"))
    return raw, config


def measure(script: str, *arguments: str) -> dict:
    done = subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not any(args.data.glob("*/*-street.csv")):
        sys.exit(f"no police.uk files under {args.data}: run python benchmarks/national_data.py first")
    floors, ingests = [], []
    with tempfile.TemporaryDirectory() as scratch:
        raw, config = raw_folder(args.data, Path(scratch))
        for repeat in range(args.repeat):
            floors.append(measure(FLOOR, str(args.data)))
            ingests.append(measure(INGEST, str(raw), str(config), str(ROOT), str(Path(scratch) / f"processed{repeat}")))
    floor_s = statistics.median(m["seconds"] for m in floors)
    ingest_s = statistics.median(m["seconds"] for m in ingests)
    floor_mem = statistics.median(m["peak_mib"] for m in floors)
    ingest_mem = statistics.median(m["peak_mib"] for m in ingests)
    print(f"machine: {os.cpu_count()} cores; {floors[0]['rows']:,} street rows; medians of {args.repeat} interleaved runs")
    print(f"floor (polars scan and group-by): {floor_s:.1f} s, peak {floor_mem:,.0f} MiB")
    print(f"ingest for one partnership:       {ingest_s:.1f} s, peak {ingest_mem:,.0f} MiB (rows read {ingests[0]['rows']:,})")
    print(f"ratio ingest / floor time: {ingest_s / floor_s:.2f} (bound 3); ingest peak memory {ingest_mem / 1024:.2f} GiB "
          "(bound 1.5 GB)")


if __name__ == "__main__":
    main()

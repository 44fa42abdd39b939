"""What a new month costs: an incremental ingest against a full ingest of the same files.

    python benchmarks/incremental_ingest.py [--repeat 3]

A copy of the demo raw folder holds its police.uk months up to February 2025 (one zip); after an ingest of it,
March is added as a folder, as a monthly download lands. Timed: the ingest that follows (incremental: reads March
alone) against a full ingest of the same folder (--force), each with the same fingerprinting of the inputs.
Prints the ratio; the weekly and monthly use needs at most a fifth. Run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from pipeline.inputs.config import load_config  # noqa: E402
from pipeline.inputs.synthetic import write_manifest  # noqa: E402
from pipeline.paths import PROJECT_ROOT, RAW_DIR  # noqa: E402
from pipeline.stages.ingest import ensure_ingested  # noqa: E402

DEMO_ZIP = RAW_DIR / "demo" / "police.uk" / "cambridgeshire-demo-2020-04-to-2025-03.zip"
NEW_MONTH = "2025-03/2025-03-cambridgeshire-street.csv"
TARGET_RATIO = 0.2


def raw_copy(target: Path) -> Path:
    """The demo raw folder without its last month; returns the configuration for it."""
    for folder in ("reference", "fingertips", "home_office", "boundaries"):
        (target / folder).symlink_to(RAW_DIR / folder)
    (target / "demo").mkdir()
    (target / "demo" / "harm_weights").symlink_to(RAW_DIR / "demo" / "harm_weights")
    (target / "partner").symlink_to(RAW_DIR / "demo" / "partner")
    (target / "police.uk").mkdir()
    with zipfile.ZipFile(DEMO_ZIP) as demo, zipfile.ZipFile(target / "police.uk" / "earlier.zip", "w") as earlier:
        for name in demo.namelist():
            if name != NEW_MONTH:
                earlier.writestr(name, demo.read(name))
    write_manifest(target, "benchmarks/incremental_ingest.py: the demo without its last month")
    config = target / "benchmark.yaml"
    config.write_text((PROJECT_ROOT / "config" / "demo.yaml").read_text().replace("name: demo", "name: benchmark")
                      .replace("police_uk: demo/police.uk", "police_uk: police.uk")
                      .replace("partner_dir: demo/partner", "partner_dir: partner"))
    return config


def add_new_month(raw: Path) -> None:
    (raw / "police.uk" / "2025-03").mkdir()
    with zipfile.ZipFile(DEMO_ZIP) as demo:
        (raw / "police.uk" / NEW_MONTH).write_bytes(demo.read(NEW_MONTH))
    write_manifest(raw, "benchmarks/incremental_ingest.py: the demo, its last month added")


def timed(work) -> tuple[float, str]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result.reason


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    february, march = pd.Period("2025-02", freq="M"), pd.Period("2025-03", freq="M")
    incremental_times, full_times = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            raw = Path(folder) / "raw"
            raw.mkdir()
            config = load_config(raw_copy(raw))
            processed = Path(folder) / "processed"
            ensure_ingested(config, february, raw, processed)
            add_new_month(raw)
            seconds, reason = timed(lambda: ensure_ingested(config, march, raw, processed))
            assert "incremental" in reason, reason
            incremental_times.append(seconds)
            shutil.rmtree(processed / config.name / str(march))
            seconds, reason = timed(lambda: ensure_ingested(config, march, raw, processed, force=True))
            full_times.append(seconds)
    incremental, full = min(incremental_times), min(full_times)
    verdict = "within" if incremental <= TARGET_RATIO * full else "OVER"
    print(f"demo, March 2025 added: incremental ingest / full ingest = {incremental / full:.3f} "
          f"({incremental:.1f} s against {full:.1f} s, best of {args.repeat}); {verdict} the target of "
          f"{TARGET_RATIO:.1f}")


if __name__ == "__main__":
    main()

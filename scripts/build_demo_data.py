"""Rebuild the synthetic demo partnership data in data/raw/demo/ from its seed.

    python scripts/build_demo_data.py [--seed 20250331]

Needs the embedded real data (data/raw/real and data/raw/reference) for calibration. The same
seed gives the same files byte for byte. What the data holds and the effects planted in it are
documented in scripts/demo_generator.py and data/raw/demo/README.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_generator import SEED, build  # noqa: E402
from pipeline.paths import RAW_DIR  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--raw", type=Path, default=RAW_DIR, help="the project's data/raw folder")
    args = parser.parse_args()
    for name, rows in build(args.raw, args.seed).items():
        print(f"{name}: {rows:,} rows")


if __name__ == "__main__":
    main()

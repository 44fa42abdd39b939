"""How often the improved Farrington detector raises an alarm on weekly series with no outbreak, in its default
mode and in its surveillance-compatible mode, before and after the chapter's false-discovery-rate control, and
how often it finds a planted spike. Prints rates, not timings.

    python benchmarks/farrington_null.py [--series 200]
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from detector_simulation import ASSESSED, alarms_after_fdr, planted_spike_found, seasonal_series  # noqa: E402
from pipeline.methods import farrington  # noqa: E402



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=200)
    args = parser.parse_args()
    for compatible in (False, True):
        control = dataclasses.replace(farrington.CONTROLS["week"], surveillance_compatible=compatible)
        rng = np.random.default_rng(1)
        found = [farrington.detect(seasonal_series(rng, rng.choice([5, 10, 20, 40]), i % 2 == 1)[0], 52, control,
                                   ASSESSED) for i in range(args.series)]
        crossings = np.mean([f["alarm"].mean() for f in found])
        rate = alarms_after_fdr(found) / (len(found) * len(ASSESSED))
        pool = np.concatenate([f["p_value"].to_numpy() for f in found])
        power = {f"{level}/week x{multiplier:g}": np.mean([planted_spike_found(rng, control, level, multiplier, i % 2 == 1, pool)
                                                          for i in range(100)])
                 for level in (10, 20, 40) for multiplier in (2.0, 3.0)}
        mode = "surveillance-compatible" if compatible else "default"
        print(f"{mode}: {args.series} null series x 52 weeks: threshold crossed in {100 * crossings:.2f}% of "
              f"series-weeks (nominal 0.5%); alarms after FDR {100 * rate:.3f}%")
        print("  planted spikes over 2-4 weeks found: " + ", ".join(f"{k} {100 * v:.0f}%" for k, v in power.items()))


if __name__ == "__main__":
    main()

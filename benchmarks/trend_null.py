"""How often the long-term trend (pipeline.methods.statistics.poisson_trend) calls a flat series of yearly counts
a trend at the 5% level, and how often its 95% interval covers a planted decline of 5% a year, for 3, 5 and 8
years and a variance 1, 3 and 10 times the mean (gamma-Poisson, as yearly crime counts vary). Beside it, the
method it replaced (a normal reference with the Pearson dispersion floored at 1). Prints rates, not timings.

    python benchmarks/trend_null.py [--series 2000]
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.methods.statistics import poisson_trend  # noqa: E402


def yearly_counts(rng: np.random.Generator, means: np.ndarray, dispersion: float) -> np.ndarray:
    if dispersion == 1:
        return rng.poisson(means)
    return rng.poisson(rng.gamma(means / (dispersion - 1), dispersion - 1))


def replaced_p_value(counts: np.ndarray) -> float | None:
    """The p-value of the replaced method: normal reference, dispersion never below 1."""
    import statsmodels.api as sm

    fit = sm.GLM(counts.astype(float), sm.add_constant(np.arange(len(counts), dtype=float)),
                 family=sm.families.Poisson()).fit()
    pearson = float(np.sum((counts - fit.mu) ** 2 / fit.mu))
    se = float(fit.bse[1]) * math.sqrt(max(pearson / (len(counts) - 2), 1.0))
    return float(2 * stats.norm.sf(abs(fit.params[1] / se))) if se > 0 else None


def main() -> None:
    import warnings

    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    warnings.simplefilter("ignore", PerfectSeparationWarning)  # a flat series fits exactly now and then
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=2000)
    args = parser.parse_args()
    print(f"{args.series} series per row, mean 500 a year, 5% level")
    print("years  dispersion  flat called a trend (now)  (replaced)  planted -5%/year covered (now)")
    for years in (3, 5, 8):
        for dispersion in (1, 3, 10):
            rng = np.random.default_rng(years * 100 + dispersion)
            flat = [yearly_counts(rng, np.full(years, 500.0), dispersion) for _ in range(args.series)]
            now = [t for t in (poisson_trend(y) for y in flat) if t is not None]
            before = [p for p in (replaced_p_value(y) for y in flat) if p is not None]
            falling = [poisson_trend(yearly_counts(rng, 500 * 0.95 ** np.arange(years), dispersion))
                       for _ in range(args.series)]
            covered = np.mean([t.lower <= -5 <= t.upper for t in falling if t is not None])
            print(f"{years:>5}  {dispersion:>10}  {np.mean([t.p_value < 0.05 for t in now]):>25.3f}  "
                  f"{np.mean([p < 0.05 for p in before]):>10.3f}  {covered:>30.3f}")


if __name__ == "__main__":
    main()

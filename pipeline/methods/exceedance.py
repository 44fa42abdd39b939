"""A simple exceedance test against the seasonal baseline of earlier years: historical limits.

Stroup D.F., Williamson G.D., Herndon J.L. & Karon J.M. (1989) Statistics in Medicine 8:323-329 (the CDC's
historical limits): the baseline is the same period and the w periods either side of it in each of the b
previous years (n = b(2w + 1) values). Counts are compared on the square-root scale, where a Poisson or
over-dispersed count is close to normal with a variance that hardly depends on its level, by a one-sided
prediction test: t = (sqrt(y) - m) / (s sqrt(1 + 1/n)) against Student's t with n - 1 degrees of freedom,
m and s the mean and standard deviation of the baseline's square roots. Because s is measured from the
baseline itself, over-dispersion widens the limit instead of raising false alarms.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def baseline_positions(k: int, freq: int, b: int, w: int) -> np.ndarray:
    """0-based positions of the same period +/- w in each of the b previous years."""
    return np.concatenate([np.arange(k - freq * i - w, k - freq * i + w + 1) for i in range(1, b + 1)])


def historical_limits(counts: np.ndarray | pd.Series, freq: int, b: int, w: int, at: np.ndarray,
                      alpha: float = 0.005) -> pd.DataFrame:
    """Per position in `at`: the baseline mean count, the (1 - alpha) limit, the ratio of the observed count to
    the baseline mean and the one-sided p-value (NaN where the baseline is not all in the series)."""
    values = np.asarray(counts, dtype=float)
    rows = []
    for k in np.asarray(at, dtype=int):
        positions = baseline_positions(int(k), freq, b, w)
        if positions.min() < 0:
            rows.append((np.nan, np.nan, np.nan, np.nan))
            continue
        baseline = values[positions]
        roots = np.sqrt(baseline)
        n, mean, sd = len(roots), roots.mean(), roots.std(ddof=1)
        spread = (sd if sd > 0 else 0.5) * np.sqrt(1 + 1 / n)  # a flat baseline: the Poisson spread of a square root
        limit = (mean + stats.t.ppf(1 - alpha, n - 1) * spread) ** 2
        p_value = float(stats.t.sf((np.sqrt(values[k]) - mean) / spread, n - 1))
        ratio = values[k] / baseline.mean() if baseline.mean() > 0 else np.nan
        rows.append((baseline.mean(), limit, ratio, p_value))
    return pd.DataFrame(rows, columns=["baseline_mean", "limit", "ratio", "p_value"])

"""Funnel plot limits for rates: exact Poisson control limits around a common rate.

Spiegelhalter D.J. (2005) Statistics in Medicine 24:1185-1202: each unit's count is compared with the count it
would have at the common (here county) rate, E = rate x population. The limits are the exact (Garwood) Poisson
limits at E, the chi-square form the Fingertips technical guidance and PHEindicatormethods use for counts and
rates: lower = chi2(p; 2E) / 2, upper = chi2(1 - p; 2E + 2) / 2, with p = 0.025 (95%) and p = 0.001 (99.8%).
At a whole-number E they are the textbook exact interval for that count (e.g. 4.795 to 18.390 for 10 at 95%).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

LEVELS = {"95%": 0.025, "99.8%": 0.001}


def poisson_limits(expected: np.ndarray | float, tail: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper exact Poisson limits for counts with expectation `expected`, `tail` in each tail."""
    expected = np.asarray(expected, dtype=float)
    lower = np.where(expected > 0, stats.chi2.ppf(tail, 2 * np.maximum(expected, 1e-12)) / 2, 0.0)
    upper = stats.chi2.ppf(1 - tail, 2 * expected + 2) / 2
    return lower, upper


def funnel(counts: np.ndarray, populations: np.ndarray, per: float = 1000.0) -> pd.DataFrame:
    """Each unit's rate, the common rate, the limits for its population and where it falls."""
    counts, populations = np.asarray(counts, dtype=float), np.asarray(populations, dtype=float)
    common = counts.sum() / populations.sum()
    expected = common * populations
    out = pd.DataFrame({"count": counts, "population": populations, "rate": counts / populations * per,
                        "expected": expected, "common_rate": common * per})
    for level, tail in LEVELS.items():
        low, high = poisson_limits(expected, tail)
        out[f"low_{level}"], out[f"high_{level}"] = low / populations * per, high / populations * per
    out["position"] = "within the 95% limits"
    out.loc[counts > out["high_95%"] * populations / per, "position"] = "above the 95% limit"
    out.loc[counts > out["high_99.8%"] * populations / per, "position"] = "above the 99.8% limit"
    out.loc[counts < out["low_95%"] * populations / per, "position"] = "below the 95% limit"
    out.loc[counts < out["low_99.8%"] * populations / per, "position"] = "below the 99.8% limit"
    return out


def curve(common_rate: float, populations: np.ndarray, per: float = 1000.0) -> pd.DataFrame:
    """The funnel's limits over a range of populations, for drawing."""
    populations = np.asarray(populations, dtype=float)
    expected = common_rate / per * populations
    frame = pd.DataFrame({"population": populations})
    for level, tail in LEVELS.items():
        low, high = poisson_limits(expected, tail)
        frame[f"low_{level}"], frame[f"high_{level}"] = low / populations * per, high / populations * per
    return frame

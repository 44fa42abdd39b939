"""Simulated weekly series for the emerging-trends detector, shared by tests/test_emerging_trend_simulations.py and
benchmarks/farrington_null.py: stationary seasonal series (Poisson, or negative binomial with variance 1.5 x mean),
the alarm count after the chapter's FDR control across a five-type weekly table, and one planted-spike trial."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.methods import farrington
from pipeline.methods.associations import benjamini_hochberg

WEEKS = 5 * 52 + 10
ASSESSED = np.arange(WEEKS - 52, WEEKS)
TYPES_IN_A_TABLE = 5
FDR = 0.05


def seasonal_series(rng: np.random.Generator, level: float, negative_binomial: bool) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(WEEKS)
    mean = level * np.exp(0.3 * np.sin(2 * np.pi * t / 52 + rng.uniform(0, 2 * np.pi)))
    counts = rng.negative_binomial(2 * mean, 2 / 3) if negative_binomial else rng.poisson(mean)
    return counts, mean


def alarms_after_fdr(found: list[pd.DataFrame]) -> int:
    """Alarms when each run of TYPES_IN_A_TABLE series is one table, Benjamini-Hochberg across its series-weeks."""
    alarms = 0
    for i in range(0, len(found), TYPES_IN_A_TABLE):
        family = found[i:i + TYPES_IN_A_TABLE]
        q = benjamini_hochberg(np.concatenate([f["p_value"].to_numpy() for f in family]))
        alarms += int((np.concatenate([f["alarm"].to_numpy() for f in family]) & (q <= FDR)).sum())
    return alarms


def planted_spike_found(rng: np.random.Generator, control: farrington.Control, level: float, multiplier: float,
                        negative_binomial: bool, null_p_values: np.ndarray) -> bool:
    """One trial: a spike of `multiplier` x the mean over 2 to 4 weeks in the latest 30; found when a planted week
    alarms after FDR control with the other weeks of a five-type table drawn from null p-values."""
    counts, mean = seasonal_series(rng, level, negative_binomial)
    length = int(rng.integers(2, 5))
    start = int(rng.integers(WEEKS - 30, WEEKS - length + 1))
    planted = np.arange(start, start + length)
    counts = counts.copy()
    counts[planted] += rng.poisson((multiplier - 1) * mean[planted])
    found = farrington.detect(counts, 52, control, planted)
    rest = rng.choice(null_p_values, TYPES_IN_A_TABLE * 52 - length)
    q = benjamini_hochberg(np.concatenate([found["p_value"].to_numpy(), rest]))[:length]
    return bool((found["alarm"].to_numpy() & (q <= FDR)).any())

"""Statistical process control: the XmR (individuals and moving range) chart with the special-cause rules of
NHS England's "Making Data Count" guidance.

Wheeler D.J. (2000) "Understanding Variation", ch. 5; NHS England / NHS Improvement (2019) "Making data count:
strengthening your decisions": the centre line is the mean; the process limits are the mean plus or minus 2.66
times the mean moving range (2.66 = 3 / 1.128, the d2 constant for ranges of two). Special cause variation:
  1. a point beyond a process limit;
  2. a shift: a run of SHIFT (7) or more consecutive points on one side of the mean (a point on the mean ends it);
  3. a trend: TREND (6) or more consecutive points each higher than the one before, or each lower;
  4. two out of three consecutive points beyond two-thirds of the way from the mean to a limit, on the same side.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LIMIT_FACTOR = 2.66
SHIFT = 7
TREND = 6


@dataclass(frozen=True)
class XmR:
    values: np.ndarray
    mean: float
    mean_moving_range: float
    upper: float
    lower: float
    beyond_limits: np.ndarray
    shift: np.ndarray
    trend: np.ndarray
    two_of_three: np.ndarray

    @property
    def special_cause(self) -> np.ndarray:
        return self.beyond_limits | self.shift | self.trend | self.two_of_three


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """True for every point inside a run of `length` or more consecutive Trues."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], np.asarray(flags, dtype=np.int8), [0]])))
    out = np.zeros(len(flags), dtype=bool)
    for start, end in zip(edges[::2], edges[1::2]):
        if end - start >= length:
            out[start:end] = True
    return out


def xmr(values: list[float] | np.ndarray) -> XmR:
    """The XmR chart of a series (needs two or more values) and the points each rule flags."""
    y = np.asarray(values, dtype=float)
    if len(y) < 2:
        raise ValueError("an XmR chart needs two or more values")
    mean = float(y.mean())
    moving_range = float(np.abs(np.diff(y)).mean())
    upper, lower = mean + LIMIT_FACTOR * moving_range, mean - LIMIT_FACTOR * moving_range
    side = np.sign(y - mean)
    shift = _runs(side > 0, SHIFT) | _runs(side < 0, SHIFT)
    steps = np.sign(np.diff(y))
    trend = np.zeros(len(y), dtype=bool)
    for direction in (1, -1):  # a run of k rising steps is a trend of k + 1 points
        rising = _runs(steps == direction, TREND - 1)
        trend[1:] |= rising
        trend[:-1] |= rising
    near_upper = y > mean + (upper - mean) * 2 / 3
    near_lower = y < mean - (mean - lower) * 2 / 3
    two_of_three = np.zeros(len(y), dtype=bool)
    for near in (near_upper, near_lower):
        windows = len(y) - 2  # each window of three points with two or more near a limit flags those points
        if windows <= 0:
            continue
        flagged = near[:-2].astype(int) + near[1:-1] + near[2:] >= 2
        for offset in range(3):
            two_of_three[offset:offset + windows] |= flagged & near[offset:offset + windows]
    return XmR(y, mean, moving_range, upper, lower, (y > upper) | (y < lower), shift, trend, two_of_three)


def false_alarm_rate(points: int, simulations: int = 2000, seed: int = 20250331) -> float:
    """Share of stable series (independent normal values) of this length on which any rule flags a point:
    the chance that a chart of `points` values shows special cause variation when nothing has changed
    (simulated; the rules are run together, so the rate grows with the series' length)."""
    rng = np.random.default_rng(seed)
    return float(np.mean([xmr(rng.normal(size=points)).special_cause.any() for _ in range(simulations)]))

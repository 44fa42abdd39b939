"""Hotspot persistence classes over time: persistent, emerging, former and intermittent hot and cold spots.

The classes and default thresholds of sfhotspot's `hotspot_classify` (Ashby M.P.J., R package sfhotspot;
`hotspot_classify_params()`): given, for every cell and period, whether the cell was a significant hotspot
(Gi* above zero with an FDR-adjusted p under the critical value) or coldspot,
  persistent   significant in at least PERSISTENT_PROP (80%) of all periods;
  emerging     significant in under HOTSPOT_PROP (10%) of the older periods and at least RECENT_PROP (20%) of the
               recent ones (the last RECENT_PROP of periods, at least one);
  former       significant in at least 10% of the older periods and under 10% of the recent ones;
  intermittent significant in at least 10% of all periods;
tested in that order; a cell both hot and cold by these rules is "mixed hot/coldspot". One difference from the
R code, stated: sfhotspot sums the last k + 1 periods when it computes the recent share over k (its column range
starts one early); here the recent share is over exactly the last k periods.
"""
from __future__ import annotations

import math

import numpy as np

HOTSPOT_PROP, PERSISTENT_PROP, RECENT_PROP = 0.1, 0.8, 0.2
NO_PATTERN = "no pattern"


def _classes(significant: np.ndarray, kind: str) -> np.ndarray:
    periods = significant.shape[1]
    recent = max(1, math.floor(RECENT_PROP * periods))
    if periods - recent < 1:
        raise ValueError("hotspot classes need at least one recent and one older period")
    overall = significant.mean(axis=1)
    older, latest = significant[:, :-recent].mean(axis=1), significant[:, -recent:].mean(axis=1)
    return np.select([overall >= PERSISTENT_PROP, (older < HOTSPOT_PROP) & (latest >= RECENT_PROP),
                      (older >= HOTSPOT_PROP) & (latest < HOTSPOT_PROP), overall >= HOTSPOT_PROP],
                     [f"persistent {kind}", f"emerging {kind}", f"former {kind}", f"intermittent {kind}"], NO_PATTERN)


def classify(hot: np.ndarray, cold: np.ndarray) -> np.ndarray:
    """The class of each cell (rows) from its significant hot and cold periods (columns, oldest first)."""
    hot_class, cold_class = _classes(np.asarray(hot, bool), "hotspot"), _classes(np.asarray(cold, bool), "coldspot")
    both = (hot_class != NO_PATTERN) & (cold_class != NO_PATTERN)
    return np.where(both, "mixed hot/coldspot", np.where(hot_class != NO_PATTERN, hot_class, cold_class))


MAX_EMERGING_QUARTERS = 8
EMERGING_SHARE = 0.5


def emerging_streaks(hot: np.ndarray, longest: int = MAX_EMERGING_QUARTERS, share: float = EMERGING_SHARE) -> np.ndarray:
    """For each cell (rows; columns are periods, oldest first): how many periods ago (counting the latest as 1) it
    began to emerge, or 0 when it is not emerging. A cell is emerging when its first significant hot period is one
    of the latest `longest` (and not the first period of the data, before which nothing is known), it is hot in the
    latest period, and hot in at least `share` of the periods since the first. A place hot in each of the latest
    r periods (r <= `longest`) and in none before is emerging and dated r periods back; one that a single period's
    map misses now and then (each map is held at a 5% false discovery rate, which costs power) is still named,
    dated by its first hot period. On quarters this names a place that became hot up to two years ago, which
    annual periods cannot (with five years, a place hot for the last two is hot in one of four earlier years).

    Under no change a cell is called emerging only if it is hot in the latest period, so the chance that any cell
    of a map is called emerging is at most the false discovery rate each period's Gi* map is held at (5%);
    tests/test_hotspot_simulations.py checks this, and that clusters planted to begin 4, 6 and 8 quarters before
    the end are named and dated within one quarter in at least 90% of simulations."""
    hot = np.asarray(hot, dtype=bool)
    periods = hot.shape[1]
    ever = hot.any(axis=1)
    first = np.where(ever, hot.argmax(axis=1), periods)
    since = periods - first  # periods from the first hot one to the latest, both counted
    hot_share = np.divide(hot.sum(axis=1), since, out=np.zeros(len(hot)), where=since > 0)
    emerging = ever & (first >= 1) & (since <= longest) & hot[:, -1] & (hot_share >= share)
    return np.where(emerging, since, 0)

"""Aoristic weights: spreading an event whose time is known only as a window over the hours of the week.

Ratcliffe J.H. & McCullagh M.J. (1998) "Aoristic crime analysis", International Journal of Geographical
Information Science 12:751-764: each record contributes a weight of one, shared among the hour-of-week bins
(Monday 00:00-00:59 is bin 0, Sunday 23:00-23:59 is bin 167) in proportion to the minutes of its window in each.
A record with no window (no end, or an end not after the start) puts its whole weight in the start's bin.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

WEEK_MINUTES, BINS = 7 * 24 * 60, 168


def hour_of_week_weights(start: pd.Series, end: pd.Series) -> np.ndarray:
    """An (records x 168) array of weights, each row summing to one."""
    start = pd.to_datetime(start)
    end = pd.to_datetime(end)
    first = (start.dt.day_of_week * 1440 + start.dt.hour * 60 + start.dt.minute).to_numpy(dtype=float)
    minutes = ((end - start).dt.total_seconds() / 60).to_numpy(dtype=float)
    minutes = np.where(np.isfinite(minutes) & (minutes > 0), minutes, 0.0)
    weeks, rest = np.floor(minutes / WEEK_MINUTES), minutes % WEEK_MINUTES
    edges = np.arange(2 * BINS + 1) * 60.0  # two weeks unrolled, so a window may run over Sunday midnight
    low = np.maximum(first[:, None], edges[None, :-1])
    high = np.minimum((first + rest)[:, None], edges[None, 1:])
    covered = np.clip(high - low, 0, 60)
    covered = covered[:, :BINS] + covered[:, BINS:] + 60 * weeks[:, None]
    weights = np.divide(covered, minutes[:, None], out=np.zeros_like(covered), where=minutes[:, None] > 0)
    point = minutes == 0
    weights[point] = 0.0
    weights[point, (first[point] // 60).astype(int)] = 1.0
    return weights

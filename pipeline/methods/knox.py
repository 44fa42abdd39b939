"""The Knox test for repeat and near-repeat victimisation, with permutation p-values.

Knox E.G. (1964) Applied Statistics 13:25-29; the banded form of Ratcliffe's Near Repeat Calculator and of
the R package NearRepeat (Steenbeek W., 2020): every pair of events is counted in a cell of distance band x
time band; the expected count of each cell comes from permutations that shuffle the dates over the places,
keeping both sets as they are. The Knox ratio is observed / mean of the permutations; the p-value is
(1 + permutations with a count at least as large) / (1 + permutations), one-sided. Bands are half-open,
[from, to), in metres and days, as NearRepeat writes them; the last band of each is open-ended.

Vectorised: pairs closer than the largest finite distance break are found once with a k-d tree; the time
differences of all pairs are the same multiset under any permutation, so the open-ended distance band is the
column total less the near pairs and needs no pairwise work.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

DISTANCE_BREAKS = (0.0, 1.0, 101.0, 201.0, 401.0)  # same place, 1-100 m, 101-200 m, 201-400 m, more than 400 m
TIME_BREAKS = (0, 8, 15, 29)  # 0-7 days, 8-14 days, 15-28 days, 29 days or more


@dataclass
class KnoxResult:
    distance_labels: list[str]
    time_labels: list[str]
    observed: np.ndarray  # distance band x time band pair counts
    expected: np.ndarray  # mean over permutations
    p_value: np.ndarray
    permutations: int
    events: int

    @property
    def ratio(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.observed / self.expected


def band_labels(breaks: tuple, unit: str, first: str | None = None) -> list[str]:
    labels = []
    for low, high in zip(breaks, list(breaks[1:]) + [None]):
        if high is None:
            labels.append(f"{low:g} {unit} or more")
        elif first is not None and low == 0 and high == 1:
            labels.append(first)
        else:
            labels.append(f"{low:g}-{high - 1:g} {unit}")
    return labels


def knox(x: np.ndarray, y: np.ndarray, day: np.ndarray, distance_breaks: tuple = DISTANCE_BREAKS,
         time_breaks: tuple = TIME_BREAKS, permutations: int = 999, seed: int = 1) -> KnoxResult:
    """Knox table of events at (x, y) metres on integer days."""
    x, y, day = np.asarray(x, float), np.asarray(y, float), np.asarray(day, np.int64)
    n_d, n_t = len(distance_breaks), len(time_breaks)
    near_limit = distance_breaks[-1]
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(r=np.nextafter(near_limit, 0), output_type="ndarray")
    i, j = (pairs[:, 0], pairs[:, 1]) if len(pairs) else (np.array([], int), np.array([], int))
    distance = np.hypot(x[i] - x[j], y[i] - y[j])
    distance_band = np.searchsorted(distance_breaks, distance, side="right") - 1
    time_edges = np.asarray(time_breaks[1:])

    def time_band(gaps: np.ndarray) -> np.ndarray:
        return np.searchsorted(time_edges, gaps, side="right")

    order = np.sort(day)
    all_gaps = np.abs(order[:, None] - order[None, :])[np.triu_indices(len(order), 1)] if len(order) > 1 else np.array([])
    column_totals = np.bincount(time_band(all_gaps), minlength=n_t)

    # The permutations are most of the cost (999 tables of up to a few hundred thousand pairs): the pairs are
    # ordered by distance band once, so that each band is a slice, and the days are integers, so a time band's
    # count is the number of gaps below its upper break, counted directly (np.take and comparisons are a third of
    # the cost of fancy indexing into a band lookup and np.bincount).
    by_band = np.argsort(distance_band, kind="stable")
    first, second = i[by_band].astype(np.intp), j[by_band].astype(np.intp)
    bounds = np.searchsorted(distance_band[by_band], np.arange(n_d))
    span = int(day.max() - day.min()) if len(day) else 0
    small_days = (day - (day.min() if len(day) else 0)).astype(np.int16 if span < 2 ** 15 else np.int64)

    def table(days: np.ndarray) -> np.ndarray:
        gaps = np.abs(np.take(days, first) - np.take(days, second))
        near = np.empty((n_d - 1, n_t), dtype=np.int64)
        for band in range(n_d - 1):
            in_band = gaps[bounds[band]:bounds[band + 1]]
            below = [np.count_nonzero(in_band < edge) for edge in time_edges]
            near[band] = np.diff([0, *below, len(in_band)])
        return np.vstack([near, column_totals - near.sum(axis=0)])

    observed = table(small_days)
    rng = np.random.default_rng(seed)
    total = np.zeros_like(observed, dtype=float)
    at_least = np.zeros_like(observed)
    for _ in range(permutations):
        permuted = table(rng.permutation(small_days))
        total += permuted
        at_least += permuted >= observed
    return KnoxResult(band_labels(distance_breaks, "m", first="Same place"), band_labels(time_breaks, "days"),
                      observed, total / permutations, (1 + at_least) / (1 + permutations), permutations, len(day))


def repeat_locations(x: np.ndarray, y: np.ndarray) -> tuple[int, int]:
    """Places (identical coordinates) with two or more events, and the events at them."""
    counts = pd.DataFrame({"x": np.round(x, 1), "y": np.round(y, 1)}).value_counts()
    repeats = counts[counts >= 2]
    return int(len(repeats)), int(repeats.sum())

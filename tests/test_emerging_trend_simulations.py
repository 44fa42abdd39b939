"""Simulation checks of every test and interval the acquisitive-crime chapter reports (seeded; slow).

- The detector as the chapter runs it (improved Farrington, then Benjamini-Hochberg across the family): on 200
  stationary weekly series with seasonality, half Poisson and half negative binomial (variance 1.5 x mean), the
  alarm rate per series-week is at most 1%; spikes planted at 2x and 3x over 2 to 4 weeks in a series of 25 a
  week are found within the planted weeks in at least 80% and 95% of simulations, with the other four types
  of a partnership's weekly table as the rest of the family.
- Historical limits reject at no more than their nominal rate on the same null series.
- The seasonal index's 95% intervals cover a planted index about 95% of the time, and a series with no
  seasonality yields a peak month (after FDR control) in no more than 5% of simulations.
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline.methods import farrington
from pipeline.methods.associations import benjamini_hochberg
from pipeline.methods.exceedance import historical_limits
from pipeline.methods.seasonality import seasonal_index
from detector_simulation import ASSESSED, TYPES_IN_A_TABLE, alarms_after_fdr, planted_spike_found, seasonal_series

pytestmark = pytest.mark.slow
CONTROL = farrington.CONTROLS["week"]


@pytest.fixture(scope="module")
def null_runs():
    rng = np.random.default_rng(20241007)
    runs = []
    for i in range(200):
        counts, _ = seasonal_series(rng, rng.choice([5, 10, 20, 40]), negative_binomial=i % 2 == 1)
        found = farrington.detect(counts, 52, CONTROL, ASSESSED)
        limits = historical_limits(counts, 52, CONTROL.b, CONTROL.w, ASSESSED, alpha=CONTROL.alpha)
        runs.append((found, limits))
    return runs


def test_alarm_rate_per_series_week_is_at_most_one_percent(null_runs):
    alarms = alarms_after_fdr([found for found, _ in null_runs])
    series_weeks = len(null_runs) * len(ASSESSED)
    assert alarms / series_weeks <= 0.01
    crossings = sum(int(found["alarm"].sum()) for found, _ in null_runs)  # before FDR control: reported in the note
    assert crossings / series_weeks <= 0.015


def test_historical_limits_reject_at_most_at_their_nominal_rate(null_runs):
    p = np.concatenate([limits["p_value"].to_numpy() for _, limits in null_runs])
    assert np.mean(p <= CONTROL.alpha) <= 2 * CONTROL.alpha
    assert np.mean(p <= 0.05) <= 0.065


@pytest.mark.parametrize("multiplier, required", [(2.0, 0.80), (3.0, 0.95)])
def test_planted_spikes_are_found_within_the_planted_weeks(null_runs, multiplier, required):
    rng = np.random.default_rng(int(multiplier * 1000))
    pool = np.concatenate([found["p_value"].to_numpy() for found, _ in null_runs])
    simulations = 200
    found_count = sum(planted_spike_found(rng, CONTROL, 25, multiplier, i % 2 == 1, pool) for i in range(simulations))
    assert found_count / simulations >= required


def monthly_counts(rng, index: np.ndarray, years: int = 5, level: float = 60.0):
    months = np.tile(np.arange(1, 13), years)
    year = np.repeat(np.arange(years), 12)
    mean = level * index[months - 1] * np.exp(0.1 * rng.normal(size=years))[year]
    counts = rng.negative_binomial(2 * mean, 2 / 3)
    return pd.Series(counts, index=months), pd.Series(year)


def test_seasonal_index_intervals_cover_the_planted_index():
    rng = np.random.default_rng(11)
    shape = np.exp(0.3 * np.cos(2 * np.pi * (np.arange(12) - 6) / 12))
    planted = shape / np.exp(np.mean(np.log(shape)))  # relative to the geometric-mean month
    covered = []
    for _ in range(400):
        counts, years = monthly_counts(rng, planted)
        result = seasonal_index(counts, years)
        covered.append((result["low"].to_numpy() <= planted) & (planted <= result["high"].to_numpy()))
    rate = np.mean(covered)
    assert 0.93 <= rate <= 0.975, rate


def test_no_seasonality_gives_no_peak_beyond_the_nominal_rate():
    rng = np.random.default_rng(12)
    with_peak = 0
    for _ in range(300):
        p = []
        for _ in range(TYPES_IN_A_TABLE):
            counts, years = monthly_counts(rng, np.ones(12))
            result = seasonal_index(counts, years)
            p.append(result["p_above"].to_numpy())  # as the chapter does: every month of every type
        with_peak += bool((benjamini_hochberg(np.concatenate(p)) <= 0.05).any())
    low, high = stats.binom.interval(0.999, 300, 0.05)
    assert with_peak <= high


def test_the_stated_null_crossing_rates_are_what_the_detector_does(null_runs):
    """The methods appendix and the detector's docstring quote farrington.NULL_CROSSINGS_PERCENT; recomputed on the
    same null series (and, for the surveillance-compatible mode, refitted), each lies within the 99.9% binomial
    range of the stated figure."""
    import dataclasses

    rng = np.random.default_rng(20241007)
    compatible = dataclasses.replace(CONTROL, surveillance_compatible=True)
    weeks = sum(len(found) for found, _ in null_runs)
    measured = {"production": sum(int(found["alarm"].sum()) for found, _ in null_runs), "surveillance": 0}
    for i in range(len(null_runs)):
        counts, _ = seasonal_series(rng, rng.choice([5, 10, 20, 40]), negative_binomial=i % 2 == 1)
        measured["surveillance"] += int(farrington.detect(counts, 52, compatible, ASSESSED)["alarm"].sum())
    for mode, stated in farrington.NULL_CROSSINGS_PERCENT.items():
        low, high = stats.binom.ppf(0.0005, weeks, stated / 100), stats.binom.isf(0.0005, weeks, stated / 100)
        assert low <= measured[mode] <= high, f"{mode}: {measured[mode]} of {weeks} against a stated {stated}%"

"""Aoristic weights over the hours of the week, by hand."""
import numpy as np
import pandas as pd
import pytest

from pipeline.methods.aoristic import hour_of_week_weights


def weights(start: str, end: str | None) -> np.ndarray:
    return hour_of_week_weights(pd.Series([pd.Timestamp(start)]), pd.Series([pd.Timestamp(end) if end else pd.NaT]))[0]


def test_a_window_is_shared_by_its_minutes_in_each_hour():
    w = weights("2024-06-07 23:30", "2024-06-08 01:30")  # Friday 23:30 to Saturday 01:30
    friday_23 = 4 * 24 + 23
    assert w[friday_23] == pytest.approx(0.25) and w[friday_23 + 1] == pytest.approx(0.5)
    assert w[friday_23 + 2] == pytest.approx(0.25) and w.sum() == pytest.approx(1.0)


def test_a_window_over_sunday_midnight_wraps_to_monday():
    w = weights("2024-06-09 23:00", "2024-06-10 01:00")
    assert w[167] == pytest.approx(0.5) and w[0] == pytest.approx(0.5)


def test_no_window_puts_the_whole_weight_at_the_start():
    for end in (None, "2024-06-05 10:15", "2024-06-05 09:00"):
        w = weights("2024-06-05 10:15", end)  # Wednesday 10:15
        assert w[2 * 24 + 10] == 1.0 and w.sum() == 1.0


def test_long_windows_and_many_records_sum_to_one():
    w = weights("2024-06-03 00:00", "2024-06-17 00:00")  # exactly two weeks: every hour alike
    assert w == pytest.approx(np.full(168, 1 / 168))
    rng = np.random.default_rng(1)
    start = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 500_000, 1000), "min"))
    end = start + pd.to_timedelta(rng.integers(0, 20_000, 1000), "min")
    assert hour_of_week_weights(start, end).sum(axis=1) == pytest.approx(np.ones(1000))

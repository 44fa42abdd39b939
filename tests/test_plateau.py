"""The plateau test (segmented quasi-Poisson trend): exact slopes on series that follow the model exactly, too
short a series refused, and by simulation: no change of slope rejects at its nominal rate and the whole-series
interval covers the planted slope; a planted plateau is covered by the latest-years interval."""
import numpy as np
import pandas as pd
import pytest

from pipeline.methods.plateau import slope_change

MONTHS = pd.period_range("2015-04", periods=120, freq="M")
YEARS = np.arange(120) / 12


def test_exact_slopes_on_a_series_that_follows_the_model():
    falling = pd.Series(200 * 0.9 ** YEARS, index=MONTHS)  # -10% a year, no change of slope
    result = slope_change(falling)
    assert result.whole_percent == pytest.approx(-10, abs=1e-6) and result.recent_percent == pytest.approx(-10, abs=1e-6)
    t0 = YEARS[120 - 36]
    plateau = pd.Series(200 * 0.9 ** np.minimum(YEARS, t0), index=MONTHS)  # -10% a year, flat in the last 3 years
    result = slope_change(plateau)
    assert result.recent_percent == pytest.approx(0, abs=1e-6)
    assert result.change_p < 1e-6 and result.reading == "levelling off"


def test_needs_four_years_of_months():
    assert slope_change(pd.Series(np.full(47, 10), index=MONTHS[:47])) is None
    assert slope_change(pd.Series(np.full(48, 10), index=MONTHS[:48])) is not None


@pytest.mark.slow
def test_by_simulation_nominal_rate_and_coverage():
    rng = np.random.default_rng(2025)
    season = 0.2 * np.sin(2 * np.pi * YEARS)
    changed, covered_whole, covered_recent = 0, 0, 0
    for _ in range(300):
        mean = 80 * np.exp(np.log(0.94) * YEARS + season)
        result = slope_change(pd.Series(rng.negative_binomial(2 * mean, 2 / 3), index=MONTHS))
        changed += result.change_p < 0.05
        covered_whole += result.whole_low <= -6 <= result.whole_high
        t0 = YEARS[120 - 36]
        mean = 80 * np.exp(np.log(0.94) * np.minimum(YEARS, t0) + season)
        planted = slope_change(pd.Series(rng.negative_binomial(2 * mean, 2 / 3), index=MONTHS))
        covered_recent += planted.recent_low <= 0 <= planted.recent_high
    assert 6 <= changed <= 26  # Binomial(300, 0.05), 99.9% range
    assert covered_whole >= 270 and covered_recent >= 270  # about 95% of 300

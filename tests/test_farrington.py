"""The improved Farrington detector against the R surveillance package (1.20.3) on fixed series: the fixture and
the script that made it are in tests/fixtures/farrington. In its surveillance-compatible mode the detector
reproduces farringtonFlexible's expected counts, thresholds, p-values, trend choices and alarms; the default
mode differs only in the dispersion behind the standard errors (see the docstring of pipeline.methods.farrington)."""
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.methods import farrington
from pipeline.methods.exceedance import baseline_positions, historical_limits

FIXTURE = Path(__file__).parent / "fixtures" / "farrington"
SERIES = pd.read_csv(FIXTURE / "series.csv")
REFERENCE = pd.read_csv(FIXTURE / "reference.csv")
CASES = list(dict.fromkeys(REFERENCE["case"]))


def run_case(case: str, **changes) -> tuple[pd.DataFrame, pd.DataFrame]:
    reference = REFERENCE[REFERENCE["case"] == case].reset_index(drop=True)
    first = reference.iloc[0]
    control = farrington.Control(b=int(first["b"]), w=int(first["w"]), periods=int(first["noPeriods"]),
                                 past_excluded=int(first["pastWeeksNotIncluded"]),
                                 weights_threshold=float(first["weightsThreshold"]), alpha=float(first["alpha"]), **changes)
    counts = SERIES.loc[SERIES["series"] == first["series"], "observed"].to_numpy()
    return farrington.detect(counts, int(first["freq"]), control, reference["t"].to_numpy() - 1), reference


@pytest.mark.parametrize("case", CASES)
def test_matches_surveillance_farringtonflexible_to_displayed_precision(case):
    ours, reference = run_case(case, surveillance_compatible=True)
    shown = reference["upperbound"].notna()  # surveillance gives no threshold where the minimum-count rule fails
    assert shown.sum() > 40
    assert np.abs(ours["threshold"][shown] - reference["upperbound"][shown]).max() < 0.005  # shown to 0.1
    assert np.abs(ours["expected"][shown] - reference["expected"][shown]).max() < 0.005
    assert np.abs(ours["p_value"] - reference["pvalue"]).max() < 1e-4
    assert np.allclose(ours["phi"], reference["phi"], rtol=1e-3)  # GLM convergence tolerances differ in the 4th digit
    assert (ours["trend"].to_numpy() == (reference["trend"].fillna(0) == 1).to_numpy()).all()
    assert (ours["alarm"].to_numpy() == reference["alarm"].to_numpy()).all()
    assert (ours["enough_cases"].to_numpy() == shown.to_numpy()).all()


def test_the_fixture_exercises_alarms_trends_and_the_minimum_count_rule():
    assert REFERENCE.groupby("case")["alarm"].sum().gt(0).sum() >= 3
    assert REFERENCE["trend"].eq(1).any() and REFERENCE["trend"].eq(0).any()
    assert REFERENCE["upperbound"].isna().any()  # low_weekly: weeks with fewer than 5 cases in 4


@pytest.mark.parametrize("case", ["improved_nb_weekly", "improved_agona", "improved_low_weekly"])
def test_default_mode_keeps_the_expected_count_and_only_widens_the_threshold(case):
    """Where neither fit keeps a trend, the expected count is the same GLM's; the default's prediction variance
    uses the quasi-Poisson dispersion, which is larger than the one surveillance ends up using."""
    ours, reference = run_case(case)
    same = ~ours["trend"].to_numpy() & (reference["trend"].fillna(0) == 0).to_numpy() & reference["upperbound"].notna().to_numpy()
    assert same.sum() > 10
    assert np.abs(ours["expected"][same] - reference["expected"][same]).max() < 0.005
    assert (ours["threshold"][same] >= reference["upperbound"][same] - 0.005).all()


def test_seasonal_blocks_by_hand():
    """length 30, k = 26, a year of 12, b = 2, w = 1, 4 levels, the latest 2 periods left out: windows of level 4
    around 14 and 2, three blocks of three between them, nothing before 1 or after 24."""
    control = farrington.Control(b=2, w=1, periods=4, past_excluded=1)
    blocks = farrington.season_blocks(30, 26, 12, control)
    expected = [np.nan] + [4] * 3 + [1] * 3 + [2] * 3 + [3] * 3 + [4] * 3 + [1] * 3 + [2] * 3 + [3] * 3 + [np.nan] * 5
    assert np.array_equal(blocks, np.array(expected, dtype=float), equal_nan=True)


def test_too_many_levels_for_the_year_is_refused():
    with pytest.raises(ValueError, match="seasonal levels do not fit"):
        farrington.season_blocks(60, 40, 12, farrington.Control(b=3, w=3, periods=10))


def test_periods_without_a_full_baseline_are_not_assessed():
    counts = np.full(3 * 52 + 2, 10)
    assert farrington.first_assessable(52, farrington.CONTROLS["week"]) == 3 * 52 + 3
    assert farrington.detect(counts, 52, farrington.CONTROLS["week"]).empty


def test_a_steady_series_raises_no_alarm_and_a_spike_does():
    rng = np.random.default_rng(3)
    counts = rng.poisson(30, 5 * 52)
    found = farrington.detect(counts, 52, farrington.CONTROLS["week"], np.arange(4 * 52, 5 * 52))
    assert not found["alarm"].any()
    counts[-1] = 90
    assert farrington.detect(counts, 52, farrington.CONTROLS["week"], [5 * 52 - 1])["alarm"].iloc[0]


def test_historical_limits_by_hand():
    counts = np.zeros(30)
    positions = baseline_positions(26, 12, 2, 1)
    assert sorted(positions) == [1, 2, 3, 13, 14, 15]
    counts[positions] = [4, 9, 16, 4, 9, 16]  # square roots 2, 3, 4, 2, 3, 4: mean 3, sd sqrt(0.8)
    counts[26] = 49
    row = historical_limits(counts, 12, 2, 1, np.array([26]), alpha=0.05).iloc[0]
    spread = np.sqrt(0.8) * np.sqrt(1 + 1 / 6)
    from scipy import stats
    assert row["p_value"] == pytest.approx(stats.t.sf((7 - 3) / spread, 5))
    assert row["limit"] == pytest.approx((3 + stats.t.ppf(0.95, 5) * spread) ** 2)
    assert row["ratio"] == pytest.approx(49 / np.mean([4, 9, 16]))
    assert np.isnan(historical_limits(counts, 12, 3, 1, np.array([26]))["p_value"].iloc[0])  # no third year


def test_the_stated_settings_are_the_controls_used():
    text = farrington.CONTROLS["week"].describe("week")
    assert "b = 3" in text and "+/- 3 weeks" in text and "10-level" in text and "26 weeks" in text and "99.5%" in text
    assert dataclasses.asdict(farrington.CONTROLS["week"])["alpha"] == 0.005


def test_a_baseline_with_no_event_or_no_variation_does_not_break_the_detector():
    control = farrington.CONTROLS["week"]
    at = [4 * 52]
    empty = farrington.detect(np.zeros(4 * 52 + 1), 52, control, at).iloc[0]
    assert not empty["alarm"] and np.isnan(empty["threshold"])
    flat = farrington.detect(np.full(4 * 52 + 1, 10.0), 52, control, at).iloc[0]
    assert flat["expected"] == pytest.approx(10) and not flat["alarm"]


def test_the_stated_comparison_with_surveillance_is_what_the_reference_series_give():
    """farrington.REFERENCE_COMPARISON (quoted in the methods appendix): recomputed from the improved-method cases."""
    low, high, trends, reference_trends, periods = np.inf, 0.0, 0, 0, 0
    for case in [c for c in CASES if c.startswith("improved")]:
        ours, reference = run_case(case)
        shown = reference["upperbound"].notna().to_numpy() & (reference["upperbound"] > 0).to_numpy()
        ratio = ours["threshold"][shown] / reference["upperbound"][shown]
        low, high = min(low, ratio.min()), max(high, ratio.max())
        trends += int(ours["trend"].sum())
        reference_trends += int((reference["trend"].fillna(0) != 0).sum())
        periods += len(ours)
    stated = farrington.REFERENCE_COMPARISON
    assert (round(low, 2), round(high, 2)) == (stated["threshold_ratio_low"], stated["threshold_ratio_high"])
    assert (trends, reference_trends, periods) == (stated["trend_periods"], stated["reference_trend_periods"], stated["periods"])

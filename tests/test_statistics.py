import math

import numpy as np

import pytest
from scipy import stats

from pipeline import formatting as fmt
from pipeline.methods import statistics as st


def test_garwood_interval_matches_published_values():
    # Exact 95% limits for 10 events: 4.795 to 18.390; for 0 events: 0 to 3.689 (Garwood 1936 tables).
    assert st.poisson_interval(10) == pytest.approx((4.7954, 18.3904), abs=1e-3)
    assert st.poisson_interval(0) == pytest.approx((0.0, 3.6889), abs=1e-3)


def test_byar_is_close_to_exact_for_moderate_counts():
    assert st.byar_interval(10) == pytest.approx((4.787, 18.392), abs=2e-3)
    for count in (20, 100, 1000):
        exact, byar = st.poisson_interval(count), st.byar_interval(count)
        assert byar == pytest.approx(exact, rel=0.01)


@pytest.mark.parametrize("successes,total,expected", [
    (81, 263, (0.2553, 0.3662)),  # Newcombe (1998) Stat Med 17:857, table I
    (15, 148, (0.0624, 0.1605)),
    (0, 20, (0.0, 0.1611)),
    (1, 29, (0.0061, 0.1718)),
])
def test_wilson_interval_matches_newcombe(successes, total, expected):
    assert st.wilson_interval(successes, total) == pytest.approx(expected, abs=1e-4)


def test_compare_counts_is_the_conditional_binomial_test():
    result = st.compare_counts(10, 20)
    assert result.p_value == pytest.approx(stats.binomtest(10, 30, 0.5).pvalue)
    assert result.p_value == pytest.approx(0.0987, abs=1e-4)
    assert result.change == -10 and result.percent_change == pytest.approx(-50.0)
    assert result.rate_ratio == pytest.approx(0.5)
    assert result.ratio_lower < 0.5 < result.ratio_upper
    assert not result.significant


def test_compare_counts_flags_real_changes_and_small_counts():
    assert st.compare_counts(1200, 1000).significant
    assert not st.compare_counts(1010, 1000).significant
    assert st.compare_counts(3, 9).too_small
    assert not st.compare_counts(30, 90).too_small


def test_compare_counts_with_unequal_exposure():
    # Same rate, twice the exposure: no evidence of change.
    result = st.compare_counts(200, 100, current_exposure=2, previous_exposure=1)
    assert result.rate_ratio == pytest.approx(1.0)
    assert result.p_value > 0.9


def test_rate_per_thousand():
    rate, low, high = st.rate_per(150, 100_000)
    assert rate == pytest.approx(1.5)
    assert low < 1.5 < high
    assert all(math.isnan(v) for v in st.rate_per(5, 0))


def test_poisson_trend_recovers_a_known_decline():
    counts = [round(5000 * 0.9 ** k) for k in range(6)]
    trend = st.poisson_trend(counts)
    assert trend.annual_percent == pytest.approx(-10, abs=0.2)
    assert trend.p_value < 0.001
    assert fmt.trend_label(trend) == "downward" and trend.years == 6


def test_poisson_trend_needs_three_years_and_sees_no_trend_in_flat_noise():
    assert st.poisson_trend([100, 90]) is None
    assert fmt.trend_label(None) == "not enough years"
    flat = st.poisson_trend([1000, 1030, 990, 1010, 1000])
    assert flat.p_value > 0.05
    assert fmt.trend_label(flat) == "no clear trend"


def test_describe_change_shows_absolute_beside_percent():
    assert fmt.describe_change(-123, -8.04) == "Down 8.0% (123 fewer offences)"
    assert fmt.describe_change(5, 2.5, "attendances") == "Up 2.5% (5 more attendances)"
    assert fmt.describe_change(-1, -0.1) == "Down 0.1% (1 fewer offences)"
    assert fmt.describe_change(0, 0.0).startswith("No change")


def test_volume_band():
    assert [fmt.volume_band(s) for s in (25, 5, 1)] == ["High volume", "Medium volume", "Low volume"]


def test_an_over_dispersed_series_has_no_clear_trend():
    # Poisson alone calls [100, 140, 90, 150, 110, 170] an upward trend (p < 0.001); the year-to-year scatter is
    # about 6.7 times what Poisson allows, and with that correction the trend is not clear.
    counts = [100, 140, 90, 150, 110, 170]
    trend = st.poisson_trend(counts)
    assert trend.dispersion == pytest.approx(6.695, abs=0.01)
    assert trend.p_value > 0.05 and fmt.trend_label(trend) == "no clear trend"


def clopper_pearson(k: int, n: int, alpha: float) -> tuple[float, float]:
    """The exact binomial interval from beta quantiles (an independent formula for the check below)."""
    from scipy import stats

    low = 0.0 if k == 0 else stats.beta.ppf(alpha / 2, k, n - k + 1)
    high = 1.0 if k == n else stats.beta.ppf(1 - alpha / 2, k + 1, n - k)
    return low, high


@pytest.mark.parametrize("current,previous,alpha", [(60, 40, 0.05), (60, 40, 0.10), (25, 50, 0.05)])
def test_rate_ratio_interval_is_the_transformed_clopper_pearson_interval(current, previous, alpha):
    result = st.compare_counts(current, previous, alpha=alpha)
    low, high = clopper_pearson(current, current + previous, alpha)
    assert result.rate_ratio == pytest.approx(current / previous)
    assert (result.ratio_lower, result.ratio_upper) == pytest.approx((low / (1 - low), high / (1 - high)))
    assert result.change == current - previous and result.percent_change == pytest.approx((current - previous) / previous * 100)
    assert (result.current, result.previous) == (current, previous)


def test_compare_counts_edges():
    assert st.compare_counts(0, 0) == st.CountComparison(0, 0, 0, math.nan, math.nan, math.nan, math.nan, 1.0, False, True) or \
        st.compare_counts(0, 0).p_value == 1.0
    empty = st.compare_counts(0, 0)
    assert (empty.current, empty.previous, empty.change, empty.p_value, empty.significant, empty.too_small) == (0, 0, 0, 1.0, False, True)
    assert all(math.isnan(v) for v in (empty.percent_change, empty.rate_ratio, empty.ratio_lower, empty.ratio_upper))
    assert st.compare_counts(10, 30).too_small is False and st.compare_counts(9, 30).too_small is True
    none_before = st.compare_counts(12, 0)
    assert math.isinf(none_before.rate_ratio) and math.isinf(none_before.ratio_upper) and math.isnan(none_before.percent_change)
    assert none_before.ratio_lower > 0
    exposures = st.compare_counts(100, 100, current_exposure=2.0, previous_exposure=1.0)
    assert exposures.rate_ratio == pytest.approx(0.5) and exposures.significant


def test_poisson_trend_interval_and_p_value_by_hand():
    import statsmodels.api as sm
    from scipy import stats

    counts = [100, 140, 90, 150, 110, 170]
    for alpha in (0.05, 0.2):
        trend = st.poisson_trend(counts, alpha=alpha)
        fit = sm.GLM(np.array(counts, float), sm.add_constant(np.arange(6.0)), family=sm.families.Poisson()).fit()
        pearson = float(np.sum((np.array(counts) - fit.mu) ** 2 / fit.mu))
        assert trend.dispersion == pytest.approx(pearson / 4)  # over n - 2 = 4 degrees of freedom
        se = fit.bse[1] * math.sqrt(trend.dispersion)
        t = stats.t.ppf(1 - alpha / 2, 4)
        assert trend.years == 6
        assert (trend.lower, trend.upper) == pytest.approx(((math.exp(fit.params[1] - t * se) - 1) * 100,
                                                            (math.exp(fit.params[1] + t * se) - 1) * 100))
        assert trend.p_value == pytest.approx(2 * stats.t.sf(abs(fit.params[1] / se), 4))
    assert st.poisson_trend([1, 0, 2]) is not None and st.poisson_trend([0, 0, 0]) is None
    assert st.poisson_trend([0, 0, 1]) is None  # the slope is infinite: no trend can be estimated
    under = st.poisson_trend([100, 101, 100, 101])
    assert under.dispersion < 0.05  # under-dispersed: the interval is narrower than Poisson's, and t allows for it
    exact = st.poisson_trend([100, 100, 100])
    assert exact.dispersion == 1.0 and exact.p_value == pytest.approx(1.0)  # a line fits exactly: taken as Poisson
    with pytest.raises(ValueError, match="yearly counts contain missing values"):
        st.poisson_trend([1, math.nan, 3])


def test_intervals_at_other_levels_and_edges():
    assert st.poisson_interval(10, alpha=0.1)[0] > st.poisson_interval(10)[0]
    assert st.byar_interval(0) == (0.0, pytest.approx(3.668, abs=0.001))
    assert st.byar_interval(10, alpha=0.1)[1] < st.byar_interval(10)[1]
    assert st.wilson_interval(0, 10)[0] == 0.0 and st.wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert st.wilson_interval(5, 10, alpha=0.1)[0] > st.wilson_interval(5, 10)[0]
    assert all(math.isnan(v) for v in st.wilson_interval(1, 0))
    rate, low, high = st.rate_per(20, 10_000, per=100_000, alpha=0.1)
    assert rate == pytest.approx(200.0) and (low, high) == pytest.approx(tuple(v * 10 for v in st.poisson_interval(20, 0.1)))
    with pytest.raises(ValueError):
        st.poisson_interval(-1)

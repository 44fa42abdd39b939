"""Association statistics against published worked values and hand calculations."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline.methods import associations as assoc

# Evans County heart disease study (Kleinbaum, Kupper & Morgenstern, Epidemiologic Research, 1982), the worked
# example in scipy's relative_risk documentation: CHD among high CAT 27/122, low CAT 44/487.
EVANS = dict(a=27, b=95, c=44, d=443)


def test_relative_risk_matches_the_published_evans_county_values():
    ratio, low, high = assoc.relative_risk(27, 122, 44, 487)
    assert (ratio, low, high) == pytest.approx((2.4495, 1.5837, 3.7887), abs=1e-4)


def test_odds_ratio_woolf_interval_by_hand():
    ratio, low, high = assoc.odds_ratio(**EVANS)
    se = math.sqrt(1 / 27 + 1 / 95 + 1 / 44 + 1 / 443)
    assert ratio == pytest.approx(27 * 443 / (95 * 44))
    assert ratio == pytest.approx(2.86, abs=0.005)
    assert (low, high) == pytest.approx((math.exp(math.log(ratio) - 1.959964 * se), math.exp(math.log(ratio) + 1.959964 * se)))
    assert (low, high) == pytest.approx((1.69, 4.85), abs=0.005)


def test_odds_ratio_with_a_zero_cell_uses_haldanes_correction():
    ratio, low, high = assoc.odds_ratio(0, 10, 5, 10)
    assert ratio == pytest.approx((0.5 * 10.5) / (10.5 * 5.5))
    assert low < ratio < high


def test_fisher_is_used_for_sparse_2x2_tables_and_matches_scipy():
    table = pd.DataFrame([[3, 1], [1, 3]], index=["exposed", "not"], columns=["case", "not case"])
    result = assoc.assess_association("sparse", table)
    assert result.test == "Fisher's exact"
    assert result.p_value == pytest.approx(stats.fisher_exact([[3, 1], [1, 3]])[1])
    assert result.notes


def test_chi_square_and_cramers_v_for_larger_tables():
    values = np.array([[30, 70], [60, 40], [45, 55]])
    result = assoc.assess_association("3x2", pd.DataFrame(values))
    chi2, p, _, _ = stats.chi2_contingency(values, correction=False)
    assert result.test == "Pearson chi-square" and result.p_value == pytest.approx(p)
    assert result.cramers_v == pytest.approx(math.sqrt(chi2 / (values.sum() * 1)))
    assert result.odds_ratio is None


def test_two_by_two_gets_odds_ratio_and_relative_risk():
    result = assoc.assess_association("evans", pd.DataFrame([[27, 95], [44, 443]]))
    assert result.odds_ratio[0] == pytest.approx(2.8615, abs=1e-4)
    assert result.relative_risk[0] == pytest.approx(2.4495, abs=1e-4)


def test_untestable_tables():
    assert assoc.assess_association("one row", pd.DataFrame([[5, 5], [0, 0]])) is None


def test_benjamini_hochberg_by_hand():
    # Sorted: 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.02, 0.04, 0.04 after p*m/k and the running minimum.
    assert assoc.benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert assoc.benjamini_hochberg([0.9, 0.8]) == pytest.approx([0.9, 0.9])
    assert stats.false_discovery_control([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_fisher_is_used_when_any_one_expected_count_is_under_5():
    # Expected counts of [[8, 2], [40, 50]]: 4.8 in one cell only; the chi-square approximation is unreliable there.
    result = assoc.assess_association("q", pd.DataFrame([[8, 2], [40, 50]]))
    assert result.test == "Fisher's exact"
    assert result.p_value == pytest.approx(stats.fisher_exact([[8, 2], [40, 50]])[1])
    assert assoc.assess_association("q", pd.DataFrame([[30, 20], [40, 50]])).test == "Pearson chi-square"


def test_clustered_odds_ratio_matches_statsmodels_cluster_robust_logistic_regression():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    cluster = rng.integers(0, 400, 2000)
    exposed = rng.random(2000) < 0.4
    trait = rng.random(400) < 0.3
    flag = rng.random(2000) < np.where(trait[cluster], 0.5, 0.2) * np.where(exposed, 1.3, 1.0)
    ratio, low, high, p = assoc.clustered_odds_ratio(flag, exposed, cluster)
    fit = sm.GLM(flag.astype(float), sm.add_constant(exposed.astype(float)), family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": cluster})
    assert ratio == pytest.approx(np.exp(fit.params[1]), rel=1e-9)
    assert (low, high) == pytest.approx(tuple(np.exp(fit.conf_int()[1])), rel=1e-9)
    assert p == pytest.approx(fit.pvalues[1], rel=1e-6)
    assert assoc.clustered_odds_ratio(np.ones(10, bool), exposed[:10], cluster[:10]) is None  # no unflagged record

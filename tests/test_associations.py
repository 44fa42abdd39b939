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

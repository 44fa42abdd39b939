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


def test_the_cr1_negative_control_matches_statsmodels_cluster_robust_logistic_regression():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    cluster = rng.integers(0, 400, 2000)
    exposed = rng.random(2000) < 0.4
    trait = rng.random(400) < 0.3
    flag = rng.random(2000) < np.where(trait[cluster], 0.5, 0.2) * np.where(exposed, 1.3, 1.0)
    ratio, low, high, p = assoc.clustered_odds_ratio(flag, exposed, cluster, small_sample="CR1")
    fit = sm.GLM(flag.astype(float), sm.add_constant(exposed.astype(float)), family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": cluster})
    assert ratio == pytest.approx(np.exp(fit.params[1]), rel=1e-9)
    assert (low, high) == pytest.approx(tuple(np.exp(fit.conf_int()[1])), rel=1e-9)
    assert p == pytest.approx(fit.pvalues[1], rel=1e-6)
    assert assoc.clustered_odds_ratio(np.ones(10, bool), exposed[:10], cluster[:10]) is None  # no unflagged record


def cr2_by_matrices(flag, exposed, cluster):
    """CR2 and its Bell-McCaffrey degrees of freedom computed from the full hat matrix, cluster by cluster, as in
    Pustejovsky & Tipton (2018) section 2 (whitened working model of the logistic fit): an independent check of
    the closed form the production code uses."""
    from scipy import linalg

    y = flag.astype(float)
    X = np.column_stack([np.ones(len(y)), exposed.astype(float)])
    p = np.where(exposed, y[exposed].mean(), y[~exposed].mean())
    w = p * (1 - p)
    Xw, e = X * np.sqrt(w)[:, None], (y - p) / np.sqrt(w)
    bread = np.linalg.inv(Xw.T @ Xw)
    hat, identity = Xw @ bread @ Xw.T, np.eye(len(y))
    meat, columns = np.zeros((2, 2)), []
    for c in np.unique(cluster):
        rows = np.flatnonzero(cluster == c)
        adjust = linalg.inv(linalg.sqrtm(identity[np.ix_(rows, rows)] - hat[np.ix_(rows, rows)])).real
        score = Xw[rows].T @ adjust @ e[rows]
        meat += np.outer(score, score)
        columns.append((identity - hat)[:, rows] @ adjust @ Xw[rows] @ bread @ np.array([0.0, 1.0]))
    se = math.sqrt((bread @ meat @ bread)[1, 1])
    g = np.column_stack(columns).T @ np.column_stack(columns)
    df = np.trace(g) ** 2 / np.trace(g @ g)
    log_ratio = math.log(p[exposed][0] / (1 - p[exposed][0])) - math.log(p[~exposed][0] / (1 - p[~exposed][0]))
    quantile = stats.t.ppf(0.975, df)
    return math.exp(log_ratio - quantile * se), math.exp(log_ratio + quantile * se), 2 * stats.t.sf(abs(log_ratio) / se, df)


@pytest.mark.parametrize("seed", range(4))
def test_cr2_with_bell_mccaffrey_degrees_of_freedom_matches_the_matrix_computation(seed):
    rng = np.random.default_rng(seed)
    cluster = rng.choice(30, size=160, p=np.r_[0.3, np.full(29, 0.7 / 29)])  # one person with about 30% of records
    exposed, flag = rng.random(160) < 0.4, rng.random(160) < 0.3
    ratio, low, high, p = assoc.clustered_odds_ratio(flag, exposed, cluster)
    assert (low, high, p) == pytest.approx(cr2_by_matrices(flag, exposed, cluster), rel=1e-9)


def test_cr2_cannot_estimate_when_one_person_holds_every_record_of_a_group():
    exposed = np.array([True] * 10 + [False] * 20)
    flag = np.array([True, False] * 15)
    cluster = np.r_[np.zeros(10, int), np.arange(1, 21)]
    assert assoc.clustered_odds_ratio(flag, exposed, cluster) is None
    assert assoc.clustered_odds_ratio(flag, exposed, cluster, small_sample="CR1") is not None


def make_test(question, table, p, odds=None, notes=()):
    result = assoc.AssociationTest(question, pd.DataFrame(table), "clustered logistic (by person, CR2)", p, math.nan,
                                   odds_ratio=odds, notes=list(notes))
    return result


def test_summary_and_untestable_tables_show_numbers_and_protect_counts():
    tests = assoc.adjust([make_test("a", [[30, 70], [20, 80]], 0.01, (1.71, 0.9, 3.2)),
                          make_test("b", [[2, 1], [1, 0]], 0.5, None, ["small"])])
    assert [t.p_adjusted for t in tests] == pytest.approx([0.02, 0.5])
    table = assoc.summary_table(tests)
    assert list(table.columns) == assoc.SUMMARY_COLUMNS
    first = table.iloc[0]
    assert (first["Question"], first["Records"], first["p-value"], first["BH-adjusted p"]) == ("a", 200, 0.01, pytest.approx(0.02))
    assert str(first["Odds ratio (95% CI)"]) == "1.71 (0.90 to 3.20)" and first["Beyond chance after FDR control"] == "yes"
    assert first["Test"] == "clustered logistic (by person, CR2)" and first["Notes"] == ""
    second = table.iloc[1]
    assert second["Records"] == "[c]" and second["p-value"] == "[c]" and second["Odds ratio (95% CI)"] == "[c]"
    untestable = assoc.untestable_table([make_test("c", [[3, 9], [40, 60]], math.nan, notes=["too few", "really"])])
    assert untestable.iloc[0].to_dict() == {"Question": "c", "Exposed records": 12, "Reference records": 100,
                                            "Flagged records": 43, "Why": "too few; really"}
    assert assoc.untestable_table([]).empty and list(assoc.untestable_table([]).columns)[0] == "Question"


def test_benjamini_hochberg_handles_ties_order_and_empty():
    assert assoc.benjamini_hochberg([]).size == 0
    assert assoc.benjamini_hochberg([0.04, 0.01, 0.03]) == pytest.approx([0.04, 0.03, 0.04])
    assert assoc.benjamini_hochberg([0.9, 0.8]) == pytest.approx([0.9, 0.9])
    assert assoc.benjamini_hochberg([0.6, 0.7]).max() <= 1.0


def test_cramers_v_and_relative_risk_edges():
    assert assoc.cramers_v(np.array([[10, 0], [0, 10]])) == pytest.approx(1.0)
    assert assoc.cramers_v(np.array([[10, 10], [10, 10]])) == pytest.approx(0.0)
    assert math.isnan(assoc.cramers_v(np.array([[0, 0], [0, 0]]))) and math.isnan(assoc.cramers_v(np.array([[5, 5]])))
    assert all(math.isnan(v) for v in assoc.relative_risk(0, 10, 5, 10))
    assert assoc.relative_risk(5, 10, 5, 10, alpha=0.1)[1] > assoc.relative_risk(5, 10, 5, 10)[1]
    assert assoc.odds_ratio(5, 5, 5, 5, alpha=0.1)[1] > assoc.odds_ratio(5, 5, 5, 5)[1]


def test_clustered_odds_ratio_edges():
    flag = np.array([True, False] * 10)
    exposed = np.array([True] * 10 + [False] * 10)
    assert assoc.clustered_odds_ratio(flag, np.zeros(20, bool), np.arange(20)) is None  # no exposed records
    separated = np.array([True] * 10 + [True, False] * 5)
    assert assoc.clustered_odds_ratio(separated, exposed, np.arange(20)) is None  # every exposed record flagged
    ratio, low, high, p = assoc.clustered_odds_ratio(flag, exposed, np.arange(20))
    assert ratio == pytest.approx(1.0) and p == pytest.approx(1.0) and low < 1 < high
    narrow = assoc.clustered_odds_ratio(flag, exposed, np.arange(20), alpha=0.2)
    assert narrow[1] > low


def test_assess_association_drops_empty_rows_and_refuses_a_single_row():
    assert assoc.assess_association("q", pd.DataFrame([[5, 5], [0, 0]])) is None
    wide = assoc.assess_association("q", pd.DataFrame([[20, 30], [30, 20], [25, 25]]))
    assert wide.test == "Pearson chi-square" and wide.odds_ratio is None and wide.n == 150
    sparse = assoc.assess_association("q", pd.DataFrame([[1, 3], [6, 20], [25, 25]]))
    assert sparse.test == "Pearson chi-square" and "treat this chi-square p-value with caution" in sparse.notes[0]


def test_clustered_odds_ratio_refuses_separation_in_either_group_and_works_with_two_clusters():
    exposed = np.array([True] * 10 + [False] * 10)
    for flag in ([False] * 10 + [True, False] * 5, [True, False] * 5 + [False] * 10, [True, False] * 5 + [True] * 10):
        assert assoc.clustered_odds_ratio(np.array(flag), exposed, np.arange(20)) is None
    flag = np.array([True, False, False, True] * 5)
    two = assoc.clustered_odds_ratio(flag, exposed, np.array([0] * 10 + [1] * 10))
    assert two is None or all(np.isfinite(two))  # two clusters: the sandwich has one degree of freedom
    many = assoc.clustered_odds_ratio(flag.astype(int), exposed.astype(int), np.arange(20))
    assert many is not None and many[0] == pytest.approx(assoc.clustered_odds_ratio(flag, exposed, np.arange(20))[0])

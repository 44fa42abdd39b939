"""Associations in contingency tables: odds ratios, relative risks, the right test for the table,
effect size, and false-discovery-rate control across many tests."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from pipeline.methods.disclosure import protect
from pipeline.methods.statistics import ALPHA
from pipeline.methods.values import Estimate

MIN_EXPECTED = 5  # Cochran (1954): chi-square is unreliable when an expected count is under 5


def odds_ratio(a: int, b: int, c: int, d: int, alpha: float = ALPHA) -> tuple[float, float, float]:
    """Odds ratio of the 2x2 table [[a, b], [c, d]] (exposed: a cases, b non-cases; unexposed: c, d) with
    Woolf's logit interval.

    Woolf B. (1955) "On estimating the relation between blood group and disease", Ann Hum Genet 19:251-253:
    OR = ad/bc, SE(ln OR) = sqrt(1/a + 1/b + 1/c + 1/d). When a cell is zero, 0.5 is added to every cell
    (Haldane J.B.S. (1956) Ann Hum Genet 20:309-311).
    """
    cells = np.array([a, b, c, d], dtype=float)
    if (cells == 0).any():
        cells = cells + 0.5
    a, b, c, d = cells
    ratio = a * d / (b * c)
    se = math.sqrt((1 / cells).sum())
    z = stats.norm.ppf(1 - alpha / 2)
    return ratio, math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se)


def relative_risk(exposed_cases: int, exposed_total: int, control_cases: int, control_total: int,
                  alpha: float = ALPHA) -> tuple[float, float, float]:
    """Relative risk with the Katz log interval.

    Katz D., Baptista J., Azen S.P. & Pike M.C. (1978) "Obtaining confidence intervals for the risk ratio in
    cohort studies", Biometrics 34:469-474: SE(ln RR) = sqrt(1/a - 1/n1 + 1/c - 1/n0). Undefined (nan) when
    either group has no cases.
    """
    if min(exposed_cases, control_cases) == 0 or min(exposed_total, control_total) == 0:
        return math.nan, math.nan, math.nan
    ratio = (exposed_cases / exposed_total) / (control_cases / control_total)
    se = math.sqrt(1 / exposed_cases - 1 / exposed_total + 1 / control_cases - 1 / control_total)
    z = stats.norm.ppf(1 - alpha / 2)
    return ratio, math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se)


def cramers_v(table: np.ndarray) -> float:
    """Cramer's V = sqrt(chi2 / (n (min(r, c) - 1))) (Cramer H. (1946) Mathematical Methods of Statistics, p. 282)."""
    table = np.asarray(table, dtype=float)
    n = table.sum()
    k = min(table.shape) - 1
    if n == 0 or k == 0:
        return math.nan
    chi2 = stats.chi2_contingency(table, correction=False)[0]
    return math.sqrt(chi2 / (n * k))


def _cluster_group_sums(values: np.ndarray, exposed: np.ndarray, codes: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Per cluster, the sum of `values` over its exposed records and over its reference records."""
    return (np.bincount(codes, weights=np.where(exposed, values, 0.0), minlength=groups),
            np.bincount(codes, weights=np.where(exposed, 0.0, values), minlength=groups))


def clustered_odds_ratio(flag: np.ndarray, exposed: np.ndarray, cluster: np.ndarray, alpha: float = ALPHA,
                         small_sample: str = "CR2") -> tuple[float, float, float, float] | None:
    """Odds ratio of a record-level flag between exposed and reference records, with a cluster-robust interval
    and p-value: (ratio, lower, upper, p), or None when it cannot be estimated.

    Records of one person are not independent (a flag often records a trait of the person), so the variance is
    a sandwich (cluster-robust) estimator of a logistic regression of the flag on the exposure, clustered by
    person (Liang K.-Y. & Zeger S.L. (1986) Biometrika 73:13-22). With one binary covariate the estimates are
    the two groups' log odds; S_cg is cluster c's sum of residuals (y - p_g) over its records in group g,
    m_cg their number, a = n0 p0 (1-p0) and b = n1 p1 (1-p1).

    - ``small_sample="CR2"`` (the default, used in the report): the bias-reduced linearisation of Bell R.M. &
      McCaffrey D.F. (2002) "Bias reduction in standard errors for linear regression with multi-stage
      samples", Survey Methodology 28:169-181, with their Satterthwaite degrees of freedom, as R's clubSandwich
      (Pustejovsky J.E. & Tipton E. (2018) J Bus Econ Stat 36:672-683) computes for a GLM. Here the hat matrix
      is block-constant, H_ij = 1/n_g for two records of group g, so the adjustment divides S_cg by
      sqrt(1 - m_cg/n_g); Var(log OR) = sum_c (S~_c1/b - S~_c0/a)^2. The degrees of freedom are
      (tr M)^2 / tr(M^2) for M = D - U U' (D_c = sum_g m_cg t_cg^2, U_cg = m_cg t_cg / sqrt(n_g),
      t_cg = s_g / sqrt(1 - m_cg/n_g), s_1 = 1/(n1 sqrt(w1)), s_0 = -1/(n0 sqrt(w0))), and the p-value and
      interval use Student's t on them. One person holding a fifth of a group's records leaves few effective
      degrees of freedom, and the test widens accordingly; the CR1 test below rejects a true null about
      twice as often as it should there (tests/test_null_simulations.py).
    - ``small_sample="CR1"``: the factor G/(G-1) (N-1)/(N-2) of Cameron A.C. & Miller D.L. (2015) J Human
      Resources 50:317-372 (statsmodels' GLM cov_type='cluster') with a normal reference. Kept only as the
      simulations' negative control.

    Comparing people by whether *any* of their records is flagged is biased (people with more records have more
    chances), which is why repeat and single people are compared record by record.
    """
    flag, exposed = np.asarray(flag, dtype=bool), np.asarray(exposed, dtype=bool)
    codes = np.unique(np.asarray(cluster), return_inverse=True)[1].ravel()
    n1, n0 = int(exposed.sum()), int((~exposed).sum())
    if min(n1, n0) == 0:
        return None
    p1, p0 = flag[exposed].mean(), flag[~exposed].mean()
    if p1 in (0.0, 1.0) or p0 in (0.0, 1.0):
        return None
    a, b = n0 * p0 * (1 - p0), n1 * p1 * (1 - p1)
    residual = flag - np.where(exposed, p1, p0)
    groups = codes.max() + 1
    s1, s0 = _cluster_group_sums(residual, exposed, codes, groups)
    log_ratio = math.log(p1 / (1 - p1)) - math.log(p0 / (1 - p0))
    if small_sample == "CR1":
        n = n0 + n1
        correction = groups / (groups - 1) * (n - 1) / (n - 2) if groups > 1 and n > 2 else math.nan
        variance, df = float(np.sum((s1 / b - s0 / a) ** 2)) * correction, math.inf
    elif small_sample == "CR2":
        m1, m0 = _cluster_group_sums(np.ones(len(flag)), exposed, codes, groups)
        left1, left0 = 1 - m1 / n1, 1 - m0 / n0
        if (left1 <= 0).any() or (left0 <= 0).any():  # one person holds every record of a group
            return None
        variance = float(np.sum((s1 / np.sqrt(left1) / b - s0 / np.sqrt(left0) / a) ** 2))
        w1, w0 = p1 * (1 - p1), p0 * (1 - p0)
        t1, t0 = 1 / (n1 * math.sqrt(w1)) / np.sqrt(left1), -1 / (n0 * math.sqrt(w0)) / np.sqrt(left0)
        diagonal = m1 * t1 ** 2 + m0 * t0 ** 2
        u = np.column_stack([m1 * t1 / math.sqrt(n1), m0 * t0 / math.sqrt(n0)])
        trace = float(diagonal.sum() - (u ** 2).sum())
        trace_square = float((diagonal ** 2).sum() - 2 * (diagonal * (u ** 2).sum(axis=1)).sum()
                             + ((u.T @ u) ** 2).sum())
        if not trace_square > 0:
            return None
        df = trace ** 2 / trace_square
    else:
        raise ValueError(f"small_sample must be 'CR2' or 'CR1', not {small_sample!r}")
    if not variance > 0:
        return None
    se = math.sqrt(variance)
    quantile = float(stats.t.ppf(1 - alpha / 2, df))  # Student's t with infinite df is the normal
    p_value = float(2 * stats.t.sf(abs(log_ratio) / se, df))
    return math.exp(log_ratio), math.exp(log_ratio - quantile * se), math.exp(log_ratio + quantile * se), p_value


@dataclass
class AssociationTest:
    """One association: the table, the test chosen for it and its effect sizes."""

    question: str
    table: pd.DataFrame
    test: str
    p_value: float
    cramers_v: float
    odds_ratio: tuple[float, float, float] | None = None
    relative_risk: tuple[float, float, float] | None = None
    notes: list[str] = field(default_factory=list)
    p_adjusted: float = math.nan

    @property
    def n(self) -> int:
        return int(self.table.to_numpy().sum())


def assess_association(question: str, table: pd.DataFrame) -> AssociationTest | None:
    """Choose and run the test for a contingency table (rows: the exposure or groups; columns: the outcome,
    with the outcome of interest first).

    2x2 with any expected count under 5: Fisher's exact test (Fisher R.A. (1935) J R Stat Soc 98:39-82).
    Otherwise Pearson's chi-square without continuity correction, with Cramer's V. A 2x2 table also gets the
    odds ratio (Woolf) and the relative risk (Katz) of the first row against the second. Rows or columns with
    no observations are dropped; a table that is then smaller than 2x2 cannot be tested (None).
    """
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return None
    values = table.to_numpy()
    expected = stats.contingency.expected_freq(values)
    notes = []
    if values.shape == (2, 2) and (expected < MIN_EXPECTED).any():
        test, p_value = "Fisher's exact", float(stats.fisher_exact(values)[1])
        notes.append("an expected count is under 5, so Fisher's exact test is used")
    else:
        test, p_value = "Pearson chi-square", float(stats.chi2_contingency(values, correction=False)[1])
        if (expected < MIN_EXPECTED).any():
            notes.append("an expected count is under 5: treat this chi-square p-value with caution")
    result = AssociationTest(question, table, test, p_value, cramers_v(values), notes=notes)
    if values.shape == (2, 2):
        (a, b), (c, d) = values
        result.odds_ratio = odds_ratio(a, b, c, d)
        result.relative_risk = relative_risk(a, a + b, c, c + d)
    return result


def benjamini_hochberg(p_values: list[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), controlling the false discovery rate.

    Benjamini Y. & Hochberg Y. (1995) J R Stat Soc B 57:289-300: sort the m p-values, adjust the k-th smallest
    to p(k) m / k, then take the running minimum from the largest down, capped at 1.
    """
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * p.size / np.arange(1, p.size + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def adjust(tests: list[AssociationTest]) -> list[AssociationTest]:
    """Set each test's BH-adjusted p-value, across the whole family of tests."""
    for result, q in zip(tests, benjamini_hochberg([t.p_value for t in tests]), strict=True):
        result.p_adjusted = float(q)
    return tests


SUMMARY_COLUMNS = ["Question", "Records", "Test", "p-value", "BH-adjusted p", "Odds ratio (95% CI)",
                   "Beyond chance after FDR control", "Notes"]


def summary_table(tests: list[AssociationTest]) -> pd.DataFrame:
    """One row per tested question: question, records, test, p, BH-adjusted p and the odds ratio with its interval."""
    table = pd.DataFrame([{
        "Question": t.question, "Records": t.n, "Test": t.test, "p-value": t.p_value, "BH-adjusted p": t.p_adjusted,
        "Odds ratio (95% CI)": Estimate(*t.odds_ratio) if t.odds_ratio else None,
        "Beyond chance after FDR control": "yes" if t.p_adjusted < ALPHA else "no",
        "Notes": "; ".join(t.notes)} for t in tests]).reindex(columns=SUMMARY_COLUMNS)
    return protect(table, ["Records"], SUMMARY_COLUMNS[2:-1])


def untestable_table(tests: list[AssociationTest]) -> pd.DataFrame:
    """Questions the data cannot answer yet, with the records each group has (flag recorded)."""
    table = pd.DataFrame([{"Question": t.question, "Exposed records": int(t.table.iloc[0].sum()),
                           "Reference records": int(t.table.iloc[1].sum()), "Flagged records": int(t.table.iloc[:, 0].sum()),
                           "Why": "; ".join(t.notes)} for t in tests],
                         columns=["Question", "Exposed records", "Reference records", "Flagged records", "Why"])
    return protect(table, ["Exposed records", "Reference records", "Flagged records"])

"""Every question of the association family, checked by simulation (tests/null_harness.py): on 200 data sets
with no effect each rejects at its nominal 5% rate, within Monte Carlo error; after Benjamini-Hochberg the
family-wise false-positive rate is at most 5%; a planted odds ratio of 2.5 is covered by the 95% interval in
about 95% of simulations. Seeded; about 20 seconds."""
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import null_harness as nh
from pipeline.methods.associations import ALPHA, assess_association

pytestmark = pytest.mark.slow
SIMULATIONS = 200
PLANTED_OR = 2.5


def acceptance(n: int, rate: float, level: float = 0.999) -> tuple[int, int]:
    """The central `level` range of Binomial(n, rate): the counts a correct method produces with that probability."""
    tail = (1 - level) / 2
    return int(stats.binom.ppf(tail, n, rate)), int(stats.binom.isf(tail, n, rate))


@pytest.fixture(scope="module")
def null_runs():
    rng = np.random.default_rng(20251125)
    return [nh.null_family(rng) for _ in range(SIMULATIONS)]


def test_every_question_rejects_at_its_nominal_rate_under_the_null(null_runs):
    rejections, runs, clustered = defaultdict(int), defaultdict(int), defaultdict(int)
    for tests in null_runs:
        for test in tests:
            if test.test == "not testable":
                continue
            runs[test.question] += 1
            rejections[test.question] += test.p_value < ALPHA
            clustered[test.question] += test.test.startswith("clustered")
    assert len(runs) >= 80  # the whole family: 4 flags x 11 factors (violence) and 10 (ASB)
    too_many, too_few = [], []
    for question, n in runs.items():
        # 99.99% per question, so that a correct method passes all ~84 checks together about 99% of the time
        low, high = acceptance(n, ALPHA, 0.9999)
        if rejections[question] > high:
            too_many.append(f"{question}: {rejections[question]} of {n}")
        if clustered[question] == n and rejections[question] < low:  # Fisher's test is allowed to be conservative
            too_few.append(f"{question}: {rejections[question]} of {n}")
    assert too_many == [] and too_few == []
    pooled = sum(rejections.values()) / sum(runs.values())
    assert 0.035 < pooled < 0.06, pooled


def test_family_wise_false_positive_rate_after_fdr_control(null_runs):
    any_found = sum(any(t.p_adjusted < ALPHA for t in tests if t.test != "not testable") for tests in null_runs)
    low, high = acceptance(SIMULATIONS, ALPHA)
    print(f"datasets with any finding after BH control, no effect planted: {any_found} of {SIMULATIONS}")
    assert any_found <= high


FLAG_CYCLE = ("alcohol_flag", "mental_health_flag", "drugs_flag")
EXPOSED = {"Violence": ["night-time economy", "Zone A", "Zone B", "under 18", "18-24", "35-49", "50 and over", "repeat suspect",
                        "repeat victim", "domestic-flagged"],
           "ASB": ["repeat perpetrator", "repeat victim", "vulnerable victim", "street-based", "under 18", "18-24", "35-49",
                   "50 and over", "night-time economy", "Zone A", "Zone B"]}
# Every factor of the family, each with one of the flags in turn (dual diagnosis is derived from the three).
PLANTED = [(source, exposed, FLAG_CYCLE[i % 3]) for source, labels in EXPOSED.items() for i, exposed in enumerate(labels)]


@pytest.mark.parametrize("source,exposed,flag", PLANTED, ids=lambda v: str(v).replace(" ", "_"))
def test_a_planted_odds_ratio_is_covered_by_its_interval(source, exposed, flag):
    rng = np.random.default_rng(7 + PLANTED.index((source, exposed, flag)))
    covered = found = 0
    for _ in range(SIMULATIONS):
        test = nh.planted_family(rng, source, exposed, flag, PLANTED_OR)
        if test.odds_ratio is None:  # a small group with no flagged record: not estimable, counted as not covered
            continue
        ratio, low, high = test.odds_ratio
        covered += low <= PLANTED_OR <= high
        found += test.p_value < ALPHA
    low_count, high_count = acceptance(SIMULATIONS, 0.95, 0.9999)
    assert low_count <= covered <= high_count, f"covered {covered} of {SIMULATIONS}"
    if exposed not in ("under 18", "Zone B"):  # small groups: an odds ratio of 2.5 is often not found there
        assert found > SIMULATIONS / 2


def test_comparing_people_by_any_record_flagged_finds_an_effect_where_there_is_none():
    """The negative control: the comparison the family replaced, on the same null data, rejects far too often."""
    rng = np.random.default_rng(5)
    rejections = 0
    for _ in range(50):
        violence, _ = nh.frames(rng)
        violence = nh.draw_flags(rng, violence)
        people = violence[violence["suspect_id"] != ""].assign(
            y=lambda f: f["mental_health_flag"].eq("Y"), recorded=lambda f: f["mental_health_flag"].ne(""))
        people = people[people["recorded"]].groupby("suspect_id").agg(records=("y", "size"), any_flag=("y", "any"))
        table = pd.crosstab(people["records"] >= 2, people["any_flag"]).reindex(index=[True, False], columns=[True, False])
        rejections += assess_association("any record flagged", table).p_value < ALPHA
    assert rejections > 40  # of 50: the bias the record-level comparison removes


@pytest.mark.parametrize("annual,months,change", [(1200, 6, 1.0), (1200, 9, 0.8), (300, 3, 1.2), (60, 2, 1.0)])
def test_the_projected_year_end_interval_covers_the_years_expected_count(annual, months, change):
    """Baseline and target year drawn from the same seasonal pattern (target year scaled by `change`): the
    projection's 95% interval covers the target year's expected count about 95% of the time."""
    from pipeline.analysis.targets import projection_interval

    rng = np.random.default_rng(annual + months)
    season = np.array([1, 1, 1.2, 1.2, 1.4, 1.4, 1, 1, 0.8, 0.8, 0.6, 0.6])
    season = season / season.sum()
    covered = 0
    for _ in range(SIMULATIONS * 5):
        baseline = rng.poisson(annual * season)
        count = int(rng.poisson(change * annual * season[:months]).sum())
        low, high = projection_interval(count, int(baseline.sum()), int(baseline[:months].sum()))
        covered += low <= change * annual <= high
    low_count, high_count = acceptance(SIMULATIONS * 5, 0.95, 0.999)
    assert low_count <= covered <= high_count, f"covered {covered} of {SIMULATIONS * 5}"


def _yearly_counts(rng: np.random.Generator, means: np.ndarray, dispersion: float) -> np.ndarray:
    """Yearly counts with variance `dispersion` x mean (gamma-Poisson; Poisson at 1), as crime counts vary."""
    if dispersion == 1:
        return rng.poisson(means)
    return rng.poisson(rng.gamma(means / (dispersion - 1), dispersion - 1))


@pytest.mark.parametrize("years", [3, 5, 8])
@pytest.mark.parametrize("dispersion", [1, 3, 10])
def test_the_long_term_trend_rejects_a_flat_series_at_its_nominal_rate_and_covers_a_planted_decline(years, dispersion):
    """poisson_trend on 1,000 flat series of `years` yearly counts (mean 500, variance `dispersion` x mean) calls
    about 5% of them a trend; on 1,000 series falling 5% a year its 95% interval covers -5% about 95% of the time.
    (The normal reference with a dispersion floored at 1 called 10-26% of flat over-dispersed series a trend.)"""
    from pipeline.methods.statistics import poisson_trend

    rng = np.random.default_rng(years * 100 + dispersion)
    runs = 1000
    flat = [poisson_trend(_yearly_counts(rng, np.full(years, 500.0), dispersion)) for _ in range(runs)]
    falling = [poisson_trend(_yearly_counts(rng, 500 * 0.95 ** np.arange(years), dispersion)) for _ in range(runs)]
    rejected = sum(t.p_value < 0.05 for t in flat)
    covered = sum(t.lower <= -5 <= t.upper for t in falling)
    low, high = acceptance(runs, 0.05)
    assert low <= rejected <= high, f"{rejected} of {runs} flat series called a trend"
    low, high = acceptance(runs, 0.95)
    assert low <= covered <= high, f"the interval covered the planted -5% in {covered} of {runs}"


@pytest.mark.parametrize("expected", [15, 200, 2000])
def test_the_year_on_year_screen_rejects_at_its_nominal_rate_and_covers_a_planted_rise(expected):
    """compare_counts (the conditional exact test behind 'beyond natural variation') on 2,000 pairs of Poisson
    years with the same mean rejects at most 5% (it is exact, so conservative on discrete counts), and its 95%
    interval covers a planted rate ratio of 1.2 at least 95% of the time."""
    from pipeline.methods.statistics import compare_counts

    rng = np.random.default_rng(expected)
    runs = 2000
    same = [compare_counts(int(rng.poisson(expected)), int(rng.poisson(expected))) for _ in range(runs)]
    rejected = sum(c.significant for c in same)
    risen = [compare_counts(int(rng.poisson(1.2 * expected)), int(rng.poisson(expected))) for _ in range(runs)]
    covered = sum(c.ratio_lower <= 1.2 <= c.ratio_upper for c in risen)
    assert rejected <= acceptance(runs, 0.05)[1], f"{rejected} of {runs} equal years called a change"
    assert rejected >= acceptance(runs, 0.02)[0], f"only {rejected} of {runs}: far more conservative than exact tests are"
    assert covered >= acceptance(runs, 0.95)[0], f"covered 1.2 in {covered} of {runs}"

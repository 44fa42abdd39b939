"""Every question of the association family, checked by simulation (tests/null_harness.py): on 400 data sets
with no effect, in the harness's hard form (one person on 10% to 25% of the records, placeholder ids on 5% to
30%, and one data set in four an eighth of the size, so that many groups hold fewer than 20 people), each
question rejects at its nominal rate at 0.05 and at 0.005 (where Benjamini-Hochberg decides), within its 99.99%
binomial range; the CR1 sandwich it replaced fails the same check (the negative control). After
Benjamini-Hochberg the family-wise false-positive rate is at most 5%; a planted odds ratio of 2.5 is covered by
the 95% interval in about 95% of simulations. Seeded; about four minutes."""
import functools
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import null_harness as nh
from pipeline.analysis import family
from pipeline.methods import associations
from pipeline.methods.associations import ALPHA, assess_association

pytestmark = pytest.mark.slow
SIMULATIONS = 200
NULL_SIMULATIONS = 400
PLANTED_OR = 2.5
LEVELS = (ALPHA, 0.005)


def acceptance(n: int, rate: float, level: float = 0.999) -> tuple[int, int]:
    """The central `level` range of Binomial(n, rate): the counts a correct method produces with that probability."""
    tail = (1 - level) / 2
    return int(stats.binom.ppf(tail, n, rate)), int(stats.binom.isf(tail, n, rate))


def hard_null_runs(simulations: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    return [nh.null_family(rng, hard=True, scale=0.125 if i % 4 == 3 else 1.0) for i in range(simulations)]


def rate_failures(runs_of_tests: list) -> tuple[list[str], dict[str, int]]:
    """Questions whose rejections at either level fall outside the 99.99% binomial range (99.99% per question, so
    that a correct method passes all ~84 checks at two levels together about 98% of the time). Fisher's exact
    test is allowed to be conservative, so a question is held to the lower end only where every run was
    clustered."""
    rejections, runs, clustered = defaultdict(int), defaultdict(int), defaultdict(int)
    for tests in runs_of_tests:
        for test in tests:
            if test.test == family.NOT_TESTABLE:
                continue
            runs[test.question] += 1
            clustered[test.question] += test.test.startswith("clustered")
            for level in LEVELS:
                rejections[test.question, level] += test.p_value < level
    failures = []
    for question, n in runs.items():
        for level in LEVELS:
            low, high = acceptance(n, level, 0.9999)
            count = rejections[question, level]
            if count > high or (clustered[question] == n and count < low):
                failures.append(f"{question} at {level}: {count} of {n} (range {low} to {high})")
    return failures, {"questions": len(runs), **{f"rejected at {level}": sum(rejections[q, level] for q in runs)
                                                 for level in LEVELS}, "tests": sum(runs.values())}


@pytest.fixture(scope="module")
def null_runs():
    return hard_null_runs(NULL_SIMULATIONS, 20251125)


def test_every_question_rejects_at_its_nominal_rate_under_the_null(null_runs):
    failures, counts = rate_failures(null_runs)
    print(counts)
    assert counts["questions"] >= 80  # the whole family: 4 flags x 11 factors (violence) and 10 (ASB)
    assert failures == []
    assert 0.03 < counts[f"rejected at {ALPHA}"] / counts["tests"] < 0.06, counts


def test_the_cr1_sandwich_fails_the_same_check_with_a_dominant_person(monkeypatch):
    """The negative control: the CR1 sandwich (normal reference) is anti-conservative when one person holds a
    large share of a group's records; on 100 of the same hard data sets some question rejects far too often."""
    monkeypatch.setattr(family, "clustered_odds_ratio",
                        functools.partial(associations.clustered_odds_ratio, small_sample="CR1"))
    failures, _ = rate_failures(hard_null_runs(100, 20251125))
    assert failures, "CR1 passed the dominant-person harness: the harness no longer tests what it should"


def test_a_dominant_perpetrator_and_an_independent_flag_give_no_association():
    """The case the issue found: one perpetrator on a fifth of ASB cases, the flag independent of the person."""
    rng = np.random.default_rng(26)
    found = 0
    for _ in range(40):
        violence, asb = nh.frames(rng, 2400, 3930)
        dominant = rng.random(len(asb)) < 0.22
        asb.loc[dominant, "perpetrator_id"] = "P-prolific"
        tests = family.association_family(None, nh.draw_flags(rng, asb), nh.NTE, nh.ZONES)
        repeat = next(t for t in tests if t.question == "ASB: mental health flag, repeat perpetrator against single-case perpetrator")
        assert any("one person holds" in note for note in repeat.notes)
        found += any(t.p_adjusted < ALPHA for t in tests if t.test != family.NOT_TESTABLE)
    assert found <= acceptance(40, ALPHA, 0.999)[1]


def test_family_wise_false_positive_rate_after_fdr_control(null_runs):
    any_found = sum(any(t.p_adjusted < ALPHA for t in tests if t.test != "not testable") for tests in null_runs)
    low, high = acceptance(NULL_SIMULATIONS, ALPHA)
    print(f"datasets with any finding after BH control, no effect planted: {any_found} of {NULL_SIMULATIONS}")
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


def detected_share(draws: int, detected: int) -> tuple[int, int]:
    """The 99.9% range of detections for a stated 80% power (the Monte Carlo error of `draws` draws)."""
    return acceptance(draws, 0.8, 0.999)


@pytest.mark.parametrize("previous,family_size", [(15, 1), (120, 1), (700, 14), (3000, 1)])
def test_the_smallest_detectable_change_is_detected_in_80_percent_of_draws(previous, family_size):
    """detectable_change (the 'would have been detected' beside every 'within natural variation'): a rise and a
    fall of exactly the stated size are found by the screen the report uses in about 80% of 2,000 draws. For a
    family, the lone real change is screened by BH among family_size - 1 unchanged ones."""
    from pipeline.methods.associations import benjamini_hochberg
    from pipeline.methods.statistics import compare_counts, detectable_change

    rng = np.random.default_rng(previous + family_size)
    stated = detectable_change(previous, alpha=ALPHA / family_size)
    draws = 2000
    sample = [(int(rng.poisson(1.1 * previous)), int(rng.poisson(previous))) for _ in range(5)]
    assert [exact_p(np.array([a]), np.array([b]))[0] for a, b in sample] == pytest.approx(
        [compare_counts(a, b).p_value for a, b in sample], rel=1e-9)  # the vectorised test is compare_counts'
    for ratio in (1 + stated.rise / 100, 1 - stated.fall / 100):
        changed = exact_p(rng.poisson(ratio * previous, draws), rng.poisson(previous, draws))
        unchanged = exact_p(rng.poisson(previous, (draws, family_size - 1)), rng.poisson(previous, (draws, family_size - 1)))
        found = sum(benjamini_hochberg([p, *others])[0] <= ALPHA for p, others in zip(changed, unchanged))  # methods.screens
        low, high = detected_share(draws, found)
        # BH with unchanged companions finds a lone change at least as often as p <= 0.05 / m does
        assert low <= found and (family_size > 1 or found <= high), f"ratio {ratio:.3f}: found {found} of {draws}"


def exact_p(current: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """compare_counts' p-value with equal exposures, vectorised: the two-sided binomial test of current given the
    total at p0 = 1/2, which for a symmetric null is twice the smaller tail."""
    total = current + previous
    tail = np.minimum(stats.binom.cdf(current, total, 0.5), stats.binom.sf(current - 1, total, 0.5))
    return np.minimum(1.0, 2 * tail)


@pytest.mark.parametrize("years,mean,dispersion", [(5, 300, 1), (5, 300, 3), (8, 80, 2), (4, 1000, 1)])
def test_the_smallest_detectable_trend_is_detected_in_80_percent_of_draws(years, mean, dispersion):
    """detectable_trend (beside every 'no clear trend'): a steady rise of exactly the stated size is called a trend
    by poisson_trend in about 80% of 2,000 series, for Poisson and over-dispersed counts."""
    from pipeline.methods.statistics import detectable_trend, poisson_trend

    rng = np.random.default_rng(years * 1000 + mean)
    stated = detectable_trend(years, mean, dispersion)
    t = np.arange(years) - (years - 1) / 2
    draws, found = 2000, 0
    for _ in range(draws):
        trend = poisson_trend(_yearly_counts(rng, mean * np.exp(np.log1p(stated.rise / 100) * t), dispersion))
        found += trend is not None and trend.p_value < 0.05 and trend.annual_percent > 0
    low, high = detected_share(draws, found)
    assert low <= found <= high, f"found {found} of {draws} (stated rise {stated.rise:.1f}% a year)"


def test_the_smallest_detectable_whole_series_slope_of_the_plateau_model_is_detected_in_80_percent():
    """SlopeChange.whole_detectable: monthly series with a steady trend of the stated size (stated for the expected
    series at the same level with no trend) show a whole-series trend in about 80% of 1,000 draws."""
    from pipeline.methods.plateau import slope_change

    rng = np.random.default_rng(11)
    months = pd.period_range("2019-04", periods=72, freq="M")
    season = 1 + 0.2 * np.cos(2 * np.pi * np.arange(72) / 12)
    flat = slope_change(pd.Series(150 * season, index=months))  # the expected series: its standard error without noise
    rise = flat.whole_detectable.rise
    draws, found = 1000, 0
    for _ in range(draws):
        means = 150 * season * (1 + rise / 100) ** ((np.arange(72) - 35.5) / 12)
        result = slope_change(pd.Series(rng.poisson(means), index=months))
        found += result.whole_p < 0.05 and result.whole_percent > 0
    low, high = acceptance(draws, 0.8, 0.999)
    assert low <= found <= high, f"found {found} of {draws} (stated {rise:.1f}% a year)"

"""The Knox test: counts by hand on a small example, p-values from seeded permutations, the open-ended band
as the column total less the near pairs, repeat places; and, by simulation, a null rejection rate at the
nominal level and a planted near-repeat effect found."""
import numpy as np
import pytest
from scipy import stats

from pipeline.methods.knox import band_labels, knox, repeat_locations


def test_knox_counts_by_hand():
    """Five events. Pairs (metres apart, days apart): AB (0, 3) same place 0-7; AC (50, 10) 1-100 m 8-14;
    AD (300, 2) 201-400 m 0-7; AE (1000, 40) far 29+; BC (50, 7) 1-100 m 0-7; BD (300, 1) 201-400 m 0-7;
    BE (1000, 43) far 29+; CD (~304, 8) 201-400 m 8-14; CE (~1001, 50) far 29+; DE (~1044, 42) far 29+."""
    x = np.array([0.0, 0.0, 50.0, 0.0, 1000.0])
    y = np.array([0.0, 0.0, 0.0, 300.0, 0.0])
    day = np.array([10, 13, 20, 12, 50])
    result = knox(x, y, day, distance_breaks=(0, 1, 101, 201, 401), time_breaks=(0, 8, 15, 29), permutations=99)
    expected = np.array([[1, 0, 0, 0],   # same place
                         [1, 1, 0, 0],   # 1-100 m
                         [0, 0, 0, 0],   # 101-200 m
                         [2, 1, 0, 0],   # 201-400 m
                         [0, 0, 0, 4]])  # 401 m or more
    assert np.array_equal(result.observed, expected)
    assert result.observed.sum() == 10
    assert np.allclose(result.expected.sum(axis=0), expected.sum(axis=0))  # column totals never change
    assert ((result.p_value > 0) & (result.p_value <= 1)).all()
    assert result.distance_labels == ["Same place", "1-100 m", "101-200 m", "201-400 m", "401 m or more"]
    assert result.time_labels == ["0-7 days", "8-14 days", "15-28 days", "29 days or more"]


def test_knox_p_values_are_k_plus_one_over_n_plus_one_by_hand():
    """The same five events and 19 permutations, recounted here pair by pair from the permutations the seeded
    generator gives: each p-value is (1 + permutations at least as large) / (1 + 19), never below 1/20 (a k / n
    p-value would be 0 for a count no permutation reaches, and differ everywhere else)."""
    x = np.array([0.0, 0.0, 50.0, 0.0, 1000.0])
    y = np.array([0.0, 0.0, 0.0, 300.0, 0.0])
    day = np.array([10, 13, 20, 12, 50])
    distance_breaks, time_breaks = (0, 1, 101, 201, 401), (0, 8, 15, 29)
    result = knox(x, y, day, distance_breaks=distance_breaks, time_breaks=time_breaks, permutations=19, seed=4)

    def by_hand(days):
        table = np.zeros((5, 4), dtype=int)
        for a in range(5):
            for b in range(a + 1, 5):
                metres, gap = np.hypot(x[a] - x[b], y[a] - y[b]), abs(days[a] - days[b])
                table[np.searchsorted(distance_breaks, metres, side="right") - 1,
                      np.searchsorted(time_breaks, gap, side="right") - 1] += 1
        return table

    observed = by_hand(day)
    rng = np.random.default_rng(4)
    at_least = sum((by_hand(rng.permutation(day - day.min())) >= observed).astype(int) for _ in range(19))
    assert np.array_equal(result.observed, observed)
    assert np.allclose(result.p_value, (1 + at_least) / 20)
    assert result.p_value.min() >= 1 / 20
    # a planted cluster no permutation reaches: its p-value is exactly 1 / (n + 1), not 0
    cluster = knox(np.r_[x, [5000.0] * 6], np.r_[y, [0.0] * 6], np.r_[day, [200] * 6],
                   distance_breaks=distance_breaks, time_breaks=time_breaks, permutations=19, seed=4)
    assert cluster.observed[0, 0] == 1 + 15 and cluster.p_value[0, 0] == 1 / 20


def test_permutations_are_seeded():
    rng = np.random.default_rng(1)
    x, y, day = rng.uniform(0, 2000, 200), rng.uniform(0, 2000, 200), rng.integers(0, 365, 200)
    first, second = knox(x, y, day, seed=5, permutations=99), knox(x, y, day, seed=5, permutations=99)
    assert np.array_equal(first.p_value, second.p_value) and np.array_equal(first.expected, second.expected)


def test_repeat_places():
    x = np.array([1.0, 1.0, 1.0, 5.0, 5.0, 9.0])
    y = np.array([2.0, 2.0, 2.0, 6.0, 6.0, 9.0])
    assert repeat_locations(x, y) == (2, 5)


def test_band_labels():
    assert band_labels((0, 8, 15), "days") == ["0-7 days", "8-14 days", "15 days or more"]


def null_and_planted(rng, planted: bool):
    n = 150
    x, y, day = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n), rng.integers(0, 365, n)
    if planted:  # 30 near repeats: within 100 m and 7 days of an earlier offence
        source = rng.integers(0, n, 30)
        x = np.concatenate([x, x[source] + rng.uniform(-60, 60, 30)])
        y = np.concatenate([y, y[source] + rng.uniform(-60, 60, 30)])
        day = np.concatenate([day, day[source] + rng.integers(0, 8, 30)])
    return knox(x, y, day, distance_breaks=(0, 101, 201), time_breaks=(0, 8, 15), permutations=199,
                seed=int(rng.integers(1 << 30)))


@pytest.mark.slow
def test_knox_p_values_reject_at_the_nominal_rate_and_find_planted_near_repeats():
    rng = np.random.default_rng(20241007)
    null = [null_and_planted(rng, False).p_value[0, 0] for _ in range(300)]
    rejections = int(np.sum(np.array(null) <= 0.05))
    low, high = stats.binom.interval(0.999, 300, 0.05)
    assert low <= rejections <= high
    found = [null_and_planted(rng, True).p_value[0, 0] <= 0.05 for _ in range(50)]
    assert np.mean(found) >= 0.95

"""The XmR chart and its Making Data Count rules against hand-worked series."""
import numpy as np
import pytest

from pipeline.methods.spc import xmr


def flagged(mask) -> list[int]:
    return np.flatnonzero(mask).tolist()


def test_limits_by_hand_and_a_point_beyond_them():
    # mean 121/9 = 13.444; moving ranges 2,1,2,1,1,1,2,18 -> 28/8 = 3.5; limits 13.444 -/+ 2.66 x 3.5 = 4.134, 22.754
    chart = xmr([10, 12, 11, 13, 12, 11, 10, 12, 30])
    assert (chart.mean, chart.mean_moving_range) == pytest.approx((121 / 9, 3.5))
    assert (chart.lower, chart.upper) == pytest.approx((121 / 9 - 9.31, 121 / 9 + 9.31))
    assert flagged(chart.beyond_limits) == [8]
    assert flagged(chart.shift) == list(range(8))  # eight points below the mean, pulled up by the outlier
    assert flagged(chart.trend) == [] and flagged(chart.two_of_three) == []


def test_a_trend_is_six_points_each_higher_than_the_last():
    chart = xmr([5, 6, 7, 8, 9, 10, 4, 5, 6, 5])
    assert flagged(chart.trend) == [0, 1, 2, 3, 4, 5]
    assert flagged(xmr([5, 6, 7, 8, 9, 4, 5, 6, 5]).trend) == []  # five rising points are not a trend
    assert flagged(xmr([10, 9, 8, 7, 6, 5, 11, 9]).trend) == [0, 1, 2, 3, 4, 5]


def test_a_shift_is_seven_points_on_one_side_and_a_point_on_the_mean_ends_it():
    assert flagged(xmr([1] * 7 + [9] * 7).shift) == list(range(14))
    assert flagged(xmr([1] * 6 + [9] * 6).shift) == []
    broken = xmr([1, 1, 1, 5, 1, 1, 1, 9, 9, 9, 5, 9, 9, 9])  # the mean is 5: the 5s sit on it
    assert broken.mean == 5 and flagged(broken.shift) == []


def test_two_of_three_points_near_a_limit_on_the_same_side():
    # mean 279/24 = 11.625; moving ranges 19 x 2, then 5, 4, 4, 5 -> 56/23; two-thirds line 11.625 + 2.66 x 56/23 x 2/3
    chart = xmr([10, 12] * 10 + [17, 13, 17, 12])
    assert chart.mean_moving_range == pytest.approx(56 / 23)
    assert chart.mean + (chart.upper - chart.mean) * 2 / 3 == pytest.approx(15.9427, abs=1e-4)
    assert flagged(chart.two_of_three) == [20, 22] and flagged(chart.beyond_limits) == []
    apart = xmr([10, 12] * 5 + [17, 11, 11, 17, 11])  # two near points, but not within three
    assert flagged(apart.two_of_three) == []
    assert flagged(chart.special_cause) == [20, 22]


def test_a_chart_needs_two_values():
    with pytest.raises(ValueError):
        xmr([3])

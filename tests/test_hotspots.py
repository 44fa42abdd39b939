"""Hotspot persistence classes (sfhotspot's rules and thresholds) on hand-built significance patterns."""
import numpy as np
import pytest

from pipeline.methods.hotspots import classify

# Ten periods: the last two are recent (20%), the first eight are older.
PATTERNS = {
    "persistent hotspot": [1, 1, 1, 1, 1, 1, 1, 1, 0, 0],   # 8 of 10
    "emerging hotspot": [0, 0, 0, 0, 0, 0, 0, 0, 0, 1],     # none older, 1 of 2 recent
    "former hotspot": [1, 1, 0, 0, 0, 0, 0, 0, 0, 0],       # 2 of 8 older, none recent
    "intermittent hotspot": [1, 0, 0, 0, 1, 0, 0, 0, 0, 1],  # older 2 of 8 and recent 1 of 2: not former, not emerging
    "no pattern": [0] * 10,
}


@pytest.mark.parametrize("expected,pattern", PATTERNS.items())
def test_each_class_from_its_pattern(expected, pattern):
    hot = np.array([pattern], bool)
    assert classify(hot, np.zeros_like(hot)).tolist() == [expected]
    if expected != "no pattern":
        assert classify(np.zeros_like(hot), hot).tolist() == [expected.replace("hotspot", "coldspot")]


def test_thresholds_at_their_edges():
    seven = np.array([[1, 1, 1, 1, 1, 1, 1, 0, 0, 0]], bool)  # 70%: not persistent; older 7 of 8, recent 0: former
    assert classify(seven, np.zeros_like(seven)).tolist() == ["former hotspot"]
    mixed = classify(np.array([PATTERNS["former hotspot"]], bool), np.array([PATTERNS["emerging hotspot"]], bool))
    assert mixed.tolist() == ["mixed hot/coldspot"]


def test_too_few_periods_are_refused():
    with pytest.raises(ValueError):
        classify(np.ones((1, 1), bool), np.zeros((1, 1), bool))
    assert classify(np.array([[0, 1]], bool), np.zeros((1, 2), bool)).tolist() == ["emerging hotspot"]

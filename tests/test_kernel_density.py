"""Quartic kernel density: the kernel's formula at known distances and the surface summing to the events."""
import math

import numpy as np
import pytest

from pipeline.methods.kernel_density import quartic_density


def test_one_event_at_known_distances():
    h = 500.0
    density = quartic_density(np.array([0.0]), np.array([0.0]), np.array([0.0, 250.0, 500.0, 600.0]),
                              np.zeros(4), bandwidth=h)
    peak = 3 / (math.pi * h * h) * 1e6
    assert density[0] == pytest.approx(peak)
    assert density[1] == pytest.approx(peak * (1 - 0.25) ** 2)
    assert density[2] == pytest.approx(0.0) and density[3] == 0.0


def test_the_surface_integrates_to_the_number_of_events():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(4000, 6000, 40), rng.uniform(4000, 6000, 40)
    step = 25.0
    gx, gy = np.meshgrid(np.arange(2000, 8000, step) + step / 2, np.arange(2000, 8000, step) + step / 2)
    density = quartic_density(x, y, gx.ravel(), gy.ravel())
    assert density.sum() * step * step / 1e6 == pytest.approx(40, rel=0.01)


def test_no_events_and_missing_points_give_zero():
    assert quartic_density(np.array([np.nan]), np.array([1.0]), np.array([0.0]), np.array([0.0])).tolist() == [0.0]

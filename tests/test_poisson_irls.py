"""The Farrington detector's own IRLS against statsmodels' GLM, field by field, on the designs it fits."""
import numpy as np
import pytest
import statsmodels.api as sm

from pipeline.methods import poisson_irls


def _designs():
    rng = np.random.default_rng(20261125)
    for case in range(120):
        n = int(rng.integers(15, 170))
        levels = rng.integers(0, 10, n)
        columns = [np.ones(n), np.arange(n, dtype=float)] + [(levels == level).astype(float) for level in range(1, 10)]
        design = np.column_stack(columns[: 1 + case % 11])
        rate = np.exp(rng.uniform(-1, 3) + rng.normal(0, 0.3, n))
        counts = rng.poisson(rate).astype(float)
        counts[rng.uniform(size=n) < 0.05] *= 4  # outbreaks, as the down-weighting refit sees them
        weights = rng.uniform(0.1, 2.0, n) if case % 2 else None
        yield counts, design, weights


def _level_without_events(counts: np.ndarray, design: np.ndarray) -> bool:
    """A seasonal level with no event: its parameter runs off towards minus infinity until the deviance stops
    changing, so its estimate and variance are arbitrary (both fits stop at -20 or so, at different points)."""
    return any(not counts[design[:, column] == 1].any() for column in range(2, design.shape[1]))


@pytest.mark.parametrize("counts, design, weights", list(_designs()))
def test_every_field_matches_statsmodels(counts, design, weights):
    if not counts.any():
        pytest.skip("the detector does not fit a baseline with no event")
    reference = sm.GLM(counts, design, family=sm.families.Poisson(), var_weights=weights).fit()
    ours = poisson_irls.fit(counts, design, weights)
    assert ours.converged == reference.converged
    assert ours.df_resid == reference.df_resid
    np.testing.assert_allclose(ours.fitted, reference.fittedvalues, rtol=1e-6, atol=1e-8)
    assert ours.pearson_chi2 == pytest.approx(reference.pearson_chi2, rel=1e-6)
    if _level_without_events(counts, design):
        return
    np.testing.assert_allclose(ours.params, reference.params, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.unscaled_cov, reference.normalized_cov_params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.fitted, reference.fittedvalues, rtol=1e-9)
    assert ours.pearson_chi2 == pytest.approx(reference.pearson_chi2, rel=1e-9)


def test_the_comparison_covers_well_determined_fits():
    determined = [not _level_without_events(c, d) for c, d, _ in _designs() if c.any()]
    assert sum(determined) >= 80


def test_a_repeated_column_is_fitted_as_statsmodels_fits_it():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, 60).astype(float)
    design = np.column_stack([np.ones(60), x, x])  # rank 2: pinv shares the effect between the copies
    counts = rng.poisson(np.exp(1 + 0.5 * x)).astype(float)
    reference = sm.GLM(counts, design, family=sm.families.Poisson()).fit()
    ours = poisson_irls.fit(counts, design)
    assert ours.df_resid == reference.df_resid == 58
    np.testing.assert_allclose(ours.params, reference.params, rtol=1e-8)


def test_a_non_finite_count_is_refused():
    with pytest.raises(ValueError), np.errstate(all="ignore"):
        poisson_irls.fit(np.array([1.0, np.inf, 2.0]), np.ones((3, 1)))


def test_an_ill_conditioned_design_is_solved_as_statsmodels_solves_it():
    """A trend counted from ten million: X'WX has a condition number near 1e19, where the normal equations keep
    about four digits. The fit goes to lstsq there and matches statsmodels to eleven."""
    rng = np.random.default_rng(5)
    times = 1e7 + np.arange(120.0)
    design = np.column_stack([np.ones(120), times])
    counts = rng.poisson(np.exp(1 + 0.002 * (times - 1e7))).astype(float)
    reference = sm.GLM(counts, design, family=sm.families.Poisson()).fit()
    ours = poisson_irls.fit(counts, design)
    np.testing.assert_allclose(ours.params, reference.params, rtol=1e-9)
    np.testing.assert_allclose(ours.fitted, reference.fittedvalues, rtol=1e-9)
    np.testing.assert_allclose(ours.unscaled_cov, reference.normalized_cov_params, rtol=1e-8)

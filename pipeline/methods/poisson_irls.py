"""A Poisson log-linear GLM fitted by iteratively reweighted least squares, step for step as statsmodels'
`GLM(..., family=Poisson(), var_weights=w).fit()` does it, for the many small fits of the Farrington detector.

McCullagh P. & Nelder J.A. (1989) Generalized Linear Models, 2nd ed., section 2.5 (IRLS); the steps follow
statsmodels 0.15 `GLM._fit_irls`: start at mu = (y + mean y) / 2, weighted least squares on the working
response, stop when the deviance changes by at most 1e-8, at most 100 iterations; the unscaled covariance is
the pseudo-inverse of the final weighted design's cross-product, taken with the weights of the last iteration
(as statsmodels and R's glm.fit both do). Each weighted least squares step solves the normal equations
(McCullagh & Nelder's own form) when X'WX is well conditioned and the design of full rank, else it takes
statsmodels' route (numpy's lstsq, then pinv): the same solution, at a fifth of the cost on the detector's
designs. statsmodels builds a model, a results wrapper and their caches for each fit, about a millisecond;
this costs a tenth of that or less, which matters at 2,500 fits per assessment. tests/test_poisson_irls.py
checks every field against statsmodels, an ill-conditioned design included.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_ITERATIONS = 100
DEVIANCE_TOLERANCE = 1e-8


@dataclass(frozen=True)
class PoissonFit:
    params: np.ndarray
    unscaled_cov: np.ndarray  # statsmodels' normalized_cov_params: cov_params() with scale 1
    fitted: np.ndarray
    pearson_chi2: float
    df_resid: float
    converged: bool


def _deviance(y: np.ndarray, mu: np.ndarray, weights: np.ndarray) -> float:
    ratio = np.where(y > 0, y / mu, 1.0)
    return float(2 * np.sum(weights * (y * np.log(ratio) - (y - mu))))


WELL_CONDITIONED = 1e8  # the largest condition number of X'WX solved by the normal equations (see fit)


def _normal_equations(x: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """X'W and (X'WX)^-1 when X'WX is well conditioned, else None. Solving the normal equations costs a fifth of
    lstsq's SVD on the Farrington detector's designs (920 x 11); their error grows with the square of X's
    condition number, so anything beyond 1e8 (about 8 of 16 digits) goes to lstsq. That is the seasonal level
    with no events, whose weights shrink towards zero as its parameter runs off: those fits follow statsmodels'
    own steps exactly."""
    weighted_t = (x * weights[:, None]).T
    gram = weighted_t @ x
    eigenvalues = np.linalg.eigvalsh(gram)
    if not eigenvalues[0] > eigenvalues[-1] / WELL_CONDITIONED:
        return None
    return weighted_t, np.linalg.inv(gram)


def fit(response: np.ndarray, design: np.ndarray, var_weights: np.ndarray | None = None,
        rank: int | None = None) -> PoissonFit:
    """The fit of log E[y] = X beta with Var(y_i) = mu_i / w_i. Raises ValueError when a working weight or
    response is not finite (statsmodels does too). `rank`: the design's rank when the caller knows it (the
    detector fits each design twice)."""
    y = np.asarray(response, dtype=float)
    x = np.asarray(design, dtype=float)
    prior = np.ones(len(y)) if var_weights is None else np.asarray(var_weights, dtype=float)
    rank = int(np.linalg.matrix_rank(x)) if rank is None else rank
    mu = (y + y.mean()) / 2.0
    eta = np.log(mu)
    deviance = _deviance(y, mu, prior)
    if np.isnan(deviance):
        raise ValueError("the first guess on the deviance is NaN")
    converged = False
    for _ in range(MAX_ITERATIONS):
        weights = prior * mu
        working = eta + (y - mu) / mu
        if not (np.all(np.isfinite(weights)) and np.all(np.isfinite(working))):
            raise ValueError("non-finite working weights or response")
        solved = _normal_equations(x, weights) if rank == x.shape[1] else None
        if solved is not None:
            weighted_t, inverse = solved
            params = inverse @ (weighted_t @ working)
        else:
            root = np.sqrt(weights)
            params = np.linalg.lstsq(x * root[:, None], working * root, rcond=-1)[0]
        eta = x @ params
        mu = np.exp(eta)
        previous, deviance = deviance, _deviance(y, mu, prior)
        if abs(deviance - previous) <= DEVIANCE_TOLERANCE:
            converged = True
            break
    if solved is not None:  # the last iteration's weights, as statsmodels' final pinv step uses them
        unscaled_cov = inverse
    else:
        root = np.sqrt(weights)
        pseudo_inverse = np.linalg.pinv(x * root[:, None])
        params = pseudo_inverse @ (working * root)
        unscaled_cov = pseudo_inverse @ pseudo_inverse.T
    mu = np.exp(x @ params)
    return PoissonFit(params=params, unscaled_cov=unscaled_cov, fitted=mu,
                      pearson_chi2=float(np.sum(prior * (y - mu) ** 2 / mu)),
                      df_resid=float(len(y) - rank), converged=converged)

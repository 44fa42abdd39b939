"""Outbreak detection on a count series: the improved Farrington method, following the R surveillance package's
`farringtonFlexible`, with two deliberate differences stated below.

Farrington C.P., Andrews N.J., Beale A.D. & Catchpole M.A. (1996) J R Stat Soc A 159:547-563; Noufaily A.,
Enki D.G., Farrington P., Garthwaite P., Andrews N. & Charlett A. (2013) Statistics in Medicine 32:1206-1222;
Salmon M., Schumacher D. & Hoehle M. (2016) J Stat Softw 70(10) (the R implementation followed here).

Settings (Control; CONTROLS holds those used for weeks, months and days). For each period k: a quasi-Poisson GLM
(log link, fitted by `poisson_irls`, statsmodels' IRLS step for step) on b = 3 previous years, with a 10-level
seasonal factor (the level of the windows of +/- w periods around the same period of each year, w = 3 weeks, 1
month or 7 days, and nine blocks between them); the latest `past_excluded` periods (26 weeks, 6 months, 182 days)
are left out of the baseline so that a current outbreak does not raise its own threshold. A linear trend is kept
only when its t-test gives p < 0.05, three years of baseline are there and the prediction does not exceed the
largest baseline count. Past outbreaks are down-weighted: periods whose Anscombe residual exceeds 2.58 get weight
proportional to residual^-2 and the model is refitted. The threshold is the 99.5% (alpha = 0.005) upper limit of
the prediction on the 2/3-power scale (Farrington's skewness correction), with the dispersion floored at 1; the
exceedance score is (observed - expected) / (threshold - expected), so a score above 1 is above the threshold. An
alarm also needs at least 5 events in the latest 4 periods (the minimum-count rule) and a non-zero count.

Where production differs from farringtonFlexible (surveillance 1.20.3), on purpose: after reweighting, R's glm
keeps the prior weights where summary.glm and predict.glm expect the working weights, so surveillance's trend test
and prediction variance use sum(w (y - mu)^2 / mu^2) / df (about phi / mu) as the dispersion. Production uses the
Pearson dispersion of the reweighted fit for both, which is the quasi-Poisson model Farrington describes. It keeps
the trend far less often, and its thresholds differ from farringtonFlexible's in both directions, mostly upward
(REFERENCE_COMPARISON: measured on the improved-method reference series, tests/test_farrington.py). `surveillance_compatible`
reproduces farringtonFlexible to its displayed precision (tests/fixtures/farrington/make_reference.R,
tests/test_farrington.py); it exists for that check. Where it differs from Noufaily et al. (2013): b = 3 rather
than their 5, because a five-year extract cannot give more, and the 2/3-power threshold rather than their negative
binomial quantile (farringtonFlexible's default `thresholdMethod = "delta"`).

False alarms: on 200 simulated seasonal weekly series with no outbreak (half Poisson, half negative binomial with
variance 1.5 x mean), the production detector crosses its threshold in NULL_CROSSINGS_PERCENT of series-weeks, the
surveillance-compatible mode a little more often, against the nominal 0.5%; the report's alarms are further held
at a 5% false discovery rate (tests/test_emerging_trend_simulations.py checks these figures).

Reference points one year back are `freq` periods back (52 weeks, 12 months, 365 days), as surveillance
does for a series without dates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from pipeline.methods import poisson_irls

FREQUENCY = {"day": 365, "week": 52, "month": 12}
# Threshold crossings per 100 series-weeks on the null series of tests/test_emerging_trend_simulations.py, which
# recomputes them and fails when these stated figures drift from what the detector does.
NULL_CROSSINGS_PERCENT = {"production": 0.71, "surveillance": 0.90}
# Production against farringtonFlexible on the improved-method reference series (tests/fixtures/farrington):
# the range of threshold ratios, and the periods in which each keeps the trend (tests/test_farrington.py checks).
REFERENCE_COMPARISON = {"threshold_ratio_low": 0.80, "threshold_ratio_high": 1.45, "trend_periods": 97,
                        "reference_trend_periods": 263, "periods": 518}


@dataclass(frozen=True)
class Control:
    """The detector's settings, named as in farringtonFlexible (b, w, noPeriods, pastWeeksNotIncluded,
    weightsThreshold, alpha, trend, pThresholdTrend, limit54)."""

    b: int = 3
    w: int = 3
    periods: int = 10
    past_excluded: int = 26
    reweight: bool = True
    weights_threshold: float = 2.58
    alpha: float = 0.005
    trend: bool = True
    trend_p: float = 0.05
    min_cases: int = 5
    min_cases_periods: int = 4
    surveillance_compatible: bool = False

    def describe(self, unit: str) -> str:
        return (f"b = {self.b} years of baseline, windows of +/- {self.w} {unit}s, a {self.periods}-level seasonal "
                f"factor, the latest {self.past_excluded} {unit}s left out of the baseline, down-weighting above an "
                f"Anscombe residual of {self.weights_threshold:g}, threshold at {100 * (1 - self.alpha):g}% on the "
                f"2/3-power scale, and at least {self.min_cases} events in the latest {self.min_cases_periods} {unit}s")


# Noufaily et al.'s recommended weekly settings with b = 3 (the years a five-year extract can give); months
# and days keep the same shape: a month's window is +/- 1 and half a year is left out; days +/- 7 and 26 weeks.
CONTROLS = {"week": Control(), "month": Control(w=1, past_excluded=6), "day": Control(w=7, past_excluded=182)}


def first_assessable(freq: int, control: Control) -> int:
    """The first 0-based period with a full baseline: b years and w periods before it."""
    return freq * control.b + control.w


def season_blocks(length: int, k: int, freq: int, control: Control) -> np.ndarray:
    """The seasonal factor of each period (NaN outside the baseline): surveillance's `blocks`, 0-based."""
    b, w, p = control.b, control.w, control.periods
    factor = np.full(length, np.nan)
    factor[k - w:k + 1] = p
    references = [k - freq * i for i in range(b + 1)]
    for i in range(1, b + 1):
        reference = references[i]
        factor[reference - w:reference + w + 1] = p
        if p == 1:
            continue
        between = references[i - 1] - 2 * w - 1 - reference
        if between < p - 1:
            raise ValueError(f"{p} seasonal levels do not fit between windows of +/- {w} in a year of {freq} periods")
        size, rest = divmod(between, p - 1)
        sizes = np.full(p - 1, size) + (np.arange(p - 1) < rest)
        starts = reference + w + 1 + np.concatenate([[0], np.cumsum(sizes)])
        for level in range(1, p):
            factor[starts[level - 1]:starts[level]] = level
    factor[max(k - control.past_excluded, 0):k + 1] = np.nan
    return factor


@dataclass
class _Fit:
    result: poisson_irls.PoissonFit
    phi: float
    inference_dispersion: float  # the dispersion behind standard errors (see `_fit`)

    @classmethod
    def quasi(cls, result) -> "_Fit | None":
        """The quasi-Poisson fit: dispersion floored at 1 for the threshold, as estimated for standard errors."""
        return None if result is None else cls(result, max(_dispersion(result), 1.0), _dispersion(result))

    def covariance(self) -> np.ndarray:
        return self.result.unscaled_cov * self.inference_dispersion


def _design(times: np.ndarray, levels: np.ndarray | None, with_trend: bool, kept_levels: np.ndarray) -> np.ndarray:
    columns = [np.ones(len(times))]
    if with_trend:
        columns.append(times.astype(float))
    if levels is not None:
        columns += [(levels == level).astype(float) for level in kept_levels[1:]]
    return np.column_stack(columns)


def _hat_values(design: np.ndarray, weights: np.ndarray) -> np.ndarray:
    q, _ = np.linalg.qr(design * np.sqrt(weights)[:, None])
    return np.sum(q * q, axis=1)


def _glm(response: np.ndarray, design: np.ndarray, weights: np.ndarray | None,
         rank: int | None = None) -> poisson_irls.PoissonFit | None:
    """Poisson fit with scale 1; the quasi-Poisson dispersion is Pearson's X2 / df (see `_dispersion`). A
    baseline with no event at all, or one that cannot be fitted, gives None."""
    if not response.any():
        return None
    try:
        result = poisson_irls.fit(response, design, weights, rank)
    except (ValueError, np.linalg.LinAlgError):
        return None
    return result if result.converged else None


def _dispersion(result) -> float:
    return float(result.pearson_chi2 / result.df_resid)


def _anscombe_weights(result, response: np.ndarray, design: np.ndarray, phi: float, threshold: float) -> np.ndarray:
    """Farrington's down-weighting of past outbreaks: weight proportional to residual^-2 above the threshold,
    scaled so the weights average 1 (surveillance's algo.farrington.assign.weights)."""
    mu = result.fitted
    hat = _hat_values(design, mu)
    anscombe = 1.5 * (response ** (2 / 3) * mu ** (-1 / 6) - np.sqrt(mu)) / np.sqrt(phi * (1 - hat))
    above = anscombe > threshold
    gamma = len(anscombe) / np.sum(np.where(above, anscombe ** -2.0, 1.0))
    return np.where(above, gamma * anscombe ** -2.0, gamma)


def _fit(response: np.ndarray, design: np.ndarray, control: Control) -> _Fit | None:
    """Quasi-Poisson fit, then (when reweighting) the refit with Anscombe-residual weights."""
    with np.errstate(all="ignore"):
        rank = int(np.linalg.matrix_rank(design))  # the same design is fitted twice
        result = _glm(response, design, None, rank)
        if result is None or not control.reweight:
            return _Fit.quasi(result)
        weights = _anscombe_weights(result, response, design, max(_dispersion(result), 1.0), control.weights_threshold)
        result = _glm(response, design, weights, rank)
        if result is None or not control.surveillance_compatible:
            return _Fit.quasi(result)
        # surveillance stores the prior weights where R keeps the working weights, so its later
        # summary.glm and predict.glm take sum(omega (y - mu)^2 / mu^2) / df as the dispersion.
        mu = result.fitted
        return _Fit(result, max(_dispersion(result), 1.0),
                    float(np.sum(weights * (response - mu) ** 2 / mu ** 2) / result.df_resid))


def _predict(fit: _Fit, row: np.ndarray) -> tuple[float, float]:
    """Expected count and the standard error of the linear predictor (with the model's own dispersion, as R's
    predict.glm uses it)."""
    eta = float(row @ fit.result.params)
    se = float(np.sqrt(row @ fit.covariance() @ row))
    return float(np.exp(eta)), se


def assess(counts: np.ndarray, k: int, freq: int, control: Control) -> dict:
    """The detector at one period k (0-based) of a series of counts."""
    counts = np.asarray(counts, dtype=float)
    blocks = season_blocks(len(counts), k, freq, control)
    used = ~np.isnan(blocks) & ~np.isnan(counts)
    response, times = counts[used], np.flatnonzero(used)
    levels = blocks[used] if control.periods != 1 else None
    kept = np.unique(levels) if levels is not None else np.array([])
    at_level = float(control.periods)

    def model(with_trend: bool) -> _Fit | None:
        return _fit(response, _design(times, levels, with_trend, kept), control)

    def target_row(with_trend: bool) -> np.ndarray:
        return _design(np.array([k]), np.array([at_level]) if levels is not None else None, with_trend, kept)[0]

    fit, trend_used = None, False
    if control.trend:
        fit = model(True)
        if fit is not None:
            expected, _ = _predict(fit, target_row(True))
            t_value = fit.result.params[1] / np.sqrt(fit.covariance()[1, 1])
            significant = 2 * special.stdtr(fit.result.df_resid, -abs(t_value)) < control.trend_p  # t.sf
            trend_used = control.b >= 3 and significant and expected <= response.max()
    if not trend_used:
        fit = model(False)
    observed = counts[k]
    enough = np.nansum(counts[k - control.min_cases_periods + 1:k + 1]) >= control.min_cases
    if fit is None:
        return {"observed": observed, "expected": np.nan, "threshold": np.nan, "score": np.nan, "p_value": np.nan,
                "phi": np.nan, "trend": False, "enough_cases": bool(enough), "alarm": False}
    expected, se_link = _predict(fit, target_row(trend_used))
    se_response = se_link * expected
    tau = fit.phi + se_response ** 2 / expected
    se = np.sqrt(4 / 9 * expected ** (1 / 3) * tau)
    z = special.ndtri(1 - control.alpha)  # norm.ppf
    threshold = (expected ** (2 / 3) + z * se) ** 1.5
    score = (observed - expected) / (threshold - expected)
    p_value = float(special.ndtr((expected ** (2 / 3) - observed ** (2 / 3)) / se)) if se > 0 else np.nan  # norm.sf
    return {"observed": observed, "expected": expected, "threshold": threshold, "score": score, "p_value": p_value,
            "phi": fit.phi, "trend": trend_used, "enough_cases": bool(enough),
            "alarm": bool(enough and score > 1 and observed != 0)}


def detect(counts: np.ndarray | pd.Series, freq: int, control: Control, at: list[int] | np.ndarray | None = None) -> pd.DataFrame:
    """The detector at each period in `at` (0-based positions; default every period with a full baseline),
    one row each: observed, expected, threshold, score, p_value, phi, trend, enough_cases, alarm."""
    values = np.asarray(counts, dtype=float)
    start = first_assessable(freq, control)
    positions = np.arange(start, len(values)) if at is None else np.asarray(at, dtype=int)
    positions = positions[positions >= start]
    rows = [assess(values, int(k), freq, control) | {"position": int(k)} for k in positions]
    frame = pd.DataFrame(rows, columns=["position", "observed", "expected", "threshold", "score", "p_value", "phi",
                                        "trend", "enough_cases", "alarm"])
    if isinstance(counts, pd.Series):
        frame.insert(0, "period", counts.index[frame["position"].to_numpy()])
    return frame

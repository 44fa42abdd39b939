"""Exact and well-established statistical methods for counts and proportions.

Every function names the source of its formula. Counts below MIN_RELIABLE_COUNT are flagged:
following Public Health England's guidance (PHE/APHO, "Technical Guide: Confidence Intervals",
2008, and the Fingertips convention), rates and comparisons built on fewer than 10 events are
too unstable to interpret.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from pipeline.methods import poisson_irls

MIN_RELIABLE_COUNT = 10
ALPHA = 0.05


def poisson_interval(count: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Exact (Garwood) confidence interval for a Poisson count.

    Garwood F. (1936) "Fiducial limits for the Poisson distribution", Biometrika 28:437-442:
    lower = chi2(alpha/2; 2x)/2, upper = chi2(1-alpha/2; 2x+2)/2 (lower is 0 when x = 0).
    """
    if count < 0:
        raise ValueError("a count cannot be negative")
    lower = 0.0 if count == 0 else stats.chi2.ppf(alpha / 2, 2 * count) / 2
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return float(lower), float(upper)


def byar_interval(count: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson interval.

    Breslow N.E. & Day N.E. (1987) Statistical Methods in Cancer Research vol. II, IARC, p. 69;
    as used by PHE: lower = x(1 - 1/(9x) - z/(3 sqrt x))^3, upper = (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3.
    """
    z = stats.norm.ppf(1 - alpha / 2)
    lower = 0.0 if count == 0 else count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
    return float(lower), float(upper)


def rate_per(count: int, denominator: float, per: float = 1000.0, alpha: float = ALPHA) -> tuple[float, float, float]:
    """Crude rate per `per` people with its exact (Garwood) interval: (rate, lower, upper)."""
    if denominator <= 0:
        return (math.nan, math.nan, math.nan)
    lower, upper = poisson_interval(count, alpha)
    return count / denominator * per, lower / denominator * per, upper / denominator * per


def wilson_interval(successes: int, total: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Wilson score interval for a proportion.

    Wilson E.B. (1927) JASA 22:209-212; recommended by Newcombe R.G. (1998) Stat Med 17:857-872
    (method 3): centre (p + z^2/2n)/(1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/4n^2)/(1 + z^2/n).
    """
    if total <= 0:
        return (math.nan, math.nan)
    z = stats.norm.ppf(1 - alpha / 2)
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_difference(k1: int, n1: int, k2: int, n2: int, alpha: float = ALPHA) -> tuple[float, float, float]:
    """The difference of two independent proportions, p1 - p2, with its interval from the two Wilson intervals.

    Newcombe R.G. (1998) Stat Med 17:873-890, method 10 (the hybrid score interval): with (l1, u1), (l2, u2) the
    Wilson limits, the limits are d - sqrt((p1 - l1)^2 + (u2 - p2)^2) and d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    """
    if n1 <= 0 or n2 <= 0:
        return (math.nan, math.nan, math.nan)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, alpha)
    l2, u2 = wilson_interval(k2, n2, alpha)
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


POWER = 0.8  # the power at which a 'smallest detectable change' is stated


def _size(value: float) -> str:
    return f"{value:.1f}%" if value < 9.95 else f"{value:.0f}%"


@dataclass(frozen=True)
class Detectable:
    """The smallest rise and fall (percent, both positive; inf when none could be) that a test would have
    detected with POWER. A table cell as well ('+12% / -11%'): it reveals no count."""

    rise: float
    fall: float

    def words(self, unit: str = "") -> str:
        """'a rise of 12% or a fall of 11% or more would have been detected with 80% power; ...' (`unit`: ' a year')."""
        parts = [f"a {name} of {_size(value)}{unit}" for name, value in (("rise", self.rise), ("fall", self.fall))
                 if math.isfinite(value)]
        if not parts:
            return "the counts are too small for any change to be detected reliably"
        if len(parts) == 2 and _size(self.rise) == _size(self.fall):
            parts = [f"a rise or fall of {_size(self.rise)}{unit}"]
        return (f"{' or '.join(parts)} or more would have been detected with {POWER:.0%} power; smaller changes "
                "cannot be ruled out")

    def __str__(self) -> str:
        return " / ".join(f"{sign}{_size(value)}" if math.isfinite(value) else f"no {name} detectable"
                          for sign, name, value in (("+", "rise", self.rise), (chr(0x2212), "fall", self.fall)))

    def lines(self) -> list[str]:
        return [str(self)]

    def revealed_counts(self) -> tuple[int, ...]:
        return ()


class _ConditionalTestPower:
    """Power of the exact conditional test of two Poisson counts (compare_counts) against a rate ratio: the sum
    over the total n of P(n) x P(the binomial test rejects | n). p0 = t1 / (t1 + t0) is `share`; the rejection
    region is the central one (each tail at most alpha/2), which is scipy's two-sided rule exactly when the
    exposures are equal. The region depends on n only, so it is tabulated once for the totals a search visits."""

    def __init__(self, previous: float, share: float, alpha: float):
        self.previous, self.share, self.alpha = previous, share, alpha
        self.first, self.low, self.high = 0, np.zeros(0), np.zeros(0)

    def _totals(self, ratio: float) -> tuple[float, float]:
        current = ratio * self.previous * self.share / (1 - self.share)
        return current, current + self.previous

    def tabulate(self, ratios: tuple[float, float]) -> None:
        totals = [self._totals(r)[1] for r in ratios]
        n = np.arange(int(stats.poisson.ppf(1e-9, min(totals))), int(stats.poisson.isf(1e-9, max(totals))) + 1)
        low = stats.binom.ppf(self.alpha / 2, n, self.share)
        low = np.where(stats.binom.cdf(low, n, self.share) <= self.alpha / 2, low, low - 1)  # P(X <= low) <= alpha/2
        high = stats.binom.isf(self.alpha / 2, n, self.share) + 1  # P(X >= high) <= alpha/2
        high = np.where(stats.binom.sf(high - 2, n, self.share) <= self.alpha / 2, high - 1, high)
        self.first, self.low, self.high = int(n[0]), low, high

    def __call__(self, ratio: float) -> float:
        current, total = self._totals(ratio)
        n = np.arange(int(stats.poisson.ppf(1e-9, total)), int(stats.poisson.isf(1e-9, total)) + 1)
        if n[0] < self.first or n[-1] >= self.first + len(self.low):
            self.tabulate((min(ratio, 1.0), max(ratio, 1.0)))
        low, high = self.low[n - self.first], self.high[n - self.first]
        pi = current / total
        reject = stats.binom.cdf(low, n, pi) + stats.binom.sf(high - 1, n, pi)
        return float(np.sum(stats.poisson.pmf(n, total) * reject))


def detectable_change(previous: int, current_exposure: float = 1.0, previous_exposure: float = 1.0,
                      alpha: float = ALPHA, power: float = POWER) -> Detectable:
    """The smallest rise and fall in the rate that compare_counts would detect with `power`, taking the previous
    count as the previous rate's true value: the exact power of the conditional binomial test, summed over the
    Poisson total (Gail M. (1974) "Power computations for designing comparative Poisson trials", Biometrics
    30:231-237), solved for the rate ratio from a bracket around the normal approximation on the log scale.
    Checked by simulation in tests/test_null_simulations.py."""
    from scipy.optimize import brentq

    if previous <= 0:
        return Detectable(math.inf, math.inf)
    share = current_exposure / (current_exposure + previous_exposure)
    exposure_ratio = share / (1 - share)
    power_of = _ConditionalTestPower(previous, share, alpha)
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    found = []
    for sign, limit in ((1, math.log(1000)), (-1, math.log(1e-6))):
        clamp = (lambda v: min(v, limit)) if sign > 0 else (lambda v: max(v, limit))  # noqa: E731
        guess = sign * z * math.sqrt(2 / previous)
        for _ in range(5):  # the normal approximation's fixed point: var(log RR) = 1/current + 1/previous
            guess = clamp(sign * z * math.sqrt(1 / previous + 1 / (previous * exposure_ratio * math.exp(guess))))
        near, far = 0.5 * guess, clamp(2.0 * guess)
        power_of.tabulate((math.exp(min(near, far)), math.exp(max(near, far))))
        shortfall = lambda log_ratio: power_of(math.exp(log_ratio)) - power  # noqa: E731
        while shortfall(near) > 0 and abs(near) > 1e-4:
            near /= 2
        while shortfall(far) < 0 and far != limit:
            far = clamp(2.0 * far)
        found.append(math.exp(brentq(shortfall, near, far, xtol=1e-5)) if shortfall(far) >= 0 else math.nan)
    rise, fall = found
    return Detectable((rise - 1) * 100 if math.isfinite(rise) else math.inf,
                      (1 - fall) * 100 if math.isfinite(fall) else math.inf)


@dataclass(frozen=True)
class CountComparison:
    current: int
    previous: int
    change: int
    percent_change: float
    rate_ratio: float
    ratio_lower: float
    ratio_upper: float
    p_value: float
    significant: bool
    too_small: bool
    current_exposure: float = 1.0
    previous_exposure: float = 1.0

    def detectable(self, family_size: int = 1) -> Detectable:
        """The smallest change this comparison would have detected with 80% power (detectable_change). In a family
        of tests held by Benjamini-Hochberg, a lone real change among `family_size` must reach p <= 0.05 / size,
        so the change is sized at that level."""
        return detectable_change(self.previous, self.current_exposure, self.previous_exposure, ALPHA / max(family_size, 1))


def compare_counts(current: int, previous: int, current_exposure: float = 1.0, previous_exposure: float = 1.0,
                   alpha: float = ALPHA) -> CountComparison:
    """Is the change between two Poisson counts more than natural variation?

    Exact conditional test (Przyborowski J. & Wilenski H. (1940) Biometrika 31:313-323; Armitage P.,
    Berry G. & Matthews J.N.S. (2002) Statistical Methods in Medical Research, 4th ed., sec. 5.3):
    given n = current + previous, current ~ Binomial(n, p0) with p0 = t1/(t1 + t0) under equal
    rates. The rate ratio's exact interval transforms the Clopper-Pearson interval for p:
    RR = p/(1 - p) * t0/t1.
    """
    n = current + previous
    change = current - previous
    percent = (change / previous * 100) if previous else math.nan
    too_small = min(current, previous) < MIN_RELIABLE_COUNT
    if n == 0:
        return CountComparison(current, previous, 0, math.nan, math.nan, math.nan, math.nan, 1.0, False, True)
    p0 = current_exposure / (current_exposure + previous_exposure)
    test = stats.binomtest(current, n, p0)
    low, high = test.proportion_ci(confidence_level=1 - alpha, method="exact")
    scale = previous_exposure / current_exposure

    def ratio(p: float) -> float:
        return math.inf if p >= 1 else p / (1 - p) * scale

    rate_ratio = ratio(current / n) if previous else math.inf
    return CountComparison(current, previous, change, percent, rate_ratio, ratio(low), ratio(high),
                           float(test.pvalue), bool(test.pvalue < alpha), too_small, current_exposure, previous_exposure)


@functools.lru_cache(maxsize=64)
def noncentrality_for_power(df: int, alpha: float, power: float) -> float:
    """The noncentrality at which a two-sided t-test on `df` degrees of freedom rejects with `power`."""
    from scipy.optimize import brentq

    critical = stats.t.ppf(1 - alpha / 2, df)
    def rejects(delta: float) -> float:  # the far tail is negligible and scipy's nct can return nan for it
        return float(stats.nct.sf(critical, df, delta)) + float(np.nan_to_num(stats.nct.cdf(-critical, df, delta))) - power

    return float(brentq(rejects, 0.0, 40.0))


def detectable_slope(slope_se: float, df: int, alpha: float = ALPHA, power: float = POWER) -> Detectable:
    """The smallest log-linear slope, as annual rise and fall in percent, that a t-test of a slope with standard
    error `slope_se` on `df` degrees of freedom detects with `power` (noncentral t)."""
    slope = noncentrality_for_power(df, alpha, power) * slope_se
    return Detectable(math.expm1(slope) * 100 if slope < 50 else math.inf, -math.expm1(-slope) * 100)


def detectable_trend(years: int, mean_count: float, dispersion: float, alpha: float = ALPHA,
                     power: float = POWER) -> Detectable:
    """The smallest steady annual rise and fall that poisson_trend would call a trend with `power`: the slope
    whose ratio to its standard error, sqrt(phi / (m sum (t - t_bar)^2)) for a flat series of mean m, is the
    noncentrality of Student's t on years - 2 degrees of freedom that gives that power (Cohen J. (1988)
    Statistical Power Analysis for the Behavioral Sciences, 2nd ed., ch. 2; the noncentral t is exact for a
    normal regression with estimated variance, and the simulations in tests/test_null_simulations.py check it
    for Poisson and over-dispersed counts). The dispersion is floored at 1: counts vary at least as Poisson."""
    if years < 3 or mean_count <= 0:
        return Detectable(math.inf, math.inf)
    t = np.arange(years, dtype=float)
    se = math.sqrt(max(dispersion, 1.0) / (mean_count * float(np.sum((t - t.mean()) ** 2))))
    return detectable_slope(se, years - 2, alpha, power)


@dataclass(frozen=True)
class Trend:
    years: int
    annual_percent: float
    lower: float
    upper: float
    p_value: float
    dispersion: float
    mean_count: float = math.nan

    def detectable(self) -> Detectable:
        """The smallest steady annual change this trend test would have detected with 80% power."""
        return detectable_trend(self.years, self.mean_count, self.dispersion)


def poisson_trend(counts: list[int] | np.ndarray, alpha: float = ALPHA) -> Trend | None:
    """Average annual change in a series of yearly counts: log-linear Poisson regression.

    McCullagh P. & Nelder J.A. (1989) Generalized Linear Models, 2nd ed., ch. 6: log E[y_t] = a + b t, with
    the dispersion estimated from the Pearson chi-square over n - 2 degrees of freedom (quasi-Poisson) and the
    slope referred to Student's t on n - 2 degrees of freedom (their section 9.2; Venables W.N. & Ripley B.D.
    (2002) Modern Applied Statistics with S, 4th ed., 7.5). Yearly crime counts vary more than Poisson allows, and
    with three to eight years the dispersion is itself uncertain: a normal reference with a dispersion floored at
    1 rejected a flat series 10-26% of the time at the 5% level (tests/test_null_simulations.py), the t reference
    with the unfloored dispersion about 5%. A series a line fits exactly has no dispersion to estimate and is
    taken as Poisson. The annual change is exp(b) - 1. Needs three or more years, and a series whose slope is
    infinite (all events in the last year) has none.
    """
    y = np.asarray(counts, dtype=float)
    if np.isnan(y).any():
        raise ValueError("yearly counts contain missing values; give zero for a year with no events")
    if len(y) < 3 or y.sum() == 0:
        return None
    if y[1:].sum() == 0 or y[:-1].sum() == 0:
        return None  # every event in the first (or the last) year: the slope is infinite, no trend can be estimated
    x = np.column_stack([np.ones(len(y)), np.arange(len(y), dtype=float)])
    fit = poisson_irls.fit(y, x)  # a series that a line fits exactly (e.g. constant counts) is a valid answer
    residual_df = len(y) - 2
    pearson = float(np.sum((y - fit.fitted) ** 2 / fit.fitted))
    scale = pearson / residual_df if pearson > 1e-12 else 1.0
    se = math.sqrt(fit.unscaled_cov[1, 1]) * math.sqrt(scale)
    slope = float(fit.params[1])
    t = stats.t.ppf(1 - alpha / 2, residual_df)
    if not math.isfinite(slope) or not math.isfinite(se) or abs(slope) + t * se > 50:
        return None  # numerically unstable: no trend can be estimated
    p_value = float(2 * stats.t.sf(abs(slope / se), residual_df))
    to_percent = lambda b: (math.exp(b) - 1) * 100  # noqa: E731
    return Trend(len(y), to_percent(slope), to_percent(slope - t * se), to_percent(slope + t * se), p_value, scale,
                 float(y.mean()))

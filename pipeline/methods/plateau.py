"""Has a long-term trend levelled off? A segmented (broken-stick) log-linear model of monthly counts.

Quasi-Poisson regression of monthly counts on time in years, a change of slope at the start of the latest
`recent_years`, and calendar-month effects (so a season does not pass for a trend):
    log E[count_t] = a + b t + c (t - t0)+ + month(t)
the segmented regression of interrupted time series (Wagner A.K., Soumerai S.B., Zhang F. & Ross-Degnan D.
(2002) J Clin Pharm Ther 27:299-309), here without a step, as the plan's "plateau" is a change of slope. Where the whole series shows no trend, the smallest steady change its t-test would have
detected with 80% power is given (statistics.detectable_slope). The
dispersion is Pearson's chi-square over the residual degrees of freedom, floored at 1, and tests and intervals
use Student's t on those degrees of freedom (McCullagh & Nelder 1989, ch. 6). Reported: the whole series'
annual change (the same model without c), the latest years' annual change (b + c) and the p-value of c, the
change of slope. "Levelling off" needs a change of slope beyond chance and a latest-years change whose interval
includes no change; "still falling" or "still rising" needs a latest-years interval that excludes it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from pipeline.methods import poisson_irls
from pipeline.methods.statistics import Detectable, detectable_slope


@dataclass(frozen=True)
class SlopeChange:
    years: float
    recent_years: int
    whole_percent: float
    whole_low: float
    whole_high: float
    whole_p: float
    recent_percent: float
    recent_low: float
    recent_high: float
    change_p: float
    whole_detectable: Detectable | None = None  # the smallest whole-series trend its t-test detects (80% power)

    @property
    def reading(self) -> str:
        if self.recent_low > 0:
            return "still rising"
        if self.recent_high < 0:
            return "still falling"
        if self.change_p < 0.05:
            return "levelling off"
        if self.whole_p < 0.05:
            return "no clear change in the latest years"
        return "no clear trend" + (f"; {self.whole_detectable} a year detectable" if self.whole_detectable else "")


def _fit(counts: np.ndarray, design: np.ndarray):
    result = poisson_irls.fit(counts, design)  # scale 1: a perfect fit has X2 = 0
    phi = max(float(result.pearson_chi2 / result.df_resid), 1.0)
    return result, result.unscaled_cov * phi, result.df_resid


def slope_change(monthly: pd.Series, recent_years: int = 3, alpha: float = 0.05) -> SlopeChange | None:
    """From monthly counts (a Series indexed by monthly Periods, gaps as zeros); None with fewer than
    recent_years + 1 years of months."""
    months = len(monthly)
    counts = monthly.to_numpy(dtype=float)
    if months < 12 * (recent_years + 1) or (counts[-12 * recent_years:] == 0).all() or (counts[:-12 * recent_years] == 0).all():
        return None  # too short, or a part with no event at all: its slope would be infinite
    t = np.arange(months) / 12.0
    t0 = t[months - 12 * recent_years]
    calendar = np.asarray(monthly.index.month)
    seasons = [(calendar == m).astype(float) for m in range(2, 13)]
    whole_design = np.column_stack([np.ones(months), t, *seasons])
    broken_design = np.column_stack([np.ones(months), t, np.clip(t - t0, 0, None), *seasons])
    z = lambda df: stats.t.ppf(1 - alpha / 2, df)  # noqa: E731
    percent = lambda b: (np.exp(b) - 1) * 100  # noqa: E731

    whole, whole_cov, whole_df = _fit(counts, whole_design)
    b, se_b = whole.params[1], np.sqrt(whole_cov[1, 1])
    broken, cov, df = _fit(counts, broken_design)
    contrast = np.zeros(broken_design.shape[1])
    contrast[1:3] = 1.0
    recent, se_recent = contrast @ broken.params, np.sqrt(contrast @ cov @ contrast)
    change_t = broken.params[2] / np.sqrt(cov[2, 2])
    return SlopeChange(months / 12, recent_years,
                       percent(b), percent(b - z(whole_df) * se_b), percent(b + z(whole_df) * se_b),
                       float(2 * stats.t.sf(abs(b / se_b), whole_df)),
                       percent(recent), percent(recent - z(df) * se_recent), percent(recent + z(df) * se_recent),
                       float(2 * stats.t.sf(abs(change_t), df)), detectable_slope(float(se_b), int(whole_df), alpha))

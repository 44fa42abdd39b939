"""A seasonal index by calendar month with its uncertainty.

A quasi-Poisson log-linear model of monthly counts, log E[count] = year + month (Poisson regression with the
dispersion estimated from Pearson's chi-square and floored at 1; McCullagh P. & Nelder J.A. (1989) Generalized
Linear Models, 2nd ed., ch. 6), with the month effects coded to sum to zero: exp(month effect) is the month's
count relative to the (geometric) average month of the same year, so 1.30 reads "30% above an average month".
The year factor absorbs differences in level between years, so a falling series does not look seasonal.
Each index has a Wald 95% interval on Student's t with the residual degrees of freedom (the dispersion is
estimated); a month is called a peak when its index is above 1 after
Benjamini-Hochberg control of the false discovery rate across every month and series reported (one-sided
tests), so that series with no seasonality yield no peaks beyond the nominal 5%.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from pipeline.methods import poisson_irls

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def seasonal_index(counts: pd.Series, years: pd.Series, alpha: float = 0.05) -> pd.DataFrame | None:
    """Index per calendar month (1-12) from monthly counts labelled by month number (the Series index) and a
    year label per count; None with fewer than two whole years (no replication of any month)."""
    frame = pd.DataFrame({"count": np.asarray(counts, dtype=float), "month": np.asarray(counts.index, dtype=int),
                          "year": np.asarray(years)})
    whole = frame.groupby("year")["month"].nunique() == 12
    frame = frame[frame["year"].isin(whole[whole].index)]
    if frame["year"].nunique() < 2:
        return None
    year_levels = sorted(frame["year"].unique())
    columns = [np.ones(len(frame))] + [(frame["year"] == y).to_numpy(float) for y in year_levels[1:]]
    month = frame["month"].to_numpy()
    columns += [(month == m).astype(float) - (month == 12).astype(float) for m in range(1, 12)]
    design = np.column_stack(columns)
    if not frame["count"].any():
        return None
    result = poisson_irls.fit(frame["count"].to_numpy(), design)  # scale 1 (X2 may be 0)
    phi = max(float(result.pearson_chi2 / result.df_resid), 1.0)
    covariance = result.unscaled_cov * phi
    first = 1 + len(year_levels) - 1
    # Effect of month m as a contrast of the coefficients; December is minus the sum of the others.
    contrasts = np.zeros((12, design.shape[1]))
    contrasts[np.arange(11), first + np.arange(11)] = 1.0
    contrasts[11, first:first + 11] = -1.0
    effect = contrasts @ result.params
    se = np.sqrt(np.einsum("ij,jk,ik->i", contrasts, covariance, contrasts))
    df = result.df_resid  # the dispersion is estimated: Student's t, as R's summary.glm does for quasi families
    z = stats.t.ppf(1 - alpha / 2, df)
    return pd.DataFrame({"month": np.arange(1, 13), "index": np.exp(effect), "low": np.exp(effect - z * se),
                         "high": np.exp(effect + z * se), "p_above": stats.t.sf(effect / se, df),
                         "years": len(year_levels), "dispersion": phi})

"""Months, financial years and the assessment's rolling twelve-month periods."""
from __future__ import annotations

import numpy as np
import pandas as pd

CURRENT, PREVIOUS, EARLIER, AFTER = "current", "previous", "earlier", "after period end"


def _ordinals(months: pd.Series) -> np.ndarray:
    """Months since 1970-01 of each monthly Period (vectorised; missing months give NaN)."""
    index = pd.PeriodIndex(months, freq="M")
    ordinals = index.asi8.astype("float64")
    ordinals[index.isna()] = np.nan
    return ordinals


def financial_year(months: pd.Series) -> pd.Series:
    """UK financial year (April to March) of each monthly Period, as '2024/25'."""
    ordinal = _ordinals(months)
    start = pd.Series(np.floor((ordinal - 3) / 12) + 1970, index=months.index)
    labels = {y: f"{int(y)}/{(int(y) + 1) % 100:02d}" for y in start.dropna().unique()}
    return start.map(labels).fillna("")


def year_ending_label(end: pd.Period) -> str:
    """The twelve months ending with `end`, as 'Apr 2024 - Mar 2025'."""
    start = end - 11
    return f"{start.strftime('%b %Y')} - {end.strftime('%b %Y')}"


def years_back(months: pd.Series, period_end: pd.Period) -> pd.Series:
    """Whole twelve-month periods between each month and the period end: 0 = current year, 1 = previous."""
    back = (period_end.ordinal - _ordinals(months)) // 12
    return pd.Series(back, index=months.index)


def assessment_period(months: pd.Series, period_end: pd.Period) -> pd.DataFrame:
    """For each month: its rolling year label, how many years back it is, and current/previous/earlier."""
    back = years_back(months, period_end)
    role = back.map({0: CURRENT, 1: PREVIOUS}).fillna(EARLIER).where(back >= 0, AFTER)
    labels = {k: year_ending_label(period_end - 12 * int(k)) for k in back.dropna().unique() if k >= 0}
    label = back.map(labels).fillna(AFTER)
    return pd.DataFrame({"year_ending": label, "years_back": back, "assessment_period": role}, index=months.index)


def complete_years(crimes: pd.DataFrame) -> list[int]:
    """Years back (0 = current) for which all twelve months are present in the data."""
    months = crimes.loc[crimes["years_back"] >= 0].groupby("years_back")["month"].nunique()
    return sorted(int(k) for k, n in months.items() if n == 12)


def by_assessment_year(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The rows of each rolling assessment year (oldest first), labelled as the report labels the year, so that
    every share and count refers to the same twelve months as the rest of the report. A year the data do not
    cover in full says how many months it has ('Apr 2020 - Mar 2021 (7 months)')."""
    rows = frame[frame["years_back"] >= 0]
    out = []
    for _, group in sorted(rows.groupby("years_back"), key=lambda item: -item[0]):
        months = group["month"].nunique()
        label = str(group["year_ending"].iloc[0]) + (f" ({months} months)" if months < 12 else "")
        out.append((label, group))
    return out

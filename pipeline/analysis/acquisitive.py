"""Personal acquisitive crime: the plan's five types as daily, ISO-weekly and monthly count series, their
seasonal pattern, year to date against the targets, and repeat and near-repeat burglary and cycle theft.

Series come from the force's police records where supplied (they carry dates; a record is counted on the
day it was reported, so the latest week is not short of offences still to be reported), else monthly from
data.police.uk. Where a record carries a Home Office offence code, non-dwelling burglary (30A-30D) and
business robbery (34A) are left out, as the plan asks for dwelling burglary and personal robbery; police.uk
does not separate them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.inputs.config import AssessmentConfig
from pipeline.methods import knox as knox_method
from pipeline.methods.associations import benjamini_hochberg
from pipeline.methods.grid import to_bng
from pipeline.methods.seasonality import MONTHS, seasonal_index

# The plan's name for each type, and the police.uk crime type it is counted from.
TYPES = {"Dwelling burglary": "Burglary", "Personal robbery": "Robbery", "Vehicle crime": "Vehicle crime",
         "Theft from the person": "Theft from the person", "Cycle theft": "Bicycle theft"}
EXCLUDED_CODES = {"Dwelling burglary": {"30A", "30B", "30C", "30D"}, "Personal robbery": {"34A"}}
NEAR_REPEAT_TYPES = ("Dwelling burglary", "Cycle theft")
FY_MONTH_ORDER = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
MIN_PAIRS = 10  # a Knox cell with fewer observed pairs is not read (pipeline.methods.statistics.MIN_RELIABLE_COUNT)


@dataclass
class Series:
    """One type's counts at one resolution ('day', 'week' or 'month'), indexed by pandas Period."""

    crime_type: str
    resolution: str
    counts: pd.Series
    source: str


def priority_records(records: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """The area's police records of the five types: plan type, reported day, event day and coordinates."""
    rows = records[records["in_area"] & records["crime_type"].isin(TYPES.values())]
    plan_type = rows["crime_type"].map({v: k for k, v in TYPES.items()})
    codes = rows["ho_offence_code"].fillna("").str.upper().str.strip()
    excluded = pd.Series(False, index=rows.index)
    for name, excluded_codes in EXCLUDED_CODES.items():
        excluded |= plan_type.eq(name) & codes.isin(excluded_codes)
    rows, plan_type = rows[~excluded], plan_type[~excluded]
    event = rows["occurred_from"].fillna(rows["reported_at"])
    return pd.DataFrame({"crime_type": plan_type, "reported": rows["reported_at"].dt.normalize(),
                         "event_day": event.dt.normalize(), "latitude": rows["latitude"], "longitude": rows["longitude"]})


def _complete(counts: pd.Series, first: pd.Period, last: pd.Period) -> pd.Series:
    return counts.reindex(pd.period_range(first, last, freq=first.freq), fill_value=0).astype(int)


def record_series(rows: pd.DataFrame, period_end: pd.Period, last_day: pd.Timestamp | None = None) -> list[Series]:
    """Daily, ISO-weekly (Monday to Sunday) and monthly counts by reported day, each up to the period end (or an
    earlier `last_day`, as the weekly bulletin of a past week sees them); weeks and months only when whole (the
    first and the last may be cut off by the data)."""
    last_day = period_end.to_timestamp(how="end").normalize() if last_day is None else last_day.normalize()
    period_end = min(period_end, pd.Period(last_day + pd.Timedelta(days=1), "M") - 1)
    rows = rows[rows["reported"] <= last_day]
    if rows.empty:
        return []
    first_day = rows["reported"].min()
    days = pd.Period(first_day, "D"), pd.Period(last_day, "D")
    weeks = pd.Period(first_day + pd.Timedelta(days=(7 - first_day.day_of_week) % 7), "W-SUN"), \
        pd.Period(last_day - pd.Timedelta(days=(last_day.day_of_week + 1) % 7), "W-SUN")
    months = pd.Period(first_day, "M") if first_day.day == 1 else pd.Period(first_day, "M") + 1, period_end
    out = []
    for name in TYPES:
        reported = rows.loc[rows["crime_type"] == name, "reported"]
        for resolution, (first, last) in (("day", days), ("week", weeks), ("month", months)):
            periods = reported.dt.to_period({"day": "D", "week": "W-SUN", "month": "M"}[resolution])
            out.append(Series(name, resolution, _complete(periods.value_counts(), first, last), "police records"))
    return out


def police_uk_series(crimes: pd.DataFrame, config: AssessmentConfig, period_end: pd.Period) -> list[Series]:
    """Monthly counts from data.police.uk (no dates within a month), over the months the files cover."""
    area = crimes[crimes["district_code"].isin(config.area_codes) & crimes["crime_type"].isin(TYPES.values())]
    present = sorted(pd.Period(m, "M") for m in crimes["month"].unique())
    present = [m for m in present if m <= period_end]
    out = []
    for name, police_type in TYPES.items():
        months = area.loc[area["crime_type"] == police_type, "month"].map(lambda m: pd.Period(m, "M"))
        out.append(Series(name, "month", _complete(months.value_counts(), present[0], present[-1]), "data.police.uk"))
    return out


def financial_year_of(periods: pd.PeriodIndex) -> np.ndarray:
    start = np.where(periods.month >= 4, periods.year, periods.year - 1)
    return np.array([f"{s}/{(s + 1) % 100:02d}" for s in start])


def overlay(monthly: list[Series]) -> pd.DataFrame:
    """Monthly counts by financial year for the seasonal overlay chart: type, year, month (1-12), count."""
    frames = []
    for series in monthly:
        index = series.counts.index
        frames.append(pd.DataFrame({"crime_type": series.crime_type, "year": financial_year_of(index),
                                    "month": index.month, "count": series.counts.to_numpy()}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["crime_type", "year", "month", "count"])


def seasonality(monthly: list[Series]) -> pd.DataFrame:
    """Seasonal index of each type by calendar month over whole financial years, with peaks called after
    Benjamini-Hochberg across every type and month (see pipeline.methods.seasonality)."""
    frames = []
    for series in monthly:
        index = series.counts.index
        result = seasonal_index(pd.Series(series.counts.to_numpy(), index=index.month), pd.Series(financial_year_of(index)))
        if result is not None:
            frames.append(result.assign(crime_type=series.crime_type))
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    table["peak"] = (benjamini_hochberg(table["p_above"].to_numpy()) <= 0.05) & (table["index"] > 1)
    return table


def peak_table(seasonal: pd.DataFrame) -> pd.DataFrame:
    """One row per type: the months that are peaks, the highest month and its index with its interval."""
    rows = []
    for crime_type, group in seasonal.groupby("crime_type", sort=False):
        top = group.loc[group["index"].idxmax()]
        peaks = [MONTHS[m - 1] for m in FY_MONTH_ORDER if group.set_index("month").at[m, "peak"]]
        rows.append({"Type": crime_type, "Peak months (above an average month, FDR 5%)": ", ".join(peaks) or "none",
                     "Highest month": MONTHS[int(top["month"]) - 1], "Its index": float(top["index"]),
                     "95% CI low": float(top["low"]), "95% CI high": float(top["high"]),
                     "Years": int(top["years"])})
    table = pd.DataFrame(rows)
    table.attrs["kinds"] = {"Its index": "ratio", "95% CI low": "ratio", "95% CI high": "ratio", "Years": "count"}
    return table


def near_repeats(rows: pd.DataFrame, period_end: pd.Period, permutations: int = 999) -> dict[str, dict]:
    """Knox test and repeat places for each near-repeat type over the 12 months to the period end."""
    start = (period_end - 11).to_timestamp()
    end = period_end.to_timestamp(how="end")
    year = rows[(rows["event_day"] >= start) & (rows["event_day"] <= end)].dropna(subset=["latitude", "longitude"])
    out = {}
    for name in NEAR_REPEAT_TYPES:
        events = year[year["crime_type"] == name]
        if len(events) < 20:
            out[name] = {"events": len(events)}
            continue
        x, y = to_bng(events["longitude"].to_numpy(), events["latitude"].to_numpy())
        days = ((events["event_day"] - start).dt.days).to_numpy()
        result = knox_method.knox(x, y, days, permutations=permutations, seed=20241007)
        places, at_places = knox_method.repeat_locations(x, y)
        out[name] = {"events": len(events), "knox": result, "repeat_places": places, "events_at_repeat_places": at_places}
    return out


def knox_table(results: dict[str, dict]) -> pd.DataFrame:
    """Long table: type, distance band, time band, pairs observed and expected, Knox ratio, p-value, and whether
    the cell is beyond chance after Benjamini-Hochberg across every cell of every type."""
    rows = []
    for name, found in results.items():
        result = found.get("knox")
        if result is None:
            continue
        for d, distance in enumerate(result.distance_labels):
            for t, time in enumerate(result.time_labels):
                rows.append({"Type": name, "Distance": distance, "Time apart": time,
                             "Pairs": int(result.observed[d, t]), "Expected pairs": float(result.expected[d, t]),
                             "Knox ratio": float(result.ratio[d, t]), "p-value": float(result.p_value[d, t])})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table[table["Expected pairs"] > 0].reset_index(drop=True)
    q = benjamini_hochberg(table["p-value"].to_numpy())
    table["More pairs than chance (FDR 5%)"] = np.select(
        [table["Pairs"] < MIN_PAIRS, (q <= 0.05) & (table["Knox ratio"] > 1)], ["too few to tell", "yes"], "no")
    table.attrs["kinds"] = {"Expected pairs": "number", "Knox ratio": "ratio", "p-value": "p"}
    return table


def knox_matrix(table: pd.DataFrame, crime_type: str, value: str = "Knox ratio") -> pd.DataFrame:
    """One type's Knox ratios (or p-values) as distance band x time band, the way near-repeat calculators print
    them; a cell with fewer than MIN_PAIRS pairs reads 'too few'."""
    rows = table[table["Type"] == crime_type] if not table.empty else table
    if rows.empty:
        return pd.DataFrame()
    shown = rows[value].where(rows["More pairs than chance (FDR 5%)"] != "too few to tell", "too few")
    matrix = rows.assign(shown=shown).pivot(index="Distance", columns="Time apart", values="shown")
    matrix = matrix.reindex(index=list(dict.fromkeys(rows["Distance"])), columns=list(dict.fromkeys(rows["Time apart"])))
    matrix = matrix.reset_index().rename(columns={"Distance": "Distance apart"})
    matrix.columns.name = None
    matrix.attrs["kinds"] = {column: "ratio" if value == "Knox ratio" else "p" for column in matrix.columns[1:]}
    return matrix

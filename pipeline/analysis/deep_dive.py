"""A quarterly deep dive: one topic (a chapter's police.uk crime types, or a configured theme) for one quarter,
against the same quarter of every earlier year the data hold, so that the season is held fixed.

From police.uk street-level crimes, the one source with every month of every year: the quarter's count and rate per
1,000 residents beside the same quarter of earlier years; the change on the year before and on the earlier years'
average, each by the exact conditional test of two Poisson counts (pipeline.methods.statistics.compare_counts);
the trend over the same quarters (quasi-Poisson, pipeline.methods.statistics.poisson_trend); each crime type's change
with Benjamini-Hochberg control across the types; wards and zones with their changes (counts, not tested one by one);
and the topic's seasonal peaks by calendar month (pipeline.methods.seasonality, FDR 5%), which say when next year's
deep dive on it should fall: in the quarter before its peak.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis.acquisitive import financial_year_of
from pipeline.inputs.config import AssessmentConfig
from pipeline.inputs.deep_dive_plan import quarter_months
from pipeline.methods.associations import benjamini_hochberg
from pipeline.methods.disclosure import protect
from pipeline.methods.seasonality import MONTHS, seasonal_index
from pipeline.methods.statistics import CountComparison, Trend, compare_counts, poisson_trend
from pipeline.methods.values import Estimate

FDR = 0.05
ALL_WARDS, UNPLACED = "All wards", "No ward (location not placed)"


@dataclass
class DeepDive:
    topic: str
    label: str  # what the topic is called in the document
    types: tuple[str, ...]
    quarter: str
    same_quarters: pd.DataFrame  # one row per year's same quarter, oldest first
    population: float
    headline: CountComparison | None = None  # on the same quarter of the year before
    versus_average: CountComparison | None = None  # on the average of every earlier same quarter
    trend: Trend | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # by type, ward, month and zone
    peaks: list[tuple[str, float, float, float]] = field(default_factory=list)  # (month, index, low, high)
    suggested_quarter: int | None = None  # the calendar quarter before the topic's highest peak
    reason: str = ""  # why there is no comparison (no data for the quarter)

    counts: list[int] = field(default_factory=list)  # the same quarters' counts, oldest first (unsuppressed)

    @property
    def count(self) -> int:
        return self.counts[-1] if self.counts else 0

    def record(self) -> dict:
        """What the annual report reads of this deep dive (numbers, not words)."""
        def compared(c: CountComparison | None) -> dict | None:
            if c is None:
                return None
            previous = c.previous / c.previous_exposure  # an average of earlier quarters, or one quarter
            return {"current": c.current, "previous": previous, "change": c.current - previous,
                    "percent_change": None if not previous else (c.current - previous) / previous * 100,
                    "rate_ratio": c.rate_ratio, "significant": c.significant, "too_small": c.too_small}
        return {"topic": self.topic, "label": self.label, "quarter": self.quarter, "count": self.count,
                "years": len(self.same_quarters), "headline": compared(self.headline),
                "versus_average": compared(self.versus_average), "reason": self.reason,
                "peaks": [month for month, *_ in self.peaks], "suggested_quarter": self.suggested_quarter}


def quarter_name(quarter: str) -> str:
    """'2024Q4' -> 'Q4 2024'."""
    return f"Q{quarter[-1]} {quarter[:4]}"


def quarter_label(quarter: str) -> str:
    """'2024Q4' -> 'Q4 2024 (Oct to Dec 2024)'."""
    months = quarter_months(quarter)
    return f"{quarter_name(quarter)} ({months[0]:%b} to {months[-1]:%b %Y})"


def _same_quarters(monthly: pd.Series, quarter: str, present: pd.PeriodIndex) -> tuple[pd.DataFrame, list[str]]:
    """Each year's same quarter whose three months the data hold, up to the quarter asked for, and their codes."""
    rows, codes = [], []
    year = int(quarter[:4])
    for back in range(year - present.min().year, -1, -1):
        label = f"{year - back}Q{quarter[-1]}"
        months = quarter_months(label)
        if all(month in present for month in months):
            rows.append({"Quarter": quarter_name(label), "Records": int(monthly.reindex(months, fill_value=0).sum())})
            codes.append(label)
    return pd.DataFrame(rows, columns=["Quarter", "Records"]), codes


def _change_columns(frame: pd.DataFrame, now: str, before: str) -> pd.DataFrame:
    frame["Change"] = frame[now] - frame[before]
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["Change (%)"] = np.where(frame[before] > 0, frame["Change"] / frame[before] * 100, np.nan)
    return frame


def by_type(topic_rows: pd.DataFrame, types: tuple[str, ...], months: pd.PeriodIndex,
            last_year: pd.PeriodIndex) -> pd.DataFrame:
    """Each crime type of the topic this quarter and a year before, tested with BH control across the types."""
    now = topic_rows[topic_rows["period"].isin(months)]["crime_type"].value_counts()
    before = topic_rows[topic_rows["period"].isin(last_year)]["crime_type"].value_counts()
    comparisons = [compare_counts(int(now.get(t, 0)), int(before.get(t, 0))) for t in types]
    q = benjamini_hochberg([c.p_value for c in comparisons])
    frame = pd.DataFrame({"Type": types, "This quarter": [c.current for c in comparisons],
                          "Same quarter last year": [c.previous for c in comparisons]})
    frame = _change_columns(frame, "This quarter", "Same quarter last year")
    frame["Rate ratio (95% CI)"] = [Estimate(c.rate_ratio, c.ratio_lower, c.ratio_upper) for c in comparisons]
    frame["Beyond natural variation (FDR 5%)"] = [
        "too few to test" if c.too_small else ("yes" if q_value <= FDR else "no") for c, q_value in zip(comparisons, q)]
    return protect(frame, ["This quarter", "Same quarter last year"], ["Change", "Change (%)", "Rate ratio (95% CI)"])


def by_place(topic_rows: pd.DataFrame, column: str, label: str, total: str, months: pd.PeriodIndex,
             last_year: pd.PeriodIndex, other: str) -> pd.DataFrame:
    """Counts by ward or zone this quarter and a year before, with a total row; no count from 1 to 4 shown or
    recoverable from the total."""
    places = topic_rows[column].replace("", other)
    now = places[topic_rows["period"].isin(months)].value_counts()
    before = places[topic_rows["period"].isin(last_year)].value_counts()
    names = sorted(set(now.index) | set(before.index), key=lambda name: (name == other, -now.get(name, 0), name))
    frame = pd.DataFrame({label: names, "This quarter": [int(now.get(n, 0)) for n in names],
                          "Same quarter last year": [int(before.get(n, 0)) for n in names]})
    frame = pd.concat([frame, pd.DataFrame({label: [total], "This quarter": [int(now.sum())],
                                            "Same quarter last year": [int(before.sum())]})], ignore_index=True)
    frame = _change_columns(frame, "This quarter", "Same quarter last year")
    return protect(frame, ["This quarter", "Same quarter last year"], ["Change", "Change (%)"],
                   total_row=(label, total, []))


def by_month(monthly: pd.Series, quarters: list[str]) -> pd.DataFrame:
    """Each month of the last quarter against the average of the same month in the earlier ones."""
    latest = quarter_months(quarters[-1])
    earlier = [quarter_months(q) for q in quarters[:-1]]
    rows = []
    for position, month in enumerate(latest):
        average = float(np.mean([monthly.get(months[position], 0) for months in earlier])) if earlier else np.nan
        rows.append({"Month": f"{month:%B %Y}", "Records": int(monthly.get(month, 0)),
                     "Average of the same month, earlier years": average})
    frame = pd.DataFrame(rows)
    total = {"Month": "The quarter", "Records": int(frame["Records"].sum()),
             "Average of the same month, earlier years": frame["Average of the same month, earlier years"].sum()}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    return protect(frame, ["Records"], total_row=("Month", "The quarter", []))


def seasonal_peaks(monthly: pd.Series) -> tuple[list[tuple[str, float, float, float]], int | None]:
    """The topic's peak months over whole financial years (index above an average month, FDR 5%) and the calendar
    quarter before the highest peak's, when a deep dive on the topic is best timed."""
    if monthly.empty:
        return [], None
    full = monthly.reindex(pd.period_range(monthly.index.min(), monthly.index.max(), freq="M"), fill_value=0)
    index = pd.PeriodIndex(full.index)
    table = seasonal_index(pd.Series(full.to_numpy(), index=index.month), pd.Series(financial_year_of(index)))
    if table is None:
        return [], None
    table = table.assign(q=benjamini_hochberg(table["p_above"].to_numpy()))
    peaks = table[(table["q"] <= FDR) & (table["index"] > 1)].sort_values("index", ascending=False)
    found = [(MONTHS[int(m) - 1], float(i), float(lo), float(hi))
             for m, i, lo, hi in peaks[["month", "index", "low", "high"]].itertuples(index=False)]
    if peaks.empty:
        return found, None
    peak_quarter = (int(peaks["month"].iloc[0]) - 1) // 3 + 1
    return found, (peak_quarter - 2) % 4 + 1


def build(crimes: pd.DataFrame, geography: pd.DataFrame, config: AssessmentConfig, topic: str,
          quarter: str) -> DeepDive:
    """The deep dive of `topic` (a key of config.deep_dives.topics()) for `quarter` ('2024Q4')."""
    label, types = config.deep_dives.topics()[topic]
    area = crimes[crimes["district_code"].isin(config.area_codes)]
    area = area.assign(period=pd.PeriodIndex(area["month"], freq="M"))
    present = pd.PeriodIndex(sorted(area["period"].unique()), freq="M")
    population = float(geography.loc[geography["district_code"].isin(config.area_codes), "population_2021"].sum())
    rows = area[area["crime_type"].isin(types)]
    monthly = rows["period"].value_counts().sort_index()
    same, codes = _same_quarters(monthly, quarter, present)
    result = DeepDive(topic, label, types, quarter, same, population)
    if not codes or codes[-1] != quarter:
        result.reason = (f"the police.uk files do not hold every month of {quarter_label(quarter)} (they hold "
                         f"{present.min()} to {present.max()})" if len(present) else "there are no police.uk records")
        return result
    counts = result.counts = same["Records"].astype(int).tolist()
    same["Rate per 1,000 residents"] = same["Records"] / population * 1000 if population else np.nan
    previous = same["Records"].shift(1)
    same["Change on the year before"] = same["Records"] - previous
    same["Change (%)"] = np.where(previous > 0, (same["Records"] - previous) / previous * 100, np.nan)
    same.attrs[fmt.KINDS] = {"Change on the year before": "signed_count"}
    result.same_quarters = protect(same, ["Records"], ["Rate per 1,000 residents", "Change on the year before",
                                                       "Change (%)"])
    months = quarter_months(quarter)
    if len(counts) >= 2:
        result.headline = compare_counts(counts[-1], counts[-2])
        result.versus_average = compare_counts(counts[-1], sum(counts[:-1]), 1.0, float(len(counts) - 1))
        last_year = months - 12
        result.tables["type"] = by_type(rows, types, months, last_year) if len(types) > 1 else pd.DataFrame()
        result.tables["ward"] = by_place(rows, "ward_name", "Ward", ALL_WARDS, months, last_year, UNPLACED)
        if config.zones:
            result.tables["zone"] = by_place(rows, "zone", "Zone", "The whole area", months, last_year,
                                             f"Rest of {config.area_name}")
    result.trend = poisson_trend(counts)
    result.tables["month"] = by_month(monthly, codes)
    result.peaks, result.suggested_quarter = seasonal_peaks(monthly)
    return result

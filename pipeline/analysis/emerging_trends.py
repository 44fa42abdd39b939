"""Emerging trends: the improved Farrington detector and historical limits run over every series, with the
false discovery rate held across everything a view reports.

An alarm is a period whose count is above its Farrington threshold (one-sided 99.5%), with at least 5 events
in the latest 4 periods, and whose p-value survives Benjamini-Hochberg at 5% across every series and period
of the view (the assessment year's alarm table is one family; the latest-weeks view, which is also printed on
its own for tasking meetings, is another). Daily series are assessed only where a type averages at least
DAILY_MINIMUM a day in its baseline: below that a day's count is too small for a threshold to mean anything.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.analysis.acquisitive import TYPES, Series
from pipeline.methods import farrington
from pipeline.methods.associations import benjamini_hochberg
from pipeline.methods.exceedance import historical_limits

DAILY_MINIMUM = 5.0
FDR = 0.05
LATEST_WEEKS = 8
RESOLUTION_ORDER = {"day": 0, "week": 1, "month": 2}


def baseline_needed(resolution: str) -> str:
    control = farrington.CONTROLS[resolution]
    return f"{control.b} years and {control.w} {resolution}{'s' if control.w != 1 else ''}"


def daily_allowed(series: Series) -> bool:
    control = farrington.CONTROLS["day"]
    start = farrington.first_assessable(farrington.FREQUENCY["day"], control)
    baseline = series.counts.iloc[max(len(series.counts) - 365 - 365 * control.b, 0):len(series.counts) - 365]
    return len(series.counts) > start and len(baseline) > 0 and float(baseline.mean()) >= DAILY_MINIMUM


def period_label(period: pd.Period, resolution: str) -> str:
    if resolution == "week":
        return f"w/c {period.start_time:%d %b %Y}"
    if resolution == "day":
        return f"{period.start_time:%a %d %b %Y}"
    return f"{period.start_time:%b %Y}"


def assess(series: Series, positions: np.ndarray) -> pd.DataFrame:
    """The detector and historical limits at the given positions of one series (those with a full baseline)."""
    freq, control = farrington.FREQUENCY[series.resolution], farrington.CONTROLS[series.resolution]
    positions = np.asarray(positions, dtype=int)
    positions = positions[positions >= farrington.first_assessable(freq, control)]
    if not len(positions):
        return pd.DataFrame()
    found = farrington.detect(series.counts.to_numpy(), freq, control, positions)
    limits = historical_limits(series.counts.to_numpy(), freq, control.b, control.w, found["position"].to_numpy(),
                               alpha=control.alpha)
    periods = series.counts.index[found["position"].to_numpy()]
    return found.assign(crime_type=series.crime_type, resolution=series.resolution, period=periods,
                        start=periods.start_time, label=[period_label(p, series.resolution) for p in periods],
                        hl_limit=limits["limit"].to_numpy(), hl_ratio=limits["ratio"].to_numpy(),
                        hl_p=limits["p_value"].to_numpy())


def with_fdr(rows: pd.DataFrame) -> pd.DataFrame:
    """Benjamini-Hochberg across the family: q-values of both tests, and the alarm and historical-limits calls."""
    rows = rows.copy()
    tested = rows["p_value"].notna()
    rows["q_value"] = np.nan
    rows.loc[tested, "q_value"] = benjamini_hochberg(rows.loc[tested, "p_value"].to_numpy())
    rows["alarm"] = rows["alarm"] & (rows["q_value"] <= FDR)
    limited = rows["hl_p"].notna()
    rows["hl_q"] = np.nan
    rows.loc[limited, "hl_q"] = benjamini_hochberg(rows.loc[limited, "hl_p"].to_numpy())
    rows["hl_exceeded"] = (rows["hl_q"] <= FDR) & (rows["observed"] > rows["hl_limit"])
    return rows


def year_family(series_list: list[Series], period_end: pd.Period) -> pd.DataFrame:
    """Every period of the assessment year (12 months to the period end) that has a full baseline, for every
    series the detector can run on, with FDR control across them all."""
    start = (period_end - 11).to_timestamp()
    frames = []
    for series in series_list:
        if series.resolution == "day" and not daily_allowed(series):
            continue
        starts = series.counts.index.start_time
        positions = np.flatnonzero(starts >= start)
        if len(positions):
            frames.append(assess(series, positions))
    frames = [f for f in frames if len(f)]
    return with_fdr(pd.concat(frames, ignore_index=True)) if frames else pd.DataFrame()


def latest_weeks(series_list: list[Series], weeks: int = LATEST_WEEKS) -> pd.DataFrame:
    """The last `weeks` whole ISO weeks of each type against its threshold, FDR across this view alone."""
    frames = [assess(s, np.arange(len(s.counts) - weeks, len(s.counts))) for s in series_list if s.resolution == "week"]
    frames = [f for f in frames if len(f)]
    return with_fdr(pd.concat(frames, ignore_index=True)) if frames else pd.DataFrame()


def alarm_table(family: pd.DataFrame) -> pd.DataFrame:
    """The alarms, newest first within each type: what an analyst needs to act on one."""
    if family.empty or not family["alarm"].any():
        return pd.DataFrame()
    alarms = family[family["alarm"]].copy()
    alarms["order"] = alarms["crime_type"].map({t: i for i, t in enumerate(TYPES)})
    alarms["resolution_order"] = alarms["resolution"].map(RESOLUTION_ORDER)
    alarms = alarms.sort_values(["order", "resolution_order", "start"])
    table = pd.DataFrame({
        "Type": alarms["crime_type"], "View": alarms["resolution"].map({"day": "Daily", "week": "Weekly", "month": "Monthly"}),
        "Period": alarms["label"], "Observed": alarms["observed"].astype(int), "Expected": alarms["expected"],
        "Threshold": alarms["threshold"], "Exceedance score": alarms["score"], "FDR-adjusted p": alarms["q_value"],
        "Historical limits: ratio to baseline": alarms["hl_ratio"],
        "Above historical limits (FDR 5%)": np.where(alarms["hl_exceeded"], "yes", "no")}).reset_index(drop=True)
    table.attrs["kinds"] = {"Expected": "number", "Threshold": "number", "Exceedance score": "ratio",
                            "FDR-adjusted p": "p", "Historical limits: ratio to baseline": "ratio"}
    return table


def latest_table(latest: pd.DataFrame) -> pd.DataFrame:
    """One row per type and week for printing: observed, expected, threshold, score and the call."""
    if latest.empty:
        return pd.DataFrame()
    latest = latest.assign(order=latest["crime_type"].map({t: i for i, t in enumerate(TYPES)})).sort_values(["order", "start"])
    call = np.where(latest["alarm"], "ALARM",
                    np.where(latest["observed"] > latest["threshold"], "above threshold, not after FDR",
                             np.where(latest["enough_cases"], "", "too few events to test")))
    table = pd.DataFrame({"Type": latest["crime_type"], "Week": latest["label"], "Observed": latest["observed"].astype(int),
                          "Expected": latest["expected"], "Threshold": latest["threshold"],
                          "Exceedance score": latest["score"], "Call": call}).reset_index(drop=True)
    table.attrs["kinds"] = {"Expected": "number", "Threshold": "number", "Exceedance score": "ratio"}
    return table


VIEW_NAMES = {"day": "daily", "week": "weekly", "month": "monthly"}


@dataclass(frozen=True)
class Episode:
    """Alarms of one crime type whose periods overlap or touch in time: one surge, however many views saw it."""

    crime_type: str
    start: pd.Timestamp
    end: pd.Timestamp
    alarms: int
    views: tuple[str, ...]  # 'daily', 'weekly', 'monthly', in that order
    peak_view: str  # the view the peak is read from: weekly, else monthly, else daily
    peak_label: str  # the period with the highest count in that view
    peak_observed: int
    peak_expected: float

    @property
    def span(self) -> str:
        return f"{self.start:%d %b} - {self.end:%d %b %Y}" if self.start.year == self.end.year else \
            f"{self.start:%d %b %Y} - {self.end:%d %b %Y}"


def episodes(alarms: pd.DataFrame) -> list[Episode]:
    """The alarms (rows of a family with `alarm` true) grouped into episodes: per crime type, alarms whose periods
    (day, week or month) overlap or follow on without a gap form one episode. The daily, weekly and monthly views of
    one surge alarm together, and counting each alarm would count one event many times. The peak is the highest
    count in the weekly view (else the monthly, else the daily), not the highest exceedance score."""
    out = []
    for crime_type, group in alarms.groupby("crime_type", sort=False):
        spans = sorted(((period.start_time.normalize(), period.end_time.normalize(), index)
                        for index, period in group["period"].items()), key=lambda span: span[0])
        current: list = []
        for start, end, index in spans:
            if current and start > max(e for _, e, _ in current) + pd.Timedelta(days=1):
                out.append(_episode(crime_type, group, current))
                current = []
            current.append((start, end, index))
        out.append(_episode(crime_type, group, current))
    return sorted(out, key=lambda e: (list(TYPES).index(e.crime_type) if e.crime_type in TYPES else 99, e.start))


def _episode(crime_type: str, group: pd.DataFrame, spans: list) -> Episode:
    rows = group.loc[[index for _, _, index in spans]]
    views = tuple(VIEW_NAMES[r] for r in sorted(set(rows["resolution"]), key=RESOLUTION_ORDER.get))
    finest = next(r for r in ("week", "month", "day") if (rows["resolution"] == r).any())
    shown = rows[rows["resolution"] == finest]
    peak = shown.loc[shown["observed"].idxmax()]
    return Episode(crime_type, min(s for s, _, _ in spans), max(e for _, e, _ in spans), len(rows), views,
                   VIEW_NAMES[finest], str(peak["label"]), int(peak["observed"]), float(peak["expected"]))

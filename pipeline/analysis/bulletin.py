"""The weekly tasking bulletin: the latest weeks of personal acquisitive crime against their alarm thresholds (the
acquisitive chapter's improved-Farrington view, pipeline.analysis.emerging_trends.latest_weeks), where each alarm's
records are, whether they cluster as near repeats, and what changed since the last bulletin.

A type is *live* when its bulletin's latest week is an alarm. Against the previous bulletin of the same folder, a
type live now and not then is a new alarm; live then and not now, an ended alarm. Near repeats: the Knox test
(pipeline.methods.knox) over the alarmed type's records of the last NEAR_REPEAT_WEEKS weeks, read only in the close
cells (up to 200 m and 14 days apart), with Benjamini-Hochberg across those cells.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.analysis import acquisitive, emerging_trends
from pipeline.inputs.config import AssessmentConfig
from pipeline.methods import knox as knox_method
from pipeline.methods.associations import benjamini_hochberg
from pipeline.methods.disclosure import is_small, protect
from pipeline.methods.grid import to_bng

NEAR_REPEAT_WEEKS = 12
NEAR_REPEAT_MINIMUM = 20  # fewer events than this in the window: no Knox test (as the chapter)
CLOSE_DISTANCES = ("Same place", "1-100 m", "101-200 m")
CLOSE_TIMES = ("0-7 days", "8-14 days")
KNOX_PERMUTATIONS = 999


@dataclass
class Alarm:
    """One crime type with at least one alarmed week among the bulletin's latest weeks."""

    crime_type: str
    weeks: list[str]  # the alarmed weeks' labels, oldest first
    live: bool  # the latest week is an alarm
    observed: int  # the latest alarmed week
    expected: float
    threshold: float
    week: str  # the latest alarmed week's label
    places: pd.DataFrame = field(default_factory=pd.DataFrame)  # wards, records in the alarmed weeks (protected)
    lsoa_counts: pd.Series = field(default_factory=pd.Series)  # records in the alarmed weeks by LSOA (for the map)
    near_repeat: pd.DataFrame = field(default_factory=pd.DataFrame)
    near_repeat_events: int = 0


@dataclass
class Bulletin:
    area_name: str
    week_ending: pd.Timestamp
    weeks: int
    latest: pd.DataFrame = field(default_factory=pd.DataFrame)  # the latest_table view, protected
    alarms: list[Alarm] = field(default_factory=list)
    reason: str = ""  # why there is no table (no police records, or too short a history)

    @property
    def live(self) -> list[str]:
        return [alarm.crime_type for alarm in self.alarms if alarm.live]

    def record(self) -> dict:
        """What the next bulletin compares itself with."""
        return {"week_ending": f"{self.week_ending:%Y-%m-%d}", "live": self.live,
                "alarmed_weeks": {alarm.crime_type: alarm.weeks for alarm in self.alarms}}


def build(records: pd.DataFrame | None, config: AssessmentConfig, period_end: pd.Period, week_ending: pd.Timestamp,
          weeks: int = emerging_trends.LATEST_WEEKS, why_no_records: str = "") -> Bulletin:
    """The bulletin for the weeks ending on `week_ending` (a Sunday) from the police records as then reported."""
    bulletin = Bulletin(config.area_name, week_ending, weeks)
    if records is None:
        bulletin.reason = ("No weekly series: the bulletin needs the force's police records "
                           f"({why_no_records or 'not supplied'}).")
        return bulletin
    rows = acquisitive.priority_records(records, config)
    rows = rows[rows["reported"] <= week_ending]
    rows = rows.join(records[["lsoa21", "ward_name"]])
    weekly = [s for s in acquisitive.record_series(rows, period_end, week_ending) if s.resolution == "week"]
    latest = emerging_trends.latest_weeks(weekly, weeks) if weekly else pd.DataFrame()
    if latest.empty:
        bulletin.reason = (f"Too short for a threshold: the weekly detector needs "
                           f"{emerging_trends.baseline_needed('week')} of records before the weeks it assesses.")
        return bulletin
    table = emerging_trends.latest_table(latest)
    bulletin.latest = protect(table, ["Observed"], ["Exceedance score"])
    last_week = latest["period"].max()
    for crime_type, group in latest[latest["alarm"]].groupby("crime_type", sort=False):
        bulletin.alarms.append(_alarm(crime_type, group, last_week, rows, week_ending))
    order = list(acquisitive.TYPES)
    bulletin.alarms.sort(key=lambda alarm: order.index(alarm.crime_type))
    return bulletin


def _alarm(crime_type: str, group: pd.DataFrame, last_week: pd.Period, rows: pd.DataFrame,
           week_ending: pd.Timestamp) -> Alarm:
    group = group.sort_values("start")
    newest = group.iloc[-1]
    mine = rows[rows["crime_type"] == crime_type]
    in_alarmed = mine["reported"].dt.to_period("W-SUN").isin(set(group["period"]))
    alarmed_rows = mine[in_alarmed]
    alarm = Alarm(crime_type, list(group["label"]), bool(newest["period"] == last_week), int(newest["observed"]),
                  float(newest["expected"]), float(newest["threshold"]), str(newest["label"]))
    alarm.places = ward_table(alarmed_rows)
    alarm.lsoa_counts = alarmed_rows.loc[alarmed_rows["lsoa21"].fillna("") != "", "lsoa21"].value_counts()
    if crime_type in acquisitive.NEAR_REPEAT_TYPES:
        start = week_ending - pd.Timedelta(days=7 * NEAR_REPEAT_WEEKS - 1)
        window = mine[mine["event_day"] >= start].dropna(subset=["latitude", "longitude"])
        alarm.near_repeat_events = len(window)
        alarm.near_repeat = near_repeat_cells(window, start)
    return alarm


def ward_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Records of the alarmed weeks by ward, most first, with their total (the alarmed weeks' counts in the latest
    weeks' table); unlocated records are one row, so the wards add up to the total. A ward with 1 to 4 is [c], and
    a second ward with it, so no hidden count is the total less the others."""
    wards = rows["ward_name"].fillna("").replace("", "(no location recorded)")
    counts = wards.value_counts().rename_axis("Ward").reset_index(name="Records")
    counts = counts.sort_values(["Records", "Ward"], ascending=[False, True])
    counts = pd.concat([counts, pd.DataFrame({"Ward": ["All wards"], "Records": [len(rows)]})], ignore_index=True)
    counts["Share of the alarmed weeks' records"] = counts["Records"] / max(len(rows), 1) * 100
    counts.attrs["kinds"] = {"Share of the alarmed weeks' records": "percent"}
    return protect(counts, ["Records"], ["Share of the alarmed weeks' records"], total_row=("Ward", "All wards", []))


def near_repeat_cells(events: pd.DataFrame, start: pd.Timestamp, permutations: int = KNOX_PERMUTATIONS) -> pd.DataFrame:
    """The Knox test's close cells for one type's events (empty when too few to test)."""
    if len(events) < NEAR_REPEAT_MINIMUM:
        return pd.DataFrame()
    x, y = to_bng(events["longitude"].to_numpy(), events["latitude"].to_numpy())
    days = (events["event_day"] - start).dt.days.to_numpy()
    result = knox_method.knox(x, y, days, permutations=permutations, seed=20241007)
    rows = []
    for d, distance in enumerate(result.distance_labels):
        for t, time in enumerate(result.time_labels):
            if distance in CLOSE_DISTANCES and time in CLOSE_TIMES:
                rows.append({"Distance": distance, "Time apart": time, "Pairs": int(result.observed[d, t]),
                             "Expected pairs": float(result.expected[d, t]), "Knox ratio": float(result.ratio[d, t]),
                             "p-value": float(result.p_value[d, t])})
    table = pd.DataFrame(rows)
    q = benjamini_hochberg(table["p-value"].to_numpy())
    table["More pairs than chance (FDR 5%)"] = np.select(
        [table["Pairs"] < acquisitive.MIN_PAIRS, (q <= 0.05) & (table["Knox ratio"] > 1)],
        ["too few to tell", "yes"], "no")
    table.attrs["kinds"] = {"Expected pairs": "number", "Knox ratio": "ratio", "p-value": "p"}
    return protect(table, ["Pairs"], ["Expected pairs", "Knox ratio"])


def changes(bulletin: Bulletin, previous: dict | None) -> dict[str, list[str]]:
    """New, ended and continuing live alarms against the previous bulletin's record (None: no earlier bulletin)."""
    now = bulletin.live
    before = (previous or {}).get("live", [])
    return {"new": [t for t in now if t not in before], "ended": [t for t in before if t not in now],
            "continuing": [t for t in now if t in before]}


def near_repeat_reading(alarm: Alarm) -> str:
    """One sentence on whether the alarm's records cluster as near repeats."""
    if alarm.crime_type not in acquisitive.NEAR_REPEAT_TYPES:
        return ""
    if alarm.near_repeat.empty:
        return (f"Too few located records in the last {NEAR_REPEAT_WEEKS} weeks for a near-repeat test "
                f"(fewer than {NEAR_REPEAT_MINIMUM}).")
    close = alarm.near_repeat[alarm.near_repeat["More pairs than chance (FDR 5%)"] == "yes"]
    if close.empty:
        return (f"No near-repeat pattern beyond chance: in the last {NEAR_REPEAT_WEEKS} weeks, pairs of records within "
                "200 m and 14 days of each other are as common as the Knox test expects.")
    cells = "; ".join(f"{row['Distance']}, {row['Time apart']}" for _, row in close.iterrows())
    return (f"Near repeats beyond chance in the last {NEAR_REPEAT_WEEKS} weeks (Knox test, FDR 5%): more pairs of "
            f"records close in place and time than chance gives ({cells}); offences near a recent one are a "
            "patrol and crime-prevention lead.")


def top_wards(places: pd.DataFrame, limit: int = 3) -> list[tuple[str, int]]:
    """The wards with the most records of the alarmed weeks, leaving out any with 1 to 4 records."""
    shown = places[places["Records"].map(lambda value: isinstance(value, (int, np.integer)) and not is_small(value))
                   & ~places["Ward"].isin(["(no location recorded)", "All wards"])]
    return [(str(row["Ward"]), int(row["Records"])) for _, row in shown.head(limit).iterrows()]

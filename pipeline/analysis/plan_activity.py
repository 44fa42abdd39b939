"""Progress on the plan's activity targets (events attended, publicity features, campaigns, staff trained, a
tenancy support package in place by September), from the lead officers' reports in plan_activity.csv.

A count target is read from the latest report on or before the assessment's last day, or the deadline if
earlier (reports give the count achieved so far in the target year). Its status, in the order the rules are tried:
- **Met**: the count reached the target on or before the deadline.
- **Missed**: the deadline has passed and the count fell short.
- **On track** / **Off track**: before the deadline, the count against a straight-line share of the target for
  the part of the year gone by at the report's date, rounded down to a whole number (a campaign year is
  planned, not seasonal, so a straight line is the simplest honest expectation; the report's date is shown).
A milestone is **Met** when completed by its due date, **Met late** after it, **Missed** when the due date
passed with no completion reported, and **Not yet due** before (as is any activity whose target year has not
begun). An activity with no report in the target year is **Not reported**. These are the partnership's own
outputs, not counts of people or incidents in the data, so they are published as reported (no disclosure
control applies).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from pipeline import formatting as fmt
from pipeline.inputs.config import ActivityTarget

STATUS_DIRECTION = {"Met": "met", "Missed": "missed", "Met late": "missed", "On track": "on track",
                    "Off track": "off track", "Not yet due": "not assessable", "Not reported": "not assessable"}
COLUMNS = ["Activity", "Priority", "Target", "Achieved", "Expected by now", "Reported on", "Status"]


@dataclass
class ActivityProgress:
    table: pd.DataFrame  # one row per activity target, COLUMNS; Achieved is a count, or a milestone's completion date
    unknown: dict[str, int] = field(default_factory=dict)  # activity ids in the file but not in the configuration
    unused: int = 0  # reports of a count target without an achieved count
    unavailable: str = ""  # why there is no file ('' when there is one)


def _day(value: object) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _aim(activity: ActivityTarget) -> str:
    if activity.count is None:
        return f"in place by {fmt.day(activity.deadline)}"
    due = "" if activity.due is None else f" by {fmt.day(activity.deadline)}"
    return f"{activity.count:,} in {activity.target_year}{due}"


def expected_by(activity: ActivityTarget, on: date) -> int:
    """The straight-line share of a count target due by a date, in whole units (rounded down: half of 12 events
    is expected at the end of September, not 6.02 of them); the whole target from the deadline on."""
    span = (activity.deadline - activity.year_start).days + 1
    gone = min(max((on - activity.year_start).days + 1, 0), span)
    return math.floor(activity.count * gone / span + 1e-9)


def count_status(activity: ActivityTarget, achieved: int | None, reported: date | None, as_of: date) -> tuple[str, int | None]:
    """The status of a count target and the count expected by the report's date (None when not needed)."""
    if achieved is None:
        return "Not reported", None
    if achieved >= activity.count:
        return "Met", None
    if as_of >= activity.deadline:
        return "Missed", None
    expected = expected_by(activity, reported)
    return ("On track" if achieved >= expected else "Off track"), expected


def milestone_status(activity: ActivityTarget, completed: date | None, reported: date | None, as_of: date) -> str:
    if completed is not None:
        return "Met" if completed <= activity.deadline else "Met late"
    if as_of > activity.deadline:
        return "Missed" if reported is not None else "Not reported"
    return "Not yet due" if reported is not None else "Not reported"


def activity_progress(activities: tuple[ActivityTarget, ...], reports: pd.DataFrame | None, period_end: pd.Period,
                      unavailable: str = "") -> ActivityProgress:
    """One row per activity target with its achieved value and status at the end of the assessment period."""
    as_of = period_end.to_timestamp(how="end").date()
    if reports is None:
        reports = pd.DataFrame(columns=["activity", "reported_on", "achieved", "completed_on"])
    reports = reports.assign(reported_on=pd.to_datetime(reports["reported_on"]),
                             completed_on=pd.to_datetime(reports["completed_on"]))
    known = {a.id for a in activities}
    unknown = reports.loc[~reports["activity"].isin(known), "activity"].value_counts().to_dict()
    rows, unused = [], 0
    for activity in activities:
        counted = activity.count is not None
        last_day = min(as_of, activity.deadline) if counted else as_of  # a count is the count by the deadline
        mine = reports[(reports["activity"] == activity.id)
                       & reports["reported_on"].between(pd.Timestamp(activity.year_start), pd.Timestamp(last_day))]
        needed = "achieved" if counted else "completed_on"
        with_figure = mine[mine[needed].notna()].sort_values("reported_on", kind="stable")
        if counted:  # a milestone's report without a completion date says it is not complete yet
            unused += len(mine) - len(with_figure)
        latest = with_figure.iloc[-1] if len(with_figure) else None
        reported = _day(latest["reported_on"]) if latest is not None else (_day(mine["reported_on"].max()) if len(mine) else None)
        row = {"Activity": activity.name, "Priority": activity.priority, "Target": _aim(activity),
               "Achieved": None, "Expected by now": None, "Reported on": reported, "Status": "Not reported"}
        if counted:
            achieved = None if latest is None else int(latest["achieved"])
            status, expected = count_status(activity, achieved, reported, as_of)
            row |= {"Achieved": achieved, "Expected by now": expected, "Status": status}
        else:
            done = with_figure.loc[with_figure["completed_on"] <= pd.Timestamp(as_of), "completed_on"]
            completed = _day(done.min()) if len(done) else None
            row |= {"Achieved": completed,  # the date it was in place
                    "Status": milestone_status(activity, completed, reported, as_of)}
        if as_of < activity.year_start:  # the target year has not begun
            row["Status"] = "Not yet due"
        rows.append(row)
    return ActivityProgress(pd.DataFrame(rows, columns=COLUMNS, dtype=object), unknown, unused, unavailable)

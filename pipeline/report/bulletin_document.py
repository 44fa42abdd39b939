"""The weekly bulletin as a short document: one line per alarm for the tasking meeting and what changed since the
last bulletin, then where each alarm is (a map, its wards, near repeats), then the latest weeks' table, then how to
read it. Assembled by pipeline.report.assemble, so it has the report's look, print styles and checks."""
from __future__ import annotations

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import bulletin as analysis
from pipeline.analysis.emerging_trends import FDR
from pipeline.methods import farrington
from pipeline.methods.disclosure import is_small
from pipeline.report.assemble import Part
from pipeline.report.display import table_html

ALARM_WORDS = ("ALARM: above the improved-Farrington threshold (one-sided 99.5%) with at least 5 records in the "
               "latest 4 weeks, and beyond chance after false-discovery-rate control (5%) across every week and type "
               "shown. [c]: 1 to 4, not shown.")


def titles(area_name: str, week_ending: pd.Timestamp, synthetic: bool) -> tuple[str, str]:
    title = f"{area_name}: weekly tasking bulletin, week ending {fmt.day(week_ending.date())}"
    first = week_ending - pd.Timedelta(days=7 * analysis.emerging_trends.LATEST_WEEKS - 1)
    subtitle = (f"Personal acquisitive crime reported from {fmt.day(first.date())} to {fmt.day(week_ending.date())}, "
                "against each type's alarm threshold, from the force's police records as reported by then.")
    return title + (" - SYNTHETIC DEMONSTRATION DATA" if synthetic else ""), subtitle


def _count(value: int) -> str:
    return "fewer than 5" if is_small(value) else fmt.count(value)


def _week(label: str) -> str:
    return label.replace("w/c ", "the week from Monday ")


def alarm_line(alarm: analysis.Alarm, status: str) -> str:
    """One alarm in plain words for a tasking meeting."""
    span = alarm.weeks[0] if len(alarm.weeks) == 1 else f"{alarm.weeks[0]} to {alarm.weeks[-1]}"
    weeks = f"{len(alarm.weeks)} of the last {analysis.emerging_trends.LATEST_WEEKS} weeks ({span})"
    head = (f"{_count(alarm.observed)} reported in {_week(alarm.week)} against {fmt.decimal(alarm.expected)} expected "
            f"(alarm threshold {fmt.decimal(alarm.threshold)})")
    if not alarm.live:
        head = f"no alarm in the latest week; the last alarmed week had {head[0].lower()}{head[1:]}"
    wards = analysis.top_wards(alarm.places)
    where = (" Most in " + fmt.in_words([f"{fmt.literal(name)} ({fmt.count(n)})" for name, n in wards]) + "."
             if wards else " No ward had 5 or more of these records.")
    return f"**{alarm.crime_type}** ({status}): {head}; alarm in {weeks}.{where}"


def _status(alarm: analysis.Alarm, changes: dict[str, list[str]], first: bool) -> str:
    if not alarm.live:
        return "ended" if alarm.crime_type in changes["ended"] else "earlier in the 8 weeks"
    if first:
        return "alarm"
    return "new" if alarm.crime_type in changes["new"] else "continuing"


def summary(result: analysis.Bulletin, changes: dict[str, list[str]], previous_week: str | None) -> str:
    lines = ["# For the tasking meeting", ""]
    if result.reason:
        return "\n".join(lines + [fmt.literal(result.reason)])
    if result.alarms:
        lines += [f"- {alarm_line(alarm, _status(alarm, changes, previous_week is None))}" for alarm in result.alarms]
    else:
        lines.append(f"No alarms: none of the {result.latest['Type'].nunique()} types is above its threshold in the "
                     f"latest {result.weeks} weeks.")
    lines += ["", "## What changed since the last bulletin", ""]
    if previous_week is None:
        lines.append("This is the first bulletin in this folder: the next one will say which alarms are new and which "
                     "have ended.")
    else:
        since = f"Against the bulletin for the week ending {previous_week}"
        new, ended, going = (fmt.in_words(changes[k]) if changes[k] else "none" for k in ("new", "ended", "continuing"))
        lines.append(f"{since}: new alarms: {new}; alarms that ended (no alarm in the latest week): {ended}; "
                     f"continuing: {going}.")
    return "\n".join(lines)


def where_section(result: analysis.Bulletin, maps: dict[str, str]) -> str:
    if not result.alarms:
        return ""
    blocks = ["# Where the alarms are", ""]
    for alarm in result.alarms:
        blocks += [f"## {alarm.crime_type}", "", maps.get(alarm.crime_type, ""), "",
                   table_html(alarm.places, f"{alarm.crime_type}: records of the alarmed weeks by ward"), ""]
        reading = analysis.near_repeat_reading(alarm)
        if reading:
            blocks += [reading, ""]
        if not alarm.near_repeat.empty:
            blocks += [table_html(alarm.near_repeat, f"{alarm.crime_type}: pairs of records close in place and time, "
                                                     f"last {analysis.NEAR_REPEAT_WEEKS} weeks (Knox test)"), ""]
    return "\n".join(blocks)


def weeks_section(result: analysis.Bulletin) -> str:
    if result.latest.empty:
        return ""
    return "\n".join([f"# The latest {result.weeks} weeks against their thresholds", "",
                      table_html(result.latest, f"Personal acquisitive crime, the latest {result.weeks} weeks"), "",
                      ALARM_WORDS])


def method_section() -> str:
    control = farrington.CONTROLS["week"]
    return "\n".join([
        "# How to read this bulletin", "",
        "Each type's weekly count is compared with a threshold from the same weeks of the previous "
        f"{control.b} years (the improved Farrington method: Noufaily A. et al. (2013) Statistics in Medicine "
        "32:1206-1222, as R's surveillance package computes it), which allows for the season and the trend. Records "
        "are counted in the week they were reported, so the latest week is not short of offences still to be reported.",
        "",
        f"An alarm says a week is unusual, not why. Across the {analysis.emerging_trends.LATEST_WEEKS} weeks and five "
        f"types, {FDR:.0%} of alarms are expected to be false (Benjamini-Hochberg). A type is *new* when its latest "
        "week is an alarm and was not in the last bulletin of this folder; *ended* when it was and is not now.",
        "",
        "Near repeats: the Knox test (Knox E.G. (1964) Applied Statistics 13:25-29) counts pairs of records close in "
        "place and time against 999 random reshuffles of their dates over their places. No count from 1 to 4 is shown "
        "in a table or on a map."])


def parts(result: analysis.Bulletin, changes: dict[str, list[str]], previous_week: str | None,
          maps: dict[str, str]) -> list[Part]:
    found = [Part("tasking", False, markdown=summary(result, changes, previous_week)),
             Part("where", False, markdown=where_section(result, maps)),
             Part("weeks", False, markdown=weeks_section(result)),
             Part("method", True, markdown=method_section())]
    return [part for part in found if part.markdown]

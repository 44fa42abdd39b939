"""Chapter 5, personal acquisitive crime: daily, weekly and monthly series of the plan's five types, their
seasonality, an improved-Farrington alarm table for the assessment year, the latest weeks against their
thresholds (also printed on its own by `run_assessment.py --latest-weeks`), year to date against the
targets, and repeat and near-repeat burglary and cycle theft."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import acquisitive, emerging_trends, targets
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding
from pipeline.methods import farrington
from pipeline.methods.disclosure import is_small, protect
from pipeline.methods.periods import year_ending_label

NAME = "acquisitive"


@dataclass
class AcquisitiveChapter:
    area_name: str
    year_label: str
    current_year: str  # the financial year of the period end, emphasised in the seasonal overlay
    source: str
    records_missing: str = ""
    series: list = field(default_factory=list)
    overlay: pd.DataFrame = field(default_factory=pd.DataFrame)
    seasonal: pd.DataFrame = field(default_factory=pd.DataFrame)
    peaks: pd.DataFrame = field(default_factory=pd.DataFrame)
    family: pd.DataFrame = field(default_factory=pd.DataFrame)
    alarms: pd.DataFrame = field(default_factory=pd.DataFrame)
    latest: pd.DataFrame = field(default_factory=pd.DataFrame)
    latest_view: pd.DataFrame = field(default_factory=pd.DataFrame)
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    near_repeat: dict = field(default_factory=dict)
    knox: pd.DataFrame = field(default_factory=pd.DataFrame)
    repeats: pd.DataFrame = field(default_factory=pd.DataFrame)
    knox_permutations: int = 999

    @property
    def weekly(self) -> list:
        return [s for s in self.series if s.resolution == "week"]

    @property
    def monthly(self) -> list:
        return [s for s in self.series if s.resolution == "month"]


def _series(ctx: ChapterContext) -> tuple[list, str, str, pd.DataFrame | None]:
    records = ctx.table("police_records", area_only=True)
    missing = ctx.unavailable.get("police_records", "")
    if records is not None:
        rows = acquisitive.priority_records(records, ctx.config)
        return acquisitive.record_series(rows, ctx.period_end), "police records", missing, rows
    return acquisitive.police_uk_series(ctx.table("crimes"), ctx.config, ctx.period_end), "data.police.uk", missing, None


def latest_weeks_view(ctx: ChapterContext) -> tuple[pd.DataFrame, str]:
    """The latest-weeks table alone (for `run_assessment.py --latest-weeks`), or why there is none."""
    series, _, missing, _ = _series(ctx)
    weekly = [s for s in series if s.resolution == "week"]
    if not weekly:
        return pd.DataFrame(), f"No weekly series: they need the force's police records ({missing or 'not supplied'})."
    latest = emerging_trends.latest_weeks(weekly)
    if latest.empty:
        return pd.DataFrame(), (f"Too short for a threshold: the weekly detector needs "
                                f"{emerging_trends.baseline_needed('week')} of records before the weeks it assesses.")
    return _protected_latest(emerging_trends.latest_table(latest)), ""


def _protected_latest(table: pd.DataFrame) -> pd.DataFrame:
    return protect(table, ["Observed"], ["Exceedance score"]) if not table.empty else table


def build(ctx: ChapterContext) -> AcquisitiveChapter:
    series, source, missing, rows = _series(ctx)
    current_year = acquisitive.financial_year_of(pd.PeriodIndex([ctx.period_end]))[0]
    result = AcquisitiveChapter(ctx.config.area_name, year_ending_label(ctx.period_end), current_year, source,
                                records_missing=missing,
                                series=series)
    result.overlay = acquisitive.overlay(result.monthly)
    result.seasonal = acquisitive.seasonality(result.monthly)
    result.peaks = acquisitive.peak_table(result.seasonal) if not result.seasonal.empty else pd.DataFrame()
    result.family = emerging_trends.year_family(series, ctx.period_end)
    alarms = emerging_trends.alarm_table(result.family)
    result.alarms = protect(alarms, ["Observed"], ["Exceedance score", "Historical limits: ratio to baseline"]) \
        if not alarms.empty else alarms
    if result.weekly:
        result.latest = emerging_trends.latest_weeks(result.weekly)
        result.latest_view = _protected_latest(emerging_trends.latest_table(result.latest))
    types = set(acquisitive.TYPES.values())
    progress = targets.target_progress(ctx.config, ctx.table("crimes"), {}, ctx.period_end, ctx.unavailable)
    wanted = [t.name for t in ctx.config.targets if set(t.crime_types) & types]
    result.targets = progress[progress["Target"].isin(wanted)].reset_index(drop=True) if len(progress) else progress
    if rows is not None:
        result.near_repeat = acquisitive.near_repeats(rows, ctx.period_end)
        knox = acquisitive.knox_table(result.near_repeat)
        result.knox = protect(knox, ["Pairs"], ["Expected pairs", "Knox ratio", "p-value"]) if not knox.empty else knox
        result.repeats = protect(pd.DataFrame([
            {"Type": name, "Events in the year": found["events"], "Places with two or more": found.get("repeat_places"),
             "Events at those places": found.get("events_at_repeat_places")}
            for name, found in result.near_repeat.items()]), ["Events in the year", "Places with two or more",
                                                              "Events at those places"])
    return result


def series_note(result: AcquisitiveChapter) -> str:
    """Which series the chapter has, and what a detector or a seasonal index still needs."""
    if result.source == "data.police.uk":
        text = (f"Monthly series from data.police.uk: daily and weekly views need the force's police records "
                f"({result.records_missing or 'not supplied'}), which carry the date of each offence.")
    else:
        text = "Daily, ISO-weekly (Monday to Sunday) and monthly series from the force's police records, by the day each was reported."
    if result.family.empty:
        months = len(result.monthly[0].counts) if result.monthly else 0
        text += (f" The data cover {months} months, too few for the detector: a baseline needs "
                 f"{emerging_trends.baseline_needed('month')} for a monthly threshold and "
                 f"{emerging_trends.baseline_needed('week')} for a weekly one, before the period assessed.")
    if result.seasonal.empty:
        text += " A seasonal index needs at least two whole financial years of months."
    return text


def alarm_message(result: AcquisitiveChapter) -> str:
    """What an empty alarm table means: nothing rose, or nothing could be assessed."""
    if result.family.empty:
        return "not assessed: no series is long enough for a baseline (see the note on the series above)."
    return f"no alarm: none of the {len(result.family):,} periods assessed rose beyond its threshold."


def method_note() -> str:
    month, day = farrington.CONTROLS["month"], farrington.CONTROLS["day"]
    return (f"weeks: {farrington.CONTROLS['week'].describe('week')}; months and days the same, with windows of "
            f"+/- {month.w} month and +/- {day.w} days, and the latest {month.past_excluded} months and "
            f"{day.past_excluded} days left out of the baseline")


def knox_reading(result: AcquisitiveChapter) -> str:
    """Which Knox cells are beyond chance, in words."""
    if result.knox.empty:
        return ""
    beyond = result.knox[result.knox["More pairs than chance (FDR 5%)"] == "yes"]
    if beyond.empty:
        return ("No cell has more pairs than chance would give once the false discovery rate is held at 5%: "
                "no sign of repeat or near-repeat offending beyond what the places and the season give.")
    return "Beyond chance (FDR 5%): " + "; ".join(
        f"{r['Type'].lower()}, {r['Distance']} and {r['Time apart']} apart (ratio {r['Knox ratio']:.2f})"
        for _, r in beyond.iterrows()) + "."


def _episode_count(surges: list) -> str:
    return "one episode" if len(surges) == 1 else f"{len(surges)} separate episodes"


def surge_summary(surges: list) -> str:
    """A crime type's alarms as episodes, in plain words: 'Cycle theft: one surge, 30 Sep - 03 Nov 2024, seen in the
    daily, weekly and monthly views; its highest weekly count, w/c 21 Oct 2024, was 108 against about 54 expected'."""
    first = surges[0]
    parts = []
    for surge in surges:
        views = fmt.in_words(surge.views)
        count = "fewer than 5" if is_small(surge.peak_observed) else fmt.count(surge.peak_observed)
        plural = "s" if len(surge.views) > 1 else ""
        parts.append(f"{surge.span}, seen in the {views} view{plural}; its highest {surge.peak_view} count, "
                     f"{surge.peak_label}, was {count} against about {surge.peak_expected:.0f} expected")
    lead = "one surge" if len(surges) == 1 else f"{len(surges)} surges"
    return f"{first.crime_type}: {lead}, " + "; ".join(parts) + ": an emerging trend to act on early."


def latest_rows(result: AcquisitiveChapter) -> dict:
    """The latest-weeks rows that matter in the chapter: the latest two weeks and any week with a call."""
    table = result.latest_view
    if table.empty:
        return {}
    weeks = list(dict.fromkeys(table["Week"]))
    return {"key_rows": table["Week"].isin(weeks[-2:]) | table["Call"].astype(str).ne(""),
            "key_words": "the latest two weeks and any week with an alarm or a call"}


def findings(result: AcquisitiveChapter) -> list[Finding]:
    out = []
    family = result.family
    if family.empty:
        out.append(Finding(NAME, "data", "Emerging trends could not be assessed: " + series_note(result),
                           {"periods_assessed": 0}, "gap", "Alarms"))
    else:
        alarmed = family[family["alarm"]]
        tested = len(family)
        if alarmed.empty:
            out.append(Finding(NAME, "acquisitive", f"No alarm in {result.year_label}: none of the {tested:,} periods "
                               "assessed (daily, weekly and monthly, five types) rose beyond its threshold once the "
                               "false discovery rate was held at 5%.", {"periods_assessed": tested, "alarms": 0},
                               "no change", "Alarms"))
        surges = emerging_trends.episodes(alarmed)
        for crime_type, group in alarmed.groupby("crime_type", sort=False):
            weekly = group[group["resolution"] == "week"].sort_values("start")
            shown = weekly if not weekly.empty else group.sort_values("start")
            top = shown.loc[shown["observed"].idxmax()]
            periods = ", ".join(shown["label"])
            observed = int(top["observed"])
            said = "fewer than 5" if is_small(observed) else f"{fmt.count(observed)} (+{observed - top['expected']:.0f})"
            own = [e for e in surges if e.crime_type == crime_type]
            out.append(Finding(NAME, "acquisitive", (
                f"{crime_type}: {len(group)} alarm{'s' if len(group) > 1 else ''} in {result.year_label} "
                f"({', '.join(f'{n} {r}' for r, n in group['resolution'].value_counts().items())}), "
                f"in {periods}, {_episode_count(own)}; the highest count, {top['label']}, was {said} against "
                f"{top['expected']:.0f} expected (threshold {top['threshold']:.0f}, "
                f"exceedance score {top['score']:.1f})."), {
                "crime_type": crime_type, "alarms": int(len(group)), "episodes": len(own), "observed": observed,
                "expected": float(top["expected"]), "threshold": float(top["threshold"]), "score": float(top["score"])},
                "up", "Alarms", summary=surge_summary(own)))
    if not result.latest.empty:
        recent = result.latest[result.latest["alarm"]]
        words = ("none of the five types is above its threshold" if recent.empty else
                 "alarms for " + ", ".join(sorted(set(recent["crime_type"]))))
        out.append(Finding(NAME, "acquisitive", f"Latest {emerging_trends.LATEST_WEEKS} weeks (to "
                           f"{result.latest['period'].max().end_time:%d %b %Y}): {words}.",
                           {"alarms": int(len(recent))}, "up" if len(recent) else "no change", "The latest weeks"))
    if not result.peaks.empty:
        peaks = result.peaks[result.peaks.iloc[:, 1] != "none"]
        if not peaks.empty:
            text = "; ".join(f"{r['Type'].lower()} in {r.iloc[1]}" for _, r in peaks.iterrows())
            out.append(Finding(NAME, "acquisitive", f"Usual peaks: {text} (months above an average month, "
                               f"over {int(result.peaks['Years'].max())} years).", {"types_with_peaks": int(len(peaks))},
                               "context", "Seasonality",
                               summary=f"Seasonal peaks to plan for: {text}."))
    for _, row in result.targets.iterrows():
        if isinstance(row.get("Verdict"), str) and row.get("Status") in ("Met", "Missed", "On track", "Off track"):
            direction = {"Met": "met", "Missed": "missed", "On track": "on track", "Off track": "off track"}[row["Status"]]
            out.append(Finding(NAME, "targets", f"{row['Target']}: {row['Verdict']}.", {"target": row["Target"]},
                               direction, "Year to date against the targets"))
    if not result.knox.empty:
        beyond = result.knox[result.knox["More pairs than chance (FDR 5%)"] == "yes"]
        if beyond.empty:
            out.append(Finding(NAME, "acquisitive", "Near repeats: no distance and time band has more pairs of "
                               "burglaries or of cycle thefts than chance would give (Knox test, FDR 5%).",
                               {"cells_beyond_chance": 0}, "no association", "Repeat and near-repeat"))
        for _, row in beyond.iterrows():
            out.append(Finding(NAME, "acquisitive", f"Near repeats: {row['Type'].lower()} {row['Distance']} and "
                               f"{row['Time apart']} apart happen {row['Knox ratio']:.2f} times as often as chance "
                               "would give (Knox test, FDR 5%).", {"type": row["Type"], "knox_ratio": float(row["Knox ratio"])},
                               "association", "Repeat and near-repeat"))
    return out

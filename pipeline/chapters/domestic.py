"""Chapter 7, domestic abuse: the partnership's rate of domestic-flagged crimes and incidents against the county's
other districts (funnel plot, rank), repeat victims, domestic abuse's share of violence and the flags in domestic
violence against other violence, with the under-reporting context."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import domestic
from pipeline.chapters import peer_comparison
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding, headline_figures
from pipeline.methods.statistics import CountComparison
from pipeline.methods.disclosure import is_small, protect
from pipeline.methods.periods import year_ending_label

NAME = "domestic"


@dataclass
class DomesticChapter:
    area_name: str
    year_label: str
    records_missing: str = ""
    districts: pd.DataFrame = field(default_factory=pd.DataFrame)
    funnel: pd.DataFrame = field(default_factory=pd.DataFrame)
    repeats: dict = field(default_factory=dict)
    share: pd.DataFrame = field(default_factory=pd.DataFrame)
    flags: pd.DataFrame = field(default_factory=pd.DataFrame)
    change: CountComparison | None = None  # the partnership's domestic-flagged records on the year before
    peers: list = field(default_factory=list)  # against the Most Similar Group, where the extract covers it
    peer_note: str = ""


def build(ctx: ChapterContext) -> DomesticChapter:
    result = DomesticChapter(ctx.config.area_name, year_ending_label(ctx.period_end))
    records = ctx.table("police_records")
    if records is None:
        result.records_missing = ctx.unavailable.get("police_records", "police_records.csv was not supplied")
        return result
    result.districts, result.funnel = domestic.district_rates(records, ctx.table("denominators"), ctx.config)
    latest = domestic.latest_year(records)
    compared = peer_comparison.peer_rates(ctx, "domestic-flagged crimes and incidents",
                                          latest[latest["domestic_flag"] == "Y"], latest)
    result.peers, result.peer_note = [compared] if compared else [], peer_comparison.note(ctx, compared)
    area = ctx.table("police_records", area_only=True)
    result.change = domestic.year_on_year(area)
    result.repeats = domestic.repeat_victims(area)
    result.share = domestic.share_of_violence(area)
    result.flags = domestic.flags_against_other_violence(area)
    return result


def comparison_note(result: DomesticChapter) -> str:
    if result.records_missing:
        return ""
    if len(result.districts) <= 1:
        return ("The police records cover the partnership only: a county comparison needs the force-wide extract "
                "(the other districts' records).")
    return ""


def repeat_table(result: DomesticChapter) -> pd.DataFrame:
    """The repeat-victim figures the findings quote."""
    found = result.repeats
    if not found:
        return pd.DataFrame()
    table = pd.DataFrame([{"Domestic-flagged records with a known victim": found["records"], "Victims": found["victims"],
                           "Repeat victims (share of victims)": found["repeat"],
                           "Their records (share of records)": found["their_records"]}])
    return protect(table, ["Domestic-flagged records with a known victim", "Victims"],
                   ["Repeat victims (share of victims)", "Their records (share of records)"])


def repeat_reading(result: DomesticChapter) -> str:
    found = result.repeats
    if not found:
        return ""
    repeat = found["repeat"]
    if is_small(repeat.k) or is_small(repeat.n - repeat.k):
        return "Repeat victims: fewer than 5 (not shown)."
    return (f"Repeat victims (two or more domestic-flagged records in the latest 12 months): {repeat.brief()} of "
            f"victims with a known id, on {found['their_records'].brief()} of domestic-flagged records with a known "
            "victim. Victims without an id on the record cannot be counted as repeats, so this is a lower bound.")


def _headline_figures(result: DomesticChapter, this_year: int) -> dict:
    change = result.change
    if change is None or change.current != this_year:  # the district table counts the same records; guard anyway
        return headline_figures("Domestic-flagged crimes and incidents", this_year, period=result.year_label)
    screen = "too few to tell" if change.too_small else (
        "beyond natural variation" if change.significant else "within natural variation")
    figures = headline_figures("Domestic-flagged crimes and incidents", this_year, change.previous, change.change,
                               change.percent_change, screen, result.year_label)
    if screen == "within natural variation":
        detectable = change.detectable()
        figures |= {"detectable_rise_percent": detectable.rise, "detectable_fall_percent": detectable.fall}
    return figures


def _change_words(result: DomesticChapter, figures: dict) -> str:
    words = fmt.describe_change(figures["change"], figures["change_percent"], "records").lower()
    power = f" ({result.change.detectable().words()})" if figures["screen"] == "within natural variation" else ""
    return (f"{words} on the year before, {figures['screen']}{power}; a rise in recorded domestic abuse can be more "
            "reporting or better flagging rather than more abuse")


def findings(result: DomesticChapter) -> list[Finding]:
    if result.records_missing:
        return [Finding(NAME, "data", f"No police records with the domestic-abuse qualifier ({result.records_missing}): "
                        "the domestic-abuse rate, its county comparison and repeat victims cannot be reported.", {}, "gap")]
    out = []
    districts = result.districts
    mine = districts[districts["District"] == result.area_name]
    if not mine.empty:
        row = mine.iloc[0]
        text = (f"{fmt.count(row['Domestic-flagged records'])} domestic-flagged crimes and incidents in {result.year_label}, "
                f"{fmt.decimal(row['Per 1,000'], 'rate')} per 1,000 residents ({row['Per 1,000 (95% CI)']})")
        figures = _headline_figures(result, int(row["Domestic-flagged records"]))
        if "change" in figures:
            text += f"; {_change_words(result, figures)}"
        figures["per_1000"] = float(row["Per 1,000"])
        if len(districts) > 1:
            text += (f"; rank {row['Rank in the county']} of {len(districts)} districts in the county, "
                     f"{row['Against the county rate']} around the county rate")
            figures |= {"rank": int(row["Rank in the county"]), "districts": int(len(districts))}
        direction = ("up" if str(row["Against the county rate"]).startswith("above") else
                     "down" if str(row["Against the county rate"]).startswith("below") else "no change")
        out.append(Finding(NAME, "domestic", text + ".", figures, direction if len(districts) > 1 else "context",
                           "Against the county's other districts", headline=True))
    if result.repeats and not is_small(result.repeats["repeat"].k):
        repeat = result.repeats["repeat"]
        out.append(Finding(NAME, "domestic", f"Repeat victims: {repeat.brief()} of domestic-abuse victims with a known id "
                           "had two or more records in the latest 12 months.", {"repeat_percent": repeat.share},
                           "context", "Repeat victims, violence and the flags"))
    if not result.share.empty:
        latest = result.share.iloc[-1]
        share = latest["Domestic share of recorded"]
        if hasattr(share, "k"):
            out.append(Finding(NAME, "domestic", f"Domestic abuse was {share.brief()} of violent records where the flag "
                               f"was recorded, {latest['Year']}.", {"share_percent": share.share}, "context", "Repeat victims, violence and the flags"))
    out.extend(f for rates in result.peers for f in peer_comparison.finding(NAME, rates, "domestic"))
    out.append(Finding(NAME, "domestic", domestic.UNDER_REPORTING, {}, "context", "Under-reporting"))
    return out

"""Chapter 10, what happened after the crime: each crime of the assessment year by its latest police.uk outcome,
grouped as users know them, with Wilson intervals; the charge share against the year before like with like (known
the same number of months after the crime, Fisher's exact test, Benjamini-Hochberg across types); how long outcomes
take; how many crimes have none yet, which recent months always have more of; and the charge share against the peers
(a Most Similar Group, when configured) or else the comparison districts, like with like, with crimes charged per
1,000 residents against the peers on a funnel plot."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import outcomes
from pipeline.chapters import peer_comparison
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding
from pipeline.methods.disclosure import SUPPRESSED, is_small, protect
from pipeline.methods.periods import year_ending_label
from pipeline.methods.values import Estimate, Proportion

NAME = "outcomes"
FOLLOW_UP_MONTHS = 3  # outcomes compared across years as known this many months after the crime


@dataclass
class OutcomesChapter:
    area_name: str
    year_label: str
    missing: str = ""  # why there is nothing to show
    shares: outcomes.OutcomeShares | None = None
    crimes: int = 0
    no_outcome_by_month: pd.DataFrame = field(default_factory=pd.DataFrame)
    charged_change: pd.DataFrame = field(default_factory=pd.DataFrame)
    comparison_note: str = ""
    others_label: str = ""  # 'its peers' or 'the comparison districts'
    others_change: pd.DataFrame = field(default_factory=pd.DataFrame)  # share_changes: partnership against them
    peers: list = field(default_factory=list)  # crimes charged per 1,000 against the Most Similar Group
    peer_note: str = ""


def build(ctx: ChapterContext) -> OutcomesChapter:
    result = OutcomesChapter(ctx.config.area_name, year_ending_label(ctx.period_end))
    quality = ctx.table("data_quality")
    outcome_rows = ctx.table("outcomes")
    if outcome_rows is None or outcome_rows.empty:
        note = "" if quality is None else str(quality.set_index("source").get("note", {}).get("police.uk outcomes", ""))
        result.missing = note or "no police.uk outcome rows were supplied"
        return result
    crimes = ctx.table("crimes", area_only=True)
    crimes = crimes[crimes["district_code"].isin(ctx.config.area_codes)]
    year = crimes[crimes["years_back"] == 0]
    joined = outcomes.with_outcomes(year, outcome_rows)
    result.crimes = len(joined)
    result.shares = outcomes.outcome_shares(joined)
    pending = joined.assign(none=joined["outcome_group"] == outcomes.NO_OUTCOME).groupby("month")["none"]
    result.no_outcome_by_month = pd.DataFrame({"Month": pending.sum().index, "Crimes": pending.size().to_numpy(),
                                               "No outcome yet": pending.sum().astype(int).to_numpy()})
    last = pd.Period(max(outcome_rows["month"]), freq="M")
    before = crimes[crimes["years_back"] == 1]
    if before.empty:
        result.comparison_note = "the data hold no year before this one, so the charge share cannot be compared."
    else:
        now = outcomes.known_within(year, outcome_rows, FOLLOW_UP_MONTHS, last)
        then = outcomes.known_within(before, outcome_rows, FOLLOW_UP_MONTHS, last)
        result.charged_change = outcomes.share_changes(now, then, outcomes.CHARGED)
    _against_others(ctx, result, year, outcome_rows, last)
    return result


def _against_others(ctx: ChapterContext, result: OutcomesChapter, year: pd.DataFrame, outcome_rows: pd.DataFrame,
                    last: pd.Period) -> None:
    """The charge share against the peers (or the comparison districts) like with like, BH across types; a district
    whose crimes have no outcome row at all is not in the outcomes files and is left out, never counted as 0%."""
    groups = ctx.table("peer_groups")
    with_peers = groups is not None and not groups.empty
    codes = set(groups["district_code"]) if with_peers else set(ctx.config.comparison_codes)
    result.others_label = "its peers" if with_peers else "the comparison districts"
    crimes = ctx.table("crimes")
    others = crimes[crimes["district_code"].isin(codes) & (crimes["years_back"] == 0)]
    joined = outcomes.with_outcomes(others, outcome_rows)
    covered = set(joined.loc[joined["outcome_group"] != outcomes.NO_OUTCOME, "district_code"])
    others = others[others["district_code"].isin(covered)]
    if not others.empty:
        result.others_change = outcomes.share_changes(
            outcomes.known_within(year, outcome_rows, FOLLOW_UP_MONTHS, last),
            outcomes.known_within(others, outcome_rows, FOLLOW_UP_MONTHS, last), outcomes.CHARGED)
    if with_peers:
        everyone = pd.concat([outcomes.with_outcomes(year, outcome_rows), joined], ignore_index=True)
        compared = peer_comparison.peer_rates(ctx, "crimes charged or summonsed", everyone[
            everyone["outcome_group"] == outcomes.CHARGED], everyone[everyone["outcome_group"] != outcomes.NO_OUTCOME])
        result.peers = [compared] if compared else []
    result.peer_note = peer_comparison.note(ctx, result.peers[0] if result.peers else None)


def shares_table(result: OutcomesChapter) -> pd.DataFrame:
    """Crime type by outcome group: each cell the share of the type's crimes with its Wilson interval, k of n; no
    count from 1 to 4, nor one recoverable from the type's total."""
    if result.shares is None:
        return pd.DataFrame()
    counts = result.shares.table.pivot(index="crime_type", columns="outcome_group", values="crimes")
    counts = counts[list(outcomes.GROUPS)].reset_index().rename(columns={"crime_type": "Type"})
    counts.insert(1, "Crimes", counts[list(outcomes.GROUPS)].sum(axis=1))
    hidden = protect(counts, ["Crimes", *outcomes.GROUPS], row_sums=[("Crimes", list(outcomes.GROUPS))])
    shown = hidden.copy()
    for group in outcomes.GROUPS:
        shown[group] = [SUPPRESSED if cell == SUPPRESSED else Proportion(int(k), int(n)) if k else 0 for cell, k, n in
                        zip(hidden[group], counts[group], counts["Crimes"])]
    return shown.drop(columns=unused_groups(result)).rename(columns={g: f"{g} (%)" for g in outcomes.GROUPS})


def unused_groups(result: OutcomesChapter) -> list[str]:
    """The outcome groups no crime of the year is in (left out of the table, named under it)."""
    if result.shares is None:
        return []
    totals = result.shares.table.groupby("outcome_group")["crimes"].sum()
    return [group for group in outcomes.GROUPS if totals.get(group, 0) == 0]


def unused_words(result: OutcomesChapter) -> str:
    unused = unused_groups(result)
    return f"No crime of the year had its latest outcome in: {fmt.in_words(unused)}." if unused else ""


def timing_table(result: OutcomesChapter) -> pd.DataFrame:
    if result.shares is None or result.shares.timing.empty:
        return pd.DataFrame()
    timing = result.shares.timing
    table = pd.DataFrame({"Type": timing["crime_type"], "Crimes with an outcome": timing["with_outcome"],
                          "Months to the outcome, median": timing["median"],
                          "Lower quartile": timing["lower_quartile"], "Upper quartile": timing["upper_quartile"]})
    return protect(table, ["Crimes with an outcome"], ["Months to the outcome, median", "Lower quartile",
                                                       "Upper quartile"])


def pending_table(result: OutcomesChapter) -> pd.DataFrame:
    """Crimes with no outcome yet by month of the crime, with the share and an all-months row; no count from 1 to 4
    shown, nor one recoverable from the total (complementary suppression, pipeline.methods.disclosure)."""
    frame = result.no_outcome_by_month
    if frame.empty:
        return pd.DataFrame()
    total = pd.DataFrame({"Month": ["All months"], "Crimes": [int(frame["Crimes"].sum())],
                          "No outcome yet": [int(frame["No outcome yet"].sum())]})
    table = protect(pd.concat([frame, total], ignore_index=True), ["Crimes", "No outcome yet"],
                    total_row=("Month", "All months", []))
    table["Share with no outcome yet"] = [SUPPRESSED if SUPPRESSED in (k, n) else Proportion(int(k), int(n))
                                          for k, n in zip(table["No outcome yet"], table["Crimes"])]
    return table


def charged_table(result: OutcomesChapter, against_others: bool = False) -> pd.DataFrame:
    """The charge share of each type against the year before (or, `against_others`, against the peers or the
    comparison districts), with the difference and its screen; shares of a count from 1 to 4 are hidden."""
    frame = result.others_change if against_others else result.charged_change
    if frame.empty:
        return pd.DataFrame()
    others = result.others_label.removeprefix("its ").removeprefix("the ")
    first, second = (f"Charged, {result.area_name}", f"Charged, {others}") if against_others else \
        ("Charged, this year", "Charged, year before")
    table = pd.DataFrame({
        "Type": frame["crime_type"],
        first: [Proportion(k, n) for k, n in zip(frame["this_year"], frame["this_year_of"])],
        second: [Proportion(k, n) for k, n in zip(frame["last_year"], frame["last_year_of"])],
        "Difference, points (95% CI)": [Estimate(d, lo, hi, "number") for d, lo, hi in
                                        zip(frame["difference"], frame["low"], frame["high"])],
        "q-value": frame["q_value"],
        "Beyond chance (FDR 5%)": ["yes" if b else "no" for b in frame["beyond_chance"]]})
    small = [is_small(k) or is_small(n - k) or is_small(k2) or is_small(n2 - k2) for k, n, k2, n2 in
             zip(frame["this_year"], frame["this_year_of"], frame["last_year"], frame["last_year_of"])]
    for column in (first, second, "Difference, points (95% CI)"):
        table[column] = [SUPPRESSED if hide else cell for cell, hide in zip(table[column], small)]
    return table


def findings(result: OutcomesChapter) -> list[Finding]:
    if result.missing:
        return [Finding(NAME, "data", f"No police.uk outcomes ({result.missing}): what happened after each crime "
                        "cannot be reported.", {}, "gap")]
    out = []
    table = result.shares.table
    overall = table.groupby("outcome_group")["crimes"].sum()
    no_suspect, charged = int(overall[outcomes.NO_SUSPECT]), int(overall[outcomes.CHARGED])
    pending = int(overall[outcomes.NO_OUTCOME])
    total = result.crimes
    if any(is_small(n) for n in (no_suspect, charged, pending, total)):
        return [Finding(NAME, "overall", f"Too few crimes in {result.year_label} to give their outcomes without showing "
                        "a count from 1 to 4.", {}, "context", "Outcomes by crime type")]
    out.append(Finding(NAME, "overall", f"Of {fmt.count(total)} crimes in {result.year_label}, "
                       f"{fmt.percent(charged / total * 100)} have led to a charge or summons so far and "
                       f"{fmt.percent(no_suspect / total * 100)} were closed with no suspect identified; "
                       f"{fmt.percent(pending / total * 100)} have no outcome yet, most from the latest months.",
                       {"crimes": total, "charged_percent": charged / total * 100,
                        "no_suspect_percent": no_suspect / total * 100, "no_outcome_percent": pending / total * 100},
                       "context", "Outcomes by crime type"))
    changes = result.charged_change
    for row in (changes[changes["beyond_chance"]] if len(changes) else changes).itertuples():
        if min(row.this_year, row.last_year) < 5:
            continue
        out.append(Finding(NAME, "overall", f"{row.crime_type}: the share charged within {FOLLOW_UP_MONTHS} months "
                           f"of the crime went from {fmt.percent(row.last_year / row.last_year_of * 100)} to "
                           f"{fmt.percent(row.this_year / row.this_year_of * 100)} "
                           f"({fmt.signed_number(row.difference)} points, 95% CI {fmt.signed_number(row.low)} to "
                           f"{fmt.signed_number(row.high)}), beyond chance after FDR control across types.",
                           {"difference_points": row.difference, "q_value": row.q_value},
                           "down" if row.difference < 0 else "up", "The charge share against the year before",
                           summary=f"{row.crime_type}: the share of crimes charged within {FOLLOW_UP_MONTHS} months "
                           f"{'fell' if row.difference < 0 else 'rose'} from "
                           f"{fmt.percent(row.last_year / row.last_year_of * 100)} to "
                           f"{fmt.percent(row.this_year / row.this_year_of * 100)} on the year before, more than "
                           "chance would explain."))
    out.extend(_against_others_findings(result))
    if result.shares.unknown_categories:
        out.append(Finding(NAME, "data", "Outcome categories this product does not know were counted as Other: "
                           + fmt.in_words([fmt.literal(c) for c in result.shares.unknown_categories]) + ".", {}, "gap"))
    return out


def _against_others_findings(result: OutcomesChapter) -> list[Finding]:
    """The peers' rate comparison, and one finding naming the types whose charge share differs from the others'
    beyond chance (higher, then lower, each with its difference in points)."""
    out = [f for rates in result.peers for f in peer_comparison.finding(NAME, rates, section=OTHERS_SECTION)]
    changes = result.others_change
    if changes.empty:
        return out
    shown = changes[changes["beyond_chance"] & (changes[["this_year", "last_year"]].min(axis=1) >= 5)
                    & ((changes["this_year_of"] - changes["this_year"]) >= 5)]
    parts = []
    for label, side in (("higher", shown[shown["difference"] > 0]), ("lower", shown[shown["difference"] < 0])):
        if len(side):
            items = [f"{row.crime_type} ({fmt.percent(row.this_year / row.this_year_of * 100)} against "
                     f"{fmt.percent(row.last_year / row.last_year_of * 100)})"
                     for row in side.sort_values("difference", key=abs, ascending=False).itertuples()]
            parts.append(f"{label} in {fmt.in_words(items)}")
    text = (f"Charged within {FOLLOW_UP_MONTHS} months of the crime, {result.area_name} against {result.others_label}: "
            + ("; ".join(parts) + f", beyond chance after FDR control across {len(changes)} types." if parts else
               f"no crime type differs beyond chance ({len(changes)} types compared)."))
    if result.others_label == "the comparison districts":
        text += " The comparison districts are not a group of similar partnerships."
    out.append(Finding(NAME, "overall", text, {"types_compared": len(changes), "types_different": len(shown)},
                       "context", OTHERS_SECTION))
    return out


OTHERS_SECTION = "Against other partnerships"

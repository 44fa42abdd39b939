"""Chapter 2, crime overview: levels of police-recorded crime and ASB, what changed since last year
(screened for natural variation), rates, long-term trends, the county comparison and the plan's targets."""
from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import acquisitive, asb, harm, overview, priority_matrix, targets
from pipeline.analysis.plan_activity import STATUS_DIRECTION, ActivityProgress, activity_progress
from pipeline.chapters import peer_comparison
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import PRIORITIES, Finding, headline_figures, screen_of, series_figure
from pipeline.methods.statistics import Detectable, compare_counts
from pipeline.methods.periods import year_ending_label
from pipeline.methods.values import Interval

NAME = "crime_overview"


@dataclass
class CrimeOverview:
    area_name: str
    year_label: str
    months_missing: list[str]
    table: pd.DataFrame = field(default_factory=pd.DataFrame)  # numbers, before disclosure control
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)
    peers: list = field(default_factory=list)  # PeerRates of all crime and ASB (its finding in the ASB chapter)
    peer_note: str = ""  # why there is no peer comparison
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    target_priorities: dict[str, str] = field(default_factory=dict)  # target name -> the plan priority it serves
    target_baselines: dict[str, str] = field(default_factory=dict)  # target name -> its baseline financial year
    annual: pd.DataFrame = field(default_factory=pd.DataFrame)  # counts by type and complete year, oldest first
    activities: ActivityProgress | None = None  # the plan's activity targets (None when the plan sets none)
    harm: pd.DataFrame = field(default_factory=pd.DataFrame)  # harm by crime type (numbers; empty without weights)
    harm_districts: pd.DataFrame = field(default_factory=pd.DataFrame)  # harm per 1,000, published
    weighting: dict | None = None  # the harm weighting's name, version, source, level (ingest facts); None: none
    matrix: pd.DataFrame = field(default_factory=pd.DataFrame)  # the priority-setting matrix (numbers)

    @property
    def published(self) -> pd.DataFrame:
        return overview.published_overview(self.table) if not self.table.empty else self.table

    @property
    def incomplete_year(self) -> str:
        """Why there are no annual figures, or '' when the latest twelve months are complete."""
        if not self.months_missing:
            return ""
        return (f"The assessment year ({self.year_label}) has {12 - len(self.months_missing)} of its 12 months of "
                f"police.uk data; missing or with every row rejected: {', '.join(self.months_missing)}. Annual counts, "
                "rates and changes need all twelve months, so they are not shown; the monthly chart shows what there is.")


def build(ctx: ChapterContext) -> CrimeOverview:
    crimes, denominators = ctx.table("crimes"), ctx.table("denominators")
    area = overview.area_rows(crimes, ctx.config.area_codes)
    months = [str(m) for m in pd.period_range(ctx.period_end - 11, ctx.period_end, freq="M")]
    present = set(crimes["month"].unique())
    result = CrimeOverview(ctx.config.area_name, year_ending_label(ctx.period_end), [m for m in months if m not in present])
    result.monthly = overview.monthly_counts(crimes, ctx.config.area_codes)
    if not area.empty:
        result.table = overview.overview_table(crimes, denominators, ctx.config.area_codes)
        result.annual = overview.annual_counts(area)
        result.comparison = overview.district_comparison(crimes, denominators, ctx.config.area_codes,
                                                         ctx.config.comparison_codes)
        result.peers = peer_comparison.police_uk_rates(ctx, crimes)
        result.peer_note = peer_comparison.note(ctx, result.peers[0] if result.peers else None)
        result.weighting = ctx.ingest_facts().get("harm_weighting")
        weights = harm.type_weights(ctx.table("harm_weights_by_type"))
        if weights and not result.table.empty:
            result.harm = harm.harm_table(result.table, weights)
            result.harm_districts = harm.district_harm(crimes, denominators, weights, ctx.config.area_codes,
                                                       ctx.config.comparison_codes)
        if not result.table.empty:
            result.matrix = build_matrix(ctx, crimes, weights or None)
    extracts = {target.source: ctx.table(target.source, area_only=True) for target in ctx.config.targets}
    unavailable = {name: f"unusable ({reason})" for name, reason in ctx.ingest_facts().get("unusable_extracts", {}).items()}
    result.targets = targets.target_progress(ctx.config, crimes, extracts, ctx.period_end, unavailable)
    result.target_priorities = {target.name: target.priority for target in ctx.config.targets}
    result.target_baselines = {target.name: target.baseline_year for target in ctx.config.targets}
    if ctx.config.activities:
        result.activities = activity_progress(ctx.config.activities, ctx.table("plan_activity"), ctx.period_end,
                                              ctx.unavailable.get("plan_activity", ""))
    return result


VIOLENCE = "Violence and sexual offences"


def _headline(measure: str, row: pd.Series, period: str) -> tuple[dict, str, str]:
    """A row of the overview as a headline: its figures, the change in words (or '') and its direction."""
    if fmt.is_missing(row["Last year"]) or isinstance(row["Last year"], str):
        return headline_figures(measure, int(row["This year"]), period=period), "", "context"
    change, percent = int(row["Change (offences)"]), float(row["Change (%)"])
    screen = screen_of(row["Beyond natural variation"])
    figures = headline_figures(measure, int(row["This year"]), int(row["Last year"]), change, percent, screen, period)
    figures["p_value"] = float(row["p-value"])
    direction = ("down" if change < 0 else "up") if screen == "beyond natural variation" else "no change"
    described = fmt.describe_change(change, percent)
    power = ""
    if screen == "within natural variation" and isinstance(row.get(overview.DETECTABLE), Detectable):
        power = f" ({row[overview.DETECTABLE].words()})"
        figures |= {"detectable_rise_percent": row[overview.DETECTABLE].rise,
                    "detectable_fall_percent": row[overview.DETECTABLE].fall}
    return figures, f"{described[0].lower()}{described[1:]} on the year before, {screen}{power}", direction


def acquisitive_row(table: pd.DataFrame) -> pd.Series | None:
    """The five personal acquisitive crime types together, compared with the year before (exact Poisson test) when
    the data hold it."""
    rows = table[table["Crime type"].isin(acquisitive.TYPES.values())]
    if rows.empty:
        return None
    current = int(rows["This year"].sum())
    if rows["Last year"].map(lambda v: fmt.is_missing(v) or isinstance(v, str)).any():  # no previous year in the data
        return pd.Series({"This year": current, "Last year": None})
    previous = int(rows["Last year"].sum())
    test = compare_counts(current, previous)
    beyond = "too few to tell" if test.too_small else ("yes" if test.significant else "no")
    return pd.Series({"This year": current, "Last year": previous, "Change (offences)": test.change,
                      "Change (%)": test.percent_change, "p-value": test.p_value, "Beyond natural variation": beyond,
                      overview.DETECTABLE: test.detectable() if beyond == "no" else None})


def _series(result: CrimeOverview, crime_types: list[str]) -> dict:
    """The headline's counts by complete year (the summary's trend line), when the data hold two years or more."""
    rows = result.annual[result.annual.index.isin(crime_types)]
    if rows.empty or len(result.annual.columns) < 2:
        return {}
    totals = rows.sum()
    return {"series": series_figure(list(totals.index), totals.tolist())}


def findings(result: CrimeOverview) -> list[Finding]:
    """The headlines (all crime, personal acquisitive crime, violence), the other changes beyond natural
    variation, and each target's status, from the numbers."""
    out: list[Finding] = []
    if result.table.empty:
        return [Finding(NAME, "overall", result.incomplete_year or f"No police.uk records for {result.area_name}.",
                        {"months_missing": len(result.months_missing)}, "not assessable")]
    rows = result.published.set_index("Crime type")
    total = rows.loc[overview.ALL_CRIME]
    figures, change_text, direction = _headline("Crimes (excluding ASB)", total, result.year_label)
    text = (f"{result.area_name} recorded {fmt.count(total['This year'])} crimes (excluding anti-social behaviour) in "
            f"{result.year_label}, {fmt.decimal(total['Rate per 1,000'], 'rate')} per 1,000 residents.")
    figures["rate_per_1000"] = float(total["Rate per 1,000"])
    text += (f" {change_text[0].upper()}{change_text[1:]}." if change_text else
             " The previous twelve months are not in the data, so no year-on-year change is shown.")
    trend = total["Long-term change a year (%)"]
    figures["trend"] = str(total["Long-term trend"])
    detectable_trend = total.get(overview.DETECTABLE_TREND)
    if isinstance(detectable_trend, Detectable):
        figures |= {"trend_detectable_rise_percent": detectable_trend.rise,
                    "trend_detectable_fall_percent": detectable_trend.fall}
    if total["Long-term trend"] in ("downward", "upward"):
        text += (f" Long-term trend {total['Long-term trend']} ({fmt.signed_percent(trend.value)} a year over "
                 f"{result.table['Trend years'].iloc[0]} years).")
        figures["trend_percent_a_year"] = trend.value
    figures |= _series(result, [overview.ALL_CRIME])
    out.append(Finding(NAME, "overall", text, figures, direction, "Crime by type", headline=True))
    acquisitive_total = acquisitive_row(result.table)
    if acquisitive_total is not None:
        figures, change_text, direction = _headline("Personal acquisitive crimes", acquisitive_total, result.year_label)
        figures |= _series(result, list(acquisitive.TYPES.values()))
        out.append(Finding(NAME, "acquisitive", f"Personal acquisitive crime (burglary, robbery, theft from the person, "
                           f"vehicle crime and bicycle theft): {fmt.count(acquisitive_total['This year'])} in "
                           f"{result.year_label}" + (f"; {change_text}." if change_text else "."), figures, direction,
                           "Crime by type", headline=True))
    if VIOLENCE in rows.index:
        figures, change_text, direction = _headline("Violence and sexual offences", rows.loc[VIOLENCE], result.year_label)
        figures |= _series(result, [VIOLENCE])
        out.append(Finding(NAME, "violence", f"Violence and sexual offences: {fmt.count(rows.loc[VIOLENCE, 'This year'])} "
                           f"in {result.year_label}" + (f"; {change_text}." if change_text else "."), figures, direction,
                           "Crime by type", headline=True))
    family = int(rows.drop(index=[overview.ALL_CRIME]).index.size)
    for crime_type, row in rows.drop(index=[overview.ALL_CRIME, VIOLENCE], errors="ignore").iterrows():
        if row["Beyond natural variation"] != "yes":  # the q-value across the crime types is at most 0.05
            continue
        change, percent = int(row["Change (offences)"]), float(row["Change (%)"])
        out.append(Finding(NAME, "overall", f"{crime_type}: {fmt.describe_change(change, percent)} on the year before "
                           f"({fmt.count(row['Last year'])} to {fmt.count(row['This year'])}), beyond natural variation "
                           f"(exact Poisson test, p {fmt.p_value(row['p-value'])}; q {fmt.p_value(row['q-value'])} "
                           f"across the {family} crime types).",
                           {"this_year": int(row["This year"]), "last_year": int(row["Last year"]), "change": change,
                            "change_percent": percent, "p_value": float(row["p-value"]), "q_value": float(row["q-value"])},
                           "down" if change < 0 else "up", "Crime by type"))
    out.extend(harm_findings(result) + [f for rates in result.peers[:1] for f in peer_comparison.finding(NAME, rates)])
    out.extend(matrix_findings(result.matrix, result.area_name) if not result.matrix.empty else [])
    out.extend(target_findings(result))
    out.extend(activity_findings(result))
    return out


HARM_SECTION = "Harm beside volume"
MATRIX_SECTION = priority_matrix.FINDING_SECTION


def build_matrix(ctx: ChapterContext, crimes: pd.DataFrame, weights: dict[str, float] | None) -> pd.DataFrame:
    """The priority-setting matrix of the plan's priorities and the types the data rank high (analysis.priority_matrix),
    with ASB repeat victims from the partner cases where they are supplied."""
    counts = priority_matrix.yearly_counts(crimes, ctx.config.area_codes)
    cases = ctx.table("asb_cases", area_only=True)
    per_victim = asb.repeats(cases, "victim_id") if cases is not None else None
    repeat = (int((per_victim >= 2).sum()), int(len(per_victim))) if per_victim is not None and len(per_victim) else None
    extra = priority_matrix.serious_violence_series(ctx.table("police_records", area_only=True), ctx.config,
                                                    ctx.table("offence_codes"), len(next(iter(counts.values()), [])))
    candidates = priority_matrix.candidates_for(ctx.config, counts, weights, repeat, extra)
    frame = priority_matrix.matrix(candidates, counts, weights, ctx.config.priority_matrix.weights, extra=extra)
    frame.attrs["board_source"] = ctx.config.priority_matrix.source
    return frame


def matrix_table(result: CrimeOverview) -> pd.DataFrame:
    """The matrix as the chapter shows it: scores, the weighted score and the rank with its 95% bootstrap interval."""
    if result.matrix.empty:
        return result.matrix
    frame = result.matrix.drop(columns=["Rank low", "Rank high", "Crimes this year"])
    frame["Current priority"] = frame["Current priority"].map({True: "yes", False: "no"})
    frame["Rank 95% interval"] = [f"{a} to {b}" for a, b in zip(result.matrix["Rank low"], result.matrix["Rank high"])]
    frame.attrs["kinds"] = {k: "number" for k in priority_matrix.CRITERIA} | {"Score": "ratio"}
    return frame


def matrix_findings(matrix: pd.DataFrame, area_name: str) -> list[Finding]:
    """One finding per candidate, in rank order: its score, rank and rank interval (the executive summary's matrix)."""
    out = []
    for _, row in matrix.iterrows():
        interval = (f"rank {row['Rank']}" if row["Rank low"] == row["Rank high"] else
                    f"rank {row['Rank']} (95% interval {row['Rank low']} to {row['Rank high']})")
        status = "a current priority" if row["Current priority"] else "not a current priority"
        figures = {k: float(row[k]) for k in (*priority_matrix.CRITERIA, "Score")} | {
            "candidate": row["Candidate"], "rank": int(row["Rank"]), "rank_low": int(row["Rank low"]),
            "rank_high": int(row["Rank high"]), "candidates": len(matrix), "current": bool(row["Current priority"]),
            "resamples": int(matrix.attrs["resamples"]), "harm_weighted": bool(matrix.attrs["harm_weighted"]),
            "board_source": matrix.attrs.get("board_source", "")} | {
            f"weight {k}": float(v) for k, v in matrix.attrs["weights"].items()}
        out.append(Finding(NAME, "overall", f"Candidate priority for {fmt.literal(area_name)}: {fmt.literal(row['Candidate'])} "
                           f"scores {row['Score']:.2f} of 4, {interval} of {len(matrix)}; {status}.",
                           figures, "context", MATRIX_SECTION))
    return out


def harm_notes(result: CrimeOverview) -> str:
    """Which weighting the harm view uses, at which level, and what it leaves out; or that there is none."""
    if result.weighting is None:
        return ("No harm weighting is configured (the key `harm_weights`), so this report counts crimes without weighing "
                "them by harm. Name a weights file (by Home Office offence code, such as the ONS Crime Severity Score "
                "weights, or by police.uk crime type) to add the harm view.")
    w = result.weighting
    text = (f"Weighted by **{fmt.literal(w['label'])}** ({fmt.literal(w['file'])}; source: {fmt.literal(w['source'])}). "
            f"The weights are given by {w['level']}")
    text += (f"; police.uk records carry only the crime type, so {fmt.literal(w['type_method'])}." if w.get("type_method")
             else ".")
    if w.get("illustrative"):
        text += (" **These weights are illustrative, invented for the demonstration: they are not an official weighting "
                 "(neither the ONS Crime Severity Score nor the Cambridge Crime Harm Index), and no harm figure here is "
                 "an official one.**")
    unweighted = result.harm.attrs.get("unweighted", []) if not result.harm.empty else []
    if unweighted:
        text += f" Not weighted (the weighting has no weight for them): {fmt.in_words(list(map(fmt.literal, unweighted)))}."
    return text


def harm_findings(result: CrimeOverview) -> list[Finding]:
    """The harm view's headline: the types whose share of harm most exceeds their share of crime, and the change in
    total harm with its screen."""
    if result.harm.empty:
        return []
    shown = harm.published_harm(result.harm).set_index("Crime type")
    total, types = shown.loc[harm.ALL_HARM], shown.drop(index=harm.ALL_HARM)
    types = types[types["Share of harm (%)"].map(lambda v: isinstance(v, float))]
    if types.empty:
        return []
    excess = (types["Share of harm (%)"].astype(float) - types["Share of crime (%)"].astype(float)).sort_values(ascending=False)
    heavy = [f"{fmt.literal(name)} ({fmt.percent(types.loc[name, 'Share of crime (%)'])} of crimes, "
             f"{fmt.percent(types.loc[name, 'Share of harm (%)'])} of harm)" for name in excess.index[:2] if excess[name] > 0]
    weighting = result.weighting["label"] if result.weighting else ""
    unit = result.weighting.get("unit", "harm units") if result.weighting else "harm units"
    text = f"Weighed by harm ({fmt.literal(weighting)}), " + (f"{fmt.in_words(heavy)} carry more harm than their volume suggests"
                                                 if heavy else "no crime type carries more harm than its volume")
    figures = {"harm_total": float(total["Harm this year"]), "weighting": weighting,
               "top_harm_type": str(types["Share of harm (%)"].astype(float).idxmax())}
    if isinstance(total.get("Change in harm"), float):
        screen = "beyond natural variation" if total["Beyond natural variation"] == "yes" else "within natural variation"
        text += (f"; total harm {fmt.describe_change(round(total['Change in harm']), total['Change (%)'], unit).lower()}"
                 f" on the year before, {screen}")
        figures |= {"harm_change": float(total["Change in harm"]), "harm_change_percent": float(total["Change (%)"]),
                    "screen": screen}
    short = ("ILLUSTRATIVE weights, not an official weighting" if result.weighting and result.weighting.get("illustrative")
             else fmt.literal(result.weighting["name"]) if result.weighting else "")
    first = excess.index[0]
    summary = (f"Weighed by harm ({short}), {fmt.literal(first)} carries {fmt.percent(types.loc[first, 'Share of harm (%)'])} of harm "
               f"from {fmt.percent(types.loc[first, 'Share of crime (%)'])} of crimes." if heavy else "")
    return [Finding(NAME, "overall", text + ".", figures, "context", HARM_SECTION, summary=summary)]


def target_period(aim: str, months: int) -> str:
    """The months a target's count covers, from its financial year ('in 2024/25' in its aim): '2024/25' for a whole
    year, 'Apr - Dec 2024 (2024/25 to date, 9 of 12 months)' part way through."""
    year = re.search(r"(\d{4})/\d{2}\b", aim)
    if year is None:
        return f"{months} months"
    first = pd.Period(f"{year[1]}-04", "M")
    last = first + months - 1
    span = f"{first:%b %Y} - {last:%b %Y}" if first.year != last.year else f"{first:%b} - {last:%b %Y}"
    label = year[0]
    return label if months == 12 else f"{span} ({label} to date, {months} of 12 months)"


def target_findings(result: CrimeOverview) -> list[Finding]:
    """Each target's status, filed under the plan priority it serves (figures: the target's name, priority,
    aim, count to date, target count and verdict, for the executive summary's progress table)."""
    out = []
    for _, row in result.targets.iterrows():
        status = str(row.get("Status", ""))
        direction = status.lower() if status in ("Met", "Missed", "On track", "Off track") else "not assessable"
        figures = {k: row[k] for k in ("Year to date", "Target count", "Projected year end", "Target to date (pro rata)",
                                       "Months to date", "Baseline (data)")
                   if k in row and isinstance(row[k], (int, float)) and not fmt.is_missing(row[k])}
        interval = row.get("Projected 95% CI")
        if isinstance(interval, Interval):
            figures |= {"projected_low": float(interval.low), "projected_high": float(interval.high)}
            if "Target count" in figures and interval.low <= figures["Target count"] <= interval.high:
                figures["too_close_to_call"] = True  # the projection's interval holds the target: chance could settle it
        if "Months to date" in figures:
            figures["period"] = target_period(str(row["Aim"]), int(figures["Months to date"]))
        if row["Target"] in result.target_baselines:
            figures["baseline_year"] = result.target_baselines[row["Target"]]
        figures |= {"target": str(row["Target"]), "plan_priority": result.target_priorities.get(row["Target"], "overall"),
                    "aim": str(row["Aim"]), "status": status}
        change = row.get("Change on baseline months")
        if isinstance(change, (int, float)) and not fmt.is_missing(change):
            figures |= {"change": int(change), "change_percent": float(row["Change on baseline months (%)"]),
                        "screen": screen_of(row["Beyond natural variation"])}
            if isinstance(row.get(fmt.DETECTABLE), Detectable):
                figures |= {"detectable_rise_percent": row[fmt.DETECTABLE].rise,
                            "detectable_fall_percent": row[fmt.DETECTABLE].fall}
        detail = row.get("Verdict") if isinstance(row.get("Verdict"), str) and row.get("Verdict") else status
        out.append(Finding(NAME, "targets", f"Target '{row['Target']}' ({row['Aim']}): {detail}.", figures, direction,
                           "Progress against the plan's targets"))
    return out


ACTIVITY_SECTION = "The plan's activity targets"


def activity_table(result: CrimeOverview) -> pd.DataFrame:
    """The activity targets as the report shows them: the priority by its title."""
    if result.activities is None:
        return pd.DataFrame()
    table = result.activities.table
    if table["Expected by now"].isna().all():  # every deadline has passed (or nothing was reported): nothing expected
        table = table.drop(columns="Expected by now")
    if result.activities.unavailable:  # no file: activity_notes says so, instead of empty columns
        table = table.drop(columns=["Achieved", "Reported on"])
    return table.assign(Priority=table["Priority"].map(PRIORITIES))


def activity_notes(result: CrimeOverview) -> str:
    """What the activity table leaves out and why: no file, reports for unknown activities, reports without a figure."""
    if result.activities is None:
        return "The configuration sets no activity targets (key `activities`)."
    progress, notes = result.activities, []
    if progress.unavailable:
        notes.append(f"No progress was reported: {progress.unavailable}, so every activity is listed as not reported.")
    if progress.unknown:
        listed = ", ".join(f"'{name}' ({n:,} rows)" for name, n in progress.unknown.items())
        notes.append(f"plan_activity.csv has reports for activities the configuration does not name, not used: {listed}. "
                     "Use the ids under `activities` in the configuration.")
    if progress.unused:
        notes.append(f"{progress.unused:,} reports of a count target had no achieved count and were not used.")
    return " ".join(notes)


def activity_findings(result: CrimeOverview) -> list[Finding]:
    """Each activity target's status, filed with the plan's targets under the priority it serves."""
    if result.activities is None:
        return []
    out = []
    for _, row in result.activities.table.iterrows():
        status = row["Status"]
        figures = {"target": row["Activity"], "plan_priority": row["Priority"], "aim": row["Target"], "status": status,
                   "activity": True}
        detail = status.lower()
        if isinstance(row["Achieved"], numbers.Integral):
            figures["Year to date"] = row["Achieved"]
            detail += f", {row['Achieved']:,} by {fmt.day(row['Reported on'])}"
        elif isinstance(row["Achieved"], date):
            figures["achieved"] = f"in place {fmt.day(row['Achieved'])}"
            detail += f", {figures['achieved']}"
        out.append(Finding(NAME, "targets", f"Activity target '{row['Activity']}' ({row['Target']}): {detail}.", figures,
                           STATUS_DIRECTION[status], ACTIVITY_SECTION))
    return out

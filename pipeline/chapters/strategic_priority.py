"""Chapter 3, the strategic priority: mental health, alcohol and drug misuse in violence and ASB, for
victims and perpetrators, and the gaps in the data about them.

`build` assembles every table the chapter shows (numbers and the value objects of methods.values);
`findings` reads those values from the published tables, so that no sentence says what the data did not
produce and none quotes a suppressed count.
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import family, flags, strategic
from pipeline.analysis.data_gaps import data_gaps
from pipeline.analysis.health import latest_table
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import REGISTRY, Finding, chapters_reading, headline_figures
from pipeline.methods import associations
from pipeline.methods.disclosure import is_small
from pipeline.methods.periods import CURRENT
from pipeline.methods.values import Proportion

NAME = "strategic_priority"
# The extracts each section of the chapter reads, for saying why a section is empty.
SECTION_SOURCES = {
    "violence": ("police_records",), "asb": ("asb_cases",), "people": ("police_records", "asb_cases"),
    "alcohol": ("police_records",), "under_recording": ("ae_assaults", "police_records"),
    "service": ("service_activity", "police_records"),
}


@dataclass
class StrategicChapter:
    area_name: str
    current_year: str | None
    missing_extracts: list[str]
    unavailable: dict[str, str] = field(default_factory=dict)
    violence_prevalence: pd.DataFrame = field(default_factory=pd.DataFrame)
    asb_prevalence: pd.DataFrame = field(default_factory=pd.DataFrame)
    completeness: pd.DataFrame = field(default_factory=pd.DataFrame)
    recording: pd.DataFrame = field(default_factory=pd.DataFrame)
    repeats: pd.DataFrame = field(default_factory=pd.DataFrame)
    tests: list = field(default_factory=list)
    alcohol_measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    under_recording: pd.DataFrame = field(default_factory=pd.DataFrame)
    alcohol_series: pd.DataFrame = field(default_factory=pd.DataFrame)
    client_groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    health: pd.DataFrame = field(default_factory=pd.DataFrame)
    health_latest: pd.DataFrame = field(default_factory=pd.DataFrame)
    service: pd.DataFrame = field(default_factory=pd.DataFrame)
    service_series: pd.DataFrame = field(default_factory=pd.DataFrame)
    gaps: pd.DataFrame = field(default_factory=pd.DataFrame)

    def not_supplied(self, section: str) -> str:
        """Why a section is empty: which of its extracts were not supplied or were unusable, or that there were no records."""
        reasons = [self.unavailable[name] for name in SECTION_SOURCES[section] if name in self.unavailable]
        if reasons:
            return f"not available: {'; '.join(reasons)} (see Gaps in the data)."
        return "no records with this information in the assessment year (see Gaps in the data)."

    @property
    def completeness_table(self) -> pd.DataFrame:
        return flags.published_completeness(self.completeness) if not self.completeness.empty else self.completeness

    @property
    def association_table(self) -> pd.DataFrame:
        return associations.summary_table([t for t in self.tests if t.test != family.NOT_TESTABLE])

    @property
    def untestable_table(self) -> pd.DataFrame:
        return associations.untestable_table([t for t in self.tests if t.test == family.NOT_TESTABLE])

    def displayed_tables(self) -> list[pd.DataFrame]:
        """Every table the chapter shows, in the form it shows them (for checking the findings against)."""
        tables = [self.completeness_table, self.recording, self.repeats, self.association_table, self.untestable_table,
                  self.alcohol_measures,
                  self.under_recording, self.client_groups, self.health_latest, self.service, self.gaps]
        if self.current_year:
            for prevalence in (self.violence_prevalence, self.asb_prevalence):
                if not prevalence.empty:
                    tables.append(flags.prevalence_display(prevalence, self.current_year))
        return [t for t in tables if t is not None and not t.empty]


def _current(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if frame is None else frame[frame["assessment_period"] == CURRENT]


def _without(frame: pd.DataFrame | None, columns: list[str] | None) -> pd.DataFrame | None:
    return frame if frame is None or not columns else frame.drop(columns=[c for c in columns if c in frame])


def build(ctx: ChapterContext) -> StrategicChapter:
    config = ctx.config
    own = set(REGISTRY[NAME].tables)  # only the sources this chapter reads are its gaps
    missing = [name for name in ctx.missing_extracts if name in own]
    records, asb = ctx.table("police_records", area_only=True), ctx.table("asb_cases", area_only=True)
    ae, iom, service = ctx.table("ae_assaults"), ctx.table("iom_cohort"), ctx.table("service_activity")
    violence = flags.violence_records(records)
    violence_years = flags.complete_year_labels(violence)
    asb_years = flags.complete_year_labels(asb)
    current_year = (violence_years or asb_years or [None])[-1]
    unavailable = {name: why for name, why in ctx.unavailable.items() if name in own}
    chapter = StrategicChapter(config.area_name, current_year, missing, unavailable)
    if violence is not None and violence_years:
        codes = ctx.table("offence_codes")
        names = dict(zip(codes["offence_code"], codes["offence_code"] + " " + codes["offence_name"]))
        offence = violence["ho_offence_code"].fillna("").map(lambda code: names.get(code, code))
        chapter.violence_prevalence = flags.prevalence(violence.assign(offence=offence), "offence", "All violence",
                                                       violence_years)
    if asb is not None and asb_years:
        by_source = flags.prevalence(asb, "source", "All ASB cases", asb_years)
        by_category = flags.prevalence(asb, "asb_category", "All ASB cases", asb_years)
        chapter.asb_prevalence = pd.concat([by_source, by_category[by_category["Group"] != "All ASB cases"]], ignore_index=True)
    absent = ctx.ingest_facts().get("absent_columns", {})  # never judged as unrecorded: they were not supplied
    chapter.completeness = flags.completeness({"police violence": _without(violence, absent.get("police_records")),
                                               "ASB cases": _without(asb, absent.get("asb_cases"))},
                                              {"police violence": violence_years, "ASB cases": asb_years})
    chapter.recording = flags.recording_effects(chapter.completeness)
    chapter.repeats = pd.concat([strategic.repeat_table(_current(asb), "perpetrator_id", "ASB perpetrators"),
                                 strategic.repeat_table(_current(asb), "victim_id", "ASB victims (flags describe the perpetrator)"),
                                 strategic.repeat_table(_current(violence), "suspect_id", "Violence suspects"),
                                 strategic.repeat_table(_current(violence), "victim_id", "Violence victims")], ignore_index=True)
    nte, licensed = config.night_time_economy, list(config.licensed)
    cohort = set(iom["person_id"]) if iom is not None else set()
    chapter.tests = family.association_family(_current(violence), _current(asb), nte, list(config.zones), cohort)
    if violence is not None and violence_years:
        chapter.alcohol_measures = strategic.alcohol_measures(violence, licensed, nte, violence_years)
        chapter.under_recording = strategic.under_recording(ae, violence, violence_years)
        chapter.alcohol_series = strategic.monthly_alcohol_series(violence, ae, licensed, nte)
    chapter.client_groups = strategic.client_groups(_current(violence), _current(records), _current(asb), iom)
    chapter.health = ctx.table("health_indicators")
    chapter.health_latest = latest_table(chapter.health, [*config.area_codes, *config.comparison_codes], config.area_codes)
    years = violence_years or asb_years or flags.complete_year_labels(service)
    chapter.service = strategic.service_trends(service, records, years, config.area_codes)
    chapter.service_series = strategic.monthly_service_series(service, records, config.area_codes)
    months = [str(m) for m in pd.period_range(ctx.period_end - 11, ctx.period_end, freq="M")]
    latest = chapter.health.groupby("indicator")["period"].max().to_dict() if not chapter.health.empty else {}
    linked = None
    if iom is not None and records is not None:
        linked = int(records["suspect_id"].isin(set(iom["person_id"])).sum())
    tables = {"police_records": records, "asb_cases": asb, "ae_assaults": ae, "iom_cohort": iom, "service_activity": service}
    chapter.gaps = data_gaps(missing, tables, chapter.completeness, current_year, months, latest,
                             (ctx.period_end - 11).year, linked, {name: chapters_reading(name) for name in tables},
                             {name: why for name, why in ctx.ingest_facts().get("unusable_extracts", {}).items()
                              if name in own}, absent)
    for name in ctx.ingest_facts().get("missing_health_indicators", []):
        chapter.gaps.loc[len(chapter.gaps)] = ["Source not supplied", f"fingertips/{name}", "health indicator file absent",
                                               "the health context lacks this indicator", "copy the Fingertips extract"]
    return chapter


def association_rows(chapter: StrategicChapter) -> dict:
    """The association table's rows that matter in the chapter (those beyond chance); the CSV has them all."""
    table = chapter.association_table
    if table.empty:
        return {}
    return {"key_rows": table["Beyond chance after FDR control"] == "yes",
            "key_words": "the associations beyond chance after false-discovery-rate control"}


def completeness_rows(chapter: StrategicChapter) -> dict:
    """The completeness table's first and latest years for each source and flag (the change in recording)."""
    table = chapter.completeness_table
    if table.empty:
        return {}
    years = list(dict.fromkeys(table["Year"]))
    return {"key_rows": table["Year"].isin({years[0], years[-1]}), "key_words": "the first and the latest years"}


# ---------------------------------------------------------------- findings
PREVALENCE_MEASURES = ("Alcohol", "Drugs", "Mental health", "Dual diagnosis (mental health with alcohol or drugs)")
NOT_A_CAUSE = "An association in recorded flags is not a cause, and flags are not diagnoses."


def _share(value: object) -> Proportion | None:
    """A published share cell, unless it is suppressed, empty or too small to quote."""
    return value if isinstance(value, Proportion) and value.n and not is_small(value) else None


def _row(table: pd.DataFrame, **match: str) -> pd.Series | None:
    rows = table
    for column, value in match.items():
        rows = rows[rows[column] == value]
    return None if rows.empty else rows.iloc[0]


def _prevalence_findings(chapter: StrategicChapter) -> list[Finding]:
    out = []
    for prevalence, group, label, opening in (
            (chapter.violence_prevalence, "All violence", "Violence",
             "of violent crimes where each flag was recorded, the share flagged was "),
            (chapter.asb_prevalence, "All ASB cases", "ASB cases", "perpetrator flags among ASB cases where each was recorded: ")):
        if prevalence.empty or not chapter.current_year:
            continue
        row = _row(flags.prevalence_display(prevalence, chapter.current_year), Group=group)
        shares = [(measure, _share(row[measure])) for measure in PREVALENCE_MEASURES] if row is not None else []
        shares = [(measure, share) for measure, share in shares if share]
        if shares:
            text = (f"**{label}, {chapter.current_year}:** {opening}"
                    + "; ".join(f"{measure.lower()} {share.brief()}" for measure, share in shares) + ". " + flags.CAVEAT)
            figures = {f"{m.lower()}_percent": s.share for m, s in shares}
            alcohol = dict(shares).get(PREVALENCE_MEASURES[0]) if label == "Violence" else None
            if alcohol is not None:
                figures |= headline_figures("Violent crimes with an alcohol flag", alcohol.k, period=chapter.current_year,
                                            comparison=_recording_comparison(chapter, "Alcohol"))
            out.append(Finding(NAME, "strategic", text, figures, "context", "Prevalence of the flags",
                               headline=alcohol is not None))
    return out


def _recording_comparison(chapter: StrategicChapter, flag: str) -> str | None:
    """The headline's change in words when its chapter reads it as a recording effect (so not a change to rate)."""
    for _, row in chapter.recording.iterrows():
        if (row["Flag"] == flag and str(row["Source"]).lower().startswith("police violence")
                and row["Reading"].startswith("recording effect") and not isinstance(row["Flagged Y"], str)):
            years = re.search(r"\((\d+ years)\)", str(row["Years"]))
            return (f"recording effect: flagged {row['Flagged Y']} as recording went from {row['Completeness']}"
                    + (f" over {years[1]}" if years else ""))
    return None


def _association_findings(chapter: StrategicChapter) -> list[Finding]:
    out = []
    for _, row in chapter.association_table.iterrows():
        ratio = row["Odds ratio (95% CI)"]
        if row["Beyond chance after FDR control"] != "yes" or isinstance(ratio, str) or ratio is None or not ratio.defined:
            continue
        out.append(Finding(NAME, "strategic", f"**{row['Question']}:** odds ratio {ratio}, beyond chance after controlling "
                           f"the false discovery rate (BH-adjusted p {fmt.p_value(row['BH-adjusted p'])}).",
                           {"odds_ratio": ratio.value, "odds_ratio_low": ratio.low, "odds_ratio_high": ratio.high,
                            "bh_adjusted_p": float(row["BH-adjusted p"]), "records": int(row["Records"])},
                           "association", "Associations", summary=_association_summary(row["Question"], ratio)))
    if out:  # the caveat once, after the associations it qualifies, not after each of them
        out.append(Finding(NAME, "strategic", NOT_A_CAUSE, {}, "context", "Associations"))
    return out


def _association_summary(question: str, ratio) -> str:
    """'Violence: alcohol flag, night-time economy against other times' in words a board member reads."""
    parts = family.question_parts(question)
    if parts is None:
        return ""
    return (f"{parts['source']}: the odds of {fmt.article(parts['flag'])} flag were {fmt.decimal(ratio.value, 'ratio')} "
            f"times as high for {parts['exposed']} as for {parts['reference']} (95% CI "
            f"{fmt.decimal(ratio.low, 'ratio')} to {fmt.decimal(ratio.high, 'ratio')}); recorded flags, not a cause.")


def _measure_findings(chapter: StrategicChapter) -> list[Finding]:
    out = []
    if not chapter.repeats.empty:
        repeat, single = (_row(chapter.repeats, People="ASB perpetrators", Group=g) for g in ("two or more records", "one record"))
        repeat, single = (_share(r["Mental health"]) if r is not None else None for r in (repeat, single))
        if repeat and single:
            out.append(Finding(NAME, "strategic", f"**Repeat ASB perpetrators:** a mental-health flag on {repeat.brief()} of "
                               f"those with two or more cases in the year, against {single.brief()} of those with one. "
                               "Flags are recorded by case workers, not diagnosed.",
                               {"repeat_percent": repeat.share, "single_percent": single.share}, "context",
                               "Victims and perpetrators"))
    for _, row in chapter.recording.iterrows():
        if not row["Reading"].startswith(("recording effect", "change in prevalence")) or isinstance(row["Flagged Y"], str):
            continue
        effect = row["Reading"].startswith("recording effect")
        source = row["Source"][:1].upper() + row["Source"][1:]
        out.append(Finding(NAME, "data" if effect else "strategic",
                           f"**{source}, {row['Flag'].lower()} flag, {row['Years']}:** completeness {row['Completeness']}, "
                           f"flagged records {row['Flagged Y']}, share among recorded cases {row['Share among recorded']}: "
                           f"{row['Reading']}.",
                           {"completeness_before": row["Completeness"].before, "completeness_after": row["Completeness"].after,
                            "flagged_before": row["Flagged Y"].before, "flagged_after": row["Flagged Y"].after},
                           "gap" if effect else "context", "Completeness before conclusions",
                           summary=(f"{source}: recording of the {row['Flag'].lower()} flag went from {row['Completeness']} "
                                    f"of records ({row['Years']}); the flagged count moved with recording, so it is not "
                                    "a change in behaviour.") if effect else ""))
    if not chapter.under_recording.empty:
        last = chapter.under_recording.iloc[-1]
        index = last["Under-recording index"]
        if not isinstance(index, str) and index is not None and index.defined:
            out.append(Finding(NAME, "violence", f"**Under-recording of alcohol, {last['Year']}:** A&E saw "
                               f"{fmt.count(last['A&E assaults, had drunk alcohol'])} assault patients who had drunk alcohol "
                               f"against {fmt.count(last['Police violence, alcohol-flagged'])} alcohol-flagged violent crimes "
                               f"(index {index}). The two count different events (patients, crimes) and A&E includes "
                               "assaults never reported to the police.",
                               {"ae_alcohol": int(last["A&E assaults, had drunk alcohol"]),
                                "police_alcohol": int(last["Police violence, alcohol-flagged"]), "index": index.value},
                               "context", "A direct and a proxy measure side by side"))
    if not chapter.alcohol_measures.empty:
        last = chapter.alcohol_measures.iloc[-1]
        share = _share(last["Proxy records that are alcohol-flagged"])
        if share:
            out.append(Finding(NAME, "violence", f"**Direct and proxy measures, {last['Year']}:** "
                               f"{fmt.count(last['Licensed zones at night (proxy)'])} violent crimes in licensed zones at "
                               f"night, of which {share.brief()} were alcohol-flagged; the proxy and the flag measure "
                               "different things and neither is complete.",
                               {"proxy": int(last["Licensed zones at night (proxy)"]), "flagged_percent": share.share},
                               "context", "A direct and a proxy measure side by side"))
    return out


def _context_findings(chapter: StrategicChapter) -> list[Finding]:
    out = []
    if not chapter.health_latest.empty:
        partner = chapter.health_latest[chapter.health_latest["Role"] == "partnership"]
        england = chapter.health_latest[chapter.health_latest["Role"] == "England"].set_index("Indicator")
        for _, row in partner.iterrows():
            if row["Indicator"] in england.index and not fmt.is_missing(row["Rate per 100,000"]):
                national = england.loc[row["Indicator"], "Rate per 100,000"]
                out.append(Finding(NAME, "strategic", f"**{row['Indicator']}, {row['Period']}:** {row['Area']} "
                                   f"{fmt.decimal(row['Rate per 100,000'], 'rate')} per 100,000 against England "
                                   f"{fmt.decimal(national, 'rate')} ({row['Compared with England'].lower()} by Fingertips' "
                                   "test). These figures predate the assessment year.",
                                   {"rate": float(row["Rate per 100,000"]), "england": float(national)}, "context",
                                   "Health context"))
    for gap, rows in chapter.gaps.groupby("Gap", sort=False):
        first = rows.iloc[0]
        out.append(Finding(NAME, "data", f"**{gap}** ({len(rows)} source{'s' if len(rows) > 1 else ''}): "
                           f"{fmt.sentence(first['Consequence for the findings'])} Recommended fix: {first['Recommended fix']}.",
                           {"gap": gap, "sources": int(len(rows))}, "gap", "Gaps in the data",
                           summary=f"{gap}: {first['Recommended fix']}."))
    if chapter.unavailable:
        out.append(Finding(NAME, "data", "**Not available:** " + "; ".join(chapter.unavailable.values())
                           + ". The sections that need them say so.", {"extracts_unavailable": len(chapter.unavailable)},
                           "gap", "Gaps in the data"))
    return out


def findings(chapter: StrategicChapter) -> list[Finding]:
    """Plain-words findings, each built from a value in one of the chapter's published tables, each with its caveat."""
    return (_prevalence_findings(chapter) + _association_findings(chapter) + _measure_findings(chapter)
            + _context_findings(chapter))


def recommendations(chapter: StrategicChapter) -> pd.DataFrame:
    """The gaps' fixes, one per line, for the report's recommendations."""
    if chapter.gaps.empty:
        return pd.DataFrame(columns=["Recommendation", "Because"])
    table = chapter.gaps.drop_duplicates("Recommended fix")
    return pd.DataFrame({"Recommendation": table["Recommended fix"].str[0].str.upper() + table["Recommended fix"].str[1:],
                         "Because": table["Gap"] + ": " + table["Detail"]})

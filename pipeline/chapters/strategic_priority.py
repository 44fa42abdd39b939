"""Assemble the strategic-priority chapter: every table it shows and the findings generated from them.

The notebook displays a `StrategicChapter`; the findings are built only from values in its tables,
formatted exactly as the tables show them, so that no sentence says what the data did not produce.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline.methods import associations

from pipeline.analysis import health as health_context

from pipeline.analysis import strategic
from pipeline.chapters.context import ChapterContext
from pipeline.analysis.data_gaps import data_gaps
from pipeline.methods.periods import CURRENT
from pipeline.inputs.reference import load_offence_names


@dataclass
class StrategicChapter:
    area_name: str
    current_year: str | None
    missing_extracts: list[str]
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

    def not_supplied(self, *extracts: str) -> str:
        """Why a section is empty: which of its extracts were not supplied, or that there were no records."""
        missing = [f"{name}.csv" for name in extracts if name in self.missing_extracts]
        if missing:
            return f"not available: {', '.join(missing)} {'was' if len(missing) == 1 else 'were'} not supplied (see Gaps in the data)."
        return "no records with this information in the assessment year (see Gaps in the data)."

    @property
    def completeness_table(self) -> pd.DataFrame:
        return strategic.published_completeness(self.completeness) if not self.completeness.empty else self.completeness

    @property
    def association_table(self) -> pd.DataFrame:
        return associations.summary_table(self.tests)

    def displayed_tables(self) -> list[pd.DataFrame]:
        """Every table the chapter shows, in the form it shows them (for checking the findings against)."""
        tables = [self.completeness_table, self.recording, self.repeats, self.association_table, self.alcohol_measures,
                  self.under_recording, self.client_groups, self.health_latest, self.service, self.gaps]
        if self.current_year:
            for prevalence in (self.violence_prevalence, self.asb_prevalence):
                if not prevalence.empty:
                    tables.append(strategic.prevalence_display(prevalence, self.current_year))
        return [t for t in tables if t is not None and not t.empty]


def _current(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if frame is None else frame[frame["assessment_period"] == CURRENT]


def build(ctx: ChapterContext) -> StrategicChapter:
    config = ctx.config
    missing = ctx.ingest_facts().get("missing_extracts", [])
    records, asb = ctx.table("police_records"), ctx.table("asb_cases")
    ae, iom, service = ctx.table("ae_assaults"), ctx.table("iom_cohort"), ctx.table("service_activity")
    violence = strategic.violence_records(records)
    violence_years = strategic.complete_year_labels(violence)
    asb_years = strategic.complete_year_labels(asb)
    current_year = (violence_years or asb_years or [None])[-1]
    chapter = StrategicChapter(config.area_name, current_year, missing)
    if violence is not None and violence_years:
        names = load_offence_names(ctx.raw_dir / "home_office")
        offence = violence["ho_offence_code"].fillna("").map(lambda code: names.get(code, code))
        chapter.violence_prevalence = strategic.prevalence(violence.assign(offence=offence), "offence", "All violence",
                                                           violence_years)
    if asb is not None and asb_years:
        by_source = strategic.prevalence(asb, "source", "All ASB cases", asb_years)
        by_category = strategic.prevalence(asb, "asb_category", "All ASB cases", asb_years)
        chapter.asb_prevalence = pd.concat([by_source, by_category[by_category["Group"] != "All ASB cases"]], ignore_index=True)
    chapter.completeness = strategic.completeness({"police violence": violence, "ASB cases": asb},
                                                  {"police violence": violence_years, "ASB cases": asb_years})
    chapter.recording = strategic.recording_effects(chapter.completeness)
    chapter.repeats = pd.concat([strategic.repeat_table(_current(asb), "perpetrator_id", "ASB perpetrators"),
                                 strategic.repeat_table(_current(asb), "victim_id", "ASB victims (flags describe the perpetrator)"),
                                 strategic.repeat_table(_current(violence), "suspect_id", "Violence suspects"),
                                 strategic.repeat_table(_current(violence), "victim_id", "Violence victims")], ignore_index=True)
    chapter.tests = strategic.association_family(_current(violence), _current(asb), config.night_time_economy.hours)
    licensed = list(config.licensed)
    if violence is not None and violence_years:
        chapter.alcohol_measures = strategic.alcohol_measures(violence, licensed, config.night_time_economy.hours, violence_years)
        chapter.under_recording = strategic.under_recording(ae, violence, violence_years)
        chapter.alcohol_series = strategic.monthly_alcohol_series(violence, ae, licensed, config.night_time_economy.hours)
    chapter.client_groups = strategic.client_groups(_current(violence), _current(records), _current(asb), iom)
    codes = [*config.area_codes, *config.comparison_codes]
    chapter.health, health_missing = health_context.load_indicators(config.raw_path(config.fingertips_dir, ctx.raw_dir), codes)
    chapter.health_latest = health_context.latest_table(chapter.health, codes, config.area_codes)
    years = violence_years or asb_years or strategic.complete_year_labels(service)
    chapter.service = strategic.service_trends(service, records, years, config.area_codes)
    chapter.service_series = strategic.monthly_service_series(service, records, config.area_codes)
    months = [str(m) for m in pd.period_range(ctx.period_end - 11, ctx.period_end, freq="M")]
    latest = chapter.health.groupby("indicator")["period"].max().to_dict() if not chapter.health.empty else {}
    linked = None
    if iom is not None and records is not None:
        linked = int(records["suspect_id"].isin(set(iom["person_id"])).sum())
    tables = {"police_records": records, "asb_cases": asb, "ae_assaults": ae, "iom_cohort": iom, "service_activity": service}
    chapter.gaps = data_gaps(missing, tables, chapter.completeness, current_year, months, latest,
                             (ctx.period_end - 11).year, linked)
    for name in health_missing:
        chapter.gaps.loc[len(chapter.gaps)] = ["Source not supplied", f"fingertips/{name}", "health indicator file absent",
                                               "the health context lacks this indicator", "copy the Fingertips extract"]
    return chapter


# ---------------------------------------------------------------- findings
def _cell(table: pd.DataFrame, row_filter: dict, column: str) -> str | None:
    rows = table
    for key, value in row_filter.items():
        rows = rows[rows[key] == value]
    return None if rows.empty else str(rows.iloc[0][column])


def _share_only(cell: str | None) -> str | None:
    """'30.7% (28.5% to 33.0%), 490 of 1,594' -> '30.7% (490 of 1,594)'; None for suppressed or empty cells."""
    if not cell or cell in ("[c]", "no records") or " of " not in cell:
        return None
    share, rest = cell.split(" (", 1)
    return f"{share} ({rest.split('), ', 1)[1].replace(' (too few to interpret)', '')})"


PREVALENCE_MEASURES = ("Alcohol", "Drugs", "Mental health", "Dual diagnosis (mental health with alcohol or drugs)")


def _prevalence_finding(prevalence: pd.DataFrame, group: str, year: str) -> str:
    """'alcohol 30.7% (490 of 1,594); drugs ...' for one group and year, skipping suppressed cells."""
    if prevalence.empty:
        return ""
    display = strategic.prevalence_display(prevalence, year)
    shares = [(measure, _share_only(_cell(display, {"Group": group}, measure))) for measure in PREVALENCE_MEASURES]
    return "; ".join(f"{measure.lower()} {share}" for measure, share in shares if share)


def findings(chapter: StrategicChapter) -> list[str]:
    """Plain-words findings, each built from a value in one of the chapter's tables, each with its caveat."""
    out: list[str] = []
    year = chapter.current_year
    if year:
        for prevalence, group, opening in (
                (chapter.violence_prevalence, "All violence",
                 f"**Violence, {year}:** of violent crimes where each flag was recorded, the share flagged was "),
                (chapter.asb_prevalence, "All ASB cases",
                 f"**ASB cases, {year}:** perpetrator flags among cases where each was recorded: ")):
            finding = _prevalence_finding(prevalence, group, year)
            if finding:
                out.append(opening + finding + ". " + strategic.CAVEAT)
    tests = chapter.association_table
    for _, row in tests.iterrows():
        if row["Beyond chance after FDR control"] != "yes":
            continue
        cramers_v = row["Cramer's V"]
        effect = (f"odds ratio {row['Odds ratio (95% CI)']}" if row["Odds ratio (95% CI)"] != "—"
                  else f"Cramer's V {cramers_v}")
        out.append(f"**{row['Question']}:** an association beyond chance after controlling the false discovery rate "
                   f"({effect}; BH-adjusted p {row['BH-adjusted p']}). An association in recorded flags is not a cause, "
                   "and flags are not diagnoses.")
    if not chapter.repeats.empty:
        repeat = _share_only(_cell(chapter.repeats, {"People": "ASB perpetrators", "Group": "two or more records"}, "Mental health"))
        single = _share_only(_cell(chapter.repeats, {"People": "ASB perpetrators", "Group": "one record"}, "Mental health"))
        if repeat and single:
            out.append(f"**Repeat ASB perpetrators:** a mental-health flag on {repeat} of those with two or more cases in the "
                       f"year, against {single} of those with one. Flags are recorded by case workers, not diagnosed.")
    for _, row in chapter.recording.iterrows():
        if row["Reading"].startswith(("recording", "change in prevalence")):
            out.append(f"**{row['Source']}, {row['Flag'].lower()} flag:** completeness {row['Completeness']}, flagged "
                       f"records {row['Flagged Y']}: {row['Reading']}.")
    if not chapter.under_recording.empty:
        last = chapter.under_recording.iloc[-1]
        out.append(f"**Under-recording of alcohol, {last['Year']}:** A&E saw {last['A&E assaults, had drunk alcohol']} assault "
                   f"patients who had drunk alcohol against {last['Police violence, alcohol-flagged']} alcohol-flagged violent "
                   f"crimes (index {last['Under-recording index']}). The two count different events (patients, crimes) and "
                   "A&E includes assaults never reported to the police.")
    if not chapter.alcohol_measures.empty:
        last = chapter.alcohol_measures.iloc[-1]
        share = _share_only(last["Proxy records that are alcohol-flagged"])
        if share:
            out.append(f"**Direct and proxy measures, {last['Year']}:** {last['Licensed zones at night (proxy)']} violent crimes "
                       f"in licensed zones at night, of which {share} were alcohol-flagged; the proxy and the flag measure "
                       "different things and neither is complete.")
    if not chapter.health_latest.empty:
        partner = chapter.health_latest[chapter.health_latest["Role"] == "partnership"]
        england = chapter.health_latest[chapter.health_latest["Role"] == "England"].set_index("Indicator")
        for _, row in partner.iterrows():
            if row["Indicator"] in england.index and row["Rate per 100,000"] is not None:
                out.append(f"**{row['Indicator']}, {row['Period']}:** {row['Area']} {row['Rate per 100,000']} per 100,000 against "
                           f"England {england.loc[row['Indicator'], 'Rate per 100,000']} ({row['Compared with England'].lower()} "
                           "by Fingertips' test). These figures predate the assessment year.")
    if not chapter.gaps.empty:
        out.append(f"**Gaps in the data:** {len(chapter.gaps)} gaps are listed below, each with a recommended fix "
                   f"({', '.join(sorted(set(chapter.gaps['Gap'])))}).")
    if chapter.missing_extracts:
        out.append("**Not supplied:** " + ", ".join(f"{m}.csv" for m in chapter.missing_extracts)
                   + "; the sections that need them say so.")
    return out


def recommendations(chapter: StrategicChapter) -> pd.DataFrame:
    """The gaps' fixes, one per line, for the report's recommendations."""
    if chapter.gaps.empty:
        return pd.DataFrame(columns=["Recommendation", "Because"])
    table = chapter.gaps.drop_duplicates("Recommended fix")
    return pd.DataFrame({"Recommendation": table["Recommended fix"].str[0].str.upper() + table["Recommended fix"].str[1:],
                         "Because": table["Gap"] + ": " + table["Detail"]})

"""Where the data about mental health, alcohol and drugs is missing or weak: each gap with its
consequence for the findings and a recommended fix (the plan's first-year outcome)."""
from __future__ import annotations

import pandas as pd

from pipeline.methods.disclosure import is_small
from pipeline.inputs.partner_extracts import CONTRACTS
from pipeline.analysis.flags import COMPLETENESS_THRESHOLD

# Extracts expected to have records every month (IOM adoptions are occasional by nature).
MONTHLY_EXTRACTS = {"police_records", "asb_cases", "ae_assaults", "service_activity"}
NAMED_ELSEWHERE = {"knife_flag", "firearm_flag"}  # the serious-violence chapter's own gaps table names these
COLUMNS = ["Gap", "Source", "Detail", "Consequence for the findings", "Recommended fix"]
MISSING_EXTRACT = {
    "police_records": ("no alcohol, drugs, mental-health or domestic qualifiers on police crimes and incidents",
                       "prevalence, repeat victims and suspects, associations and the direct alcohol measure cannot be "
                       "computed for police records",
                       "request the force's qualifier extract (contract police_records) under the information-sharing agreement"),
    "asb_cases": ("no council, housing or police ASB cases with perpetrator flags",
                  "ASB prevalence, repeat perpetrators, street-based ASB and vulnerable victims cannot be analysed",
                  "export ASB cases from E-CINS (contract asb_cases) each quarter"),
    "ae_assaults": ("no A&E assault attendances (ISTV)",
                    "the A&E target cannot be tracked and police under-recording of alcohol cannot be estimated",
                    "agree monthly ISTV sharing with the emergency department (Cardiff Model)"),
    "iom_cohort": ("no Integrated Offender Management cohort",
                   "flag prevalence among prolific offenders and their change in offending cannot be measured",
                   "ask the IOM team for the cohort extract with pseudonymised identifiers (contract iom_cohort)"),
    "service_activity": ("no S136, treatment or dual-diagnosis counts",
                         "police flag trends cannot be set beside health and treatment activity",
                         "ask the NHS trust and treatment providers for monthly aggregate counts (contract service_activity)"),
}
STRUCTURAL = [
    ("Victim or perpetrator not distinguished", "police_records",
     "the alcohol, drugs and mental-health qualifiers describe the record, not whether the victim or the suspect had the need",
     "victims' needs, which the plan says are significantly represented, cannot be separated from perpetrators'",
     "add victim- and suspect-level qualifiers to the force extract, or a 'flag applies to' field"),
    ("No link to diagnosis or treatment", "service_activity",
     "treatment and dual-diagnosis data arrive as aggregate counts with no pseudonymised link to police or ASB records",
     "whether people flagged by police are known to mental-health or treatment services, and whether they are in care, is unknown",
     "agree a pseudonymised linkage (same keyed hash) with the NHS trust and treatment providers through the Countywide Dual Diagnosis Group"),
]


def always_empty(values: pd.Series) -> bool:
    """A column with no value in any row (missing, blank, or a missing value written out as text)."""
    return bool(values.isna().all() or values.astype(str).str.strip().isin(["", "<NA>", "nan", "NaT"]).all())


def data_gaps(missing_extracts: list[str], tables: dict[str, pd.DataFrame | None], completeness: pd.DataFrame,
              current_year: str | None, months_in_year: list[str], health_latest: dict[str, str],
              assessment_year_start: int, iom_linked: int | None,
              affected: dict[str, list[str]] | None = None, unusable: dict[str, str] | None = None,
              absent: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Each gap with its consequence and fix; `affected` names the chapters that read each source (registry);
    `unusable` holds the sources most of whose rows were rejected, with why; `absent` the optional columns each
    extract's header lacks (reported as not supplied: a column that is not there is not 'empty in every row')."""
    rows = []
    for name, reason in (unusable or {}).items():
        chapters = (affected or {}).get(name)
        rows.append(("Source unusable", f"{name}.csv", reason,
                     MISSING_EXTRACT[name][1] + (f" (chapters affected: {', '.join(chapters)})" if chapters else ""),
                     "fix the rejected rows (see the data-quality chapter's reasons) and re-export the extract"))
    for name in missing_extracts:
        detail, consequence, fix = MISSING_EXTRACT[name]
        chapters = (affected or {}).get(name)
        if chapters:
            consequence += f" (chapters affected: {', '.join(chapters)})"
        rows.append(("Source not supplied", f"{name}.csv", detail, consequence, fix))
    if current_year is not None and not completeness.empty:
        weak = completeness[(completeness["Year"] == current_year) & (completeness["Completeness (%)"] < COMPLETENESS_THRESHOLD)]
        for _, row in weak.iterrows():
            recorded = row["Completeness (%)"]
            rows.append(("Flag under the completeness threshold", row["Source"],
                         f"{row['Flag']} flag recorded on {recorded:.1f}% of "
                         f"{'fewer than 5' if is_small(row['Records']) else format(row['Records'], ',')} records in {current_year}",
                         f"shares are over recorded cases only; with {100 - recorded:.1f}% unrecorded they may be biased "
                         "if officers record the flag more often when it applies",
                         f"make the {row['Flag'].lower()} qualifier mandatory (Y or N) at the point of recording; "
                         f"target {COMPLETENESS_THRESHOLD:.0f}% completeness"))
    for name, frame in tables.items():
        if frame is None or name not in CONTRACTS:
            continue
        contract = CONTRACTS[name]
        for column in contract.columns:
            if column.name in NAMED_ELSEWHERE:
                continue
            if column.name in (absent or {}).get(name, []):
                rows.append(("Field not supplied", f"{name}.csv", f"'{column.name}' is not in the file's header",
                             f"analyses that need '{column.name}' cannot be done",
                             f"add the '{column.name}' column to the export (the data contract lists it)"))
                continue
            if column.required or column.name not in frame:
                continue
            if always_empty(frame[column.name]):
                rows.append(("Field always empty", f"{name}.csv", f"'{column.name}' is empty in every row",
                             f"analyses that need '{column.name}' cannot be done", f"populate '{column.name}' in the export"))
        if months_in_year and "month" in frame and name in MONTHLY_EXTRACTS:
            recorded_months = set(frame["month"].unique())
            no_records = [m for m in months_in_year if m not in recorded_months]
            if no_records:
                rows.append(("Months missing", f"{name}.csv", f"no records for {', '.join(no_records)}",
                             "annual totals and shares for the assessment year are incomplete",
                             "re-export the extract for the whole assessment year"))
    for indicator, period in health_latest.items():
        if period and int(str(period)[:4]) < assessment_year_start - 3:
            rows.append(("Health indicators out of date", "Fingertips", f"{indicator}: latest period {period}",
                         "the health context describes the population years before the assessment year",
                         "obtain the latest OHID Fingertips indicators for the partnership and its comparators (published quarterly)"))
    if iom_linked == 0:
        rows.append(("IOM cohort does not link", "iom_cohort.csv", "no cohort member appears as a suspect in the police records",
                     "flag prevalence in the IOM cohort cannot be measured",
                     "pseudonymise both extracts with the same key and the same identifier (e.g. PNC number)"))
    present = {name for name, frame in tables.items() if frame is not None}
    for gap, source, detail, consequence, fix in STRUCTURAL:
        if source.split(".")[0] in present:
            rows.append((gap, f"{source}.csv", detail, consequence, fix))
    return pd.DataFrame(rows, columns=COLUMNS)

"""The strategic priority: how mental health, alcohol and drug misuse bear on violence and ASB.

Qualifier flags are recorded by officers and case workers; they are not diagnoses. Every share
here is over the records where the flag was recorded (Y or N); empty means not recorded, and how
often that happens is itself reported (completeness), so that a change in recording is not read
as a change in behaviour.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.methods.associations import AssociationTest, adjust, assess_association
from pipeline.analysis.overview import complete_years
from pipeline.methods.disclosure import COUNT_COLUMNS, SUPPRESSED, is_small, protect
from pipeline.methods.statistics import ALPHA, MIN_RELIABLE_COUNT, compare_counts, wilson_interval

FLAGS = {"alcohol_flag": "Alcohol", "drugs_flag": "Drugs", "mental_health_flag": "Mental health"}
COMBINATIONS = {
    "Alcohol and drugs": lambda f: f["alcohol_flag"] & f["drugs_flag"],
    "Dual diagnosis (mental health with alcohol or drugs)": lambda f: f["mental_health_flag"] & (f["alcohol_flag"] | f["drugs_flag"]),
    "Any of the three": lambda f: f["alcohol_flag"] | f["drugs_flag"] | f["mental_health_flag"],
}
VIOLENCE = "Violence and sexual offences"
AGE_BANDS = [(0, 17, "under 18"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 49, "35-49"), (50, 200, "50 and over")]
COMPLETENESS_THRESHOLD = 80.0  # percent of records with the flag recorded; below this the gaps table lists it
CAVEAT = ("Flags are recorded by officers and case workers; they are not diagnoses, and an empty flag means "
          "'not recorded', not 'no'.")


# ---------------------------------------------------------------- formatting shared by tables and findings
def pct(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.1f}%"


def count(value: int) -> str:
    return f"{int(value):,}"


def share_cell(flagged: int, recorded: int) -> str:
    """'23.4% (21.0% to 25.9%), 512 of 2,190', suppressed when a count from 1 to 4 could be read off it."""
    if recorded == 0:
        return "no records"
    if is_small(flagged) or is_small(recorded - flagged) or is_small(recorded):
        return SUPPRESSED
    low, high = wilson_interval(flagged, recorded)
    text = f"{pct(flagged / recorded * 100)} ({pct(low * 100)} to {pct(high * 100)}), {count(flagged)} of {count(recorded)}"
    return text + (" (too few to interpret)" if recorded < MIN_RELIABLE_COUNT else "")


# ---------------------------------------------------------------- preparing the records
@dataclass
class FlagFrame:
    """Records with Y/N/'' flags turned into booleans: `is_<flag>` (Y) and `has_<flag>` (recorded)."""

    frame: pd.DataFrame
    flags: list[str] = field(default_factory=lambda: list(FLAGS))

    @classmethod
    def of(cls, frame: pd.DataFrame, flags: list[str] | None = None) -> "FlagFrame":
        flags = [f for f in (flags or list(FLAGS)) if f in frame.columns]
        out = frame.copy()
        for flag in flags:
            out[f"has_{flag}"] = out[flag].fillna("").ne("")
            out[f"is_{flag}"] = out[flag].fillna("").eq("Y")
        return cls(out, flags)


def complete_year_labels(frame: pd.DataFrame | None) -> list[str]:
    """Rolling-year labels (oldest first) whose twelve months all have records."""
    if frame is None or frame.empty:
        return []
    labels = frame.drop_duplicates("years_back").set_index("years_back")["year_ending"]
    return [labels[k] for k in sorted(complete_years(frame), reverse=True)]


def violence_records(records: pd.DataFrame | None) -> pd.DataFrame | None:
    if records is None:
        return None
    return records[records["crime_type"] == VIOLENCE]


def age_band(ages: pd.Series) -> pd.Series:
    bands = pd.Series("unknown", index=ages.index, dtype=object)
    for low, high, label in AGE_BANDS:
        bands[ages.between(low, high)] = label
    return bands


def event_hour(records: pd.DataFrame) -> pd.Series:
    """Hour the event happened: the start of the occurrence window where given, else the report time."""
    when = records["occurred_from"].fillna(records["reported_at"]) if "occurred_from" in records else records["reported_at"]
    return when.dt.hour


def in_night_time_economy(records: pd.DataFrame, start_hour: int = 20, end_hour: int = 4) -> pd.Series:
    hour = event_hour(records)
    return (hour >= start_hour) | (hour < end_hour)


# ---------------------------------------------------------------- 1. prevalence
def prevalence(frame: pd.DataFrame, group_column: str | None, all_label: str, years: list[str]) -> pd.DataFrame:
    """Long table: group, year, measure, flagged, recorded, share and Wilson interval, for each flag and
    combination. Single flags are over records where that flag was recorded; combinations over records
    where all three were recorded."""
    flagged = FlagFrame.of(frame).frame
    flagged = flagged[flagged["year_ending"].isin(years)]
    groups = [(all_label, flagged)]
    if group_column:
        groups += [(str(name), rows) for name, rows in flagged.groupby(group_column, sort=True) if str(name) != ""]
    rows = []
    for group, records in groups:
        for year in years:
            in_year = records[records["year_ending"] == year]
            for flag, label in FLAGS.items():
                recorded = in_year[f"has_{flag}"]
                rows.append((group, year, label, int(in_year.loc[recorded, f"is_{flag}"].sum()), int(recorded.sum())))
            all_recorded = in_year[[f"has_{f}" for f in FLAGS]].all(axis=1)
            booleans = in_year.loc[all_recorded, [f"is_{f}" for f in FLAGS]].rename(columns=lambda c: c[3:])
            for label, rule in COMBINATIONS.items():
                rows.append((group, year, label, int(rule(booleans).sum()) if len(booleans) else 0, int(all_recorded.sum())))
    table = pd.DataFrame(rows, columns=["Group", "Year", "Measure", "Flagged", "Recorded"])
    intervals = [wilson_interval(k, n) if n else (math.nan, math.nan) for k, n in zip(table["Flagged"], table["Recorded"])]
    table["Share (%)"] = np.where(table["Recorded"] > 0, table["Flagged"] / table["Recorded"].where(table["Recorded"] > 0) * 100, np.nan)
    table["CI low (%)"] = [low * 100 for low, _ in intervals]
    table["CI high (%)"] = [high * 100 for _, high in intervals]
    return table


def _prevalence_wide(rows: pd.DataFrame, index: str) -> pd.DataFrame:
    """`index` values as rows (in their order of appearance), measures as columns, share cells as values."""
    rows = rows.assign(cell=[share_cell(k, n) for k, n in zip(rows["Flagged"], rows["Recorded"], strict=True)])
    wide = rows.pivot(index=index, columns="Measure", values="cell")
    return wide.reindex(index=list(dict.fromkeys(rows[index])), columns=[*FLAGS.values(), *COMBINATIONS]).reset_index()


def prevalence_display(table: pd.DataFrame, year: str) -> pd.DataFrame:
    """Groups as rows, measures as columns, for one year: 'share (interval), k of n' in every cell."""
    return _prevalence_wide(table[table["Year"] == year], "Group")


def prevalence_trend_display(table: pd.DataFrame, group: str) -> pd.DataFrame:
    """Years as rows, measures as columns, for one group."""
    return _prevalence_wide(table[table["Group"] == group], "Year")


# ---------------------------------------------------------------- 2. completeness and recording effects
def completeness(sources: dict[str, pd.DataFrame | None], years: dict[str, list[str]]) -> pd.DataFrame:
    """For every source, flag and year: records, recorded Y, recorded N, not recorded, completeness."""
    rows = []
    for source, frame in sources.items():
        if frame is None:
            continue
        for year in years.get(source, []):
            in_year = frame[frame["year_ending"] == year]
            for flag, label in FLAGS.items():
                if flag not in in_year:
                    continue
                values = in_year[flag].fillna("")
                y, n = int((values == "Y").sum()), int((values == "N").sum())
                empty = int((values == "").sum())
                rows.append({"Source": source, "Flag": label, "Year": year, "Records": len(in_year), "Y": y, "N": n,
                             "Not recorded": empty,
                             "Completeness (%)": round((y + n) / len(in_year) * 100, 1) if len(in_year) else math.nan})
    return pd.DataFrame(rows, columns=["Source", "Flag", "Year", "Records", "Y", "N", "Not recorded", "Completeness (%)"])


def published_completeness(table: pd.DataFrame) -> pd.DataFrame:
    return protect(table, ["Records", "Y", "N", "Not recorded"], ["Completeness (%)"],
                   row_sums=[("Records", ["Y", "N", "Not recorded"])])


def _change(before: object, after: object) -> str:
    """'1,628 to 1,757', or suppressed when either count is from 1 to 4."""
    return SUPPRESSED if is_small(before) or is_small(after) else f"{count(before)} to {count(after)}"


def recording_effects(table: pd.DataFrame) -> pd.DataFrame:
    """Latest year against the one before, for each source and flag: did volume, recording or prevalence change?

    Volume: exact Poisson test of the record counts. Completeness and prevalence (share Y of recorded): 2x2
    tests (Fisher or chi-square). A change in flagged counts with no change in volume or in prevalence, but
    a change in completeness, is a recording effect, not a trend.
    """
    rows = []
    for (source, flag), group in table.groupby(["Source", "Flag"], sort=False):
        if len(group) < 2:
            continue
        previous, current = group.iloc[-2], group.iloc[-1]
        volume = compare_counts(int(current["Records"]), int(previous["Records"]))
        flagged = compare_counts(int(current["Y"]), int(previous["Y"]))
        recorded = lambda r: [int(r["Y"] + r["N"]), int(r["Not recorded"])]  # noqa: E731
        completeness_test = assess_association("completeness", pd.DataFrame([recorded(current), recorded(previous)]))
        prevalence_test = assess_association("prevalence", pd.DataFrame([[current["Y"], current["N"]], [previous["Y"], previous["N"]]]))
        completeness_changed = completeness_test is not None and completeness_test.p_value < ALPHA
        prevalence_changed = prevalence_test is not None and prevalence_test.p_value < ALPHA
        if prevalence_changed:
            verdict = "change in prevalence among recorded cases (a trend, if recording practice is unchanged)"
        elif flagged.significant and completeness_changed and not volume.significant:
            verdict = "recording effect: more (or fewer) flags because recording changed, not behaviour"
        elif flagged.significant and volume.significant:
            verdict = "flagged records changed with the volume of records; prevalence did not"
        elif completeness_changed:
            verdict = "recording changed; prevalence among recorded cases did not"
        else:
            verdict = "no clear change"
        rows.append({"Source": source, "Flag": flag, "Years": f"{previous['Year']} to {current['Year']}",
                     "Records": _change(previous["Records"], current["Records"]),
                     "Flagged Y": _change(previous["Y"], current["Y"]),
                     "Completeness": f"{pct(previous['Completeness (%)'])} to {pct(current['Completeness (%)'])}",
                     "Volume changed": "yes" if volume.significant else "no",
                     "Flagged count changed": "yes" if flagged.significant else "no",
                     "Completeness changed": "yes" if completeness_changed else "no",
                     "Prevalence changed": "yes" if prevalence_changed else "no", "Reading": verdict})
    out = pd.DataFrame(rows)
    out.attrs[COUNT_COLUMNS] = ["Records", "Flagged Y"]
    return out


def flag_shares(frame: pd.DataFrame) -> dict[str, str]:
    """Share cell of each flag over the rows that recorded it, from `has_<flag>` / `is_<flag>` columns."""
    return {name: share_cell(int(frame.loc[frame[f"has_{flag}"], f"is_{flag}"].sum()), int(frame[f"has_{flag}"].sum()))
            for flag, name in FLAGS.items()}


# ---------------------------------------------------------------- 3. victims and perpetrators
def person_flags(records: pd.DataFrame, person_column: str) -> pd.DataFrame:
    """One row per person in `records`: how many records, and for each flag whether any record recorded it
    and whether any said Y."""
    frame = FlagFrame.of(records[records[person_column].fillna("") != ""]).frame
    aggregations = {"records": (person_column, "size")}
    for flag in FLAGS:
        aggregations[f"has_{flag}"] = (f"has_{flag}", "any")
        aggregations[f"is_{flag}"] = (f"is_{flag}", "any")
    people = frame.groupby(person_column).agg(**aggregations).reset_index()
    people["repeat"] = people["records"] >= 2
    return people


def repeat_table(records: pd.DataFrame | None, person_column: str, role: str) -> pd.DataFrame:
    """Flag rates among people with two or more records in the year against those with one."""
    if records is None or records.empty:
        return pd.DataFrame()
    people = person_flags(records, person_column)
    rows = []
    for repeat, label in ((True, "two or more records"), (False, "one record")):
        group = people[people["repeat"] == repeat]
        rows.append({"People": role, "Group": label,
                     "Number": count(len(group)) if not is_small(len(group)) else SUPPRESSED, **flag_shares(group)})
    out = pd.DataFrame(rows)
    out.attrs[COUNT_COLUMNS] = ["Number"]
    return out


def repeat_association(records: pd.DataFrame | None, person_column: str, flag: str, question: str) -> AssociationTest | None:
    """2x2: repeat (two or more records) against single, by whether the flag was ever Y (people with it recorded)."""
    if records is None or records.empty:
        return None
    people = person_flags(records, person_column)
    people = people[people[f"has_{flag}"]]
    table = pd.crosstab(people["repeat"], people[f"is_{flag}"]).reindex(index=[True, False], columns=[True, False], fill_value=0)
    table.index = ["repeat", "single"]
    table.columns = ["flag Y", "flag N"]
    return assess_association(question, table)


# ---------------------------------------------------------------- 4. associations
def crosstab_test(frame: pd.DataFrame, row: pd.Series, flag: str, question: str, row_order: list | None = None) -> AssociationTest | None:
    """Rows of `row` (exposure or groups) against the flag (Y first), over records where the flag was recorded."""
    recorded = frame[flag].fillna("") != ""
    if not recorded.any():
        return None
    table = pd.crosstab(row[recorded], frame.loc[recorded, flag]).reindex(columns=["Y", "N"], fill_value=0)
    if row_order is not None:
        table = table.reindex(index=[r for r in row_order if r in table.index])
    table.columns = ["flag Y", "flag N"]
    return assess_association(question, table)


def zone_of(frame: pd.DataFrame) -> pd.Series:
    return frame["zone"].replace("", "elsewhere") if "zone" in frame else pd.Series("elsewhere", index=frame.index)


def association_family(violence: pd.DataFrame | None, asb: pd.DataFrame | None, nte: tuple[int, int]) -> list[AssociationTest]:
    """The chapter's family of tests, for the current year, BH-adjusted together."""
    tests: list[AssociationTest | None] = []
    if violence is not None and not violence.empty:
        night = in_night_time_economy(violence, *nte).map({True: "night-time economy hours", False: "other hours"})
        tests.append(crosstab_test(violence, night, "alcohol_flag", "Violence: alcohol flag by night-time-economy hours",
                                   ["night-time economy hours", "other hours"]))
        place = zone_of(violence)
        for flag in ("alcohol_flag", "drugs_flag"):
            tests.append(crosstab_test(violence, place, flag, f"Violence: {FLAGS[flag].lower()} flag by zone"))
        ages = age_band(violence["suspect_age"].astype("Float64"))
        known = ages != "unknown"
        for flag in FLAGS:
            tests.append(crosstab_test(violence[known], ages[known], flag,
                                       f"Violence: {FLAGS[flag].lower()} flag by suspect's age group",
                                       [label for _, _, label in AGE_BANDS]))
    if asb is not None and not asb.empty:
        tests.append(repeat_association(asb, "perpetrator_id", "mental_health_flag",
                                        "ASB: mental-health flag by repeat perpetrator (people)"))
        tests.append(repeat_association(asb, "perpetrator_id", "alcohol_flag", "ASB: alcohol flag by repeat perpetrator (people)"))
        if "vulnerable_victim" in asb:
            vulnerable = asb["vulnerable_victim"].fillna("").map({"Y": "vulnerable victim", "N": "other victim"})
            known = vulnerable.notna()
            tests.append(crosstab_test(asb[known], vulnerable[known], "alcohol_flag", "ASB: alcohol flag by vulnerable victim",
                                       ["vulnerable victim", "other victim"]))
        if "street_based" in asb:
            street = asb["street_based"].fillna("").map({"Y": "street-based", "N": "not street-based"})
            known = street.notna()
            tests.append(crosstab_test(asb[known], street[known], "mental_health_flag",
                                       "ASB: mental-health flag by street-based ASB", ["street-based", "not street-based"]))
    return adjust([t for t in tests if t is not None])


# ---------------------------------------------------------------- 5. direct and proxy measures
def alcohol_measures(violence: pd.DataFrame, licensed_zones: list[str], nte: tuple[int, int], years: list[str]) -> pd.DataFrame:
    """Per year: alcohol-flagged violence (direct) beside violence in licensed-premises zones in night-time-economy
    hours (proxy), and how far the two overlap."""
    rows = []
    night = in_night_time_economy(violence, *nte)
    licensed = violence["zone"].isin(licensed_zones) if "zone" in violence else pd.Series(False, index=violence.index)
    for year in years:
        in_year = violence["year_ending"] == year
        direct = in_year & (violence["alcohol_flag"] == "Y")
        proxy = in_year & night & licensed
        rows.append({"Year": year, "Violence": count(in_year.sum()),
                     "Alcohol-flagged (direct)": count(direct.sum()),
                     "Licensed zones at night (proxy)": count(proxy.sum()),
                     "Both": count((direct & proxy).sum()),
                     "Proxy records that are alcohol-flagged": share_cell(int((direct & proxy).sum()), int(proxy.sum()))})
    return protect(pd.DataFrame(rows), ["Violence", "Alcohol-flagged (direct)", "Licensed zones at night (proxy)", "Both"],
                   ["Proxy records that are alcohol-flagged"])


def under_recording(ae: pd.DataFrame | None, violence: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Per year: A&E assault patients who had drunk alcohol against police alcohol-flagged violence. The index is
    their ratio, with an exact interval (conditional binomial): above 1, A&E sees more alcohol-related assaults
    than the police flag."""
    if ae is None:
        return pd.DataFrame()
    rows = []
    for year in years:
        hospital = int(((ae["year_ending"] == year) & (ae["alcohol_consumed"] == "Y")).sum())
        police = int(((violence["year_ending"] == year) & (violence["alcohol_flag"] == "Y")).sum())
        if hospital == 0 and police == 0:
            continue
        test = compare_counts(hospital, police)
        rows.append({"Year": year, "A&E assaults, had drunk alcohol": count(hospital),
                     "Police violence, alcohol-flagged": count(police),
                     "Under-recording index": f"{test.rate_ratio:.2f} ({test.ratio_lower:.2f} to {test.ratio_upper:.2f})"
                     if police else "—"})
    return protect(pd.DataFrame(rows), ["A&E assaults, had drunk alcohol", "Police violence, alcohol-flagged"],
                   ["Under-recording index"])


def monthly_alcohol_series(violence: pd.DataFrame, ae: pd.DataFrame | None, licensed_zones: list[str],
                           nte: tuple[int, int]) -> pd.DataFrame:
    """Long monthly series for the chart: direct, proxy and (where supplied) A&E alcohol counts."""
    current = violence[violence["years_back"] >= 0]
    night = in_night_time_economy(current, *nte)
    series = {"Police: alcohol-flagged violence": current[current["alcohol_flag"] == "Y"],
              "Police: violence in licensed zones at night": current[night & current["zone"].isin(licensed_zones)]}
    if ae is not None:
        series["A&E: assault patients who had drunk alcohol"] = ae[(ae["years_back"] >= 0) & (ae["alcohol_consumed"] == "Y")]
    months = sorted(current["month"].unique())
    frames = [pd.DataFrame({"month": months, "series": name, "count": rows.groupby("month").size().reindex(months, fill_value=0).to_numpy()})
              for name, rows in series.items()]
    out = pd.concat(frames, ignore_index=True)
    out["month"] = pd.PeriodIndex(out["month"], freq="M").to_timestamp()
    return out


# ---------------------------------------------------------------- 6. client groups
def client_groups(violence: pd.DataFrame | None, records: pd.DataFrame | None, asb: pd.DataFrame | None,
                  iom: pd.DataFrame | None) -> pd.DataFrame:
    """Flag prevalence (over recorded) in the plan's client groups, current year, where the data allow."""
    groups: list[tuple[str, str, pd.DataFrame | None, str]] = []
    if asb is not None:
        groups.append(("Street-life community", "ASB cases flagged street-based", asb[asb["street_based"] == "Y"], ""))
        young = asb[asb["perpetrator_age"].astype("Float64") < 18]
        groups.append(("Young people", "ASB cases with a perpetrator under 18", young, ""))
    if violence is not None:
        groups.append(("Young people", "violent crimes with a suspect under 18",
                       violence[violence["suspect_age"].astype("Float64") < 18], ""))
    if records is not None:
        domestic = records[(records["domestic_flag"] == "Y") & (records["suspect_id"] != "")]
        groups.append(("Domestic abuse perpetrators", "domestic-flagged records with an identified suspect", domestic, ""))
        if iom is not None:
            members = set(iom["person_id"])
            linked = records[records["suspect_id"].isin(members)]
            note = f"{count(len(members))} cohort members; {count(linked['suspect_id'].nunique())} found as suspects"
            groups.append(("IOM cohort", "police records naming a cohort member as suspect", linked, note))
        else:
            groups.append(("IOM cohort", "police records naming a cohort member as suspect", None, "iom_cohort.csv not supplied"))
    rows = []
    for group, basis, frame, note in groups:
        row = {"Client group": group, "Records used": basis}
        if frame is None or frame.empty:
            row.update({name: "no records" for name in FLAGS.values()})
            row["Note"] = note or "no records in the year"
        else:
            row.update(flag_shares(FlagFrame.of(frame).frame))
            row["Note"] = note
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- 8. service activity
def service_trends(service: pd.DataFrame | None, records: pd.DataFrame | None, years: list[str],
                   area_codes: tuple[str, ...]) -> pd.DataFrame:
    """Annual totals of each service measure beside police flag counts, with the change in the latest year."""
    rows = []
    if service is not None:
        local = service[service["area_code"].isin(area_codes)]
        for measure, group in local.groupby("measure", sort=True):
            rows.append(("Services: " + measure.replace("_", " "), [int(group.loc[group["year_ending"] == y, "value"].sum()) for y in years]))
    if records is not None:
        for flag, name in FLAGS.items():
            rows.append((f"Police: records flagged {name.lower()}",
                         [int(((records["year_ending"] == y) & (records[flag] == "Y")).sum()) for y in years]))
    table = pd.DataFrame([[name, *values] for name, values in rows], columns=["Measure", *years])
    if len(years) >= 2 and len(table):
        changes = [compare_counts(int(r[years[-1]]), int(r[years[-2]])) for _, r in table.iterrows()]
        table["Latest change"] = [f"{c.change:+,} ({c.percent_change:+.0f}%)" if not math.isnan(c.percent_change) else f"{c.change:+,}"
                                  for c in changes]
        table["Beyond natural variation"] = ["too few to tell" if c.too_small else ("yes" if c.significant else "no") for c in changes]
    return protect(table, list(years), ["Latest change", "Beyond natural variation"])


def monthly_service_series(service: pd.DataFrame | None, records: pd.DataFrame | None, area_codes: tuple[str, ...]) -> pd.DataFrame:
    parts = []
    if service is not None:
        local = service[service["area_code"].isin(area_codes) & (service["years_back"] >= 0)]
        parts.append(local.groupby(["month", "measure"])["value"].sum().reset_index()
                     .rename(columns={"measure": "series", "value": "count"}))
    if records is not None:
        current = records[records["years_back"] >= 0]
        for flag, name in FLAGS.items():
            monthly = current[current[flag] == "Y"].groupby("month").size().rename("count").reset_index()
            monthly["series"] = f"police {name.lower()} flags"
            parts.append(monthly)
    if not parts:
        return pd.DataFrame(columns=["month", "series", "count"])
    out = pd.concat(parts, ignore_index=True)
    out["series"] = out["series"].str.replace("_", " ")
    out["month"] = pd.PeriodIndex(out["month"], freq="M").to_timestamp()
    return out



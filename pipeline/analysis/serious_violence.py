"""Serious violence as the partnership defines it (the Serious Violence Duty): which records count, how many there
are by year with their rate, change and trend, and the victims and suspects under 25 by age band and sex against
residents of the same ages.

Counts, changes and trends use the report's own tests: the exact conditional Poisson test of this year against
last (`statistics.compare_counts`, screened as one family with Benjamini-Hochberg), the quasi-Poisson log-linear
trend over the complete years (`statistics.poisson_trend`) and exact Poisson intervals for rates
(`statistics.rate_per`). Nothing here is a new test; tests/test_chapter_serious_violence.py simulates them as
this chapter uses them, on small counts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.analysis.data_gaps import always_empty
from pipeline.analysis.flags import age_band
from pipeline.analysis.violence import VIOLENCE
from pipeline.formatting import DETECTABLE, trend_cell
from pipeline.inputs.serious_violence_definition import SeriousViolenceDefinition
from pipeline.methods.disclosure import SUPPRESSED, protect
from pipeline.methods.periods import complete_years
from pipeline.methods.screens import screen_family
from pipeline.methods.statistics import compare_counts, poisson_trend, rate_per
from pipeline.methods.values import Estimate, Proportion

ROBBERY, WEAPONS = "Robbery", "Possession of weapons"
WEAPON_TYPES = (VIOLENCE, ROBBERY)  # a weapon flag makes these weapon-enabled offences; possession is counted apart
FLAGS = {"knife_flag": "Knife-enabled offences", "firearm_flag": "Firearm-enabled offences"}
YOUNG = (16, 24)  # the planted and published focus: young adults
SHOWN_BANDS = ((0, 15, "Under 16"), (16, 17, "16-17"), (18, 24, "18-24"), (25, 200, "25 and over"))
UNDER_25 = 24
SEXES = {"M": "Male", "F": "Female"}
OTHER_SEX = "Other or not recorded"


def offence_codes_in(definition: SeriousViolenceDefinition, offence_codes: pd.DataFrame | None) -> set[str]:
    """The Home Office codes the definition counts: its subgroups' codes (combined codes such as '1/4.1/4.10/4.2'
    split) and its own."""
    codes = {c.strip().upper() for c in definition.offence_codes}
    if offence_codes is not None and not offence_codes.empty and "offence_subgroup" in offence_codes:
        chosen = offence_codes[offence_codes["offence_subgroup"].isin(definition.offence_subgroups)]
        codes |= {part.strip().upper() for code in chosen["offence_code"] for part in str(code).split("/") if part.strip()}
    return codes


def supplied(records: pd.DataFrame | None, column: str) -> bool:
    """Whether the extract carries a column with at least one value (absent or always empty: not supplied)."""
    return records is not None and column in records and not always_empty(records[column])


def classify(records: pd.DataFrame, definition: SeriousViolenceDefinition, codes: set[str]) -> pd.DataFrame:
    """The area's records from the complete years and the assessment year, with `serious`, `knife`, `firearm` and
    `by` (which rule counted the record: 'offence code', 'crime type', 'weapon flag')."""
    rows = records[records["in_area"] & (records["years_back"] >= 0)].copy()
    code = rows["ho_offence_code"].fillna("").astype(str).str.strip().str.upper()
    weapon_type = rows["crime_type"].isin(WEAPON_TYPES)
    rows["knife"] = weapon_type & rows.get("knife_flag", pd.Series("", index=rows.index)).fillna("").eq("Y")
    rows["firearm"] = weapon_type & rows.get("firearm_flag", pd.Series("", index=rows.index)).fillna("").eq("Y")
    by_code = code.isin(codes)
    by_type = code.eq("") & rows["crime_type"].isin(definition.crime_types)
    by_flag = (rows["knife"] | rows["firearm"]) if definition.weapon_enabled else pd.Series(False, index=rows.index)
    rows["serious"] = by_code | by_type | by_flag
    rows["by"] = np.select([by_code, by_type, by_flag], ["offence code", "crime type", "weapon flag"], "")
    return rows


def young(rows: pd.DataFrame, low: int = YOUNG[0], high: int = YOUNG[1]) -> pd.Series:
    """Records whose victim or suspect was aged low to high."""
    ages = [pd.to_numeric(rows[c], errors="coerce") for c in ("victim_age", "suspect_age") if c in rows]
    inside = pd.Series(False, index=rows.index)
    for age in ages:
        inside |= age.between(low, high)
    return inside


def year_labels(frame: pd.DataFrame) -> tuple[list[int], list[str]]:
    """The complete years (and the assessment year), oldest first, as years back and labels."""
    back = sorted(set(complete_years(frame)) | ({0} if (frame["years_back"] == 0).any() else set()), reverse=True)
    labels = frame.drop_duplicates("years_back").set_index("years_back")["year_ending"]
    return back, [str(labels[k]) for k in back]


def yearly_counts(frame: pd.DataFrame, mask: pd.Series | None, back: list[int]) -> list[int]:
    """The rows' counts (those of `mask`, or all) in each of the years back, in the order given."""
    counts = (frame if mask is None else frame.loc[mask])["years_back"].value_counts()
    return [int(counts.get(k, 0)) for k in back]


@dataclass(frozen=True)
class Measure:
    name: str
    source: str
    counts: list[int]  # by year, oldest first
    whole_area: bool = True  # False for a measure of an age group: its residents are in the age table, not here


def measures_table(measures: list[Measure], labels: list[str], residents: int) -> pd.DataFrame:
    """One row per measure: counts by year, this year's rate per 1,000 residents (exact interval; none for a
    measure of an age group), the change on last year with its screen (one family) and the trend over the years."""
    rows, changes = [], []
    for measure in measures:
        counts = measure.counts
        row = {"Measure": measure.name, "Source": measure.source, **dict(zip(labels, counts))}
        rate = rate_per(counts[-1], residents) if residents and measure.whole_area else None
        row["Per 1,000 residents (95% CI)"] = Estimate(*rate, kind="rate") if rate else None
        if len(counts) >= 2:
            change = compare_counts(counts[-1], counts[-2])
            changes.append(change)
            row |= {"Change (offences)": change.change, "Change (%)": change.percent_change}
        trend = poisson_trend(counts) if len(counts) >= 3 else None
        row["Trend"] = trend_cell(trend)
        row["Trend (95% CI)"] = (Estimate(trend.annual_percent, trend.lower, trend.upper, "percent")
                                 if trend is not None else None)
        rows.append(row)
    table = pd.DataFrame(rows)
    if changes and len(changes) == len(rows):
        screens = screen_family(changes)
        table["Beyond natural variation"] = [s.beyond for s in screens]
        table[DETECTABLE] = [s.detectable for s in screens]
    shown = protect(table, labels)
    for column, years in (("Per 1,000 residents (95% CI)", labels[-1:]), ("Change (offences)", labels[-2:]),
                          ("Change (%)", labels[-2:]), ("Trend", labels), ("Trend (95% CI)", labels)):
        # what each reveals: this year's count, the last two, or (a trend fitted to them) every year's
        if column in shown:
            hidden = shown[years].eq(SUPPRESSED).any(axis=1)
            shown.loc[hidden, column] = SUPPRESSED
    return shown


def shown_band(ages: pd.Series) -> pd.Series:
    """The chapter's age bands (SHOWN_BANDS), 'Not recorded' where the age is not."""
    return age_band(ages, SHOWN_BANDS, "Not recorded")


def people(rows: pd.DataFrame, role: str) -> pd.DataFrame:
    """The victims (or suspects) of these records, one row per person: age at their latest record, sex, records.
    A record with no person identifier is one person of its own."""
    ids, age, sex = rows[f"{role}_id"].fillna("").astype(str), rows[f"{role}_age"], rows[f"{role}_sex"].fillna("")
    known = (ids != "") | age.notna() | (sex != "")
    frame = pd.DataFrame({"person": ids.where(ids != "", "record:" + rows["record_id"].astype(str)),
                          "age": pd.to_numeric(age, errors="coerce"), "sex": sex, "order": rows["reported_at"],
                          "lsoa21": rows["lsoa21"], "zone": rows["zone"]})[known]
    frame = frame.sort_values("order")
    grouped = frame.groupby("person", sort=False)
    out = grouped.last()
    out["records"] = grouped.size()
    return out.reset_index()


def age_sex_table(victims: pd.DataFrame, suspects: pd.DataFrame) -> pd.DataFrame:
    """Victims and suspects of serious violence this year, by age band and sex (people, not records)."""
    rows = []
    for role, frame in (("Victims", victims), ("Suspects", suspects)):
        bands, sex = shown_band(frame["age"]), frame["sex"].map(SEXES).fillna(OTHER_SEX)
        for _, _, label in (*SHOWN_BANDS, (0, 0, "Not recorded")):
            inside = bands == label
            row = {"Role": role, "Age band": label}
            row |= {s: int((inside & (sex == s)).sum()) for s in (*SEXES.values(), OTHER_SEX)}
            row["All"] = int(inside.sum())
            rows.append(row)
    table = pd.DataFrame(rows)
    parts = [*SEXES.values(), OTHER_SEX]
    return protect(table, ["All", *parts], row_sums=[("All", parts)], group_column="Role")


def rates_table(victims: pd.DataFrame, suspects: pd.DataFrame, population: pd.DataFrame,
                knife_victims: pd.DataFrame | None = None) -> pd.DataFrame:
    """Victims and suspects per 1,000 residents of the same ages, for each of the population's age bands that
    starts under 25 (bands are the population file's: a victim aged 16 to 29 against residents aged 16 to 29)."""
    bands = population[population["age_low"] <= UNDER_25].groupby(["age_band", "age_low", "age_high"], as_index=False)[
        "population"].sum().sort_values("age_low")
    rows = []
    for band in bands.itertuples():
        row = {"Age band (residents' band)": band.age_band, "Residents": int(band.population)}
        for role, frame in (("Victims", victims), ("Suspects", suspects), ("Knife-enabled victims", knife_victims)):
            if frame is None:
                continue
            count = int(frame["age"].between(band.age_low, band.age_high).sum())
            row[role] = count
            row[f"{role} per 1,000 (95% CI)"] = Estimate(*rate_per(count, band.population), kind="rate")
        rows.append(row)
    roles = ["Victims", "Suspects"] + (["Knife-enabled victims"] if knife_victims is not None else [])
    table = pd.DataFrame(rows, columns=["Age band (residents' band)", "Residents",
                                        *[c for role in roles for c in (role, f"{role} per 1,000 (95% CI)")]])
    shown = protect(table, roles)
    for role in roles:  # a rate reveals its count: hidden with it, never with the other role's
        shown.loc[shown[role] == "[c]", f"{role} per 1,000 (95% CI)"] = "[c]"
    return shown


def repeat_table(victims: pd.DataFrame, suspects: pd.DataFrame) -> pd.DataFrame:
    """People under 25 in two or more serious-violence records this year, as a share of those under 25."""
    rows = []
    for role, frame in (("Victims", victims), ("Suspects", suspects)):
        under = frame[frame["age"] <= UNDER_25]
        rows.append({"Role": f"{role} under 25", "In two or more offences": Proportion(int((under["records"] >= 2).sum()),
                                                                                       len(under))})
    return protect(pd.DataFrame(rows), [])


def collapse_until_safe(frame: pd.DataFrame, places: str, merges: list[tuple[str, str, str]]) -> tuple[pd.DataFrame, list[str]]:
    """A count table (rows: places, columns: age bands) with bands merged, in the order given, while any cell is 1
    to 4; then places merged into 'Rest of the area' while any is. Returns the table and what was collapsed, in
    words. What is still small after both is suppressed by `protect`."""
    table, notes = frame.copy(), []
    for first, second, merged in merges:
        if not ((table > 0) & (table < 5)).to_numpy().any() or first not in table or second not in table:
            continue
        table[merged] = table.pop(first) + table.pop(second)
        table = table[[merged, *[c for c in table.columns if c != merged]]]
        notes.append(f"age bands {first} and {second} merged into {merged}")
    small = ((table > 0) & (table < 5)).any(axis=1)
    rest = [p for p in table.index[small] if p != places]
    if rest:
        table.loc[places] = table.loc[[*rest, *([places] if places in table.index else [])]].sum()
        table = table.drop(index=rest)
        notes.append(f"{len(rest)} place{'s' if len(rest) > 1 else ''} with counts under 5 merged into '{places}'")
    return table, notes

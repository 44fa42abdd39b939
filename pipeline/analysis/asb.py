"""Anti-social behaviour: rates per 1,000 residents by ward, the long-term trend and whether it has levelled
off, the partner cases by source and national category, street-based ASB, vulnerable and repeat victims, and
repeat perpetrators.

Two sources, each for what it can say. data.police.uk's "Anti-social behaviour" rows are the police-recorded
incidents, with a place: rates, wards, the trend and the map. The partner extract asb_cases (police, council,
housing) carries the source, the national category, street-based and vulnerable-victim flags and pseudonymous
victims and perpetrators: the shift between sources, street-based ASB and repeats. A share is over the cases
where its flag was recorded (empty = not recorded, not "no").
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.analysis.flags import recorded_share
from pipeline.inputs.config import AssessmentConfig
from pipeline.formatting import DETECTABLE
from pipeline.methods.screens import screen_family
from pipeline.methods.disclosure import protect
from pipeline.methods.periods import by_assessment_year
from pipeline.methods.plateau import SlopeChange, slope_change
from pipeline.methods.statistics import compare_counts, rate_per
from pipeline.methods.values import Interval, Proportion

ASB = "Anti-social behaviour"
SOURCES = ("police", "council", "housing")
CATEGORIES = ("personal", "nuisance", "environmental")
FLAGS = {"alcohol_flag": "Alcohol", "drugs_flag": "Drugs", "mental_health_flag": "Mental health"}


def incidents(crimes: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """The area's police-recorded ASB incidents (data.police.uk)."""
    return crimes[crimes["district_code"].isin(config.area_codes) & (crimes["crime_type"] == ASB)]


def monthly(rows: pd.DataFrame, months: list[str]) -> pd.Series:
    """Rows per month over the given months (YYYY-MM), zeros kept, indexed by monthly Periods."""
    counts = rows.groupby("month").size().reindex(months, fill_value=0)
    return pd.Series(counts.to_numpy(), index=pd.PeriodIndex(months, freq="M"))


def police_uk_months(crimes: pd.DataFrame, period_end: pd.Period) -> list[str]:
    """Every month the police.uk files cover, up to the period end."""
    return sorted(m for m in crimes["month"].unique() if pd.Period(m, "M") <= period_end)


def case_months(cases: pd.DataFrame, period_end: pd.Period) -> list[str]:
    """Every month from the partner cases' first to the period end."""
    return [str(m) for m in pd.period_range(pd.Period(cases["month"].min(), "M"), period_end, freq="M")]


def trend(series: pd.Series) -> SlopeChange | None:
    return slope_change(series) if len(series) else None


def ward_rates(rows: pd.DataFrame, geography: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """Incidents per 1,000 residents (2021 Census) for the area and each ward, this year and last, with exact
    (Garwood) intervals and the exact test of the change; wards ordered by this year's rate."""
    area = geography[geography["district_code"].isin(config.area_codes)]
    population = area.groupby("ward_name")["population_2021"].sum()
    this, last = rows[rows["years_back"] == 0], rows[rows["years_back"] == 1]
    units = [(config.area_name, this, last, float(population.sum()))]
    units += [(ward, this[this["ward_name"] == ward], last[last["ward_name"] == ward], float(population[ward]))
              for ward in population.index]
    out, changes = [], []
    has_last_year = bool((rows["years_back"] >= 1).any())
    for name, now, before, residents in units:
        rate, low, high = rate_per(len(now), residents)
        row = {"Area": name, "Residents": round(residents), "This year": len(now),
               "Per 1,000": rate, "Per 1,000 (95% CI)": Interval(low, high, "rate")}
        if has_last_year:
            change = compare_counts(len(now), len(before))
            row |= {"Last year": len(before), "Change": change.change, "Change (%)": change.percent_change}
            changes.append(change)
        out.append(row)
    if has_last_year:  # the area is one test; its wards are a family (methods.screens)
        for row, screen in zip(out, screen_family(changes[:1]) + screen_family(changes[1:])):
            row |= {"Beyond natural variation (wards: FDR 5%)": screen.beyond, DETECTABLE: screen.detectable}
    table = pd.DataFrame(out)
    table = pd.concat([table.iloc[:1], table.iloc[1:].sort_values("Per 1,000", ascending=False)], ignore_index=True)
    table.attrs["kinds"] = {"Per 1,000": "rate", "Residents": "count"}
    return protect(table, ["This year", "Last year"], ["Per 1,000", "Per 1,000 (95% CI)", "Change", "Change (%)",
                                                       "Beyond natural variation (wards: FDR 5%)", DETECTABLE])


def lsoa_rates(rows: pd.DataFrame, geography: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """This year's incidents per 1,000 residents by LSOA, for the map."""
    area = geography[geography["district_code"].isin(config.area_codes)].set_index("lsoa21")
    counts = rows[rows["years_back"] == 0].groupby("lsoa21").size().reindex(area.index, fill_value=0)
    return pd.DataFrame({"lsoa21": area.index, "count": counts.to_numpy(),
                         "per_1000": counts.to_numpy() / area["population_2021"].to_numpy() * 1000,
                         "longitude": area["longitude"].to_numpy(), "latitude": area["latitude"].to_numpy()})


def by_year(cases: pd.DataFrame, column: str, levels: tuple[str, ...]) -> pd.DataFrame:
    """Partner cases per assessment year by source or category, with each level's share of the year."""
    rows = []
    for year, group in by_assessment_year(cases):
        row = group[column].value_counts().reindex(list(levels), fill_value=0)
        total = int(row.sum())
        entry = {"Year": year, "Cases": total}
        for level in levels:
            entry[level.capitalize()] = int(row[level])
            entry[f"{level.capitalize()} (%)"] = 100 * row[level] / total if total else np.nan
        rows.append(entry)
    table = pd.DataFrame(rows)
    shown = [level.capitalize() for level in levels]
    return protect(table, ["Cases", *shown], [f"{s} (%)" for s in shown], row_sums=[("Cases", shown)])


def street_based(cases: pd.DataFrame) -> pd.DataFrame:
    """Street-based cases per assessment year and their share of cases where the flag was recorded (Wilson interval)."""
    rows = []
    for year, group in by_assessment_year(cases):
        share = recorded_share(group["street_based"])
        rows.append({"Year": year, "Street-based cases": share.k, "Cases with the flag recorded": share.n,
                     "Share of recorded": share})
    return protect(pd.DataFrame(rows), ["Street-based cases", "Cases with the flag recorded"], ["Share of recorded"])


def street_places(cases: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    """Where street-based ASB was in the latest year: wards (and zones) by case count."""
    latest = cases[(cases["years_back"] == 0) & (cases["street_based"] == "Y")]
    counts = latest.groupby(["ward_name", "zone"]).size().sort_values(ascending=False).head(top)
    table = pd.DataFrame({"Ward": [w for w, _ in counts.index], "Zone": [z or "-" for _, z in counts.index],
                          "Street-based cases": counts.to_numpy()})
    return protect(table, ["Street-based cases"])


def repeats(cases: pd.DataFrame, column: str) -> pd.Series:
    """Case counts per person (victim or perpetrator) in the latest 12 months; people with a known id."""
    latest = cases[(cases["years_back"] == 0) & (cases[column] != "")]
    return latest.groupby(column).size()


def victim_table(cases: pd.DataFrame) -> pd.DataFrame:
    """Cases of repeat victims (two or more cases in the latest 12 months), of vulnerable victims and of the rest,
    with the share of each group's cases whose perpetrator carried each flag (Wilson intervals)."""
    latest = cases[cases["years_back"] == 0]
    per_victim = repeats(cases, "victim_id")
    repeat_ids = set(per_victim[per_victim >= 2].index)
    groups = {"Repeat victims' cases": latest["victim_id"].isin(repeat_ids),
              "Vulnerable victims' cases": latest["vulnerable_victim"] == "Y",
              "Other cases with a known victim": (latest["victim_id"] != "") & ~latest["victim_id"].isin(repeat_ids)
              & (latest["vulnerable_victim"] != "Y")}
    rows = []
    for name, mask in groups.items():
        group = latest[mask]
        people = group["victim_id"].replace("", np.nan).nunique()
        row = {"Group": name, "Cases": len(group), "Victims": people}
        for column, label in FLAGS.items():
            row[f"{label} flag"] = recorded_share(group[column])
        rows.append(row)
    return protect(pd.DataFrame(rows), ["Cases", "Victims"], [f"{label} flag" for label in FLAGS.values()])


def perpetrator_summary(cases: pd.DataFrame) -> dict:
    """Repeat perpetrators in the latest 12 months: how many, and the share of cases with a known perpetrator
    that are theirs."""
    per_person = repeats(cases, "perpetrator_id")
    repeat = per_person[per_person >= 2]
    known = int(per_person.sum())
    share = Proportion(int(repeat.sum()), known)
    return {"perpetrators": int(len(per_person)), "repeat": int(len(repeat)), "their_cases": int(repeat.sum()),
            "known_cases": known, "share": share}

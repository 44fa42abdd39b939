"""Domestic abuse: the rate of domestic-flagged police crimes and incidents against the county's other districts
(funnel plot, exact Poisson limits, rank), repeat victims, domestic abuse's share of violence, and the
alcohol, drugs and mental-health flags in domestic violence against other violence.

Recorded domestic abuse is a fraction of what people experience: the under-reporting context quotes the Crime
Survey for England and Wales (UNDER_REPORTING). A rise in recorded domestic abuse may be more reporting or better
flagging rather than more abuse; the chapter shows the flag's completeness beside the counts for that reason.
"""
from __future__ import annotations

import pandas as pd

from pipeline.analysis.flags import recorded_share
from pipeline.inputs.config import AssessmentConfig
from pipeline.methods.disclosure import protect
from pipeline.methods.periods import by_assessment_year
from pipeline.methods.funnel import funnel
from pipeline.methods.statistics import CountComparison, compare_counts, rate_per
from pipeline.methods.values import Interval, Proportion

VIOLENCE = "Violence and sexual offences"
FLAGS = {"alcohol_flag": "Alcohol", "drugs_flag": "Drugs", "mental_health_flag": "Mental health"}
UNDER_REPORTING = (
    "The Crime Survey for England and Wales estimated that 2.3 million people aged 16 and over experienced domestic "
    "abuse in the year ending March 2024, while the police recorded 851,062 domestic abuse-related crimes in the same "
    "year (ONS, Domestic abuse in England and Wales overview: November 2024). Recorded counts are a fraction of "
    "prevalence; a rise in recording can mean more reporting or better flagging, not more abuse.")


def latest_year(records: pd.DataFrame) -> pd.DataFrame:
    return records[records["years_back"] == 0]


def year_on_year(area_records: pd.DataFrame) -> CountComparison | None:
    """Domestic-flagged records in the partnership, the latest 12 months against the 12 before (exact conditional
    test, pipeline.methods.statistics.compare_counts); None when the extract has no record from the year before."""
    if not (area_records["years_back"] == 1).any():
        return None
    flagged = area_records[area_records["domestic_flag"] == "Y"]
    return compare_counts(int((flagged["years_back"] == 0).sum()), int((flagged["years_back"] == 1).sum()))


def district_rates(records: pd.DataFrame, denominators: pd.DataFrame,
                   config: AssessmentConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Domestic-flagged records in the latest 12 months per 1,000 residents for the partnership and each comparison
    district the extract covers, with exact intervals, funnel limits around the county rate and the rank (1 =
    highest). A district with no record at all in the year is not in the extract and is left out. Returns the
    published table and the funnel points (for the chart)."""
    latest = latest_year(records)
    codes = list(config.area_codes) + [c for c in config.comparison_districts if c not in config.area_codes]
    names = denominators.set_index("district_code")
    rows = []
    for code in codes:
        in_district = latest[latest["district_code"] == code]
        if in_district.empty:
            continue
        flagged = int((in_district["domestic_flag"] == "Y").sum())
        population = float(names.at[code, "population_2021"])
        rate, low, high = rate_per(flagged, population)
        rows.append({"District": names.at[code, "district_name"], "code": code, "Residents": round(population),
                     "Domestic-flagged records": flagged, "Per 1,000": rate, "Per 1,000 (95% CI)": Interval(low, high, "rate"),
                     "Flag recorded on": Proportion(int(in_district["domestic_flag"].ne("").sum()), len(in_district))})
    table = pd.DataFrame(rows)
    if table.empty:
        return table, pd.DataFrame()
    limits = funnel(table["Domestic-flagged records"].to_numpy(), table["Residents"].to_numpy())
    table["Rank in the county"] = table["Per 1,000"].rank(ascending=False, method="min").astype(int)
    table["Against the county rate"] = limits["position"].to_numpy()
    points = limits.assign(district=table["District"].to_numpy(), partnership=table["code"].isin(config.area_codes).to_numpy())
    table.attrs["kinds"] = {"Per 1,000": "rate", "Residents": "count", "Rank in the county": "count"}
    return protect(table.drop(columns="code"), ["Domestic-flagged records"], ["Per 1,000", "Per 1,000 (95% CI)"]), points


def repeat_victims(records: pd.DataFrame) -> dict:
    """Victims of domestic-flagged records in the latest 12 months with two or more such records."""
    domestic = latest_year(records)
    domestic = domestic[(domestic["domestic_flag"] == "Y") & (domestic["victim_id"] != "")]
    per_victim = domestic.groupby("victim_id").size()
    repeat = per_victim[per_victim >= 2]
    return {"records": int(len(domestic)), "victims": int(len(per_victim)),
            "repeat": Proportion(int(len(repeat)), int(len(per_victim))),
            "their_records": Proportion(int(repeat.sum()), int(len(domestic)))}


def share_of_violence(records: pd.DataFrame) -> pd.DataFrame:
    """Domestic abuse's share of violent records per assessment year, over records with the flag recorded, beside
    the flag's completeness: a rising share with rising completeness may be recording, not abuse."""
    violence = records[(records["crime_type"] == VIOLENCE) & (records["years_back"] >= 0)]
    rows = []
    for year, group in by_assessment_year(violence):
        share = recorded_share(group["domestic_flag"])
        rows.append({"Year": year, "Violent records": len(group), "Domestic share of recorded": share,
                     "Flag recorded (%)": 100 * share.n / len(group) if len(group) else float("nan")})
    table = pd.DataFrame(rows)
    return protect(table, ["Violent records"], ["Domestic share of recorded"]) if not table.empty else table


def flags_against_other_violence(records: pd.DataFrame) -> pd.DataFrame:
    """Alcohol, drugs and mental-health flags in domestic violence against other violence, latest 12 months."""
    violence = latest_year(records)
    violence = violence[violence["crime_type"] == VIOLENCE]
    groups = {"Domestic violence": violence[violence["domestic_flag"] == "Y"],
              "Other violence": violence[violence["domestic_flag"] == "N"]}
    rows = [{"Group": name, "Records": len(group), **{label: recorded_share(group[column]) for column, label in FLAGS.items()}}
            for name, group in groups.items()]
    return protect(pd.DataFrame(rows), ["Records"], list(FLAGS.values()))

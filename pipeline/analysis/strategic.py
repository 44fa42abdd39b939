"""The strategic priority: how mental health, alcohol and drug misuse bear on violence and ASB, for
victims and perpetrators: repeat people, the association family, direct and proxy alcohol measures,
client groups and service activity. Flags are recorded, not diagnosed (pipeline.analysis.flags).
"""
from __future__ import annotations

import pandas as pd

from pipeline.analysis.flags import FLAGS, FlagFrame, flag_shares, in_night_time_economy
from pipeline.inputs.config import NightTimeEconomy
from pipeline.methods.disclosure import protect
from pipeline.formatting import DETECTABLE
from pipeline.methods.screens import screen_family
from pipeline.methods.statistics import compare_counts
from pipeline.methods.values import Estimate, Proportion


# ---------------------------------------------------------------- 3. victims and perpetrators
def repeat_table(records: pd.DataFrame | None, person_column: str, role: str) -> pd.DataFrame:
    """People with two or more records in the year against those with one: how many, and the share of their
    records flagged (over records with the flag recorded). Record by record, not 'any record flagged': a person
    with more records has more chances to carry a flag, so that comparison finds associations where there are
    none (see analysis.family for the test)."""
    if records is None or records.empty:
        return pd.DataFrame()
    person = records[person_column].fillna("")
    records = records[person.ne("")]
    counts = records[person_column].map(records[person_column].value_counts())
    frame = FlagFrame.of(records).frame
    rows = []
    for repeat, label in ((True, "two or more records"), (False, "one record")):
        group = frame[(counts >= 2) == repeat]
        rows.append({"People": role, "Group": label, "Number": int(group[person_column].nunique()), **flag_shares(group)})
    return protect(pd.DataFrame(rows), ["Number"])


# ---------------------------------------------------------------- 5. direct and proxy measures
def alcohol_measures(violence: pd.DataFrame, licensed_zones: list[str], nte: NightTimeEconomy, years: list[str]) -> pd.DataFrame:
    """Per year: alcohol-flagged violence (direct) beside violence in licensed-premises zones in night-time-economy
    hours (proxy), and how far the two overlap."""
    rows = []
    night = in_night_time_economy(violence, nte)
    licensed = violence["zone"].isin(licensed_zones) if "zone" in violence else pd.Series(False, index=violence.index)
    for year in years:
        in_year = violence["year_ending"] == year
        direct = in_year & (violence["alcohol_flag"] == "Y")
        proxy = in_year & night & licensed
        rows.append({"Year": year, "Violence": int(in_year.sum()),
                     "Alcohol-flagged (direct)": int(direct.sum()),
                     "Licensed zones at night (proxy)": int(proxy.sum()),
                     "Both": int((direct & proxy).sum()),
                     "Proxy records that are alcohol-flagged": Proportion(int((direct & proxy).sum()), int(proxy.sum()))})
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
        rows.append({"Year": year, "A&E assaults, had drunk alcohol": hospital,
                     "Police violence, alcohol-flagged": police,
                     "Under-recording index": Estimate(test.rate_ratio, test.ratio_lower, test.ratio_upper)
                     if police else None})
    return protect(pd.DataFrame(rows), ["A&E assaults, had drunk alcohol", "Police violence, alcohol-flagged"],
                   ["Under-recording index"])


def monthly_alcohol_series(violence: pd.DataFrame, ae: pd.DataFrame | None, licensed_zones: list[str],
                           nte: NightTimeEconomy) -> pd.DataFrame:
    """Long monthly series for the chart: direct, proxy and (where supplied) A&E alcohol counts."""
    current = violence[violence["years_back"] >= 0]
    night = in_night_time_economy(current, nte)
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
            note = f"{len(members):,} cohort members; {linked['suspect_id'].nunique():,} found as suspects"
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
    return protect(pd.DataFrame(rows), [])


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
        table["Latest change"] = [c.change for c in changes]
        table["Latest change (%)"] = [c.percent_change for c in changes]
        screens = screen_family(changes)  # the measures are one family (methods.screens)
        table["Beyond natural variation"] = [s.beyond for s in screens]
        table[DETECTABLE] = [s.detectable for s in screens]
    return protect(table, list(years), ["Latest change", "Latest change (%)", "Beyond natural variation", DETECTABLE])


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



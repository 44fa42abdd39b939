"""Crime overview: levels, year-on-year change screened for natural variation, rates, shares and
long-term trends by crime type, for the partnership area."""
from __future__ import annotations

import math

import pandas as pd

from pipeline.methods.disclosure import protect
from pipeline.methods.periods import CURRENT, PREVIOUS
from pipeline.methods.statistics import (compare_counts, describe_change, describe_trend, poisson_trend, rate_per,
                         volume_band)

ALL_CRIME = "All crime (excluding ASB)"
ASB = "Anti-social behaviour"
HOUSEHOLD_RATE_TYPES = {"Burglary"}


def area_rows(crimes: pd.DataFrame, area_codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    return crimes[crimes["district_code"].isin(list(area_codes))]


def complete_years(crimes: pd.DataFrame) -> list[int]:
    """Years back (0 = current) for which all twelve months are present in the data."""
    months = crimes.loc[crimes["years_back"] >= 0].groupby("years_back")["month"].nunique()
    return sorted(int(k) for k, n in months.items() if n == 12)


def annual_counts(crimes: pd.DataFrame) -> pd.DataFrame:
    """Counts by crime type (rows, plus the all-crime total) and complete rolling year (columns, oldest first)."""
    years = complete_years(crimes)
    table = (crimes[crimes["years_back"].isin(years)]
             .pivot_table(index="crime_type", columns="years_back", values="month", aggfunc="size", fill_value=0))
    table = table.reindex(columns=sorted(years, reverse=True), fill_value=0)
    total = table.drop(index=[ASB], errors="ignore").sum().rename(ALL_CRIME)
    table = pd.concat([total.to_frame().T, table])
    labels = crimes.drop_duplicates("years_back").set_index("years_back")["year_ending"]
    table.columns = [labels[k] for k in table.columns]
    return table.astype("int64")


def overview_table(crimes: pd.DataFrame, denominators: pd.DataFrame, area_codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """One row per crime type: this year, last year, change (offences and %), the exact test,
    rate per 1,000 residents (households for burglary), share of all crime and long-term trend."""
    area = area_rows(crimes, area_codes)
    counts = annual_counts(area)
    labels = list(counts.columns)
    current_label = area.loc[area["assessment_period"] == CURRENT, "year_ending"].iloc[0] if (area["assessment_period"] == CURRENT).any() else None
    previous_label = area.loc[area["assessment_period"] == PREVIOUS, "year_ending"].iloc[0] if (area["assessment_period"] == PREVIOUS).any() else None
    has_current = current_label in labels
    has_previous = previous_label in labels
    dens = denominators[denominators["district_code"].isin(list(area_codes))]
    residents, households = float(dens["population_2021"].sum()), float(dens["households_2011"].sum())
    rows = []
    total_current = int(counts.loc[ALL_CRIME, current_label]) if has_current else 0
    for crime_type, series in counts.iterrows():
        current = int(series[current_label]) if has_current else None
        previous = int(series[previous_label]) if has_previous else None
        row = {"Crime type": crime_type, "This year": current, "Last year": previous}
        if current is not None and previous is not None:
            test = compare_counts(current, previous)
            row.update({"Change (offences)": test.change,
                        "Change (%)": None if math.isnan(test.percent_change) else round(test.percent_change, 1),
                        "Year trend": describe_change(test.change, test.percent_change),
                        "p-value": round(test.p_value, 4),
                        "Beyond natural variation": ("too few to tell" if test.too_small
                                                     else ("yes" if test.significant else "no"))})
        else:
            row.update({"Change (offences)": None, "Change (%)": None,
                        "Year trend": "No comparison: the previous year is not in the data",
                        "p-value": None, "Beyond natural variation": "n/a"})
        if current is not None:
            per_households = crime_type in HOUSEHOLD_RATE_TYPES
            rate, low, high = rate_per(current, households if per_households else residents)
            share = (current / total_current * 100) if (total_current and crime_type not in (ALL_CRIME, ASB)) else math.nan
            row.update({"Rate per 1,000": round(rate, 2), "Rate 95% CI": f"{low:.2f} to {high:.2f}",
                        "Rate denominator": "households (Census 2011)" if per_households else "residents (Census 2021)",
                        "Share of all crime (%)": None if math.isnan(share) else round(share, 1)})
        trend = poisson_trend(series.to_numpy())
        comment = describe_trend(trend, len(labels))
        if current is not None and crime_type not in (ALL_CRIME, ASB) and total_current:
            comment += f"; {volume_band(current / total_current * 100).lower()}"
        row["Long-term trend"] = comment
        rows.append(row)
    return pd.DataFrame(rows)


def published_overview(table: pd.DataFrame) -> pd.DataFrame:
    """The overview table with disclosure control: small counts, what derives from them, and a partner
    cell wherever the all-crime total would give a suppressed count away."""
    return protect(table.drop(columns=["Rate denominator"]), ["This year", "Last year"],
                   ["Change (offences)", "Change (%)", "Year trend", "p-value", "Beyond natural variation", "Rate per 1,000",
                    "Rate 95% CI", "Share of all crime (%)"], total_row=("Crime type", ALL_CRIME, [ASB]))


def monthly_counts(crimes: pd.DataFrame, area_codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Long table: month (timestamp), crime type, count; includes zero months."""
    area = area_rows(crimes, area_codes)
    area = area[area["years_back"] >= 0]
    table = area.pivot_table(index="month", columns="crime_type", aggfunc="size", fill_value=0)
    table[ALL_CRIME] = table.drop(columns=[ASB], errors="ignore").sum(axis=1)
    long = table.reset_index().melt(id_vars="month", var_name="crime_type", value_name="count")
    long["month"] = pd.PeriodIndex(long["month"], freq="M").to_timestamp()
    return long


def headline_facts(table: pd.DataFrame) -> dict[str, object]:
    """The figures the chapter's opening sentences quote, taken from the overview table."""
    total = table.set_index("Crime type").loc[ALL_CRIME]
    facts = {"this_year": total["This year"], "last_year": total["Last year"], "year_trend": total["Year trend"],
             "long_term": total["Long-term trend"], "rate": total.get("Rate per 1,000")}
    changed = table[(table["Beyond natural variation"] == "yes") & (table["Crime type"] != ALL_CRIME)]
    facts["significant_rises"] = changed.loc[changed["Change (offences)"] > 0, "Crime type"].tolist()
    facts["significant_falls"] = changed.loc[changed["Change (offences)"] < 0, "Crime type"].tolist()
    return facts


def headline_text(facts: dict[str, object], area_name: str) -> str:
    """Opening paragraph, every number taken from `facts`."""
    if facts["this_year"] is None:
        return f"No complete twelve months of police.uk data for {area_name}."
    text = (f"{area_name} recorded {facts['this_year']:,} crimes (excluding anti-social behaviour) in the latest "
            f"twelve months, {facts['rate']:.1f} per 1,000 residents.")
    if facts["last_year"] is not None and not pd.isna(facts["last_year"]):
        text += f" Against the previous twelve months: {facts['year_trend']}."
    else:
        text += " The previous twelve months are not in the data, so no year-on-year change is shown."
    text += f" {facts['long_term']}."
    if facts["significant_rises"]:
        text += " Rises beyond natural variation: " + ", ".join(facts["significant_rises"]) + "."
    if facts["significant_falls"]:
        text += " Falls beyond natural variation: " + ", ".join(facts["significant_falls"]) + "."
    if facts["last_year"] is not None and not pd.isna(facts["last_year"]) and not facts["significant_rises"] and not facts["significant_falls"]:
        text += " No crime type changed by more than natural variation."
    return text


def district_comparison(crimes: pd.DataFrame, denominators: pd.DataFrame, area_codes: list[str] | tuple[str, ...],
                        comparison_codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Crime (excluding ASB) and ASB per 1,000 residents in the latest twelve months: the partnership
    against each comparison district, with exact intervals and the rate ratio's exact test
    (conditional binomial with the two populations as exposures)."""
    current = crimes[crimes["assessment_period"] == CURRENT]
    dens = denominators.set_index("district_code")
    codes = [c for c in (*area_codes, *comparison_codes) if c in dens.index]
    counts = {code: current[current["district_code"] == code] for code in codes}
    area_crime = sum(int((counts[c]["crime_type"] != ASB).sum()) for c in area_codes if c in counts)
    area_population = float(sum(dens.loc[c, "population_2021"] for c in area_codes if c in dens.index))
    rows = []
    for code in codes:
        rows_here = counts[code]
        if code not in area_codes and rows_here.empty:
            continue
        crime, asb = int((rows_here["crime_type"] != ASB).sum()), int((rows_here["crime_type"] == ASB).sum())
        population = float(dens.loc[code, "population_2021"])
        rate, low, high = rate_per(crime, population)
        row = {"District": dens.loc[code, "district_name"], "Role": "partnership" if code in area_codes else "comparison",
               "Residents (2021)": int(population), "Crimes (excl. ASB)": crime, "Crime rate per 1,000": round(rate, 1),
               "Crime rate 95% CI": f"{low:.1f} to {high:.1f}", "ASB incidents": asb,
               "ASB rate per 1,000": round(asb / population * 1000, 1)}
        if code not in area_codes:
            test = compare_counts(area_crime, crime, area_population, population)
            row["Partnership rate vs this district"] = (f"{test.rate_ratio:.2f} times (95% CI {test.ratio_lower:.2f} to "
                                                        f"{test.ratio_upper:.2f})")
        rows.append(row)
    table = pd.DataFrame(rows)
    if (table["Role"] == "comparison").sum() == 0:
        return table.iloc[0:0]
    return protect(table, ["Crimes (excl. ASB)", "ASB incidents"], ["Crime rate per 1,000", "Crime rate 95% CI",
                                                                    "ASB rate per 1,000", "Partnership rate vs this district"])

"""Crime overview: levels, year-on-year change screened for natural variation, rates, shares and
long-term trends by crime type, for the partnership area."""
from __future__ import annotations

import pandas as pd

from pipeline.methods.disclosure import protect
from pipeline.methods.periods import CURRENT, PREVIOUS, complete_years
from pipeline.formatting import DETECTABLE, trend_label, volume_band
from pipeline.methods.screens import screen_family
from pipeline.methods.statistics import CountComparison, compare_counts, poisson_trend, rate_per
from pipeline.methods.values import Estimate, Interval

ALL_CRIME = "All crime (excluding ASB)"
ASB = "Anti-social behaviour"
HOUSEHOLD_RATE_TYPES = {"Burglary"}
DETECTABLE_TREND = "Smallest trend detectable a year (80% power)"


def area_rows(crimes: pd.DataFrame, area_codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    return crimes[crimes["district_code"].isin(list(area_codes))]


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
    """One row per crime type, in numbers: this year, last year, change (offences and %), the exact test,
    rate per 1,000 residents (households for burglary) with its exact interval, share of all crime, volume
    band and the long-term trend (annual change with its interval). Empty when the latest twelve months are
    not complete in the data."""
    area = area_rows(crimes, area_codes)
    counts = annual_counts(area)
    labels = list(counts.columns)
    current_label, previous_label = (_label(area, role) for role in (CURRENT, PREVIOUS))
    if current_label not in labels:
        return pd.DataFrame()
    has_previous = previous_label in labels
    dens = denominators[denominators["district_code"].isin(list(area_codes))]
    residents, households = float(dens["population_2021"].sum()), float(dens["households_2011"].sum())
    rows = []
    total_current = int(counts.loc[ALL_CRIME, current_label])
    for crime_type, series in counts.iterrows():
        current = int(series[current_label])
        previous = int(series[previous_label]) if has_previous else None
        row = {"Crime type": crime_type, "This year": current, "Last year": previous}
        if previous is not None:
            test = compare_counts(current, previous)
            row.update({"Change (offences)": test.change, "Change (%)": test.percent_change, "p-value": test.p_value,
                        "q-value": None, "Beyond natural variation": "", DETECTABLE: test})
        else:
            row.update({"Change (offences)": None, "Change (%)": None, "p-value": None, "q-value": None,
                        "Beyond natural variation": "no previous year in the data", DETECTABLE: None})
        per_households = crime_type in HOUSEHOLD_RATE_TYPES
        rate, low, high = rate_per(current, households if per_households else residents)
        is_crime_type = crime_type not in (ALL_CRIME, ASB)
        share = current / total_current * 100 if (total_current and is_crime_type) else None
        row.update({"Rate per 1,000": rate, "Rate 95% CI": Interval(low, high, "rate"),
                    "Rate denominator": "households (Census 2011)" if per_households else "residents (Census 2021)",
                    "Share of all crime (%)": share, "Volume": volume_band(share) if share is not None else None})
        trend = poisson_trend(series.to_numpy())
        row.update({"Long-term trend": trend_label(trend), "Trend years": len(labels),
                    "Long-term change a year (%)": None if trend is None else
                    Estimate(trend.annual_percent, trend.lower, trend.upper, "percent"),
                    DETECTABLE_TREND: trend.detectable() if trend_label(trend) == "no clear trend" else None})
        rows.append(row)
    return screen_changes(pd.DataFrame(rows))


def screen_changes(table: pd.DataFrame) -> pd.DataFrame:
    """'Beyond natural variation' for the year-on-year changes (methods.screens): the crime types (ASB included)
    are one family of tests held at a 5% false discovery rate; the all-crime total is a test of its own."""
    if "q-value" not in table:
        return table
    compared = table[DETECTABLE].map(lambda value: isinstance(value, CountComparison))
    for family in (compared & table["Crime type"].ne(ALL_CRIME), compared & table["Crime type"].eq(ALL_CRIME)):
        screens = screen_family(list(table.loc[family, DETECTABLE]))
        table.loc[family, "q-value"] = [s.q_value for s in screens]
        table.loc[family, "Beyond natural variation"] = [s.beyond for s in screens]
        table.loc[family, DETECTABLE] = pd.Series([s.detectable for s in screens], index=table.index[family], dtype=object)
    return table


def _label(area: pd.DataFrame, role: str) -> str | None:
    rows = area.loc[area["assessment_period"] == role, "year_ending"]
    return rows.iloc[0] if len(rows) else None


def published_overview(table: pd.DataFrame) -> pd.DataFrame:
    """The overview table with disclosure control: small counts, what derives from them, and a partner
    cell wherever the all-crime total would give a suppressed count away."""
    return protect(table.drop(columns=["Rate denominator", "Trend years"]), ["This year", "Last year"],
                   ["Change (offences)", "Change (%)", "p-value", "q-value", "Beyond natural variation", DETECTABLE,
                    "Rate per 1,000", "Rate 95% CI", "Share of all crime (%)", "Volume", "Long-term trend",
                    "Long-term change a year (%)", DETECTABLE_TREND],
                   total_row=("Crime type", ALL_CRIME, [ASB]))


def monthly_counts(crimes: pd.DataFrame, area_codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Long table: month (timestamp), crime type, count; includes zero months."""
    area = area_rows(crimes, area_codes)
    area = area[area["years_back"] >= 0]
    table = area.pivot_table(index="month", columns="crime_type", aggfunc="size", fill_value=0)
    table[ALL_CRIME] = table.drop(columns=[ASB], errors="ignore").sum(axis=1)
    long = table.reset_index().melt(id_vars="month", var_name="crime_type", value_name="count")
    long["month"] = pd.PeriodIndex(long["month"], freq="M").to_timestamp()
    return long


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
               "Residents (2021)": int(population), "Crimes (excl. ASB)": crime, "Crime rate per 1,000": rate,
               "Crime rate 95% CI": Interval(low, high, "rate"), "ASB incidents": asb,
               "ASB rate per 1,000": asb / population * 1000, "Partnership rate ÷ district rate (95% CI)": None}
        if code not in area_codes:
            test = compare_counts(area_crime, crime, area_population, population)
            row["Partnership rate ÷ district rate (95% CI)"] = Estimate(test.rate_ratio, test.ratio_lower, test.ratio_upper)
        rows.append(row)
    table = pd.DataFrame(rows)
    if (table["Role"] == "comparison").sum() == 0:
        return table.iloc[0:0]
    return protect(table, ["Crimes (excl. ASB)", "ASB incidents"], ["Crime rate per 1,000", "Crime rate 95% CI",
                                                                    "ASB rate per 1,000", "Partnership rate ÷ district rate (95% CI)"])

"""Harm beside volume: police-recorded crime weighed by a harm weighting (pipeline.inputs.harm_weights).

Each crime type's harm is its count times its weight, so a type's change in harm is its change in count times a
constant: the count's own exact test (and its place in the crime types' false-discovery family) screens it. The
total harm of all weighted types is a weighted sum of Poisson counts: its interval is Dobson's and its change the
weighted normal test (pipeline.methods.weighted_poisson). Harm per 1,000 residents is compared with each
comparison district by the same test on rates, the districts one family held at a 5% false discovery rate
(Benjamini-Hochberg).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from pipeline.analysis.overview import ALL_CRIME, ASB
from pipeline.inputs.harm_weights import normalise_type
from pipeline.methods.disclosure import protect
from pipeline.methods.periods import CURRENT
from pipeline.methods.values import Interval
from pipeline.methods.weighted_poisson import compare_weighted, weighted_total

ALL_HARM = "All weighted crime"
HARM_COUNTS = ["Crimes this year", "Crimes last year"]
HARM_DERIVED = ["Weight", "Harm this year", "Harm last year", "Change in harm", "Change (%)", "Share of harm (%)",
                "Share of crime (%)", "Beyond natural variation", "Rank by harm", "Rank by count", "Harm 95% CI"]


COLUMNS = ["Crime type", "Crimes this year", "Weight", "Harm this year", "Harm 95% CI", "Share of crime (%)",
           "Share of harm (%)", "Rank by count", "Rank by harm", "Crimes last year", "Harm last year", "Change in harm",
           "Change (%)", "p-value", "Beyond natural variation"]


def type_weights(weights: pd.DataFrame | None) -> dict[str, float]:
    """crime type (lower case) -> weight, from the processed table harm_weights_by_type."""
    if weights is None or weights.empty:
        return {}
    return dict(zip(weights["crime_type"].map(normalise_type), weights["weight"].astype(float)))


def harm_table(overview_table: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """One row per weighted crime type (numbers, before disclosure control), ordered by harm, and a first row for
    all weighted crime. `overview_table`: pipeline.analysis.overview.overview_table (its counts and screens).
    Crime types the weighting does not cover are left out and listed in attrs['unweighted']."""
    rows = overview_table[~overview_table["Crime type"].isin([ALL_CRIME, ASB])]
    weighted = rows[rows["Crime type"].map(normalise_type).isin(weights)].copy()
    unweighted = sorted(set(rows["Crime type"]) - set(weighted["Crime type"]))
    if weighted.empty:
        frame = pd.DataFrame(columns=["Crime type", *HARM_COUNTS, *HARM_DERIVED])
        frame.attrs["unweighted"] = unweighted
        return frame
    w = weighted["Crime type"].map(normalise_type).map(weights).astype(float)
    current = weighted["This year"].astype(int)
    has_previous = weighted["Last year"].map(lambda v: v is not None and not pd.isna(v)).all()
    previous = weighted["Last year"].astype(float) if has_previous else None
    harm = w * current
    table = pd.DataFrame({
        "Crime type": weighted["Crime type"], "Crimes this year": current,
        "Crimes last year": previous.astype(int) if has_previous else None, "Weight": w, "Harm this year": harm,
        "Harm last year": w * previous if has_previous else None,
        "Change in harm": w * (current - previous) if has_previous else None,
        "Change (%)": weighted["Change (%)"], "Share of harm (%)": harm / harm.sum() * 100 if harm.sum() else None,
        "Share of crime (%)": current / current.sum() * 100 if current.sum() else None,
        "p-value": None, "Beyond natural variation": weighted["Beyond natural variation"],
    })
    table["Rank by harm"] = table["Harm this year"].rank(ascending=False, method="min").astype(int)
    table["Rank by count"] = table["Crimes this year"].rank(ascending=False, method="min").astype(int)
    table["Harm 95% CI"] = [Interval(*_limits(n, wt), "number") for n, wt in zip(current, w)]
    table = table.sort_values(["Harm this year", "Crime type"], ascending=[False, True])
    total = _total_row(table, has_previous)
    frame = pd.concat([pd.DataFrame([total]), table], ignore_index=True)[COLUMNS]
    frame.attrs["unweighted"] = unweighted
    frame.attrs["kinds"] = {"Weight": "number", "Harm this year": "number", "Harm last year": "number",
                            "Change in harm": "signed_number"}
    return frame


def _limits(count: int, weight: float) -> tuple[float, float]:
    total = weighted_total([count], [weight])
    return total.lower, total.upper


def _total_row(table: pd.DataFrame, has_previous: bool) -> dict:
    total = weighted_total(table["Crimes this year"], table["Weight"])
    row = {"Crime type": ALL_HARM, "Crimes this year": int(table["Crimes this year"].sum()),
           "Crimes last year": int(table["Crimes last year"].sum()) if has_previous else None,
           "Weight": None, "Harm this year": total.total,
           "Share of harm (%)": None, "Share of crime (%)": None, "Harm 95% CI": Interval(total.lower, total.upper, "number"),
           "Rank by harm": None, "Rank by count": None}
    if has_previous:
        change = compare_weighted(table["Crimes this year"], table["Crimes last year"], table["Weight"])
        row |= {"Harm last year": float((table["Weight"] * table["Crimes last year"]).sum()),
                "Change in harm": change.change, "Change (%)": change.percent, "p-value": change.p_value,
                "Beyond natural variation": "yes" if change.p_value <= 0.05 else "no"}
    else:
        row |= {"Harm last year": None, "Change in harm": None, "Change (%)": None,
                "Beyond natural variation": "no previous year in the data"}
    return row


def published_harm(table: pd.DataFrame) -> pd.DataFrame:
    """The harm table with disclosure control: a type's harm is its count times a published weight, so it is
    suppressed with the count."""
    if table.empty:
        return table
    shown = protect(table.drop(columns=["p-value"], errors="ignore"), HARM_COUNTS, HARM_DERIVED,
                    total_row=("Crime type", ALL_HARM, []))
    shown.attrs["kinds"] = table.attrs.get("kinds", {})
    return shown


def district_harm(crimes: pd.DataFrame, denominators: pd.DataFrame, weights: dict[str, float],
                  area_codes: tuple[str, ...], comparison_codes: tuple[str, ...]) -> pd.DataFrame:
    """Harm per 1,000 residents (Census 2021) in the latest twelve months: the partnership and each comparison
    district, Dobson's interval, and the partnership's rate against each district's (weighted test, BH across the
    districts). Empty when no comparison district is in the data."""
    current = crimes[(crimes["assessment_period"] == CURRENT) & (crimes["crime_type"] != ASB)]
    current = current[current["crime_type"].map(normalise_type).isin(weights)]
    types = sorted(current["crime_type"].unique())
    w = np.array([weights[normalise_type(t)] for t in types])
    dens = denominators.set_index("district_code")

    def counts(codes) -> np.ndarray:
        rows = current[current["district_code"].isin(list(codes))]
        return rows["crime_type"].value_counts().reindex(types, fill_value=0).to_numpy()

    area_counts = counts(area_codes)
    area_pop = float(sum(dens.loc[c, "population_2021"] for c in area_codes if c in dens.index))
    rows, tests = [], []
    for code in [c for c in (*area_codes, *comparison_codes) if c in dens.index]:
        here = counts([code])
        if code not in area_codes and here.sum() == 0:
            continue
        population = float(dens.loc[code, "population_2021"])
        total = weighted_total(here, w)
        name = dens.loc[code, "district_name"]
        row = {"District": f"{name} (partnership)" if code in area_codes else name,
               "Crimes (weighted types)": int(here.sum()), "Harm per 1,000": total.total / population * 1000,
               "Harm per 1,000 95% CI": Interval(total.lower / population * 1000, total.upper / population * 1000, "rate"),
               "Partnership ÷ district": None, "p-value": None}
        if code not in area_codes:
            change = compare_weighted(area_counts, here, w, area_pop, population)
            district_rate = total.total / population
            row |= {"Partnership ÷ district": (change.change + district_rate) / district_rate if district_rate else None,
                    "p-value": change.p_value}
            tests.append(len(rows))
        rows.append(row)
    table = pd.DataFrame(rows)
    if not tests:
        return table.iloc[0:0]
    table["Beyond natural variation"] = ""
    reject = multipletests(table.loc[tests, "p-value"].astype(float), alpha=0.05, method="fdr_bh")[0]
    table.loc[tests, "Beyond natural variation"] = ["yes" if r else "no" for r in reject]
    table.attrs["kinds"] = {"Harm per 1,000": "rate", "Partnership ÷ district": "ratio"}
    shown = protect(table, ["Crimes (weighted types)"], ["Harm per 1,000", "Harm per 1,000 95% CI"])
    shown.attrs["kinds"] = table.attrs["kinds"]
    return shown


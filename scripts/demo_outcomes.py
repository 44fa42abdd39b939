"""The demo's police.uk outcomes files: one outcome row per crime with a Crime ID, in the police.uk layout.

SYNTHETIC DATA. Each crime's outcome is the "Last outcome category" its street row was given (drawn from the real 2024
Cambridge mix of its crime type), reached some months after the crime: the months are drawn from the real 2024 lag of
that outcome group (the real Cambridgeshire street rows joined to the real outcomes files by Crime ID). An outcome later than the last
published month is not in the files yet, and the crime's street row then says "Under investigation", as police.uk's
would. The comparison districts' outcomes are written for their crimes of the latest year only. Planted: from April 2024, half the partnership's shoplifting crimes that would have been charged are closed as "Unable to
prosecute suspect" instead (PLANTED_CHARGE_FALL), so the shoplifting charge share halves in 2024/25. Drawn with its own
random stream after every other file, so nothing else in the demo changes by it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.analysis.outcomes import CHARGED, group_of
from pipeline.inputs import police_uk

OUTCOMES_SEED_OFFSET = 13
PLANTED_CHARGE_FALL = {"crime_type": "Shoplifting", "from_month": pd.Period("2024-04", "M"), "kept": 0.5,
                       "instead": "Unable to prosecute suspect"}
NOT_YET = "Under investigation"
MAX_LAG = 11
COMPARISON_YEARS = 1  # the comparison districts' outcomes are written for crimes of the latest year only


def lag_shares(real_street: pd.DataFrame, real_outcomes: pd.DataFrame) -> dict[str, np.ndarray]:
    """By outcome group, the share of crimes whose latest outcome came 0, 1, ... MAX_LAG months after the crime
    (the real 2024 files; lags beyond MAX_LAG are counted at MAX_LAG; +0.5 so every lag is possible)."""
    latest = real_outcomes.sort_values("Month", kind="stable").groupby("Crime ID").tail(1)
    joined = real_street[real_street["Crime ID"].str.strip() != ""].merge(
        latest[["Crime ID", "Month", "Outcome type"]], on="Crime ID", suffixes=("", "_outcome"))
    lag = (pd.PeriodIndex(joined["Month_outcome"], freq="M").asi8 - pd.PeriodIndex(joined["Month"], freq="M").asi8)
    joined["lag"] = np.clip(lag, 0, MAX_LAG)
    joined["group"] = joined["Outcome type"].map(group_of)
    counts = pd.crosstab(joined["group"], joined["lag"]).reindex(columns=range(MAX_LAG + 1), fill_value=0) + 0.5
    overall = counts.sum() / counts.sum().sum()
    shares = {group: (row / row.sum()).to_numpy() for group, row in counts.iterrows()}
    shares[""] = overall.to_numpy()  # a group the real files never reached: the overall lags
    return shares


def plant_charge_fall(rows: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """The outcome each crime ends with: its street row's category, with the planted fall in shoplifting charges."""
    outcome = rows["last_outcome"].to_numpy(dtype=object).copy()
    plant = PLANTED_CHARGE_FALL
    charged = np.array([group_of(str(o)) == CHARGED for o in outcome])
    target = (rows["crime_type"].eq(plant["crime_type"]).to_numpy() & (rows["month"] >= plant["from_month"]).to_numpy()
              & charged & rows["in_partnership"].to_numpy())
    switched = target & (rng.random(len(rows)) >= plant["kept"])
    outcome[switched] = plant["instead"]
    return outcome


def outcome_rows(rows: pd.DataFrame, lags: dict[str, np.ndarray], last_month: pd.Period,
                 rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    """The outcome rows published by `last_month` and each street row's last outcome category as of then. Every
    month's crimes of the partnership have their outcome rows; the comparison districts' only for crimes of the
    latest year (COMPARISON_YEARS), as with their police records, to keep the repository light."""
    identified = rows["crime_id"].astype(str).str.len() > 0
    final = plant_charge_fall(rows, rng)
    groups = np.array([group_of(str(o)) for o in final])
    lag = np.zeros(len(rows), dtype=np.int64)
    for group in np.unique(groups[identified.to_numpy()]):
        index = np.flatnonzero(identified.to_numpy() & (groups == group))
        shares = lags.get(group, lags[""])
        lag[index] = rng.choice(MAX_LAG + 1, size=len(index), p=shares)
    month = pd.PeriodIndex(rows["month"], freq="M") + lag
    known = identified.to_numpy() & (month <= last_month)
    last_category = pd.Series(np.where(known, final, np.where(identified, NOT_YET, rows["last_outcome"])),
                              index=rows.index)
    recent = (rows["month"] > last_month - 12 * COMPARISON_YEARS).to_numpy()
    published = known & (rows["in_partnership"].to_numpy() | recent)
    out = rows.loc[published, ["crime_id", "longitude", "latitude", "location", "lsoa_code", "lsoa_name"]].copy()
    out["month"] = month[published]
    out["outcome_type"] = final[published]
    return out, last_category


def outcomes_files(outcomes: pd.DataFrame, force: str) -> dict[str, pd.DataFrame]:
    """Monthly outcomes files in the police.uk layout (police_uk.OUTCOME_COLUMNS), by the file's name in the zip."""
    files = {}
    for month, group in outcomes.sort_values(["month", "crime_id"], kind="stable").groupby("month", sort=True):
        files[f"{month}/{month}-cambridgeshire-outcomes.csv"] = pd.DataFrame({
            "Crime ID": group["crime_id"], "Month": str(month), "Reported by": force, "Falls within": force,
            "Longitude": group["longitude"].map("{:.6f}".format), "Latitude": group["latitude"].map("{:.6f}".format),
            "Location": group["location"], "LSOA code": group["lsoa_code"], "LSOA name": group["lsoa_name"],
            "Outcome type": group["outcome_type"]})[police_uk.OUTCOME_COLUMNS]
    return files

"""Data-quality summaries for the first chapter: what was read, kept, rejected and why."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.inputs.config import AssessmentConfig
from pipeline.formatting import KINDS


def quality_table(quality: pd.DataFrame) -> pd.DataFrame:
    """Rows read, outside the assessed districts, kept and rejected by source, shown exactly: they count rows of files,
    not people or events, and read = outside + kept + rejected must be checkable in the report. The share rejected is
    of the rows in the assessed districts."""
    table = quality.rename(columns={"source": "Source", "files": "Files", "rows_in": "Rows read",
                                    "rows_outside_area": "Outside the assessed districts", "rows_kept": "Rows kept",
                                    "rows_rejected": "Rows rejected", "note": "Note"}).copy()
    in_area = table["Rows read"] - table["Outside the assessed districts"]
    table["Rejected (% of rows in the districts)"] = table["Rows rejected"] / in_area.where(in_area > 0) * 100
    return table


def reject_reasons(processed_dir: Path) -> pd.DataFrame:
    """Rejected rows by source, rule and reason pattern (the reason with its quoted value removed), shown exactly
    like the rows read: they count rows of files."""
    parts = []
    for path in sorted((processed_dir / "rejects").glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["reject_source", "reject_rule", "reject_reason"])
        if len(frame):
            frame["reject_reason"] = frame["reject_reason"].str.replace(r"'[^']*'", "'…'", regex=True)
            parts.append(frame)
    if not parts:
        return pd.DataFrame({"Source": [], "Rule": [], "Reason": [], "Rows": []})
    table = pd.concat(parts).groupby(["reject_source", "reject_rule", "reject_reason"]).size().reset_index(name="Rows")
    return table.rename(columns={"reject_source": "Source", "reject_rule": "Rule", "reject_reason": "Reason"})


def area_summary(config: AssessmentConfig, geography: pd.DataFrame, denominators: pd.DataFrame) -> pd.DataFrame:
    rows = []
    dens = denominators.set_index("district_code")
    for code in (*config.area_codes, *config.comparison_codes):
        lsoas = geography[geography["district_code"] == code]
        role = "Partnership area" if code in config.area_codes else "Comparison district"
        rows.append({"Area": dens.loc[code, "district_name"] if code in dens.index else code, "Code": code, "Role": role,
                     "LSOAs (2021)": len(lsoas), "Wards (2020)": lsoas["ward_code"].replace("", pd.NA).nunique(),
                     "Residents (2021)": int(dens.loc[code, "population_2021"]) if code in dens.index else None,
                     "Households (2011)": int(dens.loc[code, "households_2011"]) if code in dens.index else None})
    for zone, codes in config.zones.items():
        lsoas = geography[geography["lsoa21"].isin(codes)]
        rows.append({"Area": zone, "Code": ", ".join(codes), "Role": "Zone", "LSOAs (2021)": len(lsoas),
                     "Wards (2020)": lsoas["ward_code"].nunique(), "Residents (2021)": int(lsoas["population_2021"].sum()),
                     "Households (2011)": None})
    table = pd.DataFrame(rows)
    table.attrs[KINDS] = {"Residents (2021)": "count", "Households (2011)": "count"}
    return table

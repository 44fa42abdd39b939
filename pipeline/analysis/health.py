"""Health context from OHID Fingertips: the partnership's district against the county's other districts and
England, with Fingertips' own significance against England."""
from __future__ import annotations

import pandas as pd

from pipeline.inputs.fingertips import ENGLAND


def latest_table(indicators: pd.DataFrame, area_codes: list[str], partnership_codes: tuple[str, ...]) -> pd.DataFrame:
    """The latest period of each indicator: value per area with Fingertips' significance against England."""
    rows = []
    for indicator, group in indicators.groupby("indicator", sort=False):
        period = group["period"].max()
        latest = group[group["period"] == period].set_index("area_code")
        for code in [*area_codes, ENGLAND]:
            if code not in latest.index:
                continue
            row = latest.loc[code]
            rows.append({"Indicator": indicator, "Period": period, "Area": row["area_name"],
                         "Role": "partnership" if code in partnership_codes else ("England" if code == ENGLAND else "comparison"),
                         "Rate per 100,000": None if pd.isna(row["value"]) else round(float(row["value"]), 1),
                         "Compared with England": row["significance"] if code != ENGLAND else "—"})
    return pd.DataFrame(rows)

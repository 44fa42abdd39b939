"""Health context from OHID Fingertips extracts, read as published: the partnership's district against
the county's other districts and England, with Fingertips' own significance against England."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.inputs.reference import to_number
from pipeline.inputs.sources import read_table
from pipeline.inputs.validators import require_columns

ENGLAND = "E92000001"
INDICATORS = {
    "alcohol_related_admissions.csv": "Alcohol-related hospital admissions (narrow)",
    "alcohol_related_mortality.csv": "Alcohol-related mortality",
    "admissions_self_harm.csv": "Emergency admissions for intentional self-harm",
}
COLUMNS = ["area_code", "area_name", "period", "value", "indicator", "measure", "significance"]


def load_indicators(fingertips_dir: Path, area_codes: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Rows for the given areas and England from every indicator file present; and the files missing."""
    frames, missing = [], []
    for name, label in INDICATORS.items():
        path = fingertips_dir / name
        if not path.exists():
            missing.append(name)
            continue
        frame = require_columns(read_table(path), COLUMNS, name)
        frame = frame[frame["area_code"].isin([*area_codes, ENGLAND])].copy()
        frame["value"] = to_number(frame["value"].replace("NA", ""), name, "value")
        frame["indicator"] = label
        frames.append(frame[COLUMNS])
    if not frames:
        return pd.DataFrame(columns=COLUMNS), missing
    return pd.concat(frames, ignore_index=True), missing


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


def indicator_chart(indicators: pd.DataFrame, partnership_codes: tuple[str, ...]):
    """One panel per indicator: the partnership in colour, comparison districts grey, England dashed; the
    partnership's points are marked by Fingertips' significance against England. None when empty."""
    import matplotlib.pyplot as plt

    if indicators.empty:
        return None
    from pipeline.report.plotting import set_style

    set_style()
    names = list(dict.fromkeys(indicators["indicator"]))
    figure, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.4), squeeze=False)
    markers = {"Worse": ("v", "#c0392b"), "Better": ("^", "#1e8449"), "Similar": ("o", "#2e86c1")}
    for axis, name in zip(axes[0], names, strict=True):
        data = indicators[indicators["indicator"] == name]
        for code, area in data.groupby("area_code"):
            area = area.sort_values("period")
            if code in partnership_codes:
                axis.plot(area["period"], area["value"], color="#2e86c1", linewidth=2, label=area["area_name"].iloc[0])
                for significance, (marker, colour) in markers.items():
                    points = area[area["significance"] == significance]
                    axis.scatter(points["period"], points["value"], marker=marker, color=colour, zorder=3,
                                 label=f"{significance} than England" if significance != "Similar" else "Similar to England")
            elif code == ENGLAND:
                axis.plot(area["period"], area["value"], color="black", linestyle="--", linewidth=1.2, label="England")
            else:
                axis.plot(area["period"], area["value"], color="grey", linewidth=0.8, alpha=0.6)
        axis.set_title(name, fontsize=9)
        axis.tick_params(axis="x", labelrotation=60, labelsize=7)
        axis.set_ylabel("per 100,000 (age standardised)", fontsize=8)
    handles, labels = axes[0][0].get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    unique["Other county districts"] = plt.Line2D([], [], color="grey", linewidth=0.8)
    figure.legend(unique.values(), unique.keys(), loc="lower center", ncol=len(unique), fontsize=8, bbox_to_anchor=(0.5, -0.12))
    figure.tight_layout()
    return figure


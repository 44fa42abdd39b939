"""OHID Fingertips indicator extracts, read as published: rows for the partnership's district, the county's
other districts and England."""
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

"""The harm view's chart: each crime type's share of all crime beside its share of all harm, so a reader sees at
once which low-volume types carry the most harm."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline.report import plotting

CRIME, HARM = "Share of crime (%)", "Share of harm (%)"


def share_chart(published: pd.DataFrame, weighting_label: str, area_name: str):
    """Paired horizontal bars, the types ordered by share of harm; suppressed types are left out (their shares
    would give a small count away). None when nothing can be drawn."""
    rows = published[published[HARM].map(lambda v: isinstance(v, float))]
    if rows.empty:
        return None
    rows = rows.sort_values(HARM)
    figure, axis = plt.subplots(figsize=(7.6, 0.42 * len(rows) + 1.4))
    positions = range(len(rows))
    axis.barh([p + 0.2 for p in positions], rows[CRIME].astype(float), height=0.4, color="#9fb6cd", label="share of crime")
    axis.barh([p - 0.2 for p in positions], rows[HARM].astype(float), height=0.4, color="#b2182b", label="share of harm")
    axis.set_yticks(list(positions), rows["Crime type"])
    axis.set_xlabel("percent of all weighted crime in the latest twelve months")
    axis.legend(loc="lower right", frameon=False)
    axis.set_title(f"{area_name}: share of crime and share of harm by crime type")
    figure.tight_layout()
    return plotting.sourced(figure, f"data.police.uk street-level crime; harm weights: {weighting_label}")

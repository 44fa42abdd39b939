"""The domestic-abuse funnel plot: each district's rate against its population, with exact Poisson limits at
95% and 99.8% around the county rate; the partnership in colour (pipeline.report.plotting.funnel_chart)."""
from __future__ import annotations

import pandas as pd

from pipeline.report import plotting


def funnel_chart(points: pd.DataFrame, title: str):
    return plotting.funnel_chart(points, title, label="district", common_label="county rate",
                                 source="police records extract (domestic-abuse qualifier), ONS Census 2021 "
                                        "population (usual residents)")

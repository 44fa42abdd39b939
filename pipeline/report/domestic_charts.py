"""The domestic-abuse funnel plot: each district's rate against its population, with exact Poisson limits at
95% and 99.8% around the county rate; the partnership in colour."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pipeline.methods.funnel import curve  # noqa: E402
from pipeline.report import plotting
from pipeline.report.plotting import set_style  # noqa: E402


def funnel_chart(points: pd.DataFrame, title: str):
    if points.empty:
        return None
    set_style()
    figure, axis = plt.subplots(figsize=(8.5, 4.2))
    common = float(points["common_rate"].iloc[0])
    populations = np.linspace(max(points["population"].min() * 0.5, 1000), points["population"].max() * 1.3, 200)
    limits = curve(common, populations)
    axis.axhline(common, color="black", linewidth=1, label=f"county rate {common:.1f}")
    for level, style in (("95%", "--"), ("99.8%", ":")):
        axis.plot(limits["population"], limits[f"high_{level}"], color="#636363", linestyle=style, label=f"{level} limits")
        axis.plot(limits["population"], limits[f"low_{level}"], color="#636363", linestyle=style)
    others = points[~points["partnership"]]
    axis.scatter(others["population"], others["rate"], color="#969696", s=40, zorder=3)
    mine = points[points["partnership"]]
    axis.scatter(mine["population"], mine["rate"], color="#d95f02", s=70, zorder=4)
    for _, row in points.iterrows():
        axis.annotate(row["district"], (row["population"], row["rate"]), xytext=(6, 4), textcoords="offset points", fontsize=8)
    axis.set_xlabel("Residents (ONS 2021)", fontsize=8)
    axis.set_ylabel("per 1,000 residents", fontsize=8)
    axis.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1000:.0f}k"))
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.tight_layout()
    return plotting.sourced(figure, "police records extract (domestic-abuse qualifier), ONS mid-year population estimates")

"""Chart helpers: one look for every chapter (seaborn on matplotlib, rendered as PNG)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from pipeline.inputs.fingertips import ENGLAND  # noqa: E402

PALETTE = "colorblind"


def set_style() -> None:
    sns.set_theme(style="whitegrid", palette=PALETTE, rc={"figure.dpi": 96, "savefig.dpi": 96})


def monthly_trend_grid(monthly: pd.DataFrame, title: str, col_wrap: int = 4, facet: str = "crime_type",
                       ylabel: str = "crimes per month"):
    """Small multiples of monthly counts (one panel per `facet` value), each with its own y scale and a
    3-month mean. Months with a count from 1 to 4 are left out (a gap in the line) and the mean skips them,
    so that no chart shows a small count. None when there is nothing to draw."""
    if monthly.empty:
        return None
    set_style()
    data = monthly.sort_values([facet, "month"]).copy()
    data["count"] = data["count"].astype("float64").mask(data["count"].between(1, 4))
    data["3-month mean"] = data.groupby(facet)["count"].transform(lambda s: s.rolling(3, min_periods=2).mean())
    grid = sns.relplot(data=data, x="month", y="count", col=facet, col_wrap=min(col_wrap, data[facet].nunique()),
                       kind="line", height=2.2, aspect=1.6, facet_kws={"sharey": False}, linewidth=0.8, alpha=0.6)
    for axis, (name, group) in zip(grid.axes.flat, data.groupby(facet, sort=True)):
        axis.plot(group["month"], group["3-month mean"], color="black", linewidth=1.4)
        axis.set_title(name, fontsize=9)
        axis.tick_params(axis="x", labelrotation=45, labelsize=7)
        axis.set_xlabel("")
    grid.set_ylabels(ylabel)
    grid.figure.suptitle(title, y=1.02)
    return grid.figure


def prevalence_trend_chart(prevalence: pd.DataFrame, group: str, title: str):
    """Share flagged by year for one group, each measure with its Wilson 95% interval. None when empty."""
    data = prevalence[(prevalence["Group"] == group) & (prevalence["Recorded"] > 0)]
    if data.empty:
        return None
    set_style()
    figure, axis = plt.subplots(figsize=(8, 3.6))
    years = list(dict.fromkeys(data["Year"]))
    for offset, (measure, rows) in enumerate(data.groupby("Measure", sort=False)):
        x = [years.index(y) + (offset - 2.5) * 0.06 for y in rows["Year"]]
        below = (rows["Share (%)"] - rows["CI low (%)"]).clip(lower=0)  # a share of 0% or 100% can round past its bound
        above = (rows["CI high (%)"] - rows["Share (%)"]).clip(lower=0)
        axis.errorbar(x, rows["Share (%)"], yerr=[below, above],
                      marker="o", capsize=3, linewidth=1.2, label=measure)
    axis.set_xticks(range(len(years)), [y.replace(" - ", "-\n") for y in years], fontsize=8)
    axis.set_ylabel("% of records with the flag recorded")
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return figure


def indicator_chart(indicators: pd.DataFrame, partnership_codes: tuple[str, ...]):
    """One panel per indicator: the partnership in colour, comparison districts grey, England dashed; the
    partnership's points are marked by Fingertips' significance against England. None when empty."""
    if indicators.empty:
        return None
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


def show(figure) -> None:
    """Display a figure as an embedded PNG and close it (independent of the notebook's backend)."""
    import io

    if figure is None:
        return
    from IPython.display import Image, display

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    display(Image(data=buffer.getvalue(), format="png"))

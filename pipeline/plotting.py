"""Chart helpers: one look for every chapter (seaborn on matplotlib, rendered as PNG)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

PALETTE = "colorblind"


def set_style() -> None:
    sns.set_theme(style="whitegrid", palette=PALETTE, rc={"figure.dpi": 96, "savefig.dpi": 96})


def monthly_trend_grid(monthly: pd.DataFrame, title: str, col_wrap: int = 4):
    """Small multiples of monthly counts by crime type, each with its own y scale and a 3-month mean."""
    set_style()
    data = monthly.sort_values(["crime_type", "month"]).copy()
    data["3-month mean"] = data.groupby("crime_type")["count"].transform(lambda s: s.rolling(3, min_periods=1).mean())
    grid = sns.relplot(data=data, x="month", y="count", col="crime_type", col_wrap=col_wrap, kind="line",
                       height=2.2, aspect=1.6, facet_kws={"sharey": False}, linewidth=0.8, alpha=0.6)
    for axis, (name, group) in zip(grid.axes.flat, data.groupby("crime_type", sort=True)):
        axis.plot(group["month"], group["3-month mean"], color="black", linewidth=1.4)
        axis.set_title(name, fontsize=9)
        axis.tick_params(axis="x", labelrotation=45, labelsize=7)
        axis.set_xlabel("")
    grid.set_ylabels("crimes per month")
    grid.figure.suptitle(title, y=1.02)
    return grid.figure


def show(figure) -> None:
    """Display a figure as an embedded PNG and close it (independent of the notebook's backend)."""
    import io

    from IPython.display import Image, display

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    display(Image(data=buffer.getvalue(), format="png"))

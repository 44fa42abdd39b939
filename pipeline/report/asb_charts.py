"""Charts of the anti-social behaviour chapter: the monthly series with its two trend lines, the partner cases'
sources by year, and a map of incidents per 1,000 residents by LSOA (ONS polygons, or centroid dots without
them; no map tiles)."""
from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from pipeline.methods.disclosure import SUPPRESSED  # noqa: E402
from pipeline.report import plotting
from pipeline.methods.grid import to_bng  # noqa: E402
from pipeline.report import maps  # noqa: E402
from pipeline.report.plotting import set_style  # noqa: E402

RATE_BINS = [0, 5, 10, 20, 40, np.inf]
RATE_LABELS = ["under 5", "5 to 9.9", "10 to 19.9", "20 to 39.9", "40 or more"]
FEWER_THAN_5 = "#d9d9d9"


def trend_chart(monthly: pd.Series, slope, title: str):
    """Monthly incidents with a 12-month rolling mean; the trend figures in the caption."""
    if monthly.empty:
        return None
    set_style()
    figure, axis = plt.subplots(figsize=(9, 3.4))
    x = monthly.index.to_timestamp()
    axis.plot(x, monthly.to_numpy(), color="#9e9e9e", linewidth=1, label="per month")
    if len(monthly) >= 12:
        axis.plot(x, monthly.rolling(12).mean().to_numpy(), color="#1b9e77", linewidth=2.2, label="12-month average")
    axis.set_ylim(bottom=0)
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=8, loc="upper right")
    if slope is not None:
        axis.set_xlabel(f"Whole series: {slope.whole_percent:+.1f}% a year; latest {slope.recent_years} years: "
                        f"{slope.recent_percent:+.1f}% a year ({slope.reading}).", fontsize=8)
    figure.tight_layout()
    return plotting.sourced(figure, "data.police.uk street-level crime (anti-social behaviour)")


def sources_chart(by_source: pd.DataFrame):
    """Partner cases per year, stacked by source (police, council, housing); suppressed cells left out."""
    if by_source.empty:
        return None
    set_style()
    figure, axis = plt.subplots(figsize=(9, 3.2))
    bottom = np.zeros(len(by_source))
    for source, colour in zip(("Police", "Council", "Housing"), ("#386cb0", "#fdb462", "#7fc97f")):
        values = pd.to_numeric(by_source[source].replace(SUPPRESSED, np.nan), errors="coerce").fillna(0).to_numpy()
        axis.bar(by_source["Year"], values, bottom=bottom, color=colour, label=source)
        bottom += values
    axis.set_ylabel("cases", fontsize=8)
    axis.set_title("ASB cases by the partner that recorded them", fontsize=10)
    axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.tight_layout()
    return plotting.sourced(figure, "partner ASB case extracts (police, council, housing)")


def rate_map(rates: pd.DataFrame, boundaries, zone_lsoas: dict, title: str):
    """Incidents per 1,000 residents by LSOA, binned; an LSOA with fewer than 5 incidents is grey (no count from
    1 to 4 can be read off its rate and population)."""
    if rates.empty:
        return None
    set_style()
    x, y = to_bng(rates["longitude"].to_numpy(), rates["latitude"].to_numpy())
    units = pd.DataFrame({"id": rates["lsoa21"].to_numpy(), "x": x, "y": y})
    lsoas = boundaries[boundaries["layer"] == "lsoa"].set_index("code") if len(boundaries) else None
    has_polygons = lsoas is not None and set(rates["lsoa21"]) <= set(lsoas.index)
    place = SimpleNamespace(boundaries=boundaries, has_boundaries=has_polygons, zone_lsoas=zone_lsoas,
                            lsoa=SimpleNamespace(units=units), grid=None)
    colours = ListedColormap(["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"])
    norm = BoundaryNorm(RATE_BINS[:-1] + [1e9], colours.N)
    few = rates["count"].to_numpy() < 5
    figure, axis = plt.subplots(figsize=(8.5, 7.2))
    if has_polygons:
        frame = gpd.GeoDataFrame({"rate": rates["per_1000"].to_numpy(), "few": few},
                                 geometry=list(lsoas.loc[rates["lsoa21"]].geometry))
        frame[~frame["few"]].plot(ax=axis, column="rate", cmap=colours, norm=norm, edgecolor="#bbbbbb", linewidth=0.3)
        if few.any():
            frame[frame["few"]].plot(ax=axis, color=FEWER_THAN_5, edgecolor="#bbbbbb", linewidth=0.3)
    else:
        axis.scatter(x[~few], y[~few], c=rates["per_1000"].to_numpy()[~few], cmap=colours, norm=norm, s=90,
                     edgecolor="#666666", linewidth=0.4)
        axis.scatter(x[few], y[few], color=FEWER_THAN_5, s=90, edgecolor="#666666", linewidth=0.4)
    handles = [Patch(facecolor=colours(k), edgecolor="#999999", label=label) for k, label in enumerate(RATE_LABELS)]
    handles.append(Patch(facecolor=FEWER_THAN_5, edgecolor="#999999", label="fewer than 5 incidents"))
    return maps._finish(figure, axis, place, handles, "Incidents per 1,000 residents", title, 0.74,
                        "Residents: ONS LSOA population, 2021")

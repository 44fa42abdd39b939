"""The weekly bulletin's map: where an alarmed type's records of its alarmed weeks are, by LSOA, with ward outlines
and the configured zones (pipeline.report.maps furniture). Counts are binned and the first bin is 'fewer than 5'
(none included), so no count from 1 to 4 can be read off the map."""
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

from pipeline.methods.grid import to_bng  # noqa: E402
from pipeline.report import maps  # noqa: E402
from pipeline.report.plotting import set_style, sourced  # noqa: E402

BINS = [0, 5, 10, 20, 50, np.inf]
LABELS = ["fewer than 5 (none included)", "5 to 9", "10 to 19", "20 to 49", "50 or more"]
COLOURS = ["#f7f7f7", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"]


def alarm_map(lsoa_counts: pd.Series, geography: pd.DataFrame, boundaries, zone_lsoas: dict, title: str):
    """Records by LSOA over the partnership's LSOAs (`geography` rows in the area); polygons when the boundaries
    cover them, else centroid dots, as the report's other maps."""
    area = geography[geography["in_area"]].sort_values("lsoa21")
    if area.empty:
        return None
    set_style()
    counts = lsoa_counts.reindex(area["lsoa21"]).fillna(0).to_numpy()
    x, y = to_bng(area["longitude"].to_numpy(), area["latitude"].to_numpy())
    lsoas = boundaries[boundaries["layer"] == "lsoa"].set_index("code") if len(boundaries) else None
    has_polygons = lsoas is not None and set(area["lsoa21"]) <= set(lsoas.index)
    place = SimpleNamespace(boundaries=boundaries, has_boundaries=has_polygons, zone_lsoas=zone_lsoas,
                            lsoa=SimpleNamespace(units=pd.DataFrame({"x": x, "y": y})), grid=None)
    colours = ListedColormap(COLOURS)
    norm = BoundaryNorm(BINS[:-1] + [1e9], colours.N)
    figure, axis = plt.subplots(figsize=(8.5, 7.2))
    extent = (x.min(), y.min(), x.max(), y.max())
    if has_polygons:
        frame = gpd.GeoDataFrame({"count": counts}, geometry=list(lsoas.loc[area["lsoa21"]].geometry))
        extent = tuple(frame.total_bounds)
        frame.plot(ax=axis, column="count", cmap=colours, norm=norm, edgecolor="#bbbbbb", linewidth=0.3)
    else:
        axis.scatter(x, y, c=counts, cmap=colours, norm=norm, s=90, edgecolor="#666666", linewidth=0.4)
    handles = [Patch(facecolor=colours(k), edgecolor="#999999", label=label) for k, label in enumerate(LABELS)]
    maps._context(axis, place)
    maps._frame(axis, extent)
    axis.legend(handles=handles, title="Records in the alarmed weeks", fontsize=7, title_fontsize=8, loc="upper left",
                bbox_to_anchor=(1.01, 1.0), frameon=False)
    axis.set_title(title, fontsize=10)
    figure.subplots_adjust(left=0.08, right=0.72, bottom=0.13, top=0.94)
    where = maps.ONS_ATTRIBUTION if has_polygons else \
        "No boundary polygons were supplied for this area: LSOAs are drawn as centroid dots (ONS centroids)."
    return sourced(figure, f"the force's police records, by the LSOA recorded. {where.rstrip('.')}")

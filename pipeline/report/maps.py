"""Static maps drawn from the data with real ONS boundaries (no map tiles): an LSOA choropleth of violence,
the hotspot classes on the 250 m grid and the kernel density, each with ward outlines, the configured zones
outlined and labelled, axes in km of the British National Grid, a 1 km scale bar, a legend and a source line.
Without boundary polygons the LSOAs are drawn as centroid dots, and each map says so."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402
from shapely.ops import unary_union  # noqa: E402

from pipeline.report.plotting import set_style, sourced  # noqa: E402

POLICE_SOURCE = "data.police.uk (Open Government Licence v3.0)"
ONS_ATTRIBUTION = ("Boundaries: ONS. Contains National Statistics data © Crown copyright and database right; "
                   "contains OS data © Crown copyright and database right.")
COUNT_BINS = [0, 5, 20, 50, 100, 200, np.inf]  # the first bin is 'fewer than 5': no count from 1 to 4 is shown
CLASS_COLOURS = {"persistent hotspot": "#b2182b", "emerging hotspot": "#ef8a62", "intermittent hotspot": "#fddbc7",
                 "former hotspot": "#999999", "hotspot this year (one year of data)": "#d6604d",
                 "persistent coldspot": "#2166ac", "emerging coldspot": "#67a9cf", "intermittent coldspot": "#d1e5f0",
                 "former coldspot": "#cccccc", "mixed hot/coldspot": "#762a83"}


def _frame(axis, extent) -> None:
    km = FuncFormatter(lambda v, _: f"{v / 1000:.0f}")
    axis.xaxis.set_major_formatter(km)
    axis.yaxis.set_major_formatter(km)
    axis.set_xlabel("Easting (km, British National Grid)", fontsize=8)
    axis.set_ylabel("Northing (km)", fontsize=8)
    axis.tick_params(labelsize=7)
    axis.set_aspect("equal")
    axis.grid(False)
    minx, miny, maxx, maxy = extent
    pad = 300
    axis.set_xlim(minx - pad, maxx + pad)
    axis.set_ylim(miny - pad, maxy + pad)
    x0, y0 = minx + 200, miny + 100  # a 1 km scale bar, bottom left
    axis.plot([x0, x0 + 1000], [y0, y0], color="black", linewidth=3, solid_capstyle="butt")
    axis.text(x0 + 500, y0 + 120, "1 km", ha="center", fontsize=8)


def _context(axis, result) -> None:
    """Ward outlines and the zones, outlined and labelled."""
    boundaries = result.boundaries
    if result.has_boundaries:
        wards = boundaries[boundaries["layer"] == "ward"]
        wards.boundary.plot(ax=axis, color="#555555", linewidth=0.5, linestyle=":")
        lsoas = boundaries[boundaries["layer"] == "lsoa"].set_index("code")
    for zone, codes in result.zone_lsoas.items():
        if result.has_boundaries and set(codes) <= set(lsoas.index):
            shape = unary_union(list(lsoas.loc[codes].geometry)).buffer(5).buffer(-5)
            axis.plot(*_outline(shape), color="black", linewidth=1.6)
            bx, by = shape.centroid.x, shape.bounds[3]
        else:
            units = result.lsoa.units.set_index("id") if result.lsoa is not None else None
            if units is None or not set(codes) <= set(units.index):
                continue
            bx, by = units.loc[codes, "x"].mean(), units.loc[codes, "y"].max()
        axis.annotate(zone, (bx, by), xytext=(0, 6), textcoords="offset points", ha="center", fontsize=8,
                      fontweight="bold", bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8})


def _outline(shape):
    xs, ys = [], []
    for polygon in getattr(shape, "geoms", [shape]):
        x, y = polygon.exterior.xy
        xs += list(x) + [np.nan]
        ys += list(y) + [np.nan]
    return xs, ys


def _source(figure, result, extra: str = "") -> None:
    lines = [POLICE_SOURCE + (". " + extra if extra else "")]
    lines.append(ONS_ATTRIBUTION if result.has_boundaries else
                 "No boundary polygons were supplied for this area: LSOAs are drawn as centroid dots (ONS centroids).")
    sourced(figure, " ".join(line.rstrip(".") + "." for line in lines).rstrip("."))


def _extent(result):
    if result.grid is not None:
        geometry = result.grid.geometry
        bounds = np.array([g.bounds for g in geometry])
        return bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()
    units = result.lsoa.units
    return units["x"].min(), units["y"].min(), units["x"].max(), units["y"].max()


def _finish(figure, axis, result, handles, legend_title: str, title: str, right: float, source_extra: str = ""):
    """The shared furniture: zones and wards, km axes and scale bar, legend on the right, title, source line."""
    _context(axis, result)
    _frame(axis, _extent(result))
    if handles:
        axis.legend(handles=handles, title=legend_title, fontsize=7, title_fontsize=8, loc="upper left",
                    bbox_to_anchor=(1.01, 1.0), frameon=False)
    axis.set_title(title, fontsize=10)
    _source(figure, result, source_extra)
    figure.subplots_adjust(left=0.08, right=right, bottom=0.13, top=0.94)
    return figure


def lsoa_choropleth(result):
    """Violence per LSOA in the latest year, binned (fewer than 5 is one bin); LSOA Gi* hotspots outlined red."""
    if result.lsoa is None:
        return None
    set_style()
    units = result.lsoa.units
    counts = units[result.lsoa.years[-1]].to_numpy()
    labels = ["fewer than 5", "5 to 19", "20 to 49", "50 to 99", "100 to 199", "200 or more"]
    colours = ListedColormap(["#f7f7f7", "#fee8c8", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"])
    norm = BoundaryNorm(COUNT_BINS[:-1] + [1e9], colours.N)
    figure, axis = plt.subplots(figsize=(8.5, 7.2))
    if result.lsoa.geometry is not None:
        frame = gpd.GeoDataFrame({"count": counts, "hot": units["hot"]}, geometry=list(result.lsoa.geometry))
        frame.plot(ax=axis, column="count", cmap=colours, norm=norm, edgecolor="#bbbbbb", linewidth=0.3)
        if frame["hot"].any():
            frame[frame["hot"]].boundary.plot(ax=axis, color="#d7301f", linewidth=2.2)
    else:
        axis.scatter(units["x"], units["y"], c=counts, cmap=colours, norm=norm, s=90, edgecolor="#666666",
                     linewidth=np.where(units["hot"], 2.0, 0.4))
    handles = [Patch(facecolor=colours(k), edgecolor="#999999", label=label) for k, label in enumerate(labels)]
    handles.append(Patch(facecolor="none", edgecolor="#d7301f", linewidth=2, label="LSOA Gi* hotspot (FDR 5%)"))
    return _finish(figure, axis, result, handles, "Violent offences",
                   f"Violence and sexual offences per LSOA, {result.lsoa.years[-1]}", 0.74)


def hotspot_class_map(result):
    """The persistence class of each 250 m cell (cells with no pattern left blank)."""
    if result.grid is None:
        return None
    set_style()
    units = result.grid.units
    figure, axis = plt.subplots(figsize=(8.5, 7.2))
    boxes = result.grid.geometry
    frame = gpd.GeoDataFrame({"class": units["class"]}, geometry=list(boxes))
    frame.boundary.plot(ax=axis, color="#eeeeee", linewidth=0.2)
    handles = []
    for name, colour in CLASS_COLOURS.items():
        chosen = frame[frame["class"] == name]
        if len(chosen):
            chosen.plot(ax=axis, color=colour, edgecolor="white", linewidth=0.3)
            handles.append(Patch(facecolor=colour, label=f"{name} ({len(chosen)} {'cell' if len(chosen) == 1 else 'cells'})"))
    handles = handles or [Patch(facecolor="white", edgecolor="#999999", label="no significant hotspot")]
    years = result.grid.years
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else years[-1]
    return _finish(figure, axis, result, handles, "250 m cells (Gi*, FDR 5%)", f"Violence hotspots by persistence, {span}",
                   0.70, "Classes: sfhotspot's hotspot_classify thresholds.")


def density_map(result):
    """Kernel density of the latest year's violence (offences per square km), on the 250 m cells."""
    if result.grid is None:
        return None
    set_style()
    units = result.grid.units
    frame = gpd.GeoDataFrame({"density": units["density"]}, geometry=list(result.grid.geometry))
    figure, axis = plt.subplots(figsize=(8.5, 7.2))
    frame.plot(ax=axis, column="density", cmap="YlOrRd", linewidth=0, legend=True,
               legend_kwds={"label": "offences per km²", "shrink": 0.6})
    return _finish(figure, axis, result, [], "",
                   f"Kernel density of violence, {result.grid.years[-1]} (quartic kernel, 500 m)", 0.92)

"""Where violence concentrates: Getis-Ord Gi* hotspots on a 250 m grid and on LSOAs, year by year, their
persistence classes (sfhotspot's), kernel density, and the ranked list of hotspots outside the city centre.

Periods are the complete rolling years of the data (oldest first; the latest twelve months last), so the annual
"emerging" class means significant in the latest year and in none (under 10%) of the years before. Quarters are
classified too (methods.hotspots.emerging_streaks): a cell that became a hotspot in one of the latest eight
quarters, and not before, is emerging with the quarter it began, which annual periods cannot see. With one year of
data there are no annual classes, only that year's hotspots, and the result says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sparse
from scipy.sparse.csgraph import connected_components

from pipeline.analysis.flags import in_night_time_economy
from pipeline.analysis.violence import latest_violent_records
from pipeline.inputs.config import AssessmentConfig
from pipeline.methods import grid as grids
from pipeline.methods.disclosure import protect
from pipeline.methods.getis_ord import hotspots
from pipeline.methods.hotspots import classify, emerging_streaks
from pipeline.methods.kernel_density import quartic_density
from pipeline.methods.periods import complete_years
from pipeline.methods.statistics import compare_counts
from pipeline.methods.values import Estimate, Proportion

HOT_CLASSES = ("emerging hotspot", "persistent hotspot", "intermittent hotspot", "former hotspot")
ONE_YEAR = "hotspot this year (one year of data)"


@dataclass
class Surface:
    """Gi* hotspots for one kind of unit (grid cells or LSOAs): one row per unit, numbers only."""

    unit: str
    years: list[str]  # labels of the periods, oldest first
    units: pd.DataFrame  # id, x, y, zone, count per year (columns named by label), z, q, hot, cold, class
    neighbourhood: sparse.csr_matrix
    geometry: object = None  # shapely polygons per unit (grid boxes, LSOA polygons) or None
    grid: grids.Grid | None = None
    event_cell: pd.Series | None = None  # grid only: the cell of each located event (-1 outside), by event row
    quarters: list[str] = field(default_factory=list)  # grid only: quarter labels, oldest first (`emerging since`)

    def earliest_quarter(self, cells: pd.DataFrame) -> str:
        """The earliest quarter any of these units began to emerge in ('' when none did)."""
        started = set(cells["emerging since"])
        return next((label for label in self.quarters if label in started), "")


def _surface(unit: str, counts: np.ndarray, years: list[str], neighbourhood: sparse.csr_matrix,
             frame: pd.DataFrame) -> Surface:
    """Gi* each year (columns of counts, oldest first) and the persistence class over the years."""
    tests = [hotspots(counts[:, k], neighbourhood) for k in range(counts.shape[1])]
    hot = np.column_stack([t.hot for t in tests])
    cold = np.column_stack([t.cold for t in tests])
    frame = frame.copy()
    for k, label in enumerate(years):
        frame[label] = counts[:, k].astype(int)
    latest = tests[-1]
    frame["z"], frame["q"], frame["hot"], frame["cold"] = latest.z, latest.q, latest.hot, latest.cold
    frame["years hot"] = hot.sum(axis=1)
    frame["class"] = classify(hot, cold) if len(years) >= 2 else np.where(latest.hot, ONE_YEAR, "no pattern")
    return Surface(unit, years, frame.reset_index(drop=True), neighbourhood)


def _years(violence: pd.DataFrame) -> tuple[list[int], list[str]]:
    back = sorted(complete_years(violence), reverse=True)  # oldest first
    labels = violence.drop_duplicates("years_back").set_index("years_back")["year_ending"]
    return back, [labels[k] for k in back]


def grid_surface(violence: pd.DataFrame, area_polygon=None) -> Surface | None:
    """Gi* on 250 m cells over the area (its polygon, or around the events when there is none), with the kernel
    density of the latest year at each cell's centre."""
    back, labels = _years(violence)
    located = violence.dropna(subset=["longitude", "latitude"])
    if not back or located.empty:
        return None
    x, y = grids.to_bng(located["longitude"], located["latitude"])
    grid = grids.grid_over_polygon(area_polygon) if area_polygon is not None else grids.grid_around_points(x, y)
    cell = grid.cell_of(x, y)
    inside = cell >= 0
    counts = np.zeros((grid.n, len(back)))
    for k, years_back in enumerate(back):
        chosen = inside & (located["years_back"].to_numpy() == years_back)
        counts[:, k] = np.bincount(cell[chosen], minlength=grid.n)
    cx, cy = grid.centres()
    zone = located.loc[inside, "zone"].groupby(cell[inside]).agg(lambda s: s.mode().iat[0])
    latest = inside & (located["years_back"].to_numpy() == back[-1])
    frame = pd.DataFrame({"id": np.arange(grid.n), "x": cx, "y": cy, "zone": zone.reindex(range(grid.n)).fillna("").to_numpy(),
                          "density": quartic_density(x[latest], y[latest], cx, cy)})
    surface = _surface("250 m grid cell", counts, labels, grid.neighbourhood(), frame)
    surface.geometry, surface.grid = grid.boxes(), grid
    surface.event_cell = pd.Series(cell, index=located.index)
    return add_quarterly_emerging(surface, violence)


def quarter_positions(violence: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Each row's quarter of the complete years (0 = the oldest; -1 outside them) and the quarters' labels
    ('Jan - Mar 2025'), counted back from the latest month of the assessment year."""
    back, _ = _years(violence)
    if not back:
        return np.full(len(violence), -1), []
    latest = pd.Period(violence.loc[violence["years_back"] == 0, "month"].max(), "M")
    months_back = (latest.ordinal - pd.PeriodIndex(violence["month"], freq="M").asi8).astype(int)
    quarters = 4 * len(back)
    quarter_back = months_back // 3
    inside = np.isin(violence["years_back"].to_numpy(), back) & (quarter_back < quarters) & (quarter_back >= 0)
    labels = [f"{(latest - 3 * q - 2).strftime('%b')} - {(latest - 3 * q).strftime('%b %Y')}" for q in range(quarters)][::-1]
    return np.where(inside, quarters - 1 - quarter_back, -1), labels


def add_quarterly_emerging(surface: Surface, violence: pd.DataFrame) -> Surface:
    """Gi* on each quarter of the complete years and the quarterly emerging rule (methods.hotspots.emerging_streaks):
    the quarter each cell began to emerge ('' when it is not emerging), in `emerging since`."""
    surface.units["emerging since"] = ""
    if surface.event_cell is None:
        return surface
    position, labels = quarter_positions(violence.loc[surface.event_cell.index])
    if len(labels) < 2:
        return surface
    cell = surface.event_cell.to_numpy()
    chosen = (cell >= 0) & (position >= 0)
    counts = np.zeros((len(surface.units), len(labels)))
    np.add.at(counts, (cell[chosen], position[chosen]), 1)
    hot = np.column_stack([hotspots(counts[:, q], surface.neighbourhood).hot for q in range(len(labels))])
    since = emerging_streaks(hot)
    surface.units["emerging since"] = [labels[len(labels) - s] if s else "" for s in since]
    surface.quarters = labels
    return surface


def lsoa_surface(violence: pd.DataFrame, geography: pd.DataFrame, area_codes, lsoa_polygons=None) -> Surface | None:
    """Gi* on the area's LSOAs: neighbours touch (boundaries) or are the six nearest centroids (none)."""
    back, labels = _years(violence)
    lsoas = geography[geography["district_code"].isin(area_codes)].sort_values("lsoa21").reset_index(drop=True)
    if not back or lsoas.empty:
        return None
    counts = np.column_stack([violence[violence["years_back"] == k]["lsoa21"].value_counts().reindex(lsoas["lsoa21"], fill_value=0)
                              for k in back]).astype(float)
    x, y = grids.to_bng(lsoas["longitude"], lsoas["latitude"])
    polygons = None
    if lsoa_polygons is not None and set(lsoas["lsoa21"]) <= set(lsoa_polygons.index):
        polygons = lsoa_polygons.loc[lsoas["lsoa21"]].to_numpy()
        neighbourhood = grids.touching(polygons)
    else:
        neighbourhood = grids.nearest(x, y)
    frame = pd.DataFrame({"id": lsoas["lsoa21"], "name": lsoas["lsoa21_name"], "ward": lsoas["ward_name"], "x": x, "y": y,
                          "zone": lsoas["zone"]})
    surface = _surface("LSOA", counts, labels, neighbourhood, frame)
    surface.geometry = polygons
    return surface


def _name(events: pd.DataFrame, config: AssessmentConfig) -> str:
    """A configured zone holding most of the group's events, else its busiest street and ward."""
    zones = events["zone"].value_counts()
    if len(zones) and zones.index[0] != "" and zones.iloc[0] >= len(events) / 2:
        return str(zones.index[0])
    street = events["location"].str.replace(r"^On or near ", "", regex=True).value_counts()
    ward = events["ward_name"].value_counts()
    where = f"{street.index[0]}" if len(street) else "unnamed place"
    return f"{where} area, {ward.index[0]} ward" if len(ward) else f"{where} area"


HOTSPOT_CELLS_IN = "Hotspot cells in "


def ranked_hotspots(surface: Surface, violence: pd.DataFrame, records: pd.DataFrame | None,
                    config: AssessmentConfig) -> pd.DataFrame:
    """Groups of touching hotspot cells outside the city centre, ranked: emerging, persistent, intermittent,
    then former hotspots (one year of data: this year's hotspots), each by its count this year."""
    units = surface.units
    quarterly = units["emerging since"].ne("").to_numpy()
    candidate = units["class"].isin(HOT_CLASSES + (ONE_YEAR,)).to_numpy() | quarterly
    if config.city_centre:
        candidate &= (units["zone"] != config.city_centre).to_numpy()
    index = np.flatnonzero(candidate)
    if index.size == 0:
        return pd.DataFrame()
    _, group = connected_components(surface.neighbourhood[index][:, index], directed=False)
    located, cell = violence.loc[surface.event_cell.index], surface.event_cell.to_numpy()
    record_cell = None
    if records is not None:
        night = latest_violent_records(records)
        record_cell = surface.grid.cell_of(*grids.to_bng(night["longitude"], night["latitude"]))
    this_year, last_year = surface.years[-1], (surface.years[-2] if len(surface.years) > 1 else None)
    rank_of = {c: k for k, c in enumerate(HOT_CLASSES + (ONE_YEAR,))}
    centre = np.flatnonzero((units["zone"] == config.city_centre).to_numpy()) if config.city_centre else np.array([], int)
    named: dict[tuple[str, int | None], list[int]] = {}  # groups in the same configured zone are one hotspot
    for g in np.unique(group):
        cells = index[group == g]
        name = _name(located[np.isin(cell, cells)], config)
        named.setdefault((name, None if name in config.zones else g), []).extend(cells.tolist())
    rows = []
    for (name, _), cells in named.items():
        cells = np.asarray(cells)
        classes = units.loc[cells, "class"].where(~quarterly[cells], "emerging hotspot").value_counts()
        classes = classes[classes.index.isin(list(rank_of))]
        top = min(classes[classes == classes.max()].index, key=rank_of.get)
        if name not in config.zones and centre.size and surface.neighbourhood[cells][:, centre].sum() > 0:
            name += f", next to the {config.city_centre}"
        if name in config.zones:  # the hotspot is the zone's hot cells, not the zone, whose count is larger
            name = f"{HOTSPOT_CELLS_IN}{name}"
        row = {"Hotspot": name, "Class": top, "Emerging since (quarter)": surface.earliest_quarter(units.loc[cells]),
               "Cells": len(cells),
               "This year": int(units.loc[cells, this_year].sum()), "_rank": rank_of[top]}
        if last_year:
            change = compare_counts(row["This year"], int(units.loc[cells, last_year].sum()))
            row |= {"Last year": change.previous, "Change (offences)": change.change, "Change (%)": change.percent_change,
                    "Rate ratio (95% CI)": Estimate(change.rate_ratio, change.ratio_lower, change.ratio_upper)}
        if record_cell is not None:
            mine = night[np.isin(record_cell, cells)]
            row["Night-time-economy share"] = Proportion(int(in_night_time_economy(mine, config.night_time_economy).sum()),
                                                         len(mine))
        if row["This year"] == 0:  # hot only through its neighbours' counts, which another group holds
            continue
        rows.append(row)
    if not rows:
        return pd.DataFrame()
    table = pd.DataFrame(rows).sort_values(["_rank", "This year"], ascending=[True, False]).drop(columns="_rank")
    table.insert(0, "Rank", range(1, len(table) + 1))
    return protect(table.reset_index(drop=True), ["This year", "Last year"],
                   ["Change (offences)", "Change (%)", "Rate ratio (95% CI)"])


def zone_classes(surface: Surface, zones: list[str]) -> pd.DataFrame:
    """For each configured zone, how many of its cells fall in each class, and the zone's class: the most common
    class among its cells that have one ('no pattern' when none has)."""
    rows = []
    for zone in zones:
        cells = surface.units[surface.units["zone"] == zone]
        classes = cells["class"].value_counts()
        classed = classes.drop("no pattern", errors="ignore")
        rows.append({"Zone": zone, "Cells": len(cells), "Hot this year": int(cells["hot"].sum()),
                     "Zone's class": classed.idxmax() if len(classed) else "no pattern",
                     "Emerging cells (quarters)": int(cells["emerging since"].ne("").sum()),
                     "Emerging since": surface.earliest_quarter(cells),
                     **{c: int(classes.get(c, 0)) for c in (*HOT_CLASSES, "no pattern")}})
    return pd.DataFrame(rows)

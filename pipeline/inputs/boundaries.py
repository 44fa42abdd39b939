"""ONS boundary polygons (GeoJSON, as the ONS Open Geography Portal publishes them) for the maps and for which
LSOAs neighbour which.

Every `*.geojson` file in the boundaries folder is read; its layer is known from its code field (LSOA21CD for
2021 LSOAs, WDyyCD for wards, LADyyCD for districts, in either case as ONS varies it). The result is one table of
layer, code, name and polygon in British National Grid metres. A folder without boundary files gives an empty
table: the chapter then draws LSOA centroids or grid cells instead, and says so.
"""
from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from pipeline.errors import InputDataError
from pipeline.methods.grid import BNG

LAYERS = {"lsoa": r"^LSOA21CD$", "ward": r"^WD\d\dCD$", "district": r"^LAD\d\dCD$"}
COLUMNS = ["layer", "code", "name", "geometry"]


def _layer(path: Path, columns: list[str]) -> tuple[str, str, str]:
    for layer, pattern in LAYERS.items():
        code = next((c for c in columns if re.match(pattern, c, flags=re.IGNORECASE)), None)
        if code:
            name = code[:-2] + ("NM" if code[-2:].isupper() else "nm")
            if name not in columns:
                raise InputDataError(path, f"has the code field '{code}' but not its name field '{name}'.",
                                     "use the ONS file as published (code and name fields).")
            return layer, code, name
    raise InputDataError(path, f"no ONS code field for a 2021 LSOA, ward or district (fields: {', '.join(columns)}).",
                         "use an ONS boundary file with LSOA21CD, WDyyCD or LADyyCD, or move the file out of the folder.")


def empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: pd.Series(dtype=str) for c in COLUMNS[:-1]}, geometry=gpd.GeoSeries(crs=BNG))


def load_boundaries(folder: Path) -> gpd.GeoDataFrame:
    """Every boundary layer in `folder` (none: an empty table)."""
    parts = []
    for path in sorted(Path(folder).glob("*.geojson")) if Path(folder).is_dir() else []:
        try:
            frame = gpd.read_file(path)
        except Exception as error:  # pyogrio names the problem; the message adds the file and the fix
            raise InputDataError(path, f"could not be read as GeoJSON ({error}).",
                                 "replace it with the file as downloaded from the ONS Open Geography Portal.") from None
        layer, code, name = _layer(path, list(frame.columns))
        if frame.crs is None:
            frame = frame.set_crs("EPSG:4326")
        bad = frame.geometry.isna() | ~frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 1
            raise InputDataError(path, f"feature {row} ({frame[code].iloc[row - 1]}) has no polygon.",
                                 "use the ONS file as published.", row=row)
        frame = frame.to_crs(BNG)
        parts.append(gpd.GeoDataFrame({"layer": layer, "code": frame[code].astype(str), "name": frame[name].astype(str)},
                                      geometry=frame.geometry.make_valid(), crs=BNG))
    if not parts:
        return empty()
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=BNG)

"""police.uk files read once for several partnerships (pipeline.batch): the rows any of them reads, read with the
union of their districts, and each partnership's rows cut from those exactly as its own reading would keep them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.inputs.police_uk import AreaFilter, read_area
from pipeline.inputs.sources import FIELDS_COLUMN, FILE_COLUMN, TableSource


class SharedRead:
    """A drop-in for police_uk.read_area. The first call for a set of files reads them with `union` (an AreaFilter
    over every partnership's districts); each call then applies the caller's own AreaFilter file by file to those
    rows. As every district of the caller is in the union, the union's rows hold all the caller's: its rows in
    area, its unknown codes, and its no-location and broken rows (read in a file with rows of the union whenever the
    file has rows of the caller). Rows the caller leaves are added to its count outside the area, so its
    rows read = outside + kept + rejected still holds."""

    def __init__(self, union: AreaFilter):
        self.union = union
        self._read: dict[tuple, tuple[pd.DataFrame, int]] = {}

    def __call__(self, sources: list[TableSource], columns: list[str], area: AreaFilter | None) -> tuple[pd.DataFrame, int]:
        if area is None or not set(area.districts) <= set(self.union.districts):
            return read_area(sources, columns, area)
        key = (tuple(source.label for source in sources), tuple(columns))
        if key not in self._read:
            self._read[key] = read_area(sources, columns, self.union)
        frame, outside = self._read[key]
        if frame.empty or "LSOA code" not in frame.columns:
            return frame.copy(), outside
        keep = np.zeros(len(frame), dtype=bool)
        codes, broken = frame["LSOA code"].astype(str).to_numpy(), frame[FIELDS_COLUMN].to_numpy() != 0
        for rows in frame.groupby(FILE_COLUMN, sort=False).indices.values():
            keep[rows] = area.keep(codes[rows], broken=broken[rows])
        return frame.loc[keep].reset_index(drop=True), outside + int((~keep).sum())

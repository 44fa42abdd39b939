"""A regular grid in British National Grid metres, where each event falls in it, and who neighbours whom.

Cells are squares of `size` metres with corners on multiples of `size` (so that two runs, or two partnerships,
share cells). The neighbourhood of a cell for Getis-Ord Gi* is the cell and the eight around it (queen
contiguity, as sfhotspot's default of one cell's distance in every direction). Areas such as LSOAs neighbour
when their boundaries touch, with a few metres' tolerance because boundary layers are generalised (libpysal's
fuzzy contiguity); without boundaries, the k nearest centroids (made symmetric).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import scipy.sparse as sparse
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

BNG = "EPSG:27700"
CELL_METRES = 250
NEAREST = 6


@cache
def _to_bng() -> Transformer:  # built on first use: building it is most of this module's import time
    return Transformer.from_crs("EPSG:4326", BNG, always_xy=True)


def to_bng(longitude: np.ndarray, latitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude and latitude to British National Grid easting and northing (metres)."""
    x, y = _to_bng().transform(np.asarray(longitude, dtype=float), np.asarray(latitude, dtype=float))
    return np.asarray(x), np.asarray(y)


@dataclass(frozen=True)
class Grid:
    size: float
    column: np.ndarray  # absolute column and row numbers: the cell's corner is (column * size, row * size)
    row: np.ndarray

    @property
    def n(self) -> int:
        return len(self.column)

    @cached_property
    def _index(self) -> dict[tuple[int, int], int]:
        return {(c, r): i for i, (c, r) in enumerate(zip(self.column.tolist(), self.row.tolist()))}

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The index of the cell holding each point, -1 outside the grid (or for a missing point)."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        ok = np.isfinite(x) & np.isfinite(y)
        column = np.floor(np.where(ok, x, 0) / self.size).astype(np.int64)
        row = np.floor(np.where(ok, y, 0) / self.size).astype(np.int64)
        found = np.array([self._index.get(key, -1) for key in zip(column.tolist(), row.tolist())], dtype=np.int64)
        return np.where(ok, found, -1)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        return (self.column + 0.5) * self.size, (self.row + 0.5) * self.size

    def boxes(self) -> np.ndarray:
        x, y = self.column * self.size, self.row * self.size
        return shapely.box(x, y, x + self.size, y + self.size)

    def neighbourhood(self) -> sparse.csr_matrix:
        """Binary n x n: each cell with itself and the (up to) eight cells around it."""
        index = self._index
        rows, cols = [], []
        for i, (c, r) in enumerate(zip(self.column.tolist(), self.row.tolist())):
            for dc in (-1, 0, 1):
                for dr in (-1, 0, 1):
                    j = index.get((c + dc, r + dr))
                    if j is not None:
                        rows.append(i)
                        cols.append(j)
        return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(self.n, self.n))


def grid_over_polygon(polygon, size: float = CELL_METRES) -> Grid:
    """Every cell that overlaps the polygon (in BNG metres)."""
    minx, miny, maxx, maxy = polygon.bounds
    columns = np.arange(np.floor(minx / size), np.ceil(maxx / size), dtype=np.int64)
    rows = np.arange(np.floor(miny / size), np.ceil(maxy / size), dtype=np.int64)
    column, row = (a.ravel() for a in np.meshgrid(columns, rows, indexing="ij"))
    boxes = shapely.box(column * size, row * size, (column + 1) * size, (row + 1) * size)
    keep = shapely.intersects(boxes, polygon) & (shapely.area(shapely.intersection(boxes, polygon)) > 0)
    return Grid(size, column[keep], row[keep])


def grid_around_points(x: np.ndarray, y: np.ndarray, size: float = CELL_METRES, reach: float = 500) -> Grid:
    """Without a boundary: every cell within `reach` metres (in cells, rounded up) of a cell with an event."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    occupied = set(zip(np.floor(x[ok] / size).astype(np.int64).tolist(), np.floor(y[ok] / size).astype(np.int64).tolist()))
    steps = int(np.ceil(reach / size))
    cells = {(c + dc, r + dr) for c, r in occupied for dc in range(-steps, steps + 1) for dr in range(-steps, steps + 1)}
    ordered = sorted(cells)
    return Grid(size, np.array([c for c, _ in ordered], dtype=np.int64), np.array([r for _, r in ordered], dtype=np.int64))


def with_self(adjacency: sparse.spmatrix) -> sparse.csr_matrix:
    """A binary, symmetric neighbourhood with ones on the diagonal (what Gi* needs)."""
    a = sparse.csr_matrix(adjacency, dtype=float)
    a = ((a + a.T) > 0).astype(float)
    a.setdiag(1.0)
    a.eliminate_zeros()
    return sparse.csr_matrix(a)


def touching(polygons: np.ndarray, tolerance: float = 5.0) -> sparse.csr_matrix:
    """Areas whose boundaries (in metres) touch or come within `tolerance` of each other (fuzzy contiguity,
    libpysal.weights.fuzzy_contiguity), each with itself."""
    import geopandas as gpd
    from libpysal.weights import fuzzy_contiguity

    frame = gpd.GeoDataFrame(geometry=list(polygons), crs=BNG)
    with warnings.catch_warnings():  # libpysal 4.14 uses a pandas keyword that pandas 3.1 deprecates
        warnings.simplefilter("ignore")
        weights = fuzzy_contiguity(frame, buffering=True, buffer=tolerance, silence_warnings=True)
    return with_self(weights.sparse)


def nearest(x: np.ndarray, y: np.ndarray, k: int = NEAREST) -> sparse.csr_matrix:
    """Each point with its k nearest others (made symmetric), each with itself: for areas without boundaries."""
    points = np.column_stack([x, y])
    k = min(k, len(points) - 1)
    if k < 1:
        return sparse.identity(len(points), format="csr")
    _, neighbours = cKDTree(points).query(points, k=k + 1)
    rows = np.repeat(np.arange(len(points)), k)
    adjacency = sparse.csr_matrix((np.ones(rows.size), (rows, neighbours[:, 1:].ravel())), shape=(len(points),) * 2)
    return with_self(adjacency)

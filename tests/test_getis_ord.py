"""Getis-Ord Gi* against the reference library (esda) and a hand-worked cell; the grid and its neighbourhoods."""
import math

import numpy as np
import pytest
import scipy.sparse as sparse

from pipeline.methods import grid as grids
from pipeline.methods.getis_ord import gi_star, hotspots


def test_gi_star_equals_esda_on_a_test_grid():
    esda = pytest.importorskip("esda")
    from libpysal.weights import lat2W

    rng = np.random.default_rng(7)
    y = rng.poisson(3, 8 * 6).astype(float)
    y[[9, 10, 15, 16]] += 12  # a 2 x 2 cluster (rows of six)
    w = lat2W(8, 6, rook=False)  # queen neighbours on an 8 x 6 lattice
    reference = esda.G_Local(y, w, transform="B", star=True, permutations=0)
    ours = gi_star(y, grids.with_self(w.sparse))
    np.testing.assert_allclose(ours, reference.Zs, rtol=1e-10, atol=1e-12)
    assert ours[[9, 10, 15, 16]].min() > 2


def test_gi_star_by_hand_on_a_three_cell_line():
    # Cells 0-1-2 in a line, values 1, 2, 6; cell 0's neighbourhood is {0, 1}: sum 3, W = 2.
    # mean 3, population sd sqrt(((1-3)^2 + (2-3)^2 + (6-3)^2) / 3) = sqrt(14/3); n = 3.
    w = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], float))
    expected = (3 - 3 * 2) / (math.sqrt(14 / 3) * math.sqrt((3 * 2 - 4) / 2))
    assert gi_star(np.array([1.0, 2.0, 6.0]), w)[0] == pytest.approx(expected)
    # The middle cell's neighbourhood is everything: z is 0/0, reported as 0 (no evidence either way).
    assert gi_star(np.array([1.0, 2.0, 6.0]), w)[1] == 0.0


def test_gi_star_refuses_a_neighbourhood_without_the_cell_itself():
    with pytest.raises(ValueError, match="diagonal"):
        gi_star(np.ones(3), sparse.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], float)))


def test_a_flat_surface_has_no_hotspot_and_a_strong_cluster_is_hot():
    grid = grids.Grid(250, *np.meshgrid(np.arange(10), np.arange(10), indexing="ij"))
    grid = grids.Grid(250, grid.column.ravel(), grid.row.ravel())
    flat = hotspots(np.full(grid.n, 4.0), grid.neighbourhood())
    assert not flat.hot.any() and not flat.cold.any()
    y = np.random.default_rng(5).poisson(2, grid.n).astype(float)
    centre = grid.cell_of([1125.0], [1125.0])[0]  # cell (4, 4)
    cluster = np.flatnonzero(grid.neighbourhood()[centre].toarray().ravel())
    y[cluster] += 10  # a 3 x 3 block of busy cells: a cluster, which is what Gi* finds
    result = hotspots(y, grid.neighbourhood())
    assert result.hot[centre] and result.q[centre] < 0.05 and not result.cold[cluster].any()
    lone = np.full(grid.n, 2.0)
    lone[centre] = 60  # one busy cell among quiet ones is an outlier, not a cluster: the shuffles put it anywhere
    assert not hotspots(lone, grid.neighbourhood()).hot.any()


def test_grid_cells_hold_their_points_and_neighbour_in_eight_directions():
    grid = grids.grid_around_points(np.array([1000.0]), np.array([2000.0]), size=250, reach=250)
    assert grid.n == 9  # the occupied cell and the ring around it
    assert grid.cell_of([1000.0, 1249.9, 10.0], [2000.0, 2249.9, 10.0]).tolist()[2] == -1
    inside = grid.cell_of([1000.0], [2000.0])[0]
    assert grid.neighbourhood()[inside].sum() == 9  # the centre cell sees all nine
    assert grid.cell_of([np.nan], [1.0]).tolist() == [-1]


def test_grid_over_a_polygon_keeps_only_overlapping_cells():
    shapely = pytest.importorskip("shapely")
    square = shapely.box(0, 0, 500, 500)
    assert grids.grid_over_polygon(square, 250).n == 4  # cells touching at an edge only are left out


def test_bng_projection_of_a_known_point():
    # King's College Chapel, Cambridge: about TL 4477 5843 (easting 544770, northing 258430).
    x, y = grids.to_bng(np.array([0.1164]), np.array([52.2049]))
    assert abs(x[0] - 544770) < 150 and abs(y[0] - 258430) < 150


def test_nearest_neighbourhoods_are_symmetric_with_self():
    rng = np.random.default_rng(1)
    w = grids.nearest(rng.random(20) * 1000, rng.random(20) * 1000, k=3)
    assert (w.diagonal() == 1).all() and (w != w.T).nnz == 0 and (w.sum(axis=1) >= 4).all()


def _shuffled_p(values, neighbourhood, shuffles, seed):
    """The randomisation p-value by shuffling the whole map each time (the definition, slowly)."""
    rng = np.random.default_rng(seed)
    observed = neighbourhood @ values
    sums = np.array([neighbourhood @ rng.permutation(values) for _ in range(shuffles)])
    above, below = (sums >= observed - 1e-9).sum(axis=0), (sums <= observed + 1e-9).sum(axis=0)
    return np.minimum(1.0, 2 * (1 + np.minimum(above, below)) / (1 + shuffles))


@pytest.mark.parametrize("side, mean", [(12, 0.3), (12, 3.0), (5, 1.0)])
def test_p_values_by_neighbourhood_size_equal_shuffling_the_whole_map(side, mean):
    """Drawing each neighbourhood size's sums once is the same test as shuffling the map: on grids whose cells
    have 4, 6 and 9 cells in their neighbourhoods (a 5 x 5 grid: 9 of 25 values, drawn from a small map), the
    p-values agree within the Monte Carlo error of 9,999 draws."""
    from pipeline.methods.getis_ord import permutation_p

    grid = grids.Grid(250, *(a.ravel() for a in np.meshgrid(np.arange(side), np.arange(side), indexing="ij")))
    w = sparse.csr_matrix(grid.neighbourhood(), dtype=float)
    y = np.random.default_rng(side).poisson(mean, grid.n).astype(float)
    y[:4] += 6
    ours, reference = permutation_p(y, w), _shuffled_p(y, w, 9999, seed=1)
    one_sided = np.minimum(ours, reference) / 2
    # each estimate of the one-sided share has sd sqrt(p (1 - p) / 9999); the two-sided p doubles it; two estimates
    sd = 2 * np.sqrt(2 * one_sided * (1 - one_sided) / 9999)
    assert np.all(np.abs(ours - reference) <= 5 * sd + 2 / 9999)

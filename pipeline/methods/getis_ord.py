"""Getis-Ord Gi*: is a cell's neighbourhood (the cell and its neighbours) busier than chance would make it?

Ord J.K. & Getis A. (1995) "Local spatial autocorrelation statistics: distributional issues and an
application", Geographical Analysis 27:286-306, eq. 14, with binary weights that include the cell itself:

    Gi* = (sum_j w_ij x_j - xbar W_i) / (s sqrt((n W_i - W_i^2) / (n - 1)))

where W_i is the number of cells in i's neighbourhood, xbar and s the mean and (population) standard deviation
of all n cells: the same numbers as esda's `G_Local(y, w, transform="B", star=True).Zs` (tests/test_getis_ord.py).

Gi* is a z-score, but reading its p-value off the normal curve is wrong for counts of events in small cells:
on maps with no clustering at all (Poisson counts, mean 0.1 to 2 a cell) the normal p-values with a 5%
false-discovery correction found a "hotspot" on 8% to 59% of maps (python benchmarks/gistar_null.py, 100 maps a mean). So the p-value
is the randomisation test Ord and Getis derive Gi*'s moments from: the observed values are shuffled over the
cells PERMUTATIONS times (total randomisation, as esda's `p_sim` but without holding the cell's own value), and
p is the two-sided share of shuffles whose Gi* is at least as extreme, (1 + k) / (1 + permutations), doubled and
capped at 1 (simulated once for each neighbourhood size, which is all the shuffle's distribution for a cell
depends on: see `permutation_p`). The cells are then corrected together with the Benjamini-Hochberg false-discovery rate (sfhotspot's
`hotspot_gistar` offers the same adjustment). The shuffles use a fixed seed, so a rerun gives the same map.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sparse

from pipeline.methods.associations import benjamini_hochberg

FDR = 0.05
PERMUTATIONS = 9999
SEED = 20250331


def gi_star(values: np.ndarray, neighbourhood: sparse.spmatrix) -> np.ndarray:
    """Gi* z-score of each cell; `neighbourhood` is binary, n x n, with ones on the diagonal."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    w = sparse.csr_matrix(neighbourhood, dtype=float)
    if w.shape != (n, n):
        raise ValueError(f"the neighbourhood matrix is {w.shape}, the values {n}")
    if np.any(w.diagonal() != 1):
        raise ValueError("Gi* counts the cell itself: the neighbourhood matrix needs ones on its diagonal")
    mean, sd = x.mean(), x.std()
    cardinality = np.asarray(w.sum(axis=1)).ravel()
    spread = np.sqrt(np.maximum(n * cardinality - cardinality ** 2, 0) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (w @ x - mean * cardinality) / (sd * spread)
    return np.where(np.isfinite(z), z, 0.0)


def _subset_sums(x: np.ndarray, size: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Sums of `size` of the values drawn without replacement, `draws` times: what a cell with `size` cells in its
    neighbourhood sums to when the values are shuffled over the map."""
    n = len(x)
    if size * 4 > n:  # most of the values: a random order of all of them (n is small here)
        chosen = np.argsort(rng.random((draws, n)), axis=1)[:, :size]
    else:  # a few of many: uniform draws, redrawing any with a value twice
        chosen = rng.integers(0, n, (draws, size))
        while size > 1:
            ordered = np.sort(chosen, axis=1)
            repeated = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
            if not repeated.any():
                break
            chosen[repeated] = rng.integers(0, n, (int(repeated.sum()), size))
    return x[chosen].sum(axis=1)


def permutation_p(values: np.ndarray, neighbourhood: sparse.spmatrix, permutations: int = PERMUTATIONS,
                  seed: int = SEED) -> np.ndarray:
    """Two-sided randomisation p-value of each cell's Gi* (see the module's docstring).

    Gi* is increasing in the neighbourhood sum for a fixed cell, so the sums are compared. Shuffling the values
    over the cells hands a neighbourhood of k cells k of the values drawn without replacement, whichever cell it
    is: the reference distribution depends only on k. So it is simulated once for each neighbourhood size, not
    once for each cell: the same test, at a cost that no longer grows with the number of cells (the violence
    chapter's 250 m grids over a rural district have thousands of cells, each year)."""
    x = np.asarray(values, dtype=float)
    w = sparse.csr_matrix(neighbourhood, dtype=float)
    observed = w @ x
    sizes = np.diff(w.indptr)
    rng = np.random.default_rng(seed)
    above = np.zeros(len(x))
    below = np.zeros(len(x))
    for size in np.unique(sizes):
        cells = sizes == size
        simulated = np.sort(_subset_sums(x, int(size), permutations, rng))
        above[cells] = permutations - np.searchsorted(simulated, observed[cells] - 1e-9, side="left")
        below[cells] = np.searchsorted(simulated, observed[cells] + 1e-9, side="right")
    one_sided = (1 + np.minimum(above, below)) / (1 + permutations)
    return np.minimum(1.0, 2 * one_sided)


@dataclass(frozen=True)
class Hotspots:
    z: np.ndarray
    p: np.ndarray
    q: np.ndarray  # Benjamini-Hochberg adjusted p
    hot: np.ndarray
    cold: np.ndarray


def hotspots(values: np.ndarray, neighbourhood: sparse.spmatrix, fdr: float = FDR,
             permutations: int = PERMUTATIONS, seed: int = SEED) -> Hotspots:
    """Gi* with randomisation p-values, FDR-adjusted: hot where z > 0 and q < fdr, cold where z < 0 and q < fdr."""
    z = gi_star(values, neighbourhood)
    p = permutation_p(values, neighbourhood, permutations, seed)
    q = benjamini_hochberg(p)
    return Hotspots(z, p, q, (z > 0) & (q < fdr), (z < 0) & (q < fdr))

"""How often Gi* finds a 'hotspot' on a map with no clustering: normal-curve p-values against the randomisation
p-values the chapter uses, each with a 5% Benjamini-Hochberg false-discovery rate.

    python benchmarks/gistar_null.py [--maps 100]

Counts are independent Poisson on a 28 x 26 grid of 250 m cells (728 cells, about Cambridge's 737), at several
mean counts a cell. The share of maps with any hotspot should be at most about 5% (the FDR equals the family-wise
rate when nothing is there). Prints the two shares and their ratio for each mean.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.methods import grid as grids  # noqa: E402
from pipeline.methods.associations import benjamini_hochberg  # noqa: E402
from pipeline.methods.getis_ord import FDR, gi_star, hotspots  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--maps", type=int, default=100)
    args = parser.parse_args()
    column, row = (a.ravel() for a in np.meshgrid(np.arange(28), np.arange(26), indexing="ij"))
    grid = grids.Grid(250, column, row)
    w = grid.neighbourhood()
    rng = np.random.default_rng(1)
    print(f"{'mean a cell':>12} {'normal p: maps with a hotspot':>30} {'randomisation p':>16} {'ratio':>6}")
    for mean in (0.1, 0.5, 2.0, 8.0):
        normal = shuffled = 0
        for _ in range(args.maps):
            y = rng.poisson(mean, grid.n).astype(float)
            z = gi_star(y, w)
            normal += bool(((benjamini_hochberg(2 * stats.norm.sf(np.abs(z))) < FDR) & (z > 0)).any())
            shuffled += bool(hotspots(y, w, seed=int(rng.integers(2**31))).hot.any())
        ratio = normal / shuffled if shuffled else float("inf")
        print(f"{mean:>12} {normal / args.maps:>30.1%} {shuffled / args.maps:>16.1%} {ratio:>6.1f}")


if __name__ == "__main__":
    main()

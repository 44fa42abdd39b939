"""The natural-variation screen for a family of year-on-year changes: one multiplicity policy for every table.

A table of several changes (crime types, wards, zones, service measures, targets) is a family of tests: read
each at p < 0.05 and one change in twenty is called real by chance. Every family is held at a 5% false
discovery rate by Benjamini-Hochberg q-values (Benjamini Y. & Hochberg Y. (1995) J R Stat Soc B 57:289-300),
the family named in the table's note. A change whose counts are under MIN_RELIABLE_COUNT is 'too few to tell'
and takes no part in the family. Where a change is not beyond natural variation, the smallest change the test
would have detected with 80% power is given, sized for the family: under BH a lone real change among m must
reach p <= 0.05 / m (statistics.detectable_change).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeline.methods.associations import benjamini_hochberg
from pipeline.methods.statistics import ALPHA, CountComparison, Detectable

TOO_FEW = "too few to tell"


@dataclass(frozen=True)
class Screen:
    """One change's place in its family: q-value, 'yes' / 'no' / 'too few to tell', and the detectable change."""

    q_value: float
    beyond: str
    detectable: Detectable | None


def screen_family(changes: list[CountComparison]) -> list[Screen]:
    """Each change screened within the family of all of them (BH), in the order given."""
    tested = [i for i, change in enumerate(changes) if not change.too_small]
    q = np.full(len(changes), math.nan)
    if tested:
        q[tested] = benjamini_hochberg([changes[i].p_value for i in tested])
    out = []
    for i, change in enumerate(changes):
        if change.too_small:
            out.append(Screen(math.nan, TOO_FEW, None))
        elif q[i] <= ALPHA:
            out.append(Screen(float(q[i]), "yes", None))
        else:
            out.append(Screen(float(q[i]), "no", change.detectable(len(tested))))
    return out

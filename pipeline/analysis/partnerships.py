"""Partnerships compared: each partnership's counts and rates per 1,000 residents in the assessment year, with exact
(Garwood) intervals, and where each falls on a funnel plot around the rate of all the partnerships compared
(Spiegelhalter 2005; pipeline.methods.funnel, whose false-alarm rate is checked by simulation in the domestic-abuse
chapter's tests), and each partnership against its own Most Similar Group when a families file is configured. Counts
from 1 to 4 are not published (pipeline.methods.disclosure)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.methods.disclosure import is_small, protect
from pipeline.methods.funnel import funnel
from pipeline.methods.statistics import compare_counts, rate_per

ASB = "Anti-social behaviour"
MEASURES = ("All crime (excluding ASB)", ASB, "Violence and sexual offences")


@dataclass(frozen=True)
class Unit:
    """One partnership: its police.uk rows of the assessment year (processed, with district codes) and residents."""

    name: str
    code: str
    districts: tuple[str, ...]
    crimes: pd.DataFrame
    population: int


def _count(crimes: pd.DataFrame, districts: tuple[str, ...], measure: str) -> int:
    rows = crimes[crimes["district_code"].isin(districts) & crimes["assessment_period"].eq("current")]
    if measure == MEASURES[0]:
        return int(rows["crime_type"].ne(ASB).sum())
    return int(rows["crime_type"].eq(measure).sum())


def comparison(units: list[Unit]) -> pd.DataFrame:
    """One row per partnership and measure: count, rate per 1,000 with its 95% interval, the common rate and the
    funnel position. Numbers stay numbers; small counts are suppressed with the figures derived from them."""
    rows = []
    for measure in MEASURES:
        counts = [_count(unit.crimes, unit.districts, measure) for unit in units]
        populations = [unit.population for unit in units]
        placed = funnel(counts, populations) if len(units) > 1 and sum(populations) > 0 else None
        for i, (unit, count) in enumerate(zip(units, counts)):
            rate, low, high = rate_per(count, unit.population)
            rows.append({"partnership": unit.name, "csp_code": unit.code, "districts": ", ".join(unit.districts),
                         "population": unit.population, "measure": measure, "count": count, "rate_per_1000": rate,
                         "rate_low_95": low, "rate_high_95": high,
                         "common_rate_per_1000": None if placed is None else float(placed["common_rate"].iloc[i]),
                         "funnel_position": "" if placed is None else placed["position"].iloc[i]})
    frame = pd.DataFrame(rows)
    return protect(frame, counts=["count"], derived=["rate_per_1000", "rate_low_95", "rate_high_95", "funnel_position"])


FAMILY_COLUMNS = ["partnership", "csp_code", "measure", "family", "family_size", "family_rate_per_1000", "rate_ratio",
                  "ratio_low_95", "ratio_high_95", "p_value", "verdict"]


def family_comparison(table: pd.DataFrame, families: dict[str, list[str]]) -> pd.DataFrame:
    """Each partnership against its own Most Similar Group (`families`: CSP code -> peers' codes), from `comparison`'s
    numbers: the peers of the run pooled, and the partnership's rate ratio against them with its exact interval and
    the exact conditional test (pipeline.methods.statistics.compare_counts; its null rate is checked in
    tests/test_peers.py). Peers not in the run are left out (family_size counts those in it). A partnership whose own
    count is from 1 to 4, or whose peers' is, has no ratio (it would show the count)."""
    rows = []
    numbers = table[pd.to_numeric(table["count"], errors="coerce").notna()]
    for code, peer_codes in families.items():
        for measure, group in numbers.groupby("measure", sort=False):
            own, peers = group[group["csp_code"] == code], group[group["csp_code"].isin(peer_codes)]
            if own.empty or peers.empty:
                continue
            count, peer_count = int(own["count"].iloc[0]), int(peers["count"].sum())
            row = {"partnership": own["partnership"].iloc[0], "csp_code": code, "measure": measure,
                   "family": ", ".join(peers["partnership"]), "family_size": len(peers),
                   "family_rate_per_1000": peer_count / peers["population"].sum() * 1000}
            if not (is_small(count) or is_small(peer_count)):
                test = compare_counts(count, peer_count, float(own["population"].iloc[0]), float(peers["population"].sum()))
                row |= {"rate_ratio": test.rate_ratio, "ratio_low_95": test.ratio_lower, "ratio_high_95": test.ratio_upper,
                        "p_value": test.p_value, "verdict": ("higher than the family" if test.rate_ratio > 1 else
                                                             "lower than the family") if test.significant
                        else "not different from the family"}
            rows.append(row)
    return pd.DataFrame(rows).reindex(columns=FAMILY_COLUMNS)

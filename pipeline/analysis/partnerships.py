"""Partnerships compared: each partnership's counts and rates per 1,000 residents in the assessment year, with exact
(Garwood) intervals, and where each falls on a funnel plot around the rate of all the partnerships compared
(Spiegelhalter 2005; pipeline.methods.funnel, whose false-alarm rate is checked by simulation in the domestic-abuse
chapter's tests). Counts from 1 to 4 are not published (pipeline.methods.disclosure)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.methods.disclosure import protect
from pipeline.methods.funnel import funnel
from pipeline.methods.statistics import rate_per

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

"""Simulated partnerships for checking the association family (tests/test_null_simulations.py).

Each data set has violence and ASB records with realistic skew: most people have one record and a few have
many (1 + negative binomial), a person's age band is fixed (and under-18s are few), zones are small, person
identifiers and flags are often not recorded. The hard variant adds a dominant person and placeholder ids. With no effect, every flag is drawn independently of
everything (record by record); a planted effect raises the odds of one flag by a known ratio in the exposed
group of one question, the group being computed by the production code (analysis.family).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.analysis import family
from pipeline.inputs.config import NightTimeEconomy
from pipeline.inputs.placeholder_ids import blank_placeholders

ZONES = ["Zone A", "Zone B"]
NTE = NightTimeEconomy()
BASE_RATES = {"alcohol_flag": 0.30, "drugs_flag": 0.10, "mental_health_flag": 0.15}
COMPLETENESS = 0.8


PLACEHOLDERS = ("UNKNOWN", "N/A", "0", "not known", "-")


def _people(rng: np.random.Generator, records: int, prefix: str, hard: bool = False) -> np.ndarray:
    """Person ids for `records` records: 1 + NB(0.6, 0.35) records each, 25% of records with no id. `hard` adds
    the shapes real extracts have: one person on 10% to 25% of the records (a prolific individual, whose
    records are consecutive, so that they share a zone more often than chance), and a placeholder id ('UNKNOWN',
    'N/A', '0', ...) typed on 5% to 30% of them, read as ingest reads it (pipeline.inputs.placeholder_ids)."""
    per_person = 1 + rng.negative_binomial(0.6, 0.35, size=records)
    ids = np.repeat(np.arange(len(per_person)), per_person)[:records]
    out = np.char.add(prefix, ids.astype(str)).astype(object)
    out[rng.random(records) < 0.25] = ""
    if hard:
        share = rng.uniform(0.10, 0.25)
        start = rng.integers(0, records)
        out[(start + np.arange(int(share * records))) % records] = prefix + "dominant"
        typed = rng.random(records) < rng.uniform(0.05, 0.30)
        out[typed] = rng.choice(PLACEHOLDERS, size=int(typed.sum()))
        out = blank_placeholders(pd.Series(out), ())[0].to_numpy(dtype=object)
    return out


def _ages(rng: np.random.Generator, people: np.ndarray) -> np.ndarray:
    """One age per person (under 18 about 4%), 20% not recorded."""
    unique, codes = np.unique(people, return_inverse=True)
    age = rng.choice([15, 21, 30, 42, 60], size=len(unique), p=[0.04, 0.26, 0.32, 0.26, 0.12]).astype(float)
    out = age[codes]
    out[rng.random(len(people)) < 0.2] = np.nan
    return out


def _times(rng: np.random.Generator, n: int) -> pd.Series:
    start = pd.Timestamp("2024-04-01")
    return pd.Series(start + pd.to_timedelta(rng.integers(0, 365 * 24 * 60, size=n), "min"))


def _yes_no(rng: np.random.Generator, n: int, p_yes: float, completeness: float = 0.9) -> np.ndarray:
    values = np.where(rng.random(n) < p_yes, "Y", "N").astype(object)
    values[rng.random(n) >= completeness] = ""
    return values


def _zones(rng: np.random.Generator, people: np.ndarray) -> np.ndarray:
    """Most records outside the zones; a dominant person's records mostly in one zone (where they live)."""
    zone = rng.choice(["", *ZONES], size=len(people), p=[0.9, 0.06, 0.04]).astype(object)
    dominant = np.char.endswith(people.astype(str), "dominant")
    if dominant.any():
        zone[dominant & (rng.random(len(people)) < 0.7)] = rng.choice(ZONES)
    return zone


def frames(rng: np.random.Generator, violence_records: int = 2400, asb_records: int = 1600,
           hard: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Violence and ASB records with every column the family reads, flags not yet drawn (`hard`: see _people)."""
    suspects = _people(rng, violence_records, "S", hard)
    violence = pd.DataFrame({
        "reported_at": _times(rng, violence_records), "occurred_from": pd.NaT, "zone": _zones(rng, suspects),
        "suspect_id": suspects, "victim_id": _people(rng, violence_records, "V", hard), "suspect_age": _ages(rng, suspects),
        "domestic_flag": _yes_no(rng, violence_records, 0.3)})
    perpetrators = _people(rng, asb_records, "P", hard)
    asb = pd.DataFrame({
        "reported_at": _times(rng, asb_records), "zone": _zones(rng, perpetrators),
        "perpetrator_id": perpetrators, "victim_id": _people(rng, asb_records, "W", hard),
        "perpetrator_age": _ages(rng, perpetrators), "vulnerable_victim": _yes_no(rng, asb_records, 0.15),
        "street_based": _yes_no(rng, asb_records, 0.2)})
    return violence, asb


def draw_flags(rng: np.random.Generator, frame: pd.DataFrame, exposed: np.ndarray | None = None, flag: str = "",
               odds_ratio: float = 1.0) -> pd.DataFrame:
    """Each flag drawn record by record; `flag` has its odds multiplied by `odds_ratio` where `exposed`."""
    frame = frame.copy()
    for column, rate in BASE_RATES.items():
        logit = np.full(len(frame), np.log(rate / (1 - rate)))
        if column == flag and exposed is not None:
            logit = logit + np.log(odds_ratio) * exposed
        values = np.where(rng.random(len(frame)) < 1 / (1 + np.exp(-logit)), "Y", "N").astype(object)
        values[rng.random(len(frame)) >= COMPLETENESS] = ""
        frame[column] = values
    return frame


def null_family(rng: np.random.Generator, iom_ids: set[str] | None = None, hard: bool = False, scale: float = 1.0):
    """One data set with no effect, through the production family (`scale` shrinks it: at 1/8 many groups hold
    fewer than 20 people)."""
    violence, asb = frames(rng, int(2400 * scale), int(1600 * scale), hard)
    return family.association_family(draw_flags(rng, violence), draw_flags(rng, asb), NTE, ZONES, iom_ids)


def factor_mask(source: str, frame: pd.DataFrame, exposed_label: str) -> np.ndarray:
    """The exposed records of a question, as the production family defines them."""
    factors = family.violence_factors(frame, NTE, ZONES, set()) if source == "Violence" else family.asb_factors(frame, NTE, ZONES)
    factor = next(f for f in factors if f.exposed_label == exposed_label)
    return factor.exposed.to_numpy()


def planted_family(rng: np.random.Generator, source: str, exposed_label: str, flag: str, odds_ratio: float):
    """One data set with one planted effect; returns the test of that question."""
    violence, asb = frames(rng)
    frame = violence if source == "Violence" else asb
    frame = draw_flags(rng, frame, factor_mask(source, frame, exposed_label), flag, odds_ratio)
    factor = next(f for f in (family.violence_factors(frame, NTE, ZONES, set()) if source == "Violence"
                              else family.asb_factors(frame, NTE, ZONES)) if f.exposed_label == exposed_label)
    return family.evaluate(source, frame, flag, factor)

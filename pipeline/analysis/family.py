"""The family of association questions the plan asks about: for violence and for ASB, each flag (alcohol,
drugs, mental health, dual diagnosis) against each factor the data allow, every one a 2x2 comparison of an
exposed group of records against a stated reference group, Benjamini-Hochberg across the whole family.

Each question compares records (over those with the flag recorded), clustered by the person the flags
describe (the suspect for violence, the perpetrator for ASB; a repeat-victim question clusters by victim):
`methods.associations.clustered_odds_ratio` with the CR2 variance and Bell-McCaffrey degrees of freedom,
whose size stays nominal when one person (or a placeholder id read as one) holds a fifth of a group's records.
Where an expected count is under 5 the p-value is Fisher's
exact test on the records, which cannot allow for the clustering (said in the notes). A question with fewer
than 10 records in either group, or no flagged or no unflagged record, is listed as not testable with its
counts, never dropped.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from pipeline.analysis.flags import AGE_BANDS, FLAGS, age_band, in_night_time_economy
from pipeline.inputs.config import NightTimeEconomy
from pipeline.methods.associations import MIN_EXPECTED, AssociationTest, adjust, clustered_odds_ratio
from pipeline.methods.statistics import MIN_RELIABLE_COUNT

DUAL = "Dual diagnosis"
CLUSTERED_TEST = "clustered logistic (by person, CR2)"
FLAG_LABELS = {**{flag: label.lower() for flag, label in FLAGS.items()}, DUAL: "dual-diagnosis"}
REFERENCE_AGE_BAND = "25-34"
NOT_TESTABLE = "not testable"
DOMINANT_NOTE_SHARE = 0.10  # one person holding this share of a group's records is named in the table's notes


@dataclass(frozen=True)
class Factor:
    """Records of the exposed group against records of the reference group (boolean masks over one table)."""

    name: str
    exposed_label: str
    reference_label: str
    exposed: pd.Series
    reference: pd.Series
    cluster_column: str


def flag_values(frame: pd.DataFrame, flag: str) -> tuple[pd.Series, pd.Series]:
    """(recorded, flagged) for a flag column or for dual diagnosis (mental health with alcohol or drugs; recorded
    when all three are recorded)."""
    if flag != DUAL:
        values = frame[flag].fillna("")
        return values.ne(""), values.eq("Y")
    recorded = pd.Series(True, index=frame.index)
    for column in FLAGS:
        recorded &= frame[column].fillna("").ne("")
    yes = {column: frame[column].fillna("").eq("Y") for column in FLAGS}
    return recorded, yes["mental_health_flag"] & (yes["alcohol_flag"] | yes["drugs_flag"])


def _repeat(frame: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    person = frame[column].fillna("")
    counts = person.map(person[person.ne("")].value_counts()).fillna(0)
    return person.ne("") & (counts >= 2), person.ne("") & (counts == 1)


def _yes_no(frame: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    values = frame[column].fillna("")
    return values.eq("Y"), values.eq("N")


def _zones(frame: pd.DataFrame, zones: list[str], cluster: str) -> list[Factor]:
    zone = frame["zone"].fillna("") if "zone" in frame else pd.Series("", index=frame.index)
    return [Factor("zone", name, "elsewhere", zone.eq(name), zone.eq(""), cluster) for name in zones]


def _ages(frame: pd.DataFrame, column: str, cluster: str, who: str) -> list[Factor]:
    bands = age_band(frame[column].astype("Float64"))
    return [Factor(f"{who}'s age", label, REFERENCE_AGE_BAND, bands.eq(label), bands.eq(REFERENCE_AGE_BAND), cluster)
            for _, _, label in AGE_BANDS if label != REFERENCE_AGE_BAND]


def _window(frame: pd.DataFrame, nte: NightTimeEconomy, cluster: str) -> Factor:
    inside = in_night_time_economy(frame, nte)
    return Factor("time", "night-time economy", "other times", inside, ~inside, cluster)


def violence_factors(violence: pd.DataFrame, nte: NightTimeEconomy, zones: list[str], iom_ids: set[str]) -> list[Factor]:
    cluster = "suspect_id"
    factors = [_window(violence, nte, cluster), *_zones(violence, zones, cluster),
               *_ages(violence, "suspect_age", cluster, "suspect")]
    factors.append(Factor("suspect", "repeat suspect", "single-record suspect", *_repeat(violence, "suspect_id"), cluster))
    factors.append(Factor("victim", "repeat victim", "single-record victim", *_repeat(violence, "victim_id"), "victim_id"))
    factors.append(Factor("domestic abuse", "domestic-flagged", "not domestic", *_yes_no(violence, "domestic_flag"), cluster))
    if iom_ids:
        in_cohort = violence["suspect_id"].isin(iom_ids)
        factors.append(Factor("client group", "IOM cohort suspect", "other identified suspect", in_cohort,
                              violence["suspect_id"].fillna("").ne("") & ~in_cohort, cluster))
    return factors


def asb_factors(asb: pd.DataFrame, nte: NightTimeEconomy, zones: list[str]) -> list[Factor]:
    cluster = "perpetrator_id"
    return [Factor("perpetrator", "repeat perpetrator", "single-case perpetrator", *_repeat(asb, "perpetrator_id"), cluster),
            Factor("victim", "repeat victim", "single-case victim", *_repeat(asb, "victim_id"), "victim_id"),
            Factor("victim", "vulnerable victim", "other victim", *_yes_no(asb, "vulnerable_victim"), "victim_id"),
            Factor("place", "street-based", "not street-based", *_yes_no(asb, "street_based"), cluster),
            *_ages(asb, "perpetrator_age", cluster, "perpetrator"), _window(asb, nte, cluster), *_zones(asb, zones, cluster)]


def clusters(frame: pd.DataFrame, column: str) -> np.ndarray:
    """An integer code for the person each record belongs to; a record with no person is a cluster of its own."""
    person = frame[column].fillna("").astype(str).to_numpy()
    codes = pd.factorize(person)[0]
    alone = person == ""
    codes[alone] = codes.max() + 1 + np.arange(int(alone.sum()))
    return codes


def largest_share(people: np.ndarray, exposed: np.ndarray) -> float:
    """The largest share of either group's records that one person holds with 10 or more records (in a small
    group, one record of a single person is a large share of nothing)."""
    shares = [most / group.sum() for group in (exposed, ~exposed) if group.any()
              if (most := np.bincount(people[group]).max()) >= MIN_RELIABLE_COUNT]
    return float(max(shares, default=0.0))


QUESTION = "{source}: {flag} flag, {exposed} against {reference}"
QUESTION_PARTS = re.compile(r"^(?P<source>[^:]+): (?P<flag>.+?) flag, (?P<exposed>.+) against (?P<reference>.+)$")


def question_parts(question: str) -> dict[str, str] | None:
    """The parts of a question worded by QUESTION (source, flag, exposed, reference), or None for another wording."""
    found = QUESTION_PARTS.match(question)
    return found.groupdict() if found else None


def evaluate(source: str, frame: pd.DataFrame, flag: str, factor: Factor,
             flag_cache: dict | None = None, cluster_cache: dict | None = None) -> AssociationTest:
    """One question: the 2x2 table of records, its odds ratio and p-value, or 'not testable' with its counts.
    The caches hold each flag's values and each person column's codes for one frame."""
    question = QUESTION.format(source=source, flag=FLAG_LABELS[flag], exposed=factor.exposed_label,
                               reference=factor.reference_label)
    flag_cache = {} if flag_cache is None else flag_cache
    cluster_cache = {} if cluster_cache is None else cluster_cache
    if flag not in flag_cache:
        flag_cache[flag] = tuple(values.to_numpy(dtype=bool) for values in flag_values(frame, flag))
    if factor.cluster_column not in cluster_cache:
        cluster_cache[factor.cluster_column] = clusters(frame, factor.cluster_column)
    recorded, flagged = flag_cache[flag]
    exposed, reference = factor.exposed.to_numpy() & recorded, factor.reference.to_numpy() & recorded
    a, c = int((exposed & flagged).sum()), int((reference & flagged).sum())
    b, d = int(exposed.sum()) - a, int(reference.sum()) - c
    table = pd.DataFrame([[a, b], [c, d]], index=[factor.exposed_label, factor.reference_label], columns=["flag Y", "flag N"])
    result = AssociationTest(question, table, NOT_TESTABLE, math.nan, math.nan)
    if min(a + b, c + d) < MIN_RELIABLE_COUNT or min(a + c, b + d) == 0:
        result.notes.append(f"not testable: needs {MIN_RELIABLE_COUNT} or more records with the flag recorded in each "
                            "group, and both flagged and unflagged records")
        return result
    rows = exposed | reference
    people = cluster_cache[factor.cluster_column][rows]
    estimate = clustered_odds_ratio(flagged[rows], exposed[rows], people)
    share = largest_share(people, exposed[rows])
    if share >= DOMINANT_NOTE_SHARE:
        result.notes.append(f"one person holds {share:.0%} of a group's records; the test allows for it")
    expected = np.outer([a + b, c + d], [a + c, b + d]) / (a + b + c + d)
    if (expected < MIN_EXPECTED).any() or estimate is None:
        result.test, result.p_value = "Fisher's exact (records)", float(stats.fisher_exact([[a, b], [c, d]])[1])
        result.notes.append("an expected count is under 5: Fisher's exact test on records, which cannot allow for "
                            "several records of one person")
        if estimate is not None:
            result.odds_ratio = estimate[:3]
    else:
        result.test, result.p_value, result.odds_ratio = CLUSTERED_TEST, estimate[3], estimate[:3]
    return result


def association_family(violence: pd.DataFrame | None, asb: pd.DataFrame | None, nte: NightTimeEconomy,
                       zones: list[str], iom_ids: set[str] | None = None) -> list[AssociationTest]:
    """Every question of the family for the records given (the assessment year), BH-adjusted together across
    the questions that could be tested."""
    tests: list[AssociationTest] = []
    for source, frame, factors in (
            ("Violence", violence, lambda f: violence_factors(f, nte, zones, iom_ids or set())),
            ("ASB", asb, lambda f: asb_factors(f, nte, zones))):
        if frame is None or frame.empty:
            continue
        frame = frame.reset_index(drop=True)
        flag_cache: dict = {}
        cluster_cache: dict = {}
        for factor in factors(frame):
            tests += [evaluate(source, frame, flag, factor, flag_cache, cluster_cache) for flag in (*FLAGS, DUAL)]
    if violence is not None and not violence.empty:
        tests += [role_question(flag) for flag in (*FLAGS, DUAL)]
    adjust([t for t in tests if t.test != NOT_TESTABLE])
    return tests


def role_question(flag: str) -> AssociationTest:
    """Victim against perpetrator: the police qualifiers describe the record, not which person had the need, so
    the data cannot answer it (listed, with a structural gap in the gaps table)."""
    empty = pd.DataFrame([[0, 0], [0, 0]], index=["victim", "suspect"], columns=["flag Y", "flag N"])
    return AssociationTest(f"Violence: {FLAG_LABELS[flag]} flag, victim against suspect", empty, NOT_TESTABLE, math.nan,
                           math.nan, notes=["not testable: the police qualifiers describe the record, not whether the "
                                            "victim or the suspect had the need"])

"""The priority-setting matrix: which problems should the partnership's next plan prioritise, scored on stated
criteria, with the uncertainty of the ranking.

The method follows the scoring matrices partnerships and forces use (MoRiLE, the National Police Chiefs' Council's
Management of Risk in Law Enforcement; and the 4 x 4 impact-by-likelihood grids of CSP strategic assessments): each
candidate scores 1 (low) to 4 (high) on each criterion by stated bands, and its score is the weighted mean. The
criteria measured from the data are harm share, volume, the change since last year and the long-term trend (each
scored only when beyond natural variation, else the middle, 2.5) and repeat victims where a chapter measures them;
the board supplies public concern and the partnership's ability to act in the configuration. A criterion not
measured for a candidate scores the middle, so it neither raises nor lowers it.

The ranking's uncertainty is a parametric bootstrap (Efron B. & Tibshirani R.J. (1993) An Introduction to the
Bootstrap, ch. 6; for ranks, Goldstein H. & Spiegelhalter D.J. (1996) "League tables and their limitations",
J. R. Statist. Soc. A 159:385-443): every count is redrawn from a Poisson distribution with its observed mean, the
criteria and scores recomputed, and the candidates ranked; each candidate's rank interval is the 2.5th to 97.5th
percentile of its ranks. tests/test_priority_matrix.py checks that a planted rising, harmful type is recommended and
that two candidates of equal expected score have overlapping intervals.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from pipeline.analysis import serious_violence as sv
from pipeline.analysis.overview import ALL_CRIME, ASB, annual_counts, area_rows
from pipeline.inputs.config import MATRIX_CRITERIA, AssessmentConfig

RESAMPLES = 1000
FINDING_SECTION = "Candidate priorities"  # the section of the crime overview's findings, one per candidate
MIDDLE = 2.5
CRITERIA = MATRIX_CRITERIA
DEFAULT_WEIGHTS = {"Harm share": 2.0, "Volume": 1.0, "Change since last year": 1.0, "Long-term trend": 1.0,
                   "Repeat victims": 1.0, "Public concern": 1.0, "Ability to act": 1.0}
SHARE_BANDS = (5.0, 10.0, 20.0)  # % of all harm or all crime: below 5 scores 1, 5-10 2, 10-20 3, 20 or more 4
CHANGE_BANDS = (-10.0, 0.0, 10.0)  # % change on last year, when beyond natural variation
TREND_BANDS = (-5.0, 0.0, 5.0)  # % a year, when the trend's interval excludes no change
REPEAT_BANDS = (10.0, 20.0, 30.0)  # % of victims who are repeat victims
TOP = 3


@dataclass
class Candidate:
    """A candidate priority: its yearly counts (oldest first, the assessment year last) of each crime type it covers,
    the harm weight of each type (None without a weighting), and what the board and the chapters add."""
    name: str
    current_priority: bool
    counts: dict[str, list[int]]  # crime type -> yearly counts, oldest first
    weights: dict[str, float | None] = field(default_factory=dict)
    repeat_victims: tuple[int, int] | None = None  # (repeat victims, victims) where a chapter measures them
    public_concern: float | None = None  # 1-4, from the configuration
    ability_to_act: float | None = None


def band(value: float, cuts: tuple[float, float, float]) -> float:
    return 1.0 + sum(value >= c for c in cuts)


def banded(values: np.ndarray, cuts: tuple[float, float, float]) -> np.ndarray:
    return 1.0 + sum((values >= c).astype(float) for c in cuts)


def _change_score(current: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """Scores for the change on last year: banded percent change where the exact conditional test (two-sided, equal
    exposures, so the binomial is symmetric and doubling the smaller tail is exact) rejects at 5%, else the middle."""
    n = current + previous
    tail = np.minimum(stats.binom.cdf(current, n, 0.5), stats.binom.sf(current - 1, n, 0.5))
    p = np.minimum(1.0, 2 * tail)
    percent = np.where(previous > 0, (current - previous) / np.maximum(previous, 1) * 100, np.inf)
    scored = banded(percent, CHANGE_BANDS)
    return np.where((p <= 0.05) & (n > 0), scored, MIDDLE)


def _trend_score(series: np.ndarray) -> np.ndarray:
    """Scores for the long-term trend, one per row of `series` (years in columns): the log-linear slope by least
    squares on log counts, weighted by the counts (the Poisson regression's first step; McCullagh & Nelder 1989,
    2.5), banded where its 95% interval (quasi-Poisson dispersion, t on n - 2 df) excludes no change."""
    rows, years = series.shape
    if years < 3:
        return np.full(rows, MIDDLE)
    t = np.arange(years) - (years - 1) / 2
    y = np.log(np.maximum(series, 0.5))
    w = np.maximum(series, 0.5)
    tw = (w * t).sum(1) / w.sum(1)
    yw = (w * y).sum(1) / w.sum(1)
    sxx = (w * (t - tw[:, None]) ** 2).sum(1)
    slope = (w * (t - tw[:, None]) * (y - yw[:, None])).sum(1) / sxx
    fitted = np.exp(yw[:, None] + slope[:, None] * (t - tw[:, None]))
    dispersion = np.maximum(((series - fitted) ** 2 / fitted).sum(1) / (years - 2), 1e-9)
    half = stats.t.ppf(0.975, years - 2) * np.sqrt(dispersion / sxx)
    percent = (np.exp(slope) - 1) * 100
    scored = banded(percent, TREND_BANDS)
    return np.where((slope - half > 0) | (slope + half < 0), scored, MIDDLE)


def _shares(totals: np.ndarray) -> np.ndarray:
    whole = totals.sum(1, keepdims=True)
    return np.where(whole > 0, totals / np.where(whole > 0, whole, 1) * 100, 0.0)


def score_draws(candidates: list[Candidate], draws: dict[str, np.ndarray], all_crime: np.ndarray,
                all_harm: np.ndarray | None, weights: dict[str, float]) -> dict[str, np.ndarray]:
    """Each criterion's score for each candidate (columns) in each draw (rows). `draws`: crime type -> array of
    draws x years; `all_crime` and `all_harm`: the assessment year's total crime and total harm in each draw."""
    scores = {}
    current = np.stack([sum(draws[t][:, -1] for t in c.counts) for c in candidates], axis=1)
    scores["Volume"] = banded(current / all_crime[:, None] * 100, SHARE_BANDS)
    scores["Harm share"] = np.full(current.shape, MIDDLE)
    if all_harm is not None:
        harm = np.stack([sum(draws[t][:, -1] * (c.weights.get(t) or 0.0) for t in c.counts) for c in candidates], axis=1)
        weighed = np.array([any(c.weights.get(t) is not None for t in c.counts) for c in candidates])
        scores["Harm share"] = np.where(weighed, banded(harm / all_harm[:, None] * 100, SHARE_BANDS), MIDDLE)
    change, trend = [], []
    for c in candidates:
        series = sum(draws[t] for t in c.counts)
        change.append(_change_score(series[:, -1], series[:, -2]) if series.shape[1] >= 2 else np.full(len(series), MIDDLE))
        trend.append(_trend_score(series))
    scores["Change since last year"], scores["Long-term trend"] = np.stack(change, 1), np.stack(trend, 1)
    repeat = [band(c.repeat_victims[0] / c.repeat_victims[1] * 100, REPEAT_BANDS)
              if c.repeat_victims and c.repeat_victims[1] else MIDDLE for c in candidates]
    scores["Repeat victims"] = np.broadcast_to(np.array(repeat), current.shape)
    for name, attribute in (("Public concern", "public_concern"), ("Ability to act", "ability_to_act")):
        given = [getattr(c, attribute) if getattr(c, attribute) is not None else MIDDLE for c in candidates]
        scores[name] = np.broadcast_to(np.array(given, float), current.shape)
    total = sum(weights[k] * scores[k] for k in CRITERIA) / sum(weights[k] for k in CRITERIA)
    return scores | {"Score": total}


def rank_rows(score: np.ndarray) -> np.ndarray:
    """Rank 1 = highest score in each row; ties share the best rank (competition ranking)."""
    return (score[:, None, :] > score[:, :, None]).sum(2) + 1


def matrix(candidates: list[Candidate], type_counts: dict[str, list[int]], type_weights: dict[str, float] | None,
           weights: dict[str, float] | None = None, resamples: int = RESAMPLES, seed: int = 2028,
           extra: dict[str, list[int]] | None = None) -> pd.DataFrame:
    """The matrix: one row per candidate with each criterion's score, the weighted score, its rank and the rank's 95%
    bootstrap interval, highest score first. `type_counts`: every crime type's yearly counts (oldest first), for the
    totals that shares are of; `type_weights`: lower-case crime type -> harm weight, or None without a weighting."""
    weights = DEFAULT_WEIGHTS | (weights or {})
    rng = np.random.default_rng(seed)
    types = list(type_counts)  # the totals that shares are of; `extra` series (serious violence) overlap them
    series = type_counts | (extra or {})
    observed = {t: np.asarray(series[t], float)[None, :] for t in series}
    drawn = {t: rng.poisson(np.asarray(series[t], float), size=(resamples, len(series[t]))).astype(float)
             for t in series}

    def totals(d):
        crime = sum(d[t][:, -1] for t in types)
        harm = sum(d[t][:, -1] * type_weights.get(t.lower(), 0.0) for t in types) if type_weights else None
        return crime, harm

    point = score_draws(candidates, observed, *totals(observed), weights)
    boot = score_draws(candidates, drawn, *totals(drawn), weights)
    ranks = rank_rows(boot["Score"])
    point_rank = rank_rows(point["Score"])[0]
    rows = []
    for i, c in enumerate(candidates):
        rows.append({"Candidate": c.name, "Current priority": c.current_priority,
                     **{k: float(point[k][0, i]) for k in CRITERIA}, "Score": float(point["Score"][0, i]),
                     "Rank": int(point_rank[i]), "Rank low": int(np.percentile(ranks[:, i], 2.5, method="lower")),
                     "Rank high": int(np.percentile(ranks[:, i], 97.5, method="higher")),
                     "Crimes this year": int(sum(series[t][-1] for t in c.counts))})
    frame = pd.DataFrame(rows).sort_values(["Rank", "Candidate"]).reset_index(drop=True)
    frame.attrs |= {"weights": weights, "resamples": resamples, "harm_weighted": bool(type_weights)}
    return frame


def shortlist(type_counts: dict[str, list[int]], type_weights: dict[str, float] | None, top: int = TOP) -> list[str]:
    """The crime types the data rank in the top `top` on any measured criterion: volume, harm, change on last year
    (the largest rises, among types with 20 or more crimes last year, so a rise from 2 to 6 cannot qualify) and the rise over
    the years (latest year against the mean of the earlier ones, same floor)."""
    frame = pd.DataFrame({"type": list(type_counts), "now": [c[-1] for c in type_counts.values()],
                          "before": [c[-2] if len(c) > 1 else np.nan for c in type_counts.values()],
                          "earlier": [np.mean(c[:-1]) if len(c) > 1 else np.nan for c in type_counts.values()]})
    picked = set(frame.nlargest(top, "now")["type"])
    if type_weights:
        frame["harm"] = frame["now"] * frame["type"].str.lower().map(type_weights).fillna(0)
        picked |= set(frame.nlargest(top, "harm")["type"])
    enough = frame[frame["before"] >= 20].assign(ch=lambda f: f["now"] / f["before"], up=lambda f: f["now"] / f["earlier"])
    for rise in ("ch", "up"):
        picked |= set(enough[enough[rise] > 1].nlargest(top, rise)["type"])
    return sorted(picked)


PLAN_THEMES = {  # plan priority -> (candidate name, the police.uk types it is counted from)
    "acquisitive": ("Personal acquisitive crime", ("Burglary", "Robbery", "Vehicle crime", "Theft from the person",
                                                   "Bicycle theft")),
    "violence": ("Violence and sexual offences", ("Violence and sexual offences",)),
    "asb": (ASB, (ASB,)),
}
NOT_SCORED = ("Domestic abuse, re-offending and the strategic priority (mental health, alcohol and drugs) are plan "
              "priorities the matrix cannot score: their counts are not police.uk crime types. Their chapters rate them.")


def yearly_counts(crimes: pd.DataFrame, area_codes: tuple[str, ...]) -> dict[str, list[int]]:
    """Each police.uk type's (and ASB's) counts by complete rolling year, oldest first."""
    table = annual_counts(area_rows(crimes, area_codes)).drop(index=[ALL_CRIME])
    return {str(t): [int(v) for v in row.to_list()] for t, row in table.iterrows()}  # annual_counts: oldest first


SERIOUS_VIOLENCE = "Serious violence"
SERIOUS_VIOLENCE_SERIES = "Serious violence (police records, local definition)"


def serious_violence_series(records: pd.DataFrame | None, config: AssessmentConfig, offence_codes: pd.DataFrame | None,
                            years: int) -> dict[str, list[int]]:
    """Serious violence by the local definition (analysis.serious_violence) over the same complete years as the
    police.uk counts, from the force's records; empty when they do not cover those years. It overlaps the police.uk
    types, so it is scored as a candidate but never added to the totals that shares are of."""
    if records is None or years < 1:
        return {}
    definition = config.serious_violence
    rows = sv.classify(records, definition, sv.offence_codes_in(definition, offence_codes))
    back, _ = sv.year_labels(rows)
    if back[-years:] != list(range(years - 1, -1, -1)):
        return {}
    return {SERIOUS_VIOLENCE_SERIES: sv.yearly_counts(rows, rows["serious"], back[-years:])}


def candidates_for(config: AssessmentConfig, type_counts: dict[str, list[int]], type_weights: dict[str, float] | None,
                   asb_repeat: tuple[int, int] | None, extra: dict[str, list[int]] | None = None) -> list[Candidate]:
    """The plan's priorities that police.uk counts can score, and every crime type the data rank in the top three
    on any criterion (shortlist). A type that is part of a plan priority is marked as a current priority."""
    board = config.priority_matrix

    def candidate(name: str, types: tuple[str, ...], current: bool) -> Candidate:
        present = tuple(t for t in types if t in type_counts)
        return Candidate(name, current, {t: type_counts[t] for t in present},
                         {t: (type_weights or {}).get(t.lower()) for t in present},
                         asb_repeat if present == (ASB,) else None, board.public_concern.get(name),
                         board.ability_to_act.get(name))

    out = [candidate(name, types, True) for name, types in PLAN_THEMES.values()
           if any(t in type_counts for t in types)]
    named = {c.name for c in out}
    in_plan = {t for _, types in PLAN_THEMES.values() for t in types}
    for crime_type in shortlist(type_counts, type_weights):
        if crime_type not in named:
            out.append(candidate(crime_type, (crime_type,), crime_type in in_plan))
    for name in extra or {}:  # serious violence: the Duty's statutory assessment, not a priority of the plan
        out.append(Candidate(SERIOUS_VIOLENCE, False, {name: extra[name]}, {name: None}, None,
                             board.public_concern.get(SERIOUS_VIOLENCE), board.ability_to_act.get(SERIOUS_VIOLENCE)))
    return out

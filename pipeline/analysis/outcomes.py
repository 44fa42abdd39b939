"""What happened after the crime: police.uk outcomes joined to street crimes by Crime ID.

A crime's outcome is its latest outcome row (the latest month; within a month, the last row read), grouped into the
categories users know. Categories are read as police.uk publishes them (data.police.uk/about/#outcomes): a category
this module does not know is counted under "Other" and named in `unknown_categories`, never dropped. A crime with no
outcome row is counted as "No outcome yet". Recent months always look worse (outcomes take months), so shares are
also given as known a fixed number of months after the crime, for crimes old enough to have had that long
(`known_within`). Shares carry Wilson intervals (pipeline.methods.statistics.wilson_interval).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from pipeline.methods.associations import benjamini_hochberg
from pipeline.methods.statistics import newcombe_difference, wilson_interval

CHARGED = "Charged or summonsed"
OUT_OF_COURT = "Out-of-court disposal"
NOT_IN_PUBLIC_INTEREST = "Not in the public interest"
NO_SUSPECT = "Investigation complete, no suspect identified"
UNABLE = "Unable to prosecute suspect"
OTHER_BODY = "Action by another organisation"
UNDER_INVESTIGATION = "Under investigation or awaiting court"
OTHER = "Other"
NO_OUTCOME = "No outcome yet"
GROUPS = (CHARGED, OUT_OF_COURT, NOT_IN_PUBLIC_INTEREST, UNABLE, NO_SUSPECT, OTHER_BODY, UNDER_INVESTIGATION, OTHER,
          NO_OUTCOME)
# police.uk outcome categories (their names as published) and the group each belongs to. police.uk publishes
# "Unable to prosecute suspect" without the Home Office's split into evidential difficulties where the victim does or
# does not support action, so that split cannot be made from these files.
CATEGORY_GROUPS = {
    "Suspect charged": CHARGED, "Suspect charged as part of another case": CHARGED, "Awaiting court outcome": CHARGED,
    "Court result unavailable": CHARGED, "Court case unable to proceed": CHARGED,
    "Defendant found not guilty": CHARGED, "Defendant sent to Crown Court": CHARGED,
    "Offender sent to prison": CHARGED, "Offender given suspended prison sentence": CHARGED,
    "Offender given community sentence": CHARGED, "Offender fined": CHARGED, "Offender given a conditional discharge":
    CHARGED, "Offender given absolute discharge": CHARGED, "Offender otherwise dealt with": CHARGED,
    "Offender ordered to pay compensation": CHARGED, "Offender deprived of property": CHARGED,
    "Offender given a caution": OUT_OF_COURT, "Local resolution": OUT_OF_COURT,
    "Offender given a drugs possession warning": OUT_OF_COURT, "Offender given penalty notice": OUT_OF_COURT,
    "Formal action is not in the public interest": NOT_IN_PUBLIC_INTEREST,
    "Further action is not in the public interest": NOT_IN_PUBLIC_INTEREST,
    "Further investigation is not in the public interest": NOT_IN_PUBLIC_INTEREST,
    "Unable to prosecute suspect": UNABLE,
    "Investigation complete; no suspect identified": NO_SUSPECT,
    "Action to be taken by another organisation": OTHER_BODY,
    "Under investigation": UNDER_INVESTIGATION, "Status update unavailable": OTHER,
}


def group_of(category: str) -> str:
    return CATEGORY_GROUPS.get(category.strip(), OTHER)


def latest_outcomes(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per Crime ID: its latest outcome (month, then the order read), with the group and how many outcome
    rows the crime had."""
    if outcomes.empty:
        return pd.DataFrame(columns=["crime_id", "outcome_month", "outcome_type", "outcome_group", "outcome_rows"])
    ordered = outcomes.assign(_order=np.arange(len(outcomes))).sort_values(["crime_id", "month", "_order"])
    last = ordered.groupby("crime_id", sort=False).tail(1)
    rows = ordered.groupby("crime_id").size()
    return pd.DataFrame({"crime_id": last["crime_id"].to_numpy(), "outcome_month": last["month"].to_numpy(),
                         "outcome_type": last["outcome_type"].to_numpy(),
                         "outcome_group": last["outcome_type"].map(group_of).to_numpy(),
                         "outcome_rows": last["crime_id"].map(rows).to_numpy()})


def with_outcomes(crimes: pd.DataFrame, outcomes: pd.DataFrame, as_of: pd.Period | None = None) -> pd.DataFrame:
    """The crimes (rows with a Crime ID) with their latest outcome known by `as_of` (every outcome when None);
    a crime with none is 'No outcome yet'. months_to_outcome: the outcome's month less the crime's."""
    identified = crimes[crimes["crime_id"].astype(str).str.strip() != ""]
    known = outcomes if as_of is None else outcomes[pd.PeriodIndex(outcomes["month"], freq="M") <= as_of]
    joined = identified.merge(latest_outcomes(known), on="crime_id", how="left")
    joined["outcome_group"] = joined["outcome_group"].fillna(NO_OUTCOME)
    joined["outcome_rows"] = joined["outcome_rows"].fillna(0).astype(int)
    has = joined["outcome_month"].notna()
    joined["months_to_outcome"] = np.nan
    if has.any():
        crime_month = pd.PeriodIndex(joined.loc[has, "month"], freq="M")
        outcome_month = pd.PeriodIndex(joined.loc[has, "outcome_month"], freq="M")
        joined.loc[has, "months_to_outcome"] = (outcome_month.year - crime_month.year) * 12 + (
            outcome_month.month - crime_month.month)
    return joined


@dataclass
class OutcomeShares:
    table: pd.DataFrame  # one row per crime type and group: crimes, share and its Wilson interval (numbers)
    timing: pd.DataFrame  # per crime type: crimes with an outcome, median and quartiles of months to it
    unknown_categories: list[str] = field(default_factory=list)


def outcome_shares(joined: pd.DataFrame) -> OutcomeShares:
    """Each crime type's crimes by outcome group (every group, zeros included, so a type's rows add up to its
    crimes), with the share and its 95% Wilson interval; and the months from crime to outcome."""
    rows = []
    for crime_type, crimes in joined.groupby("crime_type", sort=True):
        counts = crimes["outcome_group"].value_counts()
        total = len(crimes)
        for group in GROUPS:
            k = int(counts.get(group, 0))
            low, high = wilson_interval(k, total)
            rows.append({"crime_type": crime_type, "outcome_group": group, "crimes": k, "of": total,
                         "share": k / total * 100, "low": low * 100, "high": high * 100})
    months = joined.dropna(subset=["months_to_outcome"]).groupby("crime_type")["months_to_outcome"]
    timing = pd.DataFrame({"with_outcome": months.size(), "median": months.median(),
                           "lower_quartile": months.quantile(0.25), "upper_quartile": months.quantile(0.75)})
    unknown = sorted({t for t in joined["outcome_type"].dropna().unique() if t.strip() not in CATEGORY_GROUPS})
    return OutcomeShares(pd.DataFrame(rows), timing.reset_index(), unknown)


def known_within(crimes: pd.DataFrame, outcomes: pd.DataFrame, months: int, last_outcome_month: pd.Period) -> pd.DataFrame:
    """Each crime old enough to have had `months` months of outcomes (its month + months <= the last outcome month),
    with its latest outcome known by then: the like-with-like view across years. One pass: each outcome row is kept
    when it came within `months` of its crime's month (a Crime ID is one crime)."""
    deadline = pd.PeriodIndex(crimes["month"], freq="M") + months
    old_enough = crimes[np.asarray(deadline <= last_outcome_month, dtype=bool)]
    due = dict(zip(old_enough["crime_id"], pd.PeriodIndex(old_enough["month"], freq="M") + months))
    candidates = outcomes[outcomes["crime_id"].isin(due)]
    in_time = pd.PeriodIndex(candidates["month"], freq="M") <= pd.PeriodIndex(candidates["crime_id"].map(due), freq="M")
    return with_outcomes(old_enough, candidates[np.asarray(in_time, dtype=bool)])


def share_changes(now: pd.DataFrame, before: pd.DataFrame, group: str, alpha: float = 0.05) -> pd.DataFrame:
    """Each crime type's share of crimes in `group` this year against the year before (both from with_outcomes or
    known_within, so like with like): the difference in percentage points with Newcombe's interval, Fisher's exact
    test (scipy.stats.fisher_exact, two-sided) and Benjamini-Hochberg across the types."""
    rows = []
    for crime_type in sorted(set(now["crime_type"]) & set(before["crime_type"])):
        a = now[now["crime_type"] == crime_type]
        b = before[before["crime_type"] == crime_type]
        k1, n1 = int((a["outcome_group"] == group).sum()), len(a)
        k2, n2 = int((b["outcome_group"] == group).sum()), len(b)
        d, low, high = newcombe_difference(k1, n1, k2, n2, alpha)
        p = float(stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])[1])
        rows.append({"crime_type": crime_type, "this_year": k1, "this_year_of": n1, "last_year": k2,
                     "last_year_of": n2, "difference": d * 100, "low": low * 100, "high": high * 100, "p_value": p})
    frame = pd.DataFrame(rows, columns=["crime_type", "this_year", "this_year_of", "last_year", "last_year_of",
                                        "difference", "low", "high", "p_value"])
    frame["q_value"] = benjamini_hochberg(frame["p_value"].to_numpy())
    frame["beyond_chance"] = frame["q_value"] <= alpha
    return frame

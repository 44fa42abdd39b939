"""Re-offending: the Integrated Offender Management cohort's offending in the window before adoption against the
same-length window after.

The plan's report reads "73% reduced both the severity and the frequency" and "47% did not offend at all". Each
share here is k of n with a Wilson interval; a share whose k, n - k or n is from 1 to 4 is suppressed, and one
whose n is under 10 is given only as a band, since a cohort of a few dozen makes many cells small. Frequency is
also compared per day at risk (the after window less days in custody): a member who spent half the window in
custody had half the chance to offend. The paired test of before against after is Wilcoxon's signed-rank test
(Wilcoxon F. (1945) Biometrics Bulletin 1:80-83; scipy's implementation, zero differences dropped, Wilcoxon's
own convention), on offences and on severity as the extract supplies it.

Regression to the mean: members are taken on at a peak of their offending, so some fall would follow with no
scheme at all. Where the cohort links to the police records by pseudonym, the records as suspect in the year
before adoption are set against the year before that, to show in numbers how far the cohort was selected at a
peak.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from pipeline.methods.disclosure import SMALL
from pipeline.methods.values import Proportion

DAYS_PER_MONTH = 365.25 / 12
MIN_DENOMINATOR = 10


def windows(cohort: pd.DataFrame) -> pd.DataFrame:
    """Window length in days, days at risk after adoption and offences after per full window at risk."""
    months = pd.to_numeric(cohort["window_months"], errors="coerce").fillna(12)
    days = months * DAYS_PER_MONTH
    custody = pd.to_numeric(cohort["days_in_custody_after"], errors="coerce").fillna(0).clip(lower=0)
    at_risk = (days - custody).clip(lower=0)
    adjusted = np.where(at_risk > 0, cohort["offences_after"] * days / at_risk.where(at_risk > 0, 1), np.nan)
    return cohort.assign(window_days=days, at_risk_days=at_risk, offences_after_at_risk=adjusted)


def shown(share: Proportion) -> Proportion | str:
    """A share as published: banded when a count in it is from 1 to 4 or its base is under 10, so that no count
    from 1 to 4 can be read off it."""
    if share.n in SMALL:
        return "[c]"
    if share.k in SMALL:
        return f"fewer than 5 of {share.n:,}" if share.n >= MIN_DENOMINATOR else "[c]"
    if share.n - share.k in SMALL:
        return f"all but fewer than 5 of {share.n:,}" if share.n >= MIN_DENOMINATOR else "[c]"
    if share.n < MIN_DENOMINATOR:
        return "under half" if share.k * 2 < share.n else "half or more"
    return share


CODE_COLUMNS = ("offence_codes_before", "offence_codes_after")


def carries_codes(cohort: pd.DataFrame) -> bool:
    """True when the cohort file gives the offence codes behind its counts (the optional columns, not all empty)."""
    return all(c in cohort for c in CODE_COLUMNS) and bool(
        (cohort[list(CODE_COLUMNS)].fillna("").astype(str) != "").to_numpy().any())


def weighted_severity(cohort: pd.DataFrame, code_weights: dict[str, float]) -> tuple[pd.DataFrame, dict]:
    """The cohort with severity_before and severity_after recomputed as the sum of the weights of each member's
    offence codes (one code per offence, ';' between). A member whose codes do not number their offences, or who has
    a code the weighting does not weigh, has no severity (NaN) rather than a guessed one; the counts say how many."""
    out, unknown, mismatched = cohort.copy(), set(), 0
    for window in ("before", "after"):
        totals = []
        for codes_text, offences in zip(cohort[f"offence_codes_{window}"].fillna("").astype(str), cohort[f"offences_{window}"]):
            codes = [c for c in codes_text.split(";") if c]
            missing = [c for c in codes if c not in code_weights]
            unknown |= set(missing)
            if len(codes) != int(offences):
                mismatched += 1
                totals.append(np.nan)
            else:
                totals.append(np.nan if missing else float(sum(code_weights[c] for c in codes)))
        out[f"severity_{window}"] = totals
    weighed = int(out[["severity_before", "severity_after"]].notna().all(axis=1).sum())
    return out, {"members": len(cohort), "weighed": weighed, "codes_not_weighted": sorted(unknown),
                 "windows_with_wrong_code_count": mismatched}


def outcomes(cohort: pd.DataFrame) -> pd.DataFrame:
    """The plan's measures for the members with a whole after window (the severity measures of those whose severity
    is known)."""
    frame = windows(cohort)
    n = len(frame)
    known = frame[["severity_before", "severity_after"]].notna().all(axis=1)
    fewer = frame["offences_after"] < frame["offences_before"]
    fewer_at_risk = frame["offences_after_at_risk"] < frame["offences_before"]
    lighter = frame["severity_after"] < frame["severity_before"]
    measures = {
        "Reduced frequency": (fewer, n),
        "Reduced frequency, per day at risk": (fewer_at_risk.fillna(False), n),
        "Reduced severity": (lighter & known, int(known.sum())),
        "Reduced both frequency and severity": (fewer & lighter & known, int(known.sum())),
        "Did not offend in the after window": (frame["offences_after"] == 0, n),
    }
    rows = [{"Measure": name, "Members": shown(Proportion(int(mask.sum()), base))}
            for name, (mask, base) in measures.items()]
    return pd.DataFrame(rows)


def paired_tests(cohort: pd.DataFrame) -> pd.DataFrame:
    """Wilcoxon signed-rank tests of before against after, with the medians and the members whose count changed
    (the pairs the test uses)."""
    rows = []
    for label, before, after in (("Offences", "offences_before", "offences_after"),
                                 ("Severity", "severity_before", "severity_after")):
        pairs = cohort[[before, after]].dropna()  # severity is unknown where a member's codes could not be weighed
        b, a = pairs[before].to_numpy(float), pairs[after].to_numpy(float)
        differing = int((a != b).sum())
        p_value = float(stats.wilcoxon(b, a).pvalue) if differing >= MIN_DENOMINATOR else float("nan")
        # Banded like the measures: with the cohort's size published, the members whose count did not change
        # (n - differing) could otherwise be read off as a count from 1 to 4.
        rows.append({"Measure": label, "Median before": float(np.median(b)), "Median after": float(np.median(a)),
                     "Members whose count changed": shown(Proportion(differing, len(pairs))), "Wilcoxon p-value": p_value})
    table = pd.DataFrame(rows)
    table.attrs["kinds"] = {"Median before": "number", "Median after": "number", "Wilcoxon p-value": "p"}
    return table


def window_means(cohort: pd.DataFrame, peak: dict | None = None) -> pd.DataFrame:
    """Mean offences and severity per member in the window before adoption and the window after (offences also per
    full window at risk), and, where the cohort links to the police records, mean records as suspect in the two
    years before adoption: the numbers of the chapter's chart. Empty for a cohort under MIN_DENOMINATOR, whose
    means would come close to revealing single members."""
    if len(cohort) < MIN_DENOMINATOR:
        return pd.DataFrame(columns=["panel", "period", "mean", "members"])
    frame = windows(cohort)
    n = len(frame)
    rows = [("Offences (IOM extract)", "Window before", frame["offences_before"].mean(), n),
            ("Offences (IOM extract)", "Window after", frame["offences_after"].mean(), n),
            ("Offences (IOM extract)", "Window after, per full window at risk", frame["offences_after_at_risk"].mean(),
             int(frame["offences_after_at_risk"].notna().sum())),
            ("Severity (IOM extract)", "Window before", frame["severity_before"].mean(), int(frame["severity_before"].notna().sum())),
            ("Severity (IOM extract)", "Window after", frame["severity_after"].mean(), int(frame["severity_after"].notna().sum()))]
    if peak and "year_before" in peak:
        rows += [("Records as suspect (police)", "Second year before adoption", peak["year_before_that"], peak["covered"]),
                 ("Records as suspect (police)", "Year before adoption", peak["year_before"], peak["covered"])]
    return pd.DataFrame(rows, columns=["panel", "period", "mean", "members"]).astype({"mean": float})


def selection_peak(cohort: pd.DataFrame, records: pd.DataFrame | None) -> dict | None:
    """Mean records as suspect in the year before adoption and in the year before that, for the members found in
    the police records (pseudonyms link them); None without records or links."""
    if records is None or "suspect_id" not in records:
        return None
    suspects = records[records["suspect_id"] != ""][["suspect_id", "reported_at"]]
    linked = cohort[cohort["person_id"].isin(set(suspects["suspect_id"]))]
    if len(linked) < MIN_DENOMINATOR:
        return None
    merged = suspects.merge(linked[["person_id", "adopted_on"]], left_on="suspect_id", right_on="person_id")
    adopted = pd.to_datetime(merged["adopted_on"])
    days_before = (adopted - merged["reported_at"]).dt.days
    first = merged[(days_before > 0) & (days_before <= 365)].groupby("person_id").size()
    second = merged[(days_before > 365) & (days_before <= 730)].groupby("person_id").size()
    earliest = records["reported_at"].min()
    covered = linked[pd.to_datetime(linked["adopted_on"]) - pd.Timedelta(days=730) >= earliest]
    if len(covered) < MIN_DENOMINATOR:
        return {"linked": len(linked), "covered": len(covered)}
    ids = covered["person_id"]
    nearer, further = first.reindex(ids, fill_value=0).to_numpy(float), second.reindex(ids, fill_value=0).to_numpy(float)
    differing = int((nearer != further).sum())
    p_value = float(stats.wilcoxon(nearer, further).pvalue) if differing >= MIN_DENOMINATOR else float("nan")
    return {"linked": len(linked), "covered": len(covered), "year_before": float(nearer.mean()),
            "year_before_that": float(further.mean()), "p_value": p_value}

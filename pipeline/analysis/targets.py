"""Progress against the plan's targets, tracked during the year, in plain words.

A reduction target reads 'reduce X by p% (N offences) against the baseline year': the target count is the
baseline year's count less p%; 'fewer than N' is N - 1 or fewer. A finished target year is "Met" or
"Missed", with the count and the target. Part way through, the count to date is projected to the year end
by the baseline year's own seasonal pattern (year to date x baseline year / baseline in the same months),
with a 95% interval that allows for the chance in both the count to date and the baseline's seasonal
share (see `projection_interval`): "On track" when the projection is within the target, else "Off track". Whether the change from the same months of the baseline
is beyond natural variation (exact conditional test) is a separate column.
"""
from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from pipeline.inputs.config import AssessmentConfig, Target
from pipeline.methods.disclosure import protect
from pipeline.formatting import DETECTABLE
from pipeline.methods.screens import screen_family
from pipeline.methods.statistics import ALPHA, CountComparison, compare_counts, poisson_interval
from pipeline.methods.values import Interval


def _fy_months(financial_year: str) -> list[str]:
    start = int(financial_year[:4])
    return [str(m) for m in pd.period_range(f"{start}-04", f"{start + 1}-03", freq="M")]


def _count(by_month: pd.Series, months: list[str]) -> int:
    return int(by_month.reindex(months, fill_value=0).sum())


def _events(target: Target, config: AssessmentConfig, crimes: pd.DataFrame, extracts: dict[str, pd.DataFrame | None],
            unavailable: dict[str, str]):
    """Monthly counts of the events a target counts, or a reason why there are none."""
    if target.source == "police_uk":
        rows = crimes[crimes["district_code"].isin(config.area_codes) & crimes["crime_type"].isin(target.crime_types)]
        months_present = set(crimes["month"].unique())
        return rows.groupby("month").size(), months_present, None
    table = extracts.get(target.source)
    if table is None:
        return None, set(), unavailable.get(target.source, f"not supplied ({target.source}.csv)")
    rows = table
    if target.crime_types:
        rows = rows[rows["crime_type"].isin(target.crime_types)]
    if target.measures:
        rows = rows[rows["measure"].isin(target.measures)]
    if "value" in rows:  # aggregate counts (service_activity): add up the values
        return rows.groupby("month")["value"].sum(), set(table["month"].unique()), None
    return rows.groupby("month").size(), set(table["month"].unique()), None


def target_progress(config: AssessmentConfig, crimes: pd.DataFrame, extracts: dict[str, pd.DataFrame | None],
                    period_end: pd.Period, unavailable: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per target; `unavailable` says why an extract has no table (not supplied, or unusable and why)."""
    rows = []
    for target in config.targets:
        by_month, present, missing = _events(target, config, crimes, extracts, unavailable or {})
        baseline_months, target_months = _fy_months(target.baseline_year), _fy_months(target.target_year)
        elapsed = [m for m in target_months if pd.Period(m, "M") <= period_end and m in present]
        wording = (f"reduce by {target.reduce_by_percent:g}%" if target.reduce_by_percent is not None
                   else "an overall reduction" if target.overall_reduction else f"fewer than {target.below:,}")
        row = {"Target": target.name, "Aim": f"{wording} in {target.target_year} against {target.baseline_year}",
               "Plan's baseline": target.plan_baseline}
        if missing:
            rows.append(row | {"Status": f"Data {missing}"})
            continue
        if not set(baseline_months) <= present:
            rows.append(row | {"Status": f"Baseline year {target.baseline_year} is not (fully) in the data"})
            continue
        baseline = _count(by_month, baseline_months)
        if target.reduce_by_percent is not None:
            target_count = round(baseline * (1 - target.reduce_by_percent / 100))
            aim = f"{wording} ({baseline - target_count:,} offences) to {target_count:,}"
        elif target.overall_reduction:
            target_count = baseline - 1
            aim = f"{wording}: fewer than {baseline:,}"
        else:
            target_count = ceiling(target)
            aim = f"{wording}"
        row.update({"Aim": f"{aim} in {target.target_year}", "Baseline (data)": baseline, "Target count": target_count})
        if not elapsed:
            rows.append(row | {"Status": f"Target year {target.target_year} has not started in the data"})
            continue
        same_months = [b for b in baseline_months if b[5:] in {m[5:] for m in elapsed}]
        baseline_to_date = _count(by_month, same_months)
        year_to_date = _count(by_month, elapsed)
        change = compare_counts(year_to_date, baseline_to_date)
        row.update({"Months to date": len(elapsed), "Year to date": year_to_date,
                    "Target to date (pro rata)": round(target_count * baseline_to_date / baseline) if baseline else 0,
                    "Change on baseline months": change.change, "Change on baseline months (%)": change.percent_change,
                    "Beyond natural variation": change})
        row.update(verdict(target, year_to_date, target_count, len(elapsed) == 12, baseline, baseline_to_date))
        rows.append(row)
    if not rows:  # no target configured: an empty table the chapters report as such
        return pd.DataFrame(columns=["Target", "Status", "Aim", "Plan's baseline"])
    compared = [row for row in rows if isinstance(row.get("Beyond natural variation"), CountComparison)]
    for row, screen in zip(compared, screen_family([row["Beyond natural variation"] for row in compared])):
        row |= {"Beyond natural variation": screen.beyond, DETECTABLE: screen.detectable}  # the targets are a family
    table = pd.DataFrame(rows)
    for column in ("Plan's baseline", "Baseline (data)", "Target count", "Months to date", "Year to date",
                   "Target to date (pro rata)", "Change on baseline months", "Projected year end"):
        if column in table:  # whole numbers, though a row without data leaves the column with gaps
            table[column] = table[column].astype("Int64")
    table.insert(1, "Status", table.pop("Status"))  # the verdict beside the target's name, where a reader (or a page) keeps it
    return protect(table, ["Baseline (data)", "Target count", "Year to date", "Target to date (pro rata)"],
                   ["Aim", "Change on baseline months", "Change on baseline months (%)", "Beyond natural variation",
                    DETECTABLE,
                    "Projected year end", "Projected 95% CI", "Status", "Verdict"])


def ceiling(target: Target) -> int:
    """The most events a 'fewer than N' target allows: N - 1."""
    return int(target.below) - 1


def projection_interval(count: int, baseline: int, baseline_to_date: int, alpha: float = ALPHA) -> tuple[float, float]:
    """95% interval for the year's expected count projected as P = count x B / Bm (B the baseline year, Bm its
    same months, R = B - Bm the rest), by the delta method on the log scale with each count Poisson
    (Armitage P., Berry G. & Matthews J.N.S. (2002) Statistical Methods in Medical Research, 4th ed., sec. 5.3,
    the variance of a log ratio of counts): Var(log P) = 1/count + R/(B x Bm), since log(B/Bm) = log(1 + R/Bm).
    Scaling an exact interval for the count alone ignores the chance in the seasonal share and covers the true
    count only 88-94% of the time (tests/test_null_simulations.py); this covers it about 95% of the time. With no
    event to date the lower bound is 0 and the upper the exact (Garwood) upper bound, scaled."""
    scale = baseline / baseline_to_date
    if count == 0:
        return 0.0, poisson_interval(0, alpha)[1] * scale
    se = math.sqrt(1 / count + (baseline - baseline_to_date) / (baseline * baseline_to_date))
    z = stats.norm.ppf(1 - alpha / 2)
    return count * scale * math.exp(-z * se), count * scale * math.exp(z * se)


def verdict(target: Target, count: int, target_count: int, finished: bool, baseline: int, baseline_to_date: int) -> dict:
    """'Met'/'Missed' with the count and the target for a finished year; during the year 'On track'/'Off track'
    with the projected year-end count and its 95% interval."""
    aim = f"fewer than {target.below:,}" if target.below is not None else f"a target of {target_count:,} or fewer"
    if finished:
        status = "Met" if count <= target_count else "Missed"
        return {"Status": status, "Verdict": f"{status}: {count:,} against {aim}"}
    if not baseline_to_date:
        return {"Status": "Not assessable", "Verdict": "no events in the same months of the baseline year to project from"}
    projected = count * baseline / baseline_to_date
    status = "On track" if projected <= target_count else "Off track"
    return {"Projected year end": round(projected),
            "Projected 95% CI": Interval(*projection_interval(count, baseline, baseline_to_date), "count"),
            "Status": status, "Verdict": f"{status}: {round(projected):,} projected for the year against {aim}"}

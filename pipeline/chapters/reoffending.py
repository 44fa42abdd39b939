"""Chapter 8, re-offending: the Integrated Offender Management cohort's offending and its severity before and after
adoption, the plan's measures with small numbers banded, a paired test, time at risk, and regression to the mean."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import reoffending
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding, headline_figures

NAME = "reoffending"


@dataclass
class ReoffendingChapter:
    area_name: str
    cohort_missing: str = ""
    members: int = 0
    outcomes: pd.DataFrame = field(default_factory=pd.DataFrame)
    tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    peak: dict | None = None
    means: pd.DataFrame = field(default_factory=pd.DataFrame)  # per member, before and after (the chart)


def build(ctx: ChapterContext) -> ReoffendingChapter:
    result = ReoffendingChapter(ctx.config.area_name)
    cohort = ctx.table("iom_cohort")
    if cohort is None:
        result.cohort_missing = ctx.unavailable.get("iom_cohort", "iom_cohort.csv was not supplied")
        return result
    result.members = len(cohort)
    result.outcomes = reoffending.outcomes(cohort)
    result.tests = reoffending.paired_tests(cohort)
    result.peak = reoffending.selection_peak(cohort, ctx.table("police_records", area_only=True))
    result.means = reoffending.window_means(cohort, result.peak)
    return result


def peak_reading(result: ReoffendingChapter) -> str:
    peak = result.peak
    if result.cohort_missing:
        return ""
    if not peak:
        return ("Regression to the mean cannot be measured here: the cohort does not link to police records by "
                "pseudonym. Members are taken on at a peak of offending, so part of any fall would have happened anyway.")
    if "year_before" not in peak:
        return (f"{peak['linked']} members link to the police records, but fewer than 10 have two years of records "
                "before adoption: regression to the mean cannot be measured.")
    rise = peak["year_before"] - peak["year_before_that"]
    at_peak = rise > 0 and peak["p_value"] < 0.05
    return (f"Regression to the mean: the {peak['covered']} members with two years of police records before adoption "
            f"averaged {peak['year_before']:.1f} records as suspect in the year before adoption against "
            f"{peak['year_before_that']:.1f} in the year before that ({rise:+.1f}; Wilcoxon signed-rank "
            f"{p_text(peak['p_value'])}). "
            + ("They were taken on at a peak, so part of the fall after adoption would have happened without the scheme."
               if at_peak else "No peak beyond chance before adoption, so the fall is less likely to be regression to "
               "the mean alone; without a comparison group it is still not the scheme's effect."))


def p_text(p_value: float) -> str:
    text = fmt.p_value(p_value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def findings(result: ReoffendingChapter) -> list[Finding]:
    if result.cohort_missing:
        return [Finding(NAME, "data", f"No IOM cohort extract ({result.cohort_missing}): re-offending cannot be "
                        "reported.", {}, "gap")]
    out = []
    measures = result.outcomes.set_index("Measure")["Members"]
    both, none = measures["Reduced both frequency and severity"], measures["Did not offend in the after window"]
    words = lambda v: v.brief() if hasattr(v, "brief") else v  # noqa: E731
    out.append(Finding(NAME, "reoffending", f"IOM cohort of {fmt.count(result.members)}: {words(both)} reduced both the "
                       f"frequency and the severity of their offending; {words(none)} did not offend in the after window.",
                       headline_figures("IOM cohort members", result.members,
                                        comparison="before against after, no comparison group")
                       | {"both_percent": both.share if hasattr(both, "share") else None,
                          "not_offending_percent": none.share if hasattr(none, "share") else None}, "context", "The plan's measures",
                       headline=True))
    offences = result.tests.set_index("Measure").loc["Offences"]
    if not fmt.is_missing(offences["Wilcoxon p-value"]):
        out.append(Finding(NAME, "reoffending", f"Offences per member: median {offences['Median before']:.0f} before, "
                           f"{offences['Median after']:.0f} after (Wilcoxon signed-rank {p_text(offences['Wilcoxon p-value'])}); "
                           "without a comparison group this is not the scheme's effect alone.",
                           {"median_before": float(offences["Median before"]), "median_after": float(offences["Median after"]),
                            "before_after_only": True},
                           "down" if offences["Median after"] < offences["Median before"] else "no change", "Before against after",
                           summary=(f"The IOM cohort's offending: a median of {offences['Median before']:.0f} offences per "
                                    f"member before joining, {offences['Median after']:.0f} after; without a comparison "
                                    "group this is not the scheme's effect alone.")))
    return out

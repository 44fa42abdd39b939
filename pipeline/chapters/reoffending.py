"""Chapter 8, re-offending: the Integrated Offender Management cohort's offending and its severity before and after
adoption, the plan's measures with small numbers banded, a paired test, time at risk, and regression to the mean."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import reoffending
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding, headline_figures
from pipeline.inputs.harm_weights import CODE_LEVEL

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
    severity_source: str = ""  # which weighting the severity measures use, in words
    severity_weighting: str = ""  # the configured weighting's label when the severity uses it


def build(ctx: ChapterContext) -> ReoffendingChapter:
    result = ReoffendingChapter(ctx.config.area_name)
    cohort = ctx.table("iom_cohort")
    if cohort is None:
        result.cohort_missing = ctx.unavailable.get("iom_cohort", "iom_cohort.csv was not supplied")
        return result
    result.members = len(cohort)
    cohort, result.severity_source, result.severity_weighting = _severity(ctx, cohort)
    result.outcomes = reoffending.outcomes(cohort)
    result.tests = reoffending.paired_tests(cohort)
    result.peak = reoffending.selection_peak(cohort, ctx.table("police_records", area_only=True))
    result.means = reoffending.window_means(cohort, result.peak)
    return result


def code_weights(ctx: ChapterContext) -> dict[str, float]:
    """Home Office offence code -> weight from the configured weighting: as given, or through each code's police.uk
    crime type when the weighting is by type (CrimeCatMappings.csv)."""
    by_code = ctx.table("harm_weights_by_code")
    if by_code is not None and len(by_code):
        return dict(zip(by_code["offence_code"], by_code["weight"].astype(float)))
    by_type, codes = ctx.table("harm_weights_by_type"), ctx.table("offence_codes")
    if by_type is None or by_type.empty or codes is None or "crime_type" not in codes:
        return {}
    types = dict(zip(by_type["crime_type"], by_type["weight"].astype(float)))
    return {code: types[kind.lower()] for code, kind in zip(codes["offence_code"], codes["crime_type"])
            if isinstance(kind, str) and kind.lower() in types}


def _severity(ctx: ChapterContext, cohort: pd.DataFrame) -> tuple[pd.DataFrame, str, str]:
    """The cohort with its severity from the configured weighting where the file gives offence codes, what the
    severity measures use, in words, and the weighting's label when they use it ('' otherwise)."""
    weighting = ctx.ingest_facts().get("harm_weighting")
    supplied = ("Severity is the sum of harm weights the extract supplies (severity_before, severity_after); the "
                "weighting is the supplier's and the file does not name it.")
    if not reoffending.carries_codes(cohort):
        return cohort, supplied + (" The configured weighting cannot be applied: the cohort file gives no offence "
                                   "codes (offence_codes_before, offence_codes_after)." if weighting else ""), ""
    weights = code_weights(ctx)
    if weighting is None or not weights:
        return cohort, supplied + " The file gives offence codes, but no harm weighting is configured (harm_weights).", ""
    weighed, counts = reoffending.weighted_severity(cohort, weights)
    text = (f"Severity is the sum of the weights of each member's offences under **{fmt.literal(weighting['label'])}**, "
            f"applied to the Home Office offence codes the cohort file gives (by "
            + ("offence code" if weighting["level"] == CODE_LEVEL else "each code's police.uk crime type")
            + "); the file's own severity columns are not used.")
    if counts["weighed"] < counts["members"]:
        short = counts["members"] - counts["weighed"]
        text += (f" {'Fewer than 5' if short < 5 else fmt.count(short)} members have no severity and are left out of the "
                 "severity measures: " + "; ".join(filter(None, [
                     f"codes the weighting does not weigh ({', '.join(map(fmt.literal, counts['codes_not_weighted'][:8]))})"
                     if counts["codes_not_weighted"] else "",
                     f"{counts['windows_with_wrong_code_count']:,} windows whose codes do not number their offences"
                     if counts["windows_with_wrong_code_count"] else ""])) + ".")
    return weighed, text, weighting["label"]


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
                       f"frequency and the severity of their offending; {words(none)} did not offend in the after window"
                       + (f" (severity weighed by {fmt.literal(result.severity_weighting)})." if result.severity_weighting else "."),
                       headline_figures("IOM cohort members", result.members,
                                        comparison="before against after, no comparison group")
                       | {"both_percent": both.share if hasattr(both, "share") else None,
                          "not_offending_percent": none.share if hasattr(none, "share") else None,
                          "severity_weighting": result.severity_weighting or "as supplied"}, "context", "The plan's measures",
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

"""A quarterly deep dive as a short standalone document: what the quarter shows against the same quarter of earlier
years in plain words, then the tables behind it (the same quarters, the crime types, the wards and zones, the months)
and how to read it. Assembled by pipeline.report.assemble, so it has the report's look, print styles and checks."""
from __future__ import annotations

from pipeline import formatting as fmt
from pipeline.analysis import deep_dive as analysis
from pipeline.methods.disclosure import SUPPRESSED, is_small
from pipeline.methods.statistics import CountComparison
from pipeline.report.assemble import Part
from pipeline.report.display import table_html

QUARTER_MONTHS = {1: "January to March", 2: "April to June", 3: "July to September", 4: "October to December"}


def titles(area_name: str, result: analysis.DeepDive, synthetic: bool) -> tuple[str, str]:
    title = f"{area_name}: quarterly deep dive, {result.label}, {analysis.quarter_label(result.quarter)}"
    years = len(result.same_quarters) - 1
    against = f"the same quarter of the {years} earlier year{'s' * (years != 1)} the data hold" if years else \
        "no earlier year (the data hold none)"
    types = f" ({', '.join(result.types)})" if result.types != (result.label,) else ""
    subtitle = f"{result.label}{types} in the quarter against {against}, from police.uk street-level crimes."
    return title + (" - SYNTHETIC DEMONSTRATION DATA" if synthetic else ""), subtitle


def _count(value: int) -> str:
    return "fewer than 5" if is_small(value) else fmt.count(value)


def comparison_words(comparison: CountComparison, against: str, average: bool = False) -> str:
    """'up 13.4% (138 more records) on Q4 2023 (rate ratio 1.13, 95% CI 1.04 to 1.24): beyond natural variation'."""
    if is_small(comparison.current) or is_small(comparison.previous):
        return f"against {against}: too few records to compare without showing a count from 1 to 4"
    previous = comparison.previous / comparison.previous_exposure
    change = comparison.current - previous
    percent = change / previous * 100 if previous else float("nan")
    moved = fmt.describe_change(round(change), percent, "records").lower()
    on = f"on the average of {against} ({fmt.decimal(previous)} a quarter)" if average else f"on {against}"
    verdict = fmt.change_verdict(comparison.too_small, comparison.significant)
    return (f"{moved} {on} (rate ratio {fmt.decimal(comparison.rate_ratio, 'ratio')}, 95% CI "
            f"{fmt.interval(comparison.ratio_lower, comparison.ratio_upper)}): {verdict}")


def timing_words(result: analysis.DeepDive) -> str:
    if not result.peaks:
        return ("No month stands out from an average month beyond chance (seasonal index, FDR 5%): the timing of a "
                "deep dive on this topic is free.")
    peaks = fmt.in_words([f"{month} ({fmt.decimal(index, 'ratio')}, 95% CI {fmt.interval(low, high)})"
                          for month, index, low, high in result.peaks])
    return (f"Peak months (above an average month of the same year, FDR 5%): {peaks}. A deep dive on this topic is "
            f"best timed in Q{result.suggested_quarter} ({QUARTER_MONTHS[result.suggested_quarter]}), the quarter "
            "before its highest peak.")


def _notable_places(table, label: str) -> list[str]:
    """The places whose count rose or fell most, where no count is suppressed."""
    shown = table[(table[label] != analysis.ALL_WARDS) & (table["Change"] != SUPPRESSED)]
    shown = shown[shown["Change"].astype(float).abs() >= 5]
    ordered = shown.assign(size=shown["Change"].astype(float).abs()).sort_values("size", ascending=False).head(3)
    return [f"{fmt.literal(row[label])} ({fmt.count(row['Same quarter last year'])} to {fmt.count(row['This quarter'])})"
            for _, row in ordered.iterrows()]


def summary(result: analysis.DeepDive) -> str:
    lines = ["# What the quarter shows", ""]
    if result.reason:
        return "\n".join(lines + [f"No deep dive can be made: {fmt.literal(result.reason)}."])
    quarters = result.same_quarters["Quarter"].tolist()
    rate = result.same_quarters["Rate per 1,000 residents"].iloc[-1]
    rate_words = f", {fmt.decimal(rate, 'rate')} per 1,000 residents" if rate != SUPPRESSED else ""
    lines.append(f"- **{fmt.literal(result.label)}**: {_count(result.count)} records in "
                 f"{analysis.quarter_label(result.quarter)}{rate_words}.")
    if result.headline is not None:
        lines.append(f"- {fmt.sentence(comparison_words(result.headline, quarters[-2]))}")
        if len(quarters) > 2:
            earlier = f"{quarters[0]} to {quarters[-2]}"
            lines.append(f"- {fmt.sentence(comparison_words(result.versus_average, earlier, True))}")
    else:
        lines.append("- The data hold no earlier year's same quarter to compare with.")
    if result.trend is not None:
        lines.append(f"- Over the same quarter of {len(quarters)} years: {fmt.trend_sentence(result.trend)}.")
    types = result.tables.get("type")
    if types is not None and len(types):
        moved = types.loc[types["Beyond natural variation (FDR 5%)"] == "yes", "Type"].tolist()
        lines.append("- Crime types changed beyond natural variation on the year before: "
                     + (fmt.in_words([fmt.literal(t) for t in moved]) if moved else "none") + ".")
    wards = result.tables.get("ward")
    if wards is not None and len(wards):
        places = _notable_places(wards, "Ward")
        if places:
            lines.append("- The largest changes by ward (same quarter last year to this; not tested one by one): "
                         + fmt.in_words(places) + ".")
    lines += ["", "## When to look at it", "", timing_words(result)]
    return "\n".join(lines)


def tables_section(result: analysis.DeepDive) -> str:
    if result.reason:
        return ""
    label = fmt.literal(result.label)
    blocks = ["# The same quarter of each year", "",
              table_html(result.same_quarters, f"{label}: Q{result.quarter[-1]} of each year"), ""]
    if len(result.tables.get("type", [])):
        blocks += ["# By crime type", "", table_html(result.tables["type"], f"{label} by crime type, "
                                                     f"{analysis.quarter_name(result.quarter)} against a year before"), ""]
    if "ward" in result.tables:
        blocks += ["# Where", "", table_html(result.tables["ward"], f"{label} by ward, "
                                             f"{analysis.quarter_name(result.quarter)} against a year before"), ""]
    if "zone" in result.tables:
        blocks += [table_html(result.tables["zone"], f"{label} by zone, {analysis.quarter_name(result.quarter)} "
                                  "against a year before"), ""]
    blocks += ["# Month by month", "", table_html(result.tables["month"], f"{label}: each month of "
                                                  f"{analysis.quarter_name(result.quarter)} against the same month of the earlier years"), ""]
    return "\n".join(blocks)


def method_section() -> str:
    return "\n".join([
        "# How to read this deep dive", "",
        "The quarter is compared with the same quarter of earlier years, so the season is the same on both sides. "
        "Counts are police.uk street-level crimes by the month recorded, for the types the topic names (police.uk's "
        "Burglary and Robbery include business premises and property). A change is *beyond natural variation* when "
        "chance alone would give one so large less than one time in twenty: the exact conditional test of two "
        "Poisson counts (Przyborowski J. & Wilenski H. (1940) Biometrika 31:313-323), with Benjamini-Hochberg "
        "control of the false discovery rate across crime types. *Not enough evidence of a change* does not mean "
        "the level held steady.", "",
        "The trend over the same quarters is a quasi-Poisson log-linear regression (McCullagh P. & Nelder J.A. "
        "(1989) Generalized Linear Models, ch. 6). Peak months are the seasonal index of the topic's monthly counts "
        "over whole financial years, called after false-discovery-rate control. Wards and zones are counted, not "
        "tested one by one: their counts are small. No count from 1 to 4 is shown, nor one that could be worked "
        "out from a total ([c])."])


def parts(result: analysis.DeepDive) -> list[Part]:
    found = [Part("findings", False, markdown=summary(result)), Part("tables", False, markdown=tables_section(result)),
             Part("method", True, markdown=method_section())]
    return [part for part in found if part.markdown]

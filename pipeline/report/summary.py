"""The executive summary, gathered from every chapter's structured findings (the run's findings/*.json).

Nothing here recomputes a statistic: each number is a figure a chapter put on a finding, formatted by
pipeline.formatting, so the summary and the chapter cannot disagree. It is written for a board member who reads
two A4 pages: the priorities at a glance, rated by their outcomes (pipeline.report.summary_rules), the plan's
progress with the period each figure covers, at most six key findings and eight recommendations in plain words
(pipeline.report.summary_words). Tests, p-values and intervals stay in the chapters the summary links to.
"""
from __future__ import annotations

import math
import re
from html import escape
from pathlib import Path

from pipeline import formatting as fmt
from pipeline.chapters.registry import CHAPTERS, PRIORITIES, RECORDING_EFFECT, Finding, findings_from_json, series_of
from pipeline.methods.statistics import Detectable
from pipeline.report.markup import inline_html
from pipeline.report.summary_rules import (ACTIVITIES_RULE, RATING_RULES, headline, plan_targets, priority_rows,
                                          targets_for)
from pipeline.report.summary_matrix import matrix_html
from pipeline.report.summary_words import key_findings, plain_words, recommendations

LINK_PREFIX = "#finding--"
SUMMARY_TAG = "executive-summary"  # the summary's cell tag: the print style keeps it on the first two pages
NO_COMPARISON = "no comparison: last year's data are not in the files"


def load_findings(findings_dir: Path) -> list[Finding]:
    """Every chapter's findings, in report order; a chapter that was not run has none."""
    out: list[Finding] = []
    for chapter in CHAPTERS:
        path = findings_dir / f"{chapter.name}.json"
        if path.exists():
            out.extend(findings_from_json(path.read_text(encoding="utf-8")))
    return out


def section_link(finding: Finding) -> str:
    """A link placeholder the report resolves to the heading of the finding's section (assemble.link_sections)."""
    slug = re.sub(r"[^a-z0-9]+", "-", finding.section.lower()).strip("-")
    return f"{LINK_PREFIX}{finding.chapter}--{slug}"


def _cell(value: object, kind: str = "count") -> str:
    if isinstance(value, str):
        return escape(value)
    return escape(fmt.number(value, kind)) if value is not None and not fmt.is_missing(value) else fmt.MISSING


def change_cell(figures: dict, detectable: bool = True) -> str:
    """'+284 (+2.2%): beyond natural variation', or what stands in for a change: a recording effect, a
    before/after comparison, or no comparison because last year's data are missing. The smallest detectable
    change is left to the priorities table (`detectable`), where it is said once per measure."""
    if figures.get("screen") == RECORDING_EFFECT or (figures.get("change") is None and figures.get("comparison")):
        return escape(str(figures.get("comparison") or RECORDING_EFFECT))
    if figures.get("change") is None:
        return NO_COMPARISON
    return (f'{_cell(figures["change"], "signed_count")} ({_cell(figures["change_percent"], "signed_percent")}): '
            f'{escape(summary_screen(figures) if detectable else _short_screen(figures))}')


def _short_screen(figures: dict) -> str:
    screen = figures.get("screen") or ""
    return "not enough evidence" if screen == "within natural variation" else screen


def summary_screen(figures: dict) -> str:
    """The screen in the summary's words: 'within natural variation' reads as 'stable', so it is 'not enough
    evidence of a change', with the smallest rise and fall the data would have detected."""
    screen = figures.get("screen") or ""
    if screen != "within natural variation":
        return screen
    if "detectable_rise_percent" not in figures:
        return fmt.NO_EVIDENCE
    detectable = Detectable(figures["detectable_rise_percent"], figures.get("detectable_fall_percent", math.inf))
    return f"{fmt.NO_EVIDENCE} (detectable: {detectable})"


def common_period(rows: list[dict]) -> str:
    """The period most headlines count, said once in the caption; a row counting another says its own."""
    periods = [r["headline"].figures.get("period") for r in rows if r["headline"] is not None]
    periods = [p for p in periods if p]
    return max(set(periods), key=periods.count) if periods else ""


def financial_year(label: str) -> str | None:
    """'Apr 2023 - Mar 2024' -> '2023/24'; None for a year that is not a financial year."""
    found = re.fullmatch(r"Apr (\d{4}) - Mar (\d{4})", label)
    return f"{found[1]}/{found[2][2:]}" if found and int(found[2]) == int(found[1]) + 1 else None


def sparkline(figures: dict, baseline: str | None) -> str:
    """The headline's counts by year as a small bar chart from zero (HTML, no script or image), the plan's baseline
    year in dark blue; its label gives every year's count, for screen readers and for the reader who hovers."""
    series = series_of(figures)
    if len(series) < 2:
        return ""
    top = max(count for _, count in series) or 1
    bars = "".join(f'<span class="spark-bar{" spark-base" if baseline and financial_year(label) == baseline else ""}" '
                   f'style="height:{max(4, round(count / top * 100))}%"></span>' for label, count in series)
    words = "; ".join(f"{label}: {fmt.count(count)}" for label, count in series)
    if baseline and any(financial_year(label) == baseline for label, _ in series):
        words += f"; the plan's baseline year {baseline} is the dark bar"
    return (f'<br><span class="sparkline" role="img" aria-label="{escape(str(figures.get("measure", "")))} by year: '
            f'{escape(words)}" title="{escape(words)}">{bars}</span>')


def priority_table(findings: list[Finding]) -> str:
    head = ("<tr><th>Priority</th><th>Headline measure</th><th>Count</th><th>Change on last year</th>"
            "<th>Outcome targets</th><th>Rating</th><th>Delivery of activities</th></tr>")
    body = []
    rows = priority_rows(findings)
    usual = common_period(rows)
    for row in rows:
        top: Finding | None = row["headline"]
        figures = top.figures if top else {}
        measure = (f'<a href="{section_link(top)}">{escape(str(figures["measure"]))}</a>' if top else fmt.MISSING)
        if figures.get("period") and figures["period"] != usual:
            measure += f'<br><span class="second">{escape(str(figures["period"]))}</span>'
        rating = row["rating"]
        css = rating.label.lower().replace(" ", "-")
        baseline = next((t.figures["baseline_year"] for t in targets_for(findings, row["priority"])
                         if t.figures.get("baseline_year")), None)
        body.append(f'<tr><td class="text">{escape(row["title"])}</td><td class="text">{measure}</td>'
                    f'<td class="num">{_cell(figures.get("this_year"))}{sparkline(figures, baseline)}</td>'
                    f'<td class="text">{change_cell(figures)}</td><td class="text">{escape(row["targets"])}</td>'
                    f'<td class="text rating rating-{css}"><strong>{rating.label}</strong><br>'
                    f'<span class="reason">{escape(rating.reason)}</span></td>'
                    f'<td class="text">{escape(row["delivery"])}</td></tr>')
    counted = f": counts for {escape(usual)} unless a row says otherwise" if usual else ""
    return (f'<table class="report-table summary-table"><caption>The plan\'s priorities at a glance{counted}'
            f'</caption><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>')


def progress_rows(findings: list[Finding]) -> list[dict]:
    """The plan's progress: total crime and ASB with their change and long-term trend, then each outcome target,
    every row with the period it counts. A target part way through its year shows its count to date beside the
    target pro rata and the projected year end with its interval, never beside the whole year's target alone.
    Activity targets are delivery: the priorities table tallies them."""
    rows = []
    total, asb = headline(findings, "overall"), headline(findings, "asb")
    asb_trend = next((f for f in findings if f.chapter == "asb" and f.section == "The long-term trend" and f.direction != "gap"), None)
    for top, trend in ((total, (_overall_trend(total.figures) if total else None)),
                       (asb, asb_trend and _trend_words(asb_trend.figures))):
        if top is None:
            continue
        rows.append({"measure": top.figures["measure"], "period": top.figures.get("period", ""),
                     "this_year": top.figures["this_year"], "figures": top.figures, "trend": trend or fmt.MISSING,
                     "target": "no target", "status": fmt.MISSING, "link": section_link(top)})
    for target in plan_targets(findings):
        if target.figures.get("activity"):
            continue
        rows.append({"measure": target.figures["target"], "period": target.figures.get("period", ""),
                     "this_year": target.figures.get("Year to date"), "figures": target.figures, "trend": fmt.MISSING,
                     "target": target_words(target.figures),
                     "status": (target.figures.get("status") or "not assessable")
                     + (", too close to call" if target.figures.get("too_close_to_call") else ""),
                     "link": section_link(target)})
    return rows


def target_words(figures: dict) -> str:
    """The target as the row's count should be read against it: the whole year's target when the year is over;
    part way through, the target pro rata to date and the projected year end with its 95% interval."""
    aim = str(figures.get("aim", ""))
    months = figures.get("Months to date")
    if months is None or months >= 12 or "Target to date (pro rata)" not in figures:
        return aim
    text = f"{aim}; {fmt.count(figures['Target to date (pro rata)'])} pro rata to date"
    if "Projected year end" in figures:
        text += f"; projected year end {fmt.count(figures['Projected year end'])}"
        if "projected_low" in figures:
            low, high = round(figures["projected_low"]), round(figures["projected_high"])
            text += f" (95% interval {fmt.count(low)} to {fmt.count(high)})"
            if figures.get("too_close_to_call"):
                text += ", which holds the target"
    return text


def _overall_trend(figures: dict) -> str | None:
    trend = figures.get("trend")
    if trend != "no clear trend":
        return trend
    if "trend_detectable_rise_percent" in figures:
        detectable = Detectable(figures["trend_detectable_rise_percent"], figures["trend_detectable_fall_percent"])
        return f"not enough evidence of a trend ({detectable} a year would have been detected)"
    return "not enough evidence of a trend"


def _trend_words(figures: dict) -> str:
    """The whole series' trend: its direction when its test is beyond chance, else not enough evidence of one, with
    the smallest steady change it would have detected."""
    percent = figures.get("whole_percent")
    if fmt.is_missing(percent) or percent is None:
        return fmt.MISSING
    if figures.get("whole_p", 1.0) < 0.05:
        return f"{'downward' if percent < 0 else 'upward'} ({fmt.signed_percent(percent)} a year)"
    text = f"not enough evidence of a trend ({fmt.signed_percent(percent)} a year"
    if "whole_detectable_rise_percent" in figures:
        detectable = Detectable(figures["whole_detectable_rise_percent"], figures["whole_detectable_fall_percent"])
        text += f"; {detectable} a year would have been detected"
    return text + ")"


def progress_table(findings: list[Finding]) -> str:
    head = "<tr><th>Measure</th><th>Period</th><th>Count</th><th>Change</th><th>Target</th><th>Status</th></tr>"
    body = []
    for row in progress_rows(findings):
        name = escape(str(row["measure"]))
        measure = f'<a href="{row["link"]}">{name}</a>' if row["link"] else name
        status = escape(str(row["status"]))
        css = "too-close" if row["figures"].get("too_close_to_call") else status.lower().replace(" ", "-")
        change = change_cell(row["figures"], detectable=False)
        target = escape(str(row["target"]))
        if row["trend"] != fmt.MISSING:
            target += f"; long-term trend: {escape(str(row['trend']))}"
        body.append(f'<tr><td class="text">{measure}</td><td class="text">{escape(str(row["period"])) or fmt.MISSING}</td>'
                    f'<td class="num">{_cell(row["this_year"])}</td><td class="text">{change}</td>'
                    f'<td class="text">{target}</td><td class="text status status-{css}">{status}</td></tr>')
    return (f'<table class="report-table summary-table"><caption>Progress against the plan\'s outcome measures and '
            f'targets (a target\'s change is on the same months of its baseline year)</caption><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>')


def key_findings_html(findings: list[Finding]) -> str:
    items = [f'<li><a class="section-link" href="{section_link(f)}"><strong>{escape(PRIORITIES[f.priority])}.</strong></a> '
             f'{inline_html(plain_words(f.plain))}</li>' for f in key_findings(findings)]
    return f'<ol class="key-findings">{"".join(items)}</ol>'


def executive_summary(findings: list[Finding], area_name: str, year_label: str, changes_html: str = "") -> str:
    """The executive summary as HTML (a markdown cell of the report): the priorities, the plan's progress,
    the key findings and the recommendations."""
    if not findings:
        return ""
    rules = " ".join(f"({i}) <strong>{rule.label}</strong> when {rule.words}." for i, rule in enumerate(RATING_RULES, 1))
    recs = "".join(f"<li>{inline_html(r)}</li>" for r in recommendations(findings))
    return f"""# Executive summary

{fmt.literal(area_name)}, {fmt.literal(year_label)}. Each figure links to its chapter, which gives its test and interval.
*Beyond natural variation*: chance alone would give such a change less than one year in twenty. *Not enough evidence of
a change* does not mean the level held steady.

{priority_table(findings)}

<div class="rating-rule"><strong>How a priority is rated</strong>, the first rule that applies: {rules} {ACTIVITIES_RULE}</div>

{progress_table(findings)}

## Key findings

{key_findings_html(findings)}

## Recommendations

<ol class="recommendations">{recs}</ol>

{matrix_html(findings)}
{changes_html}"""


def changes_since(current: list[Finding], previous: list[Finding], previous_label: str) -> str:
    """What changed since the last assessment: each priority's headline and rating then and now, and each
    target's status then and now. Empty when there is no previous run."""
    if not previous:
        return ""
    before = {r["priority"]: r for r in priority_rows(previous)}
    body = []
    for row in priority_rows(current):
        old = before.get(row["priority"])
        then_count = old["headline"].figures.get("this_year") if old and old["headline"] else None
        now_count = row["headline"].figures.get("this_year") if row["headline"] else None
        then_rating = old["rating"].label if old else "not assessed"
        moved = ("unchanged" if then_rating == row["rating"].label else f"{then_rating} to {row['rating'].label}")
        body.append(f'<tr><td class="text">{escape(row["title"])}</td><td class="num">{_cell(then_count)}</td>'
                    f'<td class="num">{_cell(now_count)}</td><td class="text">{escape(then_rating)}</td>'
                    f'<td class="text">{escape(row["rating"].label)}</td><td class="text">{escape(moved)}</td></tr>')
    old_targets = {f.figures.get("target"): f.figures.get("status") for f in plan_targets(previous)}
    target_rows = "".join(
        f'<tr><td class="text">{escape(str(f.figures.get("target")))}</td>'
        f'<td class="text">{escape(str(old_targets.get(f.figures.get("target")) or "not set"))}</td>'
        f'<td class="text">{escape(str(f.figures.get("status")))}</td></tr>'
        for f in plan_targets(current))
    targets = (f'<table class="report-table"><caption>Targets: status at the last assessment and now</caption><thead><tr>'
               f"<th>Target</th><th>Last assessment</th><th>This assessment</th></tr></thead><tbody>{target_rows}"
               "</tbody></table>") if target_rows else ""
    return f"""
## What changed since the last assessment

The last assessment ({escape(previous_label)}) against this one: each priority's headline count and rating (by the
same rules), and each target's status.

<table class="report-table"><caption>Priorities at the last assessment and now</caption><thead><tr><th>Priority</th>
<th>Headline, last assessment</th><th>Headline, this assessment</th><th>Rating, last</th><th>Rating, now</th>
<th>Rating moved</th></tr></thead><tbody>{"".join(body)}</tbody></table>

{targets}
"""

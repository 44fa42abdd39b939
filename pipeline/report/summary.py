"""The executive summary, gathered from every chapter's structured findings (the run's findings/*.json).

Nothing here recomputes a statistic: each number is a figure a chapter put on a finding, formatted by
pipeline.formatting, so the summary and the chapter cannot disagree. A priority is rated by an ordered list
of rules (RATING_RULES), the first that applies; the report states the rules beside the ratings.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from pipeline import formatting as fmt
from pipeline.methods.statistics import Detectable
from pipeline.chapters.registry import CHAPTERS, PRIORITIES, Finding, findings_from_json
from pipeline.report.markup import inline_html

# The plan priorities the summary rates, in the plan's order (targets and data are reported on their own).
RATED = ("overall", "strategic", "acquisitive", "violence", "asb", "domestic", "reoffending")
# The chapter written for each priority: its findings come first when a priority has several.
OWN_CHAPTER = {"overall": "crime_overview", "strategic": "strategic_priority", "acquisitive": "acquisitive",
               "violence": "violence", "asb": "asb", "domestic": "domestic", "reoffending": "reoffending",
               "data": "strategic_priority"}
WEIGHT = {"up": 3, "down": 3, "association": 3, "missed": 3, "off track": 3, "gap": 2, "context": 1}
PER_PRIORITY = 3  # at most this many changes, associations or gaps per priority
MIN_PER_PRIORITY = 2  # topped up with context (a seasonal pattern, a share) when there are fewer
LINK_PREFIX = "#finding--"
RATING_RULES = (
    ("Red", "a target for the priority was missed or is off track"),
    ("Red", "its headline measure rose beyond natural variation"),
    ("Amber", "part of it rose beyond chance (an alarm, an emerging hotspot, a zone, a crime type or a trend)"),
    ("Amber", "its headline measure rose, without enough evidence of a change"),
    ("Amber", "an association beyond chance links the flags with violence or ASB"),
    ("Green", "its headline measure fell or did not rise, its findings show a fall, or its targets were all met or "
              "are on track; and no target was missed"),
    ("Not rated", "no comparison with last year, no target assessed and no change found"),
)


@dataclass(frozen=True)
class Rating:
    label: str
    reason: str


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


def headline(findings: list[Finding], priority: str) -> Finding | None:
    return next((f for f in findings if f.headline and f.priority == priority), None)


def plan_targets(findings: list[Finding]) -> list[Finding]:
    """The plan's targets, one finding each, as the crime overview reports them (other chapters repeat some)."""
    return [f for f in findings if f.priority == "targets" and f.chapter == "crime_overview"]


def targets_for(findings: list[Finding], priority: str) -> list[Finding]:
    """The plan's targets serving a priority."""
    return [f for f in plan_targets(findings) if f.figures.get("plan_priority") == priority]


def rate(findings: list[Finding], priority: str) -> Rating:
    """The first rule of RATING_RULES that applies to the priority, with the figures that made it apply."""
    top = headline(findings, priority)
    own = [f for f in findings if f.priority == priority and not f.headline]
    targets = targets_for(findings, priority)
    missed = [t for t in targets if t.direction in ("missed", "off track")]
    change = top.figures.get("change") if top else None
    screen = top.figures.get("screen") if top else None
    rises = [f for f in own if f.direction == "up"]
    if missed:
        names = ", ".join(t.figures["target"] for t in missed)
        return Rating("Red", f"targets missed or off track: {names}")
    if change is not None and change > 0 and screen == "beyond natural variation":
        return Rating("Red", f"{top.figures['measure']} rose beyond natural variation")
    if rises:
        return Rating("Amber", "rises beyond chance in " + ", ".join(dict.fromkeys(f.section.lower() for f in rises)))
    if change is not None and change > 0:
        return Rating("Amber", f"{top.figures['measure']} rose, without enough evidence of a change")
    if any(f.direction == "association" for f in own):
        return Rating("Amber", "associations beyond chance between the flags and violence or ASB")
    assessed = [t for t in targets if t.direction in ("met", "on track")]
    falls = any(f.direction == "down" for f in own)
    if change is not None or falls or assessed:
        met = "its targets were met or are on track" if assessed else ""
        fell = (f"{top.figures['measure']} fell or did not rise" if change is not None else
                "its findings show a fall" if falls else "")
        return Rating("Green", "; ".join(filter(None, [fell, met])))
    return Rating("Not rated", "no comparison with last year, no target assessed and no change found")


def priority_rows(findings: list[Finding]) -> list[dict]:
    """One row per rated priority: the headline's numbers, the targets' verdicts and the rating."""
    rows = []
    for priority in RATED:
        top = headline(findings, priority)
        targets = targets_for(findings, priority)
        if top is None and not targets and not any(f.priority == priority for f in findings):
            continue
        rows.append({"priority": priority, "title": PRIORITIES[priority], "headline": top, "targets": tally(targets),
                     "rating": rate(findings, priority)})
    return rows


def tally(targets: list[Finding]) -> str:
    """'2 met, 1 missed, 1 not assessed': the targets by verdict, verdicts with none left out."""
    if not targets:
        return "no target"
    counts = {verdict: sum(t.direction == verdict for t in targets) for verdict in ("met", "on track", "missed", "off track")}
    counts["not assessed"] = len(targets) - sum(counts.values())
    return ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n)


def key_findings(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Per priority (the data priority included), up to PER_PRIORITY changes, associations or gaps, strongest
    first (a change or an association beyond chance, then a gap; the priority's own chapter first; then the
    smaller p-value), topped up with context to MIN_PER_PRIORITY; headlines and targets are in the tables."""
    order = {id(f): i for i, f in enumerate(findings)}
    out: dict[str, list[Finding]] = {}
    for priority in (*RATED, "data"):
        candidates = [f for f in findings if f.priority == priority and not f.headline and WEIGHT.get(f.direction, 0)]

        def strength(f: Finding) -> tuple:
            p = f.figures.get("p_value", f.figures.get("bh_adjusted_p"))
            return (-WEIGHT[f.direction], f.chapter != OWN_CHAPTER[priority], p if isinstance(p, float) else 1.0,
                    order[id(f)])
        ranked = sorted(candidates, key=strength)
        signals = [f for f in ranked if WEIGHT[f.direction] >= 2][:PER_PRIORITY]
        context = [f for f in ranked if WEIGHT[f.direction] < 2][:max(0, MIN_PER_PRIORITY - len(signals))]
        chosen = signals + context
        if chosen:
            out[priority] = chosen
    return out


def recommendations(findings: list[Finding]) -> list[str]:
    """What follows from the ratings (priorities to keep, raise or review) and from the data gaps."""
    out = []
    for row in priority_rows(findings):
        title, rating = _lower_first(row["title"]), row["rating"]
        if rating.label == "Red":
            out.append(f"**Keep {title} as a priority and act on it**: {rating.reason}.")
        elif rating.label == "Amber":
            out.append(f"**Keep {title} as a priority and watch it**: {rating.reason}.")
        elif rating.label == "Green":
            out.append(f"**Review whether {title} still needs priority status** ({rating.reason}); "
                       "keep monitoring it in the quarterly performance report.")
        else:
            out.append(f"**Obtain the data to judge {title}**: {rating.reason}.")
    for gap in (f for f in findings if f.direction == "gap"):
        if "completeness_after" in gap.figures:  # a recording effect: the data exist but are not complete
            out.append(f"**Complete the recording**: {_plain_text(gap.plain)} Ask for the flag on every record, so "
                       "that the next assessment can read a trend in it.")
        else:
            out.append(f"**Data to obtain**: {_plain_text(gap.plain)}")
    return list(dict.fromkeys(out))


def _lower_first(title: str) -> str:
    """'Anti-social behaviour' -> 'anti-social behaviour', but 'ASB ...' stays."""
    return title[:1].lower() + title[1:] if title[1:2].islower() else title


def _plain_text(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"\1", text).strip()


def _cell(value: object, kind: str = "count") -> str:
    if isinstance(value, str):
        return escape(value)
    return escape(fmt.number(value, kind)) if value is not None and not fmt.is_missing(value) else fmt.MISSING


def _change_cells(figures: dict) -> tuple[str, str, str]:
    """Change, change (%) and the natural-variation screen, or dashes without a comparison."""
    if figures.get("change") is None:
        return fmt.MISSING, fmt.MISSING, "no comparison"
    return (_cell(figures["change"], "signed_count"), _cell(figures["change_percent"], "signed_percent"),
            escape(summary_screen(figures)))


def summary_screen(figures: dict) -> str:
    """The screen in the summary's words: 'within natural variation' reads as 'stable', so it is 'not enough
    evidence of a change' with the smallest change the data would have detected."""
    screen = figures.get("screen") or ""
    if screen != "within natural variation":
        return screen
    detectable = Detectable(figures.get("detectable_rise_percent", math.inf), figures.get("detectable_fall_percent", math.inf))
    return (f"not enough evidence of a change ({detectable} would have been detected)"
            if "detectable_rise_percent" in figures else "not enough evidence of a change")


def priority_table(findings: list[Finding]) -> str:
    head = ("<tr><th>Priority</th><th>Headline measure</th><th>This year</th><th>Change</th><th>Change (%)</th>"
            "<th>Natural variation</th><th>Targets</th><th>Rating</th></tr>")
    body = []
    for row in priority_rows(findings):
        top: Finding | None = row["headline"]
        figures = top.figures if top else {}
        change, percent, screen = _change_cells(figures)
        measure = (f'<a href="{section_link(top)}">{escape(str(figures["measure"]))}</a>' if top else fmt.MISSING)
        rating = row["rating"]
        css = rating.label.lower().replace(" ", "-")
        body.append(f'<tr><td class="text">{escape(row["title"])}</td><td class="text">{measure}</td>'
                    f'<td class="num">{_cell(figures.get("this_year"))}</td><td class="num">{change}</td>'
                    f'<td class="num">{percent}</td><td class="text">{screen}</td><td class="text">{escape(row["targets"])}</td>'
                    f'<td class="text rating rating-{css}"><strong>{rating.label}</strong><br>'
                    f'<span class="reason">{escape(rating.reason)}</span></td></tr>')
    return (f'<table class="report-table summary-table"><caption>The plan\'s priorities at a glance'
            f'</caption><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>')


def progress_rows(findings: list[Finding]) -> list[dict]:
    """The plan's Progress table: total crime and ASB with their change and long-term trend, then each crime
    target and each activity target with its status."""
    rows = []
    total, asb = headline(findings, "overall"), headline(findings, "asb")
    asb_trend = next((f for f in findings if f.chapter == "asb" and f.section == "The long-term trend" and f.direction != "gap"), None)
    for top, trend in ((total, (_overall_trend(total.figures) if total else None)),
                       (asb, asb_trend and _trend_words(asb_trend.figures))):
        if top is None:
            continue
        rows.append({"measure": top.figures["measure"], "this_year": top.figures["this_year"], "figures": top.figures,
                     "trend": trend or fmt.MISSING, "target": "no target", "status": fmt.MISSING, "link": section_link(top)})
    for target in plan_targets(findings):
        rows.append({"measure": target.figures["target"], "this_year": target.figures.get("Year to date", target.figures.get("achieved")),
                     "figures": target.figures, "trend": fmt.MISSING, "target": target.figures.get("aim", ""),
                     "status": target.figures.get("status") or "not assessable", "link": section_link(target)})
    return rows


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
    head = ("<tr><th>Measure</th><th>This year</th><th>Change</th><th>Change (%)</th><th>Long-term trend</th>"
            "<th>Target</th><th>Status</th></tr>")
    body = []
    for row in progress_rows(findings):
        change, percent, _ = _change_cells(row["figures"])
        name = escape(str(row["measure"]))
        measure = f'<a href="{row["link"]}">{name}</a>' if row["link"] else name
        status = escape(str(row["status"]))
        css = status.lower().replace(" ", "-")
        body.append(f'<tr><td class="text">{measure}</td><td class="num">{_cell(row["this_year"])}</td>'
                    f'<td class="num">{change}</td><td class="num">{percent}</td><td class="text">{escape(str(row["trend"]))}</td>'
                    f'<td class="text">{escape(str(row["target"]))}</td><td class="text status status-{css}">{status}</td></tr>')
    return (f'<table class="report-table summary-table"><caption>Progress against the plan</caption>'
            f'<thead>{head}</thead><tbody>{"".join(body)}</tbody></table>')


def _markdown_inline(text: str) -> str:
    """A finding's markdown as inline HTML, as its chapter shows it (any HTML in it escaped)."""
    return inline_html(text)


def key_findings_html(findings: list[Finding]) -> str:
    items = []
    for priority, chosen in key_findings(findings).items():
        sentences = " ".join(f'{_markdown_inline(f.plain)} <a class="section-link" href="{section_link(f)}">(see the '
                             f'section)</a>' for f in chosen)
        items.append(f"<li><strong>{escape(PRIORITIES[priority])}.</strong> {sentences}</li>")
    return f'<ol class="key-findings">{"".join(items)}</ol>'


def executive_summary(findings: list[Finding], area_name: str, year_label: str, changes_html: str = "") -> str:
    """The executive summary as HTML (a markdown cell of the report): the priorities, the plan's progress,
    the key findings and the recommendations."""
    if not findings:
        return ""
    rules = "".join(f"<li><strong>{label}</strong> when {rule}</li>" for label, rule in RATING_RULES)
    recs = "".join(f"<li>{_markdown_inline(r)}</li>" for r in recommendations(findings))
    return f"""# Executive summary

This assessment covers {fmt.literal(area_name)} for {fmt.literal(year_label)}. Every figure below comes from the chapter it
links to. *Natural variation*: a change is called beyond natural variation only when an exact test says chance alone
would produce it less than one year in twenty (in a table of many changes, at a 5% false discovery rate). *Not
enough evidence of a change* does not mean the level held steady: the data could not tell a change of that size from
chance, and beside it is the smallest rise or fall they would have detected with 80% power.

## Priorities at a glance

{priority_table(findings)}

<div class="rating-rule"><strong>How a priority is rated</strong> (the first rule that applies):<ol>{rules}</ol></div>

## Progress against the plan

{progress_table(findings)}

## Key findings

{key_findings_html(findings)}

## Recommendations

<ol class="recommendations">{recs}</ol>
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

"""The quarterly deep dives in the annual report: the deep dives of the assessment year (those the configuration
plans and those written, in outputs/<assessment>-deep-dives/), each with a link to its document and what it found,
under the executive summary's account of what changed."""
from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pandas as pd

from pipeline import formatting as fmt
from pipeline.inputs.config import AssessmentConfig
from pipeline.inputs.deep_dive_plan import QUARTER, quarter_months
from pipeline.report.assemble import slug


def deep_dive_folder(out_root: Path, name: str) -> Path:
    return out_root / f"{name}-deep-dives"


def deep_dive_stem(topic: str, quarter: str) -> str:
    return f"deep-dive-{slug(topic)}-{quarter}"


def year_quarters(period_end: pd.Period) -> list[str]:
    """The calendar quarters wholly inside the twelve months ending at period_end, oldest first."""
    first = period_end - 11
    quarters = {f"{m.year}Q{m.quarter}" for m in pd.period_range(first, period_end, freq="M")}
    return sorted(q for q in quarters if quarter_months(q)[0] >= first and quarter_months(q)[-1] <= period_end)


def written(folder: Path, quarters: list[str]) -> dict[tuple[str, str], dict]:
    """The records of the deep dives written for these quarters: (quarter, topic) -> record."""
    found = {}
    for path in sorted(folder.glob("deep-dive-*.json")) if folder.is_dir() else []:
        try:
            record = json.loads(path.read_text())
            quarter, topic = str(record["quarter"]), str(record["topic"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a deep dive's record
        if QUARTER.fullmatch(quarter) and quarter in quarters and (folder / str(record.get("document", ""))).is_file():
            found[(quarter, topic)] = record
    return found


def finding_words(record: dict) -> str:
    """What a deep dive found, in a line: its count and its change on the same quarter a year before."""
    if record.get("reason"):
        return f"no comparison: {record['reason']}"
    count, headline = record.get("count", 0), record.get("headline")
    if 1 <= count <= 4:
        return "fewer than 5 records"
    words = f"{fmt.count(count)} records"
    if headline and not (1 <= headline["previous"] <= 4):
        change = fmt.describe_change(round(headline["change"]), headline["percent_change"] or float("nan"), "records")
        verdict = fmt.change_verdict(headline["too_small"], headline["significant"])
        words += f"; {change.lower()} on the same quarter a year before: {verdict}"
    return words


def deep_dives_html(config: AssessmentConfig, period_end: pd.Period, out_root: Path) -> tuple[str, str]:
    """The year's deep dives: a paragraph for the executive summary's account of what changed (the deep dives
    written, what each found; '' when none) and an appendix listing every planned or written one with its link
    ('' when there is none)."""
    quarters = year_quarters(period_end)
    folder = deep_dive_folder(out_root, config.name)
    records = written(folder, quarters)
    planned = {(q, topic) for q, topic in config.deep_dives.plan.items() if q in quarters}
    rows, found_words = [], []
    for quarter, topic in sorted(planned | set(records)):
        record = records.get((quarter, topic))
        label = config.deep_dives.topics().get(topic, (topic, ()))[0]
        if record:
            link = f"../{folder.name}/{record['document']}"
            document = f'<a href="{escape(link)}">{escape(record["document"])}</a>'
            found = escape(finding_words(record))
            timed = f"Q{record['suggested_quarter']}" if record.get("suggested_quarter") else "any (no peak month)"
            found_words.append(f'<a href="{escape(link)}">{escape(label)}, {quarter}</a>: {found}')
        else:
            document, found = "not written yet", f"planned: run --deep-dive {escape(topic)} --quarter {quarter}"
            timed = fmt.MISSING
        rows.append(f'<tr><td class="text">{quarter}</td><td class="text">{escape(label)}</td>'
                    f'<td class="text">{document}</td><td class="text">{found}</td><td class="text">{timed}</td></tr>')
    if not rows:
        return "", ""
    summary = (f"\n<p><strong>The quarterly deep dives of the year</strong> (listed in the appendix, with those "
               f"planned): {'; '.join(found_words)}.</p>\n") if found_words else ""
    return summary, f"""# Quarterly deep dives of the year

Each quarter's deep dive compares one priority with the same quarter of earlier years (its own document, linked).
*Best timed*: the quarter before the topic's highest seasonal peak, from its monthly counts.

<table class="report-table"><caption>The deep dives of the year</caption><thead><tr><th>Quarter</th><th>Topic</th>
<th>Document</th><th>What it found</th><th>Best timed</th></tr></thead><tbody>{"".join(rows)}</tbody></table>
"""

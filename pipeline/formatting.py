"""One set of rules for showing numbers, used by every table and every sentence of the report.

Pipeline functions return numbers (or the value objects of pipeline.methods.values); only display
calls these. The rules: counts with thousands separators; percents, rates and shares to 1 decimal
place; ratios (rate ratios, odds ratios, indices) to 2; p-values to 2 significant figures, or '<0.001';
a missing value is an em dash.
"""
from __future__ import annotations

import datetime
import math
import numbers
import re

import pandas as pd

MISSING = "—"
KINDS = "kinds"  # DataFrame.attrs key: column name -> display kind, where the column's name does not say
DECIMALS = {"count": 0, "percent": 1, "rate": 1, "ratio": 2, "number": 1}


def is_missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def count(value: object) -> str:
    """12,345 (a whole number; a float count is rounded)."""
    return MISSING if is_missing(value) else f"{round(float(value)):,}"


def decimal(value: object, kind: str = "number") -> str:
    """A number to the decimals its kind takes: percent and rate 1, ratio 2."""
    if is_missing(value):
        return MISSING
    if math.isinf(float(value)):
        return "∞"
    return f"{float(value):,.{DECIMALS[kind]}f}"


def percent(value: object) -> str:
    """'12.3%'."""
    return MISSING if is_missing(value) else f"{decimal(value, 'percent')}%"



def signed_count(value: object) -> str:
    """'+12', '-1,234', '0'."""
    if is_missing(value):
        return MISSING
    whole = round(float(value))
    return "0" if whole == 0 else f"{whole:+,}"


def signed_number(value: object) -> str:
    """'+1,234.5', '-0.5', '0.0' (a change in a weighted total such as harm)."""
    return MISSING if is_missing(value) else f"{float(value):+,.1f}".replace("+0.0", "0.0").replace("-0.0", "0.0")


def signed_percent(value: object) -> str:
    """'+12.3%', '-4.0%'."""
    return MISSING if is_missing(value) else f"{float(value):+.1f}%"


def p_value(value: object) -> str:
    """Two significant figures ('0.043', '0.12', '1.0'), or '<0.001'."""
    if is_missing(value):
        return MISSING
    p = float(value)
    if p < 0.001:
        return "<0.001"
    return f"{p:#.2g}".rstrip(".") if p < 1 else "1.0"


def day(value: datetime.date) -> str:
    """A date as the report writes it: '19 Aug 2024'."""
    return f"{value:%d %b %Y}"


def interval(low: object, high: object, kind: str = "ratio") -> str:
    """'1.23 to 1.56' (percent kinds carry their sign)."""
    show = percent if kind == "percent" else (lambda v: decimal(v, kind))
    return f"{show(low)} to {show(high)}"


def number(value: object, kind: str) -> str:
    """Any scalar by kind: count, percent, rate, ratio, number, p, signed_count, signed_number, signed_percent."""
    if kind == "count":
        return count(value)
    if kind == "p":
        return p_value(value)
    if kind == "signed_count":
        return signed_count(value)
    if kind == "signed_percent":
        return signed_percent(value)
    if kind == "signed_number":
        return signed_number(value)
    return decimal(value, kind)


def kind_of_column(name: str, value: object) -> str:
    """The display kind of a scalar from its column's name: the fallback when a table declares none."""
    lowered = name.lower()
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return "signed_count" if "change" in lowered and "%" not in lowered else "count"
    if "p-value" in lowered or "q-value" in lowered or lowered.endswith(" p") or lowered == "p":
        return "p"
    if "(%)" in lowered or "percent" in lowered:
        return "signed_percent" if "change" in lowered else "percent"
    if any(word in lowered for word in ("ratio", "odds", "risk", "index", "cramer")):
        return "ratio"
    if "rate" in lowered:
        return "rate"
    return "number"


# ---------------------------------------------------------------- words for changes and trends
def describe_change(change: int, percent_change: float, unit: str = "offences") -> str:
    """'Down 8.0% (123 fewer offences)', in the words of the plan's Progress table."""
    if change == 0:
        return f"No change (0 {unit})"
    if math.isnan(percent_change):
        return f"Up {change:,} {unit} (none the year before)"
    direction, fewer_more = ("Down", "fewer") if change < 0 else ("Up", "more")
    return f"{direction} {percent(abs(percent_change))} ({abs(change):,} {fewer_more} {unit})"


def article(noun_phrase: str) -> str:
    """'an emerging hotspot', 'a persistent hotspot'."""
    return f"{'an' if noun_phrase[:1].lower() in 'aeiou' else 'a'} {noun_phrase}"


def trend_label(trend) -> str:
    """'downward', 'upward' or 'no clear trend' (5% level) for a Trend; 'not enough years' for None."""
    if trend is None:
        return "not enough years"
    if trend.p_value < 0.05:
        return "downward" if trend.annual_percent < 0 else "upward"
    return "no clear trend"


DETECTABLE = "Smallest change detectable (80% power)"  # the column beside a 'no' for natural variation


def trend_cell(trend) -> str:
    """A trend for a table: '+4.2% a year' when it is beyond chance, else 'no clear trend' with the smallest steady
    change the test would have detected ('no clear trend; +8.1% / -7.5% a year detectable')."""
    label = trend_label(trend)
    if label in ("downward", "upward"):
        return f"{trend.annual_percent:+.1f}% a year"
    if label == "no clear trend":
        return f"no clear trend; {trend.detectable()} a year detectable"
    return label


def trend_sentence(trend) -> str:
    """'no clear trend (+4.4% a year, 95% CI -0.1% to +9.1%; a rise of 6.4% a year or ... cannot be ruled out)'."""
    label = trend_label(trend)
    text = (f"{label} ({signed_percent(trend.annual_percent)} a year, 95% CI {signed_percent(trend.lower)} to "
            f"{signed_percent(trend.upper)}")
    if label == "no clear trend":
        text += f"; {trend.detectable().words(' a year')}"
    return text + ")"


def volume_band(share_percent: float) -> str:
    """The plan's 'High volume' / 'Medium volume' wording, by share of all crime."""
    if share_percent >= 10:
        return "High volume"
    if share_percent >= 3:
        return "Medium volume"
    return "Low volume"


# Characters that make markdown of plain text: emphasis, code, links and images, raw HTML and entities, tables,
# strikethrough, headings; at the start of a line, lists and quotes; and addresses, which some renderers link.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>!|~&#])")
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def literal(text: object) -> str:
    """A string from a data file or the configuration (a zone, target or street name, a measure, the plan's own
    words), for a sentence of the report's markdown: shown exactly as written, never as markup or HTML. Runs of
    white space, line breaks included, become one space, so a value cannot start a heading or a list."""
    flat = " ".join(str(text).split())
    escaped = _MARKDOWN_ACTIVE.sub(r"\\\1", flat).replace("://", "\\://")  # no autolinked address either
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped)


def sentence(text: str) -> str:
    """A clause as a sentence: its first letter a capital and a full stop at its end (unless it has one)."""
    text = str(text).strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def in_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


NO_EVIDENCE = "not enough evidence of a change"  # 'within natural variation' in a reader's words (it is not 'stable')


def change_verdict(too_small: bool, significant: bool) -> str:
    """A screened change in a reader's words: too few to tell, beyond natural variation, or not enough evidence."""
    return "too few to tell" if too_small else "beyond natural variation" if significant else NO_EVIDENCE

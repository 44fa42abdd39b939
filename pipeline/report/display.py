"""Show tables and generated text in notebooks and the published report."""
from __future__ import annotations

import itertools
import numbers
import os
import re
from html import escape
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display

from pipeline.methods.disclosure import COUNT_COLUMNS
from pipeline.fileio import write_csv


def _format(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if isinstance(value, numbers.Real):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def table_html(frame: pd.DataFrame, caption: str = "") -> str:
    """An HTML table: numbers right-aligned with thousands separators, text left-aligned, '—' for missing.
    Cells of the columns a table names as counts (disclosure.protect) carry the class 'count'."""
    counts = set(frame.attrs.get(COUNT_COLUMNS, []))
    head = "".join(f"<th>{escape(str(column))}</th>" for column in frame.columns)
    body = []
    for row in frame.astype(object).itertuples(index=False):
        cells = "".join(f'<td class="{"num" if _is_number(v) else "text"}{" count" if column in counts else ""}">'
                        f"{escape(_format(v))}</td>" for column, v in zip(frame.columns, row, strict=True))
        body.append(f"<tr>{cells}</tr>")
    caption_html = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (f'<table class="report-table">{caption_html}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


_published = itertools.count(1)


def save_published(frame: pd.DataFrame, caption: str) -> Path | None:
    """Save a displayed table as CSV in the folder the runner names (CSP_TABLES_DIR), numbered in order."""
    folder = os.environ.get("CSP_TABLES_DIR")
    if not folder:
        return None
    slug = re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-")[:60] or "table"
    return write_csv(frame, Path(folder) / f"{next(_published):02d}_{slug}.csv")


def show_table(frame: pd.DataFrame, caption: str = "", empty_message: str = "") -> None:
    """Display a table (and save it for the run's published tables); an empty one shows `empty_message`."""
    save_published(frame, caption)
    if frame.empty and empty_message:
        display(Markdown(f"*{caption}:* {empty_message}" if caption else empty_message))
    else:
        display(HTML(table_html(frame, caption)))


def show_text(markdown_text: str) -> None:
    display(Markdown(markdown_text))

"""Show tables and generated text in notebooks and the published report."""
from __future__ import annotations

import numbers

import pandas as pd
from IPython.display import HTML, Markdown, display


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


def table_html(frame: pd.DataFrame, caption: str = "") -> str:
    shown = frame.astype(object).map(_format)
    html = shown.to_html(index=False, classes="report-table", border=0, escape=True)
    if caption:
        html = html.replace(">\n  <thead>", f">\n  <caption>{caption}</caption>\n  <thead>", 1)
    return html


def show_table(frame: pd.DataFrame, caption: str = "") -> None:
    display(HTML(table_html(frame, caption)))


def show_text(markdown_text: str) -> None:
    display(Markdown(markdown_text))

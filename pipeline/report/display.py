"""Show tables, findings and text in the chapter notebooks and the published report.

Every number is formatted here, by the rules of pipeline.formatting: a column's kind comes from the
table's declared kinds (`frame.attrs['kinds']`) or else from its name. Each displayed table is also saved
as CSV in the run's tables folder, numbered in the order shown; the folder is a parameter of the
notebook, handed over by the runner (no environment variable, no module-level counter).
"""
from __future__ import annotations

import datetime
import numbers
import re
from html import escape
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from pipeline import formatting as fmt
from pipeline.formatting import KINDS
from pipeline.chapters.registry import Finding, findings_json
from pipeline.fileio import write_csv, write_text
from pipeline.methods.disclosure import COUNT_COLUMNS, SUPPRESSED
from pipeline.report.markup import markdown_html


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def cell_text(value: object, column: str, kinds: dict[str, str]) -> str:
    """One cell as the report shows it."""
    if isinstance(value, str):
        return value
    if fmt.is_missing(value):
        return fmt.MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _is_number(value):
        return fmt.number(value, kinds.get(column) or fmt.kind_of_column(column, value))
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return fmt.day(value)
    return str(value)  # the value objects of pipeline.methods.values format themselves by the same rules


def csv_value(value: object, column: str, kinds: dict[str, str]) -> object:
    """One cell for the CSV annex: numbers without thousands separators, rounded as displayed."""
    if _is_number(value) and not fmt.is_missing(value):
        kind = kinds.get(column) or fmt.kind_of_column(column, value)
        if kind in ("count", "signed_count"):
            return int(round(float(value)))
        if kind == "p":
            return fmt.p_value(value)
        return round(float(value), fmt.DECIMALS[kind.removeprefix("signed_")])
    if isinstance(value, datetime.date):
        return value.isoformat()
    return cell_text(value, column, kinds) if not fmt.is_missing(value) else ""


MAX_COLUMNS = 8  # a wider table is shown in parts that repeat the columns naming a row, to fit A4 portrait and 800 px
MAX_KEY_COLUMNS = 3


def identifying_columns(frame: pd.DataFrame) -> list[str]:
    """The leading columns that together name each row (at most MAX_KEY_COLUMNS): 'Type' alone when each row has
    its own type, 'Type' and 'Period' when a type repeats. A table may name them in attrs['keys']."""
    if frame.attrs.get("keys"):
        return [c for c in frame.attrs["keys"] if c in frame.columns]
    keys = [frame.columns[0]]
    for column in frame.columns[1:MAX_KEY_COLUMNS]:
        named = not pd.api.types.is_numeric_dtype(frame[keys[-1]])  # a rank or a number does not name a row
        if named and not frame.astype(str).duplicated(subset=keys).any():
            break
        keys.append(column)
    return keys


def split_columns(frame: pd.DataFrame, limit: int = MAX_COLUMNS) -> list[pd.DataFrame]:
    """The table as parts of at most `limit` columns, each repeating the columns that identify a row."""
    if len(frame.columns) <= limit:
        return [frame]
    keys = identifying_columns(frame)
    rest = [c for c in frame.columns if c not in keys]
    room = max(1, limit - len(keys))
    size = -(-len(rest) // -(-len(rest) // room))  # parts of near-equal width
    parts = []
    for start in range(0, len(rest), size):
        part = frame[[*keys, *rest[start:start + size]]]
        part.attrs = frame.attrs
        parts.append(part)
    return parts


def csv_name(number: int, caption: str, limit: int = 60) -> str:
    """'03_alarms-in-the-assessment-year.csv': the caption as a slug cut at a word, never mid-word."""
    slug = re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit + 1] else slug[:limit]
    return f"{number:02d}_{slug or 'table'}.csv"


EMPTY_TEXTS = {fmt.MISSING, "", "No comparison", "no comparison", "no previous year in the data", "not enough years"}


def empty_columns(frame: pd.DataFrame) -> list[str]:
    """Columns with nothing to show in any row (missing, or only 'no comparison'), beyond the first."""
    def empty(value: object) -> bool:
        return fmt.is_missing(value) or (isinstance(value, str) and value.strip() in EMPTY_TEXTS)
    return [c for c in frame.columns[1:] if len(frame) and all(empty(v) for v in frame[c].astype(object))]


def cell_html(value: object, column: str, kinds: dict[str, str]) -> str:
    """A cell's HTML: a cell of several numbers shows them on separate lines, the first one plain."""
    if hasattr(value, "lines") and not isinstance(value, str):
        first, *more = value.lines()
        return escape(first) + "".join(f'<br><span class="second">{escape(line)}</span>' for line in more)
    return escape(cell_text(value, column, kinds))


def table_html(frame: pd.DataFrame, caption: str = "") -> str:
    """An HTML table: numbers right-aligned, text left-aligned, '—' for missing. Cells of the columns a
    table names as counts (disclosure.protect) carry the class 'count'."""
    counts = set(frame.attrs.get(COUNT_COLUMNS, []))
    kinds = frame.attrs.get(KINDS, {})
    head = "".join(f"<th>{escape(str(column))}</th>" for column in frame.columns)
    body = []
    for row in frame.astype(object).itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            numeric = not isinstance(value, str) or value == SUPPRESSED
            css = ("num" if numeric else "text") + (" count" if column in counts else "")
            cells.append(f'<td class="{css}">{cell_html(value, column, kinds)}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    caption_html = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (f'<table class="report-table">{caption_html}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _cells(frame: pd.DataFrame, render) -> pd.DataFrame:
    kinds = frame.attrs.get(KINDS, {})
    return pd.DataFrame({column: [render(v, column, kinds) for v in frame[column].astype(object)]
                         for column in frame.columns})


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the CSV annex holds it."""
    return _cells(frame, csv_value)


def text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the report shows it (for plain-text summaries)."""
    return _cells(frame, cell_text)


def findings_path(tables_dir: Path) -> Path:
    """Where a chapter's findings are kept: <run>/findings/<chapter>.json for tables in <run>/tables/<chapter>."""
    return tables_dir.parent.parent / "findings" / f"{tables_dir.name}.json"


LONG_TABLE = 25
MISSING_NOTE = ("no value for this row: no earlier year to compare with, too few events to compute it, or it does "
                "not apply (the text above says which).")


def _has_missing(frame: pd.DataFrame) -> bool:
    """Whether a numeric cell of the table shows as a dash (a missing number), which then needs a note."""
    return any(fmt.is_missing(value) for column in frame.columns for value in frame[column])


def _key_rows(frame: pd.DataFrame, key_rows: pd.Series | None, key_words: str, path: Path | None) -> tuple[pd.DataFrame, str]:
    """The rows of a long table that matter, and the sentence saying which and where the rest are."""
    chosen = frame[key_rows.reindex(frame.index, fill_value=False).astype(bool)] if key_rows is not None else frame.iloc[:0]
    if chosen.empty or len(chosen) > LONG_TABLE:
        chosen, key_words = frame.head(LONG_TABLE), f"the first {LONG_TABLE}"
    chosen = chosen.copy()
    chosen.attrs = frame.attrs
    where = f"the published table `{path.name}` (Appendix: published tables)" if path else "the published tables"
    return chosen, (f"*Shown: {len(chosen):,} of {len(frame):,} rows, {key_words}; all {len(frame):,} are in {where}.*")


class Display:
    """What a chapter notebook shows, saving each table as CSV under `tables_dir` (when given)."""

    def __init__(self, tables_dir: str | Path = ""):
        self.tables_dir = Path(tables_dir) if tables_dir else None
        self.shown = 0

    def save(self, frame: pd.DataFrame, caption: str) -> Path | None:
        self.shown += 1
        if self.tables_dir is None or len(frame.columns) == 0:  # a table with no columns publishes nothing
            return None
        return write_csv(csv_frame(frame), self.tables_dir / csv_name(self.shown, caption))

    def table(self, frame: pd.DataFrame, caption: str = "", empty_message: str = "",
              key_rows: pd.Series | None = None, key_words: str = "") -> None:
        """Display a table (and save it for the run's published tables); an empty one shows `empty_message`. A
        table of more than LONG_TABLE rows shows the rows that matter (`key_rows`, a mask, said in `key_words`;
        else the first LONG_TABLE) and names the published CSV that holds them all."""
        path = self.save(frame, caption)
        note, dropped = "", empty_columns(frame)
        if len(frame) > LONG_TABLE:
            frame, note = _key_rows(frame, key_rows, key_words, path)
        self._show(frame, caption, empty_message, dropped)
        self.text(note)

    def _show(self, frame: pd.DataFrame, caption: str, empty_message: str, dropped: list[str]) -> None:
        if frame.empty and empty_message:
            self.text(f"*{fmt.literal(caption)}:* {empty_message}" if caption else empty_message)
        else:
            if dropped:
                shown = frame.drop(columns=dropped)
                shown.attrs = frame.attrs
                frame = shown
            parts = split_columns(frame)
            for number, part in enumerate(parts, start=1):
                label = f"{caption} (continued)" if number > 1 and caption else caption  # no 'k of n': it reads as a count
                display(HTML(table_html(part, label)))
            if _has_missing(frame):
                self.text(f"*{fmt.MISSING}: {frame.attrs.get('missing_note', MISSING_NOTE)}*")
            if dropped:
                self.text(f"*Left out because no row has a value: {', '.join(map(fmt.literal, dropped))} (the data "
                          "supplied have nothing to compare with, or the source was not supplied).*")

    def plain(self, frame: pd.DataFrame, columns: list[str]) -> str:
        """Chosen columns as plain text, formatted as displayed (the notebooks' nbval summaries)."""
        return text_frame(frame.reindex(columns=columns)).to_string(index=False)

    def text(self, markdown_text: str) -> None:
        """Display a paragraph; an empty one (a section with nothing to say) displays nothing. The markdown is
        rendered here with any HTML in it escaped (pipeline.report.markup)."""
        if markdown_text:
            display(HTML(markdown_html(markdown_text)))

    def words(self, text: str) -> None:
        """Display text from the configuration or a data file (the plan's own words) exactly as written: never
        markup (pipeline.formatting.literal)."""
        self.text(fmt.literal(text) if text else "")

    def findings(self, findings: list[Finding], empty_message: str = "no findings.", unlisted: tuple[str, ...] = ()) -> None:
        """Findings as a bulleted list, each sentence as its chapter wrote it; saved as JSON beside the run's
        tables (findings/<chapter>.json), where the executive summary gathers them. Findings of an `unlisted`
        section are saved but not listed (a table of the chapter shows them, one row each)."""
        if self.tables_dir is not None:
            write_text(findings_json(findings), findings_path(self.tables_dir))
        listed = [finding for finding in findings if finding.section not in unlisted]
        self.text("\n".join(f"- {finding.text}" for finding in listed) if listed else empty_message)

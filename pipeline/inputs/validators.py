"""Named checks on input tables, in the style of PUDL's validators.

File-level checks return the frame unchanged or raise InputDataError with a message naming the
file, the problem and the fix. Row-level checks never drop a row silently: `RowScreen` moves each
failing row into a rejects table with the check's name and a reason, so that for every source
rows in = rows kept + rows rejected.
"""
from __future__ import annotations

import difflib
from typing import Callable

import pandas as pd

from pipeline.errors import InputDataError
from pipeline.inputs.sources import FIELDS_COLUMN, FILE_COLUMN, ROW_COLUMN

PERIOD_ROLE_COLUMNS = ("year_ending", "years_back", "assessment_period")
# Prefixed so that they never collide with an extract's own columns (asb_cases has a "source").
REJECT_COLUMNS = ["reject_source", "reject_rule", "reject_reason", FILE_COLUMN, ROW_COLUMN]


def require_columns(frame: pd.DataFrame, columns: list[str], label: str, aliases: dict[str, str] | None = None) -> pd.DataFrame:
    """Return `frame` (with any aliases renamed) if it has every column in `columns`; else raise."""
    if aliases:
        frame = frame.rename(columns={alias: name for alias, name in aliases.items()
                                      if alias in frame.columns and name not in frame.columns})
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        hints = []
        found = [str(c) for c in frame.columns if c not in (FILE_COLUMN, ROW_COLUMN, FIELDS_COLUMN)]
        for column in missing:
            close = difflib.get_close_matches(column, found, n=1, cutoff=0.6)
            hints.append(f"'{column}'" + (f" (found '{close[0]}': rename it?)" if close else ""))
        raise InputDataError(label, f"required column(s) missing: {', '.join(hints)}.",
                             "the header row must use the column names of the data contract.")
    return frame


def require_rows(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """Return `frame` if it has at least one data row."""
    if frame.empty:
        raise InputDataError(label, "the file has a header row but no data rows.",
                             "re-export the extract for the assessment period, or remove the file.")
    return frame


def reject_broken_rows(screen: "RowScreen") -> "RowScreen":
    """Rows with more or fewer fields than the header: a truncated line or a stray delimiter."""
    if FIELDS_COLUMN not in screen.kept:
        return screen
    extra = screen.kept[FIELDS_COLUMN].astype("int64")
    return screen.reject(extra != 0, "field_count", lambda rows: extra[rows].map(
        lambda n: f"the row has {abs(n)} {'fewer' if n < 0 else 'more'} fields than the header "
                  "(a truncated line or a stray delimiter)"))


class RowScreen:
    """Apply row-level checks to a table, keeping rejected rows with their reasons."""

    def __init__(self, frame: pd.DataFrame, source: str):
        self.source = source
        self.rows_in = len(frame)
        self.kept = frame
        self._rejects: list[pd.DataFrame] = []
        self._columns: dict[str, None] = dict.fromkeys(frame.columns)  # every column a rejected row can carry
        # (column, shown values): while a column of a person-level extract is checked, rejected rows keep only the
        # shown (masked) value in that column, never the raw one
        self.hidden: tuple[str, pd.Series] | None = None
        self.notes: list[str] = []  # what was read in a way the analyst should know about (shown in the data-quality table)
        self.absent: list[str] = []  # optional columns the file does not have (never 'empty in every row')
        self.clock_due: pd.Timestamp | None = None  # the earliest row rejected as in the future: due then

    def reject(self, failing: pd.Series, check: str, reason: str | Callable[[pd.Index], pd.Series]) -> "RowScreen":
        """Move rows where `failing` is True into the rejects table. A reason that depends on the row is a function
        of the failing rows' index, so that reasons are built only for the rows that fail."""
        failing = failing.reindex(self.kept.index, fill_value=False).astype(bool)
        self._columns |= dict.fromkeys(self.kept.columns)
        if failing.any():
            rejected = self.kept.loc[failing].copy()
            if self.hidden is not None:
                column, shown = self.hidden
                rejected[column] = shown.reindex(rejected.index)
            rejected.insert(0, "reject_reason", reason if isinstance(reason, str) else reason(rejected.index).to_numpy(object))
            rejected.insert(0, "reject_rule", check)
            rejected.insert(0, "reject_source", self.source)
            self._rejects.append(rejected)
            self.kept = self.kept.loc[~failing]
        return self

    @property
    def rejects(self) -> pd.DataFrame:
        """The rejected rows in the order of the file, with one set of columns whichever checks they failed (the
        period columns, which depend on the period end and not on the row, left out): the rejects of a later month
        read alone are then the rows a full ingest would add to the end of the file."""
        if not self._rejects:
            return pd.DataFrame(columns=REJECT_COLUMNS)
        columns = [*REJECT_COLUMNS[:3], *(c for c in self._columns if c not in PERIOD_ROLE_COLUMNS)]
        return pd.concat(self._rejects).sort_index(kind="stable").reindex(columns=columns).reset_index(drop=True)

    def summary(self) -> dict[str, int | str]:
        rejected = sum(len(part) for part in self._rejects)
        assert len(self.kept) + rejected == self.rows_in, f"{self.source}: rows do not add up"
        summary = {"source": self.source, "rows_in": self.rows_in, "rows_kept": len(self.kept), "rows_rejected": rejected}
        return summary | ({"note": "; ".join(self.notes)} if self.notes else {})

"""Disclosure control for published tables: no count from 1 to 4 is shown, and none can be worked out.

Primary suppression follows the ONS/NHS small-numbers convention (Office for National Statistics,
"Statistical disclosure control policy for tables"; NHS Digital, "Disclosure control method for the
Hospital Episode Statistics"): a count from 1 to 4 is replaced by SUPPRESSED, and every value derived
from it in the same row (a change, a percent, a rate) too. Secondary suppression closes the
differencing route: wherever a total is published, a group of cells that adds up to it never holds
exactly one suppressed cell; the next smallest non-zero cell is suppressed as well (the standard
"complementary suppression" of Cox L.H. (1980) JASA 75:377-385, in its simple greedy form).
"""
from __future__ import annotations

import math
import numbers

import pandas as pd

SUPPRESSED = "[c]"
SMALL = range(1, 5)
COUNT_COLUMNS = "count_columns"  # DataFrame.attrs key naming the columns that hold counts


def _number(value: object) -> float | None:
    """A count cell as a number (None for text, suppressed or missing cells)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return None if math.isnan(float(value)) else float(value)


def is_small(value: object) -> bool:
    """A count from 1 to 4, or a cell (pipeline.methods.values) that reveals one."""
    if hasattr(value, "revealed_counts"):
        return any(int(c) in SMALL for c in value.revealed_counts())
    number = _number(value)
    return number is not None and number.is_integer() and int(number) in SMALL


def _carried(value: object) -> float | None:
    """The size of a cell that carries its own counts ('k of n'): its largest count, for choosing which to hide."""
    counts = value.revealed_counts() if hasattr(value, "revealed_counts") else ()
    return float(max(counts)) if counts else None


def _complement_shares(frame: pd.DataFrame, share_groups: list[list]) -> pd.DataFrame:
    """Which cells carrying their own counts ('k of n') to hide: those that reveal a count from 1 to 4, and, in
    every group of rows whose k and n add up to the group's first row (a total and its parts), a second one
    wherever exactly one is hidden (else k and n of the hidden one are the total's less the others')."""
    hidden = frame.map(lambda value: hasattr(value, "revealed_counts") and is_small(value))
    changed = True
    while changed:
        changed = False
        for rows in share_groups:
            for column in frame.columns:
                if hidden.loc[rows, column].sum() != 1:
                    continue
                open_cells = [(_carried(frame.at[i, column]), i) for i in rows if not hidden.at[i, column]]
                open_cells = [(size, i) for size, i in open_cells if size]
                if open_cells:
                    hidden.at[min(open_cells, key=lambda cell: cell[0])[1], column] = True
                    changed = True
    return hidden


def protect(frame: pd.DataFrame, counts: list[str], derived: list[str] = (), total_row: tuple[str, str, list[str]] | None = None,
            row_sums: list[tuple[str, list[str]]] = (), group_column: str | None = None,
            share_groups: list[list] = ()) -> pd.DataFrame:
    """A copy of `frame` safe to publish.

    counts: columns holding counts. derived: columns computed from a row's counts (suppressed with them).
    total_row: (label column, total label, labels outside the total): that row is the column-wise sum of the
    other rows except those listed. row_sums: (total column, part columns) that add up within each row.
    group_column: rows sharing its value add up, in each count column, to a total published elsewhere.
    share_groups: lists of row labels whose 'k of n' cells add up (k and n) to the first row's: a total row and
    one partition of it (a table may hold several partitions of one total).
    The copy's attrs name its count columns, so that the report can mark (and tests can scan) them.
    """
    counts = [c for c in counts if c in frame.columns]
    derived = [c for c in derived if c in frame.columns]
    out = frame.astype(object).copy()
    hidden = pd.DataFrame(False, index=frame.index, columns=counts)
    for column in counts:
        hidden[column] = frame[column].map(is_small)

    def smallest_open(cells: list[tuple[object, str]]) -> tuple[object, str] | None:
        candidates = [(_number(frame.at[i, c]), i, c) for i, c in cells if not hidden.at[i, c]]
        candidates = [(v, i, c) for v, i, c in candidates if v is not None and v > 0]
        return min(candidates, key=lambda x: x[0])[1:] if candidates else None

    groups: list[list[tuple[object, str]]] = []
    for total, parts in row_sums:
        if total in counts:
            groups += [[(i, total)] + [(i, p) for p in parts if p in counts] for i in frame.index]
    if total_row is not None:
        label_column, total_label, outside = total_row
        members = frame.index[~frame[label_column].isin(outside)]  # the total row and the rows it adds up
        for column in counts:
            groups.append([(i, column) for i in members])
    if group_column is not None:
        for _, members in frame.groupby(group_column, sort=False):
            for column in counts:
                groups.append([(i, column) for i in members.index])
    changed = True
    while changed:
        changed = False
        for cells in groups:
            if sum(hidden.at[i, c] for i, c in cells) == 1:
                extra = smallest_open(cells)
                if extra is not None:
                    hidden.at[extra[0], extra[1]] = True
                    changed = True
    for column in counts:
        out.loc[hidden[column], column] = SUPPRESSED
    rows = hidden.any(axis=1)
    for column in derived:
        out.loc[rows, column] = SUPPRESSED
    # A cell that carries its own counts (a share 'k of n', a change '12 to 3') is suppressed wherever it stands,
    # and a second one beside it wherever the first could be recovered from a total.
    out = out.mask(_complement_shares(out, list(share_groups)), SUPPRESSED)
    out.attrs[COUNT_COLUMNS] = counts
    return out


def recoverable(frame: pd.DataFrame, total_row: tuple[str, str, list[str]] | None = None,
                row_sums: list[tuple[str, list[str]]] = ()) -> list[str]:
    """Places where a suppressed value could be worked out from a published total (for tests)."""
    problems = []
    for total, parts in row_sums:
        for index, row in frame.iterrows():
            cells = [row[c] for c in [total, *parts] if c in frame.columns]
            if sum(v == SUPPRESSED for v in cells) == 1:
                problems.append(f"row {index}: {total} = {' + '.join(parts)}")
    if total_row is not None:
        label_column, _, outside = total_row
        members = frame[~frame[label_column].isin(outside)]
        for column in frame.attrs.get(COUNT_COLUMNS, []):
            if (members[column] == SUPPRESSED).sum() == 1:
                problems.append(f"column {column}")
    return problems

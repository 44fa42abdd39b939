"""A generic scan of published CSV tables for suppressed counts that can be worked out from the numbers shown
(issue 25, item 4): every table of a run is read as published, and each hidden cell ([c]) is recomputed wherever
it is the only hidden cell of a set of cells that add up to a shown total:

- down a column: an 'All ...' or 'Total' row against every other row, and against each run of consecutive rows
  beneath it (one split of the total);
- along a row: a column headed like a total ('Total', 'Records', 'All ...') against each run of consecutive
  count columns beside it;
- 'k of n' cells: k and n each, in the same ways.

A recomputed value from 1 to 4 is a disclosed small count (a larger one is a complementary cell, safe to show).
The scan cannot know which sets really add up, so a recomputation that happens to land on 1 to 4 for a set that
does not is reported too: read the table before trusting either answer.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

SUPPRESSED = "[c]"
COUNT = re.compile(r"-?\d[\d,]*")
SHARE = re.compile(r"(\d[\d,]*) of (\d[\d,]*)")
TOTAL_LABEL = re.compile(r"^(all\b|total\b)", re.I)
TOTAL_COLUMN = re.compile(r"^(total|records|all\b)", re.I)


def _number(cell: str) -> int | str | None:
    cell = cell.strip()
    if cell == SUPPRESSED:
        return SUPPRESSED
    return int(cell.replace(",", "")) if COUNT.fullmatch(cell) else None


def _numbers(table: list[list[str]]) -> dict[str, list[list]]:
    """The table's cells as numbers, in up to three layers: plain counts, the k of 'k of n' cells, and their n."""
    plain = [[_number(cell) for cell in row] for row in table]
    shares = [[SHARE.search(cell) for cell in row] for row in table]
    k = [[SUPPRESSED if cell.strip() == SUPPRESSED else (int(m[1].replace(",", "")) if m else None)
          for cell, m in zip(row, found)] for row, found in zip(table, shares)]
    n = [[SUPPRESSED if cell.strip() == SUPPRESSED else (int(m[2].replace(",", "")) if m else None)
          for cell, m in zip(row, found)] for row, found in zip(table, shares)]
    return {"count": plain, "k": k, "n": n}


def _runs(items: list[int]):
    for start in range(len(items)):
        for end in range(start + 1, len(items) + 1):
            yield items[start:end]


def _recompute(total, parts: list) -> int | None:
    hidden = [value for value in parts if value == SUPPRESSED]
    if total in (None, SUPPRESSED) or len(hidden) != 1 or any(value is None for value in parts):
        return None
    return total - sum(value for value in parts if value != SUPPRESSED)


def _from_totals(values: list[list], totals: list[int], parts: list[int], across: range, describe) -> list[str]:
    """Recomputations down the lines of `values` (lists indexed [line][position]): each total line less each run of
    part lines, at every position across; `describe(hidden line, position, total line, run, value)` words a find."""
    found = []
    for t in totals:
        for position in across:
            for run in _runs(parts):
                value = _recompute(values[t][position], [values[i][position] for i in run])
                if value is not None and 1 <= value <= 4:
                    hidden = next(i for i in run if values[i][position] == SUPPRESSED)
                    found.append(describe(hidden, position, t, run, value))
    return found


def scan_table(header: list[str], rows: list[list[str]], name: str = "") -> list[str]:
    found = []
    columns = range(1, len(header))
    total_rows = [i for i, row in enumerate(rows) if TOTAL_LABEL.match(row[0].strip())]
    part_rows = [i for i in range(len(rows)) if i not in total_rows]
    total_columns = [c for c in columns if TOTAL_COLUMN.match(header[c].strip())]
    part_columns = [c for c in columns if c not in total_columns]
    for layer, values in _numbers(rows).items():
        found += _from_totals(  # down each column, from a total row
            values, total_rows, part_rows, columns,
            lambda i, c, t, run, v: f"{name}: '{rows[i][0]}' / '{header[c]}' ({layer}) = {v}, from "
                                    f"'{rows[t][0]}' less rows {run[0] + 1}-{run[-1] + 1}")
        by_column = [list(line) for line in zip(*values)]
        found += _from_totals(  # along each row, from a total column
            by_column, total_columns, part_columns, range(len(rows)),
            lambda c, r, t, run, v: f"{name}: '{rows[r][0]}' / '{header[c]}' ({layer}) = {v}, from "
                                    f"'{header[t]}' less columns {', '.join(header[i] for i in run)}")
    return found


def scan_folder(folder: Path) -> list[str]:
    """Every recoverable small count in every CSV under `folder`."""
    found = []
    for path in sorted(folder.rglob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            table = list(csv.reader(handle))
        if len(table) > 1 and len(table) <= 400:
            found += scan_table(table[0], table[1:], str(path.relative_to(folder)))
    return found

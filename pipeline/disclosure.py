"""Disclosure control for published tables: no count from 1 to 4 is shown.

Primary suppression follows the ONS/NHS small-numbers convention (Office for National
Statistics, "Statistical disclosure control policy for tables"; NHS Digital "Disclosure control
method for the Hospital Episode Statistics"): a cell holding 1 to 4 is replaced by SUPPRESSED, and
every value derived from it in the same row (a change, a percent, a rate) is suppressed too.
"""
from __future__ import annotations

import pandas as pd

SUPPRESSED = "[c]"
SMALL = range(1, 5)


def is_small(value: object) -> bool:
    return isinstance(value, (int, float)) and not pd.isna(value) and float(value).is_integer() and int(value) in SMALL


def suppress_small_counts(frame: pd.DataFrame, count_columns: list[str], derived_columns: list[str]) -> pd.DataFrame:
    """A copy of `frame` with small counts, and the values derived from them, replaced by '[c]'."""
    out = frame.astype(object).copy()
    for index, row in frame.iterrows():
        small = [c for c in count_columns if c in frame.columns and is_small(row[c])]
        if small:
            for column in small + [c for c in derived_columns if c in frame.columns]:
                out.at[index, column] = SUPPRESSED
    return out

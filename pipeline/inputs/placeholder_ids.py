"""Person identifiers that stand for nobody: 'UNKNOWN', 'N/A', '0' typed for every unidentified suspect, and one
identifier on a large share of an extract's records.

A placeholder read as a person makes one 'person' of every unidentified record: a prolific repeat offender who
does not exist, and a cluster large enough to mislead any test that compares people. Known placeholder values
(and any the configuration adds under `placeholder_ids`) are read as not recorded and counted here, before the
identifiers are pseudonymised. An identifier that is not a known placeholder but holds more than
DOMINANT_SHARE of the recorded values is kept (a prolific person is real) and named in the data-quality notes
by its share, never by its value, so that an analyst can check it and add it to `placeholder_ids`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

KNOWN_PLACEHOLDERS = ("UNKNOWN", "UNK", "NOT KNOWN", "NOTKNOWN", "N/A", "NA", "N.A.", "NONE", "NULL", "NIL", "NAN",
                      "NOT RECORDED", "NOT STATED", "NOT GIVEN", "NO DETAILS", "TBC", "TBA", "ANON", "ANONYMOUS",
                      "REFUSED", "NO SUSPECT", "NO PERPETRATOR", "NO VICTIM", "X", "XX", "XXX")
# Strings of one repeated character that is not a letter or digit ('-', '??', '...') or of zeros ('0', '0000').
_FILLER = re.compile(r"^(?:([^A-Z0-9])\1*|0+)$")
DOMINANT_SHARE = 0.05
DOMINANT_MIN_RECORDS = 20


def _folded(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.upper().str.replace(r"\s+", " ", regex=True)


def placeholder_mask(values: pd.Series, extra: Iterable[str] = ()) -> pd.Series:
    """Which values are placeholders (known ones, the configuration's, or filler like '-', '?' or '000'); a blank
    is not a placeholder, it is already 'not recorded'."""
    folded = _folded(values)
    known = set(KNOWN_PLACEHOLDERS) | {str(value).strip().upper() for value in extra}
    return folded.ne("") & (folded.isin(known) | folded.str.match(_FILLER))


def blank_placeholders(values: pd.Series, extra: Iterable[str] = ()) -> tuple[pd.Series, dict[str, int]]:
    """The values with placeholders blanked, and how many of each placeholder (as folded) there were."""
    mask = placeholder_mask(values, extra)
    counts = _folded(values[mask]).value_counts()
    blanked = values.astype(str).where(~mask, "")
    return blanked, {str(value): int(count) for value, count in counts.items()}


def placeholder_note(column: str, counts: dict[str, int]) -> str:
    """A data-quality note naming the placeholders found (they name nobody, so they can be shown)."""
    total = sum(counts.values())
    shown = ", ".join(f"'{value}' ({count:,})" for value, count in sorted(counts.items(), key=lambda kv: -kv[1])[:6])
    return (f"column '{column}': {total:,} identifiers were placeholders ({shown}), read as not recorded so that "
            "they do not count as one person")


def dominant_share(values: pd.Series) -> float:
    """The largest share of the recorded (non-blank) values that one identifier holds (0 with none recorded)."""
    recorded = values[values.astype(str).ne("")]
    if len(recorded) < DOMINANT_MIN_RECORDS:
        return 0.0
    return float(recorded.value_counts().iloc[0] / len(recorded))


def dominant_note(column: str, share: float) -> str:
    return (f"column '{column}': one identifier is on {share:.0%} of the records that name someone; if it stands for "
            "'unknown' rather than one person, add its value to 'placeholder_ids' in the configuration (the "
            "association tests allow for one person holding many records)")

"""Date-times in partner extracts as partners write them: ISO 8601 (with a zone or fractions of a second too), UK
day-first, or Excel serial day numbers; anything else (month-first included) is not a date.
"""
from __future__ import annotations

import pandas as pd

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                    "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y"]


EXCEL_SERIAL = r"\d{5}(\.\d+)?"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0 in the 1900 date system (it counts 1900-02-29)


def excel_serials(text: pd.Series) -> pd.Series:
    """Dates written as Excel serial day numbers (45292 = 2024-01-01, 43941.7542 = 2020-04-20 18:06), as
    date-times to the minute; NaT for anything else. Only serials from 2000 to 2099 (36526 to 73050) count."""
    number = pd.to_numeric(text.where(text.str.fullmatch(EXCEL_SERIAL, na=False)), errors="coerce")
    number = number.where(number.between(36526, 73050))
    minutes = (number * 1440).round()
    return (EXCEL_EPOCH + pd.to_timedelta(minutes, "min")).astype("datetime64[us]")


ISO_WITH_ZONE = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})"
ISO_WITH_FRACTION = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}[.,]\d+"
LOCAL_TIME = "Europe/London"


def _iso_8601(text: pd.Series) -> pd.Series:
    """ISO 8601 date-times with a zone ('Z', '+01:00') as local (UK) wall-clock time, and with fractions of a second
    (kept to the second); NaT for anything else."""
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    zoned = text.str.fullmatch(ISO_WITH_ZONE, na=False)
    if zoned.any():
        moments = pd.to_datetime(text[zoned].str.replace(",", ".", regex=False), utc=True, format="ISO8601",
                                 errors="coerce")
        parsed[zoned] = moments.dt.tz_convert(LOCAL_TIME).dt.tz_localize(None).dt.floor("s").astype("datetime64[us]")
    fraction = text.str.fullmatch(ISO_WITH_FRACTION, na=False)
    if fraction.any():
        parsed[fraction] = pd.to_datetime(text[fraction].str.replace(",", ".", regex=False), format="ISO8601",
                                          errors="coerce").dt.floor("s").astype("datetime64[us]")
    return parsed


def parse_datetimes(values: pd.Series) -> pd.Series:
    """ISO 8601 (with a zone or fractions of a second too) or UK day-first date-times, or Excel serial day numbers;
    anything else (month-first included) is NaT."""
    text = values.str.strip()
    parsed = excel_serials(text)
    iso = _iso_8601(text)
    parsed = parsed.where(parsed.notna(), iso)
    for fmt in DATETIME_FORMATS:
        todo = parsed.isna() & text.ne("")
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    return parsed

"""Partner extracts, read and checked against shared/spec/data_contracts.md.

Each contract lists its columns with a kind; `clean_extract` parses every value by its kind and
sends rows that break the contract to rejects with the column and the reason. Person
identifiers are pseudonymised here and the raw column is dropped: it never leaves ingest.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.methods.periods import assessment_period, financial_year
from pipeline.inputs.datetimes import excel_serials, parse_datetimes  # noqa: F401 - also read from here
from pipeline.inputs.placeholder_ids import (DOMINANT_SHARE, blank_placeholders, dominant_note, dominant_share,
                                             placeholder_note)
from pipeline.inputs.pseudonymise import pseudonymise
from pipeline.inputs.police_uk import CRIME_TYPES
from pipeline.errors import InputDataError
from pipeline.inputs.sources import DECODING, FIELDS_COLUMN, FILE_COLUMN, ROW_COLUMN, read_table
from pipeline.inputs.validators import RowScreen, reject_broken_rows, require_columns, require_rows

FLAG_VALUES = {"Y": "Y", "N": "N", "": "", "YES": "Y", "NO": "N", "1": "Y", "0": "N", "TRUE": "Y", "FALSE": "N"}
SEX_VALUES = {"M": "M", "F": "F", "X": "X", "": ""}


EARLIEST_DATE = pd.Timestamp("2000-01-01")
FREE_TEXT_COLUMNS = ("location_description", "assault_method_other")
MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
IDENTIFIER_PATTERNS = [
    r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b",  # NHS number
    r"\b\d{2}(?:\d{2})?/\d{1,7}[A-Z]\b",  # PNC id, e.g. 19/123456X
    r"\b\d{4}[/.-]\d{1,2}[/.-]\d{1,2}\b",  # an ISO date (a date of birth?), 1987-03-14
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b",  # a day-first or month-first date, 14/03/1987
    rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?[ -]+{MONTHS}[ ,-]+\d{{2,4}}\b",  # 14 March 1987, 14-Mar-87
    rf"(?i)\b{MONTHS} +\d{{1,2}}(?:st|nd|rd|th)?,? +\d{{2,4}}\b",  # March 14, 1987
]


MASK_LENGTH = 12


def masked(values: pd.Series) -> pd.Series:
    """A value's shape without its content, for messages about a person-level extract: letters as 'x', digits as
    '9', other characters kept, cut at 12 ('Jane Doe' -> 'xxxx xxx', '17/11/1943' -> '99/99/9999')."""
    text = values.astype(str)
    shape = text.str.slice(0, MASK_LENGTH).str.replace(r"[^\W\d_]", "x", regex=True).str.replace(r"\d", "9", regex=True)
    return shape.where(text.str.len() <= MASK_LENGTH, shape + "…")


def redact_identifiers(values: pd.Series) -> pd.Series:
    """Free text keeps place names ('The Eagle', 'Market Street') but loses anything shaped like an NHS number,
    a PNC id or a date. Names of people cannot be told from place names by pattern: see the README."""
    out = values.astype(str)
    for pattern in IDENTIFIER_PATTERNS:
        out = out.str.replace(pattern, "[redacted]", regex=True)
    return out


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, datetime, date, flag, person, integer, decimal, lsoa, sex, code, or "enum"
    required: bool = False
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    pattern: str = ""  # for a code: the form every value takes, once written in `case`
    case: str = ""  # for a code: 'upper', 'lower' (spaces and hyphens as underscores) or '' (as written)


# Code-like fields: a value not of the code's form (a name, an NHS number or a date typed into it by mistake) is
# replaced by this placeholder and counted, never published. A code of the right form that names a person cannot
# be told from a real code by its form.
CODE_PLACEHOLDER = "[unrecognised]"
HOME_OFFICE_CODE = r"\d{1,3}[A-Z]?(?:[./]\d{1,3}[A-Z]?)*"  # 8N, 105A, 37.1, 1/4.1/4.10 (Home Office counting rules)
CODE_LIST = rf"{HOME_OFFICE_CODE}(?:;{HOME_OFFICE_CODE})*"  # 46;46;105A: one code per offence
MEASURE_CODE = r"[a-z][a-z0-9_]{0,63}"  # s136_detentions (the data contract's measures)
ACTIVITY_CODE = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"  # the configuration's activity ids


@dataclass(frozen=True)
class Contract:
    name: str
    file_stem: str
    id_column: str | None
    date_column: str
    columns: tuple[Column, ...]
    person_level: bool = True  # a row is about a person: no raw value of it is quoted in any message or note

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def identifies_people(self) -> bool:
        """Whether the extract has person identifiers (to be pseudonymised with the key)."""
        return any(c.kind == "person" for c in self.columns)


def _flags(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name, "flag") for name in names)


AGE = dict(minimum=0, maximum=120)
CONTRACTS: dict[str, Contract] = {c.name: c for c in (
    Contract("police_records", "police_records", "record_id", "reported_at", (
        Column("record_id", "text", True), Column("record_type", "enum", True, ("crime", "incident")),
        Column("reported_at", "datetime", True), Column("occurred_from", "datetime"), Column("occurred_to", "datetime"),
        Column("crime_type", "text", True), Column("ho_offence_code", "code", pattern=HOME_OFFICE_CODE, case="upper"),
        Column("lsoa_code", "lsoa"),
        Column("latitude", "decimal", minimum=49.8, maximum=61.0), Column("longitude", "decimal", minimum=-8.7, maximum=2.0),
        Column("location_description", "text"),
        *_flags("alcohol_flag", "drugs_flag", "mental_health_flag", "domestic_flag", "knife_flag", "firearm_flag"),
        Column("victim_id", "person"), Column("suspect_id", "person"),
        Column("victim_age", "integer", **AGE), Column("suspect_age", "integer", **AGE),
        Column("victim_sex", "sex"), Column("suspect_sex", "sex"))),
    Contract("asb_cases", "asb_cases", "case_id", "reported_at", (
        Column("case_id", "text", True), Column("source", "enum", True, ("police", "council", "housing")),
        Column("reported_at", "datetime", True), Column("lsoa_code", "lsoa"),
        Column("asb_category", "enum", True, ("personal", "nuisance", "environmental")),
        *_flags("street_based", "vulnerable_victim", "alcohol_flag", "drugs_flag", "mental_health_flag"),
        Column("victim_id", "person"), Column("perpetrator_id", "person"), Column("perpetrator_age", "integer", **AGE))),
    Contract("ae_assaults", "ae_assaults", "attendance_id", "assault_at", (
        Column("attendance_id", "text", True), Column("site_code", "text", True), Column("arrival_at", "datetime"),
        Column("assault_at", "datetime", True),
        Column("assault_method", "enum", True, ("body_part", "blunt_object", "sharp_object", "glass_or_bottle",
                                                 "firearm", "other", "unknown")),
        Column("assault_method_other", "text"),
        Column("location_type", "enum", True, ("home", "public_place", "licensed_premises", "workplace", "education",
                                                "other", "unknown")),
        Column("location_description", "text"), *_flags("alcohol_consumed"), Column("patient_age", "integer", **AGE),
        Column("patient_sex", "sex"), Column("patient_lsoa", "lsoa"))),
    Contract("iom_cohort", "iom_cohort", "person_id", "adopted_on", (
        Column("person_id", "person", True), Column("adopted_on", "date", True),
        Column("offences_before", "integer", True, minimum=0), Column("offences_after", "integer", True, minimum=0),
        Column("severity_before", "decimal", True, minimum=0), Column("severity_after", "decimal", True, minimum=0),
        Column("window_months", "integer", minimum=1, maximum=60), Column("days_in_custody_after", "integer", minimum=0),
        # Not in the contract: accepted where the cohort file carries them, so that the configured harm weighting
        # gives the severity (one Home Office code per proven offence, separated by ';').
        Column("offence_codes_before", "code", pattern=CODE_LIST, case="upper"),
        Column("offence_codes_after", "code", pattern=CODE_LIST, case="upper"))),
    Contract("service_activity", "service_activity", None, "period_start", (
        Column("period_start", "date", True), Column("period_end", "date", True),
        Column("measure", "code", True, pattern=MEASURE_CODE, case="lower"),
        Column("area_code", "text", True), Column("value", "integer", True, minimum=0)), person_level=False),
    Contract("plan_activity", "plan_activity", None, "reported_on", (
        Column("activity", "code", True, pattern=ACTIVITY_CODE), Column("reported_on", "date", True),
        Column("achieved", "integer", minimum=0), Column("completed_on", "date")), person_level=False),
)}


READABLE_SUFFIXES = (".csv", ".csv.gz", ".xlsx")


def find_extract(partner_dir: Path | None, contract: Contract) -> Path | None:
    """The extract's file in the partner folder (.csv, .csv.gz or .xlsx), or None if not supplied. A file of
    the extract's name in another format (a zip, an old .xls) is refused rather than taken as 'not supplied'."""
    if partner_dir is None or not partner_dir.exists():
        return None
    for suffix in READABLE_SUFFIXES:
        candidate = partner_dir / f"{contract.file_stem}{suffix}"
        if candidate.exists() and not candidate.is_file():
            raise InputDataError(candidate, "is not a regular file (a folder, a device, a pipe or a link to one).",
                                 "copy the extract itself into the partner folder.")
        if candidate.exists():
            return candidate
    others = sorted(p for p in partner_dir.glob(f"{contract.file_stem}.*") if p.is_file())
    if others:
        raise InputDataError(others[0], f"the {contract.name} extract is in a format that is not read ({others[0].suffix}).",
                             f"save it as {contract.file_stem}.csv (UTF-8) or {contract.file_stem}.xlsx; unzip an archive first.")
    return None


def _code(column: Column, text: pd.Series) -> pd.Series:
    if column.case == "upper":
        return text.str.upper().str.replace(r"\s+", "", regex=True)
    if column.case == "lower":
        return text.str.lower().str.replace(r"[\s-]+", "_", regex=True)
    return text


def _parse_column(screen: RowScreen, column: Column, code_map: dict[str, str], personal: bool = True) -> None:
    """Parse one column by its kind (person identifiers are pseudonymised before, in clean_extract), rejecting rows
    whose value breaks the contract. For a person-level extract
    (`personal`) a reason shows the value's shape, never the value (pipeline.inputs.partner_extracts.masked), and
    the rejected row keeps only that shape in the column."""
    raw = screen.kept[column.name].astype(str).str.strip()
    text = masked(raw) if personal else raw
    empty = raw.eq("")
    where = f"column '{column.name}'"
    screen.hidden = (column.name, text) if personal else None
    if column.required:
        screen.reject(empty, "required_value", f"{where}: required value is empty")
        raw, text = raw[screen.kept.index], text[screen.kept.index]
        empty = raw.eq("")
    if column.kind in ("datetime", "date"):
        parsed = parse_datetimes(raw)
        serials = int(excel_serials(raw).notna().sum())
        if serials:
            screen.notes.append(f"{where}: {serials:,} dates written as Excel serial numbers were read as dates")
        screen.reject(~empty & parsed.isna(), "date_format",
                      lambda rows: f"{where}: '" + text[rows] + "' is not an ISO or day-first UK date")
        screen.kept[column.name] = parsed[screen.kept.index]
    elif column.kind == "flag":
        upper = raw.str.upper()
        screen.reject(~upper.isin(FLAG_VALUES), "flag_value", lambda rows: f"{where}: '" + text[rows] + "' is not Y, N or empty")
        screen.kept[column.name] = upper[screen.kept.index].map(FLAG_VALUES)
    elif column.kind == "sex":
        upper = raw.str.upper()
        screen.reject(~upper.isin(SEX_VALUES), "sex_value", lambda rows: f"{where}: '" + text[rows] + "' is not M, F, X or empty")
        screen.kept[column.name] = upper[screen.kept.index]
    elif column.kind == "enum":
        lower = raw.str.lower()
        screen.reject(~empty & ~lower.isin(column.values), "allowed_value",
                      lambda rows: f"{where}: '" + text[rows] + f"' is not one of {', '.join(column.values)}")
        screen.kept[column.name] = lower[screen.kept.index]
    elif column.kind in ("integer", "decimal"):
        number = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce")
        screen.reject(~empty & number.isna(), "numeric_value", lambda rows: f"{where}: '" + text[rows] + "' is not a number")
        number = number[screen.kept.index]
        if column.kind == "integer":
            screen.reject(number.notna() & (number % 1 != 0), "whole_number", lambda rows: f"{where}: '" + text[rows] + "' is not a whole number")
            number = number[screen.kept.index]
        low = column.minimum if column.minimum is not None else float("-inf")
        high = column.maximum if column.maximum is not None else float("inf")
        screen.reject(number.notna() & ~number.between(low, high), "value_in_range",
                      lambda rows: f"{where}: " + text[rows] + f" is outside {column.minimum} to {column.maximum}")
        number = number[screen.kept.index]
        screen.kept[column.name] = number.astype("Int64") if column.kind == "integer" else number.astype("float64")
    elif column.kind == "lsoa":
        screen.reject(~empty & ~raw.isin(code_map.keys()), "known_lsoa",
                      lambda rows: f"{where}: '" + text[rows] + "' is not an ONS 2011 or 2021 LSOA code")
        screen.kept[column.name] = raw[screen.kept.index].map(code_map).fillna("")
    elif column.kind == "code":
        code = _code(column, raw)
        odd = ~empty & ~code.str.fullmatch(column.pattern)
        if odd.any():
            example = masked(raw[odd]).iloc[0]
            screen.notes.append(f"{where}: {int(odd.sum()):,} values not of the form of a code (e.g. '{example}') "
                                f"are shown as '{CODE_PLACEHOLDER}'")
        screen.kept[column.name] = code.where(~odd, CODE_PLACEHOLDER)[screen.kept.index]
    else:
        screen.kept[column.name] = raw[screen.kept.index]
    screen.hidden = None


def _folded(name: object) -> str:
    return re.sub(r"[\s_\-.]+", "", str(name)).lower()


def misnamed_columns(columns: list[str], contract: Contract) -> list[tuple[str, str]]:
    """(header, contract column) for each contract column missing from the header that an unknown header spells
    with other case, spaces, underscores, hyphens or dots, or one character off ('Alcohol flag' for alcohol_flag)."""
    known = {column.name for column in contract.columns}
    unknown = [c for c in columns if c not in known and c not in (FILE_COLUMN, ROW_COLUMN, FIELDS_COLUMN)]
    found = []
    for column in contract.columns:
        if column.name in columns:
            continue
        for header in unknown:
            a, b = _folded(header), _folded(column.name)
            if a == b or (len(b) > 5 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.9):
                found.append((header, column.name))
                break
    return found


def clean_extract(raw: pd.DataFrame, contract: Contract, code_map: dict[str, str], key: bytes | None,
                  period_end: pd.Period, label: str, placeholder_ids: tuple[str, ...] = ()) -> RowScreen:
    """Contract checks, value parsing, pseudonymisation and period columns for one extract. A header that looks
    like a contract column it lacks is an input error naming both: read as absent, a misspelt flag would be
    reported as never recorded. Optional columns the header lacks are listed in `screen.absent`. Placeholder
    person identifiers ('UNKNOWN', 'N/A', the configuration's `placeholder_ids`) are read as not recorded and
    counted in the notes, as is one identifier on a large share of records (pipeline.inputs.placeholder_ids)."""
    repeated = [column.name for column in contract.columns if f"{column.name}.1" in raw.columns]
    if repeated:  # the reader names a repeated header 'x.1': the first would be used and the other ignored
        raise InputDataError(label, f"the header names {', '.join(repr(c) for c in repeated)} more than once, so it is "
                             "not clear which column holds the values.", "keep one column of each name.",
                             column=repeated[0])
    misnamed = misnamed_columns(list(raw.columns), contract)
    if misnamed:
        pairs = "; ".join(f"'{header}' looks like '{name}'" for header, name in misnamed)
        raise InputDataError(label, f"the header has columns the data contract does not name: {pairs}.",
                             "rename them to the contract's names (lower case with underscores), then run again.",
                             column=misnamed[0][0])
    frame = require_rows(require_columns(raw, contract.required, label), label)
    absent = [column.name for column in contract.columns if column.name not in frame.columns]
    for column in contract.columns:
        if column.name not in frame.columns:
            frame[column.name] = ""
    frame = frame[["source_file", "source_row", FIELDS_COLUMN, *[c.name for c in contract.columns]]].copy()
    for column in FREE_TEXT_COLUMNS:  # before any check, so that rejected rows are redacted too
        if column in frame:
            frame[column] = redact_identifiers(frame[column])
    # Person identifiers first, before any row is rejected, so that no rejected row carries a raw identifier into
    # the rejects file (rows with a wrong number of fields included).
    id_notes = []
    for column in contract.columns:
        if column.kind == "person":
            if key is None:
                raise ValueError("a pseudonymisation key is needed for person identifiers")
            values, placeholders = blank_placeholders(frame[column.name].astype(str).str.strip(), placeholder_ids)
            frame[column.name] = pseudonymise(values, key)
            if placeholders:
                id_notes.append(placeholder_note(column.name, placeholders))
            share = dominant_share(frame[column.name]) if contract.id_column != column.name else 0.0
            if share > DOMINANT_SHARE:
                id_notes.append(dominant_note(column.name, share))
    screen = reject_broken_rows(RowScreen(frame, contract.name))
    screen.notes.extend(id_notes)
    screen.absent = absent
    if raw.attrs.get(DECODING):
        screen.notes.append(f"not UTF-8: {raw.attrs[DECODING]}")
    for column in contract.columns:
        if column.kind != "person":
            _parse_column(screen, column, code_map, contract.person_level)
        elif column.required:
            screen.reject(screen.kept[column.name].eq(""), "required_value",
                          f"column '{column.name}': required value is empty")
    if contract.id_column:
        ids = screen.kept[contract.id_column]
        screen.reject(ids.duplicated(keep="first"), "unique_id",
                      f"column '{contract.id_column}': the identifier appears more than once")
    now = pd.Timestamp.now()
    future = screen.kept[contract.date_column] > now
    if future.any():  # the ingest is done again once this moment has passed (stages.ingest, ensure_ingested)
        screen.clock_due = screen.kept.loc[future, contract.date_column].min()
    screen.reject(future, "date_not_in_future", f"column '{contract.date_column}': the date is in the future")
    _clear_implausible_occurrence(screen, contract, now)
    early = screen.kept[contract.date_column] < EARLIEST_DATE
    screen.reject(early, "date_in_range", f"column '{contract.date_column}': a date before {EARLIEST_DATE.year} is not plausible")
    if "crime_type" in screen.kept:
        crime_type = screen.kept["crime_type"]
        shown = masked(crime_type) if contract.person_level else crime_type
        screen.reject(~crime_type.isin(CRIME_TYPES), "known_crime_type",
                      lambda rows: "column 'crime_type': '" + shown[rows] + "' is not a data.police.uk crime type")
    kept = screen.kept.drop(columns=[FIELDS_COLUMN]).copy()
    months = kept[contract.date_column].dt.to_period("M")
    kept["month"] = months.astype(str)
    kept["financial_year"] = financial_year(months) if len(kept) else pd.Series(dtype=str)
    roles = assessment_period(months, period_end)
    screen.kept = pd.concat([kept, roles], axis=1)
    return screen


def _clear_implausible_occurrence(screen: RowScreen, contract: Contract, now: pd.Timestamp) -> None:
    """occurred_from / occurred_to checked like the report time: a time in the future, before 2000, after the
    record was reported, or an end before its start is cleared (the record is kept, timed by its report) and
    counted in the data-quality notes."""
    if "occurred_from" not in screen.kept or contract.date_column not in screen.kept:
        return
    start, end, reported = (screen.kept[c] for c in ("occurred_from", "occurred_to", contract.date_column))
    checks = {"in the future": lambda t: t > now, "before 2000": lambda t: t < EARLIEST_DATE,
              "after the record was reported": lambda t: t > reported}
    for column, values in (("occurred_from", start), ("occurred_to", end)):
        for words, check in checks.items():
            odd = values.notna() & check(values)
            if odd.any():
                screen.notes.append(f"column '{column}': {int(odd.sum()):,} times {words} were cleared (the records "
                                    "are kept, timed by their report)")
                screen.kept.loc[odd, column] = pd.NaT
                values = screen.kept[column]
    start, end = screen.kept["occurred_from"], screen.kept["occurred_to"]
    backwards = start.notna() & end.notna() & (end < start)
    if backwards.any():
        screen.notes.append(f"columns 'occurred_from'/'occurred_to': {int(backwards.sum()):,} windows ending before they "
                            "start were cleared (the records are kept, timed by their report)")
        screen.kept.loc[backwards, ["occurred_from", "occurred_to"]] = pd.NaT


def read_extract(path: Path, contract: Contract | None = None) -> pd.DataFrame:
    try:
        return read_table(path, contract.required if contract else None)
    except InputDataError:
        raise
    except Exception as error:  # any reader failure is reported as a problem with this file
        raise InputDataError(path, f"cannot be read ({error}).") from None

"""data.police.uk street-level crime and outcomes files.

police.uk ships one folder per month (`2024-01/2024-01-cambridgeshire-street.csv`), usually
inside a zip archive. `discover` (pipeline.inputs.police_uk_files) finds the monthly files in a folder tree, in
zip archives, or both; `clean_street` and `clean_outcomes` apply the named checks and add geography and periods.
Areas are chosen by LSOA, never by the 'Falls within' column: force files hold rows from
neighbouring forces' areas too.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from pipeline.methods.periods import assessment_period, financial_year
from pipeline.errors import InputDataError
from pipeline.inputs.sources import (DECODING, FIELDS_COLUMN, FILE_COLUMN, ROW_COLUMN, TableSource, exact_shape,
                                     line_count, read_table)
from pipeline.inputs.police_uk_files import FILE_PATTERN, NOT_CSV_PATTERN, discover, file_month, files_under  # noqa: F401
from pipeline.inputs.validators import RowScreen, reject_broken_rows, require_columns

STREET_COLUMNS = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                  "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]
OUTCOME_COLUMNS = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                   "LSOA code", "LSOA name", "Outcome type"]

CRIME_TYPES = ["Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
               "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting",
               "Theft from the person", "Vehicle crime", "Violence and sexual offences"]

# England and Wales with a margin; police.uk snaps points to street locations inside this box.
LONGITUDE_RANGE, LATITUDE_RANGE = (-6.5, 2.0), (49.8, 56.0)


def _plain_csv(raw: bytes) -> bool:
    """Whether a file can be plain CSV that a columnar reader reads row for row as the exact reader would: one record a
    line (sources.line_count), no quotes, and as many commas in all as the header's count on every line. A
    line with more fields than the header makes polars refuse the file, so with equal totals no line has fewer
    either (and polars refuses bytes that are not UTF-8). Physical row numbers are then each record's position + 2.
    Anything else goes to the exact reader (pipeline.inputs.sources), which names the row."""
    lines = line_count(raw)
    if lines is None or b'"' in raw or raw[:2] in (b"PK", b"\xff\xfe", b"\xfe\xff"):
        return False
    header = raw.split(b"\n", 1)[0]
    return raw.count(b",") == header.count(b",") * lines


class AreaFilter:
    """Which rows of police.uk files an assessment reads. Force files hold neighbouring forces' rows, and a national
    year every force's, so rows are filtered to the assessed districts as they are read, before any other work.

    A row is read if its LSOA code (2011 or 2021) lies in an assessed district, or its LSOA code is not in the ONS
    lookup (it is rejected later, with its reason, wherever it came from). In a file that holds rows of the assessed
    districts, rows with no location and rows that cannot be split into the header's fields are read too (and
    rejected later, by name). Every other row is counted as outside the area: rows read = outside + kept + rejected.
    """

    def __init__(self, code_map: dict[str, str], district_of: dict[str, str], districts: Iterable[str]):
        self.districts = sorted(set(districts))
        wanted = set(self.districts)
        self.codes_in_area = frozenset(code for code, lsoa21 in code_map.items() if district_of.get(lsoa21) in wanted)
        self.known_codes = frozenset(code_map)

    def keep(self, lsoa_codes, broken=None) -> np.ndarray:
        """Boolean mask of the rows of one file to read, given its LSOA code column as read and, from the exact
        reader, which rows have the wrong number of fields. Codes are classified once per distinct value."""
        import polars as pl

        codes = pl.Series(lsoa_codes, dtype=pl.String).fill_null("").str.strip_chars()
        distinct = codes.unique().to_list()
        in_area = [code for code in distinct if code in self.codes_in_area]
        read = in_area + [code for code in distinct if code and code not in self.known_codes]
        if in_area:
            read.append("")  # no-location rows beside rows of the area
        keep = codes.is_in(pl.Series(read, dtype=pl.String).implode()).to_numpy() if read else np.zeros(len(codes), bool)
        return keep | broken if broken is not None and in_area else keep


def _empty_like(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({FILE_COLUMN: pd.Series(dtype=object), ROW_COLUMN: pd.Series(dtype="int64"),
                         **{name: pd.Series(dtype=object) for name in columns}, FIELDS_COLUMN: 0})


def _read_columnar(source: TableSource, area: AreaFilter | None) -> tuple[pd.DataFrame, int] | None:
    """A police.uk CSV read by polars (about 100 times faster than the exact reader), in the exact reader's shape:
    every value text, '' for empty, the file name and each record's physical row; only the rows `area` reads, and how
    many were left out. None if the file must go to the exact reader: polars cannot read it unquoted, or it holds
    rows to read and is not plain. A file with no row to read is counted as outside the area as polars reads it:
    a row that polars pads to the header's length keeps its own LSOA code, and one that is too long stops polars."""
    import io

    import polars as pl

    raw = source.read_bytes().removeprefix(b"\xef\xbb\xbf")
    if not raw or raw[:2] in (b"PK", b"\xff\xfe", b"\xfe\xff"):
        return None
    try:
        frame = pl.read_csv(io.BytesIO(raw), infer_schema=False, quote_char=None, empty_string_is_null=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError):  # a line with more fields, or not UTF-8
        return None
    frame = frame.rename({name: name.strip() for name in frame.columns})
    outside = 0
    if area is not None and "LSOA code" in frame.columns:
        keep = area.keep(frame["LSOA code"])
        outside = int((~keep).sum())
        if outside == frame.height:  # the usual case in a national year: nothing more to do for this file
            return _empty_like(frame.columns), outside
    if not _plain_csv(raw):
        return None
    frame = frame.with_row_index(ROW_COLUMN, offset=2)
    return exact_shape(frame.filter(keep) if outside else frame, source.name), outside


def _read_exact(source: TableSource, area: AreaFilter | None) -> tuple[pd.DataFrame, int]:
    frame = read_table(source)
    if area is None or "LSOA code" not in frame.columns:
        return frame, 0
    keep = area.keep(frame["LSOA code"].astype(str).to_numpy(), broken=frame[FIELDS_COLUMN].to_numpy() != 0)
    return frame.loc[keep].reset_index(drop=True), int((~keep).sum())


def _files_outside(sources: list[TableSource], area: AreaFilter) -> tuple[list[str], dict[TableSource, int]]:
    """The files on disk that hold no row `area` reads, with their row counts as polars reads them, from one parallel
    scan of every file (the cost of a national year is then about that of a plain scan); and their header. Files in
    archives, and every file when polars cannot scan them together (headers that differ), are left to the per-file
    readers, as are the files that do hold rows to read."""
    import polars as pl

    on_disk = [source for source in sources if source.member is None and source.path.suffix.lower() == ".csv"]
    if not on_disk:
        return [], {}
    code = pl.col("LSOA code").fill_null("").str.strip_chars()
    try:
        scan = pl.scan_csv([source.path for source in on_disk], infer_schema=False, encoding="utf8-lossy",
                           truncate_ragged_lines=True, include_file_paths="__path__")
        header = [name.strip() for name in scan.collect_schema().names() if name != "__path__"]
        to_read = code.is_in(list(area.codes_in_area)) | (code.ne("") & ~code.is_in(list(area.known_codes)))
        files = scan.group_by("__path__").agg(rows=pl.len(), read=to_read.any()).collect()
    except (pl.exceptions.PolarsError, OSError):
        return [], {}
    rows = {path: int(n) for path, n, read in files.iter_rows() if not read}
    return header, {source: rows[str(source.path)] for source in on_disk if str(source.path) in rows}


def read_area(sources: list[TableSource], columns: list[str], area: AreaFilter | None) -> tuple[pd.DataFrame, int]:
    """Concatenate monthly files, each checked for the police.uk header and tagged with its month, keeping the rows
    `area` reads (all rows when None); and the number of rows read that lie outside the area."""
    header, outside_only = _files_outside(sources, area) if area is not None else ([], {})

    def read(source: TableSource) -> tuple[pd.DataFrame, int]:
        if source in outside_only:
            return _empty_like(header), outside_only[source]
        return _read_columnar(source, area) or _read_exact(source, area)

    frames, outside, decoding = [], 0, []
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:  # polars and file reads release the GIL
        for source, (frame, elsewhere) in zip(sources, pool.map(read, sources)):
            outside += elsewhere
            if frame.attrs.get(DECODING):
                decoding.append(frame.attrs[DECODING])
            if "Crime type" not in frame.columns and "Month" not in frame.columns:
                raise InputDataError(source.label, "the police.uk header row is missing (first row is data).",
                                     f"restore the header row: {','.join(columns)}.", row=1)
            frame = require_columns(frame, [c for c in columns if c != "Context"], source.label)
            if "Context" in columns and "Context" not in frame.columns:
                frame["Context"] = ""
            frame["file_month"] = file_month(source)
            frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["source_file", "source_row", *columns, "file_month"]), 0
    combined = pd.concat([frame for frame in frames if len(frame)] or frames[:1], ignore_index=True)
    combined.attrs = {DECODING: "; ".join(decoding)} if decoding else {}
    return combined, outside


def read_monthly(sources: list[TableSource], columns: list[str]) -> pd.DataFrame:
    """Every row of the monthly files (see read_area)."""
    return read_area(sources, columns, None)[0]


def _coordinates(screen: RowScreen) -> None:
    frame = screen.kept
    longitude, latitude = frame["Longitude"].str.strip(), frame["Latitude"].str.strip()
    lon, lat = pd.to_numeric(longitude, errors="coerce"), pd.to_numeric(latitude, errors="coerce")
    given = longitude.ne("") | latitude.ne("")
    unreadable = given & (lon.isna() | lat.isna())
    screen.reject(unreadable, "coordinates_numeric", "longitude/latitude is not a number")
    lon, lat = lon[screen.kept.index], lat[screen.kept.index]
    swapped = lon.between(*LATITUDE_RANGE) & lat.between(*LONGITUDE_RANGE)
    has_lsoa = screen.kept["LSOA code"].str.strip().ne("")
    screen.reject(swapped & ~has_lsoa, "coordinates_in_range",
                  "longitude and latitude appear swapped, and there is no LSOA to place the row by")
    lon, lat = lon[screen.kept.index], lat[screen.kept.index]
    kept_swapped = swapped.reindex(screen.kept.index, fill_value=False)
    if kept_swapped.any():  # the row keeps its LSOA; its point is not used
        lon, lat = lon.mask(kept_swapped), lat.mask(kept_swapped)
        screen.notes.append(f"{int(kept_swapped.sum()):,} rows with longitude and latitude swapped were kept on their "
                            "LSOA without a map point")
    outside = lon.notna() & ~(lon.between(*LONGITUDE_RANGE) & lat.between(*LATITUDE_RANGE))
    screen.reject(outside, "coordinates_in_range", "coordinates lie outside England and Wales")
    screen.kept = screen.kept.assign(longitude=lon[screen.kept.index], latitude=lat[screen.kept.index])


def _locate(screen: RowScreen, code_map: dict[str, str], geography: pd.DataFrame, needs_location: bool) -> None:
    frame = screen.kept
    code = frame["LSOA code"].str.strip()
    if needs_location:
        screen.reject(code.eq(""), "has_location",
                      "no location recorded (police.uk \"No location\"): cannot be placed in any area")
        code = code[screen.kept.index]
    unknown = code.ne("") & ~code.isin(code_map.keys())
    screen.reject(unknown, "known_lsoa", lambda rows: "LSOA code '" + code[rows] + "' is not in the ONS 2011 or 2021 lookup")
    frame = screen.kept
    code = code[frame.index]
    lsoa21 = code.map(code_map).fillna("")
    geo = geography.set_index("lsoa21")
    screen.kept = frame.assign(
        lsoa_code_raw=code,
        lsoa21=lsoa21,
        lsoa21_name=lsoa21.map(geo["lsoa21_name"]).fillna(""),
        ward_code=lsoa21.map(geo["ward_code"]).fillna(""),
        ward_name=lsoa21.map(geo["ward_name"]).fillna(""),
        district_code=lsoa21.map(geo["district_code"]).fillna(""),
        district_name=lsoa21.map(geo["district_name"]).fillna(""),
    )


def _months(screen: RowScreen, period_end: pd.Period) -> None:
    frame = screen.kept
    month = frame["Month"].str.strip()
    screen.reject(~month.str.fullmatch(r"\d{4}-\d{2}"), "month_format", lambda rows: "Month '" + month[rows] + "' is not YYYY-MM")
    month = month[screen.kept.index]
    screen.reject(month.ne(screen.kept["file_month"]), "month_matches_file",
                  lambda rows: "Month " + month[rows] + " in the file for " + screen.kept.loc[rows, "file_month"])
    frame = screen.kept
    month = month[frame.index]
    distinct = month.unique()  # parsed once per month, not once per row
    periods = month.map(dict(zip(distinct, pd.PeriodIndex(distinct, freq="M")))).astype(pd.PeriodDtype("M"))
    roles = assessment_period(periods, period_end)
    screen.kept = frame.assign(month=periods.astype(str), financial_year=financial_year(periods), **roles)


def add_zones(frame: pd.DataFrame, zones: dict[str, list[str]], area_codes: list[str]) -> pd.DataFrame:
    """Zone name of each row's 2021 LSOA ('' outside every zone) and whether it is in the partnership area."""
    zone_of = {code: name for name, codes in zones.items() for code in codes}
    zone = frame["lsoa21"].map(zone_of).fillna("") if zone_of else pd.Series("", index=frame.index, dtype="str")
    return frame.assign(zone=zone,
                        in_area=frame["district_code"].isin(area_codes))


def clean_street(raw: pd.DataFrame, code_map: dict[str, str], geography: pd.DataFrame,
                 period_end: pd.Period) -> RowScreen:
    """Checks and enrichment for street-level crime rows (one row per crime or ASB incident)."""
    screen = reject_broken_rows(RowScreen(raw, "police.uk street"))
    if raw.attrs.get(DECODING):
        screen.notes.append(f"not UTF-8: {raw.attrs[DECODING]}")
    crime_type = screen.kept["Crime type"].str.strip()
    screen.reject(~crime_type.isin(CRIME_TYPES), "known_crime_type",
                  lambda rows: "crime type '" + crime_type[rows] + "' is not a police.uk category")
    _months(screen, period_end)
    crime_id = screen.kept["Crime ID"].str.strip()  # each column stripped once, then followed through the rejections
    is_asb = crime_type[screen.kept.index].eq("Anti-social behaviour")
    screen.reject(crime_id.eq("") & ~is_asb, "crime_id_present", "a crime row has no Crime ID")
    crime_id = crime_id[screen.kept.index]
    screen.reject(crime_id.ne("") & crime_id.duplicated(keep="first"), "unique_crime_id",
                  lambda rows: "Crime ID " + crime_id[rows] + " appears more than once")
    _coordinates(screen)
    _locate(screen, code_map, geography, needs_location=True)
    frame = screen.kept
    screen.kept = pd.DataFrame({
        "crime_id": crime_id[frame.index], "month": frame["month"], "financial_year": frame["financial_year"],
        "year_ending": frame["year_ending"], "years_back": frame["years_back"].astype("int64"),
        "assessment_period": frame["assessment_period"], "crime_type": crime_type[frame.index],
        "last_outcome": frame["Last outcome category"].str.strip(), "location": frame["Location"].str.strip(),
        "longitude": frame["longitude"].astype("float64"), "latitude": frame["latitude"].astype("float64"),
        "lsoa_code_raw": frame["lsoa_code_raw"], "lsoa21": frame["lsoa21"], "lsoa21_name": frame["lsoa21_name"],
        "ward_code": frame["ward_code"], "ward_name": frame["ward_name"], "district_code": frame["district_code"],
        "district_name": frame["district_name"], "falls_within": frame["Falls within"].str.strip(),
        "source_file": frame["source_file"], "source_row": frame["source_row"].astype("int64"),
    })
    return screen


def clean_outcomes(raw: pd.DataFrame, code_map: dict[str, str], geography: pd.DataFrame,
                   period_end: pd.Period) -> RowScreen:
    """Checks for outcome rows; rows with no location are kept (they join to crimes by Crime ID)."""
    screen = reject_broken_rows(RowScreen(raw, "police.uk outcomes"))
    _months(screen, period_end)
    screen.reject(screen.kept["Crime ID"].str.strip().eq(""), "crime_id_present", "an outcome row has no Crime ID")
    screen.reject(screen.kept["Outcome type"].str.strip().eq(""), "outcome_present", "the outcome type is empty")
    _coordinates(screen)
    _locate(screen, code_map, geography, needs_location=False)
    frame = screen.kept
    screen.kept = pd.DataFrame({
        "crime_id": frame["Crime ID"].str.strip(), "month": frame["month"], "financial_year": frame["financial_year"],
        "outcome_type": frame["Outcome type"].str.strip(), "lsoa21": frame["lsoa21"],
        "district_code": frame["district_code"], "source_file": frame["source_file"],
        "source_row": frame["source_row"].astype("int64"),
    })
    return screen


def located_points(raw_street: pd.DataFrame, code_map: dict[str, str]) -> pd.DataFrame:
    """2021 LSOA and coordinates of every located row, for placing LSOAs the ward lookup lacks."""
    lsoa21 = raw_street["LSOA code"].str.strip().map(code_map)
    points = pd.DataFrame({"lsoa21": lsoa21,
                           "longitude": pd.to_numeric(raw_street["Longitude"], errors="coerce"),
                           "latitude": pd.to_numeric(raw_street["Latitude"], errors="coerce")})
    points = points.dropna()
    ok = points["longitude"].between(*LONGITUDE_RANGE) & points["latitude"].between(*LATITUDE_RANGE)
    return points[ok]


__all__ = ["AreaFilter", "discover", "read_area", "read_monthly", "clean_street", "clean_outcomes", "add_zones",
           "located_points", "CRIME_TYPES", "STREET_COLUMNS", "OUTCOME_COLUMNS"]

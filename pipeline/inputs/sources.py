"""Read tabular files exactly as their publishers ship them.

Public files arrive with UTF-8 byte-order marks, thousands separators and CRLF line ends;
police.uk downloads come as zip archives of monthly folders; partner extracts may be saved by
Excel on Windows (cp1252). Every reader here returns all columns as text ('' for empty) plus
the physical row number, so validation decides what a value means and can name the row.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from pipeline.errors import InputDataError

ROW_COLUMN = "source_row"
DECODING = "decoding"  # DataFrame.attrs key: how a file not in UTF-8 was decoded
FIELDS_COLUMN = "source_extra_fields"  # fields in the row minus fields in the header (0 for a sound row)
FILE_COLUMN = "source_file"


@dataclass(frozen=True)
class TableSource:
    """A table to read: a file on disk, or a member of a zip archive."""

    path: Path
    member: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def name(self) -> str:
        return PurePosixPath(self.member).name if self.member else self.path.name

    def read_bytes(self) -> bytes:
        """The table's bytes, gunzipped when its name ends .gz; at most MAX_TABLE_BYTES whatever its headers claim
        (a zip or gzip member can inflate to gigabytes), and only from a regular file (a link to /dev/zero or a
        pipe would never end)."""
        if self.member is None:
            if not self.path.is_file():
                raise InputDataError(self.path, "is not a regular file (a device, a pipe or a link to one).",
                                     "copy the data itself into the raw folder.")
            with open(self.path, "rb") as handle:
                raw = _read_capped(handle, self.label)
        else:
            try:
                with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as handle:
                    raw = _read_capped(handle, self.label)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
                raise InputDataError(self.label, f"the zip archive is damaged ({error}).",
                                     "download the archive again, or unzip it and supply the CSV files.") from None
        if self.name.endswith(".gz"):
            import gzip

            try:
                with gzip.GzipFile(fileobj=io.BytesIO(raw)) as handle:
                    raw = _read_capped(handle, self.label)
            except (OSError, EOFError) as error:
                raise InputDataError(self.label, f"the gzip file is damaged ({error}).",
                                     "compress the CSV again, or supply it uncompressed.") from None
        return raw


MAX_TABLE_BYTES = 2 * 1024 ** 3  # one CSV, once inflated: a national year of police.uk files is about 1.2 GB in all


def _read_capped(handle, label: str, limit: int | None = None) -> bytes:
    limit = MAX_TABLE_BYTES if limit is None else limit
    raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise InputDataError(label, f"holds more than {limit / 1024 ** 3:.0f} GiB once read (a compressed member "
                             "that inflates without end, or not one table).",
                             "supply the table as a plain CSV of the assessment's data, split by month if need be.")
    return raw


def _decode(raw: bytes, label: str) -> tuple[str, str]:
    """Text and the encoding that decoded it: UTF-8 (BOM allowed) first, then Windows cp1252."""
    if raw[:2] in (b"PK",):
        raise InputDataError(label, "this is a zip archive or an Excel workbook, not a CSV file.",
                             "export the sheet as CSV, or give the .xlsx/.zip file its proper extension.")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text" is UTF-16 with a byte-order mark
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise InputDataError(label, f"starts like UTF-16 text but cannot be decoded as UTF-16 ({error}).",
                                 "save the file as 'CSV UTF-8' from Excel.") from None
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = raw.splitlines(keepends=True)
    utf8_lines = {number for number, line in enumerate(lines, start=1) if not line.isascii() and _is_utf8(line)}
    if utf8_lines:  # UTF-8 with a few lines in another encoding: each line decoded by its own encoding
        decoded, other = [], []
        for number, line in enumerate(lines, start=1):
            if line.isascii() or number in utf8_lines:
                decoded.append(line.decode("utf-8-sig" if number == 1 else "utf-8"))
            else:
                decoded.append(_cp1252(line, label, number))
                other.append(number)
        shown = ", ".join(map(str, other[:10])) + (f" and {len(other) - 10:,} more" if len(other) > 10 else "")
        return "".join(decoded), f"UTF-8 with rows {shown} in Windows cp1252 (decoded row by row; check those rows)"
    return "".join(_cp1252(line, label, number) for number, line in enumerate(lines, start=1)), "cp1252"


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8-sig")
        return True
    except UnicodeDecodeError:
        return False


def _cp1252(line: bytes, label: str, number: int) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError as error:
        raise InputDataError(label, f"cannot be decoded as UTF-8 or Windows cp1252 ({error}).",
                             "save the file as 'CSV UTF-8' from Excel.", row=number) from None


def _delimiter(header_line: str) -> str:
    """Commas; semicolons (Excel in European locales); tabs (Excel's "Unicode text"): the most frequent in the header."""
    return max((",", ";", "\t"), key=header_line.count) if any(d in header_line for d in ";\t") else ","


def unique_names(header: list[str]) -> list[str]:
    """Header names made unique as pandas does ('Persons', 'Persons.1', ...); an empty name becomes 'Unnamed: i'."""
    seen: dict[str, int] = {}
    names = []
    for position, name in enumerate(header):
        name = name or f"Unnamed: {position}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def line_count(raw: bytes) -> int | None:
    """The lines of a CSV's bytes when each ends in LF or CRLF and none is blank: the shape in which a columnar
    reader's record i, one record a line, is physical row i + 2, as the exact reader numbers it. None otherwise."""
    if not raw.strip() or raw[:1] in b"\r\n" or b"\n\n" in raw or b"\n\r\n" in raw:
        return None
    carriage_returns = raw.count(b"\r")
    if carriage_returns and carriage_returns != raw.count(b"\r\n"):
        return None
    return raw.count(b"\n") + (not raw.endswith(b"\n"))


def exact_shape(frame, source_name: str) -> pd.DataFrame:
    """A polars frame of text columns and ROW_COLUMN, from a columnar reader, in read_csv_text's shape: the file
    name first, every value text (object, '' for missing) and FIELDS_COLUMN 0 (the caller has checked row widths)."""
    import polars as pl

    out = frame.with_columns(pl.exclude(ROW_COLUMN).fill_null("")).to_pandas()
    out[ROW_COLUMN] = out[ROW_COLUMN].astype("int64")
    text = [column for column in out.columns if column != ROW_COLUMN]
    out[text] = out[text].astype(object)  # text as the exact reader gives it (object, not pandas' str dtype)
    out.insert(0, FILE_COLUMN, source_name)
    out[FIELDS_COLUMN] = 0
    return out


def read_csv_text(source: TableSource) -> tuple[pd.DataFrame, str]:
    """All columns as text, with the 1-based physical row number of each record (header is row 1)."""
    raw = source.read_bytes()
    if not raw.strip():
        raise InputDataError(source.label, "the file is empty (not even a header row).",
                             "re-export the data with its header row.")
    text, encoding = _decode(raw, source.label)
    first_line = text.splitlines()[0] if text else ""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = unique_names([name.strip() for name in next(reader)])
        records, lines, widths = [], [], []
        for values in reader:
            if not any(value.strip() for value in values):
                continue  # blank line
            lines.append(reader.line_num)
            widths.append(len(values))
            records.append((values + [""] * len(header))[: len(header)])
    except csv.Error as error:
        raise InputDataError(source.label, f"is not valid CSV ({error}).", "re-export the file as CSV.",
                             row=reader.line_num) from None
    frame = pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(columns=header, dtype=object)
    frame.insert(0, ROW_COLUMN, pd.Series(lines, dtype="int64"))
    # A row with more or fewer fields than the header (a truncated last line, a stray delimiter) is kept
    # here and rejected by the source's checks, with this count as the reason.
    frame[FIELDS_COLUMN] = pd.Series(widths, dtype="int64") - len(header)
    return frame, encoding


def read_excel_text(path: Path, required: list[str] | None = None) -> pd.DataFrame:
    """The sheet of an .xlsx workbook whose header row has the `required` columns (the first sheet when none are
    named), as text, with spreadsheet row numbers. No such sheet: refused, naming the sheets found."""
    sheets = pd.read_excel(path, dtype=str, engine="openpyxl", sheet_name=None)
    chosen = next((name for name, sheet in sheets.items()
                   if not required or set(required) <= {str(c).strip() for c in sheet.columns}), None)
    if chosen is None:
        found = "; ".join(f"'{name}' ({', '.join(str(c) for c in sheet.columns[:6])})" for name, sheet in sheets.items())
        raise InputDataError(path, f"no sheet has the required columns {', '.join(required)}; sheets found: {found}.",
                             "put the extract on a sheet whose first row is the contract's header.")
    frame = sheets[chosen].fillna("")
    frame.columns = [str(column).strip() for column in frame.columns]
    frame.insert(0, ROW_COLUMN, range(2, len(frame) + 2))
    frame[FIELDS_COLUMN] = 0
    return frame


def read_table(source: TableSource | Path, required: list[str] | None = None) -> pd.DataFrame:
    """Read a CSV (plain, gzipped or inside a zip) or an .xlsx file, all values as text; `required` chooses the
    workbook sheet."""
    if isinstance(source, Path):
        source = TableSource(source)
    if not source.path.exists():
        raise InputDataError(source.path, "file not found.", "check the raw-data folder and the configuration.")
    try:
        if source.member is None and source.path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = read_excel_text(source.path, required)
        elif source.member is None and source.path.suffix.lower() in (".xls", ".zip", ".ods", ".json", ".parquet"):
            raise InputDataError(source.path, f"a {source.path.suffix} file cannot be read here.",
                                 "save it as CSV (UTF-8) or .xlsx following the data contract.")
        else:
            frame, encoding = read_csv_text(source)
            if encoding not in ("utf-8", "utf-16"):  # said in the data-quality notes (DECODING attribute)
                frame.attrs[DECODING] = f"{source.name}: {'Windows cp1252' if encoding == 'cp1252' else encoding}"
    except InputDataError:
        raise
    except (ValueError, zipfile.BadZipFile, OSError) as error:
        raise InputDataError(source.label, f"cannot be read as a table ({error}).",
                             "check that the file is a complete CSV with one header row.") from None
    frame.insert(0, FILE_COLUMN, source.name)
    return frame


def sha256_of(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

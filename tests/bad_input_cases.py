"""Kinds of bad input, each with what the pipeline must do with it.

Each case writes its input into a folder and runs the reader and checks for its source. The outcome is
either an InputDataError whose message names the file (and the row and column where there is one), the
problem and the fix; or a screen in which the bad row is rejected by a named rule and rows in = rows kept +
rows rejected; or, for inputs the contracts allow, the rows read correctly. Used by tests/test_bad_input.py
and benchmarks/trust_report.py.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from pipeline.inputs import police_uk
from pipeline.inputs.config import load_config
from pipeline.inputs.partner_extracts import CONTRACTS, clean_extract, find_extract, read_extract
from pipeline.paths import RAW_DIR
from pipeline.inputs.reference import Reference, build_geography, load_lsoa_lookup
from pipeline.errors import InputDataError

KEY = b"bad-input-tests"
PERIOD_END = pd.Period("2024-12", "M")
STREET_HEADER = police_uk.STREET_COLUMNS
GOOD_STREET = ["abc1", "2024-01", "Cambridgeshire Constabulary", "Cambridgeshire Constabulary", "0.121817", "52.205337",
               "On or near Market Street", "E01017983", "Cambridge 007C", "Burglary", "Under investigation", ""]
ASB_HEADER = ["case_id", "source", "reported_at", "lsoa_code", "asb_category", "street_based", "alcohol_flag",
              "perpetrator_id", "perpetrator_age"]
GOOD_ASB = ["A1", "police", "2024-10-01 21:30", "E01017983", "nuisance", "N", "Y", "Jane Doe", "34"]
POLICE_HEADER = ["record_id", "record_type", "reported_at", "crime_type", "lsoa_code", "latitude", "longitude",
                 "alcohol_flag", "suspect_id"]
GOOD_POLICE = ["R1", "crime", "2024-10-01 21:30", "Violence and sexual offences", "E01017983", "52.2053", "0.1218", "Y", "S1"]
SERVICE_HEADER = ["period_start", "period_end", "measure", "area_code", "value"]
GOOD_SERVICE = ["2024-10-01", "2024-10-31", "s136_detentions", "E07000008", "9"]


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    expect: str  # "error", "reject" or "accept"
    run: Callable[[Path], object]
    detail: str = ""  # for "error": text the message must contain; for "reject": the rule's name


_reference_cache: dict[str, object] = {}


def reference():
    if not _reference_cache:
        ref = Reference.load(RAW_DIR / "reference")
        _reference_cache.update(code_map=ref.code_to_lsoa21(), geography=build_geography(ref))
    return _reference_cache["code_map"], _reference_cache["geography"]


def csv_bytes(header: list[str], rows: list[list[str]], delimiter: str = ",", newline: str = "\r\n",
              encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def street(folder: Path, content: bytes, name: str = "2024-01/2024-01-test-street.csv"):
    path = folder / "police.uk" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    raw = police_uk.read_monthly(police_uk.discover(folder / "police.uk")["street"], STREET_HEADER)
    code_map, geography = reference()
    return police_uk.clean_street(raw, code_map, geography, PERIOD_END)


def extract(folder: Path, name: str, content: bytes | None, suffix: str = ".csv"):
    partner = folder / "partner"
    partner.mkdir(parents=True, exist_ok=True)
    if content is not None:
        (partner / f"{name}{suffix}").write_bytes(content)
    path = find_extract(partner, CONTRACTS[name])
    if path is None:
        return None
    code_map, _ = reference()
    return clean_extract(read_extract(path, CONTRACTS[name]), CONTRACTS[name], code_map, KEY, PERIOD_END, path.name)


def street_rows(*changes: dict, header=STREET_HEADER, **kw) -> bytes:
    rows = [GOOD_STREET]
    for change in changes:
        row = dict(zip(STREET_HEADER, GOOD_STREET, strict=True)) | {"Crime ID": f"id{len(rows)}"} | change
        rows.append([row[c] for c in STREET_HEADER])
    return csv_bytes(header, rows, **kw)


def asb_rows(*changes: dict, **kw) -> bytes:
    rows = [GOOD_ASB]
    for change in changes:
        row = dict(zip(ASB_HEADER, GOOD_ASB, strict=True)) | {"case_id": f"A{len(rows) + 1}"} | change
        rows.append([row[c] for c in ASB_HEADER])
    return csv_bytes(ASB_HEADER, rows, **kw)


def police_rows(*changes: dict) -> bytes:
    rows = [GOOD_POLICE]
    for change in changes:
        row = dict(zip(POLICE_HEADER, GOOD_POLICE, strict=True)) | {"record_id": f"R{len(rows) + 1}"} | change
        rows.append([row[c] for c in POLICE_HEADER])
    return csv_bytes(POLICE_HEADER, rows)


def truncated(content: bytes, cut: int = 25) -> bytes:
    return content.rstrip(b"\r\n")[:-cut]


def zipped(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def xlsx(folder: Path, header: list[str], rows: list[list[str]], first_sheet: bool = False) -> Path:
    """An asb_cases.xlsx workbook; `first_sheet` puts a notes sheet before the data, as partners often do."""
    path = folder / "partner" / "asb_cases.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path) as writer:
        if first_sheet:
            pd.DataFrame({"About this extract": ["exported from E-CINS"]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame(rows, columns=header).to_excel(writer, sheet_name="Sheet1" if not first_sheet else "Cases", index=False)
    return path


def reference_missing_column(folder: Path):
    target = folder / "reference"
    target.mkdir(parents=True)
    text = (RAW_DIR / "reference" / "LSOA_2011_to_LSOA_2021_Lookup_for_England_and_Wales.csv.gz")
    import gzip

    lines = gzip.decompress(text.read_bytes()).decode("utf-8-sig").splitlines()[:3]
    (target / "LSOA_2011_to_LSOA_2021_Lookup_for_England_and_Wales.csv").write_text(
        "\n".join(line.replace("LAD22CD", "LAD_CODE") for line in lines) + "\n")
    return load_lsoa_lookup(target)


def config_with(folder: Path, text: str):
    path = folder / "config.yaml"
    path.write_text(text)
    return load_config(path)


ZONES_OVERLAP = "name: x\narea: {name: A, lad_codes: [E07000008]}\npolice_uk: p\nzones: {a: [E01017983], b: [E01017983]}\n"

CASES: list[Case] = [
    # police.uk street files
    Case("street: required column missing", "police.uk", "error",
         lambda d: street(d, street_rows(header=[c if c != "LSOA code" else "LSOA" for c in STREET_HEADER])), "'LSOA code'"),
    Case("street: column renamed", "police.uk", "error",
         lambda d: street(d, street_rows(header=[c if c != "Crime type" else "Crime Type" for c in STREET_HEADER])),
         "found 'Crime Type'"),
    Case("street: extra column", "police.uk", "accept",
         lambda d: street(d, csv_bytes(STREET_HEADER + ["Extra"], [GOOD_STREET + ["x"]]))),
    Case("street: empty file", "police.uk", "error", lambda d: street(d, b""), "empty"),
    Case("street: header only (a month with no rows)", "police.uk", "accept", lambda d: street(d, csv_bytes(STREET_HEADER, []))),
    Case("street: UTF-8 byte-order mark", "police.uk", "accept", lambda d: street(d, "\ufeff".encode() + street_rows())),
    Case("street: CRLF line ends", "police.uk", "accept", lambda d: street(d, street_rows(newline="\r\n"))),
    Case("street: header row missing", "police.uk", "error",
         lambda d: street(d, street_rows().split(b"\r\n", 1)[1]), "header row is missing"),
    Case("street: row of another month in a monthly file", "police.uk", "reject",
         lambda d: street(d, street_rows({"Month": "2024-02"})), "month_matches_file"),
    Case("street: unknown crime type", "police.uk", "reject",
         lambda d: street(d, street_rows({"Crime type": "Shop theft"})), "known_crime_type"),
    Case("street: unknown LSOA code", "police.uk", "reject",
         lambda d: street(d, street_rows({"LSOA code": "E01999999"})), "known_lsoa"),
    Case("street: coordinates out of range", "police.uk", "reject",
         lambda d: street(d, street_rows({"Longitude": "12.49", "Latitude": "41.89"})), "coordinates_in_range"),
    Case("street: latitude and longitude swapped (kept on its LSOA)", "police.uk", "accept",
         lambda d: street(d, street_rows({"Longitude": "52.205337", "Latitude": "0.121817"}))),
    Case("street: latitude and longitude swapped, no LSOA", "police.uk", "reject",
         lambda d: street(d, street_rows({"Longitude": "52.205337", "Latitude": "0.121817", "LSOA code": ""})),
         "coordinates_in_range"),
    Case("street: longitude alone out of range", "police.uk", "reject",
         lambda d: street(d, street_rows({"Longitude": "12.49"})), "coordinates_in_range"),
    Case("street: latitude alone out of range", "police.uk", "reject",
         lambda d: street(d, street_rows({"Latitude": "41.89"})), "coordinates_in_range"),
    Case("street: duplicate Crime ID", "police.uk", "reject",
         lambda d: street(d, street_rows({"Crime ID": "abc1"})), "unique_crime_id"),
    Case("street: truncated last line", "police.uk", "reject",
         lambda d: street(d, truncated(street_rows({}))), "field_count"),
    Case("street: zip archive saved with a .csv name", "police.uk", "error",
         lambda d: street(d, zipped("x.csv", street_rows())), "zip archive"),
    Case("street: Excel workbook instead of the CSV", "police.uk", "error",
         lambda d: street(d, b"PK\x03\x04", name="2024-01/2024-01-test-street.xlsx"), "not a CSV"),
    # partner extracts
    Case("extract: required column missing", "asb_cases", "error",
         lambda d: extract(d, "asb_cases", csv_bytes(ASB_HEADER[:4], [GOOD_ASB[:4]])), "'asb_category'"),
    Case("extract: column renamed", "asb_cases", "error",
         lambda d: extract(d, "asb_cases", csv_bytes(["case_id", "source", "reportedat", *ASB_HEADER[3:]], [GOOD_ASB])),
         "'reportedat' looks like 'reported_at'"),
    Case("extract: extra column (dropped)", "asb_cases", "accept",
         lambda d: extract(d, "asb_cases", csv_bytes(ASB_HEADER + ["notes"], [GOOD_ASB + ["free text"]]))),
    Case("extract: empty file", "asb_cases", "error", lambda d: extract(d, "asb_cases", b""), "empty"),
    Case("extract: header only", "asb_cases", "error", lambda d: extract(d, "asb_cases", csv_bytes(ASB_HEADER, [])), "no data rows"),
    Case("extract: Excel cp1252 with accented names", "asb_cases", "accept",
         lambda d: extract(d, "asb_cases", asb_rows({"perpetrator_id": "José Müller"}, encoding="cp1252"))),
    Case("extract: semicolon delimiter", "asb_cases", "accept", lambda d: extract(d, "asb_cases", asb_rows({}, delimiter=";"))),
    Case("extract: thousands separator in a count", "service_activity", "accept",
         lambda d: extract(d, "service_activity", csv_bytes(SERVICE_HEADER, [GOOD_SERVICE[:4] + ["1,234"]]))),
    Case("extract: month-first date", "asb_cases", "reject",
         lambda d: extract(d, "asb_cases", asb_rows({"reported_at": "10/31/2024"})), "date_format"),
    Case("extract: unparseable date", "asb_cases", "reject",
         lambda d: extract(d, "asb_cases", asb_rows({"reported_at": "last Tuesday"})), "date_format"),
    Case("extract: date in the future", "asb_cases", "reject",
         lambda d: extract(d, "asb_cases", asb_rows({"reported_at": "2099-01-01"})), "date_not_in_future"),
    Case("extract: date outside any plausible period", "asb_cases", "reject",
         lambda d: extract(d, "asb_cases", asb_rows({"reported_at": "1899-12-31"})), "date_in_range"),
    Case("extract: duplicate identifier", "asb_cases", "reject",
         lambda d: extract(d, "asb_cases", asb_rows({"case_id": "A1"})), "unique_id"),
    Case("extract: unknown LSOA code", "asb_cases", "reject",
         lambda d: extract(d, "asb_cases", asb_rows({"lsoa_code": "E0101798"})), "known_lsoa"),
    Case("extract: coordinates out of range", "police_records", "reject",
         lambda d: extract(d, "police_records", police_rows({"latitude": "0.1218", "longitude": "52.2053"})), "value_in_range"),
    Case("extract: unknown crime type", "police_records", "reject",
         lambda d: extract(d, "police_records", police_rows({"crime_type": "Assault"})), "known_crime_type"),
    Case("extract: flags written yes / 1 / TRUE", "asb_cases", "accept",
         lambda d: extract(d, "asb_cases", asb_rows({"alcohol_flag": "yes"}, {"alcohol_flag": "1"}, {"alcohol_flag": "TRUE"}))),
    Case("extract: flag not Y, N or empty", "asb_cases", "reject",
         lambda d: extract(d, "asb_cases", asb_rows({"alcohol_flag": "maybe"})), "flag_value"),
    Case("extract: negative count", "service_activity", "reject",
         lambda d: extract(d, "service_activity", csv_bytes(SERVICE_HEADER, [GOOD_SERVICE, GOOD_SERVICE[:4] + ["-3"]])),
         "value_in_range"),
    Case("extract: non-numeric count", "service_activity", "reject",
         lambda d: extract(d, "service_activity", csv_bytes(SERVICE_HEADER, [GOOD_SERVICE, GOOD_SERVICE[:4] + ["nine"]])),
         "numeric_value"),
    Case("extract: truncated last line", "asb_cases", "reject",
         lambda d: extract(d, "asb_cases", truncated(asb_rows({}), cut=12)), "field_count"),
    Case("extract: stray delimiter (too many fields)", "asb_cases", "reject",
         lambda d: extract(d, "asb_cases", asb_rows({}) + b"A9,police,2024-10-01,,nuisance,N,Y,,34,oops\r\n"), "field_count"),
    Case("extract: .xlsx following the contract", "asb_cases", "accept",
         lambda d: (xlsx(d, ASB_HEADER, [GOOD_ASB]), extract(d, "asb_cases", None))[1]),
    Case("extract: .xlsx with the data on its second sheet", "asb_cases", "accept",
         lambda d: (xlsx(d, ASB_HEADER, [GOOD_ASB], first_sheet=True), extract(d, "asb_cases", None))[1]),
    Case("extract: .xlsx with no sheet following the contract", "asb_cases", "error",
         lambda d: (xlsx(d, ["a", "b"], [["1", "2"]]), extract(d, "asb_cases", None))[1], "sheets found: 'Sheet1' (a, b)"),
    Case("extract: saved as Excel 'Unicode text' (UTF-16, tabs)", "asb_cases", "accept",
         lambda d: extract(d, "asb_cases", b"\xff\xfe" + asb_rows({}, delimiter="\t", encoding="utf-16-le"))),
    Case("extract: dates as Excel serial numbers", "asb_cases", "accept",
         lambda d: extract(d, "asb_cases", asb_rows({"reported_at": "45292"}, {"reported_at": "45300.7542"}))),
    Case("extract: zip archive instead of the CSV", "asb_cases", "error",
         lambda d: extract(d, "asb_cases", zipped("asb_cases.csv", asb_rows()), suffix=".zip"), "format that is not read"),
    Case("extract: old Excel .xls instead of the CSV", "asb_cases", "error",
         lambda d: extract(d, "asb_cases", b"\xd0\xcf\x11\xe0", suffix=".xls"), "format that is not read"),
    # reference files and configuration
    Case("reference: lookup with a renamed column", "reference", "error", reference_missing_column, "'LAD22CD'"),
    Case("config: zones overlap", "config", "error", lambda d: config_with(d, ZONES_OVERLAP), "in two zones"),
]


def outcome(case: Case, folder: Path) -> tuple[bool, str]:
    """Run a case; (as expected?, what happened)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        result = case.run(folder)
    except InputDataError as error:
        message = str(error)
        ok = case.expect == "error" and case.detail in message and ":" in message
        return ok, f"refused: {message}"
    except Exception as error:  # anything else is a crash, which is always wrong
        return False, f"CRASHED: {type(error).__name__}: {error}"
    if case.expect == "error":
        return False, "accepted, but should have been refused"
    summary = result.summary() if hasattr(result, "summary") else {}
    adds_up = not summary or summary["rows_in"] == summary["rows_kept"] + summary["rows_rejected"]
    if case.expect == "reject":
        rules = result.rejects["reject_rule"].tolist()
        ok = adds_up and case.detail in rules and result.rejects["reject_reason"].ne("").all()
        return ok, f"quarantined by {rules}: {result.rejects['reject_reason'].tolist()}"
    ok = adds_up and summary.get("rows_rejected", 0) == 0
    return ok, f"accepted {summary.get('rows_kept', '?')} rows"

import zipfile

import pandas as pd
import pytest

from conftest import street_row, write_street
from pipeline.inputs import police_uk
from pipeline.paths import RAW_DIR
from pipeline.inputs.reference import Reference, build_geography
from pipeline.errors import InputDataError


@pytest.fixture(scope="module")
def reference():
    ref = Reference.load(RAW_DIR / "reference")
    return ref, ref.code_to_lsoa21(), build_geography(ref)


def clean(tmp_path, rows, reference, period_end="2024-12"):
    write_street(tmp_path / "2024-01" / "2024-01-test-street.csv", rows)
    raw = police_uk.read_monthly(police_uk.discover(tmp_path)["street"], police_uk.STREET_COLUMNS)
    ref, code_map, geography = reference
    return police_uk.clean_street(raw, code_map, geography, pd.Period(period_end, "M"))


def test_good_rows_are_kept_with_geography_and_periods(tmp_path, reference):
    screen = clean(tmp_path, [street_row(), street_row(**{"Crime ID": "", "Crime type": "Anti-social behaviour"})], reference)
    kept = screen.kept
    assert len(kept) == 2 and screen.summary()["rows_rejected"] == 0
    row = kept.iloc[0]
    assert (row.lsoa21, row.district_name, row.ward_name) == ("E01017983", "Cambridge", "Market")
    assert (row.financial_year, row.assessment_period, row.year_ending) == ("2023/24", "current", "Jan 2024 - Dec 2024")


def test_a_2011_code_maps_to_its_2021_lsoa(tmp_path, reference):
    kept = clean(tmp_path, [street_row(**{"LSOA code": "E01017984", "LSOA name": "Cambridge 007D"})], reference).kept
    assert kept["lsoa21"].tolist() == ["E01035516"] and kept["lsoa_code_raw"].tolist() == ["E01017984"]


@pytest.mark.parametrize("change,check", [
    ({"Month": "2024-02"}, "month_matches_file"),
    ({"Month": "Jan 2024"}, "month_format"),
    ({"Crime type": "Shop theft"}, "known_crime_type"),
    ({"LSOA code": "", "LSOA name": "", "Longitude": "", "Latitude": "", "Location": "No location"}, "has_location"),
    ({"LSOA code": "E01999999"}, "known_lsoa"),
    ({"Crime ID": ""}, "crime_id_present"),
    ({"Longitude": "52.205337", "Latitude": "0.121817", "LSOA code": ""}, "coordinates_in_range"),
    ({"Longitude": "12.5", "Latitude": "41.9"}, "coordinates_in_range"),
    ({"Longitude": "12.5"}, "coordinates_in_range"),  # one bad coordinate is enough
    ({"Latitude": "41.9"}, "coordinates_in_range"),
    ({"Longitude": "east"}, "coordinates_numeric"),
])
def test_bad_rows_are_rejected_with_the_rule_and_reason(tmp_path, reference, change, check):
    screen = clean(tmp_path, [street_row(**{"Crime ID": "ok"}), street_row(**change)], reference)
    assert screen.summary() == {"source": "police.uk street", "rows_in": 2, "rows_kept": 1, "rows_rejected": 1}
    assert screen.rejects["reject_rule"].tolist() == [check]
    assert screen.rejects["source_row"].tolist() == [3]
    assert screen.rejects["reject_reason"].iloc[0]


def test_swapped_coordinates_keep_the_row_on_its_lsoa_without_a_point(tmp_path, reference):
    screen = clean(tmp_path, [street_row(**{"Crime ID": "ok"}), street_row(Longitude="52.205337", Latitude="0.121817")],
                   reference)
    assert screen.summary()["rows_kept"] == 2 and "swapped were kept on their LSOA" in screen.summary()["note"]
    assert screen.kept["lsoa21"].tolist() == ["E01017983", "E01017983"] and screen.kept["longitude"].isna().tolist() == [False, True]


def test_month_folders_given_as_links_inside_the_folder_are_followed_once(tmp_path):
    write_street(tmp_path / "police.uk" / "store" / "2024-01" / "2024-01-test-street.csv", [street_row()])
    (tmp_path / "police.uk" / "2024-01").symlink_to(tmp_path / "police.uk" / "store" / "2024-01", target_is_directory=True)
    (tmp_path / "police.uk" / "loop").symlink_to(tmp_path / "police.uk", target_is_directory=True)  # visited once
    assert [s.name for s in police_uk.discover(tmp_path / "police.uk")["street"]] == ["2024-01-test-street.csv"]


def test_a_link_to_a_folder_outside_is_refused_not_walked(tmp_path):
    real = write_street(tmp_path / "elsewhere" / "2024-01" / "2024-01-test-street.csv", [street_row()])
    (tmp_path / "police.uk").mkdir()
    (tmp_path / "police.uk" / "2024-01").symlink_to(real.parent, target_is_directory=True)
    with pytest.raises(InputDataError, match="links are not followed out of the folder"):
        police_uk.discover(tmp_path / "police.uk")


def test_duplicate_crime_ids_keep_the_first(tmp_path, reference):
    screen = clean(tmp_path, [street_row(), street_row()], reference)
    assert screen.rejects["reject_rule"].tolist() == ["unique_crime_id"]


def test_file_without_header_row_is_refused(tmp_path, reference):
    path = tmp_path / "2024-01" / "2024-01-test-street.csv"
    path.parent.mkdir(parents=True)
    path.write_text(",".join(street_row().values()) + "\n")
    with pytest.raises(InputDataError, match="header row is missing"):
        police_uk.read_monthly(police_uk.discover(tmp_path)["street"], police_uk.STREET_COLUMNS)


def test_discover_reads_folders_and_zips_and_refuses_a_month_twice(tmp_path):
    write_street(tmp_path / "2024-01" / "2024-01-test-street.csv", [street_row()])
    with zipfile.ZipFile(tmp_path / "more.zip", "w") as archive:
        archive.writestr("2024-02/2024-02-test-street.csv", "Crime ID\n")
        archive.writestr("2024-02/2024-02-test-outcomes.csv", "Crime ID\n")
    found = police_uk.discover(tmp_path)
    assert [s.name for s in found["street"]] == ["2024-01-test-street.csv", "2024-02-test-street.csv"]
    assert [s.name for s in found["outcomes"]] == ["2024-02-test-outcomes.csv"]
    with zipfile.ZipFile(tmp_path / "again.zip", "w") as archive:
        archive.writestr("2024-01/2024-01-test-street.csv", "Crime ID\n")
    with pytest.raises(InputDataError, match="supplied twice"):
        police_uk.discover(tmp_path)


def test_missing_police_folder(tmp_path):
    with pytest.raises(InputDataError, match="police.uk folder not found"):
        police_uk.discover(tmp_path / "absent")


def test_the_columnar_reader_gives_the_exact_readers_frame_on_the_real_files():
    """Every plain police.uk file read by polars equals the exact reader's frame, value for value and row number
    for row number; the real 2024 file with quoted fields goes to the exact reader."""
    from pipeline.inputs.sources import read_table
    from pipeline.paths import RAW_DIR

    files = police_uk.discover(RAW_DIR / "real" / "police.uk")["street"]
    fast = [police_uk._read_columnar(source, None) for source in files]
    assert sum(read is None for read in fast) == 1  # the month whose file quotes a field
    for source, read in zip(files, fast):
        if read is not None:
            exact = read_table(source)[list(read[0].columns)]
            pd.testing.assert_frame_equal(read[0], exact)
            assert read[1] == 0


def test_both_readers_keep_the_same_rows_of_the_assessed_districts(reference):
    """Filtered to Cambridge, the columnar and exact readers keep the same rows (row numbers included) and count the
    same rows outside; those rows are exactly the ones whose LSOA lies in another district."""
    from pipeline.paths import RAW_DIR

    _, code_map, geography = reference
    district_of = geography.set_index("lsoa21")["district_code"].to_dict()
    area = police_uk.AreaFilter(code_map, district_of, ["E07000008"])
    source = police_uk.discover(RAW_DIR / "real" / "police.uk")["street"][0]
    fast, fast_outside = police_uk._read_columnar(source, area)
    exact, exact_outside = police_uk._read_exact(source, area)
    pd.testing.assert_frame_equal(fast, exact[list(fast.columns)])
    whole = police_uk._read_exact(source, None)[0]
    codes = whole["LSOA code"].str.strip()
    elsewhere = codes.isin(code_map) & codes.map(code_map).map(district_of).ne("E07000008")
    assert fast_outside == exact_outside == int(elsewhere.sum()) > 0
    assert len(fast) + fast_outside == len(whole)
    assert fast["LSOA code"].eq("").sum() == codes.eq("").sum() > 0  # no-location rows are read beside Cambridge rows


def test_the_area_filter_reads_unknown_codes_and_no_location_rows_only_beside_the_area(reference):
    _, code_map, geography = reference
    district_of = geography.set_index("lsoa21")["district_code"].to_dict()
    cambridge = geography.loc[geography["district_code"] == "E07000008", "lsoa21"].iloc[0]
    fenland = geography.loc[geography["district_code"] == "E07000010", "lsoa21"].iloc[0]
    area = police_uk.AreaFilter(code_map, district_of, ["E07000008"])
    # In a file with a Cambridge row: the Cambridge row, the unknown code and the no-location row are read.
    assert area.keep([cambridge, fenland, "E01999999", "", f" {cambridge} "]).tolist() == [True, False, True, True, True]
    # In a file with no Cambridge row, a no-location row and a row that could not be split into fields are another
    # area's; an unknown code is still read (rejected by name). Beside a Cambridge row, the broken row is read.
    broken = pd.Series([False, False, False, True]).to_numpy()
    assert area.keep([fenland, "", "E01999999", fenland], broken=broken).tolist() == [False, False, True, False]
    assert area.keep([cambridge, "", "E01999999", fenland], broken=broken).tolist() == [True, True, True, True]


@pytest.mark.parametrize("body, plain", [
    ("a,b\n1,2\n3,4\n", True), ("a,b\r\n1,2\r\n3,4", True), ("a,b\n1,2\n\n3,4\n", False),
    ("a,b\n1,2,3\n3,4\n", False), ("a,b\n1\n3,4\n", False), ('a,b\n"1,5",2\n', False)])
def test_only_plain_csv_takes_the_columnar_path(body, plain):
    assert police_uk._plain_csv(body.encode()) is plain


@pytest.mark.parametrize("body", ["a,b\n1,2,3\n4\n", "a,b\n1,\xff\n"])
def test_files_that_look_plain_but_are_not_go_to_the_exact_reader(tmp_path, body):
    """A long row balanced by a short one has the header's comma total, and bytes that are not UTF-8 have no commas
    out of place: polars refuses both and the exact reader reads (and names) the rows."""
    from pipeline.inputs.sources import TableSource

    path = tmp_path / "2024-01-test-street.csv"
    path.write_bytes(body.encode("latin-1"))
    assert police_uk._plain_csv(path.read_bytes())
    assert police_uk._read_columnar(TableSource(path), None) is None


def test_the_scan_for_files_outside_the_area_agrees_with_reading_every_file(tmp_path, reference):
    """Files on disk are surveyed by one polars scan; the same files in a zip archive are each read in full. Both
    give the same rows and the same count outside Cambridge, whatever the files hold: rows of another district only
    (with a quoted comma and a no-location row), Cambridge rows beside them, an unknown code."""
    _, code_map, geography = reference
    district_of = geography.set_index("lsoa21")["district_code"].to_dict()
    fenland = geography.loc[geography["district_code"] == "E07000010"].iloc[0]
    elsewhere = {"LSOA code": fenland["lsoa21"], "LSOA name": fenland["lsoa21_name"]}
    files = {
        "2024-01/2024-01-fenland-street.csv": [street_row(**elsewhere, **{"Crime ID": f"f{i}"}) for i in range(5)]
        + [street_row(**elsewhere, Location="On or near High Street, March"), street_row(**{"LSOA code": ""})],
        "2024-01/2024-01-mixed-street.csv": [street_row(**{"Crime ID": "c1"}), street_row(**elsewhere),
                                             street_row(**{"LSOA code": ""})],
        "2024-01/2024-01-odd-street.csv": [street_row(**elsewhere), street_row(**{"LSOA code": "E01999999"})],
    }
    (tmp_path / "zipped").mkdir()
    with zipfile.ZipFile(tmp_path / "zipped" / "archive.zip", "w") as archive:
        for name, rows in files.items():
            path = write_street(tmp_path / "disk" / name, rows)
            archive.write(path, name)
    area = police_uk.AreaFilter(code_map, district_of, ["E07000008"])
    on_disk = police_uk.read_area(police_uk.discover(tmp_path / "disk")["street"], police_uk.STREET_COLUMNS, area)
    in_zip = police_uk.read_area(police_uk.discover(tmp_path / "zipped")["street"], police_uk.STREET_COLUMNS, area)
    header, surveyed = police_uk._files_outside(police_uk.discover(tmp_path / "disk")["street"], area)
    assert [s.name for s in surveyed] == ["2024-01-fenland-street.csv"] and surveyed[next(iter(surveyed))] == 7
    assert on_disk[1] == in_zip[1] == 7 + 1 + 1  # the Fenland file; one row each beside Cambridge and the unknown code
    pd.testing.assert_frame_equal(on_disk[0], in_zip[0])
    assert on_disk[0]["LSOA code"].tolist() == ["E01017983", "", "E01999999"]

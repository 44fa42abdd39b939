"""Acceptance on the real 2024 police.uk files: every Cambridge row accounted for, totals agree."""
from collections import Counter

import pytest

from conftest import raw_cambridge_rows, table
from conftest import table as table_of
from pipeline.analysis import overview
from pipeline.inputs.reference import Reference, build_geography, district_denominators
from pipeline.paths import RAW_DIR

CAMBRIDGE = "E07000008"


@pytest.fixture(scope="module")
def raw_rows():
    return raw_cambridge_rows()


def test_raw_files_hold_the_documented_cambridge_rows(raw_rows):
    assert len(raw_rows) == 17_247


def test_every_cambridge_row_is_kept_or_rejected_with_a_reason(real_ingest, raw_rows):
    config, result = real_ingest
    crimes = table(result, "crimes")
    kept = crimes[crimes["district_code"] == CAMBRIDGE]
    assert kept["lsoa21_name"].str.startswith("Cambridge 0").all()
    import pandas as pd

    rejects = pd.read_csv(result.processed_dir / "rejects" / "police_uk_street.csv", dtype=str, keep_default_na=False)
    rejected = rejects[rejects["LSOA name"].str.startswith("Cambridge 0")]
    assert len(kept) + len(rejected) == len(raw_rows) == 17_247
    assert rejects["reject_reason"].ne("").all()


def test_rows_in_equal_rows_kept_plus_rejected_for_every_source(real_ingest):
    _, result = real_ingest
    q = result.quality
    assert (q["rows_in"] == q["rows_outside_area"] + q["rows_kept"] + q["rows_rejected"]).all()
    street = q.set_index("source").loc["police.uk street"]
    assert (street["rows_in"], street["files"]) == (83_021, 12)
    assert street["rows_rejected"] == 2_793  # the published rows with no location
    assert sorted(result.missing_extracts) == sorted(["police_records", "asb_cases", "ae_assaults", "iom_cohort",
                                                       "service_activity", "plan_activity"])


def test_overview_totals_agree_with_a_direct_count_of_the_raw_csvs(real_ingest, raw_rows):
    config, result = real_ingest
    overview_table = overview.overview_table(table(result, "crimes"), table(result, "denominators"), config.area_codes)
    by_type = Counter(r["Crime type"] for r in raw_rows)
    shown = overview_table.set_index("Crime type")["This year"]
    for crime_type, count in by_type.items():
        assert shown[crime_type] == count, crime_type
    assert shown[overview.ALL_CRIME] == sum(v for k, v in by_type.items() if k != overview.ASB) == 14_922
    assert overview_table["Beyond natural variation"].iloc[0] == "no previous year in the data"


def test_reference_denominators_for_cambridge():
    reference = Reference.load(RAW_DIR / "reference")
    geography = build_geography(reference)
    cambridge = geography[geography["district_code"] == CAMBRIDGE]
    assert len(cambridge) == 78 and cambridge["population_2021"].sum() == 145_675
    dens = district_denominators(reference, geography).set_index("district_code")
    assert dens.loc[CAMBRIDGE, "households_2011"] == 46_714
    # The residents file's footnotes below the data are not LSOAs.
    assert reference.population["lsoa21cd"].str.fullmatch(r"[EW]01\d{6}").all()


def test_county_comparison_from_the_real_force_files(real_ingest, raw_rows):
    config, result = real_ingest
    table = overview.district_comparison(table_of(result, "crimes"), table_of(result, "denominators"), config.area_codes,
                                         config.comparison_codes).set_index("District")
    assert len(table) == 5
    assert table.loc["Cambridge", "Crimes (excl. ASB)"] == sum(r["Crime type"] != overview.ASB for r in raw_rows)


@pytest.mark.parametrize("key", ["lsoa_lookup", "wards", "centroids", "census_2011", "population_2021"])
def test_the_columnar_reference_reader_gives_the_exact_readers_values_and_rows(key):
    """Each published ONS reference file read by polars equals the exact reader's frame, value for value and row
    number for row number, in every column the loaders use."""
    import pandas as pd

    from pipeline.inputs.reference import read_reference_table, reference_path
    from pipeline.inputs.sources import FIELDS_COLUMN, read_table

    path = reference_path(RAW_DIR / "reference", key)
    fast, exact = read_reference_table(path), read_table(path)
    assert list(fast.columns) == list(exact.columns)
    assert (exact[FIELDS_COLUMN] <= 0).all()  # no row longer than the header (shorter ones are padded alike)
    pd.testing.assert_frame_equal(fast.drop(columns=FIELDS_COLUMN), exact.drop(columns=FIELDS_COLUMN))


def test_a_reference_file_whose_rows_do_not_line_up_with_its_lines_goes_to_the_exact_reader(tmp_path):
    import pandas as pd

    from pipeline.inputs.reference import read_reference_table
    from pipeline.inputs.sources import read_table

    for body in ('A,B\n1,"two\nlines"\n3,4\n', "A,B\n1,2\n\n3,4\n", "A,B\n1,2,3\n3,4\n"):
        path = tmp_path / "lookup.csv"
        path.write_text(body)
        pd.testing.assert_frame_equal(read_reference_table(path), read_table(path))

"""At least 30 kinds of bad input across the sources: each is refused with a message naming the file and
the problem, or quarantined with its reason, and rows in = rows kept + rows rejected."""
import pytest

from bad_input_cases import CASES, outcome


def test_there_are_at_least_thirty_kinds():
    assert len(CASES) >= 30 and len({c.name for c in CASES}) == len(CASES)
    assert {c.source for c in CASES} >= {"police.uk", "asb_cases", "police_records", "service_activity", "reference"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case, tmp_path):
    ok, happened = outcome(case, tmp_path)
    assert ok, happened


def test_refusals_name_file_row_column_and_fix(tmp_path):
    case = next(c for c in CASES if c.name == "reference: lookup with a renamed column")
    _, happened = outcome(case, tmp_path)
    assert "LSOA_2011_to_LSOA_2021_Lookup" in happened and "How to fix" in happened


def test_accented_names_are_read_and_pseudonymised(tmp_path):
    case = next(c for c in CASES if c.name == "extract: Excel cp1252 with accented names")
    screen = case.run(tmp_path)
    assert "José" not in screen.kept.to_csv() and screen.kept["perpetrator_id"].str.match(r"P[0-9a-f]{16}").all()


def test_flags_and_counts_are_normalised(tmp_path):
    flags = next(c for c in CASES if c.name == "extract: flags written yes / 1 / TRUE").run(tmp_path / "a")
    assert flags.kept["alcohol_flag"].tolist() == ["Y", "Y", "Y", "Y"]
    counts = next(c for c in CASES if c.name == "extract: thousands separator in a count").run(tmp_path / "b")
    assert counts.kept["value"].tolist() == [1234]

import pandas as pd
import pytest

from pipeline.inputs.partner_extracts import CONTRACTS, clean_extract, parse_datetimes
from pipeline.inputs.pseudonymise import MissingKeyError, load_key, pseudonymise
from pipeline.errors import InputDataError
from pipeline.inputs.sources import read_table

KEY = b"test-key"
CODE_MAP = {"E01017983": "E01017983", "E01017984": "E01035516"}
END = pd.Period("2024-12", "M")
ASB_HEADER = "case_id,source,reported_at,lsoa_code,asb_category,street_based,alcohol_flag,perpetrator_id,perpetrator_age"


def asb(tmp_path, *rows, header=ASB_HEADER):
    path = tmp_path / "asb_cases.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return clean_extract(read_table(path), CONTRACTS["asb_cases"], CODE_MAP, KEY, END, path.name)


def test_valid_rows_are_parsed_and_identifiers_pseudonymised(tmp_path):
    screen = asb(tmp_path, "A1,Council,31/10/2024 23:15,E01017984,nuisance,yes,,John Smith,34",
                 "A2,police,2024-10-31T08:00,,personal,N,TRUE,,")
    kept = screen.kept
    assert screen.summary()["rows_rejected"] == 0
    assert kept["reported_at"].tolist() == [pd.Timestamp("2024-10-31 23:15"), pd.Timestamp("2024-10-31 08:00")]
    assert kept["source"].tolist() == ["council", "police"]
    assert kept["lsoa_code"].tolist() == ["E01035516", ""]
    assert kept["street_based"].tolist() == ["Y", "N"] and kept["alcohol_flag"].tolist() == ["", "Y"]
    assert kept["perpetrator_id"].iloc[0].startswith("P") and "John" not in kept["perpetrator_id"].iloc[0]
    assert kept["perpetrator_id"].iloc[1] == ""
    assert kept["perpetrator_age"].tolist()[0] == 34
    assert kept["assessment_period"].tolist() == ["current", "current"]


@pytest.mark.parametrize("row,check", [
    ("A9,police,10/31/2024,,nuisance,,,,", "date_format"),  # month-first is never guessed
    ("A9,police,yesterday,,nuisance,,,,", "date_format"),
    ("A9,police,,,nuisance,,,,", "required_value"),
    ("A9,ambulance,2024-10-01,,nuisance,,,,", "allowed_value"),
    ("A9,police,2024-10-01,E01999999,nuisance,,,,", "known_lsoa"),
    ("A9,police,2024-10-01,,nuisance,maybe,,,", "flag_value"),
    ("A9,police,2024-10-01,,nuisance,,,,-3", "value_in_range"),
    ("A9,police,2024-10-01,,nuisance,,,,thirty", "numeric_value"),
    ("A9,police,2099-10-01,,nuisance,,,,", "date_not_in_future"),
    ("A1,police,2024-10-01,,nuisance,,,,", "unique_id"),
])
def test_bad_values_are_quarantined_with_their_reason(tmp_path, row, check):
    screen = asb(tmp_path, "A1,police,2024-10-01,,nuisance,,,Jane Doe,", row)
    assert screen.summary() == {"source": "asb_cases", "rows_in": 2, "rows_kept": 1, "rows_rejected": 1}
    assert screen.rejects["reject_rule"].tolist() == [check]
    assert screen.rejects["source_row"].tolist() == [3]


def test_rejected_rows_never_carry_a_raw_identifier(tmp_path):
    screen = asb(tmp_path, "A1,police,bad-date,,nuisance,,,Jane Doe,", "A2,police,2024-10-01,,nuisance,,,Jane Doe,")
    assert "Jane Doe" not in screen.rejects.to_csv() and "Jane Doe" not in screen.kept.to_csv()
    assert screen.rejects["perpetrator_id"].iloc[0] == screen.kept["perpetrator_id"].iloc[0]


def test_missing_required_column_and_header_only_are_refused(tmp_path):
    with pytest.raises(InputDataError, match="'asb_category'"):
        asb(tmp_path, "A1,police,2024-10-01", header="case_id,source,reported_at")
    with pytest.raises(InputDataError, match="no data rows"):
        asb(tmp_path)


def test_parse_datetimes_accepts_iso_and_uk_only():
    parsed = parse_datetimes(pd.Series(["2024-10-31", "31/10/2024 23:15", "2024-10-31 23:15:05", "10/31/2024", ""]))
    assert parsed.iloc[:3].notna().all() and parsed.iloc[3:].isna().all()


def test_pseudonyms_are_keyed_stable_and_ignore_case_and_spacing():
    values = pd.Series(["AB12 CDE", "ab12cde", "", "Other"])
    first = pseudonymise(values, KEY)
    assert first.iloc[0] == first.iloc[1] != first.iloc[3] and first.iloc[2] == ""
    assert pseudonymise(values, b"another key").iloc[0] != first.iloc[0]


def test_key_sources(tmp_path, monkeypatch):
    monkeypatch.delenv("CSP_PSEUDONYM_KEY", raising=False)
    with pytest.raises(MissingKeyError, match="CSP_PSEUDONYM_KEY"):
        load_key(synthetic=False, key_file=tmp_path / "absent")
    assert "demo" in load_key(synthetic=True, key_file=tmp_path / "absent")[1]
    (tmp_path / "key").write_text("q8Vz-41kLw_Pn3xR7s\n")
    assert load_key(synthetic=False, key_file=tmp_path / "key")[0] == b"q8Vz-41kLw_Pn3xR7s"
    monkeypatch.setenv("CSP_PSEUDONYM_KEY", "from-env-Hk29sLq0Zt")
    assert load_key(synthetic=False, key_file=tmp_path / "key")[0] == b"from-env-Hk29sLq0Zt"


@pytest.mark.parametrize("weak", [" ", "secret", "short-key-12", "aaaaaaaaaaaaaaaaaaaa", "abababababababababab",
                                  "Change Me!", "synthetic-demo-data-only-not-a-secret", "a long random secret",
                                  "0123456789abcdef"])
def test_a_weak_or_placeholder_key_is_refused(weak, tmp_path, monkeypatch):
    from pipeline.inputs.pseudonymise import WeakKeyError

    monkeypatch.setenv("CSP_PSEUDONYM_KEY", weak)
    with pytest.raises(WeakKeyError, match="refused"):
        load_key(synthetic=False, key_file=tmp_path / "absent")


@pytest.mark.parametrize("text", ["born 1987-03-14", "DOB 14 March 1987", "on March 14, 1987", "dob 14-Mar-87",
                                  "14th Sept 1987", "1987/03/14"])
def test_dates_of_birth_in_free_text_are_redacted(text):
    from pipeline.inputs.partner_extracts import redact_identifiers

    redacted = redact_identifiers(pd.Series([text])).iloc[0]
    assert "[redacted]" in redacted and "1987" not in redacted and "87" not in redacted.replace("[redacted]", "")


def test_place_names_in_free_text_survive_redaction():
    from pipeline.inputs.partner_extracts import redact_identifiers

    places = ["The Eagle, Bene't Street", "12 Market Street", "May Ball, Trinity", "Mill Road Cemetery"]
    assert redact_identifiers(pd.Series(places)).tolist() == places


def test_excel_serial_dates_are_read_and_said(tmp_path):
    from pipeline.inputs.partner_extracts import parse_datetimes

    parsed = parse_datetimes(pd.Series(["45292", "43941.7542", "12345", "2024-01-02"]))
    assert parsed.tolist()[:2] == [pd.Timestamp("2024-01-01"), pd.Timestamp("2020-04-20 18:06")]
    assert pd.isna(parsed.iloc[2]) and parsed.iloc[3] == pd.Timestamp("2024-01-02")  # 12345 is 1933: not a date here


def test_placeholder_ids_are_read_as_not_recorded_and_a_dominant_id_is_named_by_its_share(tmp_path):
    """One perpetrator id on a fifth of the cases is kept (a prolific person is real) and named by its share, never
    its value; 'UNKNOWN', 'N/A', '0' and the configuration's own placeholder are blanked and named."""
    placeholders = ["UNKNOWN"] * 12 + [" n/a "] * 6 + ["0", "nobody here", "--"]
    people = ["Prolific Person"] * 20 + placeholders + [f"Person {i}" for i in range(100 - 20 - len(placeholders))]
    rows = [f"A{i},police,2024-10-01,,nuisance,,,{person},26" for i, person in enumerate(people)]
    path = tmp_path / "asb_cases.csv"
    path.write_text("\n".join([ASB_HEADER, *rows]) + "\n")
    screen = clean_extract(read_table(path), CONTRACTS["asb_cases"], CODE_MAP, KEY, END, path.name, ("Nobody Here",))
    ids = screen.kept["perpetrator_id"]
    assert ids.eq("").sum() == len(placeholders)
    assert ids[ids.ne("")].value_counts().iloc[0] == 20
    note = screen.summary()["note"]
    assert "21 identifiers were placeholders ('UNKNOWN' (12), 'N/A' (6)," in note
    assert "'NOBODY HERE' (1)" in note and "'0' (1)" in note and "'--' (1)" in note
    assert "one identifier is on 25% of the records that name someone" in note  # 20 of the 79 with an id
    assert "Prolific" not in note and "Person" not in note


def test_an_asb_extract_with_a_prolific_perpetrator_and_placeholders_reports_no_association(tmp_path):
    """An ASB extract in which one perpetrator id holds a fifth of the cases, 'UNKNOWN' and 'N/A' stand for the
    unidentified, and the mental-health flag is drawn independently of the person: through ingest's checks and
    the association family, no association is called beyond chance, the data-quality note names the
    placeholders, and the repeat-perpetrator question names the dominant person's share."""
    import numpy as np

    from pipeline.analysis import family
    from pipeline.inputs.config import NightTimeEconomy

    rng = np.random.default_rng(2026)
    n = 3930
    people = np.array([f"Person {i}" for i in rng.integers(0, 1800, n)], dtype=object)
    people[rng.random(n) < 0.22] = "Prolific Person"
    people[rng.random(n) < 0.08] = "UNKNOWN"
    people[rng.random(n) < 0.05] = "N/A"
    header = ASB_HEADER + ",mental_health_flag,drugs_flag"
    flags = lambda p: np.where(rng.random(n) < p, "Y", "N")  # noqa: E731
    mental, drugs, alcohol = flags(0.2), flags(0.1), flags(0.3)
    rows = [f"A{i},police,2024-{1 + i % 12:02d}-{1 + i % 28:02d} 21:00,,nuisance,,{alcohol[i]},{people[i]},30,{mental[i]},{drugs[i]}"
            for i in range(n)]
    path = tmp_path / "asb_cases.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    screen = clean_extract(read_table(path), CONTRACTS["asb_cases"], CODE_MAP, KEY, END, path.name)
    note = screen.summary()["note"]
    assert "'UNKNOWN' (" in note and "'N/A' (" in note and "one identifier is on" in note
    cases = screen.kept.assign(zone="", victim_id="", vulnerable_victim="", street_based="")
    tests = family.association_family(None, cases, NightTimeEconomy(), [])
    assert not [t.question for t in tests if t.test != family.NOT_TESTABLE and t.p_adjusted < 0.05]
    repeat = next(t for t in tests if t.question == "ASB: mental health flag, repeat perpetrator against single-case perpetrator")
    assert any("one person holds" in note for note in repeat.notes)


def test_the_serious_violence_duty_flags_of_police_records_are_read_as_flags(tmp_path):
    """The contract's optional knife_flag and firearm_flag (the Serious Violence Duty's weapon-enabled offences):
    read and normalised like the other qualifiers when supplied, empty (not recorded) when the extract lacks them."""
    header = "record_id,record_type,reported_at,crime_type,knife_flag,firearm_flag"
    path = tmp_path / "police_records.csv"
    path.write_text(header + "\nR1,crime,2024-10-01 21:30,Violence and sexual offences,yes,N\n"
                    "R2,crime,2024-10-02 21:30,Robbery,,TRUE\nR3,crime,2024-10-03 21:30,Robbery,maybe,\n")
    screen = clean_extract(read_table(path), CONTRACTS["police_records"], CODE_MAP, KEY, END, path.name)
    kept = screen.kept.set_index("record_id")
    assert kept["knife_flag"].tolist() == ["Y", ""] and kept["firearm_flag"].tolist() == ["N", "Y"]
    assert screen.rejects["reject_rule"].tolist() == ["flag_value"] and screen.rejects["source_row"].tolist() == [4]
    path.write_text("record_id,record_type,reported_at,crime_type\nR1,crime,2024-10-01 21:30,Robbery\n")
    without = clean_extract(read_table(path), CONTRACTS["police_records"], CODE_MAP, KEY, END, path.name).kept
    assert without["knife_flag"].tolist() == [""] and without["firearm_flag"].tolist() == [""]

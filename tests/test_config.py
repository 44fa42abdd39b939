"""The configuration schema: every mistake a user can make in the YAML file is refused with a message
naming the key, the value and the fix (pipeline/inputs/config.py)."""
import pytest

from pipeline.errors import ConfigError
from pipeline.inputs.config import load_config

BASE = "name: x\narea: {name: Cambridge, lad_codes: [E07000008]}\npolice_uk: p\n"
DEMO = open("config/demo.yaml", encoding="utf-8").read()


def refused(tmp_path, text: str) -> str:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    return str(error.value)


def test_the_minimal_config_loads_with_defaults(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(BASE)
    config = load_config(path)
    assert config.title == "x" and config.synthetic is False and config.licensed == ()
    assert config.night_time_economy.describe() == "Friday 18:00 to Sunday 06:00" and config.path == str(path)


@pytest.mark.parametrize("text,expected", [
    # an unknown key names the nearest valid key, at the top level and inside a target
    (DEMO.replace("synthetic: true", "synthetik: true"), ["unknown key 'synthetik'", "did you mean 'synthetic'?"]),
    (DEMO.replace("reduce_by_percent: 5, plan_baseline: 80", "reduce_by_percnt: 5, plan_baseline: 80"),
     ["targets[0] ('Robbery').reduce_by_percnt", "did you mean 'reduce_by_percent'?"]),
    (BASE.replace("area: {name: Cambridge,", "area: {nmae: Cambridge,"), ["unknown key 'area.nmae'", "did you mean 'name'?"]),
    # wrong types and formats
    (BASE.replace("[E07000008]", "E07000008"), ["key 'area.lad_codes' = 'E07000008'", "How to fix"]),
    (BASE.replace("[E07000008]", "[E0700008]"), ["'E0700008'", "is not a local authority district code"]),
    (BASE + "synthetic: maybe\n", ["key 'synthetic' = 'maybe'", "write true or false"]),
    (BASE + "zones: {Centre: [E0101798]}\n", ["zones.Centre[0]", "is not a 2021 LSOA code"]),
    (BASE + "zones: {a: [E01017983], b: [E01017983]}\n", ["in two zones ('a' and 'b')"]),
    (BASE + "zones: {a: [E01017983]}\nlicensed_zones: [b]\n", ["licensed_zones names zones that are not defined", "['b']"]),
    (BASE + "night_time_economy: {start_hour: 20}\n", ["unknown key 'night_time_economy.start_hour'", "Valid keys here: windows"]),
    (BASE + "night_time_economy: {windows: [{start: Fri 18:00, end: Sunday 06:00}]}\n",
     ["night_time_economy.windows[0].end' = 'Sunday 06:00'"]),
    (BASE.replace("name: x", "name: my assessment"), ["'my assessment'", "letters, digits"]),
    (BASE.replace("police_uk: p\n", ""), ["the key 'police_uk' is missing"]),
    (BASE + "comparison_districts: [E07000008]\n", ["both in area.lad_codes and comparison_districts"]),
])
def test_config_mistakes_are_named_with_key_value_and_fix(tmp_path, text, expected):
    message = refused(tmp_path, text)
    for words in expected:
        assert words in message, message


TARGET = "targets:\n  - {name: T, baseline_year: 2023/24, target_year: 2024/25, %s}\n"


@pytest.mark.parametrize("fields,expected", [
    ("crime_types: [Robbery], reduce_by_percent: 5, below: 900", "give exactly one of reduce_by_percent, below and overall_reduction"),
    ("crime_types: [Robbery]", "give exactly one of reduce_by_percent, below and overall_reduction"),
    ("crime_types: [Burglary], reduce_by_percent: 5, overall_reduction: true",
     "give exactly one of reduce_by_percent, below and overall_reduction"),
    ("crime_types: [Robery], below: 9", "['Robery'] are not police.uk crime types"),
    ("below: 9", "a police_uk target needs crime_types"),
    ("source: ae_assault, below: 9", "source 'ae_assault' is not one of police_uk, police_records"),
    ("source: ae_assaults, crime_types: [Robbery], below: 9", "has no crime_type column"),
    ("crime_types: [Robbery], reduce_by_percent: 150", "less than 100"),
])
def test_target_mistakes_are_named(tmp_path, fields, expected):
    assert expected in refused(tmp_path, BASE + TARGET % fields)


def test_a_target_may_count_any_partner_extract(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(BASE + TARGET % "source: police_records, crime_types: [Robbery], reduce_by_percent: 5"
                    + "  - {name: S, source: service_activity, measures: [s136_detentions], baseline_year: 2023/24, "
                      "target_year: 2024/25, below: 100}\n")
    assert [t.source for t in load_config(path).targets] == ["police_records", "service_activity"]


def test_a_financial_year_must_span_consecutive_years(tmp_path):
    message = refused(tmp_path, BASE + TARGET.replace("2023/24", "2023/25") % "crime_types: [Robbery], below: 9")
    assert "targets[0] ('T').baseline_year' = '2023/25'" in message and "two consecutive years" in message


@pytest.mark.parametrize("text,expected", [
    ("", "the file is empty"),
    ("# only a comment\n", "the file is empty"),
    ("- a\n- b\n", "expected keys and values"),
    ("name: [unclosed\n", "is not valid YAML"),
    (BASE + "path: elsewhere\n", "unknown key 'path'"),
])
def test_files_that_are_not_configurations(tmp_path, text, expected):
    assert expected in refused(tmp_path, text)


def test_a_folder_or_a_missing_file_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text(BASE)
    with pytest.raises(ConfigError, match="is a folder, not a configuration file.*a.yaml"):
        load_config(tmp_path)
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "absent.yaml")


def test_shipped_configs_load():
    for name in ("demo", "real_2024"):
        assert load_config(f"config/{name}.yaml").name == name


@pytest.mark.parametrize("entry, message", [
    ("{id: x, name: X, priority: asb, target_year: 2024/25}", "give count"),
    ("{id: x, name: X, priority: asb, target_year: 2024/25, due: 2025-09-30}", "outside the target year"),
    ("{id: x, name: X, priority: housing, target_year: 2024/25, count: 3}", "priority"),
    ("{id: x y, name: X, priority: asb, target_year: 2024/25, count: 3}", "letters, digits"),
])
def test_bad_activity_configuration_is_refused_with_its_key(tmp_path, entry, message):
    error = refused(tmp_path, DEMO.split("activities:")[0] + f"activities:\n  - {entry}\n")
    assert message in error and "activities[0]" in error


def test_repeated_activity_ids_are_refused(tmp_path):
    assert "used twice" in refused(tmp_path, DEMO.replace("id: asb_publicity_features", "id: asb_events_attended"))


def test_plan_notes_name_exactly_the_chapters_that_answer_the_plan():
    from pipeline.chapters.registry import CHAPTERS
    from pipeline.inputs.config import PLAN_NOTE_CHAPTERS

    assert set(PLAN_NOTE_CHAPTERS) == {c.name for c in CHAPTERS if not c.appendix}

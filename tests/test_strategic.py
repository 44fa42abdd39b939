"""The strategic priority's analysis: shares over recorded flags, completeness and recording effects, repeat
people, the night-time window and the gaps (pipeline.analysis.flags, strategic and data_gaps)."""

import pandas as pd
import pytest

from pipeline.analysis import flags, strategic
from pipeline.analysis.data_gaps import data_gaps
from pipeline.inputs.config import NightTimeEconomy
from pipeline.methods.disclosure import SUPPRESSED, protect
from pipeline.methods.values import Proportion

YEARS = ["Apr 2023 - Mar 2024", "Apr 2024 - Mar 2025"]


def records(flags: list[tuple[str, str, str]], year: str = YEARS[1], **columns) -> pd.DataFrame:
    frame = pd.DataFrame(flags, columns=["alcohol_flag", "drugs_flag", "mental_health_flag"])
    frame["year_ending"] = year
    for name, value in columns.items():
        frame[name] = value
    return frame


def test_shares_are_over_recorded_flags_and_combinations_over_all_recorded():
    frame = records([("Y", "Y", "Y"), ("Y", "N", "N"), ("", "N", "Y"), ("N", "", "N")] * 5)
    table = flags.prevalence(frame, None, "All", [YEARS[1]]).set_index("Measure")
    assert table.loc["Alcohol", ["Flagged", "Recorded"]].tolist() == [10, 15]
    assert table.loc["Drugs", ["Flagged", "Recorded"]].tolist() == [5, 15]
    assert table.loc["Mental health", ["Flagged", "Recorded"]].tolist() == [10, 20]
    # Combinations only over the 10 records with all three recorded: 5 are alcohol+drugs+MH.
    dual = table.loc["Dual diagnosis (mental health with alcohol or drugs)"]
    assert (dual["Flagged"], dual["Recorded"]) == (5, 10)
    assert table.loc["Alcohol", "CI low (%)"] < 66.7 < table.loc["Alcohol", "CI high (%)"]


def test_share_cells_show_interval_and_counts_and_small_ones_are_suppressed():
    assert str(Proportion(50, 200)) == "25.0% (19.5% to 31.4%), 50 of 200"
    assert str(Proportion(0, 0)) == "no records"
    assert str(Proportion(0, 8)).endswith("(too few to interpret)")
    cells = pd.DataFrame({"share": [Proportion(3, 200), Proportion(197, 200), Proportion(50, 200)]})
    assert protect(cells, [])["share"].tolist()[:2] == [SUPPRESSED, SUPPRESSED]  # 3 flagged, or 3 unflagged, read off


def test_completeness_counts_y_n_and_not_recorded():
    frame = records([("Y", "N", ""), ("", "", ""), ("N", "N", "N")])
    table = flags.completeness({"src": frame}, {"src": [YEARS[1]]}).set_index("Flag")
    assert table.loc["Alcohol", ["Records", "Y", "N", "Not recorded"]].tolist() == [3, 1, 1, 1]
    assert table.loc["Alcohol", "Completeness (%)"] == pytest.approx(200 / 3)


def test_a_rise_in_flags_from_better_recording_is_a_recording_effect():
    # Same volume (1,000 a year) and the same 20% prevalence among recorded cases; completeness 50% -> 90%.
    before = records([("Y", "N", "N")] * 100 + [("N", "N", "N")] * 400 + [("", "", "")] * 500, YEARS[0])
    after = records([("Y", "N", "N")] * 180 + [("N", "N", "N")] * 720 + [("", "", "")] * 100, YEARS[1])
    table = flags.completeness({"src": pd.concat([before, after])}, {"src": YEARS})
    reading = flags.recording_effects(table).set_index("Flag").loc["Alcohol"]
    assert (reading["Volume changed"], reading["Flagged count changed"]) == ("no", "yes")
    assert reading["Completeness change (points)"] == pytest.approx(40.0)
    assert reading["Reading"].startswith("recording effect")


def test_a_recording_change_over_three_years_is_read_over_the_whole_series():
    # Completeness 30% -> 57% -> 86%, flagged 171 -> 325 -> 490, the share among recorded held at 57%; the last two
    # years alone would also show it, but the series names the whole change.
    years = ["Apr 2022 - Mar 2023", *YEARS]
    frames = [records([("Y", "N", "N")] * y + [("N", "N", "N")] * (r - y) + [("", "", "")] * (1000 - r), year)
              for year, r, y in zip(years, (300, 570, 860), (171, 325, 490))]
    table = flags.completeness({"police violence": pd.concat(frames)}, {"police violence": years})
    reading = flags.recording_effects(table).set_index("Flag").loc["Alcohol"]
    assert reading["Years"] == "Apr 2022 - Mar 2023 to Apr 2024 - Mar 2025 (3 years)"
    assert (reading["Flagged Y"].before, reading["Flagged Y"].after) == (171, 490)
    assert reading["Completeness change (points)"] == pytest.approx(56.0)
    assert reading["Reading"].startswith("recording effect")


def test_a_real_change_in_prevalence_is_called_a_trend():
    before = records([("Y", "N", "N")] * 100 + [("N", "N", "N")] * 900, YEARS[0])
    after = records([("Y", "N", "N")] * 250 + [("N", "N", "N")] * 750, YEARS[1])
    table = flags.completeness({"src": pd.concat([before, after])}, {"src": YEARS})
    assert flags.recording_effects(table).set_index("Flag").loc["Alcohol", "Reading"].startswith("change in prevalence")


def test_repeat_people_are_compared_record_by_record():
    frame = records([("N", "N", "Y"), ("N", "N", "N"), ("N", "N", "Y"), ("N", "N", "N"), ("N", "N", "")] * 8,
                    perpetrator_id=[f"p{i}" for i in range(40)])
    frame.loc[:19, "perpetrator_id"] = [f"r{i // 2}" for i in range(20)]  # ten people with two records each
    table = strategic.repeat_table(frame, "perpetrator_id", "ASB perpetrators").set_index("Group")
    assert table.loc["two or more records", "Number"] == 10 and table.loc["one record", "Number"] == 20
    repeat = table.loc["two or more records", "Mental health"]
    assert (repeat.k, repeat.n) == (8, 16)  # 8 of the 16 recorded records, not 'any record' of ten people


def test_night_time_economy_windows_by_weekday_and_time():
    times = pd.to_datetime(["2024-06-07 17:59", "2024-06-07 18:00", "2024-06-09 05:59", "2024-06-09 06:00",
                            "2024-06-05 23:00"])  # Fri, Fri, Sun, Sun, Wed
    frame = pd.DataFrame({"reported_at": times, "occurred_from": pd.NaT})
    weekend = NightTimeEconomy()
    assert flags.in_night_time_economy(frame, weekend).tolist() == [False, True, True, False, False]
    overnight = NightTimeEconomy(windows=[{"start": "Sun 22:00", "end": "Mon 02:00"}])
    wraps = pd.DataFrame({"reported_at": pd.to_datetime(["2024-06-09 23:00", "2024-06-10 01:59", "2024-06-10 02:00"])})
    assert flags.in_night_time_economy(wraps, overnight).tolist() == [True, True, False]
    assert weekend.describe() == "Friday 18:00 to Sunday 06:00"


def test_gaps_list_missing_sources_weak_flags_and_empty_fields():
    completeness = pd.DataFrame([{"Source": "police violence", "Flag": "Mental health", "Year": YEARS[1], "Records": 100,
                                  "Y": 0, "N": 0, "Not recorded": 100, "Completeness (%)": 0.0}])
    police = pd.DataFrame({"record_id": ["1"], "victim_age": [pd.NA], "month": ["2025-03"]})
    gaps = data_gaps(["asb_cases"], {"police_records": police}, completeness, YEARS[1], ["2025-02", "2025-03"], {}, 2024, None)
    kinds = gaps.groupby("Gap")["Source"].apply(list).to_dict()
    assert kinds["Source not supplied"] == ["asb_cases.csv"]
    assert kinds["Flag under the completeness threshold"] == ["police violence"]
    assert "police_records.csv" in kinds["Field always empty"]
    assert kinds["Months missing"] == ["police_records.csv"]
    assert gaps["Recommended fix"].str.len().gt(10).all() and gaps["Consequence for the findings"].str.len().gt(10).all()


def test_the_family_uses_fisher_when_one_expected_count_is_under_5():
    from pipeline.analysis.family import Factor, evaluate

    flags_ = ["Y"] * 8 + ["N"] * 2 + ["Y"] * 40 + ["N"] * 50
    frame = pd.DataFrame({"alcohol_flag": flags_, "suspect_id": [f"s{i}" for i in range(100)]})
    exposed = pd.Series([True] * 10 + [False] * 90)
    result = evaluate("Violence", frame, "alcohol_flag", Factor("f", "exposed", "reference", exposed, ~exposed, "suspect_id"))
    assert result.table.to_numpy().tolist() == [[8, 2], [40, 50]]
    assert result.test.startswith("Fisher") and "expected count is under 5" in result.notes[0]

"""The domestic-abuse chapter: funnel limits against the published exact Poisson table and by simulation; the
demo's county comparison over every district the force-wide extract covers; repeat victims by hand; without
police records (the real 2024 run) it says what is missing; every figure of a finding is in a table."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pipeline.analysis import domestic
from pipeline.chapters import domestic as chapter
from pipeline.methods.disclosure import COUNT_COLUMNS, is_small
from pipeline.methods.funnel import funnel, poisson_limits
from pipeline.report import domestic_charts


@pytest.mark.parametrize("count, level, low, high", [
    (10, 0.025, 4.7954, 18.3904),   # the exact 95% limits for 10 events (Garwood 1936; e.g. PHE technical guide)
    (1, 0.025, 0.0253, 5.5716),
    (100, 0.025, 81.3640, 121.6268),
    (10, 0.001, 2.9605, 24.1340),   # 99.8%
])
def test_exact_poisson_limits_match_the_published_values(count, level, low, high):
    lower, upper = poisson_limits(count, level)
    assert float(lower) == pytest.approx(low, abs=1e-3) and float(upper) == pytest.approx(high, abs=1e-3)


def test_funnel_positions_by_hand():
    frame = funnel(np.array([100, 150, 80]), np.array([10000, 10000, 10000]))
    assert frame["common_rate"].iloc[0] == pytest.approx(110 / 10000 * 1000)
    assert frame["position"].tolist() == ["within the 95% limits", "above the 99.8% limit", "below the 99.8% limit"]


@pytest.mark.slow
def test_funnel_flags_no_more_districts_than_its_level_when_all_share_one_rate():
    rng = np.random.default_rng(7)
    populations = np.array([145675, 87754, 102460, 180831, 162116])
    outside95 = outside998 = 0
    for _ in range(2000):
        frame = funnel(rng.poisson(populations * 0.007), populations)
        outside95 += int((frame["position"] != "within the 95% limits").sum())
        outside998 += int(frame["position"].str.contains("99.8").sum())
    assert outside95 / (2000 * 5) <= 0.06 and outside998 / (2000 * 5) <= 0.004


def test_the_county_comparison_covers_every_district_in_the_extract(demo):
    districts = demo.districts
    assert len(districts) == 5 and "Cambridge" in districts["District"].tolist()
    assert sorted(districts["Rank in the county"]) == [1, 2, 3, 4, 5]
    assert set(demo.funnel["district"]) == set(districts["District"]) and demo.funnel["partnership"].sum() == 1
    fenland = districts.set_index("District").loc["Fenland"]
    assert fenland["Against the county rate"] == "above the 99.8% limit"


def test_repeat_victims_by_hand():
    records = pd.DataFrame({"years_back": [0, 0, 0, 0, 1], "domestic_flag": ["Y", "Y", "Y", "N", "Y"],
                            "victim_id": ["A", "A", "B", "B", "B"]})
    found = domestic.repeat_victims(records)
    assert found["records"] == 3 and found["victims"] == 2
    assert (found["repeat"].k, found["repeat"].n, found["their_records"].k) == (1, 2, 2)


def test_findings_quote_the_tables(demo):
    found = chapter.findings(demo)
    row = demo.districts.set_index("District").loc["Cambridge"]
    first = found[0]
    assert first.figures["this_year"] == row["Domestic-flagged records"] and first.figures["rank"] == row["Rank in the county"]
    assert first.figures["per_1000"] == row["Per 1,000"] and f"rank {row['Rank in the county']} of 5" in first.text
    assert any("Crime Survey for England and Wales" in f.text for f in found)
    share = [f for f in found if f.section == "Repeat victims, violence and the flags" and "violent records" in f.text][0]
    assert share.figures["share_percent"] == demo.share.iloc[-1]["Domestic share of recorded"].share
    assert demo.share["Year"].iloc[-1] == demo.year_label  # the assessment year, nothing after the period end


def test_without_police_records_it_says_so(real):
    assert real.records_missing and real.districts.empty
    assert chapter.findings(real)[0].direction == "gap"


def test_no_published_count_is_from_1_to_4(demo):
    for table in (demo.districts, demo.share, demo.flags):
        for column in table.attrs.get(COUNT_COLUMNS, []):
            assert not table[column].map(is_small).any(), column


def test_funnel_chart_draws(demo, real):
    figure = domestic_charts.funnel_chart(demo.funnel, "t")
    assert figure is not None
    plt.close(figure)
    assert domestic_charts.funnel_chart(real.funnel, "t") is None


def test_the_repeat_figures_of_the_findings_are_in_a_table(demo):
    table = chapter.repeat_table(demo).iloc[0]
    repeat = [f for f in chapter.findings(demo) if f.section == "Repeat victims, violence and the flags" and "Repeat victims" in f.text][0]
    assert table["Repeat victims (share of victims)"].share == repeat.figures["repeat_percent"]

"""The ASB chapter: rates per 1,000 by ward with exact intervals that add up to the area; the long-term trend on
the demo's planted -6% a year; partner cases by source and category adding up; street-based shares over
recorded flags; repeat victims counted by hand on a small extract; on the real 2024 data (police.uk alone) it
says what is missing; nothing published shows a count of 1 to 4; every figure of a finding is in a table."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pipeline.analysis import asb
from pipeline.chapters import asb as chapter
from pipeline.methods.disclosure import COUNT_COLUMNS, is_small
from pipeline.methods.statistics import poisson_interval
from pipeline.report import asb_charts
import demo_generator


def test_ward_rates_add_up_and_carry_exact_intervals(demo, demo_context):
    wards = demo.wards
    assert wards.iloc[0]["Area"] == "Cambridge"
    assert wards.iloc[1:]["This year"].sum() == wards.iloc[0]["This year"]
    assert wards.iloc[1:]["Residents"].sum() == pytest.approx(wards.iloc[0]["Residents"], abs=len(wards))
    area = wards.iloc[0]
    low, high = poisson_interval(int(area["This year"]))
    assert area["Per 1,000 (95% CI)"].low == pytest.approx(low / area["Residents"] * 1000, rel=1e-3)
    assert area["Per 1,000 (95% CI)"].high == pytest.approx(high / area["Residents"] * 1000, rel=1e-3)
    assert wards.iloc[1:]["Per 1,000"].is_monotonic_decreasing


def test_the_planted_long_term_fall_is_found_and_covered(demo):
    planted = demo_generator.ANNUAL_GROWTH["Anti-social behaviour"] * 100
    assert demo.slope.whole_low <= planted <= demo.slope.whole_high
    assert demo.slope.reading == "still falling" and len(demo.monthly) == 60


def test_partner_cases_by_source_and_category_add_up(demo, demo_context):
    cases = demo_context.table("asb_cases", area_only=True)
    assert demo.sources["Cases"].sum() == len(cases) == demo.categories["Cases"].sum()
    assert (demo.sources[["Police", "Council", "Housing"]].sum(axis=1) == demo.sources["Cases"]).all()


def test_street_based_share_is_over_recorded_flags(demo, demo_context):
    cases = demo_context.table("asb_cases", area_only=True)
    latest = cases[cases["years_back"] == 0]  # the assessment year, whatever month it ends in
    share = demo.street.set_index("Year").loc[latest["year_ending"].iloc[0], "Share of recorded"]
    assert share.k == (latest["street_based"] == "Y").sum() and share.n == latest["street_based"].isin(["Y", "N"]).sum()
    assert demo.street_places["Street-based cases"].iloc[0] >= demo.street_places["Street-based cases"].iloc[-1]


def test_repeat_victims_and_perpetrators_by_hand():
    cases = pd.DataFrame({
        "years_back": [0, 0, 0, 0, 0, 1, 0],
        "victim_id": ["A", "A", "B", "", "C", "B", "C"],
        "perpetrator_id": ["X", "X", "X", "Y", "", "Y", "Z"],
        "vulnerable_victim": ["N", "N", "Y", "", "N", "N", "N"],
        "alcohol_flag": ["Y", "N", "", "Y", "N", "Y", "Y"], "drugs_flag": [""] * 7, "mental_health_flag": ["N"] * 7})
    table = asb.victim_table(cases).set_index("Group")
    assert table.loc["Repeat victims' cases", "Cases"] == "[c]"  # A twice and C twice: 4 cases, suppressed
    per_victim = asb.repeats(cases, "victim_id")
    assert per_victim.to_dict() == {"A": 2, "B": 1, "C": 2}  # B's second case is in the year before
    found = asb.perpetrator_summary(cases)
    assert (found["perpetrators"], found["repeat"], found["their_cases"], found["known_cases"]) == (3, 1, 3, 5)


def test_findings_quote_the_tables(demo):
    found = chapter.findings(demo)
    area = demo.wards.iloc[0]
    assert found[0].figures["this_year"] == area["This year"] and found[0].figures["per_1000"] == area["Per 1,000"]
    assert f"{int(area['This year']):,}" in found[0].text and "incidents" in found[0].text
    top = [f for f in found if f.text.startswith("Highest ward rate")][0]
    assert top.figures["ward"] == demo.wards.iloc[1]["Area"]
    trend = [f for f in found if f.section == "The long-term trend"][0]
    assert trend.figures["whole_percent"] == demo.slope.whole_percent and trend.direction == "down"
    street = [f for f in found if f.section == "Street-based ASB"][0]
    assert street.figures["share_percent"] == demo.street.iloc[-1]["Share of recorded"].share


def test_on_police_uk_alone_it_says_what_is_missing(real):
    assert real.cases_missing and real.sources.empty and real.victims.empty and real.slope is None
    texts = " ".join(f.text for f in chapter.findings(real))
    assert "No partner ASB cases" in texts and "needs at least four years of months" in texts
    assert "Last year" not in real.wards  # one year of police.uk: no change to show


def test_no_published_count_is_from_1_to_4(demo):
    for table in (demo.wards, demo.sources, demo.categories, demo.street, demo.street_places, demo.victims):
        for column in table.attrs.get(COUNT_COLUMNS, []):
            assert not table[column].map(is_small).any(), column


def test_charts_and_map_draw(demo, real):
    for figure in (asb_charts.trend_chart(demo.monthly, demo.slope, "t"), asb_charts.sources_chart(demo.sources),
                   asb_charts.rate_map(demo.lsoa_rates, demo.boundaries, demo.zone_lsoas, "m"),
                   asb_charts.rate_map(real.lsoa_rates, real.boundaries.iloc[:0], real.zone_lsoas, "centroids")):
        assert figure is not None
        plt.close(figure)
    assert np.isfinite(demo.lsoa_rates["per_1000"]).all()


def test_the_trend_figures_of_the_findings_are_in_a_table(demo):
    table = chapter.trend_table(demo).set_index("Series")
    row = table.loc["Police-recorded incidents"]
    assert row["Whole series (% a year)"] == demo.slope.whole_percent and row["Reading"] == demo.slope.reading
    assert "Street-based partner cases" in table.index

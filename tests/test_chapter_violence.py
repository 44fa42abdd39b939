"""The violence chapter: on the demo data it finds the planted pub cluster as the top emerging hotspot outside a
persistent city centre; on the real 2024 police.uk data alone (no A&E, no police records) it still maps and
ranks hotspots and says what is missing; without boundaries it draws centroids; the time-of-week weights add
up to the records; the A&E verdicts are right on constructed series; nothing published shows a count of 1 to 4."""
import copy

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pipeline.analysis import ae_assaults
from pipeline.chapters import violence as chapter
from pipeline.inputs.boundaries import empty
from pipeline.inputs.config import AssessmentConfig
from pipeline.methods.disclosure import COUNT_COLUMNS, is_small
from pipeline.report import maps, violence_charts
import demo_generator


def published_tables(result):
    return [result.zones, result.ranked, result.ae_targets, result.ae_methods, result.ae_locations]


def test_the_planted_pub_cluster_is_the_top_emerging_hotspot_and_the_city_centre_persistent(demo):
    top = demo.ranked.iloc[0]
    assert top["Hotspot"] == "Hotspot cells in Mill Road pub cluster" and top["Class"] == "emerging hotspot"
    assert demo.ranked["Hotspot"].tolist().count("Hotspot cells in Mill Road pub cluster") == 1
    assert "Mill Road pub cluster" not in demo.ranked["Hotspot"].tolist()  # never named only after the zone
    classes = demo.zone_classes.set_index("Zone")
    assert classes.loc["City centre", "Zone's class"] == "persistent hotspot"
    assert classes.loc["Mill Road pub cluster", "Zone's class"] == "emerging hotspot"
    assert not demo.ranked["Hotspot"].str.startswith("City centre").any()


def test_places_count_the_force_records_when_supplied_and_police_uk_otherwise(demo, real):
    """The demo's police records have locations: zones, hotspots and the ranked list count them and say so; the
    real 2024 files have none, so police.uk is counted and the note says so."""
    from pipeline.analysis import violence

    assert demo.places_source == violence.RECORDS_SOURCE and "police records" in chapter.places_note(demo)
    top = chapter.findings(demo)
    assert any(f.figures.get("source") == violence.RECORDS_SOURCE for f in top if f.section == "Hotspots")
    assert real.places_source == violence.POLICE_UK_SOURCE and "police.uk street-level crimes" in chapter.places_note(real)


def test_the_places_source_falls_back_to_police_uk_when_records_lack_locations(demo_context):
    from pipeline.analysis import violence

    crimes, records = demo_context.table("crimes"), demo_context.table("police_records", area_only=True)
    config = demo_context.config
    assert len(violence.violence_for_places(crimes, records, config).rows) == int(
        ((records["crime_type"] == violence.VIOLENCE) & records["in_area"] & (records["years_back"] >= 0)).sum())
    unlocated = records.assign(latitude=np.nan, longitude=np.nan)
    fallback = violence.violence_for_places(crimes, unlocated, config)
    assert fallback.name == violence.POLICE_UK_SOURCE and "coordinates for 0%" in fallback.why
    assert violence.violence_for_places(crimes, None, config).name == violence.POLICE_UK_SOURCE


def test_the_planted_tripling_is_covered_by_the_zones_rate_ratio(demo):
    row = demo.zones.set_index("Zone").loc["Mill Road pub cluster"]
    planted = (1 + demo_generator.PUB_CLUSTER_UPLIFT[-1]) * (1 + demo_generator.ANNUAL_GROWTH["Violence and sexual offences"])
    assert row["Rate ratio (95% CI)"].low <= planted <= row["Rate ratio (95% CI)"].high
    assert row["Beyond natural variation"] == "yes"
    centre = demo.zones.set_index("Zone").loc["City centre"]
    assert centre["Per km² this year"] > demo.zones.set_index("Zone").loc["Rest of Cambridge", "Per km² this year"]


def test_findings_lead_with_the_zones_and_the_hotspot(demo):
    found = chapter.findings(demo)
    texts = [f.text for f in found]
    assert any(t.startswith("Mill Road pub cluster:") and "beyond natural variation" in t for t in texts)
    hotspot = next(f for f in found if f.section == "Hotspots" and "top-ranked" in f.text)
    assert hotspot.figures["class"] == "emerging hotspot" and hotspot.direction == "up"
    zone = demo.zones.set_index("Zone").loc["Mill Road pub cluster", "This year"]
    assert "Hotspot cells in Mill Road pub cluster" in hotspot.text  # the hotspot, named apart from its zone
    assert "part of the Mill Road pub cluster zone" in hotspot.text and f"({zone:,})" in hotspot.text
    target = next(f for f in found if f.priority == "targets")
    assert target.direction == "missed" and "Missed" in target.text


def test_time_of_week_weights_sum_to_the_records(demo):
    week = demo.week
    assert week["police"].to_numpy().sum() == pytest.approx(week["police_records"])
    assert week["ae"].to_numpy().sum() == pytest.approx(week["ae_attendances"])
    assert week["police"].shape == (7, 24)


def test_nothing_published_shows_a_count_from_one_to_four(demo, real):
    assert demo.zones.attrs[COUNT_COLUMNS] == ["This year", "Last year"] and real.ranked.attrs[COUNT_COLUMNS]
    for result in (demo, real):
        for table in published_tables(result):
            cells = [*table.attrs.get(COUNT_COLUMNS, []),
                     *[c for c in table.columns if table[c].map(lambda v: hasattr(v, "revealed_counts")).any()]]
            for column in cells:
                assert not table[column].map(is_small).any(), column


def test_real_police_uk_alone_maps_and_ranks_and_says_what_is_missing(real):
    assert real.ae_missing and real.records_missing
    assert real.grid is not None and real.lsoa is not None and len(real.grid.years) == 1
    assert set(real.grid.units["class"]) <= {"no pattern", "hotspot this year (one year of data)"}
    assert real.has_boundaries and real.lsoa.geometry is not None and len(real.lsoa.units) == 78
    assert not real.ranked.empty
    found = chapter.findings(real)
    assert any(f.direction == "gap" and "A&E" in f.text for f in found)
    for figure in (maps.lsoa_choropleth(real), maps.hotspot_class_map(real), maps.density_map(real)):
        assert figure is not None
        plt.close(figure)
    assert violence_charts.xmr_chart(real.ae_monthly, real.ae_chart, None, "") is None


def test_without_boundaries_the_maps_draw_centroids_and_say_so(real_context):
    ctx = copy.copy(real_context)  # the session's context stays as it is
    ctx.boundaries = lambda: empty()
    result = chapter.build(ctx)
    assert not result.has_boundaries and result.lsoa.geometry is None and not result.densities
    assert result.grid is not None  # cells around the events instead of the district polygon
    figure = maps.lsoa_choropleth(result)
    assert "centroid dots" in figure.csp_source
    plt.close(figure)


def constructed_ae(counts_by_month: dict[str, int]) -> pd.DataFrame:
    rows = [{"month": month, "years_back": 0} for month, n in counts_by_month.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=["month", "years_back"])


def ae_config(below: int) -> AssessmentConfig:
    return AssessmentConfig.model_validate({
        "name": "t", "area": {"name": "T", "lad_codes": ["E07000008"]}, "police_uk": "x",
        "targets": [{"name": "A&E assaults", "source": "ae_assaults", "baseline_year": "2023/24",
                     "target_year": "2024/25", "below": below}]})


@pytest.mark.parametrize("per_month,months,below,status", [
    (70, 12, 900, "Met"),         # 840 in the year, target fewer than 900
    (80, 12, 900, "Missed"),      # 960
    (70, 6, 900, "On track"),     # 420 in six months of a flat baseline: 840 projected
    (80, 6, 900, "Off track"),    # 480: 960 projected
])
def test_ae_target_verdicts_on_constructed_series(per_month, months, below, status):
    baseline = {str(m): 90 for m in pd.period_range("2023-04", "2024-03", freq="M")}
    target_year = {str(m): per_month for m in pd.period_range("2024-04", periods=months, freq="M")}
    ae = constructed_ae(baseline | target_year)
    end = pd.Period("2024-04", "M") + months - 1
    table = ae_assaults.target_rows(ae_config(below), pd.DataFrame(columns=["district_code", "crime_type", "month"]),
                                    ae, end, {})
    assert table.loc[0, "Status"] == status


def test_the_stated_false_alarm_rate_is_what_stable_series_give():
    from pipeline.methods.spc import false_alarm_rate, xmr

    rng = np.random.default_rng(11)
    stable = np.mean([xmr(rng.poisson(90, 60)).special_cause.any() for _ in range(1000)])
    assert abs(false_alarm_rate(60) - stable) < 0.06


def test_ae_reading_says_when_there_is_no_chart(demo, real):
    assert "process limits" in chapter.chart_reading(demo) and "stable series of 60 months" in chapter.chart_reading(demo)
    assert chapter.chart_reading(real) == ""


def test_night_time_economy_shares_use_the_counts_beside_them_as_denominators(demo):
    """A share's denominator is the count in its row (one source): never '1,256 of 1,255'."""
    assert demo.places_source == chapter.violence.RECORDS_SOURCE
    for _, row in demo.zones.iterrows():
        share = row["Night-time-economy share"]
        if hasattr(share, "n") and not isinstance(row["This year"], str):
            assert share.n == row["This year"], row["Zone"]
    for _, row in demo.ranked.iterrows():
        share = row.get("Night-time-economy share")
        if hasattr(share, "n") and not isinstance(row["This year"], str):
            assert share.n == row["This year"], row["Hotspot"]

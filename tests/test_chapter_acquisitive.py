"""The personal acquisitive crime chapter: on the demo data its alarms are the planted cycle-theft surge
(2024-W41 to W44) and nothing else, while the autumn rise every year has raises none; on the real 2024
police.uk data alone it runs on months and says what daily and weekly views and a baseline need; the
latest-weeks view prints on its own; nothing published shows a count of 1 to 4."""
import copy

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pipeline.analysis import acquisitive, emerging_trends
from pipeline.chapters import acquisitive as chapter
from pipeline.methods.disclosure import COUNT_COLUMNS, is_small
from pipeline.report import acquisitive_charts
from pipeline.report.latest_weeks import print_latest_weeks
import demo_generator


def planted_weeks() -> set:
    first, last = demo_generator.CYCLE_SURGE_DAYS
    return set(pd.period_range(first, last, freq="W-SUN"))


def test_the_planted_cycle_theft_surge_raises_alarms_in_its_weeks_and_nothing_else_does(demo):
    alarms = demo.family[demo.family["alarm"]]
    assert set(alarms["crime_type"]) == {"Cycle theft"}
    weekly = set(alarms.loc[alarms["resolution"] == "week", "period"])
    planted = planted_weeks()
    assert len(planted) == 4 and len(weekly & planted) >= 3
    assert weekly <= planted | {max(planted) + 1}  # a theft reported up to a day and a half after it happened
    days = alarms.loc[alarms["resolution"] == "day", "start"]
    assert days.between(demo_generator.CYCLE_SURGE_DAYS[0], demo_generator.CYCLE_SURGE_DAYS[1] + pd.Timedelta(days=2)).all()
    months = set(alarms.loc[alarms["resolution"] == "month", "period"].astype(str))
    assert months <= {"2024-10", "2024-11"} and "2024-10" in months


def test_the_autumn_rise_of_every_year_is_seasonality_not_an_alarm(demo_context):
    ctx = demo_context
    rows = acquisitive.priority_records(ctx.table("police_records"), ctx.config)
    end = pd.Period("2024-03", "M")  # 2023/24: the autumn rise of every year, no surge
    family = emerging_trends.year_family(acquisitive.record_series(rows, end), end)
    assert len(family) > 600 and not family["alarm"].any()


def test_seasonality_finds_the_autumn_cycle_theft_peak(demo):
    peaks = demo.peaks.set_index("Type")
    assert "Oct" in peaks.loc["Cycle theft", "Peak months (above an average month, FDR 5%)"]
    index = demo.seasonal[(demo.seasonal["crime_type"] == "Cycle theft") & (demo.seasonal["month"] == 10)].iloc[0]
    assert index["low"] > 1.3 and index["peak"]


def test_series_cover_every_type_at_three_resolutions_from_the_records(demo):
    assert demo.source == "police records"
    assert {(s.crime_type, s.resolution) for s in demo.series} == {
        (t, r) for t in acquisitive.TYPES for r in ("day", "week", "month")}
    weekly = {s.crime_type: s for s in demo.weekly}["Cycle theft"].counts
    assert weekly.index.freqstr == "W-SUN" and weekly.index[-1].end_time.normalize() <= pd.Timestamp("2025-03-31")
    daily = {(s.crime_type, s.resolution): s for s in demo.series}[("Cycle theft", "day")].counts
    assert daily.sum() == {s.crime_type: s for s in demo.monthly}["Cycle theft"].counts.sum()


def test_daily_detection_only_where_counts_allow(demo):
    daily = demo.family[demo.family["resolution"] == "day"]
    assert set(daily["crime_type"]) == {"Cycle theft"}  # the only type averaging 5 or more a day


def test_targets_are_the_plans_five(demo):
    assert demo.targets["Target"].tolist() == ["Robbery", "Vehicle crime", "Theft from the person",
                                               "Burglary (the plan's dwelling burglary)", "Cycle theft"]
    burglary = demo.targets.set_index("Target").loc["Burglary (the plan's dwelling burglary)"]
    assert burglary["Aim"].startswith("an overall reduction") and burglary["Target count"] == burglary["Baseline (data)"] - 1
    assert set(demo.targets["Status"]) <= {"Met", "Missed", "On track", "Off track"}


def _series(name: str, resolution: str, counts: dict) -> acquisitive.Series:
    freq = {"day": "D", "week": "W-SUN", "month": "M"}[resolution]
    return acquisitive.Series(name, resolution, pd.Series(counts, index=pd.PeriodIndex(list(counts), freq=freq)), "test")


def test_one_surge_seen_in_three_views_is_one_episode():
    """A four-week surge planted in a flat daily series: the daily, weekly and monthly views each alarm, and the
    summary counts one episode whose peak is the highest weekly count, not the highest exceedance score."""
    rng = np.random.default_rng(7)
    days = pd.period_range("2019-10-01", "2025-03-31", freq="D")
    daily = pd.Series(rng.poisson(8, len(days)), index=days)
    surge = (days >= pd.Period("2024-10-07", "D")) & (days <= pd.Period("2024-11-03", "D"))
    daily[surge] += rng.poisson(8, surge.sum())
    series = [acquisitive.Series("Cycle theft", "day", daily, "test")]
    for resolution, freq in (("week", "W-SUN"), ("month", "M")):
        grouped = daily.groupby(daily.index.asfreq(freq, how="start") if freq == "M" else
                                daily.index.to_timestamp().to_period(freq)).sum()
        series.append(acquisitive.Series("Cycle theft", resolution, grouped, "test"))
    series[1] = acquisitive.Series("Cycle theft", "week", series[1].counts.iloc[1:-1], "test")  # whole weeks only
    family = emerging_trends.year_family(series, pd.Period("2025-03", "M"))
    alarms = family[family["alarm"]]
    assert set(alarms["resolution"]) == {"day", "week", "month"}
    assert len(alarms) >= 4
    found = emerging_trends.episodes(alarms)
    assert len(found) == 1
    surge_weeks = alarms[alarms["resolution"] == "week"]
    assert found[0].peak_observed == surge_weeks["observed"].max()
    assert found[0].views == ("daily", "weekly", "monthly")
    assert chapter.surge_summary(found).startswith("Cycle theft: one surge, ")


def test_surges_apart_in_time_are_separate_episodes():
    weeks = pd.period_range("2024-04-01", periods=40, freq="W-SUN")
    rows = pd.DataFrame({"crime_type": "Cycle theft", "resolution": "week", "period": weeks[[3, 4, 20]],
                         "label": ["a", "b", "c"], "observed": [30, 40, 35], "expected": [10.0, 10.0, 10.0]})
    found = emerging_trends.episodes(rows)
    assert [e.alarms for e in found] == [2, 1] and found[0].peak_label == "b"
    assert "2 surges" in chapter.surge_summary(found)


def test_findings_are_structured_and_lead_with_the_alarm(demo):
    found = chapter.findings(demo)
    assert found[0].section == "Alarms" and "Cycle theft" in found[0].text and found[0].direction == "up"
    assert found[0].figures["alarms"] >= 4 and found[0].figures["observed"] > found[0].figures["threshold"]
    assert {f.priority for f in found} <= {"acquisitive", "targets"}
    assert any(f.section == "The latest weeks" for f in found) and any(f.section == "Seasonality" for f in found)


def test_knox_runs_on_both_near_repeat_types(demo):
    assert set(demo.knox["Type"]) == set(acquisitive.NEAR_REPEAT_TYPES)
    matrix = acquisitive.knox_matrix(demo.knox, "Cycle theft")
    assert matrix.shape == (5, 5) and matrix.columns[0] == "Distance apart"
    assert demo.repeats.set_index("Type").loc["Cycle theft", "Events in the year"] > 1000


def test_police_uk_alone_runs_on_months_and_says_what_is_needed(real):
    assert real.source == "data.police.uk" and {s.resolution for s in real.series} == {"month"}
    assert real.family.empty and real.alarms.empty and real.latest.empty and real.knox.empty
    note = chapter.series_note(real)
    assert "daily and weekly views need the force's police records" in note
    assert "The data cover 12 months, too few for the detector" in note
    assert "3 years and 1 month for a monthly threshold and 3 years and 3 weeks for a weekly one" in note
    assert "two whole financial years" in note
    chapter.findings(real)  # no crash with nothing to find
    assert acquisitive.knox_matrix(real.knox, "Cycle theft").empty


def test_the_latest_weeks_view_prints_on_its_own(demo_context, real_context, capsys):
    assert print_latest_weeks(demo_context) == 0
    printed = capsys.readouterr().out
    assert "Cycle theft" in printed and "w/c 24 Mar 2025" in printed and "Threshold" in printed
    assert "No alarms: none of the 5 types is above its threshold in the latest 8 weeks." in printed  # the demo's are quiet
    assert print_latest_weeks(real_context) == 0
    assert "need the force's police records" in capsys.readouterr().out


def test_no_published_count_is_from_1_to_4(demo):
    for table in (demo.alarms, demo.latest_view, demo.repeats, demo.knox, demo.targets):
        for column in table.attrs.get(COUNT_COLUMNS, []):
            assert not table[column].map(is_small).any(), column
    assert demo.latest_view["Observed"].astype(str).eq("[c]").any()  # robbery weeks are small


def test_charts_draw(demo):
    for figure in (acquisitive_charts.seasonal_overlay(demo.overlay, demo.current_year),
                   acquisitive_charts.seasonal_index_chart(demo.seasonal),
                   acquisitive_charts.latest_weeks_chart(demo.weekly, demo.latest, demo.family)):
        assert figure is not None
        plt.close(figure)


def test_without_police_records_the_monthly_detector_runs_on_police_uk(demo_context):
    ctx = copy.copy(demo_context)
    ctx.table = lambda name, area_only=False: None if name == "police_records" else demo_context.table(name, area_only)
    result = chapter.build(ctx)
    assert result.source == "data.police.uk" and {s.resolution for s in result.series} == {"month"}
    assert set(result.family["resolution"]) == {"month"} and len(result.family) == 5 * 12
    alarms = result.family[result.family["alarm"]]
    assert set(zip(alarms["crime_type"], alarms["period"].astype(str))) == {("Cycle theft", "2024-10")}
    assert "daily and weekly views need the force's police records" in chapter.series_note(result)
    assert result.latest.empty and result.knox.empty

"""The plan's activity targets: the status rules, reports the configuration does not know, the contract's
checks, and the demo's planted shortfall (publicity features, 9 against 12) reaching the executive summary."""
from datetime import date

import pandas as pd
import pytest

from pipeline.analysis.plan_activity import activity_progress, expected_by
from pipeline.chapters import crime_overview
from pipeline.inputs.config import ActivityTarget
from pipeline.inputs.partner_extracts import CONTRACTS, clean_extract
from pipeline.inputs.sources import read_table
from pipeline.report import summary, summary_rules

chapter = crime_overview  # the module the demo and real fixtures build

EVENTS = ActivityTarget(id="events", name="Events attended", priority="asb", target_year="2024/25", count=12)
PACKAGE = ActivityTarget(id="package", name="Package in place", priority="asb", target_year="2024/25", due=date(2024, 9, 30))


def reports(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["activity", "reported_on", "achieved", "completed_on"]).assign(
        reported_on=lambda f: pd.to_datetime(f["reported_on"]), completed_on=lambda f: pd.to_datetime(f["completed_on"]))


def status(activity, frame, period_end) -> dict:
    return activity_progress((activity,), frame, pd.Period(period_end, "M")).table.iloc[0].to_dict()


def test_expected_by_is_a_straight_line_share_of_the_year():
    assert expected_by(EVENTS, date(2024, 3, 31)) == 0
    assert expected_by(EVENTS, date(2025, 3, 31)) == 12
    assert expected_by(EVENTS, date(2024, 9, 30)) == 6  # 6.02 of them, in whole events
    assert expected_by(EVENTS, date(2024, 12, 31)) == 9


@pytest.mark.parametrize("achieved, period_end, expected", [
    (13, "2025-03", "Met"), (12, "2025-03", "Met"), (11, "2025-03", "Missed"),
    (6, "2024-09", "On track"), (5, "2024-09", "Off track"), (12, "2024-09", "Met")])
def test_count_target_status(achieved, period_end, expected):
    reported = pd.Period(period_end, "M").to_timestamp(how="end").normalize()
    row = status(EVENTS, reports(("events", reported, achieved, None)), period_end)
    assert row["Status"] == expected and row["Achieved"] == achieved


def test_the_latest_report_by_the_assessment_end_counts_and_later_ones_wait():
    frame = reports(("events", "2024-06-30", 3, None), ("events", "2024-12-31", 10, None), ("events", "2025-03-31", 13, None))
    row = status(EVENTS, frame, "2024-12")
    assert row["Achieved"] == 10 and row["Reported on"] == date(2024, 12, 31) and row["Status"] == "On track"
    assert row["Expected by now"] == 9


@pytest.mark.parametrize("completed, period_end, expected", [
    ("2024-08-19", "2025-03", "Met"), ("2024-10-02", "2025-03", "Met late"), (None, "2025-03", "Missed"),
    (None, "2024-06", "Not yet due"), ("2024-10-02", "2024-09", "Not yet due")])
def test_milestone_status(completed, period_end, expected):
    frame = reports(("package", "2024-06-30", None, None), ("package", "2025-03-31", None, completed))
    assert status(PACKAGE, frame, period_end)["Status"] == expected


def test_an_activity_whose_year_has_not_begun_is_not_yet_due():
    assert status(EVENTS, reports(), "2024-03")["Status"] == "Not yet due"


def test_no_file_lists_every_activity_as_not_reported():
    progress = activity_progress((EVENTS, PACKAGE), None, pd.Period("2025-03", "M"), "plan_activity.csv was not supplied")
    assert list(progress.table["Status"]) == ["Not reported", "Not reported"]
    assert progress.unavailable and progress.table["Achieved"].isna().all()


def test_reports_for_unknown_activities_and_without_a_count_are_counted_not_dropped():
    frame = reports(("events", "2024-12-31", None, None), ("evnets", "2024-12-31", 5, None), ("evnets", "2025-01-31", 6, None))
    progress = activity_progress((EVENTS,), frame, pd.Period("2025-03", "M"))
    assert progress.unknown == {"evnets": 2} and progress.unused == 1
    assert progress.table.iloc[0]["Status"] == "Not reported"


def test_contract_rejects_a_count_that_is_not_a_number_naming_the_column(tmp_path):
    path = tmp_path / "plan_activity.csv"
    path.write_text("activity,reported_on,achieved,completed_on\nevents,2024-12-31,twelve,\nevents,31/12/2024,12,\n")
    screen = clean_extract(read_table(path), CONTRACTS["plan_activity"], {}, None, pd.Period("2025-03", "M"), path.name)
    assert len(screen.kept) == 1 and screen.kept.iloc[0]["achieved"] == 12
    assert "column 'achieved': 'twelve' is not a number" in screen.rejects.iloc[0]["reject_reason"]


def test_demo_activity_targets_publicity_missed_the_rest_met(demo):
    findings = [f for f in crime_overview.findings(demo) if f.section == crime_overview.ACTIVITY_SECTION]
    by_name = {f.figures["target"]: f for f in findings}
    assert len(by_name) == 5
    assert by_name["ASB publicity features"].direction == "missed" and by_name["ASB publicity features"].figures["Year to date"] == 9
    assert {f.direction for name, f in by_name.items() if name != "ASB publicity features"} == {"met"}
    assert "in place 19 Aug 2024" in by_name["Improved tenancy support package in place"].text


def test_activity_targets_are_delivery_beside_the_rating_never_its_reason(demo):
    findings = crime_overview.findings(demo)
    rows = {r["measure"] for r in summary.progress_rows(findings)}
    assert "ASB publicity features" not in rows  # the progress table holds outcomes
    delivery = summary_rules.delivery(summary_rules.activities_for(findings, "asb"))
    assert delivery.startswith("2 met, 1 missed") and "ASB publicity features: 9 against 12" in delivery
    assert "publicity" not in summary_rules.rate(findings, "asb").reason


def test_real_data_without_the_file_lists_them_as_not_reported(real):
    table = crime_overview.activity_table(real)
    assert len(table) == 5 and set(table["Status"]) == {"Not reported"}
    assert "not supplied" in crime_overview.activity_notes(real)

"""The executive summary: gathered from the chapters' findings, every number equal to its chapter's, the demo's
planted effects named, priorities rated by the stated rules, recommendations that follow from the findings."""
import html as html_module
import re

import pandas as pd
import pytest

from pipeline import formatting as fmt
from pipeline.analysis import acquisitive as acquisitive_analysis
from pipeline.analysis import overview
from pipeline.chapters import asb, crime_overview
from pipeline.chapters.registry import CHAPTERS, Finding, findings_from_json, findings_json, headline_figures
from pipeline.report import summary


@pytest.fixture(scope="module")
def chapters(demo_context):
    """Each chapter's result and findings on the demo, as the notebooks build them."""
    built = {}
    for chapter in CHAPTERS:
        module = chapter.module()
        result = module.build(demo_context)
        built[chapter.name] = (result, module.findings(result))
    return built


@pytest.fixture(scope="module")
def findings(chapters):
    # Through JSON, as the report reads them from the run's findings folder.
    return [f for name, (_, found) in chapters.items() for f in findings_from_json(findings_json(found))]


@pytest.fixture(scope="module")
def html(findings):
    return summary.executive_summary(findings, "Cambridge", "the year ending March 2025")


def _plain(html_text: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_text)))


def test_each_priority_has_one_headline(findings):
    for priority in summary.RATED:
        assert sum(f.headline and f.priority == priority for f in findings) == 1, priority


def test_headline_numbers_equal_the_chapters_tables(chapters, findings):
    overview_result = chapters["crime_overview"][0]
    table = overview_result.table.set_index("Crime type")
    rows = {r["priority"]: r["headline"].figures for r in summary.priority_rows(findings)}
    assert rows["overall"]["this_year"] == table.loc[overview.ALL_CRIME, "This year"]
    assert rows["overall"]["change"] == table.loc[overview.ALL_CRIME, "Change (offences)"]
    assert rows["violence"]["this_year"] == table.loc["Violence and sexual offences", "This year"]
    acquisitive_types = list(acquisitive_analysis.TYPES.values())
    assert rows["acquisitive"]["this_year"] == table.loc[acquisitive_types, "This year"].sum()
    assert rows["acquisitive"]["last_year"] == table.loc[acquisitive_types, "Last year"].sum()
    area = chapters["asb"][0].wards.iloc[0]
    assert rows["asb"]["this_year"] == area["This year"] and rows["asb"]["change"] == area["Change"]
    domestic = chapters["domestic"][0].districts.set_index("District").loc["Cambridge"]
    assert rows["domestic"]["this_year"] == domestic["Domestic-flagged records"]
    assert rows["reoffending"]["this_year"] == chapters["reoffending"][0].members


def test_every_number_in_the_tables_is_the_chapters(chapters, findings, html):
    """The summary's tables show the chapter's numbers, formatted by the one set of rules."""
    text = _plain(html)
    for row in summary.priority_rows(findings):
        figures = row["headline"].figures
        assert fmt.count(figures["this_year"]) in text
        if figures.get("change") is not None:
            assert fmt.signed_count(figures["change"]) in text and fmt.signed_percent(figures["change_percent"]) in text
    targets = chapters["crime_overview"][0].targets
    progress = {r["measure"]: r for r in summary.progress_rows(findings)}
    for _, target in targets.iterrows():
        assert progress[target["Target"]]["this_year"] == target["Year to date"]
        assert progress[target["Target"]]["status"] == target["Status"]


def test_the_planted_effects_are_named_in_the_summary(html):
    """The demo's eight planted effects (scripts/demo_generator.PLANTED_EFFECTS), each in the summary."""
    text = _plain(html)
    assert re.search(r"odds of an alcohol flag were [\d.]+ times as high for night-time economy", text)  # weekend_night_alcohol
    assert "Mill Road pub cluster: violent offences rose" in text  # pub_cluster_violence
    assert re.search(r"odds of a mental health flag were [\d.]+ times as high for repeat perpetrator", text)  # repeat ASB
    assert "recording of the mental health flag went from" in text  # mental_health_recording
    assert re.search(r"Cycle theft rose beyond its expected level \d+ times .*Oct 2024", text)  # cycle_theft_surge
    assert "cycle theft in Oct, Nov" in text  # cycle_theft_autumn
    assert "A&E assault attendances show a downward trend" in text  # falling_ae_assaults
    assert "ASB publicity features 9 — — — 12 in 2024/25 Missed" in text  # publicity_shortfall (progress table)


def test_ratings_follow_the_stated_rules(findings):
    ratings = {r["priority"]: r["rating"] for r in summary.priority_rows(findings)}
    assert ratings["acquisitive"].label == "Red" and "Vehicle crime" in ratings["acquisitive"].reason  # a missed target
    assert ratings["violence"].label == "Red"
    assert ratings["strategic"].label == "Amber"  # associations, no target
    assert ratings["asb"].label == "Red" and "ASB publicity features" in ratings["asb"].reason  # a missed activity
    assert ratings["domestic"].label == "Green" and "targets were met" in ratings["domestic"].reason  # one year, targets met


def _finding(priority="overall", direction="context", headline=False, **figures):
    return Finding("crime_overview", priority, "text", figures, direction, "Crime by type", headline=headline)


@pytest.mark.parametrize("headline, others, expected", [
    (headline_figures("X", 110, 100, 10, 10.0, "beyond natural variation"), [], "Red"),
    (headline_figures("X", 110, 100, 10, 10.0, "within natural variation"), [], "Amber"),
    (headline_figures("X", 90, 100, -10, -10.0, "beyond natural variation"), [], "Green"),
    (headline_figures("X", 90, 100, -10, -10.0, "within natural variation"), [_finding(direction="up")], "Amber"),
    (headline_figures("X", 90), [], "Not rated"),
    (headline_figures("X", 90), [Finding("crime_overview", "targets", "t", {"target": "T", "plan_priority": "overall"},
                                         "not assessable")], "Not rated"),
    (headline_figures("X", 90), [Finding("crime_overview", "targets", "t", {"target": "T", "plan_priority": "overall"},
                                         "met")], "Green"),
    (headline_figures("X", 90, 100, -10, -10.0, "within natural variation"),
     [Finding("crime_overview", "targets", "t", {"target": "T", "plan_priority": "overall"}, "missed")], "Red"),
])
def test_rating_rules_in_order(headline, others, expected):
    found = [_finding(headline=True, **headline), *others]
    assert summary.rate(found, "overall").label == expected


def test_recommendations_follow_from_the_findings_and_never_ask_to_run_software(findings):
    recommendations = summary.recommendations(findings)
    assert any(r.startswith("**Keep personal acquisitive crime as a priority and act on it**") for r in recommendations)
    assert any("Complete the recording" in r and "mental health flag" in r for r in recommendations)
    assert any(r.startswith("**Data to obtain**") for r in recommendations)
    assert not any(re.search(r"\bscript|\.py\b|run_assessment|pipeline", r) for r in recommendations)
    review = [r for r in recommendations if r.startswith("**Review whether")]
    assert review and all(re.search(r"\*\* \((its|[A-Z][^)]*) ", r) for r in review)  # a whole clause, not '(it its ...'
    assert not any("(it " in r for r in recommendations)


def test_key_findings_are_five_to_ten_and_link_their_sections(findings, html):
    chosen = summary.key_findings(findings)
    assert 5 <= len(chosen) <= 10
    assert all(f.section for group in chosen.values() for f in group)
    assert html.count(summary.LINK_PREFIX) >= sum(len(group) for group in chosen.values())


def test_no_findings_no_summary():
    assert summary.executive_summary([], "Cambridge", "the year") == ""


def test_a_headline_with_a_comparison_needs_a_known_screen():
    with pytest.raises(ValueError, match="unknown screen"):
        headline_figures("X", 1, 2, -1, -50.0, "significant")


def test_changes_since_the_last_assessment(findings):
    assert summary.changes_since(findings, [], "the year ending March 2024") == ""
    same = summary.changes_since(findings, findings, "the year ending March 2024")
    assert "What changed since the last assessment" in same and "the year ending March 2024" in same
    assert same.count(">unchanged<") == len(summary.priority_rows(findings))
    before = [f for f in findings if not (f.priority == "targets" and f.figures.get("plan_priority") == "acquisitive")]
    moved = summary.changes_since(findings, before, "the year ending March 2024")
    assert "Amber to Red" in moved and ">not set<" in moved


def test_targets_are_tallied_by_verdict():
    def target(direction):
        return Finding("crime_overview", "targets", "t", {"target": "T", "plan_priority": "asb"}, direction)
    assert summary.tally([]) == "no target"
    assert summary.tally([target("met"), target("missed"), target("met"), target("not assessable")]) == \
        "2 met, 1 missed, 1 not assessed"
    assert summary.tally([target("on track"), target("off track")]) == "1 on track, 1 off track"

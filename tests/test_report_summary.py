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
from pipeline.report import summary, summary_rules, summary_words


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
    for priority in summary_rules.RATED:
        assert sum(f.headline and f.priority == priority for f in findings) == 1, priority


def test_headline_numbers_equal_the_chapters_tables(chapters, findings):
    overview_result = chapters["crime_overview"][0]
    table = overview_result.table.set_index("Crime type")
    rows = {r["priority"]: r["headline"].figures for r in summary_rules.priority_rows(findings)}
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
    for row in summary_rules.priority_rows(findings):
        figures = row["headline"].figures
        assert fmt.count(figures["this_year"]) in text
        if figures.get("change") is not None:
            assert fmt.signed_count(figures["change"]) in text and fmt.signed_percent(figures["change_percent"]) in text
    targets = chapters["crime_overview"][0].targets
    progress = {r["measure"]: r for r in summary.progress_rows(findings)}
    assert all(row["period"] for row in progress.values())  # every row says the period it counts
    for _, target in targets.iterrows():
        assert progress[target["Target"]]["this_year"] == target["Year to date"]
        assert progress[target["Target"]]["status"] == target["Status"]


def test_the_planted_effects_are_named_in_the_summary(html):
    """The demo's planted effects (scripts/demo_generator.PLANTED_EFFECTS) that a board needs, each in the summary;
    the recording effect and the publicity shortfall as the tables show them."""
    text = _plain(html)
    assert re.search(r"odds of an alcohol flag were [\d.]+ times as high for night-time economy", text)  # weekend_night_alcohol
    assert re.search(r"Cycle theft: one surge, \d\d \w{3} - \d\d \w{3} 2024, seen in the daily, weekly and monthly views", text)
    assert "A&E assault attendances show a downward trend" in text  # falling_ae_assaults
    assert "Police-recorded ASB over 5 years" in text and "still falling" in text
    assert "recording effect: flagged" in text  # mental_health_recording / alcohol recording, not 'no comparison'
    assert "ASB publicity features: 9 against 12 in 2024/25" in text  # publicity_shortfall, as delivery
    assert "Complete the recording" in text and "mental health" in text
    assert "Shoplifting: the share of crimes charged within 3 months fell from" in text  # shoplifting_charge_fall


def test_the_summary_is_short_and_in_plain_words(findings, html):
    chosen = summary_words.key_findings(findings)
    recommendations = summary_words.recommendations(findings)
    assert 1 <= len(chosen) <= summary_words.MAX_KEY_FINDINGS == 6
    assert len(recommendations) <= summary_words.MAX_RECOMMENDATIONS == 8
    assert len(set(recommendations)) == len(recommendations)
    assert sum(r.startswith("**Obtain the data") for r in recommendations) <= 1
    findings_text = _plain(summary.key_findings_html(findings))
    for jargon in ("95% CI", "p 0.", "BH-adjusted", "w/c", "exact Poisson", "q-value"):
        assert jargon not in findings_text, jargon


@pytest.mark.parametrize("text, plain", [
    ("the odds were 3.18 times as high (95% CI 2.48 to 4.07); recorded flags, not a cause.", "the odds were 3.18 times as high."),
    ("Highest ward rate: Market, 52.3 per 1,000 (47.6 to 57.4).", "Highest ward rate: Market, 52.3 per 1,000."),
    ("rose 20% (exact Poisson test, p 0.023) in w/c 07 Oct 2024", "rose 20% in week of 07 Oct 2024"),
    ("fell 5% (40 fewer offences)", "fell 5% (40 fewer offences)"),
])
def test_plain_words_drop_tests_and_intervals_but_keep_the_numbers(text, plain):
    assert summary_words.plain_words(text) == plain


def test_ratings_follow_the_stated_rules(findings):
    ratings = {r["priority"]: r["rating"] for r in summary_rules.priority_rows(findings)}
    assert ratings["acquisitive"].label == "Red" and "Vehicle crime" in ratings["acquisitive"].reason  # a missed target
    assert ratings["violence"].label == "Red"
    assert ratings["strategic"].label == "Amber"  # associations, no target; its flag count's change is a recording effect
    # ASB fell and its trend is down: its missed publicity activity is delivery, not a reason to rate it red
    assert ratings["asb"].label == "Green" and "publicity" not in ratings["asb"].reason
    assert ratings["reoffending"].label == "Not rated" and "comparison group" in ratings["reoffending"].reason
    assert "targets were met" not in ratings["domestic"].reason  # activities (campaigns, training) never rate it


def _finding(priority="overall", direction="context", headline=False, **figures):
    return Finding("crime_overview", priority, "text", figures, direction, "Crime by type", headline=headline)


def _target(direction, activity=False):
    return Finding("crime_overview", "targets", "t", {"target": "T", "plan_priority": "overall", "activity": activity},
                   direction, "Progress against the plan's targets")


RISE_BEYOND = headline_figures("X", 110, 100, 10, 10.0, "beyond natural variation")
RISE_WITHIN = headline_figures("X", 110, 100, 10, 10.0, "within natural variation")
FALL_WITHIN = headline_figures("X", 90, 100, -10, -10.0, "within natural variation")
NO_COMPARISON = headline_figures("X", 90)
RECORDING = headline_figures("X", 110, 100, 10, 10.0, "recording effect")
BEFORE_AFTER = _finding(direction="down", before_after_only=True)
CLOSE_CALL = Finding("crime_overview", "targets", "t", {"target": "T", "plan_priority": "overall", "too_close_to_call": True},
                     "off track", "Progress against the plan's targets")


@pytest.mark.parametrize("headline, others, expected, rule", [
    # each rule where it alone applies
    (FALL_WITHIN, [_target("missed")], "Red", 1),
    (RISE_BEYOND, [], "Red", 2),
    (FALL_WITHIN, [_finding(direction="up")], "Amber", 3),
    (RISE_WITHIN, [], "Amber", 4),
    (NO_COMPARISON, [_finding(direction="association")], "Amber", 6),
    (NO_COMPARISON, [BEFORE_AFTER], "Not rated", 7),
    (FALL_WITHIN, [], "Green", 8),
    (NO_COMPARISON, [_target("met")], "Green", 8),
    (NO_COMPARISON, [], "Not rated", 9),
    (NO_COMPARISON, [_target("not assessable")], "Not rated", 9),
    # two rules apply: the earlier one wins
    (RISE_BEYOND, [_target("off track")], "Red", 1),
    (RISE_WITHIN, [_target("missed")], "Red", 1),
    (RISE_BEYOND, [_finding(direction="up")], "Red", 2),
    (RISE_WITHIN, [_finding(direction="up")], "Amber", 3),
    (FALL_WITHIN, [_finding(direction="association"), _target("met")], "Amber", 6),
    (NO_COMPARISON, [BEFORE_AFTER, _finding(direction="up")], "Amber", 3),
    (FALL_WITHIN, [BEFORE_AFTER], "Green", 8),  # a real comparison rates it; the before/after adds nothing
    (FALL_WITHIN, [CLOSE_CALL], "Amber", 5),  # off track, but the projection's interval holds the target
    (RISE_WITHIN, [CLOSE_CALL], "Amber", 4),
    (FALL_WITHIN, [CLOSE_CALL, _target("missed")], "Red", 1),
    # activities never rate; a recording effect is not a rise
    (FALL_WITHIN, [_target("missed", activity=True)], "Green", 8),
    (NO_COMPARISON, [_target("met", activity=True)], "Not rated", 9),
    (RECORDING, [], "Not rated", 9),
])
def test_rating_rules_in_order(headline, others, expected, rule):
    found = [_finding(headline=True, **headline), *others]
    rating = summary_rules.rate(found, "overall")
    assert rating.label == expected
    first = next(r for r in summary_rules.RATING_RULES if r.applies(summary_rules.evidence(found, "overall")))
    assert summary_rules.RATING_RULES.index(first) + 1 == rule


def test_the_printed_rules_are_the_rules_applied(html):
    text = _plain(html)
    for i, rule in enumerate(summary_rules.RATING_RULES, 1):
        assert f"({i}) {rule.label} when {rule.words}." in text
    assert summary_rules.ACTIVITIES_RULE in text


def test_recommendations_follow_from_the_findings_and_never_ask_to_run_software(findings):
    recommendations = summary_words.recommendations(findings)
    assert any(r.startswith("**Keep personal acquisitive crime as a priority and act on it**") for r in recommendations)
    assert any(r.startswith("**Complete the recording**") and "mental health" in r for r in recommendations)
    assert any(r.startswith("**Obtain the data the partnership lacks**") for r in recommendations)
    assert not any(re.search(r"\bscript|\.py\b|run_assessment|pipeline", r) for r in recommendations)
    assert not any("(it " in r for r in recommendations)


def test_many_red_priorities_merge_into_one_recommendation():
    found = []
    for priority in summary_rules.RATED:
        found += [Finding("crime_overview", priority, "t", headline_figures("X", 110, 100, 10, 10.0, "beyond natural variation"),
                          "up", "Crime by type", headline=True)]
    found += [Finding("strategic_priority", "data", f"Gap {i}: fix it.", {}, "gap", "Gaps in the data") for i in range(3)]
    found += [Finding("strategic_priority", "data", "No cases (asb_cases.csv was not supplied).", {}, "gap", "Gaps"),
              Finding("strategic_priority", "data", "t", {"completeness_after": 0.9}, "gap", "Completeness",
                      summary="Police violence: recording of the alcohol flag went from 60% to 90% of records.")]
    recommendations = summary_words.recommendations(found)
    assert len(recommendations) <= summary_words.MAX_RECOMMENDATIONS
    assert recommendations[0].startswith("**Keep crime and disorder overall") and "as priorities and act on them" in recommendations[0]
    lacking = [r for r in recommendations if r.startswith("**Obtain")]
    assert len(lacking) == 1 and "asb_cases.csv" in lacking[0] and "gap 2" in lacking[0]


def test_key_findings_link_their_sections(findings, html):
    chosen = summary_words.key_findings(findings)
    assert all(f.section for f in chosen)
    assert len({f.priority for f in chosen}) == len(chosen)  # one per priority
    assert html.count(summary.LINK_PREFIX) >= len(chosen)


def test_no_findings_no_summary():
    assert summary.executive_summary([], "Cambridge", "the year") == ""


def test_a_headline_with_a_comparison_needs_a_known_screen():
    with pytest.raises(ValueError, match="unknown screen"):
        headline_figures("X", 1, 2, -1, -50.0, "significant")


def test_changes_since_the_last_assessment(findings):
    assert summary.changes_since(findings, [], "the year ending March 2024") == ""
    same = summary.changes_since(findings, findings, "the year ending March 2024")
    assert "What changed since the last assessment" in same and "the year ending March 2024" in same
    assert same.count(">unchanged<") == len(summary_rules.priority_rows(findings))
    before = [f for f in findings if not (f.priority == "targets" and f.figures.get("plan_priority") == "acquisitive")]
    moved = summary.changes_since(findings, before, "the year ending March 2024")
    assert "Amber to Red" in moved and ">not set<" in moved


def test_targets_are_tallied_by_verdict():
    def target(direction):
        return Finding("crime_overview", "targets", "t", {"target": "T", "plan_priority": "asb"}, direction)
    assert summary_rules.tally([]) == "no target"
    assert summary_rules.tally([target("met"), target("missed"), target("met"), target("not assessable")]) == \
        "2 met, 1 missed, 1 not assessed"
    assert summary_rules.tally([target("on track"), target("off track")]) == "1 on track, 1 off track"


def test_a_headline_carries_its_yearly_counts_and_the_summary_draws_them_with_the_baseline_marked(chapters, findings, html):
    from pipeline.chapters.registry import series_of

    annual = chapters["crime_overview"][0].annual
    overall = next(f for f in findings if f.headline and f.priority == "overall")
    assert series_of(overall.figures) == list(zip(annual.columns, annual.loc[overview.ALL_CRIME].tolist()))
    assert series_of(overall.figures)[-1][1] == overall.figures["this_year"]
    assert summary.financial_year("Apr 2023 - Mar 2024") == "2023/24" and summary.financial_year("Jan 2024 - Dec 2024") is None
    line = summary.sparkline({"measure": "X", "series": "Apr 2022 - Mar 2023=50|Apr 2023 - Mar 2024=100"}, "2023/24")
    assert line.count("spark-bar") == 2 and line.count("spark-base") == 1 and 'height:50%' in line
    assert "the plan's baseline year 2023/24 is the dark bar" in html_module.unescape(line)
    assert summary.sparkline({"measure": "X"}, None) == ""
    assert html.count('class="sparkline"') >= 4  # overall, acquisitive, violence and ASB

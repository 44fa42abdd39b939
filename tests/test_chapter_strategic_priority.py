"""The strategic-priority chapter: built on the demo data it finds the planted effect and keeps the null
pairing null, adjusts every test, and its findings quote only its published tables; under papermill it
runs when an extract is missing and a flag is always empty, and says so."""
import re

import numpy as np
import pytest

from pipeline import runner
from pipeline.chapters import strategic_priority as strategic_chapter
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding
from pipeline.paths import RAW_DIR
from pipeline.report.display import table_html
import demo_generator
from trust_helpers import demo_raw_copy


@pytest.fixture(scope="module")
def demo_chapter(demo_ingest):
    config, result = demo_ingest
    context = ChapterContext(config, result.period_end, RAW_DIR, result.processed_dir.parent.parent)
    return strategic_chapter.build(context)


def odds_ratio_of(chapter, question):
    test = next(t for t in chapter.tests if t.question == question)
    return test.odds_ratio


def test_planted_effect_found_and_a_null_pairing_stays_null(demo_chapter):
    ratio, low, high = odds_ratio_of(demo_chapter, "ASB: mental health flag, repeat perpetrator against single-case perpetrator")
    assert low > 1 and ratio > 2
    ratio, low, high = odds_ratio_of(demo_chapter, "ASB: alcohol flag, vulnerable victim against other victim")
    assert low < 1 < high


def test_every_test_is_adjusted_for_the_false_discovery_rate(demo_chapter):
    tested = [t for t in demo_chapter.tests if t.test != "not testable"]
    assert len(demo_chapter.association_table) == len(tested) >= 60
    p = np.array([t.p_value for t in tested])
    q = np.array([t.p_adjusted for t in tested])
    assert (q >= p - 1e-12).all() and not np.isnan(q).any()
    assert all(np.isnan(t.p_adjusted) for t in demo_chapter.tests if t.test == "not testable")


def test_questions_with_too_few_records_are_listed_with_their_counts(demo_chapter):
    untestable = demo_chapter.untestable_table
    assert len(untestable) == sum(t.test == "not testable" for t in demo_chapter.tests) > 0
    assert untestable["Question"].str.contains("under 18|victim against suspect").all()
    assert untestable["Question"].str.contains("victim against suspect").sum() == 4


def test_every_number_in_the_findings_appears_in_the_chapters_tables(demo_chapter):
    findings = strategic_chapter.findings(demo_chapter)
    assert all(isinstance(f, Finding) and f.chapter == "strategic_priority" for f in findings)
    text = " ".join(f.text for f in findings)
    tables = " ".join(table_html(t) for t in demo_chapter.displayed_tables())
    numbers = set(re.findall(r"\d(?:[\d,]*\d)?(?:\.\d+)?", text))
    missing = [n for n in numbers if n not in tables and n not in demo_chapter.current_year]
    assert not missing, missing
    assert "not diagnoses" in text


def test_client_groups_include_the_linked_iom_cohort(demo_chapter):
    groups = demo_chapter.client_groups.set_index("Client group")
    assert {"Street-life community", "Young people", "Domestic abuse perpetrators", "IOM cohort"} <= set(groups.index)
    assert "found as suspects" in groups.loc["IOM cohort", "Note"]


def test_under_recording_index_and_proxy_measure(demo_chapter):
    assert len(demo_chapter.under_recording) == 5 and len(demo_chapter.alcohol_measures) == 5
    assert demo_chapter.under_recording["Under-recording index"].str.match(r"\d+\.\d\d \(\d+\.\d\d to \d+\.\d\d\)").all()


def test_the_generators_partnership_is_read_as_planted(demo_chapter):
    """The demo partnership (scripts/demo_generator.py) plants a mental-health recording change, alcohol-flagged
    violence confined to weekend nights with a known odds ratio, and misses its A&E target."""
    reading = demo_chapter.recording.set_index(["Source", "Flag"]).loc[("police violence", "Mental health")]
    assert reading["Reading"].startswith("recording effect") and reading["Completeness change (points)"] > 50
    nte = next(t for t in demo_chapter.tests if t.question == "Violence: alcohol flag, night-time economy against other times")
    ratio, low, high = nte.odds_ratio
    assert low <= demo_generator.WEEKEND_NIGHT_ALCOHOL_OR <= high and nte.p_adjusted < 0.05
    findings = strategic_chapter.findings(demo_chapter)
    assert any("mental health flag" in f.text and "recording effect" in f.text for f in findings)


def test_findings_carry_their_figures_as_numbers(demo_chapter):
    findings = strategic_chapter.findings(demo_chapter)
    planted = next(f for f in findings if "mental health flag, repeat perpetrator" in f.text)
    assert planted.figures["odds_ratio"] > 2 and planted.figures["odds_ratio_low"] > 1
    assert all(isinstance(v, (int, float)) or (k in {"measure", "gap", "period", "comparison"} and isinstance(v, str))
               for f in findings for k, v in f.figures.items())


def blank_mental_health(frame):
    frame["mental_health_flag"] = ""
    return frame


def test_chapter_runs_with_an_extract_missing_and_a_flag_empty(tmp_path):
    raw, config = demo_raw_copy(tmp_path / "raw", "gaps", {"police_records": blank_mental_health, "asb_cases": None})
    code = runner.main(["--config", str(config), "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out"),
                        "--processed-dir", str(tmp_path / "processed"), "--only", "strategic_priority"])
    assert code == 0
    html = (tmp_path / "out" / "2025-03-gaps-only-strategic_priority" / "report.html").read_text()
    assert "asb_cases.csv was not supplied" in html
    assert "Source not supplied" in html and "Field always empty" in html
    assert "&#x27;mental_health_flag&#x27; is empty in every row" in html or "'mental_health_flag' is empty in every row" in html
    assert "Mental health flag recorded on 0.0%" in html
    assert "Strategic priority: mental health, alcohol and drugs" in html


def test_only_its_own_sources_are_listed_as_not_available(real_context):
    from pipeline.chapters import strategic_priority
    result = strategic_priority.build(real_context)
    assert "plan_activity" not in result.unavailable and "police_records" in result.unavailable
    assert all(gap["Source"] != "plan_activity.csv" for _, gap in result.gaps.iterrows())

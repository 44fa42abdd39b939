"""The outcomes chapter: on the real 2024 files every crime of Cambridge's year is in the table once, by its latest
outcome, with no count from 1 to 4 shown or recoverable from a type's total; with one year of data it says the
charge share cannot be compared; on the demo it finds the planted fall in shoplifting charges and no other; on data
without outcomes files it says so as a gap, never as zeros."""
import copy
import sys

import pytest

from pipeline.analysis import outcomes as analysis
from pipeline.chapters import outcomes as chapter
from pipeline.methods.disclosure import SUPPRESSED
from pipeline.methods.values import Proportion
from pipeline.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
from demo_outcomes import PLANTED_CHARGE_FALL  # noqa: E402


def test_the_real_year_is_shared_out_by_latest_outcome_without_small_counts(real):
    table = chapter.shares_table(real)
    assert real.crimes > 10_000 and not real.missing
    groups = [f"{g} (%)" for g in analysis.GROUPS]
    for _, row in table.iterrows():
        cells = [row.get(g, 0) for g in groups]
        shown = [c for c in cells if isinstance(c, Proportion)]
        assert all(c.n == row["Crimes"] for c in shown) and "Other (%)" not in table
        assert not any(1 <= c.k <= 4 for c in shown)
        hidden = sum(c == SUPPRESSED for c in cells)
        assert hidden != 1  # one hidden share would be the type's total less the others
        if hidden == 0:
            assert sum(c.k for c in shown) == row["Crimes"]
    assert sum(table["Crimes"]) == real.crimes


def test_with_one_year_the_charge_share_is_not_compared(real):
    assert chapter.charged_table(real).empty and "no year before this one" in real.comparison_note
    texts = [f.text for f in chapter.findings(real)]
    assert any(t.startswith(f"Of {real.crimes:,} crimes in Jan 2024 - Dec 2024") for t in texts)


@pytest.fixture(scope="module")
def demo(demo_context):
    return chapter.build(demo_context)


def test_the_demo_finds_the_planted_fall_in_shoplifting_charges_and_no_other(demo):
    changes = demo.charged_change
    found = changes[changes["beyond_chance"]]
    assert list(found["crime_type"]) == [PLANTED_CHARGE_FALL["crime_type"]]
    row = found.iloc[0]
    planted = -100 * row["last_year"] / row["last_year_of"] * (1 - PLANTED_CHARGE_FALL["kept"])
    assert row["low"] <= planted <= row["high"] < 0
    texts = [f.text for f in chapter.findings(demo) if f.direction == "down"]
    assert len(texts) == 1 and texts[0].startswith("Shoplifting: the share charged within 3 months")


def test_without_outcomes_files_the_chapter_reports_a_gap(demo_context):
    context = copy.copy(demo_context)
    context.table = lambda name, area_only=False: None if name == "outcomes" else demo_context.table(name, area_only)
    result = chapter.build(context)
    assert result.missing and result.shares is None and chapter.shares_table(result).empty
    (finding,) = chapter.findings(result)
    assert finding.direction == "gap" and "cannot be reported" in finding.text


def test_crimes_with_no_outcome_yet_by_month_show_no_count_from_1_to_4_nor_one_recoverable(demo):
    table = chapter.pending_table(demo)
    counts = table.set_index("Month")["No outcome yet"]
    assert counts["All months"] == demo.no_outcome_by_month["No outcome yet"].sum()
    shown = [c for c in counts.drop("All months") if c != SUPPRESSED]
    assert not any(1 <= c <= 4 for c in shown) and (counts == SUPPRESSED).sum() != 1

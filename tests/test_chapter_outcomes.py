"""The outcomes chapter: on the real 2024 files every crime of Cambridge's year is in the table once, by its latest
outcome, with no count from 1 to 4 shown or recoverable from a type's total; with one year of data it says the
charge share cannot be compared; on data without outcomes files it says so as a gap, never as zeros."""
import pytest

from pipeline.analysis import outcomes as analysis
from pipeline.chapters import outcomes as chapter
from pipeline.methods.disclosure import SUPPRESSED
from pipeline.methods.values import Proportion


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


def test_without_outcomes_files_the_chapter_reports_a_gap(demo):
    assert demo.missing and demo.shares is None and chapter.shares_table(demo).empty
    (finding,) = chapter.findings(demo)
    assert finding.direction == "gap" and "cannot be reported" in finding.text

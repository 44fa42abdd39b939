"""Suppression that survives subtraction (issue 25, item 4): a 'k of n' cell hidden because it reveals a count
from 1 to 4 cannot be worked out from the total row and the other groups of the same split. The scan recomputes
every hidden cell it can, from the total less each run of rows beneath it, and compares with the true counts."""
import pandas as pd
import pytest

from pipeline.analysis import flags
from pipeline.methods.disclosure import SUPPRESSED
from pipeline.methods.values import Proportion

MEASURES = list(flags.FLAGS.values())


def long_table(groups: dict[str, tuple[str, int, int]], year: str = "2024/25") -> pd.DataFrame:
    """A prevalence table (flags.prevalence's shape): every measure of a group with the same k of n."""
    rows = [(group, year, measure, k, n, partition) for group, (partition, k, n) in groups.items() for measure in MEASURES]
    return pd.DataFrame(rows, columns=["Group", "Year", "Measure", "Flagged", "Recorded", "Partition"])


def truth(table: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int]]:
    return {(g, m): (int(k), int(n)) for g, m, k, n in table[["Group", "Measure", "Flagged", "Recorded"]].itertuples(index=False)}


def recovered(published: pd.DataFrame, true: dict, total_label: str) -> list[str]:
    """Every hidden cell that the total row less a run of consecutive rows beneath it gives back exactly."""
    found = []
    labels = published["Group"].tolist()
    totals = [i for i, label in enumerate(labels) if label == total_label]
    for column in [c for c in published.columns if c in MEASURES]:
        cells = published[column].tolist()
        for t in totals:
            others = [i for i in range(len(labels)) if i != t]
            for start in range(len(others)):
                for end in range(start + 1, len(others) + 1):
                    block = others[start:end]
                    hidden = [i for i in block if cells[i] == SUPPRESSED]
                    if len(hidden) != 1 or cells[t] == SUPPRESSED:
                        continue
                    k = cells[t].k - sum(cells[i].k for i in block if i != hidden[0])
                    n = cells[t].n - sum(cells[i].n for i in block if i != hidden[0])
                    if (k, n) == true[(labels[hidden[0]], column)]:
                        found.append(f"{labels[hidden[0]]} / {column} = {k} of {n}")
    return found


CASES = {
    "one small group": {"All": ("total", 50, 100), "A": ("offence", 2, 10), "B": ("offence", 20, 40),
                        "C": ("offence", 28, 50)},
    "two splits of one total": {"All": ("total", 60, 120), "police": ("source", 3, 20), "council": ("source", 57, 100),
                                "personal": ("category", 30, 60), "nuisance": ("category", 30, 60)},
    "the small group is the largest n": {"All": ("total", 40, 400), "A": ("offence", 1, 300), "B": ("offence", 39, 100)},
}


@pytest.mark.parametrize("name", CASES)
def test_no_hidden_share_can_be_recovered_from_its_total(name):
    table = long_table({group: values for group, values in CASES[name].items()})
    published = flags.prevalence_display(table, "2024/25")
    assert (published[MEASURES] == SUPPRESSED).to_numpy().sum() >= 2 * len(MEASURES)
    assert recovered(published, truth(table), "All") == []


def test_a_split_without_a_small_group_is_left_whole():
    table = long_table(CASES["two splits of one total"])
    published = flags.prevalence_display(table, "2024/25").set_index("Group")
    assert not (published.loc[["personal", "nuisance"], MEASURES] == SUPPRESSED).to_numpy().any()


def test_the_scan_finds_what_primary_suppression_alone_leaves(monkeypatch):
    """Negative control: without the complementary suppression the scan recovers the hidden cell exactly."""
    from pipeline.methods import disclosure

    monkeypatch.setattr(disclosure, "_complement_shares",
                        lambda frame, groups: frame.map(lambda v: hasattr(v, "revealed_counts") and disclosure.is_small(v)))
    table = long_table(CASES["one small group"])
    assert recovered(flags.prevalence_display(table, "2024/25"), truth(table), "All")


def test_the_demo_strategic_tables_hide_nothing_recoverable(demo_context):
    from pipeline.chapters import strategic_priority

    chapter = strategic_priority.build(demo_context)
    for long, total in ((chapter.violence_prevalence, "All violence"), (chapter.asb_prevalence, "All ASB cases")):
        current = long[long["Year"] == chapter.current_year]
        assert recovered(flags.prevalence_display(long, chapter.current_year), truth(current), total) == []


def test_cells_are_still_share_objects_where_shown():
    table = long_table(CASES["one small group"])
    published = flags.prevalence_display(table, "2024/25")
    shown = [v for v in published[MEASURES].to_numpy().ravel() if v != SUPPRESSED]
    assert shown and all(isinstance(v, Proportion) for v in shown)


# ---------------------------------------------------------------- the generic scan of published CSVs
from disclosure_scan import scan_table  # noqa: E402


def test_the_generic_scan_recovers_a_count_hidden_alone_under_a_total():
    header = ["Group", "Crimes", "Share"]
    rows = [["All violence", "120", "30.0%, 36 of 120"], ["Pub", "[c]", "[c]"], ["Street", "117", "28.2%, 33 of 117"]]
    assert scan_table(header, rows, "t") == ["t: 'Pub' / 'Crimes' (count) = 3, from 'All violence' less rows 2-3",
                                             "t: 'Pub' / 'Share' (k) = 3, from 'All violence' less rows 2-3",
                                             "t: 'Pub' / 'Share' (n) = 3, from 'All violence' less rows 2-3"]


def test_the_generic_scan_recovers_a_count_hidden_alone_beside_a_row_total():
    header = ["Flag", "Records", "Y", "N", "Not recorded"]
    assert scan_table(header, [["Alcohol", "50", "[c]", "30", "18"]], "t")
    assert scan_table(header, [["Alcohol", "50", "[c]", "[c]", "18"]], "t") == []


@pytest.mark.slow
def test_no_published_table_of_the_demo_hides_a_count_that_subtraction_recovers(demo_run):
    from disclosure_scan import scan_folder

    code, folder, _, _ = demo_run
    assert code == 0
    assert scan_folder(folder / "tables") == []

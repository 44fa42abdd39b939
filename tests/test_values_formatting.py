"""The one formatting system and the value cells: the rules written down (counts with separators, percents
and rates to 1 decimal place, ratios to 2, p-values to 2 significant figures or <0.001)."""
import math

import pandas as pd
import pytest

from pipeline import formatting as fmt
from pipeline.methods.disclosure import SUPPRESSED, is_small, protect
from pipeline.methods.values import Estimate, Interval, Proportion, Span


@pytest.mark.parametrize("value,kind,shown", [
    (12345, "count", "12,345"), (12345.4, "count", "12,345"), (-19, "signed_count", "-19"), (129, "signed_count", "+129"),
    (0, "signed_count", "0"), (15.44, "percent", "15.4"), (87.84, "rate", "87.8"), (1.9449, "ratio", "1.94"),
    (0.0229, "p", "0.023"), (0.12, "p", "0.12"), (0.0004, "p", "<0.001"), (0.999, "p", "1.0"), (1.0, "p", "1.0"),
    (7.94, "signed_percent", "+7.9%"), (None, "count", "—"), (math.nan, "rate", "—"), (math.inf, "ratio", "∞"),
])
def test_numbers_by_kind(value, kind, shown):
    assert fmt.number(value, kind) == shown


@pytest.mark.parametrize("column,value,kind", [
    ("This year", 5, "count"), ("Change (offences)", -3, "signed_count"), ("Change (%)", 1.5, "signed_percent"),
    ("Share of all crime (%)", 4.0, "percent"), ("p-value", 0.2, "p"), ("BH-adjusted p", 0.2, "p"),
    ("Odds ratio", 2.0, "ratio"), ("Rate per 1,000", 3.0, "rate"), ("Something", 3.0, "number"),
])
def test_the_kind_of_a_column_comes_from_its_name(column, value, kind):
    assert fmt.kind_of_column(column, value) == kind


def test_words_for_changes_and_trends():
    assert fmt.describe_change(-84, -11.86) == "Down 11.9% (84 fewer offences)"
    assert fmt.describe_change(3, math.nan) == "Up 3 offences (none the year before)"
    assert [fmt.volume_band(s) for s in (10, 9.9, 3, 2.9)] == ["High volume", "Medium volume", "Medium volume", "Low volume"]


def test_value_cells_show_their_numbers_and_reveal_their_counts():
    share = Proportion(50, 200)
    assert share.share == 25.0 and share.brief() == "25.0% (50 of 200)" and share.revealed_counts() == (50, 150, 200)
    assert not share.too_few and Proportion(3, 9).too_few and math.isnan(Proportion(0, 0).share)
    assert str(Estimate(1.944, 1.871, 2.013)) == "1.94 (1.87 to 2.01)" and str(Estimate(math.nan, 1, 2)) == "—"
    assert str(Estimate(-6.04, -7.51, -4.56, "percent")) == "-6.0% (-7.5% to -4.6%)"
    assert str(Interval(86.32, 89.37)) == "86.3 to 89.4" and str(Interval(880.2, 1011.7, "count")) == "880 to 1,012"
    assert str(Span(1628, 1757)) == "1,628 to 1,757" and Span(1628, 1757).revealed_counts() == (1628, 1757)
    assert str(Span(29.94, 57.06, "percent")) == "29.9% to 57.1%" and Span(29.9, 57.1, "percent").revealed_counts() == ()


def test_cells_revealing_a_small_count_are_suppressed_wherever_they_stand():
    assert is_small(Proportion(4, 100)) and is_small(Proportion(96, 100)) and not is_small(Proportion(5, 100))
    assert is_small(Span(3, 100)) and not is_small(Estimate(1.0, 0.5, 2.0)) and not is_small("4")
    frame = pd.DataFrame({"label": ["a", "b"], "share": [Proportion(2, 50), Proportion(20, 50)]})
    assert protect(frame, [])["share"].tolist() == [SUPPRESSED, Proportion(20, 50)]


def test_a_split_table_repeats_every_column_that_names_a_row():
    import pandas as pd

    from pipeline.report.display import identifying_columns, split_columns

    frame = pd.DataFrame({"Type": ["Cycle theft"] * 3, "View": ["Daily", "Weekly", "Weekly"],
                          "Period": ["01 Oct", "w/c 07 Oct", "w/c 14 Oct"], **{f"c{i}": range(3) for i in range(9)}})
    assert identifying_columns(frame) == ["Type", "View", "Period"]
    parts = split_columns(frame)
    assert len(parts) > 1 and all(list(p.columns[:3]) == ["Type", "View", "Period"] for p in parts)
    assert all(len(p.columns) <= 8 for p in parts)
    assert sorted({c for p in parts for c in p.columns}) == sorted(frame.columns)
    unique = frame.assign(Type=["a", "b", "c"])
    assert identifying_columns(unique) == ["Type"]  # a first column that names each row is enough
    ranked = pd.DataFrame({"Rank": [1, 2], "Hotspot": ["a", "b"], **{f"c{i}": range(2) for i in range(9)}})
    assert identifying_columns(ranked) == ["Rank", "Hotspot"]  # a rank alone does not say which place


def test_csv_names_end_at_a_word():
    from pipeline.report.display import csv_name

    name = csv_name(3, "Alarms in the assessment year with the partner extracts not supplied around them")
    assert name.startswith("03_") and name.endswith(".csv") and len(name) <= 67
    stem = name[3:-4]
    assert "Alarms in the assessment year with the partner extracts not supplied around them".lower().replace(" ", "-").startswith(stem)
    assert not stem.endswith("-") and "alarms-in-the-assessment-year-with-the-partner-extracts-not" == stem
    assert csv_name(1, "") == "01_table.csv"


def test_a_clause_becomes_a_sentence():
    from pipeline import formatting as fmt

    assert fmt.sentence("the trend cannot be read") == "The trend cannot be read."
    assert fmt.sentence("Already one.") == "Already one." and fmt.sentence("") == ""


def test_a_long_table_shows_the_rows_that_matter_and_names_the_csv_with_them_all(tmp_path):
    import pandas as pd

    from pipeline.report import display

    frame = pd.DataFrame({"Question": [f"q{i}" for i in range(40)], "Beyond": ["yes" if i % 10 == 0 else "no" for i in range(40)]})
    shown, note = display._key_rows(frame, frame["Beyond"] == "yes", "those beyond chance", tmp_path / "08_x.csv")
    assert list(shown["Question"]) == ["q0", "q10", "q20", "q30"]
    assert "4 of 40 rows, those beyond chance" in note and "08_x.csv" in note
    shown, note = display._key_rows(frame, None, "", None)
    assert len(shown) == display.LONG_TABLE and "the first 25" in note


def test_a_dash_in_a_numeric_cell_has_a_note():
    import pandas as pd

    from pipeline.report import display

    assert display._has_missing(pd.DataFrame({"Change": [1.0, None]}))
    assert not display._has_missing(pd.DataFrame({"Change": [1.0, 2.0], "Text": ["a", "—"]}))

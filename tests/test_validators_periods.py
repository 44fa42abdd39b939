import pandas as pd
import pytest

from pipeline.methods.periods import assessment_period, financial_year, year_ending_label
from pipeline.errors import InputDataError
from pipeline.inputs.validators import RowScreen, require_columns, require_rows


def test_require_columns_names_missing_and_suggests_renames():
    frame = pd.DataFrame(columns=["record_id", "reportedat"])
    with pytest.raises(InputDataError) as error:
        require_columns(frame, ["record_id", "reported_at", "crime_type"], "police_records.csv")
    message = str(error.value)
    assert "police_records.csv" in message and "'reported_at' (found 'reportedat'" in message and "'crime_type'" in message
    assert require_columns(frame.assign(reported_at=1, crime_type=2), ["reported_at"], "x") is not None


def test_require_rows():
    with pytest.raises(InputDataError, match="no data rows"):
        require_rows(pd.DataFrame(columns=["a"]), "x.csv")


def test_row_screen_keeps_every_row_somewhere():
    frame = pd.DataFrame({"source_file": "f", "source_row": [2, 3, 4, 5], "value": ["1", "x", "3", "y"]})
    screen = RowScreen(frame, "test")
    screen.reject(frame["value"] == "x", "no_x", "value is x")
    asked = []  # a reason is built for the failing rows only
    screen.reject(frame["value"] == "y", "no_y", lambda rows: asked.append(list(rows)) or "value " + frame["value"][rows])
    assert asked == [[3]]
    assert screen.summary() == {"source": "test", "rows_in": 4, "rows_kept": 2, "rows_rejected": 2}
    rejects = screen.rejects
    assert rejects["reject_rule"].tolist() == ["no_x", "no_y"] and rejects["reject_reason"].tolist() == ["value is x", "value y"]
    assert rejects["source_row"].tolist() == [3, 5]


def test_financial_years_and_periods():
    months = pd.Series(pd.PeriodIndex(["2024-03", "2024-04", "2025-03", "2023-04", "2025-05"], freq="M"))
    assert financial_year(months).tolist() == ["2023/24", "2024/25", "2024/25", "2023/24", "2025/26"]
    roles = assessment_period(months, pd.Period("2025-03", "M"))
    assert roles["assessment_period"].tolist() == ["previous", "current", "current", "previous", "after period end"]
    assert roles["year_ending"].iloc[1] == "Apr 2024 - Mar 2025"
    assert year_ending_label(pd.Period("2024-12", "M")) == "Jan 2024 - Dec 2024"


def test_require_columns_message_in_full_and_aliases():
    frame = pd.DataFrame(columns=["source_file", "source_row", "Crime Type", "xyz"])
    with pytest.raises(InputDataError) as error:
        require_columns(frame, ["Crime type", "Month"], "f.csv")
    assert str(error.value) == ("f.csv: required column(s) missing: 'Crime type' (found 'Crime Type': rename it?), 'Month'. "
                                "How to fix: the header row must use the column names of the data contract.")
    renamed = require_columns(pd.DataFrame(columns=["LSOA", "Month"]), ["LSOA code"], "x", aliases={"LSOA": "LSOA code"})
    assert list(renamed.columns) == ["LSOA code", "Month"]
    both = pd.DataFrame(columns=["LSOA", "LSOA code"])
    assert list(require_columns(both, ["LSOA code"], "x", aliases={"LSOA": "LSOA code"}).columns) == ["LSOA", "LSOA code"]
    assert list(require_columns(pd.DataFrame(columns=["a"]), ["a"], "x", aliases={"b": "a"}).columns) == ["a"]


def test_require_rows_message_in_full():
    with pytest.raises(InputDataError) as error:
        require_rows(pd.DataFrame(columns=["a"]), "x.csv")
    assert str(error.value) == ("x.csv: the file has a header row but no data rows. How to fix: re-export the extract "
                                "for the assessment period, or remove the file.")
    assert require_rows(pd.DataFrame({"a": [1]}), "x.csv").shape == (1, 1)


def test_rejects_carry_source_rule_and_reason_first_and_notes_are_summarised():
    from pipeline.inputs.validators import reject_broken_rows

    frame = pd.DataFrame({"source_file": "f", "source_row": [2, 3, 4], "source_extra_fields": [0, -2, 3], "v": ["a", "b", "c"]})
    screen = reject_broken_rows(RowScreen(frame, "src"))
    rejects = screen.rejects
    assert list(rejects.columns[:3]) == ["reject_source", "reject_rule", "reject_reason"]
    assert rejects["reject_source"].tolist() == ["src", "src"] and rejects["reject_rule"].tolist() == ["field_count"] * 2
    assert rejects["reject_reason"].tolist() == [
        "the row has 2 fewer fields than the header (a truncated line or a stray delimiter)",
        "the row has 3 more fields than the header (a truncated line or a stray delimiter)"]
    assert screen.kept["v"].tolist() == ["a"] and screen.notes == []
    screen.notes += ["first", "second"]
    assert screen.summary() == {"source": "src", "rows_in": 3, "rows_kept": 1, "rows_rejected": 2, "note": "first; second"}
    # A check over a subset of rows leaves the others kept (missing entries are not failures).
    screen.reject(pd.Series([True], index=[0]), "rule", lambda rows: pd.Series(["why"], index=rows))
    # Rejects come out in file order whichever check found them.
    assert screen.kept.empty and screen.rejects["source_row"].tolist() == [2, 3, 4]
    assert screen.rejects["reject_reason"].iloc[0] == "why"
    assert reject_broken_rows(RowScreen(pd.DataFrame({"v": [1]}), "s")).summary()["rows_kept"] == 1


def test_periods_for_missing_and_far_months():
    months = pd.Series(pd.PeriodIndex(["2019-04", None, "2024-01"], freq="M"))
    assert financial_year(months).tolist() == ["2019/20", "", "2023/24"]
    roles = assessment_period(months, pd.Period("2025-03", "M"))
    assert roles["years_back"].iloc[0] == 5 and roles["assessment_period"].iloc[0] == "earlier"
    assert roles["year_ending"].iloc[0] == "Apr 2019 - Mar 2020" and pd.isna(roles["years_back"].iloc[1])


def test_shares_group_by_assessment_year_and_name_a_part_year():
    """With the period ending in December, a year's rows are the twelve months to December (not a financial year to
    date), labelled as the report labels them; a year the data cover in part says how many months it has."""
    from pipeline.methods.periods import assessment_period, by_assessment_year

    months = pd.Series([str(m) for m in pd.period_range("2023-06", "2024-12", freq="M")])
    frame = pd.concat([months.rename("month"), assessment_period(pd.PeriodIndex(months, freq="M").to_series().reset_index(drop=True),
                                                                 pd.Period("2024-12", "M"))], axis=1)
    years = by_assessment_year(frame)
    assert [label for label, _ in years] == [f"{frame.loc[frame['years_back'] == 1, 'year_ending'].iloc[0]} (7 months)",
                                             frame.loc[frame["years_back"] == 0, "year_ending"].iloc[0]]
    assert [len(rows) for _, rows in years] == [7, 12]
    assert years[-1][1]["month"].tolist()[0] == "2024-01"

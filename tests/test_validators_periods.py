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
    screen.reject(frame["value"] == "y", "no_y", pd.Series("value " + frame["value"], index=frame.index))
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

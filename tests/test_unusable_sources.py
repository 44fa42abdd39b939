"""A source whose rows are mostly rejected is never reported as zeros or empty fields: ingest leaves its
table out and records why, and every chapter that would use it says it was unusable. Dates written as Excel
serial numbers are read and said in the data-quality notes."""
import pandas as pd
import pytest

from pipeline.chapters import crime_overview, data_quality, strategic_priority
from pipeline.chapters.context import ChapterContext
from pipeline.inputs.config import load_config
from pipeline.stages.ingest import run_ingest
from trust_helpers import demo_raw_copy


def spoil_dates(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[frame.index[: int(len(frame) * 0.8)], "assault_at"] = "last Tuesday"
    return frame


def serial_dates(frame: pd.DataFrame) -> pd.DataFrame:
    stamps = pd.to_datetime(frame["reported_at"])
    frame["reported_at"] = ((stamps - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)).round(4).astype(str)
    return frame


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unusable")
    raw, config_path = demo_raw_copy(folder / "raw", "unusable", {"ae_assaults": spoil_dates, "asb_cases": serial_dates})
    config = load_config(config_path)
    result = run_ingest(config, None, raw, folder / "processed")
    return ChapterContext(config, result.period_end, raw, folder / "processed")


def test_ingest_leaves_the_table_out_and_says_why(context):
    facts = context.ingest_facts()
    assert "ae_assaults" in facts["unusable_extracts"] and context.table("ae_assaults") is None
    reason = facts["unusable_extracts"]["ae_assaults"]
    assert "rows rejected, most by rule 'date_format'" in reason and "column 'assault_at'" in reason
    assert "last Tuesday" not in reason and "'xxxx xxxxxxx'" in reason  # the value's shape, never the value


def test_every_chapter_says_the_source_was_unusable(context):
    quality = data_quality.build(context)
    assert "ae_assaults" in quality.unusable
    assert any("unusable" in f.text and "ae_assaults" in f.text for f in data_quality.findings(quality))
    overview = crime_overview.build(context)
    ae = overview.targets.set_index("Target").loc["A&E assault attendances", "Status"]
    assert ae.startswith("Data unusable (") and "date_format" in ae
    strategic = strategic_priority.build(context)
    assert "ae_assaults was unusable" in strategic.not_supplied("under_recording")
    assert "Source unusable" in set(strategic.gaps["Gap"]) and strategic.under_recording.empty
    assert any("ae_assaults was unusable" in f.text for f in strategic_priority.findings(strategic))


def test_excel_serial_dates_are_read_and_noted(context):
    quality = pd.read_csv(context.processed_dir / "data_quality.csv", keep_default_na=False).set_index("source")
    assert quality.loc["asb_cases", "rows_rejected"] == 0
    assert "dates written as Excel serial numbers were read as dates" in quality.loc["asb_cases", "note"]

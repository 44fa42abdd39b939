"""The data-quality chapter: built from the processed tables of an ingest, its rows add up, its findings
carry the figures as numbers, and a source that is mostly rejected is called unusable, never zeros."""
import pandas as pd

from pipeline.chapters import data_quality
from pipeline.chapters.context import ChapterContext
from pipeline.inputs.partner_extracts import CONTRACTS
from pipeline.paths import RAW_DIR


def context(ingest) -> ChapterContext:
    config, result = ingest
    return ChapterContext(config, result.period_end, RAW_DIR, result.processed_dir.parent.parent)


def test_demo_rows_add_up_and_findings_quote_them(demo_ingest):
    result = data_quality.build(context(demo_ingest))
    rows = result.rows
    assert (rows["rows_in"] == rows["rows_outside_area"] + rows["rows_kept"] + rows["rows_rejected"]).all()
    first = data_quality.findings(result)[0]
    assert first.figures["rows_read"] == rows["rows_in"].sum() and f"{first.figures['rows_read']:,}" in first.text
    assert "synthetic demonstration data" in first.text
    assert set(result.areas["Role"]) == {"Partnership area", "Comparison district", "Zone"}


def test_real_data_lists_the_extracts_not_supplied(real_ingest):
    result = data_quality.build(context(real_ingest))
    gap = next(f for f in data_quality.findings(result) if f.direction == "gap")
    assert "police_records.csv" in gap.text and gap.figures["extracts_missing"] == len(CONTRACTS)  # every partner extract


def test_a_mostly_rejected_source_is_reported_unusable():
    # The share rejected is of the rows in the assessed districts: police.uk street has 60 of 100 such rows rejected
    # (unusable) although that is a fifth of the 300 rows read; police.uk outcomes has 40 of 100 (usable).
    rows = pd.DataFrame({"source": ["asb_cases", "police_records", "police.uk street", "police.uk outcomes"],
                         "files": [1, 1, 12, 12], "rows_in": [100, 100, 300, 300], "rows_outside_area": [0, 0, 200, 200],
                         "rows_kept": [10, 99, 40, 60], "rows_rejected": [90, 1, 60, 40], "note": [""] * 4})
    result = data_quality.DataQuality("t", "March 2025", False, [], rows)
    assert result.unusable == ["asb_cases", "police.uk street"]
    found = [f for f in data_quality.findings(result) if "unusable" in f.text]
    assert [f.figures for f in found] == [{"rows_in": 100, "rows_rejected": 90}, {"rows_in": 100, "rows_rejected": 60}]
    assert found[1].text.startswith("police.uk street: 60 of 100 rows rejected")
    assert result.published_rows["Rejected (% of rows in the districts)"].tolist() == [90.0, 1.0, 60.0, 40.0]

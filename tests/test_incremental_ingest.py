"""Incremental ingest (pipeline.stages.incremental): a raw folder that gains a police.uk month and rows at the end of a
partner extract is ingested by reading only what is new, into the same tables, rejects and data-quality summary as a
full ingest of the same files; anything else falls back to a full ingest that says why."""
from __future__ import annotations

import io
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from pipeline.inputs import police_uk
from pipeline.inputs.config import load_config
from pipeline.inputs.synthetic import write_manifest
from pipeline.paths import RAW_DIR
from pipeline.stages import incremental
from pipeline.stages.cache import fingerprint
from pipeline.stages.ingest import ensure_ingested, processed_dir_for, run_ingest

DEMO_ZIP = RAW_DIR / "demo" / "police.uk" / "cambridgeshire-demo-2020-04-to-2025-03.zip"
POLICE_RECORDS = RAW_DIR / "demo" / "partner" / "police_records.csv"
HELD_BACK_RECORDS = 300  # the police records the second week's extract adds at its end


def month_file(month: str) -> str:
    return f"{month}/{month}-cambridgeshire-street.csv"


def with_bad_rows(text: str, month: str, repeated_id: str) -> str:
    """A month file with rows every ingest rejects: a repeated Crime ID, an unknown LSOA, a month that is not the
    file's; so that the rejects of both ingests have rows to line up."""
    lines = text.splitlines()
    first = lines[1].split(",")
    bad = [[repeated_id, *first[1:]],
           [f"{month}-unknown-lsoa", month, *first[2:7], "E01999999", *first[8:]],
           [f"{month}-wrong-month", "2019-01", *first[2:]]]
    bad[0][9] = "Burglary"
    return "\n".join([*lines, *(",".join(row) for row in bad)]) + "\n"


def demo_copy(target: Path, through: str) -> tuple[Path, Path]:
    """The demo raw folder with its police.uk months up to `through` (one zip of the earlier months and that month
    as a folder, with bad rows) and its police records without their last rows; and a config for it."""
    for folder in ("reference", "fingertips", "home_office", "boundaries"):
        (target / folder).symlink_to(RAW_DIR / folder)
    (target / "demo").mkdir()
    (target / "demo" / "harm_weights").symlink_to(RAW_DIR / "demo" / "harm_weights")
    shutil.copytree(RAW_DIR / "demo" / "partner", target / "partner")
    lines = POLICE_RECORDS.read_text(encoding="utf-8").splitlines(keepends=True)
    (target / "partner" / "police_records.csv").write_text("".join(lines[:-HELD_BACK_RECORDS]), encoding="utf-8")
    police = target / "police.uk"
    police.mkdir()
    with zipfile.ZipFile(DEMO_ZIP) as demo, zipfile.ZipFile(police / "earlier.zip", "w") as earlier:
        for name in demo.namelist():
            if name < month_file(through):
                earlier.writestr(name, demo.read(name))
    add_month(target, through)
    config = target / "incremental.yaml"
    config.write_text((Path("config") / "demo.yaml").read_text().replace("name: demo", "name: incremental")
                      .replace("police_uk: demo/police.uk", "police_uk: police.uk")
                      .replace("partner_dir: demo/partner", "partner_dir: partner"))
    return target, config


def add_month(raw: Path, month: str, repeated_id: str = "") -> None:
    with zipfile.ZipFile(DEMO_ZIP) as demo:
        text = demo.read(month_file(month)).decode("utf-8")
    crime_ids = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)["Crime ID"]
    target = raw / "police.uk" / month_file(month)
    target.parent.mkdir(parents=True)
    target.write_text(with_bad_rows(text, month, repeated_id or crime_ids[crime_ids.ne("")].iloc[0]), encoding="utf-8")
    write_manifest(raw, "tests/test_incremental_ingest.py: a cut copy of the synthetic demo data")


def grow_police_records(raw: Path) -> None:
    (raw / "partner" / "police_records.csv").write_bytes(POLICE_RECORDS.read_bytes())
    write_manifest(raw, "tests/test_incremental_ingest.py: a cut copy of the synthetic demo data")


class Recording:
    """police_uk.read_area, remembering which files it was asked to read."""

    def __init__(self):
        self.names: list[str] = []

    def __call__(self, sources, columns, area):
        self.names += [source.name for source in sources]
        return police_uk.read_area(sources, columns, area)


@pytest.fixture(scope="module")
def ingests(tmp_path_factory):
    """The February ingest, then March added incrementally; and a full ingest of the same March folder."""
    raw, config_path = demo_copy(tmp_path_factory.mktemp("raw"), "2025-02")
    config, processed = load_config(config_path), tmp_path_factory.mktemp("processed")
    first = ensure_ingested(config, pd.Period("2025-02", freq="M"), raw, processed)
    add_month(raw, "2025-03")
    grow_police_records(raw)
    reading = Recording()
    second = ensure_ingested(config, pd.Period("2025-03", freq="M"), raw, processed, read=reading)
    full = run_ingest(config, "2025-03", raw, tmp_path_factory.mktemp("full"))
    return {"raw": raw, "config": config, "processed": processed, "first": first, "second": second, "full": full,
            "read": reading.names}


def test_a_new_month_is_read_alone_and_the_run_says_so(ingests):
    assert ingests["first"].reason == "no ingest for this period end yet"
    assert ingests["read"] == ["2025-03-cambridgeshire-street.csv"]
    reason = ingests["second"].reason
    assert "incremental: read only 1 new police.uk file (2025-03)" in reason, reason
    assert "police_records again (it gained rows at its end)" in reason and "on the ingest for 2025-02" in reason


def test_the_incremental_tables_equal_a_full_ingest_of_the_same_files(ingests):
    incremental_dir, full_dir = ingests["second"].processed_dir, ingests["full"].processed_dir
    tables = sorted(p.name for p in full_dir.glob("*.parquet"))
    assert tables == sorted(p.name for p in incremental_dir.glob("*.parquet"))
    for name in tables:
        if name == "boundaries.parquet":
            assert (incremental_dir / name).read_bytes() == (full_dir / name).read_bytes()
            continue
        pd.testing.assert_frame_equal(pd.read_parquet(incremental_dir / name), pd.read_parquet(full_dir / name),
                                      obj=name)
    texts = sorted(p.relative_to(full_dir).as_posix() for p in full_dir.rglob("*.csv"))
    assert texts == sorted(p.relative_to(incremental_dir).as_posix() for p in incremental_dir.rglob("*.csv"))
    for name in texts:
        assert (incremental_dir / name).read_text() == (full_dir / name).read_text(), name


def test_rejects_of_both_months_and_the_grown_extract_add_up(ingests):
    folder = ingests["second"].processed_dir
    street = pd.read_csv(folder / "rejects" / "police_uk_street.csv", dtype=str, keep_default_na=False)
    assert sorted(street["file_month"].unique()) == ["2025-02", "2025-03"]
    assert set(street["reject_rule"]) == {"unique_crime_id", "known_lsoa", "month_matches_file"}
    quality = pd.read_csv(folder / "data_quality.csv", keep_default_na=False).set_index("source")
    row = quality.loc["police.uk street"]
    assert row["rows_in"] == row["rows_outside_area"] + row["rows_kept"] + row["rows_rejected"]
    assert row["rows_rejected"] == 6 and row["files"] == 60
    records = pd.read_parquet(folder / "police_records.parquet")
    assert len(records) + quality.loc["police_records", "rows_rejected"] == quality.loc["police_records", "rows_in"]
    assert quality.loc["police_records", "rows_in"] == len(POLICE_RECORDS.read_text().splitlines()) - 1


def test_an_unchanged_folder_is_reused_and_a_changed_old_file_ingests_in_full(ingests, tmp_path):
    config, raw, processed = ingests["config"], ingests["raw"], ingests["processed"]
    again = ensure_ingested(config, pd.Period("2025-03", freq="M"), raw, processed)
    assert again.reused
    copy = tmp_path / "raw"
    shutil.copytree(raw, copy, symlinks=True)
    (copy / "police.uk" / month_file("2025-02")).write_text(
        (raw / "police.uk" / month_file("2025-02")).read_text().replace("Burglary", "Robbery", 1))
    write_manifest(copy, "tests/test_incremental_ingest.py: an edited copy")
    period_end = pd.Period("2025-04", freq="M")
    why = incremental.plan(config, copy, processed, period_end, fingerprint(config, copy, period_end))
    assert why == "police.uk/2025-02/2025-02-cambridgeshire-street.csv changed since the ingest for 2025-03"


def test_a_new_month_repeating_an_earlier_crime_id_is_ingested_in_full(ingests, tmp_path):
    config, raw, processed = ingests["config"], ingests["raw"], ingests["processed"]
    copy = tmp_path / "raw"
    shutil.copytree(raw, copy, symlinks=True)
    earlier = pd.read_parquet(processed_dir_for(config, "2025-03", processed) / "crimes.parquet")["crime_id"]
    with zipfile.ZipFile(DEMO_ZIP) as demo:  # the demo ends in March: April is March's file renamed
        text = demo.read(month_file("2025-03")).decode("utf-8").replace("2025-03", "2025-04")
    rows = [line.split(",", 1) for line in text.splitlines()]
    lines = [rows[0][0] + "," + rows[0][1], *(f"{crime_id}{'-april' if crime_id else ''},{rest}" for crime_id, rest in rows[1:])]
    lines[1] = ",".join([earlier[earlier.ne("")].iloc[0], rows[1][1]])
    (copy / "police.uk" / "2025-04").mkdir()
    (copy / "police.uk" / month_file("2025-04")).write_text("\n".join(lines) + "\n")
    write_manifest(copy, "tests/test_incremental_ingest.py: an edited copy")
    period_end = pd.Period("2025-04", freq="M")
    plan = incremental.plan(config, copy, processed, period_end, fingerprint(config, copy, period_end))
    assert isinstance(plan, incremental.Plan) and [s.name for s in plan.new["street"]] == [
        "2025-04-cambridgeshire-street.csv"]
    with ThreadPoolExecutor(1) as pool, pytest.raises(incremental.FullIngestNeeded) as refused:
        incremental.ingest_into(tmp_path / "staging", plan, config, period_end, copy,
                                pool.submit(fingerprint, config, copy, period_end))
    assert str(refused.value) == f"a Crime ID of the new months was read before ({earlier[earlier.ne('')].iloc[0]})"

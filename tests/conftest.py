"""Shared fixtures: small hand-made inputs, and ingests of the embedded data into temporary folders."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline.inputs.config import load_config
from pipeline.stages.ingest import run_ingest
from pipeline.paths import RAW_DIR

REAL_ZIP = RAW_DIR / "real" / "police.uk" / "cambridgeshire-2024.zip"
STREET_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                 "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]


def street_row(**values) -> dict:
    row = {"Crime ID": "abc1", "Month": "2024-01", "Reported by": "Cambridgeshire Constabulary",
           "Falls within": "Cambridgeshire Constabulary", "Longitude": "0.121817", "Latitude": "52.205337",
           "Location": "On or near Market Street", "LSOA code": "E01017983", "LSOA name": "Cambridge 007C",
           "Crime type": "Burglary", "Last outcome category": "Under investigation", "Context": ""}
    row.update(values)
    return row


def write_street(path: Path, rows: list[dict], header: list[str] = STREET_HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def raw_cambridge_rows() -> list[dict]:
    """Every row of the real 2024 street files whose LSOA name starts 'Cambridge 0', read with csv."""
    rows = []
    with zipfile.ZipFile(REAL_ZIP) as archive:
        for member in sorted(n for n in archive.namelist() if n.endswith("-street.csv")):
            text = archive.read(member).decode("utf-8-sig")
            rows += [r for r in csv.DictReader(io.StringIO(text)) if r["LSOA name"].startswith("Cambridge 0")]
    return rows


def ingest_into(tmp_path_factory, config_name: str):
    processed = tmp_path_factory.mktemp(f"processed_{config_name}")
    config = load_config(f"config/{config_name}.yaml")
    return config, run_ingest(config, None, RAW_DIR, processed)


@pytest.fixture(scope="session")
def real_ingest(tmp_path_factory):
    return ingest_into(tmp_path_factory, "real_2024")


@pytest.fixture(scope="session")
def demo_ingest(tmp_path_factory):
    return ingest_into(tmp_path_factory, "demo")


def context_of(ingest):
    """The chapter context of an ingest fixture (the chapters read its processed tables)."""
    from pipeline.chapters.context import ChapterContext

    config, result = ingest
    return ChapterContext(config, result.period_end, RAW_DIR, result.processed_dir.parent.parent)


@pytest.fixture(scope="session")
def demo_context(demo_ingest):
    return context_of(demo_ingest)


@pytest.fixture(scope="session")
def real_context(real_ingest):
    return context_of(real_ingest)


@pytest.fixture(scope="module")
def demo(request, demo_context):
    """The test module's chapter (imported there as `chapter`) built on the demo ingest; a module may define its own."""
    return request.module.chapter.build(demo_context)


@pytest.fixture(scope="module")
def real(request, real_context):
    """The test module's chapter built on the real 2024 ingest."""
    return request.module.chapter.build(real_context)


def table(result, name: str) -> pd.DataFrame:
    return pd.read_parquet(result.processed_dir / f"{name}.parquet")


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The demo assessment run end to end, two chapters at a time, part-way through its target year (period end 2024-12):
    (exit code, run folder, outputs root, processed root)."""
    from pipeline import runner

    out, processed = tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("processed")
    code = runner.main(["--period-end", "2024-12", "--out-dir", str(out), "--processed-dir", str(processed),
                        "--jobs", "2"])
    return code, out / "2024-12-demo", out, processed

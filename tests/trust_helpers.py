"""Helpers for the trust checks (tests/test_trust.py and benchmarks/trust_report.py): whole runs in a
subprocess, runs killed part-way, hashes of what a run produced, and planted personal identifiers."""
from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from pipeline.inputs.partner_extracts import CONTRACTS
from pipeline.inputs.synthetic import write_manifest
from pipeline.paths import PROJECT_ROOT, RAW_DIR

PERIOD_END = "2025-03"
RUN_NAME = f"{PERIOD_END}-demo"
TIMESTAMP = re.compile(r'<span class="run-timestamp">[^<]*</span>')


def command(out: Path, processed: Path, *extra: str) -> list[str]:
    return [sys.executable, "run_assessment.py", "--out-dir", str(out), "--processed-dir", str(processed), *extra]


def run(out: Path, processed: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command(out, processed, *extra), cwd=PROJECT_ROOT, capture_output=True, text=True,
                          env=env or os.environ.copy(), timeout=900)


def run_and_kill(out: Path, processed: Path, delay: float, *extra: str) -> None:
    """Start a run and kill it (SIGKILL, the whole process group) after `delay` seconds."""
    process = subprocess.Popen(command(out, processed, *extra), cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    time.sleep(3)  # a kernel in its own session notices its parent has gone and exits within a second or two


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hashes(out: Path, processed: Path) -> dict[str, str]:
    """sha256 of the processed tables, the published tables and the report (its run timestamp blanked)."""
    found = {}
    for path in sorted((processed / "demo" / PERIOD_END).rglob("*")):
        if path.is_file():
            found[f"processed/{path.relative_to(processed / 'demo' / PERIOD_END)}"] = sha256(path.read_bytes())
    for path in sorted((out / RUN_NAME / "tables").rglob("*.csv")):
        found[f"tables/{path.relative_to(out / RUN_NAME / 'tables')}"] = sha256(path.read_bytes())
    report = (out / RUN_NAME / "report.html").read_text()
    found["report.html (timestamp blanked)"] = sha256(TIMESTAMP.sub("", report).encode())
    return found


def listing(out: Path, processed: Path) -> tuple[set[str], set[str]]:
    """The names in a run's report folder and its processed folder."""
    return ({p.name for p in (out / RUN_NAME).iterdir()},
            {p.name for p in (processed / "demo" / PERIOD_END).iterdir()})


def partial_outputs(out: Path, processed: Path, complete: tuple[set[str], set[str]]) -> list[str]:
    """What a killed run left that is neither absent nor complete (must be empty). `complete` is the
    listing of an uninterrupted run, so a new chapter or processed table needs no edit here."""
    problems = []
    for folder, expected in zip((out / RUN_NAME, processed / "demo" / PERIOD_END), complete):
        if folder.exists() and {p.name for p in folder.iterdir()} != expected:
            problems.append(f"{folder} is incomplete: {sorted(p.name for p in folder.iterdir())}")
    return problems


# ---------------------------------------------------------------- planted personal identifiers
PLANTED = {
    "name": "Zebedee Quarrington-Falk",
    "name_cp": "Ottoline Vasquez-Rimmer",
    "nhs": "943 476 5919",
    "nhs_compact": "9434765919",
    "pnc": "19/482913Q",
    "pnc_long": "2019/0077311K",
    "dob": "17/11/1943",
    "dob_iso": "1943-11-17",
}


def demo_raw_copy(target: Path, name: str, edits: dict) -> tuple[Path, Path]:
    """A raw folder like the demo's (reference data linked) whose partner extracts are rewritten by `edits`
    (extract name -> function of its frame; None leaves the extract out); and a config named `name` for it."""
    for folder in ("reference", "fingertips", "home_office"):
        (target / folder).parent.mkdir(parents=True, exist_ok=True)
        (target / folder).symlink_to(RAW_DIR / folder)
    (target / "police.uk").symlink_to(RAW_DIR / "demo" / "police.uk")
    (target / "demo").mkdir()
    (target / "demo" / "harm_weights").symlink_to(RAW_DIR / "demo" / "harm_weights")
    partner = target / "partner"
    partner.mkdir()
    for extract in CONTRACTS:
        edit = edits.get(extract, lambda frame: frame)
        if edit is not None:
            frame = pd.read_csv(RAW_DIR / "demo" / "partner" / f"{extract}.csv", dtype=str, keep_default_na=False)
            edit(frame).to_csv(partner / f"{extract}.csv", index=False)
    # Edited copies of the synthetic demo are still synthetic: marked as the generator marks its own files.
    write_manifest(target, "tests/trust_helpers.py: an edited copy of the synthetic demo data")
    config = target / f"{name}.yaml"
    config.write_text((PROJECT_ROOT / "config" / "demo.yaml").read_text()
                      .replace("name: demo", f"name: {name}").replace("police_uk: demo/police.uk", "police_uk: police.uk")
                      .replace("partner_dir: demo/partner", "partner_dir: partner"))
    return target, config


def planted_raw_dir(target: Path) -> tuple[Path, Path]:
    """A raw folder whose partner extracts carry planted names, NHS numbers, PNC ids and dates of birth in
    their person columns and in extra columns; and a synthetic config that points at it."""
    values = list(PLANTED.values())
    person_columns = {"police_records": ["victim_id", "suspect_id"], "asb_cases": ["victim_id", "perpetrator_id"],
                      "ae_assaults": [], "iom_cohort": ["person_id"], "service_activity": [], "plan_activity": []}

    def plant(columns: list[str]):
        def edit(frame: pd.DataFrame) -> pd.DataFrame:
            rows = frame.index[: len(values) * 3]
            for column in columns:
                frame.loc[rows, column] = [values[i % len(values)] for i in range(len(rows))]
            frame["patient_name"] = PLANTED["name"]
            frame["nhs_number"] = PLANTED["nhs"]
            frame["date_of_birth"] = PLANTED["dob"]
            frame["pnc_id"] = PLANTED["pnc"]
            if "location_description" in frame:
                frame.loc[rows, "location_description"] = f"outside, NHS {PLANTED['nhs']}, born {PLANTED['dob']}"
            return frame
        return edit

    return demo_raw_copy(target, "demo", {name: plant(columns) for name, columns in person_columns.items()})


def scan(roots: list[Path], needles: list[str]) -> list[tuple[str, str]]:
    """(file, identifier) for every planted identifier found in any file under the roots; Parquet is decoded."""
    found = []
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if path.suffix == ".parquet":
                text = pd.read_parquet(path).astype(str).to_csv()
            else:
                text = path.read_bytes().decode("utf-8", errors="replace")
            found += [(str(path), needle) for needle in needles if needle in text]
    return found

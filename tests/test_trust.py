"""Trustworthy runs: determinism, kill-and-rerun, locking, the key, disclosure control in everything
published, and no planted personal identifier anywhere in the outputs or processed data."""
import os
import random
import re

import pandas as pd
import pytest

import trust_helpers as th
from pipeline import fileio, runner
SMALL = range(1, 5)  # the published rule, written here so that a change to the code's threshold fails the scans

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    out, processed = tmp_path_factory.mktemp("run_a"), tmp_path_factory.mktemp("processed_a")
    result = th.run(out, processed)
    assert result.returncode == 0, result.stderr
    return out, processed, th.hashes(out, processed)


def test_two_runs_give_byte_identical_tables_and_reports_differing_only_in_timestamp(reference_run, tmp_path):
    _, _, first = reference_run
    result = th.run(tmp_path / "out", tmp_path / "processed")
    assert result.returncode == 0, result.stderr
    second = th.hashes(tmp_path / "out", tmp_path / "processed")
    assert len(first) > 30
    assert {k for k in first if first[k] != second.get(k)} == set()
    assert set(first) == set(second)


def test_runs_killed_at_random_points_leave_no_partial_output_and_rerun_to_the_same_result(reference_run, tmp_path):
    reference_out, reference_processed, expected = reference_run
    complete = th.listing(reference_out, reference_processed)
    assert {"09_serious_violence.ipynb", "report.html", "tables"} <= complete[0]
    assert {"crimes.parquet", "population_by_age.parquet", "ingest.json"} <= complete[1]
    delays = random.Random(4).sample(range(2, 30), 2)
    for attempt, delay in enumerate(delays):
        out, processed = tmp_path / f"out{attempt}", tmp_path / f"processed{attempt}"
        th.run_and_kill(out, processed, delay)
        assert th.partial_outputs(out, processed, complete) == [], f"killed after {delay} s"
        result = th.run(out, processed)
        assert result.returncode == 0, f"rerun after a kill at {delay} s failed: {result.stderr}"
        assert th.hashes(out, processed) == expected, f"rerun after a kill at {delay} s differs"
        assert not [p for p in out.iterdir() if ".staging-" in p.name or ".old-" in p.name]


def test_every_published_count_is_suppressed_from_1_to_4(reference_run):
    out, _, _ = reference_run
    html = (out / th.RUN_NAME / "report.html").read_text()
    counts = re.findall(r'<td class="[^"]*\bcount\b[^"]*">([^<]*)</td>', html)
    assert len(counts) > 200
    small = [c for c in counts if any(int(n.replace(",", "")) in SMALL for n in re.findall(r"\d[\d,]*", c))]
    assert small == []
    for flagged, total in re.findall(r"(\d[\d,]*) of (\d[\d,]*)", html):
        k, n = int(flagged.replace(",", "")), int(total.replace(",", ""))
        assert k not in SMALL and n not in SMALL and (n - k) not in SMALL, f"{k} of {n}"
    assert "[c]" in html  # the demo does have small cells, and they are suppressed


def test_published_csv_tables_hold_no_small_counts_in_count_columns(reference_run):
    out, _, _ = reference_run
    tables = sorted((out / th.RUN_NAME / "tables").rglob("*.csv"))
    assert len(tables) >= 20
    for path in tables:
        for cell in pd.read_csv(path, dtype=str, keep_default_na=False).stack():
            for flagged, total in re.findall(r"(\d[\d,]*) of (\d[\d,]*)", cell):
                k, n = int(flagged.replace(",", "")), int(total.replace(",", ""))
                assert k not in SMALL and n not in SMALL and (n - k) not in SMALL, path.name


def test_no_planted_identifier_reaches_outputs_or_processed_data(tmp_path):
    raw, config = th.planted_raw_dir(tmp_path / "raw")
    out, processed = tmp_path / "out", tmp_path / "processed"
    result = th.run(out, processed, "--config", str(config), "--raw-dir", str(raw))
    assert result.returncode == 0, result.stderr
    assert (processed / "demo" / "2025-03" / "police_records.parquet").exists()
    assert th.scan([out, processed], list(th.PLANTED.values())) == []
    # The scan can see them: the planted raw files do contain them.
    assert th.scan([raw / "partner"], [th.PLANTED["nhs"]])


def test_a_second_run_into_the_same_folder_is_refused(tmp_path, capsys):
    final = tmp_path / "out" / "2025-03-demo"
    with fileio.exclusive_lock(final, "a run in progress"):
        code = runner.main(["--out-dir", str(tmp_path / "out"), "--processed-dir", str(tmp_path / "processed")])
    assert code == 3
    assert "is being written by another run" in capsys.readouterr().err
    assert not final.exists()


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    target = tmp_path / "thing"
    (tmp_path / ".thing.lock").write_text(f"{dead.pid} killed run\n")
    with fileio.exclusive_lock(target, "new run") as lock:
        assert lock.read_text().startswith(str(os.getpid()))
    assert not lock.exists()


def test_real_assessment_refuses_to_start_without_a_key(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CSP_PSEUDONYM_KEY", raising=False)
    monkeypatch.setattr("pipeline.inputs.pseudonymise.KEY_FILE", tmp_path / "absent")
    raw, config = th.planted_raw_dir(tmp_path / "raw")
    config.write_text(config.read_text().replace("synthetic: true", "synthetic: false"))
    code = runner.main(["--config", str(config), "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out")])
    assert code == 3
    assert "CSP_PSEUDONYM_KEY" in capsys.readouterr().err


def test_stale_staging_folders_are_cleaned(tmp_path):
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".x.staging-{dead.pid}"
    stale.mkdir()
    (stale / "half.parquet").write_text("partial")
    assert fileio.remove_stale(tmp_path, "x") == [stale] and not stale.exists()

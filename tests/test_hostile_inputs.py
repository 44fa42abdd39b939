"""Hostile and careless inputs (issue 25): each case asserts the exit code, the message, and that no payload,
raw value or recoverable count reaches anything the run writes. The cases run in the quick subset unless a
whole assessment is needed (those are marked slow)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline import runner
from trust_helpers import demo_raw_copy


def folder_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under `root` (links followed), by relative path: what a run must leave unchanged."""
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture
def raw_copy(tmp_path):
    raw, config = demo_raw_copy(tmp_path / "raw", "demo", {})
    return raw, config


@pytest.mark.parametrize("processed, out", [
    ("{raw}", "{tmp}/out"),                       # --processed-dir given the raw folder by a slip
    ("{raw}/partner", "{tmp}/out"),               # inside a source folder
    ("{tmp}/processed", "{raw}"),                 # the outputs written into the raw folder
    ("{tmp}/processed", "{raw}/police.uk/out"),   # inside a source folder reached through a link
    ("{tmp}", "{tmp}/out"),                       # a processed folder that contains the raw folder
], ids=["processed-is-raw", "processed-inside-partner", "out-is-raw", "out-inside-linked-source",
        "processed-contains-raw"])
def test_a_written_folder_overlapping_a_raw_folder_is_refused_and_nothing_is_touched(raw_copy, tmp_path, capsys,
                                                                                      processed, out):
    raw, config = raw_copy
    before = folder_hashes(raw)
    fill = {"raw": raw, "tmp": tmp_path}
    code = runner.main(["--config", str(config), "--raw-dir", str(raw), "--processed-dir", processed.format(**fill),
                        "--out-dir", out.format(**fill)])
    error = capsys.readouterr().err
    assert code == 2
    assert "input folder" in error and "destroy the raw files" in error and "Traceback" not in error
    assert folder_hashes(raw) == before
    assert not (tmp_path / "processed").exists() and not (tmp_path / "out").exists()

"""The ingest cache key's hashes of the input files: once a process per unchanged file, again when it changes."""
import os
import time

import pandas as pd

from pipeline.inputs.config import load_config
from pipeline.paths import RAW_DIR
from pipeline.stages import cache


def test_a_batch_hashes_each_unchanged_input_once(monkeypatch):
    hashed = []
    monkeypatch.setattr(cache, "sha256_of", lambda path: hashed.append(path) or f"hash of {path.name}")
    cache._hash_as_of.cache_clear()
    config = load_config("config/demo.yaml")
    first = cache.fingerprint(config, RAW_DIR, pd.Period("2025-03", freq="M"))
    second = cache.fingerprint(config.model_copy(update={"name": "another"}), RAW_DIR, pd.Period("2025-03", freq="M"))
    assert first.files == second.files and len(hashed) == len(first.files) > 1
    cache._hash_as_of.cache_clear()


def test_a_changed_or_just_written_file_is_hashed_again(tmp_path):
    cache._hash_as_of.cache_clear()
    path = tmp_path / "2024-01-force-street.csv"
    path.write_text("one")
    os.utime(path, ns=(time.time_ns() - 10**10,) * 2)
    before = cache.input_hash(path)
    path.write_text("two")  # same size, just written: racily clean, so hashed again
    assert cache.input_hash(path) != before
    os.utime(path, ns=(time.time_ns() - 10**10,) * 2)  # an older timestamp than before would be cached anew
    assert cache.input_hash(path) == cache.sha256_of(path)
    cache._hash_as_of.cache_clear()

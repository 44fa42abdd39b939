"""The embedded raw files are the published files, unchanged; the demo data rebuilds byte for byte."""
import gzip
import hashlib
import zipfile

import pytest

import demo_generator as demo_data
from pipeline.paths import RAW_DIR, SHARED_DATA_DIR
from pipeline.inputs.sources import sha256_of


def embedded_bytes(location: str) -> bytes:
    if "!" in location:
        archive, member = location.split("!")
        with zipfile.ZipFile(RAW_DIR / archive) as handle:
            return handle.read(member)
    path = RAW_DIR / location
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def sums():
    for line in (RAW_DIR / "SHA256SUMS").read_text().splitlines():
        digest, original, _, location = line.split(maxsplit=3)
        yield digest, original, location


def test_every_embedded_copy_matches_its_recorded_checksum():
    entries = list(sums())
    assert len(entries) >= 30
    for digest, original, location in entries:
        assert hashlib.sha256(embedded_bytes(location)).hexdigest() == digest, original


@pytest.mark.skipif(not SHARED_DATA_DIR.exists(), reason="../shared/data is not beside the project")
def test_recorded_checksums_are_those_of_the_published_files():
    for digest, original, _ in sums():
        assert sha256_of(SHARED_DATA_DIR / original) == digest, original


def test_raw_data_stays_light():
    size = sum(p.stat().st_size for p in RAW_DIR.rglob("*") if p.is_file())
    # 46 MiB: the demo's police.uk outcomes files (5.4 MB, mostly Crime IDs, which do not compress) took it past 40
    assert size < 46 * 1024 * 1024, f"data/raw is {size / 2**20:.1f} MiB"


def test_demo_data_rebuilds_identically_from_its_seed(tmp_path):
    (tmp_path / "real").symlink_to(RAW_DIR / "real")
    (tmp_path / "reference").symlink_to(RAW_DIR / "reference")
    (tmp_path / "home_office").symlink_to(RAW_DIR / "home_office")
    demo_data.build(tmp_path)
    for path in sorted((RAW_DIR / "demo").rglob("*")):
        if path.is_file() and path.suffix in (".csv", ".zip"):
            rebuilt = tmp_path / "demo" / path.relative_to(RAW_DIR / "demo")
            assert sha256_of(rebuilt) == sha256_of(path), path.name

"""What ingest reads, and the key that says whether its processed tables can be reused.

The key is the hash of every input file ingest reads (exactly those: the police.uk files discovered, the
partner extracts found, the reference, Fingertips and Home Office files), the validated configuration,
the code of the layers ingest runs (inputs, methods, stages) with the versions of pandas, pyarrow, numpy and
polars, the period end, and a keyed fingerprint of the pseudonymisation key (never the key itself).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

import pandas as pd

from pipeline.inputs import police_uk
from pipeline.inputs.config import AssessmentConfig
from pipeline.inputs.fingertips import INDICATORS
from pipeline.inputs.harm_weights import volumes_path
from pipeline.inputs.partner_extracts import CONTRACTS, find_extract
from pipeline.inputs.pseudonymise import load_key
from pipeline.inputs.reference import OFFENCE_CODES_FILE, REFERENCE_FILES, age_population_path, reference_path
from pipeline.inputs.sources import sha256_of
from pipeline.paths import PROJECT_ROOT

CODE_FOLDERS = ("pipeline/inputs", "pipeline/methods", "pipeline/stages")
CODE_FILES = ("pipeline/errors.py", "pipeline/paths.py", "pipeline/fileio.py")


# Configuration that only the report reads: a change to it does not ingest again.
NOT_INGESTED = ("targets", "activities", "plan_notes", "title")


def synthetic_inputs(config: AssessmentConfig, raw_dir: Path) -> list[Path]:
    """The police.uk files (a copy of a month read once included) and partner extracts: the files a synthetic
    configuration claims are generated (the reference, health and boundary files are real public data)."""
    found = police_uk.discover(config.raw_path(config.police_uk_dir, raw_dir))
    files = {source.path for kind in ("street", "outcomes") for source in found[kind]}
    files |= {copy.path for copy, _ in found["duplicates"]}  # a copy read once still keys the ingest
    partner_dir = config.raw_path(config.partner_dir, raw_dir) if config.partner_dir else None
    files |= {path for contract in CONTRACTS.values() if (path := find_extract(partner_dir, contract))}
    return sorted(files)


def ingested_files(config: AssessmentConfig, raw_dir: Path) -> list[Path]:
    """Every file ingest reads, in a stable order."""
    files = set(synthetic_inputs(config, raw_dir))
    reference_dir = config.raw_path(config.reference_dir, raw_dir)
    files |= {reference_path(reference_dir, key) for key in REFERENCE_FILES}
    files |= {path} if (path := age_population_path(reference_dir)) else set()
    fingertips = config.raw_path(config.fingertips_dir, raw_dir)
    files |= {fingertips / name for name in INDICATORS if (fingertips / name).is_file()}
    offence_codes = config.raw_path(config.home_office_dir, raw_dir) / OFFENCE_CODES_FILE
    files |= {offence_codes} if offence_codes.is_file() else set()
    if config.harm_weights:
        weights = config.raw_path(config.harm_weights, raw_dir)
        files |= {path for path in (weights, weights.with_suffix(".yaml"), weights.with_suffix(".yml")) if path.is_file()}
        volumes = volumes_path(config.raw_path(config.home_office_dir, raw_dir))
        files |= {volumes} if volumes else set()
    boundaries = config.raw_path(config.boundaries_dir, raw_dir)
    files |= set(boundaries.glob("*.geojson")) if boundaries.is_dir() else set()
    return sorted(files)


def needs_key(config: AssessmentConfig, raw_dir: Path) -> bool:
    """True when a partner extract with person identifiers is supplied (ingest will pseudonymise)."""
    partner_dir = config.raw_path(config.partner_dir, raw_dir) if config.partner_dir else None
    return any(find_extract(partner_dir, contract) and contract.identifies_people for contract in CONTRACTS.values())


def file_label(path: Path, raw_dir: Path) -> str:
    return str(path.relative_to(raw_dir)) if path.is_relative_to(raw_dir) else str(path)


def code_version() -> str:
    digest = hashlib.sha256()
    paths = sorted(p for folder in CODE_FOLDERS for p in (PROJECT_ROOT / folder).rglob("*.py")) + \
        [PROJECT_ROOT / name for name in CODE_FILES]
    for path in paths:
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    for package in ("pandas", "pyarrow", "numpy", "polars"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


@dataclass
class Fingerprint:
    files: dict[str, str]
    config: str
    code: str
    period_end: str
    key: str
    key_origin: str
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        material = json.dumps({"files": self.files, "config": self.config, "code": self.code,
                               "period_end": self.period_end, "key": self.key}, sort_keys=True)
        self.digest = hashlib.sha256(material.encode()).hexdigest()

    def as_dict(self) -> dict:
        return {"cache_key": self.digest, "input_files_sha256": self.files, "config_sha256": self.config,
                "code_sha256": self.code, "period_end": self.period_end, "key_fingerprint": self.key}


RECENTLY_CHANGED_NS = 2_000_000_000


@cache
def _hash_as_of(path: Path, size: int, modified_ns: int) -> str:
    return sha256_of(path)


def input_hash(path: Path) -> str:
    """The SHA-256 of a file, computed once a process while its size and modification time stay the same: a
    batch fingerprints the same police.uk files for every partnership, and every chapter's key hashes the
    processed tables and project modules it shares with the others. A file modified in the last two seconds
    is hashed every time, as git does with 'racily clean' files, since a change within the clock's tick could
    keep its timestamp."""
    status = path.stat()
    if time.time_ns() - status.st_mtime_ns < RECENTLY_CHANGED_NS:
        return sha256_of(path)
    return _hash_as_of(path.resolve(), status.st_size, status.st_mtime_ns)


def fingerprint(config: AssessmentConfig, raw_dir: Path, period_end: pd.Period) -> Fingerprint:
    paths = ingested_files(config, raw_dir)
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:  # hashlib releases the GIL on large blocks
        files = dict(zip((file_label(path, raw_dir) for path in paths), pool.map(input_hash, paths)))
    config_hash = hashlib.sha256(config.model_dump_json(exclude=set(NOT_INGESTED)).encode()).hexdigest()
    key, origin = (load_key(config.synthetic) if needs_key(config, raw_dir)
                   else (b"", "not needed (no person identifiers supplied)"))
    key_print = hmac.new(key, b"csp-assessment ingest cache", hashlib.sha256).hexdigest()[:16] if key else ""
    return Fingerprint(files, config_hash, code_version(), str(period_end), key_print, origin)


def why_not_reused(previous: dict, current: Fingerprint) -> str | None:
    """None when the processed tables were made from exactly these inputs; else what changed, in words."""
    if not previous:
        return "no ingest for this period end yet"
    if previous.get("cache_key") == current.digest:
        return None
    before: dict[str, str] = previous.get("input_files_sha256", {})
    changed = sorted(name for name in set(before) | set(current.files) if before.get(name) != current.files.get(name))
    reasons = []
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        reasons.append(f"input files changed ({shown})")
    if previous.get("config_sha256") != current.config:
        reasons.append("configuration changed")
    if previous.get("code_sha256") != current.code:
        reasons.append("pipeline code changed")
    if previous.get("period_end") != current.period_end:
        reasons.append(f"period end changed ({previous.get('period_end')} to {current.period_end})")
    if previous.get("key_fingerprint") != current.key:
        reasons.append("pseudonymisation key changed")
    return "; ".join(reasons) or "ingest format changed"

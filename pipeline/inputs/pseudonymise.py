"""Keyed-hash pseudonyms for person identifiers.

A raw identifier (a name, PNC or NHS number) is replaced at ingest by HMAC-SHA256 under a secret
key (RFC 2104; the ICO's anonymisation guidance names keyed hashing as a pseudonymisation
technique). The same person gets the same pseudonym within an assessment, so repeat victims and
perpetrators can be counted, but nobody without the key can reverse or re-create it.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import pandas as pd

from pipeline.paths import PROJECT_ROOT

KEY_VARIABLE = "CSP_PSEUDONYM_KEY"
KEY_FILE = PROJECT_ROOT / ".pseudonym_key"
# Only for the synthetic demo data, which holds no real person: a fixed key keeps demo runs reproducible.
DEMO_KEY = "synthetic-demo-data-only-not-a-secret"


class MissingKeyError(RuntimeError):
    pass


def load_key(synthetic: bool, key_file: Path | None = None) -> tuple[bytes, str]:
    """The key and where it came from: the environment, then a local untracked file, then (demo only) a fixed key."""
    key_file = key_file or KEY_FILE
    if os.environ.get(KEY_VARIABLE):
        return os.environ[KEY_VARIABLE].encode("utf-8"), f"environment variable {KEY_VARIABLE}"
    if key_file.exists() and key_file.read_text().strip():
        return key_file.read_text().strip().encode("utf-8"), f"file {key_file.name}"
    if synthetic:
        return DEMO_KEY.encode("utf-8"), "the fixed demo key (synthetic data only)"
    raise MissingKeyError(
        f"No pseudonymisation key: set the environment variable {KEY_VARIABLE} or write a secret to "
        f"{key_file} (it is git-ignored). Partner extracts with person identifiers cannot be ingested without one.")


def normalise_identifier(value: str) -> str:
    """Case and spacing do not make a different person: ' ab12 cd ' and 'AB12CD' match."""
    return "".join(str(value).split()).upper()


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """'P' + the first 16 hex digits of HMAC-SHA256(key, identifier); empty stays empty."""
    cache: dict[str, str] = {}

    def one(value: str) -> str:
        text = normalise_identifier(value)
        if not text:
            return ""
        if text not in cache:
            cache[text] = "P" + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
        return cache[text]

    return values.fillna("").astype(str).map(one)

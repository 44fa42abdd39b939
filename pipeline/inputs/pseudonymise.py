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


MIN_KEY_CHARACTERS = 16
MIN_DISTINCT_CHARACTERS = 8
# Keys people type when asked for a secret: each refused, in any case, with or without spaces and punctuation.
PLACEHOLDER_KEYS = {"changeme", "changemenow", "secret", "mysecret", "secretkey", "password", "password123",
                    "passw0rd", "letmein", "test", "testkey", "testing", "example", "examplekey", "key", "pseudonymkey",
                    "alongrandomsecret", "yoursecrethere", "replaceme", "todo", "xxxxxxxx", "default", "csppseudonymkey",
                    "qwertyuiop", "1234567890", "0123456789abcdef"}


class WeakKeyError(MissingKeyError):
    pass


def key_problem(key: str) -> str:
    """Why a key is too weak to keep identifiers secret ('' when it is not): a blank, short or low-variety key,
    a known placeholder or the public demo key can be reversed by trying candidate NHS numbers or names."""
    text = key.strip()
    folded = "".join(character for character in text.lower() if character.isalnum())
    if text == DEMO_KEY or folded == "".join(c for c in DEMO_KEY if c.isalnum()):
        return "it is the public demo key, which is only for the synthetic demo data"
    if folded in PLACEHOLDER_KEYS:
        return "it is a placeholder that anyone would try first"
    if len(text) < MIN_KEY_CHARACTERS:
        return f"it has {len(text)} characters, and needs at least {MIN_KEY_CHARACTERS}"
    if len(set(text)) < MIN_DISTINCT_CHARACTERS:
        return f"it uses only {len(set(text))} different characters, and needs at least {MIN_DISTINCT_CHARACTERS}"
    return ""


def _checked(key: str, origin: str) -> tuple[bytes, str]:
    """The key as used (as given: pseudonyms already made with it stay the same), once it is strong enough."""
    problem = key_problem(key)
    if problem:
        raise WeakKeyError(f"The pseudonymisation key from {origin} is refused: {problem}. Use a long random secret, "
                           "for example the output of: python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    return key.encode("utf-8"), origin


def load_key(synthetic: bool, key_file: Path | None = None) -> tuple[bytes, str]:
    """The key and where it came from: the environment, then a local untracked file, then (demo only) a fixed key.
    A key that is set but weak (key_problem) is refused, never silently replaced."""
    key_file = key_file or KEY_FILE
    if os.environ.get(KEY_VARIABLE):
        return _checked(os.environ[KEY_VARIABLE], f"environment variable {KEY_VARIABLE}")
    if key_file.exists() and key_file.read_text().strip():
        return _checked(key_file.read_text().strip(), f"file {key_file.name}")
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

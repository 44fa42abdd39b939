"""Atomic writers: a file appears complete or not at all (write to a temporary name, then rename)."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success it replaces `target` in one step."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    os.chmod(temporary, 0o644)  # mkstemp creates 0600; outputs are meant to be shared
    try:
        yield Path(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_parquet(frame: pd.DataFrame, target: Path) -> Path:
    with atomic_path(target) as temporary:
        frame.to_parquet(temporary, index=False, engine="pyarrow")
    return target


def write_csv(frame: pd.DataFrame, target: Path) -> Path:
    with atomic_path(target) as temporary:
        frame.to_csv(temporary, index=False, lineterminator="\n")
    return target


def write_text(text: str, target: Path) -> Path:
    with atomic_path(target) as temporary:
        Path(temporary).write_text(text, encoding="utf-8")
    return target

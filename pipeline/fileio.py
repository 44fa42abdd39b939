"""Atomic writers: a file appears complete or not at all (write to a temporary name, then rename)."""
from __future__ import annotations

import os
import re
import shutil
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


# A spreadsheet runs a cell that begins with one of these as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Text that is a number as a spreadsheet reads it ('-12', '+3.5%', '-1,234', '-0.1 to 9.1'): left as it is, so
# signed counts, changes and intervals stay numbers.
NUMERIC_TEXT = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?(?: to [+-]?\d[\d,]*(?:\.\d+)?%?)?")


def spreadsheet_safe(value: object) -> object:
    """A cell a spreadsheet will not run: text beginning with a formula character gets a leading apostrophe, which
    spreadsheets show as text (OWASP's CSV Injection guidance); numbers, and text that is only a number, unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMERIC_TEXT.fullmatch(value):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell and column name made spreadsheet-safe (numeric columns untouched)."""
    safe = frame.rename(columns=lambda name: spreadsheet_safe(name) if isinstance(name, str) else name)
    for position, dtype in enumerate(safe.dtypes):
        if not (pd.api.types.is_string_dtype(dtype) or dtype == object):  # numbers, dates: nothing to run
            continue
        text = safe.iloc[:, position]
        strings = text.map(lambda value: isinstance(value, str)) if dtype == object else text.notna()
        shown = text.where(strings, "").astype(str)
        # the cells spreadsheet_safe may change, found column-wise; only those are passed to it
        candidates = shown[strings & (shown.str.startswith(FORMULA_START) | shown.str.contains("\r", regex=False))]
        made_safe = candidates.map(spreadsheet_safe)
        changed = made_safe[made_safe != candidates]
        if len(changed):  # a column with nothing to change keeps its type (numeric text stays as it is)
            text = text.astype(object).copy()
            text[changed.index] = changed
            safe.isetitem(position, text)
    return safe


def write_csv(frame: pd.DataFrame, target: Path) -> Path:
    """Every CSV the project writes (published tables, rejects, data quality) is safe to open in a spreadsheet."""
    with atomic_path(target) as temporary:
        neutralised(frame).to_csv(temporary, index=False, lineterminator="\n")
    return target


def write_text(text: str, target: Path) -> Path:
    with atomic_path(target) as temporary:
        Path(temporary).write_text(text, encoding="utf-8")
    return target


def staging_dir(final: Path) -> Path:
    """A fresh private folder beside `final` to build it in (named with this process's id)."""
    staging = final.parent / f".{final.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def replace_dir(staging: Path, final: Path) -> Path:
    """Put a completed folder in place of `final` with renames only: readers see the old folder or the
    new one, never a half-written one. (Between the two renames `final` is briefly absent, not partial.)"""
    retired = final.parent / f".{final.name}.old-{os.getpid()}"
    if final.exists():
        os.replace(final, retired)
    os.replace(staging, final)
    if retired.exists():
        shutil.rmtree(retired)
    return final


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(parent: Path, name: str) -> list[Path]:
    """Delete staging and retired folders of `name` left by processes that no longer run (a killed run)."""
    removed = []
    for path in parent.glob(f".{name}.*-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if path.is_dir() and pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


class LockedError(RuntimeError):
    pass


@contextmanager
def exclusive_lock(target: Path, purpose: str):
    """Hold `<target>.lock` while writing `target`; a second holder is refused with a clear message.
    A lock left by a process that no longer runs is taken over."""
    lock = target.parent / f".{target.name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            text = lock.read_text().strip() if lock.exists() else ""
            pid = int(text.split()[0]) if text.split() and text.split()[0].isdigit() else -1
            if pid > 0 and _pid_alive(pid):
                raise LockedError(f"{target} is being written by another run (process {pid}: {text.partition(' ')[2]}). "
                                  f"Wait for it to finish, or use another --out-dir.") from None
            lock.unlink(missing_ok=True)  # stale: its process has gone
    else:
        raise LockedError(f"could not take the lock {lock}.")
    try:
        os.write(handle, f"{os.getpid()} {purpose}\n".encode())
        os.close(handle)
        yield lock
    finally:
        lock.unlink(missing_ok=True)

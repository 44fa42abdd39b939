"""The folders a run writes kept apart from the folders it reads: a run never writes, moves or deletes an input.

A processed or output folder that is, contains or lies inside a raw folder (or the reverse) is refused before
anything is written: `--processed-dir` given the raw folder by a slip would otherwise have the ingest replace
raw/<assessment> with processed tables, deleting the police.uk files and every partner extract (issue 25).
"""
from __future__ import annotations

from pathlib import Path

from pipeline.errors import ConfigError


def _overlap(one: Path, other: Path) -> str:
    """How two folders overlap ('' when they do not)."""
    if one == other:
        return "is"
    if one.is_relative_to(other):
        return "lies inside"
    if other.is_relative_to(one):
        return "contains"
    return ""


def check_apart(raw_folders: list[Path], written: dict[str, Path]) -> None:
    """Raise ConfigError naming the option when a folder the run writes (option -> folder) overlaps a raw one.
    Paths are compared after resolving links, so a link into the raw folder is caught too."""
    for option, folder in written.items():
        target = Path(folder).resolve()
        for raw in raw_folders:
            source = Path(raw).resolve()
            how = _overlap(target, source)
            if how:
                raise ConfigError(option, f"the folder {target} {how} the input folder {source}: a run writes and "
                                  "replaces folders there, and would destroy the raw files.",
                                  "give the processed tables and the outputs folders of their own, outside every "
                                  "raw folder (the defaults are data/processed and outputs).")

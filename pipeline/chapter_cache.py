"""Chapters reused from the last run when nothing they depend on has changed.

A chapter's key is the hash of what its output can depend on:
- inputs: the processed tables its registry entry names (file hashes; ingest writes them byte for byte the same
  from the same data) and the facts of ingest.json it reads (missing and unusable sources), not ingest's own
  cache bookkeeping;
- code: its notebook and every project module the notebook imports, followed import by import, with the
  versions of the packages that compute and draw (pipeline.execution.PACKAGES);
- parameters: the validated configuration and the run's parameters.
The cache is the last run's folder for the same assessment and period: a chapter whose key is the one recorded in
that run's manifest has its notebook, tables and findings copied from it instead of being executed again. Changing
one chapter's code or one table reruns the chapters that depend on it and no other.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.chapters.registry import Chapter
from pipeline.execution import imported_modules, module_path, notebook_imports, notebook_source, package_versions
from pipeline.paths import PROJECT_ROOT
from pipeline.stages.cache import input_hash

INGEST_BOOKKEEPING = ("cache_key", "input_files_sha256", "config_sha256", "code_sha256", "key_fingerprint")


def _imported_modules(path: Path) -> frozenset[str]:
    package = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts[:-1])
    return _parsed_imports(path.read_text(encoding="utf-8"), package)


@cache
def _parsed_imports(source: str, package: str) -> frozenset[str]:
    """Keyed by the source text itself, so each module is parsed once a process, and again only if it changes."""
    return frozenset(imported_modules(source, package))


def code_files(modules: list[str]) -> list[Path]:
    """The source files of these modules and of every project module they import, directly or not (packages'
    __init__ files included, as importing a module runs them)."""
    seen: set[Path] = set()
    waiting = list(modules)
    while waiting:
        name = waiting.pop()
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):  # the packages on the way, then the module itself
            path = module_path(".".join(parts[:depth]))
            if path is not None and path not in seen:
                seen.add(path)
                waiting.extend(_imported_modules(path))
    return sorted(seen)


@cache
def _package_versions() -> str:
    return json.dumps(package_versions(), sort_keys=True)


def _hash_files(paths: list[Path]) -> str:
    """Each file's project path and content hash (each file hashed once a process while unchanged: the chapters
    share most of their modules)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + input_hash(path).encode() + b"\0")
    return digest.hexdigest()


def table_hash(processed_dir: Path, table: str) -> str:
    """The hash of one processed table as a chapter reads it (<table>.parquet, <table>.csv or the folder
    <table>/), 'absent' when ingest wrote none."""
    for candidate in (processed_dir / f"{table}.parquet", processed_dir / f"{table}.csv"):
        if candidate.is_file():
            return input_hash(candidate)
    folder = processed_dir / table
    if folder.is_dir():
        digest = hashlib.sha256()
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + input_hash(path).encode())
        return digest.hexdigest()
    return "absent"


@dataclass(frozen=True)
class ChapterKey:
    """What a chapter depends on, part by part (so a rerun can say what changed), and their hash."""

    parts: dict

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.parts, sort_keys=True).encode()).hexdigest()


TARGET_KEYS = ("targets", "activities")


def chapter_config(chapter: Chapter, config) -> str:
    """The configuration as one chapter's key reads it: the plan's targets and activities only for the chapters that
    show them (registry: reads_targets), and only the chapter's own plan note. Changing a target reruns the
    chapters that show targets, not all eight."""
    data = config.model_dump(mode="json", exclude=set() if chapter.reads_targets else set(TARGET_KEYS))
    data["plan_notes"] = {name: note for name, note in data.get("plan_notes", {}).items() if name == chapter.name}
    return json.dumps(data, sort_keys=True)


def chapter_key(chapter: Chapter, processed_dir: Path, config_json: str, parameters: dict,
                notebook: Path | None = None) -> ChapterKey:
    notebook = notebook or notebook_source(chapter)
    facts = json.loads((processed_dir / "ingest.json").read_text()) if (processed_dir / "ingest.json").exists() else {}
    read_facts = {name: value for name, value in facts.items() if name not in INGEST_BOOKKEEPING}
    code = _hash_files(code_files(notebook_imports([notebook]))) + _package_versions()
    return ChapterKey({
        "notebook": input_hash(notebook),
        "code": hashlib.sha256(code.encode()).hexdigest(),
        "tables": {table: table_hash(processed_dir, table) for table in chapter.tables},
        "ingest_facts": hashlib.sha256(json.dumps(read_facts, sort_keys=True).encode()).hexdigest(),
        "configuration": hashlib.sha256(config_json.encode()).hexdigest(),
        # the run's ingest key is left out: the tables' own hashes say whether what this chapter reads changed
        "parameters": {name: value for name, value in sorted(parameters.items()) if name != "ingest_key"},
    })


def why_rerun(previous: dict | None, key: ChapterKey) -> str | None:
    """None when the last run's chapter had this key; else what changed, in words."""
    if not previous:
        return "not in the last run"
    if previous.get("key") == key.digest:
        return None
    before, now = previous.get("parts", {}), key.parts
    reasons = []
    if before.get("notebook") != now["notebook"]:
        reasons.append("notebook changed")
    if before.get("code") != now["code"]:
        reasons.append("code changed")
    tables = sorted(name for name in set(before.get("tables", {})) | set(now["tables"])
                    if before.get("tables", {}).get(name) != now["tables"].get(name))
    if tables:
        reasons.append(f"tables changed ({', '.join(tables)})")
    if before.get("ingest_facts") != now["ingest_facts"]:
        reasons.append("missing or unusable sources changed")
    if before.get("configuration") != now["configuration"]:
        reasons.append("configuration changed")
    if before.get("parameters") != now["parameters"]:
        reasons.append("parameters changed")
    return "; ".join(reasons) or "cache format changed"


def chapter_outputs(chapter: Chapter, run_dir: Path) -> list[Path]:
    """What a chapter writes into a run folder: its executed notebook, its tables folder and its findings."""
    return [run_dir / chapter.notebook, run_dir / "tables" / chapter.name, run_dir / "findings" / f"{chapter.name}.json"]


def can_reuse(chapter: Chapter, run_dir: Path) -> bool:
    """Every chapter leaves its notebook and findings; a tables folder only when it had a table to publish."""
    notebook, _, findings = chapter_outputs(chapter, run_dir)
    return notebook.is_file() and findings.is_file()


def copy_outputs(chapter: Chapter, source_dir: Path, target_dir: Path) -> None:
    """Copy a chapter's outputs from the last run into the run being built."""
    for source, target in zip(chapter_outputs(chapter, source_dir), chapter_outputs(chapter, target_dir)):
        if source.is_dir():
            shutil.copytree(source, target)
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)

"""Synthetic data is marked as such by the generator that wrote it, so real data cannot pass as synthetic by
accident (a configuration copied from the demo with `synthetic: true` left on, pointed at real files, would have
published real figures under the "do not quote" banner, pseudonymised with the public demo key).

The demo generator (scripts/demo_generator.py) leaves a manifest of the sha256 of every file it wrote beside them.
A run of a `synthetic: true` configuration checks that every police.uk file and partner extract it reads is listed,
unchanged, in such a manifest in its folder or a folder above it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.inputs.sources import sha256_of

MANIFEST_NAME = "SYNTHETIC_MANIFEST.json"


def write_manifest(folder: Path, generator: str) -> Path:
    """Record the sha256 of every data file under `folder` (links followed; notes in Markdown left out) as synthetic
    data made by `generator`."""
    files = {}
    for root, _, names in os.walk(folder, followlinks=True):
        for name in names:
            path = Path(root) / name
            if name != MANIFEST_NAME and not name.endswith(".md") and path.is_file():  # data files, not notes
                files[path.relative_to(folder).as_posix()] = sha256_of(path)
    manifest = folder / MANIFEST_NAME
    manifest.write_text(json.dumps({"synthetic": True, "generator": generator, "files": dict(sorted(files.items()))},
                                   indent=1) + "\n")
    return manifest


def _listing(path: Path, stop: Path) -> tuple[Path, dict] | None:
    """The nearest manifest at or above the file's folder (not above `stop` when the file lies inside it)."""
    for folder in path.parents:
        candidate = folder / MANIFEST_NAME
        if candidate.is_file():
            try:
                return folder, json.loads(candidate.read_text())
            except ValueError:
                return None
        if folder == stop or folder == folder.parent:
            return None
    return None


def unmarked(files: list[Path], raw_dir: Path) -> list[tuple[Path, str]]:
    """(file, why) for each file that no generator's manifest lists as it is now."""
    found = []
    for path in files:
        listing = _listing(path, raw_dir if path.is_relative_to(raw_dir) else Path(path.anchor))
        if listing is None:
            found.append((path, f"no {MANIFEST_NAME} from the demo generator in its folder or above"))
            continue
        folder, manifest = listing
        expected = manifest.get("files", {}).get(path.relative_to(folder).as_posix())
        if expected is None:
            found.append((path, f"not listed in {folder / MANIFEST_NAME}"))
        elif expected != sha256_of(path):
            found.append((path, "changed since the demo generator wrote it"))
    return found


def check_synthetic(config_path: str, files: list[Path], raw_dir: Path) -> None:
    """Refuse `synthetic: true` (ConfigError, exit 2) unless every input file is synthetic data as generated."""
    found = unmarked(files, raw_dir)
    if found:
        path, why = found[0]
        more = f" ({len(found) - 1} more file(s) likewise)" if len(found) > 1 else ""
        raise ConfigError(config_path, f"the configuration says 'synthetic: true', but {path} is not a file the demo "
                          f"generator wrote: {why}{more}. Real data would be published under the synthetic banner "
                          "and pseudonymised with the public demo key.",
                          "for real data set 'synthetic: false' (a pseudonymisation key is then required); keep "
                          "'synthetic: true' only for files scripts/build_demo_data.py made.")

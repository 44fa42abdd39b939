"""Finding data.police.uk monthly files: in a folder tree (links inside it followed), in zip archives, or both,
within limits (regular files only, no link out of the folder, at most MAX_FILES files), each month once: a
second file of the same month with the same bytes under another name is set aside and reported.
"""
from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path

from pipeline.errors import InputDataError
from pipeline.inputs.sources import TableSource

FILE_PATTERN = re.compile(r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes)\.csv(\.gz)?$")
NOT_CSV_PATTERN = re.compile(r"\d{4}-\d{2}-[a-z0-9-]+-(street|outcomes)\.(?!csv(\.gz)?$)[\w.]+$")

MAX_FILES = 100_000  # a police.uk folder of ten years of 43 forces holds about 10,000 monthly files


def files_under(root: Path) -> list[Path]:
    """Every regular file below `root`, following symbolic links to folders inside it, each real folder visited
    once; a link to a folder outside it is refused (InputDataError), and devices, pipes and sockets are left out.
    More than MAX_FILES files: refused (the configuration probably names the wrong folder, such as '/')."""
    seen, found = set(), []
    top = Path(os.path.realpath(root))
    for folder, folders, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if not Path(real).is_relative_to(top):
            raise InputDataError(folder, f"is a link to {real}, outside the police.uk folder {root}: links are not "
                                 "followed out of the folder (a link to '/' or '/proc' would walk the machine).",
                                 "copy or move the month's files into the police.uk folder, or point 'police_uk' at "
                                 "a folder that holds them all.")
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        for name in files:
            path = Path(folder) / name
            if path.is_file():  # follows a link; a device, pipe or socket (or a link to one) is not a file
                found.append(path)
        if len(found) > MAX_FILES:
            raise InputDataError(root, f"holds more than {MAX_FILES:,} files: it is not a folder of police.uk files.",
                                 "point 'police_uk' in the configuration at the folder (or zip) of the force's "
                                 "monthly files.")
    return sorted(found)


def discover(root: Path) -> dict[str, list[TableSource]]:
    """Monthly street and outcomes files under `root`, from folders (links followed) and zip archives, by kind."""
    found: dict[str, dict[str, TableSource]] = {"street": {}, "outcomes": {}}
    if not root.exists():
        raise InputDataError(root, "police.uk folder not found.",
                             "download the force's files from data.police.uk and put the zip or folders here.")
    every = files_under(root)
    candidates: list[TableSource] = [TableSource(p) for p in every if FILE_PATTERN.search(p.name)]
    for archive in [p for p in every if p.suffix.lower() == ".zip"]:
        try:
            with zipfile.ZipFile(archive) as handle:
                names = sorted(handle.namelist())
        except (zipfile.BadZipFile, OSError) as error:
            raise InputDataError(archive, f"the zip archive cannot be opened ({error}).",
                                 "download it again from data.police.uk (a partial download is truncated).") from None
        inner = [name for name in names if name.lower().endswith(".zip")]
        if inner and not any(FILE_PATTERN.search(name.rsplit("/", 1)[-1]) for name in names):
            raise InputDataError(archive, f"holds another zip archive ({inner[0]}), not the monthly CSV files.",
                                 "unzip the inner archive into the police.uk folder.")
        candidates += [TableSource(archive, member) for member in names
                       if FILE_PATTERN.search(member.rsplit("/", 1)[-1])]
    for path in every:
        if NOT_CSV_PATTERN.search(path.name):
            raise InputDataError(path, "a police.uk monthly file that is not a CSV cannot be read.",
                                 "use the CSV files exactly as downloaded from data.police.uk (or their zip archive).")
    for source in candidates:
        match = FILE_PATTERN.search(source.name)
        key = source.name
        if key in found[match["kind"]]:
            raise InputDataError(source.label, f"the month file {key} is supplied twice "
                                 f"(also {found[match['kind']][key].label}).", "keep one copy of each monthly file.")
        found[match["kind"]][key] = source
    listed = {kind: [files[name] for name in sorted(files)] for kind, files in found.items()}
    duplicates = []
    for kind in ("street", "outcomes"):
        listed[kind], dropped = _without_copies(listed[kind])
        duplicates += dropped
    return listed | {"duplicates": duplicates}


def _size(source: TableSource) -> int:
    if source.member is None:
        return source.path.stat().st_size
    with zipfile.ZipFile(source.path) as archive:
        return archive.getinfo(source.member).file_size


def _without_copies(sources: list[TableSource]) -> tuple[list[TableSource], list[tuple[TableSource, TableSource]]]:
    """The sources less any that repeats, byte for byte, another file of the same month under another name (a
    month downloaded twice, or saved under another force's name): its crimes would be dropped as repeated Crime
    IDs, but its ASB rows, which carry no ID, would be counted twice. Returns (kept, [(copy, kept original)]).
    Only files of one month and one size are read to compare."""
    by_month_size: dict[tuple[str, int], list[TableSource]] = {}
    for source in sources:
        by_month_size.setdefault((file_month(source), _size(source)), []).append(source)
    copies: list[tuple[TableSource, TableSource]] = []
    for group in by_month_size.values():
        seen: dict[str, TableSource] = {}
        for source in group if len(group) > 1 else ():
            digest = hashlib.sha256(source.read_bytes()).hexdigest()
            if digest in seen:
                copies.append((source, seen[digest]))
            else:
                seen[digest] = source
    dropped = {id(copy) for copy, _ in copies}
    return [source for source in sources if id(source) not in dropped], copies


def file_month(source: TableSource) -> str:
    return FILE_PATTERN.search(source.name)["month"]

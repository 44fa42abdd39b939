"""Incremental ingest: when the raw folder has only gained police.uk months after those of an earlier ingest of the
same assessment (and perhaps rows at the end of a partner extract), read only the new files and add their rows to
that ingest's tables, making exactly what a full ingest of the same files makes (tests/test_incremental_ingest.py).

A full ingest reads police.uk files in name order, so a later month's rows come after every earlier row: its rows
are checked alone, as a full ingest checks them, and appended. What depends on every row is made again: the period
columns (from the period end), the geography (an LSOA the ward lookup lacks is placed by the median of its records,
kept for that in located_points.parquet) and the ward, district and zone columns from it. A partner extract that
gained rows is read again whole (the checks of repeated identifiers and dominant identifiers see every row); an
unchanged one is taken from the earlier ingest. Anything a full ingest could make differently falls back to one,
with the reason said: a changed or removed file, a new file that is not a later police.uk month, a Crime ID of a new
month already read, notes on the police.uk rows (a note describes every row), rows due out of the future, or a
changed configuration, code or key.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.fileio import neutralised, write_text
from pipeline.inputs import police_uk
from pipeline.inputs.config import AssessmentConfig
from pipeline.inputs.partner_extracts import CONTRACTS, find_extract
from pipeline.inputs.pseudonymise import load_key
from pipeline.inputs.reference import Reference, district_denominators
from pipeline.inputs.sources import TableSource
from pipeline.paths import resolve
from pipeline.stages.cache import Fingerprint, file_label
from pipeline.stages.ingest_steps import (STATIC_TABLES, Area, IngestResult, ingest_extract, points_placing_lsoas,
                                          with_geography, with_outside, with_period, write_folder)

CANDIDATES = 3  # the newest earlier ingests tried as a base
POLICE_SOURCES = {"street": ("police.uk street", "police_uk_street", "crimes"),
                  "outcomes": ("police.uk outcomes", "police_uk_outcomes", "outcomes")}


class FullIngestNeeded(Exception):
    """Raised while reading the new files when they would make a full ingest differ: say why."""


@dataclass
class Plan:
    base: Path
    facts: dict
    files: dict[str, list]  # police_uk.discover of the raw folder now
    new: dict[str, list[TableSource]]  # the new police.uk files, by kind
    grown: list[str]  # partner extracts that gained rows at their end

    def describe(self) -> str:
        months = sorted({police_uk.file_month(s) for sources in self.new.values() for s in sources})
        count = sum(len(sources) for sources in self.new.values())
        read = [f"read only {count} new police.uk file{'s' * (count != 1)}"
                + (f" ({', '.join(months)})" if months else "")]
        read += [f"{name} again (it gained rows at its end)" for name in self.grown]
        return f"incremental: {'; '.join(read)}, on the ingest for {self.facts['period_end']}"


def resume_facts(config: AssessmentConfig, raw_dir: Path, files: dict[str, list]) -> dict:
    """What a later incremental ingest needs to know of this one's inputs."""
    months = [police_uk.file_month(s) for kind in POLICE_SOURCES for s in files[kind]]
    partner_dir = config.raw_path(config.partner_dir, raw_dir) if config.partner_dir else None
    extracts = [path for contract in CONTRACTS.values() if (path := find_extract(partner_dir, contract))]
    return {"police_uk_last_month": max(months, default=None),
            "partner_extract_bytes": {file_label(path, raw_dir): path.stat().st_size for path in extracts}}


def plan(config: AssessmentConfig, raw_dir: Path, processed_root: Path, period_end: pd.Period,
         current: Fingerprint) -> Plan | str:
    """A plan to build on one of the newest earlier ingests, or why a full ingest is needed ('' when there is no
    earlier ingest)."""
    folder = resolve(config.name, processed_root)
    earlier = sorted((path for path in folder.glob("*/ingest.json")), reverse=True) if folder.is_dir() else []
    reasons = []
    for path in earlier[:CANDIDATES]:
        try:
            facts = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        outcome = _plan_on(path.parent, facts, config, raw_dir, current)
        if isinstance(outcome, Plan):
            return outcome
        reasons.append(outcome)
    return reasons[0] if reasons else ""  # no earlier ingest to build on


def _plan_on(base: Path, facts: dict, config: AssessmentConfig, raw_dir: Path, current: Fingerprint) -> Plan | str:
    on = f"the ingest for {facts.get('period_end')}"
    if facts.get("ingest_mode") is None or not (base / "located_points.parquet").is_file():
        return f"{on} was made before incremental ingest"
    for field, value, what in (("config_sha256", current.config, "configuration"), ("code_sha256", current.code,
                               "pipeline code"), ("key_fingerprint", current.key, "pseudonymisation key")):
        if facts.get(field) != value:
            return f"the {what} changed since {on}"
    if any(pd.Timestamp(due) <= pd.Timestamp.now() for due in facts.get("future_rows_due_by_source", {}).values()):
        return f"rows {on} rejected as in the future are due now"
    sizes, before = facts.get("partner_extract_bytes", {}), facts.get("input_files_sha256", {})
    partner_dir = config.raw_path(config.partner_dir, raw_dir) if config.partner_dir else None
    extracts = {file_label(path, raw_dir): contract.name for contract in CONTRACTS.values()
                if (path := find_extract(partner_dir, contract))}
    grown, changed = [], []
    for label, digest in before.items():
        if current.files.get(label) == digest:
            continue
        if label in sizes and label in extracts and _grew(raw_dir / label, sizes[label], digest):
            grown.append(extracts[label])
        else:
            changed.append(f"{label} {'changed' if label in current.files else 'removed'}")
    if changed:
        return f"{', '.join(changed[:3])} since {on}"
    files = police_uk.discover(config.raw_path(config.police_uk_dir, raw_dir))
    if files["duplicates"]:
        return "a police.uk month is supplied twice (its notes describe every row)"
    added = set(current.files) - set(before)
    new = {kind: [s for s in files[kind] if file_label(s.path, raw_dir) in added] for kind in POLICE_SOURCES}
    other = sorted(added - {file_label(s.path, raw_dir) for sources in new.values() for s in sources})
    if other:
        return f"{other[0]} is new and not a police.uk month"
    last = facts.get("police_uk_last_month") or ""
    early = sorted(s.name for sources in new.values() for s in sources if police_uk.file_month(s) <= last)
    if early:
        return f"new police.uk file {early[0]} is not after the last month of {on} ({last})"
    quality = pd.read_csv(base / "data_quality.csv", keep_default_na=False).set_index("source")
    noted = [source for source, _, _ in POLICE_SOURCES.values()
             if quality.loc[source, "note"] not in ("", "no outcomes files supplied")]
    if noted:
        return f"{on} has notes on the {noted[0]} rows (a note describes every row)"
    return Plan(base, facts, files, new, grown)


def _grew(path: Path, size: int, digest: str) -> bool:
    """True when the file's first `size` bytes are the file the earlier ingest read."""
    if not path.is_file() or path.stat().st_size <= size:
        return False
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read(size)).hexdigest() == digest


def ingest_into(out: Path, plan: Plan, config: AssessmentConfig, period_end: pd.Period, raw_dir: Path,
                key_facts: Future[Fingerprint], read=police_uk.read_area,
                reference: Reference | None = None) -> IngestResult:
    """The processed folder of a full ingest of the raw folder, from the plan's base and its new files."""
    base = plan.base
    names = ["crimes", "outcomes", "located_points",
             *(name for name in CONTRACTS if (base / f"{name}.parquet").is_file())]
    with ThreadPoolExecutor(2) as pool:  # pyarrow reads the earlier tables while the reference files are read
        reading = {name: pool.submit(pd.read_parquet, base / f"{name}.parquet") for name in names}
        reference = reference or Reference.load(config.raw_path(config.reference_dir, raw_dir))
        earlier = {name: future.result() for name, future in reading.items()}
    area = Area.of(config, reference, raw_dir)
    raw = {kind: read(plan.new[kind], columns, area.filter)
           for kind, columns in (("street", police_uk.STREET_COLUMNS), ("outcomes", police_uk.OUTCOME_COLUMNS))}
    points = _joined([earlier["located_points"], police_uk.located_points(raw["street"][0], area.code_map)])
    geography = area.geography(reference, points)
    quality = pd.read_csv(base / "data_quality.csv", keep_default_na=False).set_index("source", drop=False)
    old = {name: earlier[name] for name in ("crimes", "outcomes")}
    _no_repeated_ids(base, old["crimes"], raw["street"][0])
    cleaners = {"street": police_uk.clean_street, "outcomes": police_uk.clean_outcomes}
    tables, rows = {}, []
    for kind, (source, rejects_name, table) in POLICE_SOURCES.items():
        frame, outside = raw[kind]
        screen = cleaners[kind](frame, area.code_map, geography, period_end)
        if screen.notes:
            raise FullIngestNeeded(f"the new {source} rows have notes ({'; '.join(screen.notes)[:200]})")
        kept = police_uk.add_zones(screen.kept, area.zones, area.codes) if kind == "street" else screen.kept
        before = _placed_again(old[table], geography, area, period_end) if kind == "street" else old[table]
        tables[table] = _joined([before, kept])
        rows.append(_added(quality.loc[source].to_dict(), with_outside(screen.summary(), outside),
                           len(plan.files[kind])))
        _append_rejects(base / "rejects" / f"{rejects_name}.csv", screen.rejects, out / "rejects" / f"{rejects_name}.csv")
    tables["located_points"] = points_placing_lsoas(points, geography)
    partner, facts = _partner_tables(plan, config, raw_dir, area, geography, period_end, quality, out, earlier)
    tables |= partner["tables"] | {"geography": geography, "denominators": district_denominators(reference, geography)}
    for name in STATIC_TABLES:
        shutil.copyfile(base / f"{name}.parquet", out / f"{name}.parquet")
    facts |= {"period_end": str(period_end), "ingest_mode": "incremental", "incremental_on": plan.facts["period_end"],
              **resume_facts(config, raw_dir, plan.files), **key_facts.result().as_dict()}
    quality_frame = write_folder(out, tables, partner["rejects"], [*rows, *partner["quality"]], facts)
    result = IngestResult(out, period_end, quality_frame, facts["missing_extracts"])
    result.reason = plan.describe()
    return result


def _joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([frame for frame in frames if len(frame)] or frames[:1], ignore_index=True)


def _no_repeated_ids(base: Path, crimes: pd.DataFrame, street: pd.DataFrame) -> None:
    """A new month's Crime ID already read (kept or rejected) would be judged against the earlier row."""
    new = pd.Index(street["Crime ID"].str.strip().unique() if len(street) else []).difference([""])
    rejected = pd.read_csv(base / "rejects" / "police_uk_street.csv", dtype=str, keep_default_na=False)
    rejected_ids = rejected.get("Crime ID", pd.Series(dtype=str)).str.strip().str.lstrip("'")
    repeated = sorted(set(crimes.loc[crimes["crime_id"].isin(new), "crime_id"]) | set(rejected_ids[rejected_ids.isin(new)]))
    if repeated:
        also = f" and {len(repeated) - 1:,} more" if len(repeated) > 1 else ""
        raise FullIngestNeeded(f"a Crime ID of the new months was read before ({repeated[0]}{also})")


def _placed_again(crimes: pd.DataFrame, geography: pd.DataFrame, area: Area, period_end: pd.Period) -> pd.DataFrame:
    """Earlier crimes with their period, ward, district and zone columns made as a full ingest makes them now."""
    geo = geography.set_index("lsoa21")
    lsoa = crimes["lsoa21"]
    placed = crimes.assign(**{column: lsoa.map(geo[column]).fillna("") for column in
                              ("lsoa21_name", "ward_code", "ward_name", "district_code", "district_name")})
    distinct = placed["month"].unique()  # parsed once per month, not once per row
    months = placed["month"].map(dict(zip(distinct, pd.PeriodIndex(distinct, freq="M")))).astype(pd.PeriodDtype("M"))
    placed = with_period(placed, months, period_end)
    return police_uk.add_zones(placed.astype({"years_back": "int64"}), area.zones, area.codes)


def _added(before: dict, new: dict, files: int) -> dict:
    """A police.uk source's data-quality row with the new files' rows added."""
    counts = ("rows_in", "rows_outside_area", "rows_kept", "rows_rejected")
    return before | {column: int(before[column]) + int(new[column]) for column in counts} | {
        "files": files, "note": "" if files else before["note"]}


def _append_rejects(before: Path, new: pd.DataFrame, target: Path) -> None:
    """The earlier rejects with the new rows at the end, as the same CSV a full ingest writes: rejects are in file
    order with one set of columns (pipeline.inputs.validators.RowScreen.rejects)."""
    text = before.read_text(encoding="utf-8")
    if new.empty:
        write_text(text, target)
        return
    written = neutralised(new).to_csv(index=False, lineterminator="\n")
    header, _, rows = written.partition("\n")
    old_header, _, old_rows = text.partition("\n")
    if not old_rows:
        write_text(written, target)
    elif header != old_header:
        raise FullIngestNeeded("the new rejected rows have other columns than the earlier ones")
    else:
        write_text(text + rows, target)


def _partner_tables(plan: Plan, config: AssessmentConfig, raw_dir: Path, area: Area, geography: pd.DataFrame,
                    period_end: pd.Period, quality: pd.DataFrame, out: Path,
                    earlier: dict[str, pd.DataFrame]) -> tuple[dict, dict]:
    """Each partner extract's table, rejects and data-quality row: read again if it grew, else the earlier ingest's
    with its period and place columns made again; and the facts about them."""
    facts = {key: value for key, value in plan.facts.items() if key not in ("cache_key",)}
    partner_dir = config.raw_path(config.partner_dir, raw_dir) if config.partner_dir else None
    made = {"tables": {}, "rejects": {}, "quality": []}
    dues = dict(facts.get("future_rows_due_by_source", {}))
    key = None
    for contract in CONTRACTS.values():
        path = find_extract(partner_dir, contract)
        made["quality"].append(quality.loc[contract.name].to_dict())
        if path is None:
            continue
        if contract.name not in plan.grown:
            shutil.copyfile(plan.base / "rejects" / f"{contract.name}.csv", _in(out / "rejects", contract.name))
            if contract.name in earlier:
                made["tables"][contract.name] = _dated_again(earlier[contract.name], contract, geography, area,
                                                             period_end)
            continue
        if key is None and contract.identifies_people:
            key, _ = load_key(config.synthetic)
        extract = ingest_extract(contract, path, area, geography, key, period_end, config)
        made["rejects"][contract.name] = extract.rejects
        made["quality"][-1] = extract.summary
        dues.pop(contract.name, None)
        dues |= {contract.name: extract.clock_due.isoformat()} if extract.clock_due is not None else {}
        for name, value in (("absent_columns", extract.absent), ("unusable_extracts", extract.unusable)):
            facts[name] = {k: v for k, v in facts[name].items() if k != contract.name} | (
                {contract.name: value} if value else {})
        made["tables"] |= {contract.name: extract.table} if extract.table is not None else {}
    facts |= {"future_rows_due_by_source": dues, "future_rows_due": min(dues.values(), default=None)}
    return made, facts


def _in(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.csv"


def _dated_again(table: pd.DataFrame, contract, geography: pd.DataFrame, area: Area,
                 period_end: pd.Period) -> pd.DataFrame:
    table = with_period(table, table[contract.date_column].dt.to_period("M"), period_end)
    lsoa_column = next((c.name for c in contract.columns if c.kind == "lsoa"), None)
    return with_geography(table, geography, area, lsoa_column) if lsoa_column else table

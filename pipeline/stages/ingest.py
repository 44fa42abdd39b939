"""Ingest, the first stage of every run: read every source, check it, map it to 2021 LSOAs, wards,
districts and zones, and write Parquet tables to data/processed/<assessment>/<period end>/, rejected rows with
reasons, and a data-quality summary in which rows in = rows kept + rows rejected for every source.

Chapters read only these tables. The stage is cached by content (pipeline.stages.cache): an unchanged
key reuses the tables. When the folder has only gained police.uk months after the last ingest's, or a partner extract
only rows at its end, the ingest is incremental (pipeline.stages.incremental): only the new files are read and the
tables equal a full ingest's. Any other change of an input file, the configuration or the code ingests again in full;
the run says which it did and why.
"""
from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError, InputDataError
from pipeline.fileio import exclusive_lock, remove_stale, replace_dir, staging_dir
from pipeline.inputs import police_uk
from pipeline.inputs.config import AssessmentConfig
from pipeline.inputs.partner_extracts import CONTRACTS, find_extract
from pipeline.inputs.pseudonymise import load_key
from pipeline.inputs.reference import Reference
from pipeline.paths import PROCESSED_DIR, RAW_DIR, resolve
from pipeline.stages import incremental
from pipeline.stages.cache import Fingerprint, fingerprint, why_not_reused
from pipeline.stages.ingest_steps import (Area, IngestResult, ingest_extract, input_tables, own_forces,
                                          points_placing_lsoas, with_outside, write_folder)


def months_available(config: AssessmentConfig, raw_dir: Path = RAW_DIR) -> tuple[pd.Period, pd.Period]:
    """The first and last months with a police.uk street file of the partnership's own police force (by the
    force in the file's name and the ONS lookup of its districts' force area); of any force when none matches.
    A neighbouring force's later month would otherwise make the default year end in a month with no data of the
    partnership's own."""
    folder = config.raw_path(config.police_uk_dir, raw_dir)
    files = police_uk.discover(folder)["street"]
    if not files:
        raise InputDataError(folder, "no police.uk street files found.",
                             "files must be named YYYY-MM-<force>-street.csv (as data.police.uk names them).")
    forces = own_forces(config, raw_dir)
    own = [f for f in files if any(_same_force(police_uk.FILE_PATTERN.search(f.name)["force"], force)
                                   for force in forces)]
    months = sorted(police_uk.file_month(f) for f in own or files)
    return pd.Period(months[0], freq="M"), pd.Period(months[-1], freq="M")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", "and")).strip("-")


def _same_force(file_force: str, force_area: str) -> bool:
    """A police.uk file's force ('metropolitan', 'devon-and-cornwall') and an ONS force area name ('Metropolitan
    Police', 'Devon & Cornwall') name the same force."""
    area = _slug(force_area)
    return file_force == area or area.startswith(file_force + "-") or file_force.startswith(area + "-")


def latest_month(config: AssessmentConfig, raw_dir: Path = RAW_DIR) -> pd.Period:
    """The latest month with a police.uk street file: the default period end."""
    return months_available(config, raw_dir)[1]


def read_facts(processed_dir: Path) -> dict:
    path = processed_dir / "ingest.json"
    try:
        return json.loads(path.read_text()) if path.exists() else {}
    except json.JSONDecodeError:
        return {}


def ensure_ingested(config: AssessmentConfig, period_end: pd.Period, raw_dir: Path = RAW_DIR,
                    processed_root: Path = PROCESSED_DIR, force: bool = False, read=police_uk.read_area,
                    reference: Reference | None = None) -> IngestResult:
    """Reuse the processed tables when they were made from exactly these inputs; else ingest. `reference`: the
    ONS tables already loaded from this configuration's reference folder (a batch loads them once)."""
    final = processed_dir_for(config, period_end, processed_root)
    current, previous = fingerprint(config, Path(raw_dir), period_end), read_facts(final)
    reason = "forced (--force)" if force else why_not_reused(previous, current) or _clock_passed(previous)
    if reason is None:
        quality = pd.read_csv(final / "data_quality.csv", keep_default_na=False)
        return IngestResult(final, period_end, quality, previous.get("missing_extracts", []), True,
                            "inputs, configuration, code and period end unchanged")
    plan = None if force else incremental.plan(config, Path(raw_dir), processed_root, period_end, current)
    result = run_ingest(config, period_end, raw_dir, processed_root, current, read, reference,
                        plan if isinstance(plan, incremental.Plan) else None)
    result.reason = f"{reason}; {result.reason or 'full ingest: ' + plan}" if plan else reason
    return result


def clock() -> pd.Timestamp:
    return pd.Timestamp.now()


def _clock_passed(facts: dict) -> str | None:
    """Why to ingest again although no input changed: a row rejected as in the future is not in the future now."""
    due = facts.get("future_rows_due")
    if due and pd.Timestamp(due) <= clock():
        return f"rows rejected as in the future are due now ({due})"
    return None


def processed_dir_for(config: AssessmentConfig, period_end: pd.Period | str,
                      processed_root: Path = PROCESSED_DIR) -> Path:
    """data/processed/<assessment>/<period end>: each period end keeps its own ingest, so assessing two period ends
    in turn reuses both, and a run for one never replaces the tables another run's chapters are reading."""
    return resolve(config.name, processed_root) / str(period_end)


def run_ingest(config: AssessmentConfig, period_end: pd.Period | str | None = None, raw_dir: Path = RAW_DIR,
               processed_root: Path = PROCESSED_DIR, key: Fingerprint | None = None,
               read=police_uk.read_area, reference: Reference | None = None,
               plan: incremental.Plan | None = None) -> IngestResult:
    """Ingest every source into data/processed/<assessment>/<period end>/. The folder is built beside its final place and
    swapped in when complete, under a lock: a killed run leaves the previous folder (or none), never a part.
    `read` reads the police.uk files (pipeline.inputs.shared_read.SharedRead shares one reading between
    partnerships). With a `plan`, only its new files are read, unless they turn out to need a full ingest."""
    raw_dir = Path(raw_dir)
    period_end = pd.Period(period_end, freq="M") if period_end else latest_month(config, raw_dir)
    final = processed_dir_for(config, period_end, processed_root)
    with exclusive_lock(final, f"ingest of {config.name} for {period_end}"), ThreadPoolExecutor(1) as hashing:
        # Hashing the inputs for the cache key (GIL released) overlaps with reading them.
        key_facts = hashing.submit(lambda: key or fingerprint(config, raw_dir, period_end))
        remove_stale(final.parent, final.name)
        staging = staging_dir(final)
        try:
            result, why_full = None, ""
            if plan is not None:
                try:
                    result = incremental.ingest_into(staging, plan, config, period_end, raw_dir, key_facts, read,
                                                     reference)
                except incremental.FullIngestNeeded as why:
                    why_full = f"full ingest: {why}"
                    shutil.rmtree(staging)
                    staging = staging_dir(final)
            if result is None:
                result = _ingest_into(staging, config, period_end, raw_dir, key_facts, read, reference)
                result.reason = why_full
            replace_dir(staging, final)
        except BaseException:  # an input error, a full disk, an interrupt: no half-built folder is left
            shutil.rmtree(staging, ignore_errors=True)
            raise
    result.processed_dir = final
    return result




def _ingest_into(out: Path, config: AssessmentConfig, period_end: pd.Period, raw_dir: Path,
                 key_facts: Future[Fingerprint], read=police_uk.read_area,
                 reference: Reference | None = None) -> IngestResult:
    reference = reference or Reference.load(config.raw_path(config.reference_dir, raw_dir))
    area = Area.of(config, reference, raw_dir)
    files = police_uk.discover(config.raw_path(config.police_uk_dir, raw_dir))
    street_raw, street_outside = read(files["street"], police_uk.STREET_COLUMNS, area.filter)
    points = police_uk.located_points(street_raw, area.code_map)
    geography = area.geography(reference, points)
    _check_zones(config, geography)

    quality, rejects = [], {}
    street = police_uk.clean_street(street_raw, area.code_map, geography, period_end)
    street.kept = police_uk.add_zones(street.kept, area.zones, area.codes)
    tables = {"crimes": street.kept, "located_points": points_placing_lsoas(points, geography)}
    copies = [f"{copy.name} is a copy of {original.name} (the same bytes): read once"
              for copy, original in files["duplicates"]]
    street_summary = with_outside(street.summary(), street_outside) | {"files": len(files["street"])}
    if copies:
        street_summary["note"] = "; ".join(filter(None, [street_summary.get("note", ""), *copies]))
    warnings = list(copies)  # said by the run as it starts, and kept in ingest.json
    quality.append(street_summary)
    rejects["police_uk_street"] = street.rejects

    outcomes_raw, outcomes_outside = read(files["outcomes"], police_uk.OUTCOME_COLUMNS, area.filter)
    outcomes = police_uk.clean_outcomes(outcomes_raw, area.code_map, geography, period_end)
    tables["outcomes"] = outcomes.kept
    quality.append(with_outside(outcomes.summary(), outcomes_outside) | {"files": len(files["outcomes"]),
                                        "note": "" if files["outcomes"] else "no outcomes files supplied"})
    rejects["police_uk_outcomes"] = outcomes.rejects

    partner_dir = config.raw_path(config.partner_dir, raw_dir) if config.partner_dir else None
    missing, unusable, absent_columns, clock_due = [], {}, {}, {}
    key, key_origin = None, "not needed (no person identifiers supplied)"
    for contract in CONTRACTS.values():
        path = find_extract(partner_dir, contract)
        if path is None:
            missing.append(contract.name)
            quality.append({"source": contract.name, "rows_in": 0, "rows_outside_area": 0, "rows_kept": 0,
                            "rows_rejected": 0, "files": 0, "note": "not supplied"})
            continue
        if key is None and contract.identifies_people:
            key, key_origin = load_key(config.synthetic)
        extract = ingest_extract(contract, path, area, geography, key, period_end, config)
        rejects[contract.name] = extract.rejects
        clock_due |= {contract.name: extract.clock_due.isoformat()} if extract.clock_due is not None else {}
        absent_columns |= {contract.name: extract.absent} if extract.absent else {}
        unusable |= {contract.name: extract.unusable} if extract.unusable else {}
        tables |= {contract.name: extract.table} if extract.table is not None else {}
        quality.append(extract.summary)

    if partner_dir is not None and len(missing) == len(CONTRACTS):
        present = sorted(path.name for path in partner_dir.iterdir())[:5] if partner_dir.is_dir() else []
        warnings.append(f"the partner folder {partner_dir} holds none of the extracts ("
                        + (f"files there: {', '.join(present)}" if present else "it is empty or missing")
                        + "): is 'partner_dir' in the configuration the right folder?")
    static, weighting, absent = input_tables(config, raw_dir, reference, geography)
    static["peer_groups"] = area.peers
    from pipeline.inputs.boundaries import load_boundaries  # geopandas, shapely and pyproj: only when ingesting

    load_boundaries(config.raw_path(config.boundaries_dir, raw_dir)).to_parquet(out / "boundaries.parquet")
    run_facts = {"assessment": config.name, "period_end": str(period_end), "missing_extracts": missing,
                 "unusable_extracts": unusable, "absent_columns": absent_columns, "warnings": warnings,
                 "future_rows_due": min(clock_due.values(), default=None), "future_rows_due_by_source": clock_due,
                 "missing_health_indicators": absent, "synthetic": config.synthetic,
                 "pseudonymisation_key": key_origin, "harm_weighting": weighting.facts() if weighting else None,
                 "ingest_mode": "full", **incremental.resume_facts(config, raw_dir, files), **key_facts.result().as_dict()}
    quality_frame = write_folder(out, tables | static, rejects, quality, run_facts)
    return IngestResult(out, period_end, quality_frame, missing)


def _check_zones(config: AssessmentConfig, geography: pd.DataFrame) -> None:
    known = set(geography["lsoa21"])
    for zone, codes in config.zones.items():
        unknown = sorted(set(codes) - known)
        if unknown:
            raise ConfigError(config.path, f"key 'zones.{zone}' lists LSOA codes that are not in the ONS 2021 LSOA "
                              f"lookup: {unknown}.", "use 2021 LSOA codes (E01... from the ONS lookup in reference/).")

"""Ingest, the first stage of every run: read every source, check it, map it to 2021 LSOAs, wards,
districts and zones, and write Parquet tables to data/processed/<assessment>/<period end>/, rejected rows with
reasons, and a data-quality summary in which rows in = rows kept + rows rejected for every source.

Chapters read only these tables. The stage is cached by content (pipeline.stages.cache): an unchanged
key reuses the tables; a changed input file, configuration, code or period end ingests again.
"""
from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError, InputDataError
from pipeline.fileio import exclusive_lock, remove_stale, replace_dir, staging_dir, write_csv, write_parquet
from pipeline.inputs import police_uk
from pipeline.inputs.config import AssessmentConfig
from pipeline.inputs.fingertips import load_indicators
from pipeline.inputs.harm_weights import load_weighting, weights_tables
from pipeline.inputs.partner_extracts import CONTRACTS, clean_extract, find_extract, read_extract
from pipeline.inputs.pseudonymise import load_key
from pipeline.inputs.reference import (Reference, build_geography, district_denominators, load_offence_codes,
                                       load_population_by_age, lsoa21_districts)
from pipeline.paths import PROCESSED_DIR, RAW_DIR, resolve
from pipeline.stages.cache import Fingerprint, fingerprint, why_not_reused


@dataclass
class IngestResult:
    processed_dir: Path
    period_end: pd.Period
    quality: pd.DataFrame
    missing_extracts: list[str]
    reused: bool = False
    reason: str = ""


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


def own_forces(config: AssessmentConfig, raw_dir: Path) -> list[str]:
    """The police force areas of the partnership's districts (empty when the ONS lookup is not there)."""
    from pipeline.inputs.partnerships import LOOKUP_FILE
    from pipeline.inputs.reference import read_reference_table

    path = config.raw_path(config.reference_dir, raw_dir) / LOOKUP_FILE
    if not path.is_file():
        return []
    lookup = read_reference_table(path)
    if not {"LAD23CD", "PFA23NM"} <= set(lookup.columns):
        return []
    return sorted(set(lookup.loc[lookup["LAD23CD"].isin(config.area_codes), "PFA23NM"]))


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
    result = run_ingest(config, period_end, raw_dir, processed_root, current, read, reference)
    result.reason = reason
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


def _geography_columns(frame: pd.DataFrame, geography: pd.DataFrame, zones: dict[str, list[str]], area: list[str],
                       lsoa_column: str) -> pd.DataFrame:
    geo = geography.set_index("lsoa21")
    lsoa = frame[lsoa_column].fillna("")
    frame = frame.assign(lsoa21=lsoa, ward_name=lsoa.map(geo["ward_name"]).fillna(""),
                         district_code=lsoa.map(geo["district_code"]).fillna(""))
    return police_uk.add_zones(frame, zones, area)


QUALITY_COLUMNS = ["source", "files", "rows_in", "rows_outside_area", "rows_kept", "rows_rejected", "note"]


def _with_outside(summary: dict, outside: int) -> dict:
    """A source's counts with the rows read outside the assessed districts: rows in = outside + kept + rejected."""
    return summary | {"rows_in": summary["rows_in"] + outside, "rows_outside_area": outside}


MOSTLY_REJECTED = 0.5  # a source with more than this share of its rows rejected is unusable


def unusable_reason(summary: dict, rejects: pd.DataFrame) -> str:
    """Why a mostly rejected source cannot be used ('' when it can): the counts and the most common rule."""
    if not summary["rows_in"] or summary["rows_rejected"] <= MOSTLY_REJECTED * summary["rows_in"]:
        return ""
    rule = rejects["reject_rule"].value_counts().index[0]
    example = rejects.loc[rejects["reject_rule"] == rule, "reject_reason"].iloc[0]
    return (f"{summary['rows_rejected']:,} of {summary['rows_in']:,} rows rejected, most by rule '{rule}' "
            f"(e.g. {example})")


def run_ingest(config: AssessmentConfig, period_end: pd.Period | str | None = None, raw_dir: Path = RAW_DIR,
               processed_root: Path = PROCESSED_DIR, key: Fingerprint | None = None,
               read=police_uk.read_area, reference: Reference | None = None) -> IngestResult:
    """Ingest every source into data/processed/<assessment>/<period end>/. The folder is built beside its final place and
    swapped in when complete, under a lock: a killed run leaves the previous folder (or none), never a part.
    `read` reads the police.uk files (pipeline.inputs.shared_read.SharedRead shares one reading between
    partnerships)."""
    raw_dir = Path(raw_dir)
    period_end = pd.Period(period_end, freq="M") if period_end else latest_month(config, raw_dir)
    final = processed_dir_for(config, period_end, processed_root)
    with exclusive_lock(final, f"ingest of {config.name} for {period_end}"), ThreadPoolExecutor(1) as hashing:
        # Hashing the inputs for the cache key (GIL released) overlaps with reading them.
        key_facts = hashing.submit(lambda: key or fingerprint(config, raw_dir, period_end))
        remove_stale(final.parent, final.name)
        staging = staging_dir(final)
        try:
            result = _ingest_into(staging, config, period_end, raw_dir, key_facts, read, reference)
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
    code_map = reference.code_to_lsoa21()

    files = police_uk.discover(config.raw_path(config.police_uk_dir, raw_dir))
    zones, area = {name: list(codes) for name, codes in config.zones.items()}, list(config.area_codes)
    lsoas = lsoa21_districts(reference)
    area_filter = police_uk.AreaFilter(code_map, dict(zip(lsoas["lsoa21"], lsoas["district_code"])),
                                       [*config.area_codes, *config.comparison_codes])
    street_raw, street_outside = read(files["street"], police_uk.STREET_COLUMNS, area_filter)
    geography = police_uk.add_zones(build_geography(reference, police_uk.located_points(street_raw, code_map), lsoas), zones, area)
    unknown_zone_codes = sorted({c for codes in config.zones.values() for c in codes} - set(geography["lsoa21"]))
    for zone, codes in config.zones.items():
        unknown = sorted(set(codes) & set(unknown_zone_codes))
        if unknown:
            raise ConfigError(config.path, f"key 'zones.{zone}' lists LSOA codes that are not in the ONS 2021 LSOA "
                              f"lookup: {unknown}.", "use 2021 LSOA codes (E01... from the ONS lookup in reference/).")

    quality, rejects = [], {}
    street = police_uk.clean_street(street_raw, code_map, geography, period_end)
    street.kept = police_uk.add_zones(street.kept, zones, area)
    tables = {"crimes": street.kept}
    copies = [f"{copy.name} is a copy of {original.name} (the same bytes): read once"
              for copy, original in files["duplicates"]]
    street_summary = _with_outside(street.summary(), street_outside) | {"files": len(files["street"])}
    if copies:
        street_summary["note"] = "; ".join(filter(None, [street_summary.get("note", ""), *copies]))
    warnings = list(copies)  # said by the run as it starts, and kept in ingest.json
    quality.append(street_summary)
    rejects["police_uk_street"] = street.rejects

    outcomes_raw, outcomes_outside = read(files["outcomes"], police_uk.OUTCOME_COLUMNS, area_filter)
    outcomes = police_uk.clean_outcomes(outcomes_raw, code_map, geography, period_end)
    tables["outcomes"] = outcomes.kept
    quality.append(_with_outside(outcomes.summary(), outcomes_outside) | {"files": len(files["outcomes"]),
                                         "note": "" if files["outcomes"] else "no outcomes files supplied"})
    rejects["police_uk_outcomes"] = outcomes.rejects

    partner_dir = config.raw_path(config.partner_dir, raw_dir) if config.partner_dir else None
    missing, unusable, absent_columns, clock_due = [], {}, {}, []
    key, key_origin = None, "not needed (no person identifiers supplied)"
    for contract in CONTRACTS.values():
        path = find_extract(partner_dir, contract)
        if path is None:
            missing.append(contract.name)
            quality.append({"source": contract.name, "rows_in": 0, "rows_outside_area": 0, "rows_kept": 0,
                            "rows_rejected": 0, "files": 0,
                            "note": "not supplied"})
            continue
        if key is None and contract.identifies_people:
            key, key_origin = load_key(config.synthetic)
        screen = clean_extract(read_extract(path, contract), contract, code_map, key, period_end, path.name,
                               config.placeholder_ids)
        lsoa_column = next((c.name for c in contract.columns if c.kind == "lsoa"), None)
        kept = screen.kept
        if lsoa_column:
            kept = _geography_columns(kept, geography, zones, area, lsoa_column)
        rejects[contract.name] = screen.rejects
        if screen.clock_due is not None:
            clock_due.append(screen.clock_due)
        if screen.absent:
            absent_columns[contract.name] = screen.absent
            screen.notes.append(f"columns not in the file (not supplied): {', '.join(screen.absent)}")
        summary = _with_outside(screen.summary(), 0) | {"files": 1}
        reason = unusable_reason(summary, screen.rejects)
        if reason:  # never reported as zeros or empty fields: the table is left out and every chapter says why
            unusable[contract.name] = reason
            summary["note"] = "; ".join(filter(None, [summary.get("note", ""), f"unusable: {reason}"]))
        else:
            tables[contract.name] = kept
        quality.append(summary)

    if partner_dir is not None and len(missing) == len(CONTRACTS):
        present = sorted(path.name for path in partner_dir.iterdir())[:5] if partner_dir.is_dir() else []
        warnings.append(f"the partner folder {partner_dir} holds none of the extracts ("
                      + (f"files there: {', '.join(present)}" if present else "it is empty or missing")
                      + "): is 'partner_dir' in the configuration the right folder?")
    tables["geography"] = geography
    tables["denominators"] = district_denominators(reference, geography)
    tables["population_by_age"] = load_population_by_age(config.raw_path(config.reference_dir, raw_dir),
                                                         (*config.area_codes, *config.comparison_codes))
    indicators, absent = load_indicators(config.raw_path(config.fingertips_dir, raw_dir),
                                         [*config.area_codes, *config.comparison_codes])
    tables["health_indicators"] = indicators
    tables["offence_codes"] = load_offence_codes(config.raw_path(config.home_office_dir, raw_dir))
    weighting = load_weighting(config.raw_path(config.harm_weights, raw_dir) if config.harm_weights else None,
                               config.raw_path(config.home_office_dir, raw_dir), own_forces(config, raw_dir))
    tables |= weights_tables(weighting)
    for name, table in tables.items():
        write_parquet(table.reset_index(drop=True), out / f"{name}.parquet")
    from pipeline.inputs.boundaries import load_boundaries  # geopandas, shapely and pyproj: only when ingesting

    load_boundaries(config.raw_path(config.boundaries_dir, raw_dir)).to_parquet(out / "boundaries.parquet")
    for name, table in rejects.items():
        write_csv(table, out / "rejects" / f"{name}.csv")
    quality_frame = pd.DataFrame(quality)
    quality_frame["note"] = quality_frame["note"].fillna("") if "note" in quality_frame else ""
    quality_frame = quality_frame[QUALITY_COLUMNS]
    write_csv(quality_frame, out / "data_quality.csv")
    run_facts = {"assessment": config.name, "period_end": str(period_end), "missing_extracts": missing,
                 "unusable_extracts": unusable, "absent_columns": absent_columns, "warnings": warnings,
                 "future_rows_due": min(clock_due).isoformat() if clock_due else None,
                 "missing_health_indicators": absent, "synthetic": config.synthetic,
                 "pseudonymisation_key": key_origin, "harm_weighting": weighting.facts() if weighting else None, **key_facts.result().as_dict()}
    (out / "ingest.json").write_text(json.dumps(run_facts, indent=2) + "\n")
    return IngestResult(out, period_end, quality_frame, missing)


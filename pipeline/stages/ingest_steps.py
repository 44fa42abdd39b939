"""The steps a full ingest (pipeline.stages.ingest) and an incremental one (pipeline.stages.incremental) share, so
that both make the same tables from the same rows: the area to read, the geography, one partner extract, the tables
that do not depend on the police rows, and writing the processed folder."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.fileio import write_csv, write_parquet
from pipeline.inputs import police_uk
from pipeline.inputs.config import AssessmentConfig
from pipeline.inputs.fingertips import load_indicators
from pipeline.inputs.harm_weights import load_weighting, weights_tables
from pipeline.inputs.partner_extracts import Contract, clean_extract, read_extract
from pipeline.inputs.partnerships import LOOKUP_FILE, peer_groups
from pipeline.inputs.reference import (LOOKUP_WARD_METHOD, Reference, build_geography, district_denominators,
                                       load_offence_codes, load_population_by_age, lsoa21_districts,
                                       read_reference_table)
from pipeline.methods.periods import assessment_period

QUALITY_COLUMNS = ["source", "files", "rows_in", "rows_outside_area", "rows_kept", "rows_rejected", "note"]
MOSTLY_REJECTED = 0.5  # a source with more than this share of its rows rejected is unusable
# Tables made from input files alone (not from the police or partner rows): an incremental ingest copies them.
STATIC_TABLES = ("population_by_age", "health_indicators", "offence_codes", "harm_weights_by_code",
                 "harm_weights_by_type", "boundaries", "peer_groups")


@dataclass
class IngestResult:
    processed_dir: Path
    period_end: pd.Period
    quality: pd.DataFrame
    missing_extracts: list[str]
    reused: bool = False
    reason: str = ""


@dataclass
class Area:
    """What an assessment reads of the police.uk files and how it places rows."""
    code_map: dict[str, str]
    lsoas: pd.DataFrame
    filter: police_uk.AreaFilter
    zones: dict[str, list[str]]
    codes: list[str]
    peers: pd.DataFrame  # the configured peers' districts (inputs.partnerships.peer_groups), read with the area's

    @classmethod
    def of(cls, config: AssessmentConfig, reference: Reference, raw_dir: Path | None = None) -> "Area":
        code_map, lsoas = reference.code_to_lsoa21(), lsoa21_districts(reference)
        peers = peer_groups(config, config.raw_path(config.reference_dir, raw_dir), raw_dir)
        area_filter = police_uk.AreaFilter(code_map, dict(zip(lsoas["lsoa21"], lsoas["district_code"])),
                                           [*config.area_codes, *config.comparison_codes, *peers["district_code"]])
        return cls(code_map, lsoas, area_filter, {name: list(codes) for name, codes in config.zones.items()},
                   list(config.area_codes), peers)

    def geography(self, reference: Reference, points: pd.DataFrame) -> pd.DataFrame:
        return police_uk.add_zones(build_geography(reference, points, self.lsoas), self.zones, self.codes)


def points_placing_lsoas(points: pd.DataFrame, geography: pd.DataFrame) -> pd.DataFrame:
    """The located points that place LSOAs the ward lookup lacks (build_geography uses their median), kept so that an
    incremental ingest can place them from every record, old and new, as a full ingest does."""
    unplaced = geography.loc[geography["ward_method"].ne(LOOKUP_WARD_METHOD), "lsoa21"]
    return points[points["lsoa21"].isin(unplaced)].reset_index(drop=True)


def own_forces(config: AssessmentConfig, raw_dir: Path) -> list[str]:
    """The police force areas of the partnership's districts (empty when the ONS lookup is not there)."""
    path = config.raw_path(config.reference_dir, raw_dir) / LOOKUP_FILE
    if not path.is_file():
        return []
    lookup = read_reference_table(path)
    if not {"LAD23CD", "PFA23NM"} <= set(lookup.columns):
        return []
    return sorted(set(lookup.loc[lookup["LAD23CD"].isin(config.area_codes), "PFA23NM"]))


def with_outside(summary: dict, outside: int) -> dict:
    """A source's counts with the rows read outside the assessed districts: rows in = outside + kept + rejected."""
    return summary | {"rows_in": summary["rows_in"] + outside, "rows_outside_area": outside}


def unusable_reason(summary: dict, rejects: pd.DataFrame) -> str:
    """Why a mostly rejected source cannot be used ('' when it can): the counts and the most common rule."""
    if not summary["rows_in"] or summary["rows_rejected"] <= MOSTLY_REJECTED * summary["rows_in"]:
        return ""
    rule = rejects["reject_rule"].value_counts().index[0]
    example = rejects.loc[rejects["reject_rule"] == rule, "reject_reason"].iloc[0]
    return (f"{summary['rows_rejected']:,} of {summary['rows_in']:,} rows rejected, most by rule '{rule}' "
            f"(e.g. {example})")


def with_geography(frame: pd.DataFrame, geography: pd.DataFrame, area: Area, lsoa_column: str) -> pd.DataFrame:
    """A partner extract's ward, district and zone columns from its LSOA column."""
    geo = geography.set_index("lsoa21")
    lsoa = frame[lsoa_column].fillna("")
    frame = frame.assign(lsoa21=lsoa, ward_name=lsoa.map(geo["ward_name"]).fillna(""),
                         district_code=lsoa.map(geo["district_code"]).fillna(""))
    return police_uk.add_zones(frame, area.zones, area.codes)


def with_period(frame: pd.DataFrame, months: pd.Series, period_end: pd.Period) -> pd.DataFrame:
    """The period columns (rolling year, years back, current/previous/earlier) of each row for `period_end`."""
    return frame.assign(**assessment_period(months, period_end))


@dataclass
class ExtractResult:
    table: pd.DataFrame | None  # None when the extract is unusable
    rejects: pd.DataFrame
    summary: dict
    absent: list[str] = field(default_factory=list)
    unusable: str = ""
    clock_due: pd.Timestamp | None = None


def ingest_extract(contract: Contract, path: Path, area: Area, geography: pd.DataFrame, key: bytes | None,
                   period_end: pd.Period, config: AssessmentConfig) -> ExtractResult:
    """Read, check, pseudonymise and place one partner extract."""
    screen = clean_extract(read_extract(path, contract), contract, area.code_map, key, period_end, path.name,
                           config.placeholder_ids)
    lsoa_column = next((c.name for c in contract.columns if c.kind == "lsoa"), None)
    kept = with_geography(screen.kept, geography, area, lsoa_column) if lsoa_column else screen.kept
    if screen.absent:
        screen.notes.append(f"columns not in the file (not supplied): {', '.join(screen.absent)}")
    summary = with_outside(screen.summary(), 0) | {"files": 1}
    reason = unusable_reason(summary, screen.rejects)
    if reason:  # never reported as zeros or empty fields: the table is left out and every chapter says why
        summary["note"] = "; ".join(filter(None, [summary.get("note", ""), f"unusable: {reason}"]))
    return ExtractResult(None if reason else kept, screen.rejects, summary, screen.absent, reason, screen.clock_due)


def input_tables(config: AssessmentConfig, raw_dir: Path, reference: Reference, geography: pd.DataFrame):
    """The tables made from reference, health and weighting files, and the weighting (for the facts) and the
    health indicators not found."""
    tables = {"geography": geography, "denominators": district_denominators(reference, geography)}
    tables["population_by_age"] = load_population_by_age(config.raw_path(config.reference_dir, raw_dir),
                                                         (*config.area_codes, *config.comparison_codes))
    indicators, absent = load_indicators(config.raw_path(config.fingertips_dir, raw_dir),
                                         [*config.area_codes, *config.comparison_codes])
    tables["health_indicators"] = indicators
    tables["offence_codes"] = load_offence_codes(config.raw_path(config.home_office_dir, raw_dir))
    weighting = load_weighting(config.raw_path(config.harm_weights, raw_dir) if config.harm_weights else None,
                               config.raw_path(config.home_office_dir, raw_dir), own_forces(config, raw_dir))
    return tables | weights_tables(weighting), weighting, absent


def write_folder(out: Path, tables: dict[str, pd.DataFrame], rejects: dict[str, pd.DataFrame],
                 quality: list[dict], facts: dict) -> pd.DataFrame:
    """The processed folder's tables, rejects, data-quality summary and ingest.json; returns the summary."""
    with ThreadPoolExecutor(2) as pool:  # pyarrow encodes and writes without the GIL
        written = [pool.submit(write_parquet, table.reset_index(drop=True), out / f"{name}.parquet")
                   for name, table in tables.items()]
        for future in written:
            future.result()
    for name, table in rejects.items():
        write_csv(table, out / "rejects" / f"{name}.csv")
    quality_frame = pd.DataFrame(quality)
    quality_frame["note"] = quality_frame["note"].fillna("") if "note" in quality_frame else ""
    quality_frame = quality_frame[QUALITY_COLUMNS]
    write_csv(quality_frame, out / "data_quality.csv")
    (out / "ingest.json").write_text(json.dumps(facts, indent=2) + "\n")
    return quality_frame

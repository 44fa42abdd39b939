"""Assessment configuration: one YAML file per assessment (see config/*.yaml).

A configuration names the partnership's area (LAD codes), the comparison districts, where the
raw files are, the named zones (lists of 2021 LSOA codes) and the plan's targets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .paths import DEFAULT_CONFIG, RAW_DIR, resolve
from .sources import InputDataError


@dataclass(frozen=True)
class Target:
    """'Reduce X by p% (N offences) against the baseline year', or 'keep X below N'."""

    name: str
    source: str  # "police_uk" (street crime types) or a partner extract such as "ae_assaults"
    baseline_year: str  # financial year, '2023/24'
    target_year: str
    crime_types: tuple[str, ...] = ()
    reduce_by_percent: float | None = None
    below: int | None = None
    plan_baseline: int | None = None  # the baseline count the plan quotes, when there is one


@dataclass(frozen=True)
class AssessmentConfig:
    name: str
    title: str
    synthetic: bool
    area_name: str
    area_codes: tuple[str, ...]
    comparison_codes: tuple[str, ...]
    police_uk_dir: str
    partner_dir: str | None
    reference_dir: str
    fingertips_dir: str
    zones: dict[str, tuple[str, ...]] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    path: str = ""
    night_time_economy: tuple[int, int] = (20, 4)  # from 20:00 to 03:59
    licensed_zones: tuple[str, ...] = ()  # zones that are licensed-premises clusters (default: every zone)

    def raw_path(self, relative: str, raw_dir: Path | None = None) -> Path:
        return resolve(relative, raw_dir or RAW_DIR)


def _target(entry: dict, label: str) -> Target:
    try:
        return Target(name=entry["name"], source=entry.get("source", "police_uk"),
                      baseline_year=str(entry["baseline_year"]), target_year=str(entry["target_year"]),
                      crime_types=tuple(entry.get("crime_types", ())),
                      reduce_by_percent=entry.get("reduce_by_percent"), below=entry.get("below"),
                      plan_baseline=entry.get("plan_baseline"))
    except KeyError as error:
        raise InputDataError(label, f"target '{entry.get('name', '?')}' lacks the key {error}.",
                             "each target needs name, baseline_year and target_year.") from None


def load_config(path: str | Path = DEFAULT_CONFIG) -> AssessmentConfig:
    path = resolve(path)
    if not path.exists():
        raise InputDataError(path, "configuration file not found.", "pass --config config/demo.yaml or another YAML file.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InputDataError(path, f"is not valid YAML ({error}).") from None
    for key in ("name", "area", "police_uk"):
        if key not in data:
            raise InputDataError(path, f"the key '{key}' is missing.", "see config/demo.yaml for the shape.")
    zones = {name: tuple(codes) for name, codes in (data.get("zones") or {}).items()}
    nte = data.get("night_time_economy") or {}
    unknown = set(data.get("licensed_zones") or ()) - set(zones)
    if unknown:
        raise InputDataError(path, f"licensed_zones names zones that are not defined: {sorted(unknown)}.")
    seen: dict[str, str] = {}
    for zone, codes in zones.items():
        for code in codes:
            if code in seen:
                raise InputDataError(path, f"LSOA {code} is in two zones ('{seen[code]}' and '{zone}').",
                                     "zones must not overlap.")
            seen[code] = zone
    return AssessmentConfig(
        name=data["name"], title=data.get("title", data["name"]), synthetic=bool(data.get("synthetic", False)),
        area_name=data["area"]["name"], area_codes=tuple(data["area"]["lad_codes"]),
        comparison_codes=tuple(data.get("comparison_districts", ())), police_uk_dir=data["police_uk"],
        partner_dir=data.get("partner_dir"), reference_dir=data.get("reference_dir", "reference"),
        fingertips_dir=data.get("fingertips_dir", "fingertips"), zones=zones,
        targets=tuple(_target(entry, str(path)) for entry in data.get("targets") or ()), path=str(path),
        night_time_economy=(int(nte.get("start_hour", 20)), int(nte.get("end_hour", 4))),
        licensed_zones=tuple(data.get("licensed_zones") or zones))

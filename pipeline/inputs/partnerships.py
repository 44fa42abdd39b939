"""Community Safety Partnerships as the ONS lookup defines them (LAD23_CSP23_PFA23, December 2023), which of them
the supplied police.uk files cover, and the configuration each is assessed with.

A CSP can cover several districts (Dartford and Gravesham) and a district can hold several CSPs
(Buckinghamshire): police.uk places a crime in an LSOA, and an LSOA in a district, so a CSP that shares its
district with another is assessed on the whole district, and its report says which districts it covers.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from pipeline.errors import ConfigError, InputDataError
from pipeline.inputs.config import AssessmentConfig
from pipeline.inputs.peers import family_of, read_msg_file
from pipeline.inputs.reference import read_reference_table
from pipeline.inputs.validators import require_columns

LOOKUP_FILE = "LAD23_CSP23_PFA23_lookup_December_2023.csv"
LOOKUP_COLUMNS = ["LAD23CD", "LAD23NM", "CSP23CD", "CSP23NM", "PFA23CD", "PFA23NM"]


@dataclass(frozen=True)
class Partnership:
    code: str  # CSP23CD
    name: str  # CSP23NM
    districts: tuple[str, ...]  # LAD23CD of the districts it covers
    force_area: str  # PFA23NM
    force_districts: tuple[str, ...]  # every district of its police force area

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def load_partnerships(reference_dir: Path) -> list[Partnership]:
    """Every CSP of England and Wales, in the lookup's order of CSP code."""
    path = reference_dir / LOOKUP_FILE
    if not path.is_file():
        raise InputDataError(path, "the ONS district to Community Safety Partnership lookup is not there.",
                             "copy it from ../shared/data/reference (scripts/build_real_data.py does).")
    frame = require_columns(read_reference_table(path), LOOKUP_COLUMNS, path.name)
    force_districts = frame.groupby("PFA23CD")["LAD23CD"].agg(lambda codes: tuple(sorted(set(codes))))
    partnerships = []
    for code, rows in frame.groupby("CSP23CD", sort=True):
        forces = sorted(set(rows["PFA23CD"]))
        partnerships.append(Partnership(
            code, rows["CSP23NM"].iloc[0], tuple(sorted(set(rows["LAD23CD"]))), " and ".join(sorted(set(rows["PFA23NM"]))),
            tuple(sorted({district for force in forces for district in force_districts[force]}))))
    return partnerships


def select(partnerships: list[Partnership], wanted: list[str], setting: str = "--partnerships") -> list[Partnership]:
    """The partnerships named (CSP name or code, any case), in the order given; a name not in the lookup is an
    error naming the nearest and the `setting` it came from."""
    by_key = {key.casefold(): p for p in partnerships for key in (p.code, p.name)}
    chosen, unknown = [], []
    for name in wanted:
        found = by_key.get(name.strip().casefold())
        (chosen if found else unknown).append(found or name)
    if unknown:
        names = [p.name for p in partnerships]
        hints = [f"'{u}' (did you mean '{m[0]}'?)" if (m := difflib.get_close_matches(u, names, n=1)) else f"'{u}'"
                 for u in unknown]
        raise ConfigError(setting, f"not a Community Safety Partnership in the ONS lookup: {', '.join(hints)}.",
                          "give CSP names or codes (E22...) as in reference/" + LOOKUP_FILE
                          + (", separated by commas, or 'all'." if setting == "--partnerships" else "."))
    return list(dict.fromkeys(chosen))


PEER_COLUMNS = ["peer", "csp_code", "district_code"]


def peer_groups(config: AssessmentConfig, reference_dir: Path, raw_dir: Path | None = None) -> pd.DataFrame:
    """The configured peers (pipeline.inputs.peers), one row per peer partnership and district it covers; empty
    without peers. The partnership itself is never its own peer."""
    if not config.peers.configured:
        return pd.DataFrame(columns=PEER_COLUMNS)
    partnerships = load_partnerships(reference_dir)
    own = [p for p in partnerships if set(p.districts) & set(config.area_codes)]
    if config.peers.msg_file:
        path = config.raw_path(config.peers.msg_file, raw_dir)
        keys = {key.casefold() for p in own for key in (p.code, p.name)} | {config.area_name.casefold()}
        wanted = family_of(read_msg_file(path), keys)
        if not wanted:
            raise InputDataError(path, f"no row has {config.area_name} ({', '.join(p.code for p in own) or 'no CSP'}) "
                                 "as the partnership, so it has no family.",
                                 "add its family's rows, or remove peers: msg_file to compare with the county.")
        chosen = select(partnerships, wanted, f"peers: msg_file ({path.name})")
    else:
        chosen = select(partnerships, list(config.peers.partnerships), "peers: partnerships")
    rows = [(p.name, p.code, d) for p in chosen if not set(p.districts) & set(config.area_codes) for d in p.districts]
    return pd.DataFrame(rows, columns=PEER_COLUMNS)


def covered(partnerships: list[Partnership], rows_by_file_district: dict[str, dict[str, int]]) -> list[Partnership]:
    """The partnerships of the police force areas the files are about. A force's files also hold its neighbours'
    crimes near the border, so a file is taken to be about the force area holding most of its rows; every CSP of
    those force areas is covered."""
    force_of = {district: p.force_area for p in partnerships for district in p.force_districts}
    areas = set()
    for districts in rows_by_file_district.values():
        totals: dict[str, int] = {}
        for district, rows in districts.items():
            if district in force_of:
                totals[force_of[district]] = totals.get(force_of[district], 0) + rows
        if totals:
            areas.add(max(sorted(totals), key=totals.get))
    return [p for p in partnerships if p.force_area in areas]


def families_of(config: AssessmentConfig, partnerships: list[Partnership], everyone: list[Partnership],
                raw_dir: Path | None = None) -> dict[str, list[str]]:
    """Each partnership's Most Similar Group in the configured families file, as CSP codes (only those with a family);
    {} without a families file."""
    if not config.peers.msg_file:
        return {}
    path = config.raw_path(config.peers.msg_file, raw_dir)
    frame = read_msg_file(path)
    families = {}
    for partnership in partnerships:
        wanted = family_of(frame, {partnership.code.casefold(), partnership.name.casefold()})
        if wanted:
            families[partnership.code] = [p.code for p in select(everyone, wanted, f"peers: msg_file ({path.name})")
                                          if p.code != partnership.code]
    return families


def partnership_config(base: AssessmentConfig, partnership: Partnership, has_family: bool = True) -> AssessmentConfig:
    """The configuration a partnership is assessed with. The base configuration's own partnership keeps it whole.
    Another takes its files, folders and settings, with its own name, area and comparison districts (the rest of its
    force area), and none of the base partnership's own plan: its zones, targets, activity targets and the plan's
    words its chapters open with, and its partner extracts, which are about the base partnership's people and places."""
    if set(partnership.districts) == set(base.area_codes):
        return base
    data = base.model_dump(mode="json")
    title = base.title.replace(base.area_name, partnership.name, 1) if base.area_name in base.title \
        else f"{partnership.name}: {base.title}"
    data |= {"name": f"{base.name}-{partnership.slug}", "title": title,
             "area": {"name": partnership.name, "lad_codes": list(partnership.districts)},
             "comparison_districts": [d for d in partnership.force_districts if d not in partnership.districts],
             # a families file holds every partnership's own family; a list of peers is the base partnership's
             "peers": base.peers.model_dump(mode="json") if base.peers.msg_file and has_family else {},
             "partner_dir": None, "zones": {}, "licensed_zones": None, "city_centre": None, "targets": [],
             "activities": [], "plan_notes": {}}
    return AssessmentConfig.model_validate(data | {"path": base.path})


def write_config(config: AssessmentConfig, folder: Path) -> Path:
    """The configuration as a YAML file the notebooks can load (the run's record of what was assessed)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{config.name}.yaml"
    header = f"# Derived by run_assessment.py --partnerships from {config.path}\n"
    path.write_text(header + yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True))
    return path

"""Assessment configuration: one YAML file per assessment (see config/*.yaml), validated against the
declared schema below with pydantic.

A configuration names the partnership's area (LAD codes), the comparison districts, where the raw files
are, the named zones (lists of 2021 LSOA codes) and the plan's targets. Anything the schema does not
allow is refused with a message naming the key, the value and the fix: an unknown key is an error with
the nearest valid key, never silently ignored.
"""
from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import yaml
from pydantic import (BaseModel, ConfigDict, Field, StrictBool, StringConstraints, ValidationError,
                      field_validator, model_validator)

from pipeline.errors import ConfigError
from pipeline.paths import DEFAULT_CONFIG, RAW_DIR, resolve
from pipeline.inputs.deep_dive_plan import DeepDivePlan
from pipeline.inputs.partner_extracts import CONTRACTS
from pipeline.inputs.peers import Peers
from pipeline.inputs.police_uk import CRIME_TYPES
from pipeline.inputs.serious_violence_definition import SeriousViolenceDefinition

PATTERNS = {  # the pattern of each coded value, and how a message describes it
    "district": (r"^[EW]0[6-9]\d{6}$", "is not a local authority district code (E06 to E09 or W06 and six digits, e.g. E07000008)"),
    "lsoa": (r"^[EW]01\d{6}$", "is not a 2021 LSOA code (E01 or W01 and six digits, e.g. E01017983)"),
    "financial_year": (r"^\d{4}/\d{2}$", "is not a financial year written like 2024/25"),
    "name": (r"^[A-Za-z0-9][A-Za-z0-9_-]*$", "must be letters, digits, '-' and '_' only (it names the output folders)"),
}
DistrictCode = Annotated[str, StringConstraints(pattern=PATTERNS["district"][0])]
LsoaCode = Annotated[str, StringConstraints(pattern=PATTERNS["lsoa"][0])]
FinancialYear = Annotated[str, StringConstraints(pattern=PATTERNS["financial_year"][0])]
Name = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
POLICE_UK = "police_uk"
TARGET_SOURCES = (POLICE_UK, *CONTRACTS)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Area(_Strict):
    name: Name
    lad_codes: tuple[DistrictCode, ...] = Field(min_length=1)


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WeekTime = Annotated[str, StringConstraints(pattern=r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01]\d|2[0-3]):[0-5]\d$")]


def minute_of_week(text: str) -> int:
    """'Fri 18:00' -> minutes since Monday 00:00."""
    day, clock = text.split()
    hours, minutes = clock.split(":")
    return DAYS.index(day) * 1440 + int(hours) * 60 + int(minutes)


class TimeWindow(_Strict):
    """From a weekday and time to a later one ('Fri 18:00' to 'Sun 06:00'); may wrap over Sunday midnight."""

    start: WeekTime
    end: WeekTime

    @model_validator(mode="after")
    def _not_empty(self) -> "TimeWindow":
        if self.start == self.end:
            raise ValueError("a window's start and end must differ")
        return self

    def describe(self) -> str:
        name = lambda text: f"{DAY_NAMES[DAYS.index(text[:3])]} {text[4:]}"  # noqa: E731
        return f"{name(self.start)} to {name(self.end)}"


class NightTimeEconomy(_Strict):
    """The night-time-economy windows by weekday and time; default the weekend night-time economy."""

    windows: tuple[TimeWindow, ...] = Field((TimeWindow(start="Fri 18:00", end="Sun 06:00"),), min_length=1)

    def contains(self, minutes: "np.ndarray") -> "np.ndarray":
        """Whether each minute of the week (0 = Monday 00:00) falls in any window."""
        inside = np.zeros(len(minutes), dtype=bool)
        for window in self.windows:
            start, end = minute_of_week(window.start), minute_of_week(window.end)
            inside |= ((minutes >= start) & (minutes < end)) if start < end else ((minutes >= start) | (minutes < end))
        return inside

    def describe(self) -> str:
        return "; ".join(window.describe() for window in self.windows)


def consecutive_years(value: str) -> str:
    """A financial year '2024/25' whose two parts are consecutive years."""
    start, end = int(value[:4]), int(value[5:])
    if (start + 1) % 100 != end:
        raise ValueError(f"a financial year is written like 2024/25; '{value}' does not span two consecutive years")
    return value


# The plan priorities a target can serve (pipeline.chapters.registry.PRIORITIES names and titles them).
PlanPriority = Literal["overall", "strategic", "acquisitive", "violence", "asb", "domestic", "reoffending"]


class Target(_Strict):
    """'Reduce X by p% (N offences) against the baseline year', 'keep X below N', or 'an overall reduction'.

    The count comes from police.uk (crime_types required) or from any partner extract (rows by their date;
    crime_types filters an extract that has a crime_type column, measures filters service_activity, whose
    rows carry a value to add up)."""

    name: Name
    source: str = POLICE_UK
    baseline_year: FinancialYear
    target_year: FinancialYear
    crime_types: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    reduce_by_percent: float | None = Field(None, gt=0, lt=100)
    below: int | None = Field(None, gt=0)
    overall_reduction: bool = False  # the plan's "an overall reduction": fewer than the baseline year
    plan_baseline: int | None = Field(None, ge=0)  # the baseline count the plan quotes, when there is one
    priority: PlanPriority = "overall"  # the plan priority the target serves (the executive summary files it there)

    @field_validator("baseline_year", "target_year")
    @classmethod
    def _consecutive(cls, value: str) -> str:
        return consecutive_years(value)

    @model_validator(mode="after")
    def _one_aim_and_a_known_source(self) -> "Target":
        if (self.reduce_by_percent is not None) + (self.below is not None) + self.overall_reduction != 1:
            raise ValueError("give exactly one of reduce_by_percent, below and overall_reduction: true")
        if self.source not in TARGET_SOURCES:
            raise ValueError(f"source '{self.source}' is not one of {', '.join(TARGET_SOURCES)}")
        unknown = [t for t in self.crime_types if t not in CRIME_TYPES]
        if unknown:
            raise ValueError(f"crime_types {unknown} are not police.uk crime types ({', '.join(CRIME_TYPES)})")
        if self.source == POLICE_UK and not self.crime_types:
            raise ValueError("a police_uk target needs crime_types, e.g. [Robbery]")
        columns = {c.name for c in CONTRACTS[self.source].columns} if self.source in CONTRACTS else set()
        if self.crime_types and self.source != POLICE_UK and "crime_type" not in columns:
            raise ValueError(f"the {self.source} extract has no crime_type column to filter by crime_types")
        if self.measures and self.source != "service_activity":
            raise ValueError("measures apply to the service_activity extract only")
        if self.target_year < self.baseline_year:
            raise ValueError(f"target_year {self.target_year} is before baseline_year {self.baseline_year}")
        return self


class ActivityTarget(_Strict):
    """An activity target of the plan: a count to reach in the target year ('12 events attended', '40 frontline
    staff trained') or something to have in place by a date ('an improved tenancy support package by
    September'). The achieved values come from the partner file plan_activity.csv (pipeline.analysis.plan_activity)."""

    id: Annotated[str, StringConstraints(pattern=PATTERNS["name"][0])]  # the activity column of plan_activity.csv
    name: Name
    priority: PlanPriority
    target_year: FinancialYear
    count: int | None = Field(None, gt=0)  # a count target; none: a milestone, in place by `due`
    due: date | None = None  # the deadline; default for a count target: the end of the target year

    @field_validator("target_year")
    @classmethod
    def _consecutive(cls, value: str) -> str:
        return consecutive_years(value)

    @model_validator(mode="after")
    def _count_or_milestone(self) -> "ActivityTarget":
        if self.count is None and self.due is None:
            raise ValueError("give count (a number to reach in the target year) or due (the date a milestone is due)")
        if self.due is not None and not self.year_start <= self.due <= self.year_end:
            raise ValueError(f"due {self.due} is outside the target year {self.target_year} "
                             f"({self.year_start} to {self.year_end})")
        return self

    @property
    def year_start(self) -> date:
        return date(int(self.target_year[:4]), 4, 1)

    @property
    def year_end(self) -> date:
        return date(int(self.target_year[:4]) + 1, 3, 31)

    @property
    def deadline(self) -> date:
        return self.due or self.year_end


MATRIX_CRITERIA = ("Harm share", "Volume", "Change since last year", "Long-term trend", "Repeat victims",
                   "Public concern", "Ability to act")  # the priority matrix's criteria (pipeline.analysis.priority_matrix)
BoardScore = Annotated[float, Field(ge=1, le=4)]


class PriorityMatrix(_Strict):
    """What the board adds to the priority-setting matrix: public concern (for example from a residents' survey) and
    the partnership's ability to act, each 1 (low) to 4 (high) by candidate name (a crime type, or a plan priority
    such as 'Personal acquisitive crime'); and, optionally, the criteria's weights (default in the README)."""

    public_concern: dict[Name, BoardScore] = {}
    ability_to_act: dict[Name, BoardScore] = {}
    weights: dict[Literal[MATRIX_CRITERIA], Annotated[float, Field(ge=0)]] = {}  # type: ignore[valid-type]
    source: str = ""  # where public concern and ability to act come from, printed under the matrix


PLAN_NOTE_CHAPTERS = ("crime_overview", "strategic_priority", "violence", "acquisitive", "asb", "domestic",
                      "reoffending", "serious_violence", "outcomes")  # the chapters that answer the plan (tests/test_config.py checks the registry)


class AssessmentConfig(_Strict):
    name: Annotated[str, StringConstraints(pattern=PATTERNS["name"][0])]
    title: str = ""
    synthetic: StrictBool = False
    area: Area
    comparison_districts: tuple[DistrictCode, ...] = ()
    peers: Peers = Peers()  # a Most Similar Group: CSPs listed, or a families file (pipeline.inputs.peers)
    police_uk: Name
    partner_dir: str | None = None
    reference_dir: str = "reference"
    fingertips_dir: str = "fingertips"
    home_office_dir: str = "home_office"
    boundaries_dir: str = "boundaries"  # ONS boundary GeoJSON files for the maps; none: centroids or grid cells
    harm_weights: str | None = None  # a harm weighting under the raw folder (code or type -> weight, name, source)
    priority_matrix: PriorityMatrix = PriorityMatrix()
    serious_violence: SeriousViolenceDefinition = SeriousViolenceDefinition()  # the local definition (the Duty)
    # the analyst's commentary, relative to this file's folder ('{period_end}' becomes YYYY-MM); none:
    # commentary/<name>-<period end>.md beside this file, when it exists
    commentary: str | None = None
    deep_dives: DeepDivePlan = DeepDivePlan()  # the year's quarterly deep dives and their themes
    zones: dict[Name, tuple[LsoaCode, ...]] = {}
    # person identifiers that stand for nobody in the partner extracts, besides UNKNOWN, N/A, 0 and the like
    placeholder_ids: tuple[Annotated[str, StringConstraints(min_length=1, max_length=40)], ...] = ()
    licensed_zones: tuple[str, ...] | None = None  # licensed-premises clusters; default: every zone
    city_centre: str | None = None  # the zone that is the city centre's night-time economy (one of zones)
    night_time_economy: NightTimeEconomy = NightTimeEconomy()
    targets: tuple[Target, ...] = ()
    activities: tuple[ActivityTarget, ...] = ()  # the plan's activity targets (progress from plan_activity.csv)
    # the plan's own words a chapter opens with, by chapter name: what the partnership's plan asks of it
    plan_notes: dict[Literal[PLAN_NOTE_CHAPTERS], str] = {}  # type: ignore[valid-type]
    path: str = Field("", exclude=True)  # set by load_config, not by the YAML file

    @model_validator(mode="before")
    @classmethod
    def _title_defaults_to_name(cls, data: object) -> object:
        if isinstance(data, dict) and not data.get("title"):
            return {**data, "title": data.get("name", "")}
        return data

    @model_validator(mode="after")
    def _zones_and_districts(self) -> "AssessmentConfig":
        seen: dict[str, str] = {}
        for zone, codes in self.zones.items():
            for code in codes:
                if code in seen:
                    raise ValueError(f"LSOA {code} is in two zones ('{seen[code]}' and '{zone}'); zones must not overlap")
                seen[code] = zone
        if self.city_centre is not None and self.city_centre not in self.zones:
            raise ValueError(f"city_centre '{self.city_centre}' is not one of the zones ({', '.join(self.zones) or 'none defined'})")
        unknown = sorted(set(self.licensed_zones or ()) - set(self.zones))
        if unknown:
            raise ValueError(f"licensed_zones names zones that are not defined under zones: {unknown}")
        ids = [activity.id for activity in self.activities]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"activities: the id(s) {repeated} are used twice; each activity needs its own id")
        both = sorted(set(self.area.lad_codes) & set(self.comparison_districts))
        if both:
            raise ValueError(f"district(s) {both} are both in area.lad_codes and comparison_districts")
        return self

    @property
    def area_name(self) -> str:
        return self.area.name

    @property
    def area_codes(self) -> tuple[str, ...]:
        return self.area.lad_codes

    @property
    def comparison_codes(self) -> tuple[str, ...]:
        return self.comparison_districts

    @property
    def police_uk_dir(self) -> str:
        return self.police_uk

    @property
    def pub_clusters(self) -> tuple[str, ...]:
        """The licensed-premises zones other than the city centre."""
        return tuple(zone for zone in self.licensed if zone != self.city_centre)

    @property
    def licensed(self) -> tuple[str, ...]:
        return tuple(self.zones) if self.licensed_zones is None else self.licensed_zones

    def raw_path(self, relative: str, raw_dir: Path | None = None) -> Path:
        return resolve(relative, raw_dir or RAW_DIR)

    def raw_folders(self, raw_dir: Path | None = None) -> list[Path]:
        """Every folder a run reads inputs from: the raw folder and each source folder the configuration names."""
        named = [self.police_uk_dir, self.partner_dir, self.reference_dir, self.fingertips_dir, self.home_office_dir,
                 self.boundaries_dir, *(str(Path(f).parent) for f in (self.harm_weights, self.peers.msg_file) if f)]
        return [Path(raw_dir or RAW_DIR), *(self.raw_path(folder, raw_dir) for folder in named if folder)]


_MODELS = {(): AssessmentConfig, ("area",): Area, ("night_time_economy",): NightTimeEconomy, ("targets",): Target,
           ("activities",): ActivityTarget, ("priority_matrix",): PriorityMatrix, ("night_time_economy", "windows"): TimeWindow,
           ("serious_violence",): SeriousViolenceDefinition, ("deep_dives",): DeepDivePlan, ("peers",): Peers}
_FIXES = {
    "missing": "add it (config/demo.yaml shows every key).",
    "string_pattern_mismatch": "write it as shown.",
    "bool_type": "write true or false.",
}


def _where(loc: tuple, data: object) -> str:
    """'targets[5] (A&E assault attendances).below' from pydantic's location tuple."""
    parts, node = [], data
    for step in loc:
        if isinstance(step, int):
            label = f"[{step}]"
            node = node[step] if isinstance(node, (list, tuple)) and step < len(node) else None
            if isinstance(node, dict) and node.get("name"):
                label += f" ('{node['name']}')"
            parts.append(label)
        else:
            node = node.get(step) if isinstance(node, dict) else None
            parts.append(("." if parts else "") + str(step))
    return "".join(parts)


def _describe(error: dict, data: object) -> str:
    loc = tuple(step for step in error["loc"] if not str(step).startswith(("function-", "tagged-union")))
    where = _where(loc, data)
    if error["type"] == "extra_forbidden":
        model = _MODELS.get(tuple(step for step in loc[:-1] if isinstance(step, str)))
        valid = sorted(name for name in (model.model_fields if model else {}) if name != "path")
        nearest = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.5)
        hint = f"did you mean '{nearest[0]}'? " if nearest else ""
        return f"unknown key '{where}': {hint}Valid keys here: {', '.join(valid)}."
    if error["type"] == "missing":
        return f"the key '{where}' is missing. How to fix: {_FIXES['missing']}"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern")
        message = next((words for regex, words in PATTERNS.values() if regex == pattern), message)
    value = f" = {error['input']!r}" if where and not isinstance(error.get("input"), dict) else ""
    fix = _FIXES.get(error["type"], "correct the value.")
    return f"key '{where or '(top level)'}'{value}: {message}. How to fix: {fix}"


MAX_CONFIG_BYTES = 256 * 1024


class _NoAliasLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases ('*name'): nine nested aliases expand to a billion values (the 'billion
    laughs'), and an assessment's configuration never needs one."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, f"an alias (*{event.anchor}) is not allowed here: write "
                                              "the value out in full", event.start_mark)
        return super().compose_node(parent, index)


def load_config(path: str | Path = DEFAULT_CONFIG) -> AssessmentConfig:
    """Read and validate a configuration file; ConfigError (naming key, value and fix) for anything wrong."""
    path = resolve(path)
    if path.is_dir():
        found = ", ".join(sorted(p.name for p in path.glob("*.yaml"))) or "none"
        raise ConfigError(path, "is a folder, not a configuration file.",
                          f"pass a YAML file, e.g. --config config/demo.yaml (YAML files in this folder: {found}).")
    if not path.exists():
        raise ConfigError(path, "configuration file not found.", "pass --config config/demo.yaml or another YAML file.")
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ConfigError(path, f"is larger than {MAX_CONFIG_BYTES // 1024} KiB: not an assessment configuration.",
                          "pass the assessment's YAML file (config/demo.yaml shows one).")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(path, f"is not valid YAML ({error}).".replace("\n", " "),
                          "check indentation and brackets against config/demo.yaml.") from None
    if data is None:
        raise ConfigError(path, "the file is empty.", "copy config/demo.yaml and edit it.")
    if not isinstance(data, dict):
        raise ConfigError(path, f"expected keys and values (a YAML mapping), found a {type(data).__name__}.",
                          "copy config/demo.yaml and edit it.")
    if "path" in data:  # a field of the loaded configuration, set from the file's location
        raise ConfigError(path, "unknown key 'path'.", "remove it: the configuration's own location is recorded.")
    try:
        return AssessmentConfig.model_validate({**data, "path": str(path)})
    except ValidationError as error:
        problems = [_describe(e, data) for e in error.errors()]
        raise ConfigError(path, " ".join(problems) if len(problems) == 1 else
                          f"{len(problems)} problems: " + " ".join(f"({i}) {p}" for i, p in enumerate(problems, 1))) from None

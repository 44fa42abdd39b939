"""Harm weights: a versioned input that says how much harm one offence of each kind does.

Partnerships weigh crime by harm with the ONS Crime Severity Score (a weight per Home Office offence code, from
sentencing data) or the Cambridge Crime Harm Index (the starting-point sentence in days). Neither is public data
this tool can ship, so the weights are an input the configuration names (`harm_weights:`), in one of the two
layouts partnerships have:

- by Home Office offence code (as the ONS Crime Severity Score weights table is): a code column and a weight column;
- by police.uk crime type: a crime-type column and a weight column.

The weighting's name, version and source are `# key: value` lines at the top of the file, or a YAML file beside
it with the same stem (`weights.yaml` for `weights.csv`). `illustrative: true` marks weights that are not an
official weighting: every mention of them in the report says so.

police.uk records carry only the crime type. A code-level weighting is carried to the types through the Home
Office mapping (CrimeCatMappings.csv): each type's weight is the mean of its codes' weights, each code weighted by
the number of offences the force recorded under it (Home Office police recorded crime by force area), which is how
the Crime Severity Score itself weighs a group of offences (ONS, "Research outputs: developing a Crime Severity
Score for England and Wales using data on crimes recorded by the police", 2016). Without those volumes the mean is
unweighted, and the report says so.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from pipeline.errors import InputDataError

CODE_COLUMNS = ("offence_code", "ho_offence_code", "home_office_offence_code", "code", "offence")
TYPE_COLUMNS = ("crime_type", "police_uk_crime_type", "police_uk_cat", "policeuk_cat", "police_uk_category")
WEIGHT_COLUMNS = ("weight", "harm_weight", "severity_weight", "css_weight", "crime_severity_score_weight",
                  "cchi_days", "harm_days", "days")
METADATA_KEYS = ("name", "version", "source", "illustrative", "unit")
VOLUMES_FILE = "prc-pfa-201718.csv"
CODE_LEVEL, TYPE_LEVEL = "Home Office offence code", "police.uk crime type"
FIX = ("each row needs a Home Office offence code (or a police.uk crime type) and a weight of 0 or more; README, "
       "'Harm weights', shows the layouts.")


@dataclass(frozen=True)
class HarmWeighting:
    """Weights keyed by offence code (`by_code`) or crime type (`by_type`, lower-case police.uk types), with what the
    report must say about them."""
    name: str
    version: str
    source: str
    file: str
    level: str  # CODE_LEVEL or TYPE_LEVEL: the level the file gives
    illustrative: bool = False
    unit: str = "harm units"
    by_code: dict[str, float] = field(default_factory=dict)
    by_type: dict[str, float] = field(default_factory=dict)
    type_method: str = ""  # how the police.uk type weights were made from the codes ('' at type level)

    @property
    def label(self) -> str:
        """How every mention in the report names it: '<name>, version <v>' and, for illustrative weights, that they
        are not an official weighting."""
        text = f"{self.name}, version {self.version}"
        if self.illustrative and "illustrative" not in self.name.lower():
            return text + " (ILLUSTRATIVE weights, not an official weighting)"
        return text

    def facts(self) -> dict:
        """What ingest.json records (every field but the weights themselves, which are processed tables)."""
        return {k: v for k, v in asdict(self).items() if k not in ("by_code", "by_type")} | {"label": self.label}


def normalise_type(name: str) -> str:
    return re.sub(r"\s+", " ", str(name)).strip().lower()


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _split_header(text: str) -> tuple[dict[str, str], str]:
    """`# key: value` lines at the top, and the CSV that follows."""
    meta, lines = {}, text.splitlines()
    start = 0
    for start, line in enumerate(lines):
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("#").partition(":")
        if value:
            meta[key.strip().lower()] = value.strip()
    else:
        start = len(lines)
    return meta, "\n".join(lines[start:])


def _beside(path: Path) -> dict[str, str]:
    for suffix in (".yaml", ".yml"):
        side = path.with_suffix(suffix)
        if side.is_file():
            try:
                loaded = yaml.safe_load(side.read_text(encoding="utf-8-sig")) or {}
            except yaml.YAMLError as error:
                raise InputDataError(side, f"is not readable YAML ({error}).", "write one 'key: value' per line.")
            if not isinstance(loaded, dict):
                raise InputDataError(side, "must hold 'key: value' lines.", "write name:, version: and source:.")
            return {str(k).lower(): str(v) for k, v in loaded.items()}
    return {}


def _column(columns: dict[str, str], choices: tuple[str, ...]) -> str | None:
    return next((columns[c] for c in choices if c in columns), None)


def read_weights(path: Path) -> HarmWeighting:
    """Read a weights file; every problem is an InputDataError naming the file, row and column."""
    if not path.is_file():
        raise InputDataError(path, "the harm weights file named in the configuration does not exist.",
                             "correct 'harm_weights' (a path under the raw-data folder) or remove it.")
    meta, body = _split_header(_text(path))
    header_lines = len(_text(path).splitlines()) - len(body.splitlines()) + 1
    meta = _beside(path) | meta
    missing = [key for key in ("name", "version", "source") if not meta.get(key)]
    if missing:
        raise InputDataError(path, f"the weighting's {', '.join(missing)} are not given.",
                             "add lines such as '# name: ...', '# version: ...' and '# source: ...' at the top of the file, "
                             f"or a YAML file beside it ({path.with_suffix('.yaml').name}).")
    reader = csv.DictReader(io.StringIO(body))
    columns = {re.sub(r"[^a-z0-9]+", "_", (c or "").strip().lower()).strip("_"): c for c in reader.fieldnames or []}
    code, crime_type, weight = (_column(columns, c) for c in (CODE_COLUMNS, TYPE_COLUMNS, WEIGHT_COLUMNS))
    key = code or crime_type
    if key is None or weight is None:
        raise InputDataError(path, f"needs a key column ({', '.join(CODE_COLUMNS[:2])} or crime_type) and a weight column "
                             f"(weight); found {', '.join(reader.fieldnames or []) or 'no header'}.", FIX)
    weights: dict[str, float] = {}
    for number, row in enumerate(reader, start=1):
        name = (row.get(key) or "").strip()
        if not name:
            raise InputDataError(path, "the key is empty.", FIX, row=number, column=key)
        value = (row.get(weight) or "").strip().replace(",", "")
        try:
            number_value = float(value)
        except ValueError:
            number_value = math.nan
        if not math.isfinite(number_value) or number_value < 0:
            raise InputDataError(path, "the weight is not a number of 0 or more.", FIX, row=number, column=weight)
        name = name if code else normalise_type(name)
        if name in weights and weights[name] != number_value:
            raise InputDataError(path, "this key already has a different weight on an earlier row.", FIX, row=number,
                                 column=key)
        weights[name] = number_value
    if not weights:
        raise InputDataError(path, f"has no weights under its header (line {header_lines}).", FIX)
    illustrative = str(meta.get("illustrative", "")).strip().lower() in ("true", "yes", "1")
    common = dict(name=meta["name"], version=meta["version"], source=meta["source"], file=path.name,
                  illustrative=illustrative, unit=meta.get("unit", "harm units"))
    if code:
        return HarmWeighting(level=CODE_LEVEL, by_code=weights, **common)
    return HarmWeighting(level=TYPE_LEVEL, by_type=weights, **common)


def volumes_path(home_office_dir: Path) -> Path | None:
    """The Home Office offences-by-code file, as published or gzipped (data/raw keeps it gzipped)."""
    return next((p for p in (home_office_dir / VOLUMES_FILE, home_office_dir / f"{VOLUMES_FILE}.gz") if p.is_file()), None)


def code_volumes(home_office_dir: Path, force: str | None) -> tuple[pd.DataFrame, str]:
    """Offences the force recorded under each Home Office code (police recorded crime by force area), with a phrase
    saying whose volumes they are; empty when the file is absent."""
    path = volumes_path(home_office_dir)
    if path is None:
        return pd.DataFrame(columns=["offence_code", "offences"]), ""
    frame = pd.read_csv(path, dtype={"Offence_Code": str}, encoding="utf-8-sig")
    year = str(frame["Financial_Year"].iloc[0]) if "Financial_Year" in frame and len(frame) else ""
    chosen = frame[frame["Force_Name"].map(_force_key) == _force_key(force)] if force else frame.iloc[0:0]
    whose = f"{force} recorded in {year}"
    if chosen.empty:
        chosen, whose = frame, f"every force in England and Wales recorded in {year}"
    volumes = chosen.groupby(chosen["Offence_Code"].str.strip())["Number_of_Offences"].sum()
    return volumes.rename_axis("offence_code").reset_index(name="offences"), whose


def with_type_weights(weighting: HarmWeighting, mapping: pd.DataFrame, volumes: pd.DataFrame, whose: str) -> HarmWeighting:
    """A code-level weighting with a weight for each police.uk crime type: the mean of its codes' weights, weighted
    by the offences recorded under each code (`volumes`), or unweighted where no code of the type has a volume.
    `mapping`: Offence_Code and Police.uk_Cat (CrimeCatMappings.csv); combined codes such as '1/4.1/4.10/4.2' stand
    for each code they list."""
    if weighting.level != CODE_LEVEL:
        return weighting
    rows = []
    for _, row in mapping.iterrows():
        for part in str(row["Offence_Code"]).split("/"):
            rows.append((part.strip(), str(row["Offence_Code"]).strip(), normalise_type(row["Police.uk_Cat"])))
    codes = pd.DataFrame(rows, columns=["part", "offence_code", "crime_type"])
    codes["weight"] = [weighting.by_code.get(part, weighting.by_code.get(whole)) for part, whole in
                       zip(codes["part"], codes["offence_code"])]
    codes = codes.dropna(subset=["weight"]).drop_duplicates("part")
    counts = volumes.set_index("offence_code")["offences"] if len(volumes) else pd.Series(dtype=float)
    codes["offences"] = [counts.get(part, counts.get(whole, 0)) for part, whole in zip(codes["part"], codes["offence_code"])]
    by_type, unweighted = {}, []
    for crime_type, group in codes.groupby("crime_type"):
        if group["offences"].sum() > 0:
            by_type[crime_type] = float((group["weight"] * group["offences"]).sum() / group["offences"].sum())
        else:
            by_type[crime_type] = float(group["weight"].mean())
            unweighted.append(crime_type)
    method = (f"each police.uk crime type's weight is the mean of its Home Office offence codes' weights (mapped by "
              f"CrimeCatMappings.csv), each code weighted by the offences {whose}" if whose else
              "each police.uk crime type's weight is the unweighted mean of its Home Office offence codes' weights "
              "(mapped by CrimeCatMappings.csv; no recorded volumes by offence code were supplied)")
    if unweighted and whose:
        method += f"; unweighted for {', '.join(sorted(unweighted))}, which had no recorded offences under their codes"
    return HarmWeighting(**{**asdict(weighting), "by_type": by_type, "type_method": method})


def weights_tables(weighting: HarmWeighting | None) -> dict[str, pd.DataFrame]:
    """The processed tables: harm_weights_by_code and harm_weights_by_type (empty without a weighting)."""
    by_code = weighting.by_code if weighting else {}
    by_type = weighting.by_type if weighting else {}
    return {"harm_weights_by_code": pd.DataFrame({"offence_code": list(by_code), "weight": list(by_code.values())},
                                                 columns=["offence_code", "weight"]).astype({"offence_code": str, "weight": float}),
            "harm_weights_by_type": pd.DataFrame({"crime_type": list(by_type), "weight": list(by_type.values())},
                                                 columns=["crime_type", "weight"]).astype({"crime_type": str, "weight": float})}


def _force_key(name: str) -> str:
    """'Cambridgeshire Constabulary', 'Cambridgeshire' and 'Metropolitan Police Service' / 'Metropolitan Police' alike."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", "and")).split()
    return "-".join(w for w in words if w not in ("constabulary", "police", "service"))


def load_weighting(path: Path | None, home_office_dir: Path, forces: list[str]) -> HarmWeighting | None:
    """The configured weighting with its police.uk type weights (None when the configuration names none)."""
    if path is None:
        return None
    weighting = read_weights(path)
    if weighting.level == TYPE_LEVEL:
        return weighting
    mapping_path = home_office_dir / "CrimeCatMappings.csv"
    if not mapping_path.is_file():
        raise InputDataError(mapping_path, "is needed to carry offence-code harm weights to police.uk crime types.",
                             "copy home_office/CrimeCatMappings.csv from the shared data into the raw folder.")
    mapping = pd.read_csv(mapping_path, dtype=str, encoding="utf-8-sig")
    volumes, whose = code_volumes(home_office_dir, forces[0] if forces else None)
    return with_type_weights(weighting, mapping, volumes, whose)

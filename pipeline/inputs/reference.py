"""ONS reference files: LSOA lookups, wards, population, households, centroids.

Each loader reads the file as ONS publishes it (BOMs, thousands commas, duplicated header
names) and returns a tidy frame with documented column names. `build_geography` joins them
into one row per 2021 LSOA, which is what every analysis table is keyed on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import InputDataError
from pipeline.inputs.sources import ROW_COLUMN, TableSource, exact_shape, line_count, read_table, unique_names
from pipeline.inputs.validators import require_columns

REFERENCE_FILES = {
    "lsoa_lookup": "LSOA_2011_to_LSOA_2021_Lookup_for_England_and_Wales.csv",
    "wards": "Lower_Layer_Super_Output_Area__2011__to_Ward__2020__Lookup_in_England_and_Wales.csv",
    "centroids": "Lower_Layer_Super_Output_Areas_December_2011_Population_Weighted_Centroids.csv",
    "census_2011": "census_2011_population_hh.csv",
    "population_2021": "lsoa_global_number_residents_2021.csv",
}


def reference_path(reference_dir: Path, key: str) -> Path:
    """The file for `key`, as published (.csv) or gzipped (.csv.gz) in the repository."""
    name = REFERENCE_FILES[key]
    for candidate in (reference_dir / name, reference_dir / f"{name}.gz"):
        if candidate.exists():
            return candidate
    raise InputDataError(reference_dir / name, "reference file not found.",
                         "copy it from the ONS release (see data/raw/README.md) or run scripts/build_real_data.py.")


def read_reference_table(path: Path) -> pd.DataFrame:
    """An ONS reference table (35,000 to 42,000 rows, read on every ingest) read by polars, about twenty times faster
    than the exact reader, when its records line up one to one with its lines (no blank line, no line break inside
    quotes, no row longer than the header), so that each record's row number is its position + 2 and messages name
    the right row; otherwise by the exact reader. Rows of blank fields are skipped and rows shorter than the header
    padded with '' by both readers; the loaders below do not use the field count, the one thing they give
    differently."""
    import csv
    import io

    import polars as pl

    source = TableSource(path)
    raw = source.read_bytes().removeprefix(b"\xef\xbb\xbf")
    lines = line_count(raw)
    try:
        header = raw.split(b"\n", 1)[0].decode("utf-8").rstrip("\r") if lines else ""
        frame = pl.read_csv(io.BytesIO(raw), infer_schema=False, empty_string_is_null=False) if lines else None
    except (pl.exceptions.PolarsError, UnicodeDecodeError):
        frame = None
    if frame is None or frame.height != lines - 1:
        return read_table(path)
    frame.columns = unique_names([name.strip() for name in next(csv.reader([header]))])
    frame = frame.with_columns(pl.all().fill_null("")).with_row_index(ROW_COLUMN, offset=2)
    return exact_shape(frame.filter(~pl.all_horizontal(pl.exclude(ROW_COLUMN).str.strip_chars() == "")),  # blank rows
                       source.name)


def to_number(values: pd.Series, label: str, column: str) -> pd.Series:
    """Parse numbers written with thousands commas ('1,563'); fail naming the first bad row."""
    cleaned = values.astype(str).str.replace(",", "", regex=False).str.strip()
    numbers = pd.to_numeric(cleaned, errors="coerce")
    bad = numbers.isna() & cleaned.ne("")
    if bad.any():
        first = bad.idxmax()
        raise InputDataError(label, f"value '{values[first]}' is not a number.", row=int(first) + 2, column=column)
    return numbers


def load_lsoa_lookup(reference_dir: Path) -> pd.DataFrame:
    path = reference_path(reference_dir, "lsoa_lookup")
    frame = require_columns(read_reference_table(path), ["LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "LAD22CD", "LAD22NM"], path.name)
    return frame[["LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "LAD22CD", "LAD22NM"]].rename(columns=str.lower)


def load_wards(reference_dir: Path) -> pd.DataFrame:
    path = reference_path(reference_dir, "wards")
    frame = require_columns(read_reference_table(path), ["LSOA11CD", "WD20CD", "WD20NM", "LAD20CD"], path.name)
    return frame[["LSOA11CD", "WD20CD", "WD20NM", "LAD20CD"]].rename(columns=str.lower)


def load_centroids(reference_dir: Path) -> pd.DataFrame:
    path = reference_path(reference_dir, "centroids")
    frame = require_columns(read_reference_table(path), ["X", "Y", "lsoa11cd"], path.name)
    return pd.DataFrame({"lsoa11cd": frame["lsoa11cd"],
                         "longitude": to_number(frame["X"], path.name, "X"),
                         "latitude": to_number(frame["Y"], path.name, "Y")})


LSOA_CODE = r"[EW]01\d{6}"


def drop_footnotes(frame: pd.DataFrame, code_column: str, value_column: str, label: str) -> pd.DataFrame:
    """Drop the notes ONS appends below the data (no LSOA code and no value); refuse any other bad code."""
    code = frame[code_column].str.strip()
    is_code = code.str.fullmatch(LSOA_CODE)
    footnote = ~is_code & frame[value_column].str.strip().eq("")
    bad = ~footnote & ~is_code
    if bad.any():
        first = bad.idxmax()
        raise InputDataError(label, f"'{code[first]}' is not an LSOA code.", row=int(frame.loc[first, "source_row"]),
                             column=code_column)
    return frame.loc[~footnote]


def load_population_2021(reference_dir: Path) -> pd.DataFrame:
    path = reference_path(reference_dir, "population_2021")
    frame = require_columns(read_reference_table(path), ["LSOA21CD", "Population"], path.name)
    frame = drop_footnotes(frame, "LSOA21CD", "Population", path.name)
    name_column = [c for c in frame.columns if c.startswith("2021 super output area")]
    return pd.DataFrame({"lsoa21cd": frame["LSOA21CD"],
                         "lsoa21nm": frame[name_column[0]] if name_column else "",
                         "population_2021": to_number(frame["Population"], path.name, "Population").astype("int64")})


def load_households_2011(reference_dir: Path) -> pd.DataFrame:
    """Census 2011 households by 2011 LSOA (the denominator for burglary rates).

    The published file has three columns headed 'Persons' (all, in households, communal);
    pandas reads them as Persons, Persons.1, Persons.2 and the first is usual residents.
    """
    path = reference_path(reference_dir, "census_2011")
    frame = require_columns(read_reference_table(path), ["LSOA Code", "Persons", "Households"], path.name)
    return pd.DataFrame({"lsoa11cd": frame["LSOA Code"],
                         "persons_2011": to_number(frame["Persons"], path.name, "Persons"),
                         "households_2011": to_number(frame["Households"], path.name, "Households")})


@dataclass
class Reference:
    lookup: pd.DataFrame
    wards: pd.DataFrame
    centroids: pd.DataFrame
    population: pd.DataFrame
    households: pd.DataFrame

    @classmethod
    def load(cls, reference_dir: Path) -> "Reference":
        return cls(load_lsoa_lookup(reference_dir), load_wards(reference_dir), load_centroids(reference_dir),
                   load_population_2021(reference_dir), load_households_2011(reference_dir))

    def code_to_lsoa21(self) -> dict[str, str]:
        """Any LSOA code (2011 or 2021) to its 2021 code. A split 2011 LSOA maps to ONS's best fit."""
        mapping = dict(zip(self.lookup["lsoa11cd"], self.lookup["lsoa21cd"]))
        mapping.update({code: code for code in self.lookup["lsoa21cd"]})
        mapping.update({code: code for code in self.population["lsoa21cd"]})
        return mapping

    def district_names(self) -> dict[str, str]:
        return dict(zip(self.lookup["lad22cd"], self.lookup["lad22nm"]))


def _nearest(points: pd.DataFrame, candidates: pd.DataFrame) -> pd.Series:
    """Index into `candidates` of the nearest candidate to each point (equirectangular distance)."""
    scale = np.cos(np.radians(52.2))
    dx = (points["longitude"].to_numpy()[:, None] - candidates["longitude"].to_numpy()[None, :]) * scale
    dy = points["latitude"].to_numpy()[:, None] - candidates["latitude"].to_numpy()[None, :]
    return pd.Series(candidates.index.to_numpy()[np.argmin(dx * dx + dy * dy, axis=1)], index=points.index)


def lsoa21_districts(reference: Reference) -> pd.DataFrame:
    """Every 2021 LSOA (population table and ONS lookup) with its name and district: from the lookup, or for a 2021
    LSOA the best-fit lookup omits (a split child) from its name, which starts with the district's name."""
    lookup, population = reference.lookup, reference.population
    geo = population.rename(columns={"lsoa21cd": "lsoa21", "lsoa21nm": "lsoa21_name"}).copy()
    extra = lookup.loc[~lookup["lsoa21cd"].isin(geo["lsoa21"]), ["lsoa21cd", "lsoa21nm"]].drop_duplicates("lsoa21cd")
    geo = pd.concat([geo, extra.rename(columns={"lsoa21cd": "lsoa21", "lsoa21nm": "lsoa21_name"})], ignore_index=True)
    district_by_lsoa = lookup.drop_duplicates("lsoa21cd").set_index("lsoa21cd")["lad22cd"]
    code_by_district_name = dict(zip(lookup["lad22nm"], lookup["lad22cd"]))
    by_name = geo["lsoa21_name"].str.rsplit(" ", n=1).str[0].map(code_by_district_name)
    geo["district_code"] = geo["lsoa21"].map(district_by_lsoa).fillna(by_name).fillna("")
    return geo


LOOKUP_WARD_METHOD = "ONS lookup via 2011 LSOA"


def build_geography(reference: Reference, points: pd.DataFrame | None = None,
                    lsoas: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per 2021 LSOA: name, district, 2020 ward, 2021 population and a representative point.

    District comes from the ONS lookup, or for a 2021 LSOA the best-fit lookup omits (a split
    child) from its name, which starts with the district's name. The ward comes from the 2011
    parents in the ward lookup; for a split child it is the ward of the nearest 2011 centroid to
    the median location of its records in `points` (columns lsoa21, longitude, latitude), and
    'ward_method' says which rule was used. `lsoas` is lsoa21_districts(reference), when already made.
    """
    lookup = reference.lookup
    geo = (lsoa21_districts(reference) if lsoas is None else lsoas).copy()
    geo["district_name"] = geo["district_code"].map(reference.district_names()).fillna("")

    parents = lookup[["lsoa11cd", "lsoa21cd"]].merge(reference.wards, on="lsoa11cd", how="left")
    parents = parents.merge(reference.centroids, on="lsoa11cd", how="left")
    ward = (parents.dropna(subset=["wd20cd"]).sort_values(["lsoa21cd", "lsoa11cd"])
            .drop_duplicates("lsoa21cd").set_index("lsoa21cd"))
    geo["ward_code"] = geo["lsoa21"].map(ward["wd20cd"])
    geo["ward_name"] = geo["lsoa21"].map(ward["wd20nm"])
    geo["ward_method"] = np.where(geo["ward_code"].notna(), LOOKUP_WARD_METHOD, "")
    centre = parents.groupby("lsoa21cd")[["longitude", "latitude"]].mean()
    geo["longitude"] = geo["lsoa21"].map(centre["longitude"])
    geo["latitude"] = geo["lsoa21"].map(centre["latitude"])

    if points is not None and len(points):
        median = points.dropna(subset=["longitude", "latitude"]).groupby("lsoa21")[["longitude", "latitude"]].median()
        missing = geo["ward_code"].isna() & geo["lsoa21"].isin(median.index)
        if missing.any():
            spot = median.loc[geo.loc[missing, "lsoa21"]].set_index(geo.index[missing])
            candidates = parents.dropna(subset=["wd20cd", "longitude"]).reset_index(drop=True)
            for district, rows in spot.groupby(geo.loc[missing, "district_code"]):
                pool = candidates[candidates["lad20cd"] == district]
                pool = pool if len(pool) else candidates
                nearest = _nearest(rows, pool)
                geo.loc[rows.index, "ward_code"] = pool.loc[nearest, "wd20cd"].to_numpy()
                geo.loc[rows.index, "ward_name"] = pool.loc[nearest, "wd20nm"].to_numpy()
                geo.loc[rows.index, "ward_method"] = "nearest 2011 centroid to its records"
                geo.loc[rows.index, "longitude"] = rows["longitude"].to_numpy()
                geo.loc[rows.index, "latitude"] = rows["latitude"].to_numpy()
    geo["ward_code"] = geo["ward_code"].fillna("")
    geo["ward_name"] = geo["ward_name"].fillna("Not mapped")
    geo.loc[geo["ward_method"] == "", "ward_method"] = "not mapped (split LSOA with no located records)"
    return geo.sort_values("lsoa21").reset_index(drop=True)


def district_denominators(reference: Reference, geography: pd.DataFrame) -> pd.DataFrame:
    """Residents (Census 2021) and households (Census 2011) by district, for rates."""
    residents = geography.groupby(["district_code", "district_name"], as_index=False)["population_2021"].sum()
    households = reference.households.merge(reference.lookup[["lsoa11cd", "lad22cd"]], on="lsoa11cd", how="inner")
    households = households.groupby("lad22cd")["households_2011"].sum()
    residents["households_2011"] = residents["district_code"].map(households).fillna(0).astype("int64")
    residents["population_2021"] = residents["population_2021"].astype("int64")
    return residents[residents["district_code"] != ""].reset_index(drop=True)


AGE_POPULATION_FILE = "lsoa_mid_2020_estimates_england.csv"  # optional: ONS mid-year estimates by LSOA with age bands
AGE_COLUMN = re.compile(r"^(?P<low>\d+)(?:-(?P<high>\d+)|(?P<plus>\+))?$")
AGE_DISTRICT_COLUMNS = ("LA Code (2021 boundaries)", "LA Code (2023 boundaries)", "LAD Code", "LA Code")


def age_population_path(reference_dir: Path) -> Path | None:
    """The population-by-age file, as published or gzipped; None when the reference folder has none (optional)."""
    for candidate in (reference_dir / AGE_POPULATION_FILE, reference_dir / f"{AGE_POPULATION_FILE}.gz"):
        if candidate.exists():
            return candidate
    return None


def load_population_by_age(reference_dir: Path, district_codes: tuple[str, ...]) -> pd.DataFrame:
    """Residents by district and age band from the ONS mid-year estimates by LSOA (the bands are the file's own
    columns: '0-15', '16-29', '65+', or single years '16'), summed over each district's LSOAs by the file's
    district code; empty when the file is absent. The rates of the serious-violence chapter divide victims of an
    age band by residents of the same band, so the bands are never split or merged here."""
    columns = ["district_code", "age_band", "age_low", "age_high", "population", "source"]
    path = age_population_path(reference_dir)
    if path is None:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("age_low", "age_high", "population") else str)
                             for c in columns})
    frame = read_reference_table(path)
    district = next((c for c in AGE_DISTRICT_COLUMNS if c in frame.columns), None)
    bands = [(c, AGE_COLUMN.match(c)) for c in frame.columns if AGE_COLUMN.match(c)]
    if district is None or not bands:
        raise InputDataError(path.name, "no district code column or no age-band columns in the header.",
                             f"the file needs one of {', '.join(AGE_DISTRICT_COLUMNS)} and columns such as 0-15, 16-29, 65+.")
    frame = frame[frame[district].isin(district_codes)]
    rows = []
    for column, match in bands:
        low = int(match["low"])
        high = 200 if match["plus"] else int(match["high"] or low)
        totals = to_number(frame[column], path.name, column).groupby(frame[district]).sum()
        rows += [(code, column, low, high, int(value), path.name.removesuffix(".gz")) for code, value in totals.items()]
    return pd.DataFrame(rows, columns=columns)


OFFENCE_CODES_FILE = "CrimeCatMappings.csv"


def load_offence_codes(home_office_dir: Path) -> pd.DataFrame:
    """Home Office offence codes with their descriptions and police.uk crime types (CrimeCatMappings.csv); empty if
    the file is absent."""
    path = home_office_dir / OFFENCE_CODES_FILE
    if not path.exists():
        return pd.DataFrame({"offence_code": pd.Series(dtype=str), "offence_name": pd.Series(dtype=str),
                             "crime_type": pd.Series(dtype=str), "offence_subgroup": pd.Series(dtype=str)})
    frame = require_columns(read_table(path), ["Offence_Code", "Offence_Description"], path.name)
    codes = pd.DataFrame({"offence_code": frame["Offence_Code"].str.strip(),
                          "offence_name": frame["Offence_Description"].str.strip(),
                          "crime_type": frame["Police.uk_Cat"].str.strip() if "Police.uk_Cat" in frame else "",
                          "offence_subgroup": frame["Offence_Subgroup"].str.strip() if "Offence_Subgroup" in frame else ""})
    return codes.drop_duplicates("offence_code").reset_index(drop=True)

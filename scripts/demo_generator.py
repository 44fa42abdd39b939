"""The synthetic demonstration partnership: five years of police.uk-format files and every partner
extract of the data contracts, for Cambridge, plus two years of police.uk-format files for the
county's other districts (for rate comparisons).

SYNTHETIC DATA. Nothing here describes real people or real events. It is calibrated on real
published data so that it looks and behaves like the real thing:
  - crime type x LSOA x calendar-month shares and snapped street locations come from the real
    2024 police.uk files for Cambridge (data/raw/real);
  - the baseline year's volumes of the plan's target crime types, and of A&E assault
    attendances, are the plan's baselines (robbery 80, vehicle crime 550, theft from the person
    380, cycle theft 2,000, violence 1,600, A&E 1,100); other types keep their real 2024 volume.
It carries ten planted effects that the analysis must find (see PLANTED_EFFECTS), documented
in data/raw/demo/README.md. `scripts/build_demo_data.py` rebuilds it from the seed.
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.inputs import police_uk
from pipeline.inputs.reference import Reference
from pipeline.inputs.synthetic import write_manifest

import demo_outcomes  # noqa: E402  (scripts/ is on the path, as for build_demo_data.py)

SEED = 20250331
FIRST_MONTH, LAST_MONTH = pd.Period("2020-04", "M"), pd.Period("2025-03", "M")
BASELINE_FY_INDEX = 3  # 2023/24, the year the targets are measured against
AREA_CODE = "E07000008"
FORCE = "Cambridgeshire Constabulary"
PUB_CLUSTER = ("E01017990", "E01017991", "E01017997")  # configured as "Mill Road pub cluster"
FIXED_TIME = (2025, 4, 1, 0, 0, 0)
COMPARISON_DISTRICTS = ("East Cambridgeshire", "Fenland", "Huntingdonshire", "South Cambridgeshire")
COMPARISON_FIRST_MONTH = pd.Period("2023-04", "M")

PLAN_BASELINES = {"Robbery": 80, "Vehicle crime": 550, "Theft from the person": 380, "Bicycle theft": 2000,
                  "Violence and sexual offences": 1600}
A_AND_E_BASELINE = 1100
ANNUAL_GROWTH = {"Anti-social behaviour": -0.06, "Bicycle theft": -0.03, "Burglary": -0.05,
                 "Criminal damage and arson": -0.04, "Drugs": 0.02, "Other crime": 0.0, "Other theft": -0.02,
                 "Possession of weapons": 0.03, "Public order": -0.01, "Robbery": -0.03, "Shoplifting": 0.06,
                 "Theft from the person": -0.04, "Vehicle crime": -0.05, "Violence and sexual offences": -0.02}
CYCLE_AUTUMN = {9: 1.3, 10: 1.7, 11: 1.4}  # students arrive in late September / October
# Extra weekend night-time violence in the pub cluster, x the cluster's expected violence, by financial year
# (2020/21 ...): none until the latest year, when the cluster's violence triples (an emerging hotspot).
PUB_CLUSTER_UPLIFT = (0.0, 0.0, 0.0, 0.0, 2.0)
A_AND_E_GROWTH = -0.08
# An emerging trend for the detector to find: cycle theft doubles over its usual (already autumnal) level in the
# four ISO weeks 2024-W41 to 2024-W44 (Monday 7 October to Sunday 3 November 2024), on top of the seasonality
# every year has. Drawn with its own random stream, so the rest of the data set is unchanged by it.
CYCLE_SURGE_DAYS = (pd.Timestamp("2024-10-07"), pd.Timestamp("2024-11-03"))
CYCLE_SURGE_MULTIPLIER = 2.0
SURGE_SEED_OFFSET = 7
IOM_CODES_SEED_OFFSET = 9  # the IOM cohort's offence codes (so the rest of the data set keeps its bytes)
KNIFE_SEED_OFFSET = 11  # the weapon flags and the planted young knife-enabled violence (the rest keeps its bytes)
# Knife-enabled violence among 16-24 year-olds, concentrated in three LSOAs of King's Hedges and Arbury and rising over
# the last two years: extra knife-enabled assaults with injury (victim and suspect aged 16-24) by financial year
# (2020/21 ...), and A&E sharp-object attendances of 16-24 year-olds that follow them.
KNIFE_LSOAS = ("E01017975", "E01017976", "E01017950")
YOUNG_KNIFE_EXTRA = (0, 0, 0, 20, 60)
YOUNG_SHARP_AE_EXTRA = (0, 0, 0, 12, 36)
KNIFE_P = {"Violence and sexual offences": 0.03, "Robbery": 0.20}  # base rates of the knife flag by crime type
FIREARM_P = {"Violence and sexual offences": 0.002, "Robbery": 0.01}
COMPARISON_RECORDS_SEED_OFFSET = 8  # the county's other districts' police records (for domestic-abuse rates)

# Alcohol-flagged violence in the weekend night-time economy (Friday 18:00 to Sunday 06:00): the odds of the
# alcohol flag on a violent crime are multiplied by this ratio inside the window (record by record).
WEEKEND_NIGHT_ALCOHOL_OR = 3.0
VIOLENCE_ALCOHOL_RATE = 0.15  # outside the window
# Mental-health qualifier completeness by financial year (2020/21 ...): a recording change, not a trend.
MENTAL_HEALTH_COMPLETENESS = (0.25, 0.27, 0.30, 0.57, 0.86)

PLANTED_EFFECTS = {
    "pub_cluster_violence": "Violence in the Mill Road pub cluster (LSOAs E01017990, E01017991, E01017997) triples "
                            "in 2024/25 and not before: extra weekend night-time (Friday 18:00 to Sunday 06:00) "
                            "records, twice the cluster's expected violence, outside the city centre (an emerging "
                            "hotspot).",
    "weekend_night_alcohol": "The odds of the alcohol flag on violence are 3.0 times higher in the weekend night-time "
                             "economy (Friday 18:00 to Sunday 06:00) than outside it (15% outside).",
    "mental_health_recording": "The mental-health qualifier is recorded on 25%, 27%, 30%, 57% and 86% of police records "
                               "in 2020/21 to 2024/25, with the same prevalence among recorded records: a recording effect.",
    "cycle_theft_autumn": "Cycle theft is multiplied by 1.3 in September, 1.7 in October and 1.4 in November "
                          "(annual totals kept), on top of the real 2024 seasonality.",
    "mental_health_repeat_asb": "Perpetrators with two or more ASB cases carry a mental-health trait with "
                                "probability 0.40, against 0.12 for those with one case; the flag records the trait "
                                "when recorded (80% completeness).",
    "falling_ae_assaults": "A&E assault attendances fall by 8% a year, from the plan's baseline of 1,100 in 2023/24.",
    "cycle_theft_surge": "Cycle theft doubles over its usual level (the autumn seasonality included) in the four ISO "
                         "weeks 2024-W41 to 2024-W44 (7 October to 3 November 2024): an emerging trend.",
    "young_knife_violence": "Knife-enabled violence with a victim and suspect aged 16-24 in three LSOAs of King's Hedges "
                            "and Arbury (E01017975, E01017976, E01017950): 20 extra knife-enabled assaults with injury "
                            "in 2023/24 and 60 in 2024/25, none before; A&E sharp-object attendances of 16-24 year-olds "
                            "follow (12 and 36 extra). Every other violent record carries the knife flag with probability "
                            "0.03 (robbery 0.20), recorded on 90% of records.",
    "shoplifting_charge_fall": "From April 2024, half of Cambridge's shoplifting crimes that would have been charged "
                               "or summonsed are closed as 'Unable to prosecute suspect' instead (police.uk outcomes "
                               "files; every other outcome keeps the real 2024 mix of its crime type).",
    "publicity_shortfall": "Of the plan's activity targets for 2024/25, ASB publicity features fall short (9 against "
                           "12, off track from December); the other four are met (plan_activity.csv).",
}


@dataclass
class Calibration:
    type_month_share: pd.DataFrame  # rows crime type, columns 1..12, sums to 1 per row
    type_lsoa_share: pd.DataFrame  # rows crime type, columns lsoa21
    annual_2024: pd.Series  # real 2024 count by crime type
    points: pd.DataFrame  # lsoa21, longitude, latitude, location (real snapped points)
    outcomes: dict[str, tuple[np.ndarray, np.ndarray]]  # crime type -> (categories, probabilities)


def read_real_street(raw_dir: Path, reference: Reference) -> pd.DataFrame:
    files = police_uk.discover(raw_dir / "real" / "police.uk")["street"]
    street = police_uk.read_monthly(files, police_uk.STREET_COLUMNS)
    street["lsoa21"] = street["LSOA code"].map(reference.code_to_lsoa21())
    return street


def calibrate(street: pd.DataFrame, reference: Reference, district: str = "Cambridge") -> Calibration:
    """Shares, locations and outcomes of the real 2024 rows in one district (LSOA names start with its name)."""
    names = reference.population["lsoa21nm"]
    area_lsoas = sorted(set(reference.population.loc[names.str.fullmatch(rf"{district} \d{{3}}[A-Z]"), "lsoa21cd"]))
    street = street[street["lsoa21"].isin(area_lsoas)].copy()
    street["calendar_month"] = street["Month"].str[5:7].astype(int)
    by_month = pd.crosstab(street["Crime type"], street["calendar_month"]).astype(float)
    by_month = 0.5 * by_month.div(by_month.sum(axis=1), axis=0) + 0.5 / 12
    by_lsoa = pd.crosstab(street["Crime type"], street["lsoa21"]).reindex(columns=area_lsoas, fill_value=0) + 0.5
    by_lsoa = by_lsoa.div(by_lsoa.sum(axis=1), axis=0)
    points = pd.DataFrame({"lsoa21": street["lsoa21"], "longitude": street["Longitude"].astype(float),
                           "latitude": street["Latitude"].astype(float), "location": street["Location"]})
    outcomes = {}
    for crime_type, rows in street.groupby("Crime type"):
        shares = rows["Last outcome category"].value_counts(normalize=True)
        outcomes[crime_type] = (shares.index.to_numpy(), shares.to_numpy())
    return Calibration(by_month, by_lsoa, street["Crime type"].value_counts(), points.reset_index(drop=True), outcomes)


def fy_index(month: pd.Period) -> int:
    start = month.year if month.month >= 4 else month.year - 1
    return start - 2020


def expected_monthly(calibration: Calibration, first_month: pd.Period = FIRST_MONTH,
                     baselines: dict[str, int] | None = None) -> pd.DataFrame:
    """Expected count per (crime type, month) before the planted pub-cluster extra."""
    months = pd.period_range(first_month, LAST_MONTH, freq="M")
    baselines = PLAN_BASELINES if baselines is None else baselines
    rows = []
    for crime_type in police_uk.CRIME_TYPES:
        if calibration.type_lsoa_share.index.isin([crime_type]).sum() == 0:
            continue
        baseline = baselines.get(crime_type, float(calibration.annual_2024.get(crime_type, 0)))
        season = calibration.type_month_share.loc[crime_type].copy()
        if crime_type == "Bicycle theft":
            season = season * pd.Series(CYCLE_AUTUMN).reindex(season.index, fill_value=1.0)
            season = season / season.sum()
        for month in months:
            growth = (1 + ANNUAL_GROWTH[crime_type]) ** (fy_index(month) - BASELINE_FY_INDEX)
            rows.append((crime_type, month, baseline * growth * season[month.month]))
    return pd.DataFrame(rows, columns=["crime_type", "month", "expected"])


def _crime_ids(rng: np.random.Generator, n: int) -> list[str]:
    return [hashlib.sha256(rng.bytes(16)).hexdigest() for _ in range(n)]


def _lsoa11_for(rows: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """2011 code and name each row would carry in police.uk files before 2022: a 2011 parent of its
    2021 LSOA where the lookup gives one (nearest parent centroid to the point), else the nearest
    2011 centroid in the district."""
    lookup = reference.lookup
    names11 = dict(zip(lookup["lsoa11cd"], lookup["lsoa11nm"]))
    cents = reference.centroids.set_index("lsoa11cd")
    district_11 = lookup.loc[lookup["lad22cd"] == AREA_CODE, "lsoa11cd"].tolist()  # only Cambridge rows predate 2022
    parents = lookup.groupby("lsoa21cd")["lsoa11cd"].apply(list).to_dict()
    code = pd.Series("", index=rows.index, dtype=object)
    for lsoa21, group in rows.groupby("lsoa21"):
        candidates = parents.get(lsoa21, district_11)
        c = cents.loc[candidates]
        dx = group["longitude"].to_numpy()[:, None] - c["longitude"].to_numpy()[None, :]
        dy = group["latitude"].to_numpy()[:, None] - c["latitude"].to_numpy()[None, :]
        code[group.index] = np.asarray(candidates)[np.argmin(dx * dx + dy * dy, axis=1)]
    return pd.DataFrame({"code": code, "name": code.map(names11)})


def street_rows(calibration: Calibration, reference: Reference, rng: np.random.Generator,
                first_month: pd.Period = FIRST_MONTH, plant: bool = True) -> pd.DataFrame:
    """Every demo crime and ASB incident, one row each, with its planted-effect marker.

    The partnership area uses the plan's baselines and carries the planted effects; a comparison
    district (plant=False) keeps its real 2024 volumes and has none.
    """
    expected = expected_monthly(calibration, first_month, PLAN_BASELINES if plant else {})
    expected["n"] = rng.poisson(expected["expected"].to_numpy())
    lsoas = calibration.type_lsoa_share.columns.to_numpy()
    parts = []
    for row in expected.itertuples():
        if row.n == 0:
            continue
        picked = rng.choice(lsoas, size=row.n, p=calibration.type_lsoa_share.loc[row.crime_type].to_numpy())
        parts.append(pd.DataFrame({"crime_type": row.crime_type, "month": row.month, "lsoa21": picked, "planted": False}))
    # Planted: extra night-time alcohol violence in the pub cluster, growing each year.
    if plant:
        violence = expected[expected["crime_type"] == "Violence and sexual offences"]
        cluster_share = calibration.type_lsoa_share.loc["Violence and sexual offences", list(PUB_CLUSTER)]
        for row in violence.itertuples():
            extra = rng.poisson(row.expected * cluster_share.sum() * PUB_CLUSTER_UPLIFT[fy_index(row.month)])
            if extra:
                picked = rng.choice(cluster_share.index.to_numpy(), size=extra,
                                    p=(cluster_share / cluster_share.sum()).to_numpy())
                parts.append(pd.DataFrame({"crime_type": row.crime_type, "month": row.month, "lsoa21": picked,
                                           "planted": True}))
    rows = pd.concat(parts, ignore_index=True)
    rows = rows.sort_values(["month", "crime_type", "lsoa21"], kind="stable").reset_index(drop=True)
    return _locate_and_label(rows, calibration, reference, rng)


def _locate_and_label(rows: pd.DataFrame, calibration: Calibration, reference: Reference,
                      rng: np.random.Generator) -> pd.DataFrame:
    """Street locations, LSOA codes and names of the month's vintage, crime ids and outcomes for new rows."""
    pools = calibration.points.groupby("lsoa21").indices
    pick = np.empty(len(rows), dtype=np.int64)
    for lsoa21, index in rows.groupby("lsoa21").indices.items():
        pick[index] = rng.choice(pools[lsoa21], size=len(index))
    located = calibration.points.iloc[pick].reset_index(drop=True)
    rows[["longitude", "latitude", "location"]] = located[["longitude", "latitude", "location"]]
    old = rows["month"] < pd.Period("2022-01", "M")
    vintage11 = _lsoa11_for(rows.loc[old], reference) if old.any() else pd.DataFrame({"code": [], "name": []})
    names21 = dict(zip(reference.population["lsoa21cd"], reference.population["lsoa21nm"]))
    rows["lsoa_code"] = rows["lsoa21"]
    rows["lsoa_name"] = rows["lsoa21"].map(names21)
    rows.loc[old, "lsoa_code"] = vintage11["code"]
    rows.loc[old, "lsoa_name"] = vintage11["name"]
    is_asb = rows["crime_type"].eq("Anti-social behaviour").to_numpy()
    ids = _crime_ids(rng, len(rows))
    rows["crime_id"] = np.where(is_asb, "", ids)
    outcome = np.empty(len(rows), dtype=object)
    for crime_type, index in rows.groupby("crime_type").indices.items():
        categories, probabilities = calibration.outcomes[crime_type]
        outcome[index] = rng.choice(categories, size=len(index), p=probabilities)
    rows["last_outcome"] = outcome
    return rows


def cycle_surge_rows(calibration: Calibration, reference: Reference, rng: np.random.Generator) -> pd.DataFrame:
    """The planted cycle-theft surge: extra thefts on each day of CYCLE_SURGE_DAYS, (multiplier - 1) x the day's
    expected count, placed by cycle theft's usual LSOA shares; each row keeps its day."""
    expected = expected_monthly(calibration).set_index(["crime_type", "month"])["expected"]
    days = pd.date_range(*CYCLE_SURGE_DAYS, freq="D")
    per_day = [expected[("Bicycle theft", pd.Period(d, "M"))] / pd.Period(d, "M").days_in_month for d in days]
    extra = rng.poisson(np.asarray(per_day) * (CYCLE_SURGE_MULTIPLIER - 1))
    day = np.repeat(days.to_numpy(), extra)
    shares = calibration.type_lsoa_share.loc["Bicycle theft"]
    rows = pd.DataFrame({"crime_type": "Bicycle theft", "month": pd.PeriodIndex(day, freq="M"),
                         "lsoa21": rng.choice(shares.index.to_numpy(), size=len(day), p=shares.to_numpy()),
                         "planted": False, "day": day})
    return _locate_and_label(rows, calibration, reference, rng)


def police_uk_zip(rows: pd.DataFrame, target: Path, outcomes: dict[str, pd.DataFrame]) -> None:
    """Monthly street files in the police.uk layout, and the outcomes files (by name), zipped as data.police.uk
    distributes them."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for month, group in rows.groupby("month", sort=True):
            frame = pd.DataFrame({
                "Crime ID": group["crime_id"], "Month": str(month), "Reported by": FORCE, "Falls within": FORCE,
                "Longitude": group["longitude"].map("{:.6f}".format), "Latitude": group["latitude"].map("{:.6f}".format),
                "Location": group["location"], "LSOA code": group["lsoa_code"], "LSOA name": group["lsoa_name"],
                "Crime type": group["crime_type"], "Last outcome category": group["last_outcome"], "Context": ""})
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False, lineterminator="\r\n")
            _write(archive, f"{month}/{month}-cambridgeshire-street.csv", buffer.getvalue())
            name = f"{month}/{month}-cambridgeshire-outcomes.csv"
            if name in outcomes:
                buffer = io.StringIO()
                outcomes[name].to_csv(buffer, index=False, lineterminator="\r\n")
                _write(archive, name, buffer.getvalue())


def _write(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text.encode("utf-8"), compresslevel=9)


NIGHT_HOURS = np.array([20, 21, 22, 23, 0, 1, 2, 3])
WEEKEND_START, WEEKEND_HOURS = 4 * 1440 + 18 * 60, 36 * 60  # Friday 18:00, for 36 hours
VIOLENCE_HOUR_WEIGHTS = np.array([5, 4, 3, 2, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 7, 8, 7], float)
DAY_HOUR_WEIGHTS = np.array([1, 1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 7, 7, 7, 7, 7, 7, 6, 5, 4, 3, 2, 1], float)
NIGHT_TYPES = {"Violence and sexual offences", "Public order", "Anti-social behaviour", "Criminal damage and arson"}


def _times(rng: np.random.Generator, months: pd.Series, hours: np.ndarray) -> pd.Series:
    starts = pd.PeriodIndex(months, freq="M").to_timestamp()
    days = rng.integers(0, pd.PeriodIndex(months, freq="M").days_in_month)
    minutes = rng.integers(0, 60, len(months))
    return pd.Series(starts + pd.to_timedelta(days, "D") + pd.to_timedelta(hours, "h") + pd.to_timedelta(minutes, "min"))


def _weekend_nights(rng: np.random.Generator, months: pd.Series) -> pd.Series:
    """A time in the weekend night-time economy (Friday 18:00 to Sunday 06:00) of a Friday of each month."""
    starts = pd.PeriodIndex(months, freq="M").to_timestamp()
    first_friday = (4 - starts.day_of_week) % 7
    fridays = (pd.PeriodIndex(months, freq="M").days_in_month - 2 - first_friday) // 7 + 1
    friday = first_friday + 7 * rng.integers(0, fridays)
    offset = rng.integers(0, WEEKEND_HOURS, len(months))
    return pd.Series(starts + pd.to_timedelta(friday, "D") + pd.to_timedelta(18 * 60 + offset, "min"))


def in_weekend_night(times: pd.Series) -> np.ndarray:
    minute = (times.dt.day_of_week * 1440 + times.dt.hour * 60 + times.dt.minute).to_numpy()
    return (minute >= WEEKEND_START) & (minute < WEEKEND_START + WEEKEND_HOURS)


def _people(rng: np.random.Generator, n: int, pool: int, prefix: str) -> np.ndarray:
    """Identifiers drawn with Zipf-like repeats: a few people recur, most appear once."""
    weights = 1.0 / np.arange(1, pool + 1) ** 0.6
    chosen = rng.choice(pool, size=n, p=weights / weights.sum())
    return np.array([f"{prefix}{i:06d}" for i in rng.permutation(pool)])[chosen]


def _flag(rng: np.random.Generator, probability: np.ndarray, completeness: np.ndarray) -> np.ndarray:
    value = np.where(rng.random(len(probability)) < probability, "Y", "N")
    return np.where(rng.random(len(probability)) < completeness, value, "")


def police_records(rows: pd.DataFrame, rng: np.random.Generator, first_number: int = 1,
                   person_prefix: str = "DEMO-") -> pd.DataFrame:
    """The force's records with qualifiers, one per demo street row (data contract police_records). Rows with a
    'day' keep it (the time of day is drawn as for any other row)."""
    n = len(rows)
    crime_type = rows["crime_type"].to_numpy()
    night_type = np.isin(crime_type, list(NIGHT_TYPES))
    hours = np.where(night_type, rng.choice(24, n, p=VIOLENCE_HOUR_WEIGHTS / VIOLENCE_HOUR_WEIGHTS.sum()),
                     rng.choice(24, n, p=DAY_HOUR_WEIGHTS / DAY_HOUR_WEIGHTS.sum()))
    planted = rows["planted"].to_numpy()
    hours = np.where(planted, rng.choice(NIGHT_HOURS, n), hours)
    occurred_to = _times(rng, rows["month"], hours)
    if "day" in rows:
        occurred_to = pd.Series(pd.to_datetime(rows["day"]).to_numpy() + (occurred_to - occurred_to.dt.normalize()).to_numpy())
    acquisitive = np.isin(crime_type, ["Burglary", "Vehicle crime", "Bicycle theft", "Other theft"])
    window = pd.to_timedelta(np.where(acquisitive, rng.integers(0, 12 * 60, n), rng.integers(0, 30, n)), "min")
    weekend = _weekend_nights(rng, rows["month"]) + window  # planted rows happen in the weekend night-time economy
    occurred_to = occurred_to.where(~planted, weekend)
    lag = pd.to_timedelta(np.where(acquisitive, rng.integers(30, 36 * 60, n), rng.integers(0, 90, n)), "min")
    fy = rows["month"].map(fy_index).to_numpy()
    completeness = 0.70 + 0.05 * fy  # officers record qualifiers more often each year
    mental_completeness = np.asarray(MENTAL_HEALTH_COMPLETENESS)[fy]
    violence = crime_type == "Violence and sexual offences"
    weekend_night = in_weekend_night(occurred_to - window)
    odds = VIOLENCE_ALCOHOL_RATE / (1 - VIOLENCE_ALCOHOL_RATE) * np.where(weekend_night, WEEKEND_NIGHT_ALCOHOL_OR, 1.0)
    alcohol_p = np.select([violence, crime_type == "Public order", crime_type == "Anti-social behaviour"],
                          [odds / (1 + odds), 0.30, 0.20], 0.03)
    drugs_p = np.select([crime_type == "Drugs", violence, crime_type == "Anti-social behaviour"], [1.0, 0.08, 0.10], 0.03)
    mental_p = np.select([violence, crime_type == "Anti-social behaviour", crime_type == "Public order"], [0.10, 0.12, 0.10], 0.03)
    domestic_p = np.select([planted, violence, crime_type == "Criminal damage and arson"], [0.0, 0.30, 0.10], 0.01)
    has_victim = rng.random(n) < np.where(np.isin(crime_type, ["Drugs", "Possession of weapons", "Public order"]), 0.3,
                                          np.where(crime_type == "Anti-social behaviour", 0.6, 0.95))
    has_suspect = rng.random(n) < np.select([violence, crime_type == "Public order", crime_type == "Anti-social behaviour"],
                                            [0.7, 0.6, 0.5], 0.15)
    victims = np.where(has_victim, _people(rng, n, int(n * 0.7), f"{person_prefix}V-"), "")
    suspects = np.where(has_suspect, _people(rng, n, int(n * 0.35), f"{person_prefix}S-"), "")
    year = rows["month"].map(lambda m: m.year).to_numpy()
    offence_code = np.where(violence, rng.choice(["8N", "105A", "8L", "8M", "19C", "17A"], n,
                                                 p=[0.30, 0.35, 0.15, 0.10, 0.05, 0.05]), "")
    fmt = "%Y-%m-%d %H:%M"
    return pd.DataFrame({
        "record_id": [f"CC{y}/{i:07d}" for i, y in enumerate(year, start=first_number)],
        "record_type": np.where(crime_type == "Anti-social behaviour", "incident", "crime"),
        "reported_at": (occurred_to + lag).dt.strftime(fmt),
        "occurred_from": (occurred_to - window).dt.strftime(fmt), "occurred_to": occurred_to.dt.strftime(fmt),
        "crime_type": crime_type, "ho_offence_code": offence_code, "lsoa_code": rows["lsoa21"].to_numpy(),
        "latitude": rows["latitude"].map("{:.6f}".format).to_numpy(),
        "longitude": rows["longitude"].map("{:.6f}".format).to_numpy(),
        "location_description": rows["location"].str.replace("On or near ", "", regex=False).to_numpy(),
        "alcohol_flag": _flag(rng, alcohol_p, completeness),
        "drugs_flag": _flag(rng, drugs_p, completeness), "mental_health_flag": _flag(rng, mental_p, mental_completeness),
        "domestic_flag": _flag(rng, domestic_p, np.full(n, 0.95)),
        "victim_id": victims, "suspect_id": suspects,
        "victim_age": np.where(has_victim, rng.integers(16, 80, n).astype(str), ""),
        "suspect_age": np.where(has_suspect, np.clip(rng.gamma(6, 5, n).astype(int) + 10, 10, 85).astype(str), ""),
        "victim_sex": np.where(has_victim, rng.choice(["M", "F", "X", ""], n, p=[0.48, 0.48, 0.01, 0.03]), ""),
        "suspect_sex": np.where(has_suspect, rng.choice(["M", "F", ""], n, p=[0.78, 0.18, 0.04]), ""),
    })


def weapon_flags(records: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The contract's knife_flag and firearm_flag: Y with KNIFE_P (FIREARM_P) by crime type, recorded on 90%."""
    n = len(records)
    for column, rates in (("knife_flag", KNIFE_P), ("firearm_flag", FIREARM_P)):
        probability = records["crime_type"].map(rates).fillna(0.0).to_numpy()
        records[column] = _flag(rng, probability, np.full(n, 0.9))
    return records


def _exact_months(per_year: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Exactly per_year[k] months drawn (with replacement) from financial year k's months, sorted."""
    months = pd.period_range(FIRST_MONTH, LAST_MONTH, freq="M")
    picked = [rng.choice(months[[fy_index(m) == k for m in months]].to_numpy(), n) for k, n in enumerate(per_year) if n]
    return np.sort(np.concatenate(picked)) if picked else np.array([], dtype=object)


def young_knife_rows(calibration: Calibration, reference: Reference, rng: np.random.Generator) -> pd.DataFrame:
    """The planted young knife-enabled violence: YOUNG_KNIFE_EXTRA a year spread over the months and KNIFE_LSOAS."""
    month = _exact_months(YOUNG_KNIFE_EXTRA, rng)
    rows = pd.DataFrame({"crime_type": "Violence and sexual offences", "month": pd.PeriodIndex(month, freq="M"),
                         "lsoa21": rng.choice(list(KNIFE_LSOAS), size=len(month)), "planted": False})
    return _locate_and_label(rows, calibration, reference, rng)


def young_knife_records(rows: pd.DataFrame, rng: np.random.Generator, first_number: int) -> pd.DataFrame:
    records = police_records(rows, rng, first_number=first_number, person_prefix="DEMO-Y")
    n = len(records)
    records["ho_offence_code"] = "8N"
    records["victim_age"] = rng.integers(16, 25, n).astype(str)
    records["suspect_age"] = rng.integers(16, 25, n).astype(str)
    records["victim_id"] = [f"DEMO-YV-{i:05d}" for i in range(n)]
    records["suspect_id"] = [f"DEMO-YS-{i:05d}" for i in rng.integers(0, max(n // 2, 1), n)]
    records["knife_flag"], records["firearm_flag"] = "Y", "N"
    return records


def young_sharp_attendances(ae: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A&E sharp-object attendances of 16-24 year-olds following the planted knife violence (YOUNG_SHARP_AE_EXTRA)."""
    month = pd.Series(_exact_months(YOUNG_SHARP_AE_EXTRA, rng))
    n = len(month)
    assault = _times(rng, month, rng.choice(NIGHT_HOURS, n))
    fmt = "%Y-%m-%d %H:%M"
    return pd.DataFrame({
        "attendance_id": [f"AE{i:07d}" for i in range(len(ae) + 1, len(ae) + n + 1)], "site_code": "RGT01",
        "arrival_at": (assault + pd.to_timedelta(rng.integers(20, 180, n), "min")).dt.strftime(fmt),
        "assault_at": assault.dt.strftime(fmt), "assault_method": "sharp_object", "assault_method_other": "",
        "location_type": "public_place", "location_description": "", "alcohol_consumed": rng.choice(["Y", "N", ""], n),
        "patient_age": rng.integers(16, 25, n).astype(str), "patient_sex": rng.choice(["M", "F"], n, p=[0.85, 0.15]),
        "patient_lsoa": rng.choice(list(KNIFE_LSOAS), n)})


def asb_cases(calibration: Calibration, rng: np.random.Generator, perpetrators: int = 3600) -> pd.DataFrame:
    """ASB cases (police, council, housing) with the planted mental-health effect among repeat perpetrators."""
    total_days = (LAST_MONTH.to_timestamp(how="end").normalize() - FIRST_MONTH.to_timestamp()).days + 1
    cases_each = np.where(rng.random(perpetrators) < 0.65, 1, 2 + rng.poisson(1.5, perpetrators))
    repeat = cases_each >= 2
    mental = rng.random(perpetrators) < np.where(repeat, 0.40, 0.12)
    alcohol = rng.random(perpetrators) < np.where(repeat, 0.25, 0.15)
    drugs = rng.random(perpetrators) < np.where(repeat, 0.20, 0.10)
    age = np.clip(rng.gamma(5, 6, perpetrators).astype(int) + 10, 10, 85)
    person = np.repeat(np.arange(perpetrators), cases_each)
    first = rng.integers(0, total_days, perpetrators)
    offsets = rng.integers(0, 300, len(person))
    offsets[np.r_[0, np.cumsum(cases_each)[:-1]]] = 0  # each person's first case on their first day
    day = np.minimum(first[person] + offsets, total_days - 1)
    anonymous = int(len(person) * 0.2)  # cases where no perpetrator was identified
    day = np.concatenate([day, rng.integers(0, total_days, anonymous)])
    known = np.concatenate([np.ones(len(person), bool), np.zeros(anonymous, bool)])
    person = np.concatenate([person, np.zeros(anonymous, int)])
    n = len(day)
    when = FIRST_MONTH.to_timestamp() + pd.to_timedelta(day, "D") + pd.to_timedelta(rng.integers(8 * 60, 23 * 60, n), "min")
    complete = rng.random(n) < 0.8

    def trait_flag(trait: np.ndarray, unknown_p: float) -> np.ndarray:
        value = np.where(known, np.where(trait[person], "Y", "N"), np.where(rng.random(n) < unknown_p, "Y", "N"))
        return np.where(complete, value, "")

    lsoas = calibration.type_lsoa_share.columns.to_numpy()
    share = calibration.type_lsoa_share.loc["Anti-social behaviour"].to_numpy()
    order = np.argsort(when.to_numpy(), kind="stable")
    frame = pd.DataFrame({
        "case_id": "", "source": rng.choice(["police", "council", "housing"], n, p=[0.5, 0.35, 0.15]),
        "reported_at": when.strftime("%Y-%m-%d %H:%M"), "lsoa_code": rng.choice(lsoas, n, p=share),
        "asb_category": rng.choice(["personal", "nuisance", "environmental"], n, p=[0.3, 0.6, 0.1]),
        "street_based": np.where(rng.random(n) < 0.9, np.where(rng.random(n) < 0.15 + 0.2 * alcohol[person] * known, "Y", "N"), ""),
        "vulnerable_victim": np.where(rng.random(n) < 0.85, np.where(rng.random(n) < 0.12, "Y", "N"), ""),
        "alcohol_flag": trait_flag(alcohol, 0.15), "drugs_flag": trait_flag(drugs, 0.10),
        "mental_health_flag": trait_flag(mental, 0.12),
        "victim_id": np.where(rng.random(n) < 0.7, _people(rng, n, int(n * 0.6), "DEMO-AV-"), ""),
        "perpetrator_id": np.where(known, np.char.add("DEMO-AP-", np.char.zfill(person.astype(str), 5)), ""),
        "perpetrator_age": np.where(known, age[person].astype(str), ""),
    }).iloc[order].reset_index(drop=True)
    frame["case_id"] = [f"ASB-{i:06d}" for i in range(1, len(frame) + 1)]
    return frame


def ae_assaults(calibration: Calibration, rng: np.random.Generator) -> pd.DataFrame:
    """ISTV A&E assault attendances, falling 8% a year from the plan's 1,100 baseline."""
    months = pd.period_range(FIRST_MONTH, LAST_MONTH, freq="M")
    season = calibration.type_month_share.loc["Violence and sexual offences"]
    counts = [rng.poisson(A_AND_E_BASELINE * (1 + A_AND_E_GROWTH) ** (fy_index(m) - BASELINE_FY_INDEX) * season[m.month])
              for m in months]
    month = pd.Series(np.repeat(months.to_numpy(), counts))
    n = len(month)
    hours = rng.choice(24, n, p=VIOLENCE_HOUR_WEIGHTS / VIOLENCE_HOUR_WEIGHTS.sum())
    assault = _times(rng, month, hours)
    arrival = assault + pd.to_timedelta(rng.integers(20, 6 * 60, n), "min")
    location = rng.choice(["public_place", "licensed_premises", "home", "workplace", "education", "other", "unknown"], n,
                          p=[0.38, 0.18, 0.25, 0.06, 0.03, 0.05, 0.05])
    pubs = np.array(["The Eagle (demo)", "The Mill (demo)", "The Empress (demo)", "The Cambridge Blue (demo)",
                     "The Maypole (demo)", "The Geldart (demo)"])
    method = rng.choice(["body_part", "blunt_object", "sharp_object", "glass_or_bottle", "firearm", "other", "unknown"], n,
                        p=[0.62, 0.10, 0.07, 0.06, 0.002, 0.05, 0.098])
    lsoas = calibration.type_lsoa_share.columns.to_numpy()
    fmt = "%Y-%m-%d %H:%M"
    return pd.DataFrame({
        "attendance_id": [f"AE{i:07d}" for i in range(1, n + 1)], "site_code": "RGT01",
        "arrival_at": arrival.dt.strftime(fmt), "assault_at": assault.dt.strftime(fmt), "assault_method": method,
        "assault_method_other": np.where(method == "other", "kicked while on the ground", ""),
        "location_type": location,
        "location_description": np.where(location == "licensed_premises", rng.choice(pubs, n), ""),
        "alcohol_consumed": rng.choice(["Y", "N", ""], n, p=[0.5, 0.3, 0.2]),
        "patient_age": np.clip(rng.gamma(5, 6, n).astype(int) + 12, 12, 90).astype(str),
        "patient_sex": rng.choice(["M", "F", "X", ""], n, p=[0.68, 0.29, 0.01, 0.02]),
        "patient_lsoa": np.where(rng.random(n) < 0.9, rng.choice(lsoas, n), ""),
    })


def iom_cohort(rng: np.random.Generator, suspects: pd.Series, per_year: int = 50) -> pd.DataFrame:
    """IOM cohort: offending in the 12 months before and after adoption. Members are drawn from the most
    frequent suspects in the police records (the scheme manages prolific offenders), so the two link."""
    n = per_year * 4  # adopted 2020/21-2023/24, so that each has a full year after
    prolific = suspects[suspects != ""].value_counts().index[: n * 2].to_numpy()
    members = rng.choice(prolific, size=n, replace=False)
    adopted = FIRST_MONTH.to_timestamp() + pd.to_timedelta(rng.integers(0, 4 * 365, n), "D")
    before = rng.poisson(7, n) + 1
    stopped = rng.random(n) < 0.45
    after = np.where(stopped, 0, rng.binomial(before, 0.5))
    weight_before, weight_after = rng.uniform(2, 10, n), rng.uniform(1.5, 9, n)
    return pd.DataFrame({
        "person_id": members, "adopted_on": adopted.strftime("%Y-%m-%d"),
        "offences_before": before, "offences_after": after,
        "severity_before": np.round(before * weight_before, 1), "severity_after": np.round(after * weight_after, 1),
        "window_months": 12, "days_in_custody_after": np.where(rng.random(n) < 0.2, rng.integers(1, 120, n), 0),
    }).sort_values("adopted_on", kind="stable").reset_index(drop=True)


# The offences of prolific offenders, by Home Office code (an invented mix for the demo): before adoption, and a
# lighter mix after (fewer burglaries, robberies and assaults with injury).
IOM_CODE_MIX = {"46": (0.28, 0.34), "49": (0.10, 0.12), "45": (0.08, 0.08), "28E": (0.09, 0.05), "44": (0.07, 0.08),
                "58C": (0.07, 0.08), "8N": (0.08, 0.05), "105A": (0.09, 0.09), "92D": (0.05, 0.06),
                "9A": (0.05, 0.04), "34B": (0.04, 0.01)}


def iom_offence_codes(cohort: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The cohort with the optional columns offence_codes_before and offence_codes_after: one Home Office code per
    proven offence, separated by ';' (the counts match offences_before and offences_after)."""
    codes = list(IOM_CODE_MIX)
    before_p, after_p = (np.array([mix[i] for mix in IOM_CODE_MIX.values()]) for i in (0, 1))

    def lists(counts: pd.Series, p: np.ndarray) -> list[str]:
        return [";".join(rng.choice(codes, size=int(n), p=p / p.sum())) for n in counts]

    return cohort.assign(offence_codes_before=lists(cohort["offences_before"], before_p),
                         offence_codes_after=lists(cohort["offences_after"], after_p))


# Illustrative harm weights by offence subgroup, invented for the demo: round numbers of the right order (grave
# offences weigh hundreds or thousands of times a minor one), NOT the ONS Crime Severity Score or the Cambridge Crime
# Harm Index. Aggravated burglary and the homicide codes are weighted apart from their subgroup.
ILLUSTRATIVE_SUBGROUP_WEIGHTS = {
    "Homicide": 5000, "Rape offences": 1000, "Other sexual offences": 150, "Violence with injury": 100,
    "Violence without injury": 20, "Stalking and harassment": 30, "Robbery of personal property": 250,
    "Robbery of business property": 300, "Domestic burglary": 150, "Non-domestic burglary": 40, "Arson": 100,
    "Criminal damage": 10, "Trafficking of drugs": 250, "Possession of drugs": 5,
    "Possession of weapons offences": 50, "Public order offences": 15, "Theft from the person": 15,
    "Bicycle theft": 8, "Shoplifting": 4, "Other theft offences": 10, "Theft from a vehicle": 10,
    "Theft of a motor vehicle": 40, "Vehicle interference": 5, "Miscellaneous crimes": 20}
ILLUSTRATIVE_CODE_WEIGHTS = {"29": 1000, "29A": 1000, "31": 400, "31A": 400}
ILLUSTRATIVE_WEIGHTS_FILE = "harm_weights/ILLUSTRATIVE_harm_weights_by_offence_code.csv"
ILLUSTRATIVE_HEADER = """# name: ILLUSTRATIVE harm weights for the synthetic demo (NOT an official weighting)
# version: demo-1
# source: invented for the demonstration by scripts/demo_generator.py; not ONS Crime Severity Score or Cambridge Crime Harm Index figures
# illustrative: true
# unit: illustrative harm units
"""


def illustrative_weights(mapping: pd.DataFrame) -> str:
    """The demo's weights file: one weight per Home Office offence code of CrimeCatMappings.csv (fraud is left out:
    police.uk does not publish it), with the header that says the weights are illustrative."""
    rows = mapping[mapping["Offence_Subgroup"].isin(ILLUSTRATIVE_SUBGROUP_WEIGHTS)]
    weights = [ILLUSTRATIVE_CODE_WEIGHTS.get(code, ILLUSTRATIVE_SUBGROUP_WEIGHTS[group])
               for code, group in zip(rows["Offence_Code"], rows["Offence_Subgroup"])]
    body = pd.DataFrame({"offence_code": rows["Offence_Code"].str.strip(),
                         "offence_description": rows["Offence_Description"].str.strip(), "weight": weights})
    return ILLUSTRATIVE_HEADER + body.to_csv(index=False, lineterminator="\n")


SERVICE_MEASURES = {"s136_detentions": (9, 0.03), "alcohol_treatment_starts": (24, -0.02),
                    "drug_treatment_starts": (30, 0.01), "dual_diagnosis_referrals": (7, 0.08),
                    "mental_health_crisis_contacts": (150, 0.05)}


def service_activity(rng: np.random.Generator) -> pd.DataFrame:
    """Monthly aggregate counts from health and treatment services for the district."""
    rows = []
    for month in pd.period_range(FIRST_MONTH, LAST_MONTH, freq="M"):
        for measure, (level, growth) in SERVICE_MEASURES.items():
            value = rng.poisson(level * (1 + growth) ** (fy_index(month) - BASELINE_FY_INDEX))
            rows.append((month.to_timestamp().strftime("%Y-%m-%d"),
                         month.to_timestamp(how="end").strftime("%Y-%m-%d"), measure, AREA_CODE, value))
    return pd.DataFrame(rows, columns=["period_start", "period_end", "measure", "area_code", "value"])


# The plan's activity targets in 2024/25 as lead officers report them each quarter: (count to date at the end of
# June, September, December and March) for count targets; the milestone's completion date. Fixed, not drawn, so
# that they are planted effect 8: publicity features fall short (9 against 12); the rest are met.
ACTIVITY_REPORTS = {"asb_events_attended": (3, 6, 10, 13), "asb_publicity_features": (2, 4, 6, 9),
                    "da_awareness_campaigns": (1, 2, 3, 3), "da_frontline_staff_trained": (10, 22, 31, 46)}
TENANCY_PACKAGE = ("tenancy_support_package", "2024-08-19")
QUARTER_ENDS = ("2024-06-30", "2024-09-30", "2024-12-31", "2025-03-31")


def plan_activity() -> pd.DataFrame:
    """Quarterly reports on the plan's activity targets (contract plan_activity): cumulative counts, and the
    tenancy support package's completion date from the first report after it."""
    rows = [(name, day, count, "") for name, counts in ACTIVITY_REPORTS.items()
            for day, count in zip(QUARTER_ENDS, counts, strict=True)]
    milestone, done = TENANCY_PACKAGE
    rows += [(milestone, day, "", done if day >= done else "") for day in QUARTER_ENDS]
    return pd.DataFrame(rows, columns=["activity", "reported_on", "achieved", "completed_on"])


def build(raw_dir: Path, seed: int = SEED) -> dict[str, int]:
    """Write the demo data set under raw_dir/demo; return the row count of each file."""
    rng = np.random.default_rng(seed)
    reference = Reference.load(raw_dir / "reference")
    real_street = read_real_street(raw_dir, reference)
    calibration = calibrate(real_street, reference)
    rows = street_rows(calibration, reference, rng)
    demo = raw_dir / "demo"
    records = police_records(rows, rng)
    extracts = {"police_records": records, "asb_cases": asb_cases(calibration, rng),
                "ae_assaults": ae_assaults(calibration, rng), "iom_cohort": iom_cohort(rng, records["suspect_id"]),
                "service_activity": service_activity(rng), "plan_activity": plan_activity()}
    # The county's other districts, for rate comparisons: the last two years only, to keep the repository light.
    comparison = [street_rows(calibrate(real_street, reference, district), reference, rng, COMPARISON_FIRST_MONTH,
                              plant=False) for district in COMPARISON_DISTRICTS]
    surge_rng = np.random.default_rng(seed + SURGE_SEED_OFFSET)
    surge = cycle_surge_rows(calibration, reference, surge_rng)
    extracts["police_records"] = pd.concat([records, police_records(surge, surge_rng, first_number=len(rows) + 1,
                                                                    person_prefix="DEMO-C")], ignore_index=True)
    rows = pd.concat([rows, surge.drop(columns="day")], ignore_index=True)
    # The force's extract covers the whole county, as a real one would: the other districts' records for the latest
    # year (kept to one year so the repository stays light) let the domestic-abuse chapter compare rates. Their
    # own random stream.
    county_rng = np.random.default_rng(seed + COMPARISON_RECORDS_SEED_OFFSET)
    county_rows = pd.concat(comparison, ignore_index=True)
    county_rows = county_rows[county_rows["month"] >= LAST_MONTH - 11].reset_index(drop=True)
    county = police_records(county_rows, county_rng, first_number=len(rows) + 1, person_prefix="DEMO-K")
    extracts["police_records"] = pd.concat([extracts["police_records"], county], ignore_index=True)
    knife_rng = np.random.default_rng(seed + KNIFE_SEED_OFFSET)
    extracts["police_records"] = weapon_flags(extracts["police_records"], knife_rng)
    knife = young_knife_rows(calibration, reference, knife_rng)
    extracts["police_records"] = pd.concat([extracts["police_records"],
                                            young_knife_records(knife, knife_rng, len(extracts["police_records"]) + 1)],
                                           ignore_index=True)
    rows = pd.concat([rows, knife], ignore_index=True)
    extracts["ae_assaults"] = pd.concat([extracts["ae_assaults"], young_sharp_attendances(extracts["ae_assaults"], knife_rng)],
                                        ignore_index=True)
    extracts["iom_cohort"] = iom_offence_codes(extracts["iom_cohort"], np.random.default_rng(seed + IOM_CODES_SEED_OFFSET))
    mapping = pd.read_csv(raw_dir / "home_office" / "CrimeCatMappings.csv", dtype=str)
    (demo / ILLUSTRATIVE_WEIGHTS_FILE).parent.mkdir(parents=True, exist_ok=True)
    (demo / ILLUSTRATIVE_WEIGHTS_FILE).write_text(illustrative_weights(mapping))
    # The outcomes files last, on their own random stream: each crime's street row then says its latest published
    # outcome (or "Under investigation" when its outcome comes after the last month).
    everything = pd.concat([rows.assign(in_partnership=True), *(c.assign(in_partnership=False) for c in comparison)],
                           ignore_index=True)
    real_outcomes = police_uk.read_monthly(police_uk.discover(raw_dir / "real" / "police.uk")["outcomes"],
                                           police_uk.OUTCOME_COLUMNS)
    outcomes, everything["last_outcome"] = demo_outcomes.outcome_rows(
        everything, demo_outcomes.lag_shares(real_street, real_outcomes), LAST_MONTH,
        np.random.default_rng(seed + demo_outcomes.OUTCOMES_SEED_OFFSET))
    police_uk_zip(everything, demo / "police.uk" / "cambridgeshire-demo-2020-04-to-2025-03.zip",
                  demo_outcomes.outcomes_files(outcomes, FORCE))
    (demo / "partner").mkdir(parents=True, exist_ok=True)
    counts = {"police.uk street (Cambridge)": len(rows),
              "police.uk street (comparison districts)": sum(len(c) for c in comparison),
              "police.uk outcomes": len(outcomes)}
    for name, frame in extracts.items():
        frame.to_csv(demo / "partner" / f"{name}.csv", index=False, lineterminator="\n")
        counts[name] = len(frame)
    write_manifest(demo, f"scripts/demo_generator.py, seed {seed}")  # what synthetic: true is checked against
    return counts

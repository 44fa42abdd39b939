"""Violence by place and time: the city centre against each pub cluster and the rest of the area, and the time
of week (police records spread over their occurrence windows, A&E assault times).

Police.uk counts violence and sexual offences together ("Violence and sexual offences"); that is the count here.
Resident rates mislead for a city centre, whose visitors outnumber its residents many times over: zones are
compared by count, by count per square km of the zone (where boundaries give its area) and by the rate ratio of
each zone's count with the year before, never per resident.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.analysis.flags import in_night_time_economy
from pipeline.inputs.config import AssessmentConfig
from pipeline.methods.aoristic import hour_of_week_weights
from pipeline.methods.disclosure import protect
from pipeline.methods.periods import complete_years
from pipeline.methods.screens import screen_family
from pipeline.methods.statistics import compare_counts, poisson_trend
from pipeline.methods.values import Estimate, Proportion
from pipeline.formatting import DETECTABLE, trend_cell

VIOLENCE = "Violence and sexual offences"
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def elsewhere_label(config: AssessmentConfig) -> str:
    return f"Rest of {config.area_name}"


def area_violence(crimes: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """The partnership's police.uk violence, with each row's zone label (a configured zone, or the rest)."""
    rows = crimes[crimes["district_code"].isin(config.area_codes) & (crimes["crime_type"] == VIOLENCE)].copy()
    rows["zone_label"] = rows["zone"].replace("", elsewhere_label(config))
    return rows


POLICE_UK_SOURCE = "police.uk street-level crimes"
RECORDS_SOURCE = "the force's police records"
MIN_LOCATED_SHARE = 0.5  # police records with coordinates on fewer than this share of violent records: police.uk


@dataclass(frozen=True)
class PlaceSource:
    """The violence that zones, hotspots and the ranked list count, and what it is (said in every table)."""

    rows: pd.DataFrame
    name: str
    why: str = ""  # why police.uk is used when police records were supplied


def violence_for_places(crimes: pd.DataFrame, records: pd.DataFrame | None, config: AssessmentConfig) -> PlaceSource:
    """The best data supplied for where violence happens: the force's police records when they are there with
    locations (coordinates on at least half of the violent records) and at least one complete year; else
    police.uk, which is also the source for the other districts. The rows carry the columns the zone table and the
    hotspot surfaces read (years_back, year_ending, month, zone, zone_label, longitude, latitude, lsoa21,
    ward_name, location)."""
    police_uk = PlaceSource(area_violence(crimes, config), POLICE_UK_SOURCE)
    if records is None:
        return police_uk
    rows = records[(records["crime_type"] == VIOLENCE) & records["in_area"] & (records["years_back"] >= 0)]
    located = rows["latitude"].notna() & rows["longitude"].notna()
    if rows.empty or located.mean() < MIN_LOCATED_SHARE:
        return PlaceSource(police_uk.rows, POLICE_UK_SOURCE, "the police records give coordinates for "
                           f"{located.mean():.0%} of violent records" if len(rows) else "the police records hold no violence")
    if not complete_years(rows):
        return PlaceSource(police_uk.rows, POLICE_UK_SOURCE, "the police records do not cover a complete year")
    rows = rows.assign(zone_label=rows["zone"].replace("", elsewhere_label(config)),
                       location=rows["location_description"].fillna("").astype(str))
    return PlaceSource(rows, RECORDS_SOURCE)


def zone_order(config: AssessmentConfig) -> list[str]:
    """The city centre first, then the pub clusters, the other zones and the rest of the area."""
    first = [config.city_centre] if config.city_centre else []
    others = [z for z in config.zones if z not in first and z not in config.pub_clusters]
    return first + list(config.pub_clusters) + others + [elsewhere_label(config)]


def zone_areas(boundaries, config: AssessmentConfig, geography: pd.DataFrame) -> dict[str, float]:
    """Square km of each zone (and of the rest of the area) from the LSOA polygons; empty without them."""
    lsoas = boundaries[boundaries["layer"] == "lsoa"]
    if lsoas.empty:
        return {}
    area_codes = set(geography.loc[geography["district_code"].isin(config.area_codes), "lsoa21"])
    km2 = dict(zip(lsoas["code"], lsoas.geometry.area / 1e6))
    if not area_codes <= set(km2):
        return {}  # the polygons do not cover the whole area: no densities rather than wrong ones
    zoned = {code for codes in config.zones.values() for code in codes}
    out = {zone: sum(km2[c] for c in codes) for zone, codes in config.zones.items()}
    out[elsewhere_label(config)] = sum(km2[c] for c in area_codes - zoned)
    return out


def latest_violent_records(records: pd.DataFrame) -> pd.DataFrame:
    """The partnership's violent police records in the latest twelve months."""
    return records[(records["crime_type"] == VIOLENCE) & records["in_area"] & (records["years_back"] == 0)]


def night_share(records: pd.DataFrame | None, config: AssessmentConfig) -> pd.Series:
    """Share of each zone's violent police records in the latest twelve months in the night-time-economy window."""
    if records is None:
        return pd.Series(dtype=object)
    violence = latest_violent_records(records)
    inside = in_night_time_economy(violence, config.night_time_economy)
    zone = violence["zone"].replace("", elsewhere_label(config))
    known = violence["occurred_from"].notna() | violence["reported_at"].notna()
    out = {z: Proportion(int(inside[rows.index].sum()), int(known[rows.index].sum())) for z, rows in violence.groupby(zone)}
    out["total"] = Proportion(int(inside.sum()), int(known.sum()))
    return pd.Series(out, dtype=object)


def zone_table(violence: pd.DataFrame, records: pd.DataFrame | None, config: AssessmentConfig,
               areas: dict[str, float]) -> pd.DataFrame:
    """One row per zone and the whole area: counts this year and last, the change and its exact rate ratio,
    count per square km, the trend over complete years and the night-time-economy share."""
    years = complete_years(violence) if not violence.empty else []
    counts = violence[violence["years_back"].isin(years)].pivot_table(
        index="zone_label", columns="years_back", values="month", aggfunc="size", fill_value=0)
    counts = counts.reindex(index=zone_order(config), columns=sorted(years), fill_value=0)
    total_label = f"All of {config.area_name}"
    counts.loc[total_label] = counts.sum()
    shares = night_share(records, config)
    rows = []
    for zone, row in counts.iterrows():
        this_year = int(row.get(0, 0)) if 0 in years else np.nan
        out = {"Zone": zone, "This year": this_year}
        if 1 in years and 0 in years:
            change = compare_counts(int(row[0]), int(row[1]))
            out |= {"Last year": int(row[1]), "Change (offences)": change.change, "Change (%)": change.percent_change,
                    "Rate ratio (95% CI)": Estimate(change.rate_ratio, change.ratio_lower, change.ratio_upper),
                    "Beyond natural variation": change}
        area = areas.get(zone, sum(areas.values()) if zone == total_label and areas else np.nan)
        out["Per km² this year"] = this_year / area if area and not np.isnan(area) else np.nan
        trend = poisson_trend(row[sorted(years, reverse=True)].to_numpy())  # None under three years
        out["Trend (complete years)"] = trend_cell(trend)
        key = "total" if zone == total_label else zone
        out["Night-time-economy share"] = shares.get(key, "no police records") if len(shares) else "no police records"
        rows.append(out)
    if 1 in years and 0 in years:  # the zones are one family, the whole area a test of its own (methods.screens)
        changes = [row.pop("Beyond natural variation") for row in rows]
        for row, screen in zip(rows, screen_family(changes[:-1]) + screen_family(changes[-1:])):
            row |= {"Beyond natural variation": screen.beyond, DETECTABLE: screen.detectable}
    table = pd.DataFrame(rows)
    if DETECTABLE in table:  # the screen beside the change it screens
        order = list(table.columns.drop(["Beyond natural variation", DETECTABLE]))
        at = order.index("Rate ratio (95% CI)") + 1
        table = table[order[:at] + ["Beyond natural variation", DETECTABLE] + order[at:]]
    return protect(table, ["This year", "Last year"],
                   ["Change (offences)", "Change (%)", "Rate ratio (95% CI)", "Beyond natural variation", DETECTABLE,
                    "Per km² this year"], total_row=("Zone", total_label, []))


def _week_frame(weights: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(weights.reshape(7, 24), index=DAYS, columns=[f"{h:02d}" for h in range(24)])
    frame.index.name = "Day"
    return frame


def time_of_week(records: pd.DataFrame | None, ae: pd.DataFrame | None) -> dict[str, pd.DataFrame | int]:
    """Violence by day and hour in the latest twelve months: police records with aoristic weights over their
    occurrence windows (each record sums to one), and A&E assaults at their recorded time."""
    out: dict[str, pd.DataFrame | int] = {}
    if records is not None:
        violence = latest_violent_records(records)
        start = violence["occurred_from"].fillna(violence["reported_at"])
        known = start.notna()
        weights = hour_of_week_weights(start[known], violence.loc[known, "occurred_to"])
        out |= {"police": _week_frame(weights.sum(axis=0)), "police_records": int(known.sum())}
    if ae is not None:
        latest = ae[ae["years_back"] == 0]
        when = latest["assault_at"].dropna()
        weights = hour_of_week_weights(when, when)
        out |= {"ae": _week_frame(weights.sum(axis=0)), "ae_attendances": int(len(when))}
    return out

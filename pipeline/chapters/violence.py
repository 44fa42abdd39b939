"""Chapter 4, alcohol-related violence: the city centre against the pub clusters and the rest, the time of week,
hotspots on a 250 m grid and on LSOAs with their persistence, maps, and A&E assault attendances (ISTV) against
the plan's target."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import ae_assaults as ae_analysis
from pipeline.analysis import targets, violence, violence_hotspots
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding, screen_of
from pipeline.methods.periods import year_ending_label
from pipeline.methods.spc import XmR
from pipeline.methods.statistics import Detectable

NAME = "violence"


@dataclass
class ViolenceChapter:
    area_name: str
    year_label: str
    city_centre: str | None
    pub_clusters: tuple[str, ...]
    night_window: str
    zones: pd.DataFrame = field(default_factory=pd.DataFrame)
    densities: bool = False
    week: dict = field(default_factory=dict)
    grid: violence_hotspots.Surface | None = None
    lsoa: violence_hotspots.Surface | None = None
    ranked: pd.DataFrame = field(default_factory=pd.DataFrame)
    zone_classes: pd.DataFrame = field(default_factory=pd.DataFrame)
    boundaries: object = None
    zone_lsoas: dict = field(default_factory=dict)
    ae_missing: str = ""
    ae_monthly: pd.Series = field(default_factory=pd.Series)
    ae_chart: XmR | None = None
    ae_false_alarm: float = float("nan")
    ae_target_monthly: float | None = None
    ae_targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    ae_methods: pd.DataFrame = field(default_factory=pd.DataFrame)
    ae_locations: pd.DataFrame = field(default_factory=pd.DataFrame)
    ae_alcohol: dict = field(default_factory=dict)
    ae_trend: object = None
    police_index: pd.DataFrame = field(default_factory=pd.DataFrame)
    records_missing: str = ""
    places_source: str = ""  # what the zones, hotspots and ranked list count
    places_why: str = ""  # why police.uk, when police records were supplied

    @property
    def has_boundaries(self) -> bool:
        return self.boundaries is not None and len(self.boundaries) > 0


def build(ctx: ChapterContext) -> ViolenceChapter:
    config = ctx.config
    crimes, records, ae = ctx.table("crimes"), ctx.table("police_records", area_only=True), ctx.table("ae_assaults")
    geography, boundaries = ctx.table("geography"), ctx.boundaries()
    result = ViolenceChapter(config.area_name, year_ending_label(ctx.period_end), config.city_centre, config.pub_clusters,
                             config.night_time_economy.describe(), boundaries=boundaries,
                             zone_lsoas={zone: list(codes) for zone, codes in config.zones.items()})
    unavailable = ctx.unavailable
    result.records_missing = unavailable.get("police_records", "")
    places = violence.violence_for_places(crimes, records, config)
    area_violence = places.rows
    result.places_source, result.places_why = places.name, places.why
    areas = violence.zone_areas(boundaries, config, geography)
    result.densities = bool(areas)
    result.zones = violence.zone_table(area_violence, records, config, areas)
    result.week = violence.time_of_week(records, ae)

    district = boundaries[(boundaries["layer"] == "district") & boundaries["code"].isin(config.area_codes)]
    polygon = district.geometry.union_all() if len(district) == len(config.area_codes) else None
    result.grid = violence_hotspots.grid_surface(area_violence, polygon)
    lsoa_polygons = boundaries[boundaries["layer"] == "lsoa"].set_index("code").geometry
    result.lsoa = violence_hotspots.lsoa_surface(area_violence, geography, config.area_codes, lsoa_polygons)
    if result.grid is not None:
        result.ranked = violence_hotspots.ranked_hotspots(result.grid, area_violence, records, config)
        result.zone_classes = violence_hotspots.zone_classes(result.grid, list(config.zones))

    result.ae_missing = unavailable.get(ae_analysis.SOURCE, "")
    result.ae_targets = ae_analysis.target_rows(config, crimes, ae, ctx.period_end, unavailable)
    if ae is not None:
        result.ae_monthly = ae_analysis.monthly(ae, ctx.period_end)
        result.ae_chart, result.ae_false_alarm = ae_analysis.control_chart(result.ae_monthly)
        below = [t for t in config.targets if t.source == ae_analysis.SOURCE and t.below]
        result.ae_target_monthly = targets.ceiling(below[0]) / 12 if below else None
        result.ae_methods = ae_analysis.mix(ae, "assault_method", ae_analysis.METHODS)
        result.ae_locations = ae_analysis.mix(ae, "location_type", ae_analysis.LOCATIONS)
        result.ae_alcohol = ae_analysis.alcohol(ae)
        result.ae_trend = ae_analysis.yearly_trend(ae)
        result.police_index = ae_analysis.police_index(crimes, ae, config, ctx.period_end)
    return result


def chart_reading(result: ViolenceChapter) -> str:
    """What the XmR chart shows, in words, with the chance of a false signal on a series this long."""
    chart = result.ae_chart
    if chart is None:
        return "" if result.ae_missing else "Fewer than 12 months of A&E data: no control chart."
    rules = [(chart.beyond_limits, "beyond a process limit"), (chart.shift, "in a run of 7 or more on one side of the mean"),
             (chart.trend, "in a trend of 6 or more"), (chart.two_of_three, "two of three near a limit")]
    flagged = [f"{int(points.sum())} {'month' if points.sum() == 1 else 'months'} {words}" for points, words in rules
               if points.any()]
    months = result.ae_monthly.index
    latest = [str(months[i]) for i in np.flatnonzero(chart.special_cause)[-3:]]
    text = (f"Mean {chart.mean:.0f} attendances a month, process limits {chart.lower:.0f} to {chart.upper:.0f}. "
            + (f"Special cause: {'; '.join(flagged)} (latest: {', '.join(latest)})." if flagged else
               "No special cause variation: the months vary as a stable process would."))
    text += (f" On a stable series of {len(months)} months these rules flag at least one month "
             f"{fmt.percent(result.ae_false_alarm * 100)} of the time, so a lone flag is weak evidence; "
             "a long run or a trend is stronger.")
    if result.ae_trend is not None:
        text += f" Over the complete years: {fmt.trend_sentence(result.ae_trend)}."
    return text


def alcohol_reading(result: ViolenceChapter) -> str:
    if not result.ae_alcohol:
        return ""
    drunk, recorded = result.ae_alcohol["drunk"], result.ae_alcohol["recorded"]
    return (f"Had drunk alcohol: {drunk} of the attendances where it was recorded. It was recorded for {recorded} of "
            "attendances; where it is not recorded the share is unknown, not zero.")


def _zone_finding(row: pd.Series, result: ViolenceChapter) -> Finding | None:
    if fmt.is_missing(row.get("This year")) or isinstance(row.get("This year"), str):
        return None
    text = f"{row['Zone']}: {fmt.count(row['This year'])} violent offences in {result.year_label}"
    figures = {"zone": row["Zone"], "this_year": int(row["This year"])}
    direction = "context"
    if "Last year" in row and not isinstance(row["Last year"], str) and not fmt.is_missing(row["Last year"]):
        change, percent = int(row["Change (offences)"]), float(row["Change (%)"])
        ratio = row["Rate ratio (95% CI)"]
        text += (f", {fmt.describe_change(change, percent).lower()} on the year before (rate ratio {ratio}); "
                 f"{screen_of(row['Beyond natural variation'])}")
        if isinstance(row.get(fmt.DETECTABLE), Detectable):
            text += f" ({row[fmt.DETECTABLE].words()})"
        figures |= {"last_year": int(row["Last year"]), "change": change, "change_percent": percent,
                    "rate_ratio": ratio.value, "rate_ratio_low": ratio.low, "rate_ratio_high": ratio.high}
        if row["Beyond natural variation"] == "yes":
            direction = "down" if change < 0 else "up"
        elif row["Beyond natural variation"] == "no":
            direction = "no change"
    share = row.get("Night-time-economy share")
    if hasattr(share, "k") and share.n:
        text += f"; {share.brief()} of its violent police records in the night-time economy ({result.night_window})"
        figures |= {"night_share_percent": share.share}
    summary = ""
    if direction in ("up", "down"):
        summary = (f"{row['Zone']}: violent offences {'rose' if direction == 'up' else 'fell'} from "
                   f"{fmt.count(row['Last year'])} to {fmt.count(row['This year'])} "
                   f"({fmt.signed_percent(figures['change_percent'])}), beyond natural variation"
                   + (f"; {share.brief()} of its violent records fell in the night-time economy." if "night_share_percent" in figures
                      else "."))
    return Finding(NAME, "violence", text + ".", figures, direction, "The city centre against the pub clusters and the rest", summary=summary)


def _zone_beside_hotspot(result: ViolenceChapter, hotspot: str, cells: int) -> str:
    """Which is the zone and which the hotspot cells, when a hotspot lies in a configured zone, and why their counts
    differ."""
    zone = hotspot.removeprefix(violence_hotspots.HOTSPOT_CELLS_IN)
    if zone == hotspot:
        return ""
    rows = result.zones[result.zones["Zone"] == zone]
    if rows.empty or isinstance(rows.iloc[0]["This year"], str):
        return ""
    return (f"; these {cells} grid cells are the part of the {zone} zone where violence is concentrated beyond chance, "
            f"so they count fewer offences than the whole zone ({fmt.count(rows.iloc[0]['This year'])})")


def places_note(result: ViolenceChapter) -> str:
    """Which data the zones, hotspots and ranked list count, and why."""
    if result.places_source == violence.RECORDS_SOURCE:
        return ("Zones, hotspots and the ranked list count **the force's police records** of violence with a location, "
                "the best data supplied: police.uk moves each crime to an anonymised nearby point and publishes fewer "
                "of them. police.uk remains the source for the county's other districts; the two sources are never "
                "added together or shown side by side as one measure.")
    why = f" ({result.places_why})" if result.places_why else ""
    return (f"Zones, hotspots and the ranked list count **police.uk street-level crimes**: no police records with "
            f"locations were usable{why}. The night-time-economy shares come from the police records where they are "
            "supplied, a different source from the counts beside them.")


def findings(result: ViolenceChapter) -> list[Finding]:
    """Each zone's change, the top hotspot outside the city centre, the city centre's class and the A&E target."""
    out = [f for _, row in result.zones.iterrows() if row["Zone"] in {result.city_centre, *result.pub_clusters}
           if (f := _zone_finding(row, result))]
    if not result.ranked.empty:
        top = result.ranked.iloc[0]
        text = f"The top-ranked violence hotspot outside the city centre is {top['Hotspot']}, {fmt.article(top['Class'])}"
        figures = {"hotspot": top["Hotspot"], "class": top["Class"], "source": result.places_source}
        if top.get("Emerging since (quarter)"):
            text += f" since {top['Emerging since (quarter)']}"
            figures["emerging_since"] = str(top["Emerging since (quarter)"])
        if not isinstance(top["This year"], str):
            text += f" with {fmt.count(top['This year'])} violent offences in {result.year_label}"
            figures["this_year"] = int(top["This year"])
            if "Change (offences)" in top and not isinstance(top["Change (offences)"], str):
                text += f" ({fmt.describe_change(int(top['Change (offences)']), float(top['Change (%)'])).lower()})"
            text += f", counted from {result.places_source}"
            text += _zone_beside_hotspot(result, str(top["Hotspot"]), int(top["Cells"]))
        out.append(Finding(NAME, "violence", text + ".", figures, "up" if top["Class"] == "emerging hotspot" else "context",
                           "Hotspots"))
    if result.city_centre and not result.zone_classes.empty:
        row = result.zone_classes.set_index("Zone").loc[result.city_centre]
        kind = row["Zone's class"]
        centre = "The city centre" + ("" if result.city_centre.lower() == "city centre" else f" ({result.city_centre})")
        if kind == violence_hotspots.ONE_YEAR:
            text = (f"{centre} is a violence hotspot in {result.year_label}: {row['Hot this year']} of its {row['Cells']} "
                    "250 m cells are significant hotspots; whether it is persistent needs more than one year of data.")
        else:
            text = (f"{centre} is {fmt.article(kind)}: {row['persistent hotspot']} of its {row['Cells']} 250 m cells "
                    f"are persistent hotspots, {row['Hot this year']} are hotspots in {result.year_label}.")
        out.append(Finding(NAME, "violence", text,
                           {"class": kind, "persistent_cells": int(row["persistent hotspot"])},
                           "context", "Hotspots"))
    for _, row in result.ae_targets.iterrows():
        if result.ae_missing:  # the gap finding below says it once
            break
        status = str(row.get("Status", ""))
        direction = {"Met": "met", "Missed": "missed", "On track": "on track", "Off track": "off track"}.get(status,
                                                                                                           "not assessable")
        verdict = row.get("Verdict") if isinstance(row.get("Verdict"), str) else status
        out.append(Finding(NAME, "targets", f"{row['Target']} ({row['Aim']}): {verdict}.",
                           {"status": status}, direction, "A&E assault attendances"))
    trend = result.ae_trend
    if trend is not None and not result.ae_missing:
        label = fmt.trend_label(trend)
        out.append(Finding(NAME, "violence", f"A&E assault attendances over {trend.years} complete years: "
                           f"{fmt.trend_sentence(trend)}.",
                           {"years": trend.years, "annual_percent": trend.annual_percent, "p_value": trend.p_value},
                           {"downward": "down", "upward": "up"}.get(label, "no change"), "A&E assault attendances",
                           summary=(f"A&E assault attendances show a {label} trend, {fmt.signed_percent(trend.annual_percent)} "
                                    f"a year over {trend.years} years." if label in ("downward", "upward") else "")))
    if result.ae_missing:
        out.append(Finding(NAME, "data", f"No A&E assault data ({result.ae_missing}): the A&E target, the assault "
                           "mix and the under-reporting index cannot be assessed.", {}, "gap", "A&E assault attendances"))
    elif result.ae_alcohol:
        drunk, recorded = result.ae_alcohol["drunk"], result.ae_alcohol["recorded"]
        out.append(Finding(NAME, "violence", f"{drunk.brief()} of A&E assault patients whose drinking was recorded had "
                           f"drunk alcohol; it was recorded for {recorded.brief()} of attendances.",
                           {"alcohol_percent": drunk.share, "recorded_percent": recorded.share}, "context",
                           "A&E assault attendances"))
    return out

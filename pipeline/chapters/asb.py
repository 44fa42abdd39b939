"""Chapter 6, anti-social behaviour: incidents per 1,000 residents by ward and on a map, the long-term trend and
whether it has levelled off, the partner cases by source and national category, street-based ASB, vulnerable
and repeat victims with the flags on their perpetrators, and repeat perpetrators."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import asb
from pipeline.chapters import peer_comparison
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding, headline_figures, screen_of, series_figure
from pipeline.methods.disclosure import is_small
from pipeline.methods.periods import year_ending_label
from pipeline.methods.plateau import SlopeChange
from pipeline.methods.statistics import Detectable
from pipeline.methods.values import Interval

NAME = "asb"


@dataclass
class AsbChapter:
    area_name: str
    year_label: str
    monthly: pd.Series = field(default_factory=pd.Series)
    slope: SlopeChange | None = None
    wards: pd.DataFrame = field(default_factory=pd.DataFrame)
    lsoa_rates: pd.DataFrame = field(default_factory=pd.DataFrame)
    boundaries: object = None
    zone_lsoas: dict = field(default_factory=dict)
    cases_missing: str = ""
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    categories: pd.DataFrame = field(default_factory=pd.DataFrame)
    street: pd.DataFrame = field(default_factory=pd.DataFrame)
    street_places: pd.DataFrame = field(default_factory=pd.DataFrame)
    street_slope: SlopeChange | None = None
    victims: pd.DataFrame = field(default_factory=pd.DataFrame)
    perpetrators: dict = field(default_factory=dict)
    peers: list = field(default_factory=list)  # police-recorded ASB against the Most Similar Group (PeerRates)
    peer_note: str = ""


def build(ctx: ChapterContext) -> AsbChapter:
    config = ctx.config
    crimes, geography, cases = ctx.table("crimes"), ctx.table("geography"), ctx.table("asb_cases", area_only=True)
    result = AsbChapter(config.area_name, year_ending_label(ctx.period_end), boundaries=ctx.boundaries(),
                        zone_lsoas={zone: list(codes) for zone, codes in config.zones.items()})
    rows = asb.incidents(crimes, config)
    result.monthly = asb.monthly(rows, asb.police_uk_months(crimes, ctx.period_end))
    result.slope = asb.trend(result.monthly)
    result.wards = asb.ward_rates(rows, geography, config)
    result.lsoa_rates = asb.lsoa_rates(rows, geography, config)
    result.peers = peer_comparison.police_uk_rates(ctx, crimes, asb_only=True)
    result.peer_note = peer_comparison.note(ctx, result.peers[0] if result.peers else None)
    result.cases_missing = ctx.unavailable.get("asb_cases", "")
    if cases is not None:
        result.sources = asb.by_year(cases, "source", asb.SOURCES)
        result.categories = asb.by_year(cases, "asb_category", asb.CATEGORIES)
        result.street = asb.street_based(cases)
        result.street_places = asb.street_places(cases)
        street = cases[cases["street_based"] == "Y"]
        result.street_slope = asb.trend(asb.monthly(street, asb.case_months(cases, ctx.period_end)))
        result.victims = asb.victim_table(cases)
        result.perpetrators = asb.perpetrator_summary(cases)
    return result


def trend_table(result: AsbChapter) -> pd.DataFrame:
    """The trend figures the findings quote: each series' annual change over the whole series and the latest
    years, with 95% intervals, and the test of the change of slope."""
    rows = []
    for what, slope in (("Police-recorded incidents", result.slope), ("Street-based partner cases", result.street_slope)):
        if slope is not None:
            rows.append({"Series": what, "Years": slope.years, "Whole series (% a year)": slope.whole_percent,
                         "Whole series 95% CI": Interval(slope.whole_low, slope.whole_high, "percent"),
                         f"Latest {slope.recent_years} years (% a year)": slope.recent_percent,
                         "Latest years 95% CI": Interval(slope.recent_low, slope.recent_high, "percent"),
                         "Change of slope p-value": slope.change_p, "Reading": slope.reading})
    table = pd.DataFrame(rows)
    table.attrs["kinds"] = {"Years": "number", "Whole series (% a year)": "signed_percent",
                            "Latest 3 years (% a year)": "signed_percent", "Change of slope p-value": "p"}
    return table


def trend_reading(slope: SlopeChange | None, what: str) -> str:
    if slope is None:
        return (f"{what}: no long-term trend: it needs at least four years of months (three for the latest "
                "years and one before them).")
    return (f"{what}, {slope.years:.0f} years: {slope.whole_percent:+.1f}% a year over the whole series "
            f"(95% CI {slope.whole_low:+.1f}% to {slope.whole_high:+.1f}%), {slope.recent_percent:+.1f}% a year over the "
            f"latest {slope.recent_years} years ({slope.recent_low:+.1f}% to {slope.recent_high:+.1f}%); change of slope "
            f"p = {fmt.p_value(slope.change_p)}: {slope.reading.split(';')[0]}"
            + (f" ({slope.whole_detectable.words(' a year')})." if slope.whole_p >= 0.05 and slope.whole_detectable else "."))


def perpetrator_reading(result: AsbChapter) -> str:
    found = result.perpetrators
    if not found:
        return ""
    if is_small(found["repeat"]):
        return "Repeat perpetrators: fewer than 5 people (not shown)."
    return (f"Repeat perpetrators (two or more cases in the latest 12 months): {fmt.count(found['repeat'])} of "
            f"{fmt.count(found['perpetrators'])} known perpetrators, behind {found['share'].brief()} of the cases with a "
            "known perpetrator.")


def _series(monthly: pd.Series) -> dict:
    """Police-recorded ASB by complete twelve months to the period end, oldest first (the summary's trend line)."""
    years = len(monthly) // 12
    if years < 2:
        return {}
    blocks = [monthly.iloc[len(monthly) - 12 * (k + 1):len(monthly) - 12 * k] for k in reversed(range(years))]
    return {"series": series_figure([year_ending_label(block.index[-1]) for block in blocks],
                                    [int(block.sum()) for block in blocks])}


def findings(result: AsbChapter) -> list[Finding]:
    out = []
    area = result.wards.iloc[0]
    rate = area["Per 1,000"]
    text = (f"{fmt.count(area['This year'])} police-recorded ASB incidents in {result.year_label}, "
            f"{fmt.decimal(rate, 'rate')} per 1,000 residents ({area['Per 1,000 (95% CI)']})")
    figures = headline_figures("Police-recorded ASB incidents", int(area["This year"]))
    direction = "context"
    if "Last year" in area and not isinstance(area["Last year"], str) and not fmt.is_missing(area["Last year"]):
        change, percent = int(area["Change"]), float(area["Change (%)"])
        beyond = area["Beyond natural variation (wards: FDR 5%)"]
        screen = screen_of(beyond)
        text += f"; {fmt.describe_change(change, percent, 'incidents').lower()} on the year before, {screen}"
        if isinstance(area.get(fmt.DETECTABLE), Detectable):
            text += f" ({area[fmt.DETECTABLE].words()})"
        figures = headline_figures("Police-recorded ASB incidents", int(area["This year"]), int(area["Last year"]),
                                   change, percent, screen)
        if isinstance(area.get(fmt.DETECTABLE), Detectable):
            figures |= {"detectable_rise_percent": area[fmt.DETECTABLE].rise,
                        "detectable_fall_percent": area[fmt.DETECTABLE].fall}
        direction = ("down" if change < 0 else "up") if beyond == "yes" else "no change"
    figures |= {"per_1000": float(rate), "period": result.year_label} | _series(result.monthly)
    out.append(Finding(NAME, "asb", text + ".", figures, direction, "Rates", headline=True))
    top = result.wards.iloc[1]
    out.append(Finding(NAME, "asb", f"Highest ward rate: {top['Area']}, {fmt.decimal(top['Per 1,000'], 'rate')} per 1,000 "
                       f"({top['Per 1,000 (95% CI)']}).", {"ward": top["Area"], "per_1000": float(top["Per 1,000"])},
                       "context", "Rates"))
    if "Beyond natural variation (wards: FDR 5%)" in result.wards:
        moved = result.wards.iloc[1:][result.wards.iloc[1:]["Beyond natural variation (wards: FDR 5%)"] == "yes"]
        for _, ward in moved.iterrows():
            out.append(Finding(NAME, "asb", f"{ward['Area']}: {fmt.describe_change(int(ward['Change']), float(ward['Change (%)']), 'incidents').lower()} "
                               "on the year before, beyond natural variation across the wards (FDR 5%).",
                               {"ward": ward["Area"], "change": int(ward["Change"])},
                               "down" if ward["Change"] < 0 else "up", "Rates"))
    if result.slope is None:
        out.append(Finding(NAME, "data", trend_reading(None, "Police-recorded ASB"), {"months": int(len(result.monthly))},
                           "gap", "The long-term trend"))
    else:
        direction = {"still falling": "down", "still rising": "up"}.get(result.slope.reading, "no change")
        out.append(Finding(NAME, "asb", trend_reading(result.slope, "Long-term trend"),
                           {"whole_percent": float(result.slope.whole_percent), "whole_p": float(result.slope.whole_p),
                            "recent_percent": float(result.slope.recent_percent), "change_p": float(result.slope.change_p),
                            **({"whole_detectable_rise_percent": result.slope.whole_detectable.rise,
                                "whole_detectable_fall_percent": result.slope.whole_detectable.fall}
                               if result.slope.whole_detectable else {})},
                           direction, "The long-term trend",
                           summary=(f"Police-recorded ASB over {result.slope.years:.0f} years: "
                                    f"{fmt.signed_percent(result.slope.whole_percent)} a year, "
                                    f"{fmt.signed_percent(result.slope.recent_percent)} a year over the latest "
                                    f"{result.slope.recent_years} years: {result.slope.reading}.")))
    if result.cases_missing:
        out.append(Finding(NAME, "data", f"No partner ASB cases ({result.cases_missing}): sources, street-based ASB, "
                           "vulnerable and repeat victims and repeat perpetrators cannot be reported.", {}, "gap",
                           "Partner cases"))
    elif not result.street.empty:
        latest = result.street.iloc[-1]["Share of recorded"]
        out.append(Finding(NAME, "asb", f"Street-based ASB: {latest.brief()} of partner cases where it was recorded, "
                           f"{result.street.iloc[-1]['Year']}.", {"share_percent": latest.share}, "context",
                           "Street-based ASB"))
    return out + [f for rates in result.peers for f in peer_comparison.finding(NAME, rates)]

"""Chapter 9, serious violence: the Serious Violence Duty's strategic needs assessment from the same data. The
local definition, volume, rate and trend of serious violence and of knife- and firearm-enabled offences, victims
and suspects under 25 against residents of the same ages, places and times, A&E weapon assaults beside police
weapon offences, the plan's flags in serious violence, and what the data cannot show. Run alone
(`--only serious_violence`) it is the needs assessment as a document of its own."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import serious_violence as sv
from pipeline.analysis import serious_violence_context as places
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding, headline_figures, screen_of, series_figure
from pipeline.methods.disclosure import SUPPRESSED, is_small, protect
from pipeline.methods.periods import year_ending_label
from pipeline.methods.statistics import compare_counts, poisson_trend
from pipeline.methods.values import Proportion

NAME = "serious_violence"
RECORDS_SOURCE, POLICE_UK_SOURCE = "the force's police records", "police.uk street-level crimes"
YOUNG_KNIFE = "Knife-enabled offences, victim or suspect aged 16-24"


@dataclass
class SeriousViolenceChapter:
    area_name: str
    year_label: str
    definition: str
    source: str = ""
    labels: list[str] = field(default_factory=list)
    missing: list[tuple[str, str, str]] = field(default_factory=list)  # (what, who holds it, why it matters)
    knife_known: bool = False
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    series: dict[str, list[int]] = field(default_factory=dict)  # measure -> yearly counts (numbers, for findings)
    share: object = None  # this year's serious violence as a share of violence and robbery (Proportion)
    age_sex: pd.DataFrame = field(default_factory=pd.DataFrame)
    rates: pd.DataFrame = field(default_factory=pd.DataFrame)
    rates_note: str = ""
    repeats: pd.DataFrame = field(default_factory=pd.DataFrame)
    young_places: pd.DataFrame = field(default_factory=pd.DataFrame)
    collapsed: list[str] = field(default_factory=list)
    zones: pd.DataFrame = field(default_factory=pd.DataFrame)
    places: pd.DataFrame = field(default_factory=pd.DataFrame)
    overlap: dict = field(default_factory=dict)
    night: dict = field(default_factory=dict)
    young_knife_places: list[str] = field(default_factory=list)
    ae_missing: str = ""
    ae_weapons: pd.DataFrame = field(default_factory=pd.DataFrame)
    weapon_index: pd.DataFrame = field(default_factory=pd.DataFrame)
    flag_tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    flag_untestable: pd.DataFrame = field(default_factory=pd.DataFrame)
    gaps: pd.DataFrame = field(default_factory=pd.DataFrame)


def _missing_sources(ctx: ChapterContext, records, ae, population) -> list[tuple[str, str, str]]:
    out = []
    if records is None:
        out.append(("Police records (police_records.csv): " + ctx.unavailable.get("police_records", "not supplied"),
                    "the police force", "without them serious violence is police.uk's robbery alone: no offence codes, "
                    "weapon flags, ages or times"))
    else:
        for column, words in (("ho_offence_code", "Home Office offence codes"), ("knife_flag", "the knife flag"),
                              ("firearm_flag", "the firearm flag"), ("victim_age", "victims' ages"),
                              ("suspect_age", "suspects' ages")):
            if not sv.supplied(records, column):
                out.append((f"{words.capitalize()} ('{column}' in police_records.csv): not supplied", "the police force",
                            f"without {words} the chapter cannot " + {
                                "ho_offence_code": "separate violence with injury from other violence",
                                "knife_flag": "identify knife-enabled offences from the records",
                                "firearm_flag": "identify firearm-enabled offences from the records"}.get(
                                column, "count young victims and suspects")))
    if ae is None:
        out.append(("A&E assault attendances (ae_assaults.csv): " + ctx.unavailable.get("ae_assaults", "not supplied"),
                    "the NHS trust (ISTV data sharing)", "weapon injuries that never reach the police are not seen"))
    if population is None or population.empty:
        out.append(("Residents by age band (ONS mid-year estimates by LSOA)", "the Office for National Statistics",
                    "rates of young victims and suspects per 1,000 residents of the same ages cannot be given"))
    return out


def _measures(result: SeriousViolenceChapter, rows: pd.DataFrame, crimes: pd.DataFrame, ae, back: list[int]) -> list:
    Measure = sv.Measure
    out = [Measure("Serious violence (local definition)", result.source, sv.yearly_counts(rows, rows["serious"], back))]
    if result.source == RECORDS_SOURCE:
        if result.knife_known:
            out += [Measure("Knife-enabled offences", RECORDS_SOURCE, sv.yearly_counts(rows, rows["knife"], back)),
                    Measure(YOUNG_KNIFE, RECORDS_SOURCE, sv.yearly_counts(rows, rows["knife"] & sv.young(rows), back), False)]
        if sv.supplied(rows, "firearm_flag"):
            out.append(Measure("Firearm-enabled offences", RECORDS_SOURCE, sv.yearly_counts(rows, rows["firearm"], back)))
        if sv.supplied(rows, "victim_age") or sv.supplied(rows, "suspect_age"):
            out.append(Measure("Serious violence, victim or suspect under 25", RECORDS_SOURCE,
                               sv.yearly_counts(rows, rows["serious"] & sv.young(rows, 0, sv.UNDER_25), back), False))
    weapons = crimes[(crimes["crime_type"] == sv.WEAPONS) & crimes["in_area"]]
    out.append(Measure("Possession of weapons offences", POLICE_UK_SOURCE, sv.yearly_counts(weapons, None, back)))
    if ae is not None:
        sharp = ae[ae["assault_method"].isin(list(places.AE_WEAPONS))]
        ages = pd.to_numeric(sharp["patient_age"], errors="coerce")
        out += [Measure("A&E: assaults with a knife, sharp object or firearm", "A&E (ISTV)", sv.yearly_counts(sharp, None, back)),
                Measure("A&E: the same, patient aged 16-24", "A&E (ISTV)", sv.yearly_counts(sharp, ages.between(*sv.YOUNG), back),
                        False)]
    return out


def build(ctx: ChapterContext) -> SeriousViolenceChapter:
    config = ctx.config
    crimes, records = ctx.table("crimes"), ctx.table("police_records", area_only=True)
    ae, population = ctx.table("ae_assaults"), ctx.table("population_by_age")
    population = population[population["district_code"].isin(config.area_codes)] if population is not None else None
    result = SeriousViolenceChapter(config.area_name, year_ending_label(ctx.period_end), config.serious_violence.describe())
    result.ae_missing = ctx.unavailable.get("ae_assaults", "")
    result.missing = _missing_sources(ctx, records, ae, population)
    if records is not None:
        codes = sv.offence_codes_in(config.serious_violence, ctx.table("offence_codes"))
        rows = sv.classify(records, config.serious_violence, codes)
        result.source, result.knife_known = RECORDS_SOURCE, sv.supplied(records, "knife_flag")
    else:
        rows = crimes[crimes["in_area"] & (crimes["years_back"] >= 0)].assign(knife=False, firearm=False)
        rows = rows.assign(serious=rows["crime_type"].isin(config.serious_violence.crime_types))
        result.source = POLICE_UK_SOURCE
    back, result.labels = sv.year_labels(rows)
    measures = _measures(result, rows, crimes, ae, back)
    result.series = {measure.name: measure.counts for measure in measures}
    residents = int(ctx.table("denominators").query("district_code in @config.area_codes")["population_2021"].sum())
    result.measures = sv.measures_table(measures, result.labels, residents)
    violent, serious = places.violent_records(rows), rows[rows["serious"]]
    result.share = Proportion(int((serious["years_back"] == 0).sum()), int((violent["years_back"] == 0).sum()))
    if result.source == RECORDS_SOURCE:
        _people(result, serious, population, rows[rows["knife"]] if result.knife_known else None)
        result.night = places.night_share(serious, violent[~violent["serious"]], config)
        result.flag_tests, result.flag_untestable = places.flag_questions(rows)
    result.zones = places.zone_table(serious, config)
    surfaces = places.hotspot_surfaces(serious, violent, ctx.table("geography"), config, ctx.boundaries())
    result.places = places.places_table(serious, *surfaces, config)
    result.overlap = places.overlap(*surfaces, config)
    if result.knife_known:
        young_knife = rows[rows["knife"] & sv.young(rows) & (rows["years_back"] == 0)]
        top = young_knife["lsoa21"].fillna("").loc[lambda s: s.ne("")].value_counts().head(3)
        wards = young_knife.drop_duplicates("lsoa21").set_index("lsoa21")["ward_name"]
        result.young_knife_places = [f"{code} ({wards.get(code, '')})" for code in top.index]
    if ae is not None:
        result.ae_weapons = places.ae_weapon_table(ae)
        result.weapon_index = places.weapon_index(rows if result.source == RECORDS_SOURCE else None, crimes, ae,
                                                  result.labels, result.knife_known)
    result.gaps = places.gaps_table(result.missing)
    return result


def _people(result: SeriousViolenceChapter, serious: pd.DataFrame, population: pd.DataFrame | None,
            knife: pd.DataFrame | None) -> None:
    now = serious[serious["years_back"] == 0]
    victims, suspects = sv.people(now, "victim"), sv.people(now, "suspect")
    knife_victims = sv.people(knife[knife["years_back"] == 0], "victim") if knife is not None else None
    result.age_sex = sv.age_sex_table(victims, suspects)
    result.repeats = sv.repeat_table(victims, suspects)
    if population is not None and not population.empty:
        result.rates = sv.rates_table(victims, suspects, population, knife_victims)
        bands = ", ".join(result.rates["Age band (residents' band)"].astype(str))
        result.rates_note = (f"Residents by age come from {population['source'].iloc[0]} in its own bands ({bands}); "
                             "each rate divides the victims (or suspects) of a band by the residents of the same band. "
                             "Where a band runs past 24 (16-29 in the ONS mid-2020 file), the rate is for the whole "
                             "band: a rate for 16-24 alone needs residents aged 16-24, which that file does not give.")
    young_people = pd.concat([victims.assign(role="Victims"), suspects.assign(role="Suspects")])
    young_people = young_people[young_people["age"] <= sv.UNDER_25]
    label = young_people["zone"].fillna("").replace("", places.REST)
    band = young_people["age"].map(lambda a: "Under 16" if a < 16 else ("16-17" if a < 18 else "18-24"))
    counts = pd.crosstab(label, band).reindex(columns=["Under 16", "16-17", "18-24"], fill_value=0)
    table, result.collapsed = sv.collapse_until_safe(counts, places.REST, [("Under 16", "16-17", "Under 18"),
                                                                           ("Under 18", "18-24", "Under 25")])
    table.index.name = "Place"
    result.young_places = protect(table.reset_index(), list(table.columns))


def headline(result: SeriousViolenceChapter) -> Finding | None:
    counts = result.series.get("Serious violence (local definition)", [])
    if not counts:
        return None
    measure = "serious violence"
    if len(counts) < 2:
        return Finding(NAME, "serious_violence", f"{fmt.count(counts[-1])} serious violence offences in {result.year_label}.",
                       headline_figures(measure, counts[-1], period=result.year_label), "context", "Volume, rate and trend",
                       headline=True)
    row = result.measures.iloc[0]
    change = compare_counts(counts[-1], counts[-2])
    screen = screen_of(row.get("Beyond natural variation", ""))
    direction = {"beyond natural variation": "down" if change.change < 0 else "up"}.get(screen, "no change")
    figures = headline_figures(measure, counts[-1], counts[-2], change.change, change.percent_change, screen,
                               result.year_label) | {"series": series_figure(result.labels, counts)}
    text = (f"Serious violence ({result.definition}): {fmt.count(counts[-1])} offences in {result.year_label}, "
            f"{fmt.describe_change(change.change, change.percent_change).lower()} on the year before; {screen}.")
    return Finding(NAME, "serious_violence", text, figures, direction, "Volume, rate and trend", headline=True)


def _young_knife(result: SeriousViolenceChapter) -> Finding | None:
    counts = result.series.get(YOUNG_KNIFE)
    if not counts or len(counts) < 2:
        return None
    row = result.measures[result.measures["Measure"] == YOUNG_KNIFE].iloc[0]
    trend = poisson_trend(counts) if len(counts) >= 3 else None
    if SUPPRESSED in (row[result.labels[-1]], row[result.labels[-2]]) or min(counts[-2:]) < 5:
        return Finding(NAME, "serious_violence", f"{YOUNG_KNIFE}: fewer than 5 in one of the last two years, too few to "
                       "read a change.", {}, "context", "Volume, rate and trend")
    change = compare_counts(counts[-1], counts[-2])
    screen = screen_of(row.get("Beyond natural variation", ""))
    text = (f"Knife-enabled offences with a victim or suspect aged 16-24 went from {fmt.count(counts[-2])} to "
            f"{fmt.count(counts[-1])} ({fmt.signed_percent(change.percent_change)}; rate ratio "
            f"{change.rate_ratio:.2f}, 95% CI {change.ratio_lower:.2f} to {change.ratio_upper:.2f}), {screen}")
    figures = {"this_year": counts[-1], "last_year": counts[-2], "change": change.change,
               "change_percent": change.percent_change, "screen": screen}
    if trend is not None:
        text += f"; over {trend.years} years, {fmt.trend_sentence(trend)}"
        figures |= {"annual_percent": trend.annual_percent, "trend_low": trend.lower, "trend_high": trend.upper}
    if result.young_knife_places:
        text += f"; most were in {fmt.in_words(result.young_knife_places)}"
    direction = "up" if screen == "beyond natural variation" and change.change > 0 else (
        "down" if screen == "beyond natural variation" else "no change")
    summary = (f"Knife-enabled violence involving 16-24 year-olds rose from {fmt.count(counts[-2])} to "
               f"{fmt.count(counts[-1])}, beyond natural variation." if direction == "up" else "")
    return Finding(NAME, "serious_violence", text + ".", figures, direction, "Volume, rate and trend", summary=summary)


def findings(result: SeriousViolenceChapter) -> list[Finding]:
    """The headline, the young knife-enabled measure, the share that is serious, places, the flags and the gaps."""
    out = [f for f in (headline(result), _young_knife(result)) if f is not None]
    if result.share is not None and result.share.n and not is_small(result.share.k):
        out.append(Finding(NAME, "serious_violence", f"Serious violence is {result.share.brief()} of violent and robbery "
                           f"offences in {result.year_label} ({result.source}).", {"share_percent": result.share.share},
                           "context", "Volume, rate and trend"))
    if result.overlap.get("serious_hotspots"):
        o = result.overlap
        out.append(Finding(NAME, "serious_violence", overlap_note(result), o, "context", "Where and when"))
    if not result.knife_known:
        out.append(Finding(NAME, "data", "Knife-enabled offences cannot be identified from the police records (no "
                           "knife_flag): the chapter uses A&E sharp-object attendances and police.uk possession of "
                           "weapons instead.", {}, "gap", "What the data cannot show"))
    tested = result.flag_tests
    if not tested.empty:
        beyond = tested[tested["Beyond chance after FDR control"] == "yes"]
        for _, row in beyond.iterrows():
            out.append(Finding(NAME, "serious_violence", f"{row['Question']}: odds ratio {row['Odds ratio (95% CI)']}, "
                               "beyond chance after false-discovery control (recorded flags, not a cause).",
                               {"question": row["Question"]}, "association", "Alcohol, drugs and mental health"))
    return out


def definition_note(result: SeriousViolenceChapter) -> str:
    """The local definition in words, what the counts come from, and what this run's data lack."""
    text = (f"**Serious violence, as this partnership defines it:** {result.definition}. Counted from "
            f"{result.source}.")
    if result.source == POLICE_UK_SOURCE:
        text += (" police.uk does not separate violence with injury from other violence and carries no weapon flags, "
                 "so serious violence here is robbery alone; possession of weapons offences are shown beside it.")
    if result.missing:
        text += " Not supplied to this run: " + "; ".join(fmt.literal(what) for what, _, _ in result.missing) + "."
    return text


def night_note(result: SeriousViolenceChapter) -> str:
    if not result.night:
        return ""
    serious, other = result.night["serious"], result.night["other"]
    return (f"In {result.year_label}, {serious} of serious violence began in the night-time economy, against "
            f"{other} of other violence and robbery.")


def overlap_note(result: SeriousViolenceChapter) -> str:
    o = result.overlap
    if not o:
        return "No complete year of located serious violence: no hotspot test."
    if not o["serious_hotspots"]:
        return "No LSOA is a serious-violence hotspot (Gi*, 5% false discovery rate)."
    if o["serious_hotspots"] == 1:
        return ("1 LSOA is a serious-violence hotspot by Gi* (this year or by its class over the years); it is "
                f"{'also' if o['also_violence'] else 'not'} a hotspot of all violence and "
                f"{'lies' if o['in_licensed_zone'] else 'does not lie'} in a licensed-premises zone.")
    return (f"{o['serious_hotspots']} LSOAs are serious-violence hotspots by Gi* (this year or by their class over the "
            f"years); {o['also_violence']} of them are also hotspots of all violence, and {o['in_licensed_zone']} lie in "
            "a licensed-premises zone.")


def collapsed_note(result: SeriousViolenceChapter) -> str:
    if not result.collapsed:
        return "No band or place needed collapsing: every cell is 0 or 5 and over, or suppressed."
    return "Collapsed so that no cell shows 1 to 4: " + "; ".join(result.collapsed) + "."

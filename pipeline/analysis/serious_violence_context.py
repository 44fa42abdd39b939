"""Where and when serious violence happens, A&E weapon assaults beside police weapon offences, the alcohol, drugs
and mental-health flags in serious violence against other violence, and what the data cannot show.

Places: counts by configured zone with the exact conditional test of the change (one BH family), the busiest
LSOAs, and Getis-Ord Gi* on LSOAs (`violence_hotspots.lsoa_surface`, permutation p-values, BH) for serious
violence and for all violence, so that the overlap of the two is read from the same test. The flags are the
strategic chapter's association questions (`family.evaluate`: clustered logistic by suspect, CR2), one family
held at a 5% false discovery rate.
"""
from __future__ import annotations

import pandas as pd

from pipeline.analysis import violence_hotspots
from pipeline.analysis.family import DUAL, Factor, evaluate
from pipeline.analysis.flags import FLAGS, in_night_time_economy
from pipeline.analysis import serious_violence as sv
from pipeline.analysis.serious_violence import SHOWN_BANDS, WEAPON_TYPES, WEAPONS
from pipeline.formatting import DETECTABLE
from pipeline.inputs.config import AssessmentConfig
from pipeline.methods.associations import adjust, summary_table, untestable_table
from pipeline.methods.disclosure import protect
from pipeline.methods.screens import screen_family
from pipeline.methods.statistics import compare_counts
from pipeline.methods.values import Proportion

REST = "Rest of the area"
TOP_PLACES = 10
AE_WEAPONS = {"sharp_object": "Knife or sharp object", "firearm": "Firearm"}


def zone_table(rows: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """Serious violence by configured zone and the rest of the area: this year, last year, the change and its
    screen, and the share in the night-time economy this year."""
    label = rows["zone"].fillna("").replace("", REST)
    timed = "reported_at" in rows  # police.uk has months, not times
    night = in_night_time_economy(rows, config.night_time_economy) if timed else pd.Series(False, index=rows.index)
    out, changes = [], []
    for zone in [*config.zones, REST]:
        here = label == zone
        now, before = int((here & (rows["years_back"] == 0)).sum()), int((here & (rows["years_back"] == 1)).sum())
        change = compare_counts(now, before)
        changes.append(change)
        out.append({"Place": zone, "This year": now, "Last year": before, "Change (offences)": change.change,
                    "Change (%)": change.percent_change,
                    "Night-time-economy share": Proportion(int((here & night & (rows["years_back"] == 0)).sum()), now)
                    if timed else None})
    table = pd.DataFrame(out)
    screens = screen_family(changes)
    table["Beyond natural variation"] = [s.beyond for s in screens]
    table[DETECTABLE] = [s.detectable for s in screens]
    if not timed:
        table = table.drop(columns="Night-time-economy share")
    return protect(table, ["This year", "Last year"], ["Change (offences)", "Change (%)", "Beyond natural variation", DETECTABLE])


def hotspot_surfaces(serious: pd.DataFrame, violence: pd.DataFrame, geography: pd.DataFrame, config: AssessmentConfig,
                     boundaries) -> tuple:
    """Gi* on LSOAs for serious violence and for all violence (None where there is no complete year)."""
    polygons = boundaries[boundaries["layer"] == "lsoa"].set_index("code").geometry if len(boundaries) else None
    located = lambda frame: frame[frame["lsoa21"].fillna("").ne("")]  # noqa: E731
    return tuple(violence_hotspots.lsoa_surface(located(frame), geography, config.area_codes, polygons)
                 if not frame.empty else None for frame in (serious, violence))


def _hot(surface) -> set[str]:
    if surface is None:
        return set()
    units = surface.units
    return set(units.loc[units["hot"] | units["class"].isin(violence_hotspots.HOT_CLASSES), "id"])


def places_table(rows: pd.DataFrame, serious_surface, violence_surface, config: AssessmentConfig) -> pd.DataFrame:
    """The LSOAs with most serious violence this year (ten at most), with last year, whether each is a
    serious-violence hotspot and a violence hotspot (Gi*), and its zone."""
    now = rows[rows["years_back"] == 0]
    top = now["lsoa21"].fillna("").loc[lambda s: s.ne("")].value_counts().head(TOP_PLACES)
    before = rows[rows["years_back"] == 1]["lsoa21"].value_counts()
    names = rows.drop_duplicates("lsoa21").set_index("lsoa21")["ward_name"] if "ward_name" in rows else pd.Series(dtype=str)
    zones = rows.drop_duplicates("lsoa21").set_index("lsoa21")["zone"]
    hot_serious, hot_violence = _hot(serious_surface), _hot(violence_surface)
    classes = serious_surface.units.set_index("id")["class"] if serious_surface is not None else pd.Series(dtype=str)
    out = [{"Rank": rank, "LSOA": code, "Ward": names.get(code, ""), "Zone": zones.get(code, "") or REST,
            "This year": int(count), "Last year": int(before.get(code, 0)),
            "Serious-violence hotspot (Gi*)": ("yes, " + str(classes.get(code))) if code in hot_serious else "no",
            "Violence hotspot (Gi*)": "yes" if code in hot_violence else "no",
            "Licensed zone": "yes" if zones.get(code, "") in config.licensed else "no"}
           for rank, (code, count) in enumerate(top.items(), start=1)]
    columns = ["Rank", "LSOA", "Ward", "Zone", "This year", "Last year", "Serious-violence hotspot (Gi*)",
               "Violence hotspot (Gi*)", "Licensed zone"]
    return protect(pd.DataFrame(out, columns=columns), ["This year", "Last year"])


def overlap(serious_surface, violence_surface, config: AssessmentConfig) -> dict[str, int]:
    """How many serious-violence hotspot LSOAs are also violence hotspots, and how many lie in a licensed zone."""
    hot = _hot(serious_surface)
    if serious_surface is None:
        return {}
    zones = serious_surface.units.set_index("id")["zone"]
    return {"serious_hotspots": len(hot), "also_violence": len(hot & _hot(violence_surface)),
            "in_licensed_zone": sum(1 for code in hot if zones.get(code, "") in config.licensed)}


def night_share(serious: pd.DataFrame, violence: pd.DataFrame, config: AssessmentConfig) -> dict[str, Proportion]:
    """This year's share of serious violence, and of other violence, that began in the night-time economy."""
    out = {}
    for name, frame in (("serious", serious), ("other", violence)):
        now = frame[frame["years_back"] == 0]
        out[name] = Proportion(int(in_night_time_economy(now, config.night_time_economy).sum()), len(now))
    return out


def ae_weapon_table(ae: pd.DataFrame) -> pd.DataFrame:
    """A&E assault attendances with a knife, sharp object or firearm, by the patient's age band: this year and last."""
    weapons = ae[ae["assault_method"].isin(list(AE_WEAPONS)) & (ae["years_back"].between(0, 1))]
    bands = sv.shown_band(pd.to_numeric(weapons["patient_age"], errors="coerce"))
    rows = [{"Patient's age": label, "This year": int(((bands == label) & (weapons["years_back"] == 0)).sum()),
             "Last year": int(((bands == label) & (weapons["years_back"] == 1)).sum())}
            for label in [*(b[2] for b in SHOWN_BANDS), "Not recorded"]]
    table = pd.DataFrame(rows)
    total = {"Patient's age": "All ages", "This year": int(table["This year"].sum()), "Last year": int(table["Last year"].sum())}
    table = pd.concat([pd.DataFrame([total]), table], ignore_index=True)
    return protect(table, ["This year", "Last year"], total_row=("Patient's age", "All ages", []))


def weapon_index(records: pd.DataFrame | None, crimes: pd.DataFrame, ae: pd.DataFrame, labels: list[str],
                 knife_known: bool) -> pd.DataFrame:
    """Police weapon offences beside A&E weapon assaults, by year: knife- or firearm-enabled records where the
    flags are supplied, else police.uk possession of weapons; and police offences per A&E attendance (an index of
    how much weapon violence reaches the police, read like the violence chapter's)."""
    if knife_known and records is not None:
        police = records[records["knife"] | records["firearm"]]
        name = "Police: knife- or firearm-enabled offences"
    else:
        police = crimes[(crimes["crime_type"] == WEAPONS) & crimes["in_area"]]
        name = "police.uk: possession of weapons"
    weapons = ae[ae["assault_method"].isin(list(AE_WEAPONS))]
    rows = []
    for label in labels:
        p, a = int((police["year_ending"] == label).sum()), int((weapons["year_ending"] == label).sum())
        rows.append({"Year": label, name: p, "A&E: knife, sharp object or firearm": a,
                     "Police offences per A&E attendance": p / a if a else float("nan")})
    return protect(pd.DataFrame(rows), [name, "A&E: knife, sharp object or firearm"], ["Police offences per A&E attendance"])


def flag_questions(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each flag (alcohol, drugs, mental health, dual diagnosis) in serious violence against other violent and
    robbery records this year, clustered by suspect, one family at a 5% false discovery rate: the tested
    questions and those the data cannot answer yet."""
    now = violent_records(frame[frame["years_back"] == 0]).reset_index(drop=True)
    factor = Factor("serious violence", "serious violence", "other violence and robbery", now["serious"], ~now["serious"],
                    "suspect_id")
    flag_cache, cluster_cache = {}, {}
    tests = [evaluate("Serious violence", now, flag, factor, flag_cache, cluster_cache) for flag in (*FLAGS, DUAL)]
    tested = [t for t in tests if t.test != "not testable"]
    adjust(tested)
    return summary_table(tested), untestable_table([t for t in tests if t.test == "not testable"])


# Risk and protective factors the Duty's guidance asks about that no extract here carries: who holds each and why.
NOT_IN_THESE_EXTRACTS = [
    ("School exclusions and suspensions", "the local authority's education service (DfE returns by pupil)",
     "exclusion is among the strongest markers of a young person's risk of involvement in serious violence"),
    ("Children's social care contact (children in need, child protection, looked-after children)",
     "the local authority's children's services", "shows which young victims and suspects were already known, and when"),
    ("Young people not in education, employment or training (NEET)", "the local authority and its careers service",
     "NEET status is a recognised risk factor and a point of intervention"),
    ("Youth justice cohort and assessments", "the Youth Justice Service (AssetPlus)",
     "the young people already in the system, their offences and needs"),
    ("Adult probation caseload and risk assessments", "the Probation Service (OASys)",
     "perpetrators' needs, including weapon carrying and substance misuse"),
    ("Hospital admissions for assault by sharp object", "NHS England (Hospital Episode Statistics)",
     "injuries serious enough for admission, beyond the A&E attendances of the ISTV extract"),
    ("Child criminal exploitation and county lines referrals", "the National Referral Mechanism and the force's exploitation team",
     "exploitation drives drug-market violence among young people"),
    ("Young people's substance misuse treatment", "the young people's drug and alcohol service (NDTMS)",
     "links the plan's alcohol and drugs priority to the young cohort"),
]


def gaps_table(missing: list[tuple[str, str, str]]) -> pd.DataFrame:
    """What the data cannot show: the sources or fields missing from this run (first), then the risk and
    protective factors that no extract here carries."""
    rows = [{"What is missing": what, "Who holds it": who, "Why it matters": why} for what, who, why in missing]
    rows += [{"What is missing": what, "Who holds it": who, "Why it matters": why} for what, who, why in NOT_IN_THESE_EXTRACTS]
    return pd.DataFrame(rows, columns=["What is missing", "Who holds it", "Why it matters"])


def violent_records(frame: pd.DataFrame) -> pd.DataFrame:
    """The violent and robbery records: what serious violence is a part of."""
    return frame[frame["crime_type"].isin(WEAPON_TYPES)]

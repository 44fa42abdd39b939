"""The serious-violence chapter (the Serious Violence Duty's needs assessment): the definition by hand; on the demo
the planted rise in knife-enabled violence among 16-24 year-olds is reported with its rate, trend interval and
places; without the knife flag and with police.uk alone the chapter runs and names what is missing; no table shows a
count from 1 to 4; the change and trend screens it reports hold their size on small null counts."""
import numpy as np
import pandas as pd
import pytest

import demo_generator
from pipeline.analysis import serious_violence as sv
from pipeline.chapters import serious_violence as chapter
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import REGISTRY
from pipeline.inputs.reference import load_population_by_age
from pipeline.inputs.serious_violence_definition import SeriousViolenceDefinition
from pipeline.methods.disclosure import SUPPRESSED, is_small
from pipeline.paths import RAW_DIR
from pipeline.report.assemble import document_titles


def _records(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"in_area": [True] * n, "years_back": [0] * n, "ho_offence_code": [""] * n, "knife_flag": [""] * n,
            "firearm_flag": [""] * n}
    return pd.DataFrame(base | columns)


def test_the_definition_counts_by_code_then_type_then_weapon_flag():
    codes = pd.DataFrame({"offence_code": ["1/4.1/4.10/4.2", "8N", "105A", "34B"],
                          "offence_subgroup": ["Homicide", "Violence with injury", "Violence without injury",
                                               "Robbery of personal property"]})
    definition = SeriousViolenceDefinition()
    found = sv.offence_codes_in(definition, codes)
    assert {"1", "4.1", "4.10", "4.2", "8N", "34B"} <= found and "105A" not in found
    records = _records(crime_type=["Violence and sexual offences", "Violence and sexual offences", "Robbery",
                                   "Violence and sexual offences", "Possession of weapons", "Violence and sexual offences"],
                       ho_offence_code=["8n", "105A", "", "", "", ""], knife_flag=["", "", "", "Y", "Y", "N"])
    rows = sv.classify(records, definition, found)
    assert rows["serious"].tolist() == [True, False, True, True, False, False]
    assert rows["by"].tolist() == ["offence code", "", "crime type", "weapon flag", "", ""]
    assert rows["knife"].tolist() == [False, False, False, True, False, False]  # possession is not knife-enabled violence
    narrow = sv.classify(records, SeriousViolenceDefinition(weapon_enabled=False, crime_types=()), found)
    assert narrow["serious"].tolist() == [True, False, False, False, False, False]


def test_residents_by_age_are_the_ons_file_bands_summed_by_district():
    population = load_population_by_age(RAW_DIR / "reference", ("E07000008",))
    bands = population.set_index("age_band")
    assert list(bands.index) == ["0-15", "16-29", "30-44", "45-64", "65+"]
    assert int(bands["population"].sum()) == 125063  # SOURCES.md: Cambridge's 69 LSOAs, 125,063 people (mid-2020)
    assert (bands.loc["16-29", "age_low"], bands.loc["16-29", "age_high"]) == (16, 29)


def test_the_demo_reports_the_planted_rise_in_young_knife_enabled_violence(demo):
    row = demo.measures.set_index("Measure").loc[chapter.YOUNG_KNIFE]
    counts = demo.series[chapter.YOUNG_KNIFE]
    planted = demo_generator.YOUNG_KNIFE_EXTRA
    assert counts[-1] - counts[-3] >= planted[-1] * 0.6 and counts[-1] > counts[-2] > counts[-3]
    assert row["Beyond natural variation"] == "yes"
    trend = row["Trend (95% CI)"]
    assert trend.low < trend.value < trend.high and trend.value > 20
    found = [f for f in chapter.findings(demo) if f.text.startswith("Knife-enabled offences with a victim or suspect aged 16-24")]
    assert found and found[0].direction == "up" and found[0].summary
    assert "95% CI" in found[0].text and any(code in found[0].text for code in demo_generator.KNIFE_LSOAS)
    assert set(demo.young_knife_places[0].split()[:1]) <= set(demo_generator.KNIFE_LSOAS)


def test_young_rates_divide_by_residents_of_the_same_ages(demo):
    population = load_population_by_age(RAW_DIR / "reference", ("E07000008",)).set_index("age_band")
    rates = demo.rates.set_index("Age band (residents' band)")
    assert list(rates.index) == ["0-15", "16-29"]  # every band of the file that starts under 25, as published
    assert rates.loc["16-29", "Residents"] == population.loc["16-29", "population"]
    victims, rate = rates.loc["16-29", "Victims"], rates.loc["16-29", "Victims per 1,000 (95% CI)"]
    assert rate.value == pytest.approx(victims / population.loc["16-29", "population"] * 1000)
    assert "16-24 alone needs residents aged 16-24" in demo.rates_note
    assert rates.loc["16-29", "Knife-enabled victims"] >= 5


def test_the_demo_places_name_the_planted_lsoas_and_the_overlap(demo):
    assert set(demo_generator.KNIFE_LSOAS) & set(demo.places["LSOA"])
    assert demo.overlap["serious_hotspots"] >= demo.overlap["also_violence"]
    assert demo.night["serious"].n == int(demo.measures.iloc[0][demo.labels[-1]])


class _WithoutColumns(ChapterContext):
    """A context whose police records lack some columns (an extract without the optional weapon flags)."""

    dropped: tuple[str, ...] = ()

    def table(self, name, area_only=False):
        frame = super().table(name, area_only)
        return frame.drop(columns=list(self.dropped), errors="ignore") if name == "police_records" and frame is not None else frame


def test_without_the_knife_flag_the_chapter_says_so_and_uses_ae_and_possession(demo_context):
    ctx = _WithoutColumns(demo_context.config, demo_context.period_end, demo_context.raw_dir, demo_context.processed_root)
    ctx.dropped = ("knife_flag", "firearm_flag")
    result = chapter.build(ctx)
    measures = result.measures["Measure"].tolist()
    assert "Knife-enabled offences" not in measures and chapter.YOUNG_KNIFE not in measures
    assert "Possession of weapons offences" in measures and "A&E: assaults with a knife, sharp object or firearm" in measures
    gaps = [f for f in chapter.findings(result) if f.priority == "data"]
    assert gaps and "cannot be identified from the police records" in gaps[0].text
    assert "The knife flag" in chapter.definition_note(result)
    assert result.gaps["What is missing"].str.contains("knife_flag").any()
    assert "Police offences per A&E attendance" in result.weapon_index and "police.uk: possession of weapons" in result.weapon_index


def test_with_police_uk_alone_the_chapter_runs_and_names_every_missing_source(real):
    assert real.source == chapter.POLICE_UK_SOURCE
    missing = " ".join(real.gaps["What is missing"])
    assert "police_records.csv" in missing and "ae_assaults.csv" in missing
    assert "robbery alone" in chapter.definition_note(real)
    assert real.age_sex.empty and real.flag_tests.empty
    assert [f for f in chapter.findings(real) if f.headline]


def _cells(frame: pd.DataFrame) -> list:
    return [v for column in frame.attrs.get("count_columns", []) for v in frame[column]]


def test_no_table_of_the_chapter_shows_a_count_from_1_to_4(demo):
    for name in ("measures", "age_sex", "rates", "young_places", "zones", "places", "ae_weapons", "weapon_index"):
        frame = getattr(demo, name)
        assert frame.attrs.get("count_columns"), name
        assert not [v for v in _cells(frame) if is_small(v)], name


def test_a_measure_with_a_hidden_year_hides_what_is_fitted_to_it():
    table = sv.measures_table([sv.Measure("m", "s", [7, 3, 6, 17, 42])], ["A", "B", "C", "D", "E"], 100000)
    row = table.iloc[0]
    assert row["B"] == SUPPRESSED and row["Trend"] == SUPPRESSED and row["Trend (95% CI)"] == SUPPRESSED
    assert row["Change (offences)"] == 25 and row["Per 1,000 residents (95% CI)"] != SUPPRESSED


def test_age_by_place_tables_are_collapsed_until_safe():
    counts = pd.DataFrame({"Under 16": [0, 3, 9], "16-17": [6, 2, 8], "18-24": [20, 7, 30]},
                          index=["City centre", "Pub cluster", "Rest of the area"])
    table, notes = sv.collapse_until_safe(counts, "Rest of the area", [("Under 16", "16-17", "Under 18"),
                                                                        ("Under 18", "18-24", "Under 25")])
    assert list(table.columns) == ["Under 18", "18-24"] and table.loc["Pub cluster", "Under 18"] == 5
    assert notes == ["age bands Under 16 and 16-17 merged into Under 18"]
    small = pd.DataFrame({"Under 18": [2, 40], "18-24": [1, 50]}, index=["Pub cluster", "Rest of the area"])
    table, notes = sv.collapse_until_safe(small, "Rest of the area", [("Under 18", "18-24", "Under 25")])
    assert list(table.index) == ["Rest of the area"] and table.loc["Rest of the area", "Under 25"] == 93
    assert notes == ["age bands Under 18 and 18-24 merged into Under 25", "1 place with counts under 5 merged into 'Rest of the area'"]


def test_the_standalone_document_has_its_own_title():
    title, subtitle = document_titles("Cambridge Strategic Assessment", "Cambridge", "March 2025",
                                      [REGISTRY["serious_violence"]], False)
    assert title.startswith("Cambridge: Serious Violence Strategic Needs Assessment") and "Cambridge Strategic Assessment" in subtitle
    assert document_titles("T", "A", "March 2025", [REGISTRY["violence"]], False)[0] == "T"


@pytest.mark.slow
def test_the_change_and_trend_screens_hold_their_size_on_small_null_counts_and_find_a_doubling():
    """As the chapter uses them: five yearly counts of a measure with a steady mean of 15 (the demo's young knife
    count before the plant), one family of two measures; a change the size of the demo's plant is found."""
    rng = np.random.default_rng(29)
    labels = [f"Y{k}" for k in range(5)]
    change = trend = found = 0
    runs = 600
    for _ in range(runs):
        null, planted = rng.poisson(15, 5), rng.poisson([15, 15, 15, 15, 40])
        table = sv.measures_table([sv.Measure("null", "s", list(null)), sv.Measure("planted", "s", list(planted))], labels, 0)
        change += table.loc[0, "Beyond natural variation"] == "yes"
        estimate = table.loc[0, "Trend (95% CI)"]
        trend += hasattr(estimate, "low") and (estimate.low > 0 or estimate.high < 0)
        found += table.loc[1, "Beyond natural variation"] == "yes"
    print(f"null change rejected {change / runs:.3f}, null trend {trend / runs:.3f}, planted found {found / runs:.3f}")
    assert change / runs <= 0.07 and trend / runs <= 0.07
    assert found / runs >= 0.75  # 15 to 40 in the latest year (the demo's planted size): exact power about 0.85


def test_serious_violence_is_a_candidate_of_the_priority_matrix_with_the_chapters_counts(demo, demo_context):
    from pipeline.analysis import priority_matrix

    records = demo_context.table("police_records", area_only=True)
    extra = priority_matrix.serious_violence_series(records, demo_context.config, demo_context.table("offence_codes"), 5)
    assert extra == {priority_matrix.SERIOUS_VIOLENCE_SERIES: demo.series["Serious violence (local definition)"]}
    assert priority_matrix.serious_violence_series(records, demo_context.config, None, 9) == {}  # years not covered
    counts = {"Robbery": [80, 80, 80, 72, 68], "Violence and sexual offences": [1600] * 4 + [1843]}
    candidates = priority_matrix.candidates_for(demo_context.config, counts, None, None, extra)
    frame = priority_matrix.matrix(candidates, counts, None, resamples=50, extra=extra).set_index("Candidate")
    assert frame.loc[priority_matrix.SERIOUS_VIOLENCE, "Crimes this year"] == extra[priority_matrix.SERIOUS_VIOLENCE_SERIES][-1]
    assert not frame.loc[priority_matrix.SERIOUS_VIOLENCE, "Current priority"]

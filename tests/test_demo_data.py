"""The embedded demo data carries the documented planted effects (and the generator's calibration)."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import table
import demo_generator as demo_data
from pipeline.methods.statistics import compare_counts, poisson_trend

AREA = "E07000008"


def test_demo_ingests_cleanly_and_covers_five_financial_years(demo_ingest):
    _, result = demo_ingest
    q = result.quality.set_index("source")
    assert (q["rows_in"] == q["rows_outside_area"] + q["rows_kept"] + q["rows_rejected"]).all()
    assert result.missing_extracts == []  # every extract supplied
    crimes = table(result, "crimes")
    assert sorted(crimes["financial_year"].unique()) == ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
    cambridge = crimes[crimes["district_code"] == AREA]
    assert cambridge["month"].nunique() == 60
    others = crimes[crimes["district_code"] != AREA]
    assert set(others["district_name"]) == {"East Cambridgeshire", "Fenland", "Huntingdonshire", "South Cambridgeshire"}
    assert others["month"].min() == "2023-04" and others["month"].nunique() == 24
    # Months before 2022 carry 2011 codes, as police.uk did; all map to 2021 LSOAs.
    early = crimes[crimes["month"] < "2022-01"]
    assert (early["lsoa_code_raw"] != early["lsoa21"]).any() and crimes["lsoa21"].ne("").all()


def test_baseline_year_volumes_are_the_plans(demo_ingest):
    _, result = demo_ingest
    crimes = table(result, "crimes")
    baseline = crimes[(crimes["financial_year"] == "2023/24") & (crimes["district_code"] == AREA)]["crime_type"].value_counts()
    for crime_type, plan in demo_data.PLAN_BASELINES.items():
        low, high = stats.poisson.ppf([0.0005, 0.9995], plan)
        assert low <= baseline[crime_type] <= high, crime_type


def test_planted_autumn_spike_in_cycle_theft(demo_ingest):
    _, result = demo_ingest
    cycle = table(result, "crimes").query("crime_type == 'Bicycle theft' and district_code == @AREA")
    by_month = cycle["month"].str[5:7].astype(int).value_counts()
    autumn, rest = by_month.loc[[9, 10, 11]].mean(), by_month.drop([9, 10, 11]).mean()
    assert autumn / rest > 1.3


def cambridge_records(result) -> pd.DataFrame:
    """The partnership's police records (the demo's extract is force-wide in its latest year, as a real one is)."""
    records = table(result, "police_records")
    return records[records["district_code"].isin(["", AREA])]


def test_planted_weekend_night_violence_in_the_pub_cluster_triples_in_the_latest_year_only(demo_ingest):
    _, result = demo_ingest
    records = cambridge_records(result)
    violence = records[(records["crime_type"] == "Violence and sexual offences")
                       & demo_data.in_weekend_night(records["occurred_from"])]
    cluster = violence[violence["zone"] == "Mill Road pub cluster"].groupby("financial_year").size()
    before = cluster.reindex(["2020/21", "2021/22", "2022/23"], fill_value=0)
    assert poisson_trend(before.to_numpy()) is None or poisson_trend(before.to_numpy()).p_value > 0.01
    latest = compare_counts(int(cluster["2024/25"]), int(cluster["2023/24"]))
    assert latest.ratio_lower > 2 and latest.significant  # weekend nights: the planted extra is all here
    elsewhere = violence[violence["zone"] == ""].groupby("financial_year").size()
    assert compare_counts(int(elsewhere["2024/25"]), int(elsewhere["2023/24"])).ratio_upper < 1.3


def test_planted_weekend_night_alcohol_odds_ratio(demo_ingest):
    _, result = demo_ingest
    records = cambridge_records(result)
    violence = records[(records["crime_type"] == "Violence and sexual offences") & (records["alcohol_flag"] != "")]
    inside = demo_data.in_weekend_night(violence["occurred_from"])
    crosstab = pd.crosstab(inside, violence["alcohol_flag"] == "Y").reindex(index=[True, False], columns=[True, False])
    counts = crosstab.to_numpy()
    log_or = np.log(counts[0, 0] * counts[1, 1] / (counts[0, 1] * counts[1, 0]))
    se = np.sqrt((1 / counts).sum())  # Woolf; a 99.9% interval, so a fair draw fails one time in a thousand
    assert log_or - 3.29 * se <= np.log(demo_data.WEEKEND_NIGHT_ALCOHOL_OR) <= log_or + 3.29 * se


def test_planted_mental_health_recording_change(demo_ingest):
    _, result = demo_ingest
    records = cambridge_records(result)
    records = records[records["financial_year"].isin(["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"])]
    completeness = records.groupby("financial_year")["mental_health_flag"].apply(lambda s: s.ne("").mean())
    assert completeness.to_numpy() == pytest.approx(demo_data.MENTAL_HEALTH_COMPLETENESS, abs=0.02)
    share = records[records["mental_health_flag"] != ""].groupby("financial_year")["mental_health_flag"].apply(
        lambda s: s.eq("Y").mean())
    assert share.max() - share.min() < 0.02  # the prevalence among recorded records holds


def test_planted_mental_health_flags_among_repeat_asb_perpetrators(demo_ingest):
    _, result = demo_ingest
    cases = table(result, "asb_cases")
    known = cases[cases["perpetrator_id"] != ""]
    repeat_ids = known["perpetrator_id"].value_counts()
    known = known.assign(repeat=known["perpetrator_id"].map(repeat_ids) >= 2)
    recorded = known[known["mental_health_flag"] != ""]
    crosstab = pd.crosstab(recorded["repeat"], recorded["mental_health_flag"] == "Y")
    odds_ratio, p_value = stats.fisher_exact(crosstab.to_numpy())
    assert odds_ratio > 2 and p_value < 1e-6


def test_planted_falling_ae_assaults(demo_ingest):
    _, result = demo_ingest
    ae = table(result, "ae_assaults")
    yearly = ae.groupby("financial_year").size().sort_index()
    trend = poisson_trend(yearly.to_numpy())
    assert trend.annual_percent == pytest.approx(-8, abs=3) and trend.p_value < 0.01
    assert abs(yearly["2023/24"] - 1100) < 4 * np.sqrt(1100)


def test_demo_identifiers_are_pseudonymised_in_processed_tables(demo_ingest):
    _, result = demo_ingest
    for name in ("police_records", "asb_cases", "iom_cohort"):
        frame = table(result, name)
        for column in [c for c in frame.columns if c.endswith("_id") and c not in ("record_id", "case_id")]:
            values = frame[column][frame[column] != ""]
            assert values.str.fullmatch(r"P[0-9a-f]{16}").all(), (name, column)


def test_planted_activity_shortfall_is_the_embedded_file(demo_ingest):
    """Planted effect 8: the embedded plan_activity.csv is the generator's, publicity features 9 against 12."""
    from pipeline.paths import RAW_DIR
    embedded = (RAW_DIR / "demo" / "partner" / "plan_activity.csv").read_text()
    assert demo_data.plan_activity().to_csv(index=False, lineterminator="\n") == embedded
    reports = table(demo_ingest[1], "plan_activity")
    march = reports[reports["reported_on"] == "2025-03-31"].set_index("activity")["achieved"]
    assert march["asb_publicity_features"] == 9 and march["asb_events_attended"] >= 12

import math

import pandas as pd

from pipeline.methods.statistics import detectable_change
import pytest

from pipeline.analysis import overview, targets
from pipeline.inputs.config import AssessmentConfig, Target
from pipeline.methods.disclosure import SUPPRESSED, protect, recoverable
from pipeline.methods.periods import assessment_period, financial_year

AREA = "E07000008"


def crimes_from_counts(counts: dict[str, list[int]], end="2025-03", years=3) -> pd.DataFrame:
    """Hand-made crimes: counts[type][k] crimes in each month of year k (oldest first), spread evenly."""
    end = pd.Period(end, "M")
    rows = []
    for crime_type, per_year in counts.items():
        for k, annual in enumerate(per_year):
            months = pd.period_range(end - 12 * (len(per_year) - k) + 1, periods=12, freq="M")
            for i in range(annual):
                rows.append((crime_type, months[i % 12]))
    frame = pd.DataFrame(rows, columns=["crime_type", "month"])
    months = frame["month"]
    frame = pd.concat([frame, assessment_period(months, end)], axis=1)
    frame["financial_year"] = financial_year(months)
    frame["month"] = months.astype(str)
    frame["district_code"] = AREA
    return frame


DENOMINATORS = pd.DataFrame({"district_code": [AREA], "district_name": ["Cambridge"], "population_2021": [100_000],
                             "households_2011": [40_000]})


def test_overview_counts_changes_rates_and_trends():
    crimes = crimes_from_counts({"Burglary": [600, 480, 360], "Robbery": [60, 60, 60], "Anti-social behaviour": [120, 120, 120],
                                 "Drugs": [5, 3, 4]})
    table = overview.overview_table(crimes, DENOMINATORS, [AREA]).set_index("Crime type")
    assert table.loc["Burglary", ["This year", "Last year", "Change (offences)"]].tolist() == [360, 480, -120]
    assert table.loc["Burglary", "Change (%)"] == pytest.approx(-25.0)
    assert table.loc["Burglary", "Beyond natural variation"] == "yes"
    assert table.loc["Burglary", "Rate per 1,000"] == pytest.approx(9.0)  # per 1,000 households
    assert table.loc["Robbery", "Rate per 1,000"] == pytest.approx(0.6)  # per 1,000 residents
    assert table.loc["Robbery", "Beyond natural variation"] == "no"
    assert table.loc["Drugs", "Beyond natural variation"] == "too few to tell"
    assert table.loc[overview.ALL_CRIME, "This year"] == 360 + 60 + 4  # ASB is not crime
    assert table.loc["Burglary", "Long-term trend"] == "downward"
    assert table.loc["Burglary", "Long-term change a year (%)"].value == pytest.approx(-22.5, abs=0.5)
    assert table.loc["Burglary", "Rate 95% CI"].low < 9.0 < table.loc["Burglary", "Rate 95% CI"].high
    assert table.loc["Robbery", "Share of all crime (%)"] == pytest.approx(60 / 424 * 100, abs=0.05)


def test_one_year_of_data_says_so():
    crimes = crimes_from_counts({"Burglary": [300]}, end="2024-12")
    table = overview.overview_table(crimes, DENOMINATORS, [AREA])
    assert (table["Beyond natural variation"] == "no previous year in the data").all()
    assert table["Change (offences)"].isna().all() and (table["Long-term trend"] == "not enough years").all()


def test_an_incomplete_year_gives_no_annual_table():
    crimes = crimes_from_counts({"Burglary": [300]}, end="2024-12")
    crimes = crimes[crimes["month"] != "2024-06"]
    assert overview.overview_table(crimes, DENOMINATORS, [AREA]).empty


def robbery_target(percent: float) -> Target:
    return Target(name="Robbery", crime_types=("Robbery",), baseline_year="2023/24", target_year="2024/25",
                  reduce_by_percent=percent)


def config_with(*target_list):
    return AssessmentConfig(name="t", synthetic=True, area={"name": "Cambridge", "lad_codes": [AREA]}, police_uk="p",
                            targets=tuple(target_list))


def test_target_progress_pro_rata_during_the_year():
    # Baseline 2023/24: 120 robberies (10 a month); target -10% = 108; by December 2024 (9 months) the pro-rata
    # target is 81; 70 so far is on track.
    baseline = crimes_from_counts({"Robbery": [120, 0]}, end="2025-03")
    baseline = baseline[baseline["financial_year"] == "2023/24"]
    months = [m for m in pd.period_range("2024-04", "2024-12", freq="M") for _ in range(8)][:70]
    to_date = pd.DataFrame({"crime_type": "Robbery", "month": [str(m) for m in months], "district_code": AREA})
    crimes = pd.concat([baseline, to_date], ignore_index=True)
    target = robbery_target(10)
    row = targets.target_progress(config_with(target), crimes, {}, pd.Period("2024-12", "M")).iloc[0]
    assert (row["Baseline (data)"], row["Target count"], row["Months to date"]) == (120, 108, 9)
    assert row["Target to date (pro rata)"] == 81 and row["Year to date"] == 70
    assert row["Status"] == "On track" and row["Projected year end"] == 93  # 70 x 120 / 90
    assert "(12 offences)" in row["Aim"]


def test_target_status_when_data_are_missing():
    crimes = crimes_from_counts({"Robbery": [50]}, end="2024-12")
    config = config_with(robbery_target(5),
                         Target(name="A&E", source="ae_assaults", baseline_year="2023/24", target_year="2024/25", below=900))
    progress = targets.target_progress(config, crimes, {"ae_assaults": None}, pd.Period("2024-12", "M"))
    assert progress["Status"].tolist() == ["Baseline year 2023/24 is not (fully) in the data",
                                           "Data not supplied (ae_assaults.csv)"]


def test_small_counts_and_what_derives_from_them_are_suppressed():
    frame = pd.DataFrame({"type": ["a", "b", "c"], "count": [3, 0, 120], "rate": [0.1, 0.0, 4.2]})
    shown = protect(frame, ["count"], ["rate"])
    assert shown["count"].tolist() == [SUPPRESSED, 0, 120] and shown["rate"].tolist() == [SUPPRESSED, 0.0, 4.2]


def test_secondary_suppression_leaves_nothing_to_work_out_from_totals():
    # The all-crime row is the sum of the others except ASB: hiding only 'a' would let it be recovered.
    frame = pd.DataFrame({"type": ["All", "a", "b", "c", "ASB"], "this": [20, 3, 9, 8, 2], "last": [30, 10, 10, 10, 1]})
    total = ("type", "All", ["ASB"])
    shown = protect(frame, ["this", "last"], total_row=total)
    assert shown["this"].tolist() == [20, SUPPRESSED, 9, SUPPRESSED, SUPPRESSED]  # 'c' (8) is the partner of 'a'
    assert shown["last"].tolist() == [30, 10, 10, 10, SUPPRESSED]  # ASB is outside the total: nothing to protect
    assert recoverable(shown, total_row=total) == []
    assert recoverable(protect(frame, ["this"]), total_row=total) == ["column this"]  # primary alone leaks
    rows = pd.DataFrame({"read": [10, 7], "kept": [8, 7], "rejected": [2, 0]})
    sums = [("read", ["kept", "rejected"])]
    shown = protect(rows, ["read", "kept", "rejected"], row_sums=sums)
    assert shown.loc[0].tolist() == [10, SUPPRESSED, SUPPRESSED] and recoverable(shown, row_sums=sums) == []


def test_district_comparison_rates_and_ratio():
    crimes = pd.concat([crimes_from_counts({"Burglary": [200]}, end="2024-12"),
                        crimes_from_counts({"Burglary": [50], "Anti-social behaviour": [30]}, end="2024-12")
                        .assign(district_code="E07000009")])
    dens = pd.concat([DENOMINATORS, pd.DataFrame({"district_code": ["E07000009"], "district_name": ["East Cambridgeshire"],
                                                  "population_2021": [50_000], "households_2011": [20_000]})])
    table = overview.district_comparison(crimes, dens, [AREA], ["E07000009"]).set_index("District")
    assert table.loc["Cambridge", "Crime rate per 1,000"] == pytest.approx(2.0)
    assert table.loc["East Cambridgeshire", ["Crimes (excl. ASB)", "ASB incidents"]].tolist() == [50, 30]
    assert table.loc["East Cambridgeshire", "Partnership rate ÷ district rate (95% CI)"].value == pytest.approx(2.0)
    alone = overview.district_comparison(crimes[crimes["district_code"] == AREA], dens, [AREA], ["E07000009"])
    assert alone.empty


def ae_target_with(counts_by_month: dict[str, int]):
    ae = pd.DataFrame({"month": [m for m, n in counts_by_month.items() for _ in range(n)]})
    config = config_with(Target(name="A&E", source="ae_assaults", baseline_year="2023/24", target_year="2024/25", below=900))
    return config, {"ae_assaults": ae}


def months_of(year: str) -> list[str]:
    return [str(m) for m in pd.period_range(f"{year[:4]}-04", periods=12, freq="M")]


def test_a_finished_year_is_met_or_missed_with_the_count_and_the_target():
    baseline = {m: 92 for m in months_of("2023/24")}  # 1,104
    for per_month, extra, words in ((75, 3, "Missed: 903 against fewer than 900"), (74, 11, "Met: 899 against fewer than 900")):
        target_year = {m: per_month for m in months_of("2024/25")}
        target_year["2025-03"] += extra
        config, extracts = ae_target_with(baseline | target_year)
        row = targets.target_progress(config, pd.DataFrame(columns=["month", "district_code", "crime_type"]), extracts,
                                      pd.Period("2025-03", "M")).iloc[0]
        assert row["Verdict"] == words and row["Status"] == words.split(":")[0]


def test_during_the_year_the_projection_decides_on_track_or_off_track():
    baseline = {m: 100 for m in months_of("2023/24")}  # 1,200, so 'fewer than 900' needs 75 a month
    for per_month, status in ((70, "On track"), (80, "Off track")):
        so_far = {m: per_month for m in months_of("2024/25")[:6]}
        config, extracts = ae_target_with(baseline | so_far)
        row = targets.target_progress(config, pd.DataFrame(columns=["month", "district_code", "crime_type"]), extracts,
                                      pd.Period("2024-09", "M")).iloc[0]
        assert row["Status"] == status and row["Projected year end"] == per_month * 12
        low, high = row["Projected 95% CI"].low, row["Projected 95% CI"].high
        assert low < per_month * 12 < high and row["Verdict"].startswith(f"{status}: {per_month * 12:,} projected")


def test_pro_rata_follows_the_baseline_years_own_seasons_not_calendar_months():
    # Baseline 2023/24: 300 in April to September, 900 in October to March (1,200). 'Fewer than 900' (899) pro rata to
    # September is 899 x 300 / 1,200 = 225, not the calendar 899 x 6 / 12 = 450; 240 so far projects to 960: off track.
    baseline = {m: (50 if i < 6 else 150) for i, m in enumerate(months_of("2023/24"))}
    so_far = {m: 40 for m in months_of("2024/25")[:6]}
    config, extracts = ae_target_with(baseline | so_far)
    row = targets.target_progress(config, pd.DataFrame(columns=["month", "district_code", "crime_type"]), extracts,
                                  pd.Period("2024-09", "M")).iloc[0]
    assert row["Target to date (pro rata)"] == 225 and row["Projected year end"] == 960 and row["Status"] == "Off track"


def test_small_counts_1_to_4_are_suppressed_and_5_is_not():
    # The rule's numbers are written here, not imported from the code under test.
    frame = pd.DataFrame({"n": [0, 1, 2, 3, 4, 5, 120]})
    assert protect(frame, ["n"])["n"].tolist() == [0, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, 5, 120]


def test_a_target_row_in_full_and_its_counts_filtered_by_area_and_type():
    baseline = crimes_from_counts({"Robbery": [120, 0], "Burglary": [500, 500]}, end="2025-03")
    baseline = baseline[baseline["financial_year"] == "2023/24"]
    elsewhere = baseline.assign(district_code="E07000009")  # another district's robberies do not count
    so_far = pd.DataFrame({"crime_type": "Robbery", "month": [str(m) for m in pd.period_range("2024-04", "2025-03", freq="M")
                                                             for _ in range(9)], "district_code": AREA})
    crimes = pd.concat([baseline, elsewhere, so_far], ignore_index=True)
    row = targets.target_progress(config_with(robbery_target(10)), crimes, {}, pd.Period("2025-03", "M")).iloc[0]
    assert row.to_dict() == {
        "Target": "Robbery", "Aim": "reduce by 10% (12 offences) to 108 in 2024/25", "Plan's baseline": None,
        "Baseline (data)": 120, "Target count": 108, "Months to date": 12, "Year to date": 108,
        "Target to date (pro rata)": 108, "Change on baseline months": -12, "Change on baseline months (%)": -10.0,
        "Beyond natural variation": "no", "Status": "Met", "Verdict": "Met: 108 against a target of 108 or fewer",
        "Smallest change detectable (80% power)": detectable_change(120)}  # one target: a family of one


def test_target_statuses_when_the_year_has_not_started_or_the_data_are_unusable():
    baseline = crimes_from_counts({"Robbery": [120, 0]}, end="2025-03")
    baseline = baseline[baseline["financial_year"] == "2023/24"]
    early = targets.target_progress(config_with(robbery_target(10)), baseline, {}, pd.Period("2024-03", "M")).iloc[0]
    assert early["Status"] == "Target year 2024/25 has not started in the data" and early["Target count"] == 108
    config = config_with(Target(name="A&E", source="ae_assaults", baseline_year="2023/24", target_year="2024/25", below=900))
    unusable = targets.target_progress(config, baseline, {}, pd.Period("2025-03", "M"), {"ae_assaults": "unusable (why)"})
    assert unusable.iloc[0]["Status"] == "Data unusable (why)"
    assert unusable.iloc[0]["Aim"] == "fewer than 900 in 2024/25 against 2023/24"


def test_a_partner_target_counts_its_filters_and_adds_up_values():
    months = [str(m) for m in pd.period_range("2023-04", "2025-03", freq="M")]
    service = pd.DataFrame({"month": months * 2, "measure": ["s136_detentions"] * 24 + ["other"] * 24, "value": 10})
    records = pd.DataFrame({"month": months * 3, "crime_type": ["Robbery"] * 24 + ["Burglary"] * 48})
    config = config_with(
        Target(name="S136", source="service_activity", measures=("s136_detentions",), baseline_year="2023/24",
               target_year="2024/25", below=121),
        Target(name="Recorded robbery", source="police_records", crime_types=("Robbery",), baseline_year="2023/24",
               target_year="2024/25", reduce_by_percent=50))
    rows = targets.target_progress(config, pd.DataFrame(columns=["month", "district_code", "crime_type"]),
                                   {"service_activity": service, "police_records": records}, pd.Period("2025-03", "M"))
    assert rows[["Baseline (data)", "Year to date", "Status"]].values.tolist() == [[120, 120, "Met"], [12, 12, "Missed"]]
    assert rows.iloc[1]["Verdict"] == "Missed: 12 against a target of 6 or fewer"


def test_protect_chooses_the_smallest_non_zero_partner_within_each_group():
    frame = pd.DataFrame({"source": ["a", "a", "a", "b", "b"], "n": [2, 0, 30, 50, 60], "m": [10, 10, 10, 10, 10]})
    shown = protect(frame, ["n", "m"], group_column="source")
    assert shown["n"].tolist() == [SUPPRESSED, 0, SUPPRESSED, 50, 60]  # the zero is no partner; 30 is
    assert shown["m"].tolist() == [10] * 5 and shown.attrs["count_columns"] == ["n", "m"]
    rows = pd.DataFrame({"read": [10, 9], "kept": [7, 9], "rejected": [3, 0]})
    kept = protect(rows, ["read", "kept", "rejected"], row_sums=[("read", ["kept", "rejected"])])
    assert kept.values.tolist() == [[10, SUPPRESSED, SUPPRESSED], [9, 9, 0]]
    assert recoverable(kept, row_sums=[("read", ["kept", "rejected"])]) == []
    assert recoverable(protect(rows, ["rejected"]), row_sums=[("read", ["kept", "rejected"])]) == ["row 0: read = kept + rejected"]


def test_target_rows_with_small_counts_are_suppressed_and_few_counts_say_so():
    tiny = crimes_from_counts({"Robbery": [3, 2], "Burglary": [120, 120]}, end="2025-03")
    row = targets.target_progress(config_with(robbery_target(10)), tiny, {}, pd.Period("2025-03", "M")).iloc[0]
    hidden = ["Baseline (data)", "Target count", "Year to date", "Target to date (pro rata)", "Aim", "Change on baseline months",
              "Change on baseline months (%)", "Beyond natural variation", "Status", "Verdict"]
    assert [row[c] for c in hidden] == [SUPPRESSED] * len(hidden)
    few = crimes_from_counts({"Robbery": [8, 6], "Burglary": [120, 120]}, end="2025-03")
    row = targets.target_progress(config_with(robbery_target(10)), few, {}, pd.Period("2025-03", "M")).iloc[0]
    assert row["Beyond natural variation"] == "too few to tell" and row["Verdict"] == "Met: 6 against a target of 7 or fewer"


def test_a_projection_exactly_on_target_is_on_track_and_no_baseline_months_cannot_be_projected():
    baseline = {m: 100 for m in months_of("2023/24")}  # 1,200; target 'fewer than 901' is 900 or fewer: 75 a month
    config = config_with(Target(name="A&E", source="ae_assaults", baseline_year="2023/24", target_year="2024/25", below=901))
    ae = pd.DataFrame({"month": [m for m, n in (baseline | {m: 75 for m in months_of("2024/25")[:3]}).items() for _ in range(n)]})
    row = targets.target_progress(config, pd.DataFrame(columns=["month", "district_code", "crime_type"]), {"ae_assaults": ae},
                                  pd.Period("2024-06", "M")).iloc[0]
    assert row["Projected year end"] == 900 and row["Status"] == "On track"
    assert str(row["Projected 95% CI"]).endswith(tuple("0123456789"))
    months = months_of("2023/24")
    rows = [("Burglary", m) for m in months for _ in range(20)] + [("Robbery", m) for m in months[6:] for _ in range(20)]
    rows += [("Robbery", "2024-04")] * 5 + [("Burglary", "2024-04")] * 20
    crimes = pd.DataFrame(rows, columns=["crime_type", "month"]).assign(district_code=AREA)
    row = targets.target_progress(config_with(robbery_target(10)), crimes, {}, pd.Period("2024-04", "M")).iloc[0]
    assert row["Status"] == "Not assessable" and row["Verdict"].startswith("no events in the same months")


def test_target_boundaries_exactly():
    # 'Fewer than 900': 900 is missed and 899 is met; a 10% reduction of 10,000 is 9,000, not 9,009.
    baseline = {m: 92 for m in months_of("2023/24")}
    for last_month, status in ((75, "Missed"), (74, "Met")):
        year = {m: 75 for m in months_of("2024/25")} | {"2025-03": last_month}
        config, extracts = ae_target_with(baseline | year)
        row = targets.target_progress(config, pd.DataFrame(columns=["month", "district_code", "crime_type"]), extracts,
                                      pd.Period("2025-03", "M")).iloc[0]
        assert row["Status"] == status and row["Target count"] == 899
    big = crimes_from_counts({"Robbery": [10_000, 7_000]}, end="2025-03")
    row = targets.target_progress(config_with(robbery_target(10)), big, {}, pd.Period("2025-03", "M")).iloc[0]
    assert row["Target count"] == 9_000 and row["Beyond natural variation"] == "yes"


def test_projection_interval_by_hand():
    from scipy import stats

    from pipeline.analysis.targets import projection_interval

    # 600 to date; baseline 1,200 with 600 in the same months: se(log) = sqrt(1/600 + 600/(1,200 x 600)) = 0.05.
    z = stats.norm.ppf(0.975)
    assert projection_interval(600, 1200, 600) == pytest.approx((1200 * math.exp(-z * 0.05), 1200 * math.exp(z * 0.05)))
    z90 = stats.norm.ppf(0.95)
    assert projection_interval(600, 1200, 600, alpha=0.1) == pytest.approx((1200 * math.exp(-z90 * 0.05),
                                                                             1200 * math.exp(z90 * 0.05)))
    assert projection_interval(0, 1200, 400) == pytest.approx((0.0, 3 * stats.chi2.ppf(0.975, 2) / 2))


def test_a_partnership_without_targets_gets_an_empty_table_not_an_error():
    crimes = crimes_from_counts({"Robbery": [50]}, end="2024-12")
    progress = targets.target_progress(config_with(), crimes, {}, pd.Period("2024-12", "M"))
    assert progress.empty and list(progress.columns[:2]) == ["Target", "Status"]

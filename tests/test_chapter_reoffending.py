"""The re-offending chapter: the plan's measures by hand on a small cohort (with banding of small counts), time at
risk, the Wilcoxon test at its nominal rate by simulation, regression to the mean from linked records, the demo
cohort, and the real 2024 run without the extract."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline.analysis import reoffending
from pipeline.chapters import reoffending as chapter
from pipeline.methods.values import Proportion


def cohort(before, after, sev_before, sev_after, custody=None):
    n = len(before)
    return pd.DataFrame({"person_id": [f"P{i}" for i in range(n)], "adopted_on": pd.Timestamp("2023-01-01"),
                         "offences_before": before, "offences_after": after, "severity_before": sev_before,
                         "severity_after": sev_after, "window_months": 12,
                         "days_in_custody_after": custody if custody is not None else [0] * n})


def test_measures_by_hand_with_small_counts_banded():
    members = cohort(before=[5] * 20, after=[0] * 10 + [2] * 5 + [6] * 5, sev_before=[10.0] * 20,
                     sev_after=[0.0] * 10 + [4.0] * 5 + [12.0] * 5)
    measures = reoffending.outcomes(members).set_index("Measure")["Members"]
    assert measures["Reduced frequency"] == Proportion(15, 20)
    assert measures["Did not offend in the after window"] == Proportion(10, 20)
    assert measures["Reduced both frequency and severity"] == Proportion(15, 20)
    small = cohort(before=[5] * 12, after=[0] * 9 + [6] * 3, sev_before=[1.0] * 12, sev_after=[0.0] * 12)
    assert reoffending.outcomes(small).set_index("Measure")["Members"]["Reduced frequency"] == "all but fewer than 5 of 12"
    tiny = cohort(before=[5] * 6, after=[0] * 6, sev_before=[1.0] * 6, sev_after=[0.0] * 6)
    assert reoffending.outcomes(tiny).set_index("Measure")["Members"]["Did not offend in the after window"] == "half or more"


def test_time_at_risk_scales_offences_after():
    members = cohort(before=[4, 4], after=[3, 3], sev_before=[1.0, 1.0], sev_after=[1.0, 1.0], custody=[0, 183])
    frame = reoffending.windows(members)
    assert frame["offences_after_at_risk"].iloc[0] == pytest.approx(3)
    assert frame["offences_after_at_risk"].iloc[1] == pytest.approx(3 * 365.25 / (365.25 - 183))


@pytest.mark.slow
def test_wilcoxon_rejects_at_its_nominal_rate_with_no_change_and_finds_a_halving():
    rng = np.random.default_rng(3)
    # before and after drawn alike for each member: exchangeable pairs, no change
    null = sum(reoffending.paired_tests(cohort(b := rng.poisson(9, 60), a := rng.poisson(9, 60), b * 4.0, a * 4.0))
               .set_index("Measure").at["Offences", "Wilcoxon p-value"] <= 0.05 for _ in range(400))
    low, high = stats.binom.interval(0.999, 400, 0.05)
    assert low <= null <= high
    found = sum(reoffending.paired_tests(cohort(b := rng.poisson(8, 40) + 1, rng.binomial(b, 0.5), b * 4.0, b * 2.0))
                .set_index("Measure").at["Offences", "Wilcoxon p-value"] <= 0.05 for _ in range(100))
    assert found >= 95


def test_selection_peak_from_linked_records():
    members = cohort(before=[5] * 10, after=[1] * 10, sev_before=[1.0] * 10, sev_after=[1.0] * 10)
    members["adopted_on"] = pd.Timestamp("2024-01-01")
    rows = []
    for person in members["person_id"]:
        rows += [(person, pd.Timestamp("2023-06-01"))] * 3 + [(person, pd.Timestamp("2022-06-01"))]
    rows.append(("P0", pd.Timestamp("2021-01-01")))  # the records start early enough for two years before adoption
    records = pd.DataFrame(rows, columns=["suspect_id", "reported_at"])
    peak = reoffending.selection_peak(members, records)
    assert peak["covered"] == 10 and peak["year_before"] == 3 and peak["year_before_that"] == 1
    assert peak["p_value"] < 0.01 and "taken on at a peak" in chapter.peak_reading(
        chapter.ReoffendingChapter("x", members=10, peak=peak))


def test_demo_cohort_findings_quote_the_table(demo):
    assert demo.members == 200 and not demo.cohort_missing
    found = chapter.findings(demo)
    measures = demo.outcomes.set_index("Measure")["Members"]
    assert found[0].figures["both_percent"] == measures["Reduced both frequency and severity"].share
    assert found[0].figures["not_offending_percent"] == measures["Did not offend in the after window"].share
    offences = demo.tests.set_index("Measure").loc["Offences"]
    assert found[1].figures["median_before"] == offences["Median before"]
    assert demo.peak is not None and "year_before" in demo.peak


def test_without_the_extract_it_says_so(real):
    assert real.cohort_missing and real.outcomes.empty
    assert chapter.findings(real)[0].direction == "gap"


def test_chart_means_by_hand_and_none_for_a_cohort_under_ten():
    members = cohort(before=[4] * 10 + [8] * 10, after=[0] * 10 + [3] * 10, sev_before=[10.0] * 20, sev_after=[5.0] * 20,
                     custody=[0] * 19 + [365])
    means = reoffending.window_means(members).set_index(["panel", "period"])["mean"]
    assert means[("Offences (IOM extract)", "Window before")] == 6.0
    assert means[("Offences (IOM extract)", "Window after")] == 1.5
    assert means[("Severity (IOM extract)", "Window after")] == 5.0
    assert reoffending.window_means(members.head(9)).empty


def test_demo_chart_draws_the_cohort_and_the_peak_with_its_source(demo):
    from pipeline.report import plotting
    from pipeline.report.reoffending_charts import before_after_chart
    means = demo.means.set_index(["panel", "period"])
    assert means.loc[("Records as suspect (police)", "Year before adoption"), "mean"] == demo.peak["year_before"]
    html = plotting.figure_html(before_after_chart(demo.means, "IOM cohort"))
    assert "Source: the partnership&#x27;s IOM cohort extract; records as suspect" in html
    assert "3 panels: Offences (IOM extract) 200 members" in html


def test_members_whose_count_changed_never_reveal_one_to_four_unchanged():
    """199 of 200 changed would publish 1 unchanged member beside the cohort's size: banded instead."""
    members = cohort(before=[5] * 200, after=[5] + [1] * 199, sev_before=[10.0] * 200, sev_after=[10.0] * 3 + [2.0] * 197)
    tests = reoffending.paired_tests(members).set_index("Measure")["Members whose count changed"]
    assert tests["Offences"] == "all but fewer than 5 of 200" and tests["Severity"] == "all but fewer than 5 of 200"
    members = cohort(before=[5] * 20, after=[5] * 10 + [1] * 10, sev_before=[10.0] * 20, sev_after=[2.0] * 20)
    assert reoffending.paired_tests(members).set_index("Measure").loc["Offences", "Members whose count changed"] == Proportion(10, 20)

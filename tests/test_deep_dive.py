"""Quarterly deep dives (`run_assessment.py --deep-dive TOPIC --quarter 2024Q4`): a quarter against the same quarter
of earlier years. Its tests reject at their nominal rate when nothing changed and find (and cover) a planted rise;
it never shows a count from 1 to 4; its requests and plan are checked with messages; the annual report of the
quarter's year links each deep dive and says what it found; on the demo it finds the planted cycle-theft surge."""
import json

import numpy as np
import pandas as pd
import pytest

from pipeline import runner
from pipeline.analysis import deep_dive
from pipeline.deep_dive_run import check_request
from pipeline.errors import ConfigError
from pipeline.inputs.config import load_config
from pipeline.inputs.deep_dive_plan import DeepDivePlan, quarter_months
from pipeline.methods.disclosure import SUPPRESSED, recoverable
from pipeline.report import deep_dive_document as document
from pipeline.report.deep_dive_links import deep_dives_html, year_quarters

CONFIG = load_config("config/demo.yaml")
MONTHS = pd.period_range("2020-01", "2024-12", freq="M")
GEOGRAPHY = pd.DataFrame({"district_code": ["E07000008"], "population_2021": [145_000]})
WARDS = ["Abbey", "Arbury", "Castle", "Market", "Romsey"]
SIMULATIONS = 200
NULL_CEILING = 0.05 + 2.6 * np.sqrt(0.05 * 0.95 / SIMULATIONS)  # above this, the test rejects too often


def crimes(rng, means: dict[str, float], last_q4_factor: float = 1.0) -> pd.DataFrame:
    """Monthly Poisson counts of each type, flat over five calendar years; the last Q4 multiplied by the factor."""
    frames = []
    last_q4 = set(quarter_months("2024Q4"))
    for crime_type, mean in means.items():
        lam = np.array([mean * (last_q4_factor if month in last_q4 else 1.0) for month in MONTHS])
        counts = rng.poisson(lam)
        months = np.repeat(MONTHS.astype(str), counts)
        frames.append(pd.DataFrame({"month": months, "crime_type": crime_type, "district_code": "E07000008",
                                    "ward_name": rng.choice(WARDS, len(months)), "zone": ""}))
    return pd.concat(frames, ignore_index=True)


def test_with_no_change_the_deep_dive_rejects_at_no_more_than_its_nominal_rate():
    rng = np.random.default_rng(20241231)
    calls = {"year before": 0, "average": 0, "trend": 0, "peak": 0, "type": 0}
    types = {"Burglary": 30, "Robbery": 6, "Vehicle crime": 25, "Theft from the person": 20, "Bicycle theft": 60}
    for _ in range(SIMULATIONS):
        result = deep_dive.build(crimes(rng, types), GEOGRAPHY, CONFIG, "acquisitive", "2024Q4")
        calls["year before"] += result.headline.significant
        calls["average"] += result.versus_average.significant
        calls["trend"] += result.trend is not None and result.trend.p_value < 0.05
        calls["peak"] += bool(result.peaks)
        calls["type"] += (result.tables["type"]["Beyond natural variation (FDR 5%)"] == "yes").any()
    rates = {name: count / SIMULATIONS for name, count in calls.items()}
    assert all(rate <= NULL_CEILING for rate in rates.values()), rates


def test_a_planted_rise_is_found_and_its_size_covered():
    rng = np.random.default_rng(7)
    found = covered_year = covered_average = 0
    runs = 100
    for _ in range(runs):
        result = deep_dive.build(crimes(rng, {"Violence and sexual offences": 100}, 1.5), GEOGRAPHY, CONFIG,
                                 "violence", "2024Q4")
        found += result.headline.significant and result.headline.rate_ratio > 1
        covered_year += result.headline.ratio_lower <= 1.5 <= result.headline.ratio_upper
        covered_average += result.versus_average.ratio_lower <= 1.5 <= result.versus_average.ratio_upper
    assert found >= 0.95 * runs
    assert covered_year >= 0.90 * runs and covered_average >= 0.90 * runs, (covered_year, covered_average)


def test_no_count_from_1_to_4_is_shown_or_recoverable():
    rng = np.random.default_rng(3)
    result = deep_dive.build(crimes(rng, {"Robbery": 1.2, "Burglary": 2.0}), GEOGRAPHY, CONFIG, "acquisitive",
                             "2024Q4")
    for frame in [result.same_quarters, *result.tables.values()]:
        for column in frame.attrs.get("count_columns", []):
            shown = [v for v in frame[column] if v != SUPPRESSED]
            assert not any(1 <= v <= 4 for v in shown), (column, shown)
    ward = result.tables["ward"]
    assert SUPPRESSED in ward["This quarter"].tolist()
    assert recoverable(ward, total_row=("Ward", deep_dive.ALL_WARDS, [])) == []
    text = document.summary(result)
    assert not any(f" {n} records" in text for n in range(1, 5))


def test_the_deep_dive_document_says_the_change_in_words_with_its_test():
    rng = np.random.default_rng(11)
    result = deep_dive.build(crimes(rng, {"Violence and sexual offences": 100}, 1.6), GEOGRAPHY, CONFIG, "violence",
                             "2024Q4")
    text = document.summary(result)
    assert "records in Q4 2024 (Oct to Dec 2024)" in text and "on Q4 2023 (rate ratio" in text
    assert "beyond natural variation" in text and "on the average of Q4 2020 to Q4 2023" in text
    assert document.titles("Cambridge", result, False)[1].startswith("Violence and sexual offences in the quarter")


def test_requests_and_plans_are_checked_with_messages():
    first, last = pd.Period("2020-04", "M"), pd.Period("2025-03", "M")
    assert check_request(CONFIG, "violence", "2024q4", first, last) == "2024Q4"
    with pytest.raises(ConfigError, match="'domestic' is not a topic.*crime_overview, violence, acquisitive, asb"):
        check_request(CONFIG, "domestic", "2024Q4", first, last)
    with pytest.raises(ConfigError, match="written like 2024Q4, got '2024-Q5'"):
        check_request(CONFIG, "violence", "2024-Q5", first, last)
    with pytest.raises(ConfigError, match="2025Q2 .*not wholly in the police.uk files"):
        check_request(CONFIG, "violence", "2025Q2", first, last)
    with pytest.raises(ValueError, match="'reoffending', is neither"):
        DeepDivePlan(plan={"2024Q4": "reoffending"})
    with pytest.raises(ValueError, match="names \\['Shopliftin'\\]"):
        DeepDivePlan(themes={"Theft": ("Shopliftin",)})


def test_the_year_holds_the_quarters_wholly_inside_it():
    assert year_quarters(pd.Period("2025-03", "M")) == ["2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert year_quarters(pd.Period("2024-11", "M")) == ["2024Q1", "2024Q2", "2024Q3"]


def test_the_annual_report_lists_the_years_deep_dives_with_links(tmp_path):
    folder = tmp_path / "demo-deep-dives"
    folder.mkdir()
    record = {"topic": "violence", "quarter": "2024Q4", "count": 465, "document": "deep-dive-violence-2024Q4.html",
              "headline": {"current": 465, "previous": 382, "change": 83, "percent_change": 21.7, "significant": True,
                           "too_small": False}, "reason": "", "suggested_quarter": 2}
    (folder / "deep-dive-violence-2024Q4.json").write_text(json.dumps(record))
    (folder / "deep-dive-violence-2024Q4.html").write_text("<html></html>")
    (folder / "deep-dive-asb-2023Q4.json").write_text(json.dumps(record | {"topic": "asb", "quarter": "2023Q4"}))
    (folder / "deep-dive-broken.json").write_text("{not json")
    config = CONFIG.model_copy(update={"deep_dives": DeepDivePlan(themes={"<b>Theft</b>": ("Shoplifting",)},
                                                                  plan={"2024Q3": "<b>Theft</b>", "2024Q4": "violence"})})
    summary, html = deep_dives_html(config, pd.Period("2025-03", "M"), tmp_path)
    assert '<a href="../demo-deep-dives/deep-dive-violence-2024Q4.html">' in html
    assert '<a href="../demo-deep-dives/deep-dive-violence-2024Q4.html">Violence and sexual offences, 2024Q4</a>: 465' \
        in summary and "Theft" not in summary  # the summary says what the written ones found
    assert "465 records; up 21.7% (83 more records) on the same quarter a year before: beyond natural variation" in html
    assert "2023Q4" not in html and "&lt;b&gt;Theft&lt;/b&gt;" in html and "<b>Theft" not in html
    assert "planned: run --deep-dive &lt;b&gt;Theft&lt;/b&gt; --quarter 2024Q3" in html
    assert deep_dives_html(CONFIG.model_copy(update={"deep_dives": DeepDivePlan()}), pd.Period("2025-03", "M"),
                           tmp_path / "nowhere") == ("", "")


@pytest.mark.slow
def test_on_the_demo_a_deep_dive_is_written_and_the_annual_report_links_it(demo_ingest, tmp_path):
    _, ingest = demo_ingest
    processed = str(ingest.processed_dir.parent.parent)
    common = ["--out-dir", str(tmp_path), "--processed-dir", processed]
    assert runner.main(["--deep-dive", "violence", "--quarter", "2024Q4", *common]) == 0
    assert runner.main(["--deep-dive", "acquisitive", "--quarter", "2024Q4", *common]) == 0
    page = (tmp_path / "demo-deep-dives" / "deep-dive-violence-2024Q4.html").read_text()
    assert "quarterly deep dive, Violence and sexual offences, Q4 2024" in page and "Q4 2020" in page
    acquisitive = (tmp_path / "demo-deep-dives" / "deep-dive-acquisitive-2024Q4.html").read_text()
    assert "Crime types changed beyond natural variation on the year before: Bicycle theft." in acquisitive
    assert runner.main(["--only", "violence", *common]) == 0
    report = (tmp_path / "2025-03-demo-only-violence" / "report.html").read_text()
    assert report.count('<a href="../demo-deep-dives/deep-dive-violence-2024Q4.html">') == 2  # summary and appendix
    assert "planned: run --deep-dive asb --quarter 2024Q2" in report and "Quarterly deep dives of the year" in report

"""Harm weighting: the weights file as a versioned input (both layouts, the mapping from Home Office codes to police.uk
types, refusals naming file, row and column), the harm table by hand, the weighted-Poisson interval and test by
simulation, and the demo's harm view and IOM severity under the configured weights."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline.analysis import harm, reoffending
from pipeline.chapters import crime_overview
from pipeline.chapters import reoffending as reoffending_chapter
from pipeline.errors import InputDataError
from pipeline.inputs.harm_weights import CODE_LEVEL, TYPE_LEVEL, code_volumes, load_weighting, read_weights
from pipeline.methods.weighted_poisson import compare_weighted, weighted_total
from pipeline.paths import RAW_DIR

HOME_OFFICE = RAW_DIR / "home_office"
HEADER = "# name: Test weights\n# version: 7\n# source: written for this test\n"


def weights_file(tmp_path, body: str, header: str = HEADER, name: str = "weights.csv"):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def overview_rows(rows):
    """The columns of pipeline.analysis.overview.overview_table that the harm table reads."""
    return pd.DataFrame([{"Crime type": t, "This year": n, "Last year": m, "Change (%)": (n - m) / m * 100,
                          "Beyond natural variation": "no"} for t, n, m in rows])


def test_harm_of_constructed_records_by_hand():
    table = harm.harm_table(overview_rows([("Robbery", 10, 8), ("Shoplifting", 400, 400), ("Drugs", 50, 40)]),
                            {"robbery": 500.0, "shoplifting": 4.0, "drugs": 20.0})
    rows = table.set_index("Crime type")
    assert rows.loc["Robbery", "Harm this year"] == 5000 and rows.loc["Shoplifting", "Harm this year"] == 1600
    assert rows.loc["Drugs", "Harm this year"] == 1000
    total = rows.loc[harm.ALL_HARM]
    assert total["Harm this year"] == 7600 == rows.drop(index=harm.ALL_HARM)["Harm this year"].sum()
    assert total["Harm last year"] == 8 * 500 + 400 * 4 + 40 * 20 and total["Change in harm"] == 7600 - 6400
    assert total["Change (%)"] == pytest.approx(1200 / 6400 * 100)
    assert rows.loc["Robbery", "Share of harm (%)"] == pytest.approx(5000 / 7600 * 100)
    assert rows.loc["Robbery", "Share of crime (%)"] == pytest.approx(10 / 460 * 100)
    # few but grave offences rank first by harm and last by count; the frequent minor type the other way round
    assert (rows.loc["Robbery", "Rank by harm"], rows.loc["Robbery", "Rank by count"]) == (1, 3)
    assert (rows.loc["Shoplifting", "Rank by harm"], rows.loc["Shoplifting", "Rank by count"]) == (2, 1)
    assert list(table["Crime type"]) == [harm.ALL_HARM, "Robbery", "Shoplifting", "Drugs"]
    ci = rows.loc["Robbery", "Harm 95% CI"]
    assert ci.low == pytest.approx(500 * 4.795, rel=1e-3) and ci.high == pytest.approx(500 * 18.39, rel=1e-3)


def test_a_type_the_weighting_does_not_cover_is_listed_not_weighed():
    table = harm.harm_table(overview_rows([("Robbery", 10, 8), ("Other crime", 30, 30)]), {"robbery": 2.0})
    assert list(table["Crime type"]) == [harm.ALL_HARM, "Robbery"] and table.attrs["unweighted"] == ["Other crime"]


def test_dobson_interval_by_hand():
    result = weighted_total([3, 10], [100.0, 1.0])
    assert result.total == 310 and result.variance == 3 * 100 ** 2 + 10
    scale = np.sqrt(30010 / 13)
    low, high = stats.chi2.ppf(0.025, 26) / 2, stats.chi2.ppf(0.975, 28) / 2  # exact Poisson limits for 13 events
    assert (round(low, 3), round(high, 2)) == (6.922, 22.23)
    assert result.lower == pytest.approx(310 + scale * (low - 13)) and result.upper == pytest.approx(310 + scale * (high - 13))


def test_dobson_interval_covers_the_true_total_at_about_95_percent():
    rng = np.random.default_rng(28)
    weights, means = np.array([600.0, 40.0, 3.0, 1.0]), np.array([6.0, 30.0, 200.0, 400.0])
    truth, covered, trials = float((weights * means).sum()), 0, 4000
    for counts in rng.poisson(means, size=(trials, len(means))):
        result = weighted_total(counts, weights)
        covered += result.lower <= truth <= result.upper
    # 93.2% here: where a rare, heavy type carries most of the variance Dobson's interval runs a little under its
    # nominal 95% (the method's docstring says so); with the weights more even it is at 95%
    assert 0.92 <= covered / trials <= 0.97


def test_change_in_harm_rejects_at_its_nominal_rate_with_no_change_and_finds_a_planted_rise():
    rng = np.random.default_rng(29)
    weights, means, trials = np.array([600.0, 40.0, 3.0, 1.0]), np.array([6.0, 30.0, 200.0, 400.0]), 4000
    null = [compare_weighted(rng.poisson(means), rng.poisson(means), weights).p_value for _ in range(trials)]
    assert 0.035 <= np.mean(np.array(null) <= 0.05) <= 0.065
    # harm here is dominated by a rare, heavy type, so a rise must be large to be seen: tripling the heaviest type and
    # doubling the next raises harm by 76%; the normal approximation's power for it is about 0.86
    risen = means * np.array([3.0, 2.0, 1.0, 1.0])
    change = float((weights * (risen - means)).sum())
    sd = np.sqrt(float((weights ** 2 * (risen + means)).sum()))
    expected = stats.norm.sf(1.96 - change / sd)
    power = np.mean([compare_weighted(rng.poisson(risen), rng.poisson(means), weights).p_value <= 0.05 for _ in range(1000)])
    assert expected > 0.75 and abs(power - expected) < 0.06


def test_harm_rates_of_two_populations_reject_at_the_nominal_rate_with_equal_rates():
    rng = np.random.default_rng(30)
    weights, per_person = np.array([600.0, 40.0, 3.0]), np.array([0.0001, 0.0008, 0.004])
    small, large = 40_000, 150_000  # a district and the partnership: the same harm per resident
    p = [compare_weighted(rng.poisson(per_person * large), rng.poisson(per_person * small), weights, large, small).p_value
         for _ in range(4000)]
    assert 0.035 <= np.mean(np.array(p) <= 0.05) <= 0.065


def test_rates_compare_by_population():
    same = compare_weighted([100, 10], [200, 20], [1.0, 50.0], exposure_current=1000, exposure_previous=2000)
    assert same.change == pytest.approx(0) and same.p_value == pytest.approx(1)


def test_type_level_file_with_sidecar_metadata(tmp_path):
    path = weights_file(tmp_path, "Crime type,Weight\nRobbery,365\nShoplifting,2\n", header="")
    with pytest.raises(InputDataError, match="name, version, source are not given"):
        read_weights(path)
    (tmp_path / "weights.yaml").write_text("name: Board weights\nversion: 2025\nsource: our own board\n")
    weighting = load_weighting(path, HOME_OFFICE, ["Cambridgeshire Constabulary"])
    assert weighting.level == TYPE_LEVEL and weighting.by_type == {"robbery": 365.0, "shoplifting": 2.0}
    assert weighting.label == "Board weights, version 2025" and weighting.type_method == ""


def test_code_level_file_is_carried_to_police_uk_types_by_the_forces_volumes(tmp_path):
    path = weights_file(tmp_path, "Offence code,Weight\n34A,1000\n34B,100\n46,2\n")
    weighting = load_weighting(path, HOME_OFFICE, ["Cambridgeshire Constabulary"])
    assert weighting.level == CODE_LEVEL and weighting.by_code["34A"] == 1000
    volumes, whose = code_volumes(HOME_OFFICE, "Cambridgeshire Constabulary")
    volumes = volumes.set_index("offence_code")["offences"]
    business, personal = volumes["34A"], volumes["34B"]
    assert business > 0 and personal > 0 and "Cambridgeshire" in whose
    expected = (1000 * business + 100 * personal) / (business + personal)  # robbery of business and of personal property
    assert weighting.by_type["robbery"] == pytest.approx(expected)
    assert weighting.by_type["shoplifting"] == 2.0
    assert "Cambridgeshire Constabulary recorded in 2017/18" in weighting.type_method
    assert "CrimeCatMappings.csv" in weighting.type_method


@pytest.mark.parametrize("body,problem", [
    ("Offence code,Weight\n34A,-1\n", "row 1, column 'Weight'"),
    ("Offence code,Weight\n34A,lots\n", "row 1, column 'Weight'"),
    ("Offence code,Weight\n34A,1\n,2\n", "row 2, column 'Offence code'"),
    ("Offence code,Weight\n34A,1\n34A,2\n", "row 2, column 'Offence code'"),
    ("Code only\n34A\n", "needs a key column"),
    ("Offence code,Weight\n", "has no weights"),
])
def test_a_bad_weights_file_names_file_row_and_column(tmp_path, body, problem):
    with pytest.raises(InputDataError) as error:
        read_weights(weights_file(tmp_path, body))
    message = str(error.value)
    assert "weights.csv" in message and problem in message and "How to fix" in message


def test_a_bad_weights_file_stops_the_run_with_exit_2(tmp_path, capsys):
    from pipeline import runner
    from pipeline.paths import PROJECT_ROOT
    raw = tmp_path / "raw"
    raw.mkdir()
    for folder in RAW_DIR.iterdir():
        (raw / folder.name).symlink_to(folder)
    (raw / "weights").mkdir()
    weights_file(raw / "weights", "Crime type,Weight\nRobbery,-3\n")
    config = tmp_path / "weights.yaml"
    config.write_text((PROJECT_ROOT / "config" / "real_2024.yaml").read_text() + "\nharm_weights: weights/weights.csv\n")
    assert runner.main(["--config", str(config), "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "weights.csv" in err and "row 1" in err and "'Weight'" in err and "Traceback" not in err


def test_demo_harm_view_sums_and_says_its_weights_are_illustrative(demo_context):
    result = crime_overview.build(demo_context)
    table = result.harm.set_index("Crime type")
    types = table.drop(index=harm.ALL_HARM)
    assert table.loc[harm.ALL_HARM, "Harm this year"] == pytest.approx(types["Harm this year"].sum())
    assert types["Share of harm (%)"].sum() == pytest.approx(100)
    assert result.weighting["illustrative"] and result.weighting["level"] == CODE_LEVEL
    notes = crime_overview.harm_notes(result)
    assert "ILLUSTRATIVE" in notes and "not an official weighting" in notes and "police.uk crime type" in notes
    finding = next(f for f in crime_overview.findings(result) if "harm" in f.text.lower() and "figures" in dir(f)
                   and "harm_total" in f.figures)
    assert "ILLUSTRATIVE" in finding.text or "illustrative" in finding.text.lower()
    assert not result.harm_districts.empty and result.harm_districts["District"].iloc[0] == "Cambridge (partnership)"
    # few but grave offences: robbery ranks well above its place by count
    robbery = types.loc["Robbery"]
    assert robbery["Rank by harm"] < robbery["Rank by count"]


def test_without_weights_the_harm_view_says_so_and_the_overview_is_unchanged(real_context):
    result = crime_overview.build(real_context)
    assert result.harm.empty and result.weighting is None and not result.table.empty
    assert "No harm weighting is configured" in crime_overview.harm_notes(result)
    assert not any("harm_total" in f.figures for f in crime_overview.findings(result))


def test_iom_severity_uses_the_configured_code_weights(demo_context):
    cohort = demo_context.table("iom_cohort")
    assert reoffending.carries_codes(cohort)
    weights = reoffending_chapter.code_weights(demo_context)
    weighed, _ = reoffending.weighted_severity(cohort, weights)
    first = cohort.iloc[0]
    codes = [c for c in str(first["offence_codes_before"]).split(";") if c]
    assert weighed.iloc[0]["severity_before"] == pytest.approx(sum(weights[c] for c in codes))
    result = reoffending_chapter.build(demo_context)
    assert "ILLUSTRATIVE" in result.severity_source and "offence code" in result.severity_source


def test_iom_severity_with_type_weights_goes_through_each_codes_type():
    class Context:
        tables = {"harm_weights_by_code": pd.DataFrame(columns=["offence_code", "weight"]),
                  "harm_weights_by_type": pd.DataFrame({"crime_type": ["robbery"], "weight": [7.5]}),
                  "offence_codes": pd.DataFrame({"offence_code": ["34B", "46"], "crime_type": ["Robbery", "Shoplifting"]})}

        def table(self, name):
            return self.tables.get(name)

    weights = reoffending_chapter.code_weights(Context())
    assert weights == {"34B": 7.5}
    cohort = pd.DataFrame({"offences_before": [2, 1], "offences_after": [1, 0], "offence_codes_before": ["34B;34B", "46"],
                           "offence_codes_after": ["34B", ""], "severity_before": [0.0, 0.0], "severity_after": [0.0, 0.0]})
    weighed, _ = reoffending.weighted_severity(cohort, weights)
    assert weighed["severity_before"].iloc[0] == 15 and weighed["severity_after"].iloc[0] == 7.5
    assert np.isnan(weighed["severity_before"].iloc[1])  # a code the weighting does not weigh: no guessed severity

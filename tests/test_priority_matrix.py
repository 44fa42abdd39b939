"""The priority-setting matrix: scores by the stated bands, the board's inputs from the configuration, rank intervals
from 1,000 Poisson resamples, a planted rising harmful type recommended, equal candidates not separated."""
import numpy as np
import pytest

from pipeline.analysis import priority_matrix as pm
from pipeline.chapters import crime_overview
from pipeline.inputs.config import load_config
from pipeline.report.summary import executive_summary
from pipeline.report.summary_words import recommendations

STABLE = {"Burglary": [400, 410, 395, 405, 400], "Robbery": [60, 62, 58, 61, 60], "Vehicle crime": [500, 490, 510, 505, 500],
          "Theft from the person": [150, 150, 150, 150, 150], "Bicycle theft": [900, 880, 910, 905, 900],
          "Violence and sexual offences": [3000, 3050, 2990, 3010, 3000], "Anti-social behaviour": [2500] * 5,
          "Shoplifting": [1200, 1210, 1190, 1205, 1200], "Criminal damage and arson": [800, 810, 790, 805, 800],
          "Other theft": [1000] * 5}
WEIGHTS = {"burglary": 30.0, "robbery": 200.0, "vehicle crime": 5.0, "theft from the person": 10.0, "bicycle theft": 3.0,
           "violence and sexual offences": 60.0, "shoplifting": 2.0, "criminal damage and arson": 8.0, "other theft": 4.0,
           "possession of weapons": 300.0}  # a grave type: 140 offences, about 13% of all harm


def config():
    return load_config("config/demo.yaml")


def test_bands_and_middle_scores_by_hand():
    assert [pm.band(v, pm.SHARE_BANDS) for v in (0, 4.9, 5, 10, 19.9, 20)] == [1, 1, 2, 3, 3, 4]
    # a change within natural variation scores the middle whatever its size; beyond it, by the bands
    scores = pm._change_score(np.array([110.0, 140.0, 60.0]), np.array([100.0, 100.0, 100.0]))
    assert list(scores) == [pm.MIDDLE, 4.0, 1.0]
    flat, rising = np.array([[100.0, 101, 99, 100, 100]]), np.array([[100.0, 120, 145, 170, 200]])
    assert pm._trend_score(flat)[0] == pm.MIDDLE and pm._trend_score(rising)[0] == 4.0


def test_a_rising_harmful_type_outside_the_plan_is_shortlisted_ranked_and_recommended():
    counts = STABLE | {"Possession of weapons": [40, 55, 75, 100, 140]}
    candidates = pm.candidates_for(config(), counts, WEIGHTS, None)
    names = [c.name for c in candidates]
    assert names[:3] == ["Personal acquisitive crime", "Violence and sexual offences", "Anti-social behaviour"]
    assert "Possession of weapons" in names and "Theft from the person" not in names
    frame = pm.matrix(candidates, counts, WEIGHTS)
    assert frame.attrs["resamples"] >= 1000
    weapons = frame.set_index("Candidate").loc["Possession of weapons"]
    assert not weapons["Current priority"] and weapons["Rank"] <= 3
    assert weapons["Change since last year"] == 4 and weapons["Long-term trend"] == 4
    findings = crime_overview.matrix_findings(frame, "Cambridge")
    recs = " ".join(recommendations(findings))
    assert "Possession of weapons" in recs and "not a current priority" in recs
    summary = executive_summary(findings, "Cambridge", "the year ending March 2025")
    assert "Priority-setting matrix" in summary and "Possession of weapons" in summary and "1,000 Poisson resamples" in summary


def test_two_candidates_of_equal_expected_score_are_not_separated():
    counts = STABLE | {"Drugs": [300] * 5, "Public order": [300] * 5}
    weights = WEIGHTS | {"drugs": 20.0, "public order": 20.0}
    candidates = [pm.Candidate(t, False, {t: counts[t]}, {t: 20.0}) for t in ("Drugs", "Public order")]
    frame = pm.matrix(candidates, counts, weights).set_index("Candidate")
    drugs, order = frame.loc["Drugs"], frame.loc["Public order"]
    assert drugs["Score"] == order["Score"]
    assert drugs["Rank low"] <= order["Rank high"] and order["Rank low"] <= drugs["Rank high"]
    assert (drugs["Rank low"], drugs["Rank high"]) == (1, 2) == (order["Rank low"], order["Rank high"])


def test_the_boards_inputs_and_weights_come_from_the_configuration():
    board = config().priority_matrix.model_copy(update={
        "public_concern": {"Anti-social behaviour": 4.0}, "ability_to_act": {"Anti-social behaviour": 1.0},
        "weights": {"Harm share": 0.0}})
    cfg = config().model_copy(update={"priority_matrix": board})
    candidates = pm.candidates_for(cfg, STABLE, WEIGHTS, (30, 100))
    frame = pm.matrix(candidates, STABLE, WEIGHTS, cfg.priority_matrix.weights).set_index("Candidate")
    asb = frame.loc["Anti-social behaviour"]
    assert (asb["Public concern"], asb["Ability to act"], asb["Repeat victims"]) == (4, 1, 4)
    assert frame.attrs["weights"]["Harm share"] == 0
    expected = sum(pm.DEFAULT_WEIGHTS[k] * asb[k] for k in pm.CRITERIA if k != "Harm share") / (
        sum(pm.DEFAULT_WEIGHTS.values()) - pm.DEFAULT_WEIGHTS["Harm share"])
    assert asb["Score"] == pytest.approx(expected)


def test_without_weights_harm_scores_the_middle_and_the_rules_say_so():
    frame = pm.matrix(pm.candidates_for(config(), STABLE, None, None), STABLE, None)
    assert (frame["Harm share"] == pm.MIDDLE).all() and not frame.attrs["harm_weighted"]
    summary = executive_summary(crime_overview.matrix_findings(frame, "Cambridge"), "Cambridge", "the year")
    assert "no harm weighting is configured" in summary


def test_demo_matrix_is_in_the_chapter_and_its_findings(demo_context):
    result = crime_overview.build(demo_context)
    assert not result.matrix.empty and result.matrix.attrs["resamples"] == 1000
    assert {"Personal acquisitive crime", "Violence and sexual offences", "Anti-social behaviour"} <= set(result.matrix["Candidate"])
    found = [f for f in crime_overview.findings(result) if f.section == crime_overview.MATRIX_SECTION]
    assert len(found) == len(result.matrix)
    counts = pm.yearly_counts(demo_context.table("crimes"), demo_context.config.area_codes)
    table = result.table.set_index("Crime type")
    for crime_type in ("Violence and sexual offences", "Shoplifting"):  # the assessment year last, the year before it
        assert counts[crime_type][-2:] == [table.loc[crime_type, "Last year"], table.loc[crime_type, "This year"]]
    violence = result.matrix.set_index("Candidate").loc["Violence and sexual offences"]
    assert violence["Change since last year"] == 4  # the planted rise, beyond natural variation, of 15%

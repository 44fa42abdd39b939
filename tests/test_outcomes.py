"""police.uk outcomes joined to street crimes (pipeline.analysis.outcomes), on rows built by hand: a crime with two
outcomes takes its latest, one with none is counted as 'No outcome yet', an unknown category is 'Other' and named,
each type's groups add up to its crimes, and the like-with-like view counts only what was known N months on."""
import math

import pandas as pd
import pytest

from pipeline.analysis import outcomes as analysis
from pipeline.methods.statistics import wilson_interval

CRIMES = pd.DataFrame({
    "crime_id": ["A", "B", "C", "D", "F", ""],
    "crime_type": ["Burglary", "Burglary", "Burglary", "Vehicle crime", "Vehicle crime", "Anti-social behaviour"],
    "month": ["2024-01", "2024-02", "2024-03", "2024-01", "2024-02", "2024-02"]})
OUTCOMES = pd.DataFrame({
    "crime_id": ["A", "A", "C", "D", "F", "F", "Z"],
    "month": ["2024-04", "2024-02", "2024-05", "2024-01", "2024-03", "2024-03", "2024-03"],
    "outcome_type": ["Suspect charged", "Under investigation", "A category police.uk adds next year",
                     "Investigation complete; no suspect identified", "Local resolution", "Suspect charged",
                     "Suspect charged"]})


def test_each_crime_takes_its_latest_outcome_and_none_is_dropped():
    joined = analysis.with_outcomes(CRIMES, OUTCOMES).set_index("crime_id")
    assert joined["outcome_group"].to_dict() == {
        "A": analysis.CHARGED, "B": analysis.NO_OUTCOME, "C": analysis.OTHER, "D": analysis.NO_SUSPECT,
        "F": analysis.CHARGED}  # F: two outcomes in one month, the last read; the ASB row has no Crime ID
    assert joined["outcome_rows"].to_dict() == {"A": 2, "B": 0, "C": 1, "D": 1, "F": 2}
    assert joined.loc["A", "months_to_outcome"] == 3 and joined.loc["D", "months_to_outcome"] == 0
    assert math.isnan(joined.loc["B", "months_to_outcome"])


def test_shares_add_up_to_each_types_crimes_with_wilson_intervals_and_unknown_categories_named():
    shares = analysis.outcome_shares(analysis.with_outcomes(CRIMES, OUTCOMES))
    table = shares.table.set_index(["crime_type", "outcome_group"])
    assert shares.table.groupby("crime_type")["crimes"].sum().to_dict() == {"Burglary": 3, "Vehicle crime": 2}
    assert len(shares.table) == 2 * len(analysis.GROUPS)
    charged = table.loc[("Burglary", analysis.CHARGED)]
    assert (charged["crimes"], charged["of"]) == (1, 3) and charged["share"] == pytest.approx(100 / 3)
    assert (charged["low"], charged["high"]) == pytest.approx(tuple(100 * v for v in wilson_interval(1, 3)))
    assert table.loc[("Vehicle crime", analysis.NO_OUTCOME), "crimes"] == 0
    assert shares.unknown_categories == ["A category police.uk adds next year"]
    timing = shares.timing.set_index("crime_type")
    assert timing.loc["Burglary", "with_outcome"] == 2 and timing.loc["Burglary", "median"] == 2.5
    assert timing.loc["Vehicle crime", "median"] == 0.5


def test_like_with_like_counts_only_what_was_known_n_months_after_each_crime():
    known = analysis.known_within(CRIMES[CRIMES["crime_id"] != ""], OUTCOMES, 1, pd.Period("2024-03", "M"))
    groups = known.set_index("crime_id")["outcome_group"].to_dict()
    # C (March) has not had a month yet; A was under investigation a month on; F was charged in March.
    assert groups == {"A": analysis.UNDER_INVESTIGATION, "B": analysis.NO_OUTCOME, "D": analysis.NO_SUSPECT,
                      "F": analysis.CHARGED}


def test_every_category_police_uk_published_in_2024_has_a_group():
    published = ["Unable to prosecute suspect", "Investigation complete; no suspect identified", "Suspect charged",
                 "Local resolution", "Offender given a caution", "Action to be taken by another organisation",
                 "Formal action is not in the public interest", "Further action is not in the public interest",
                 "Suspect charged as part of another case", "Further investigation is not in the public interest"]
    assert all(analysis.group_of(category) != analysis.OTHER for category in published)


def test_on_the_real_2024_files_every_crime_id_of_cambridge_is_counted_once(real_ingest):
    from conftest import raw_cambridge_rows, table

    config, result = real_ingest
    crimes = table(result, "crimes")
    crimes = crimes[crimes["district_code"].isin(config.area_codes)]
    joined = analysis.with_outcomes(crimes, table(result, "outcomes"))
    shares = analysis.outcome_shares(joined)
    ids = {row["Crime ID"].strip() for row in raw_cambridge_rows()} - {""}
    assert shares.table["crimes"].sum() == len(joined) == len(ids)
    assert set(joined["crime_id"]) == ids and shares.unknown_categories == []
    charged = shares.table.set_index(["crime_type", "outcome_group"]).loc[("Shoplifting", analysis.CHARGED)]
    assert 15 < charged["share"] < 40  # police.uk 2024: about a quarter of Cambridge's shoplifting charged


def test_newcombes_interval_matches_his_worked_example():
    from pipeline.methods.statistics import newcombe_difference

    # Newcombe (1998) Stat Med 17:873-890, table II, example (a): 56/70 against 48/80, method 10: 0.0524 to 0.3339.
    d, low, high = newcombe_difference(56, 70, 48, 80)
    assert d == pytest.approx(0.2) and (low, high) == pytest.approx((0.0524, 0.3339), abs=5e-4)


def _year(rng, shares: dict[str, float], n: int) -> pd.DataFrame:
    return pd.DataFrame([{"crime_type": t, "outcome_group": analysis.CHARGED if rng.random() < p else analysis.NO_SUSPECT}
                         for t, p in shares.items() for _ in range(n)])


def test_outcome_share_changes_reject_at_no_more_than_the_nominal_rate_and_find_a_planted_fall():
    import numpy as np

    rng = np.random.default_rng(31)
    types = {"Burglary": 0.1, "Robbery": 0.06, "Shoplifting": 0.25, "Vehicle crime": 0.02, "Public order": 0.15}
    runs, any_call, single = 300, 0, 0
    for _ in range(runs):
        frame = analysis.share_changes(_year(rng, types, 150), _year(rng, types, 150), analysis.CHARGED)
        any_call += frame["beyond_chance"].any()
        single += frame["p_value"].iloc[2] < 0.05
    ceiling = 0.05 + 2.6 * (0.05 * 0.95 / runs) ** 0.5
    assert any_call / runs <= ceiling and single / runs <= ceiling, (any_call, single)
    found = covered = 0
    for _ in range(100):
        frame = analysis.share_changes(_year(rng, {"Shoplifting": 0.18}, 600), _year(rng, {"Shoplifting": 0.28}, 600),
                                       analysis.CHARGED).iloc[0]
        found += frame["beyond_chance"] and frame["difference"] < 0
        covered += frame["low"] <= -10 <= frame["high"]
    assert found >= 90 and covered >= 90, (found, covered)

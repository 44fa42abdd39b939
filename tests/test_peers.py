"""Peers (a Most Similar Group): names and codes resolve through the ONS lookup, a families file gives each partnership
its own family, mistakes are messages; the partnership against its peers rejects at its nominal rate with no
difference, finds a planted one, and its rank interval covers the true rank; on the real 2024 files with five peers
the overview, ASB and outcomes chapters compare with them, and without peers the report says the comparison districts
are not a similarity group."""
import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from pipeline.analysis import peers
from pipeline.analysis.overview import ALL_CRIME
from pipeline.chapters import asb, crime_overview, outcomes, peer_comparison
from pipeline.chapters.context import ChapterContext
from pipeline.errors import ConfigError, InputDataError
from pipeline.inputs.config import AssessmentConfig, load_config
from pipeline.inputs.partnerships import peer_groups
from pipeline.inputs.peers import NOT_A_SIMILARITY_GROUP
from pipeline.methods.disclosure import SUPPRESSED
from pipeline.paths import RAW_DIR
from pipeline.report import plotting
from pipeline.stages.ingest import run_ingest

REFERENCE = RAW_DIR / "reference"
FIVE_PEERS = ["East Cambridgeshire", "Fenland", "Huntingdonshire", "South Cambridgeshire", "Peterborough"]
RESIDENTS = np.array([145_675, 215_680, 102_460, 180_831, 87_754, 162_116], dtype=float)


def with_peers(**setting) -> AssessmentConfig:
    base = load_config("config/real_2024.yaml")
    data = base.model_dump(mode="json") | {"name": "real_2024_peers", "peers": setting}
    return AssessmentConfig.model_validate(data | {"path": base.path})


def test_peers_by_name_or_code_are_their_districts_and_the_partnership_is_never_its_own_peer():
    groups = peer_groups(with_peers(partnerships=["fenland", "E22000017", "Cambridge"]), REFERENCE)
    assert groups.values.tolist() == [["Fenland", "E22000015", "E07000010"],
                                      ["Peterborough", "E22000017", "E06000031"]]
    assert peer_groups(load_config("config/real_2024.yaml"), REFERENCE).empty


def test_an_unknown_peer_is_named_with_the_nearest_and_the_setting():
    with pytest.raises(ConfigError, match=r"peers: partnerships.*'Fenlnd' \(did you mean 'Fenland'\?\)"):
        peer_groups(with_peers(partnerships=["Fenlnd"]), REFERENCE)
    with pytest.raises(ValidationError, match="either partnerships or msg_file"):
        with_peers(partnerships=["Fenland"], msg_file="msg.csv")


def test_a_families_file_gives_the_partnership_its_own_family(tmp_path):
    (tmp_path / "msg.csv").write_text("partnership,peer\nE22000013,Fenland\nCambridge,E22000017\n"
                                      "Fenland,Cambridge\nFenland,Huntingdonshire\n")
    groups = peer_groups(with_peers(msg_file="msg.csv"), REFERENCE, tmp_path)
    assert list(groups["peer"]) == ["Fenland", "Peterborough"]
    (tmp_path / "other.csv").write_text("partnership,peer\nFenland,Huntingdonshire\n")
    with pytest.raises(InputDataError, match="other.csv: no row has Cambridge"):
        peer_groups(with_peers(msg_file="other.csv"), REFERENCE, tmp_path)
    (tmp_path / "gap.csv").write_text("partnership,peer\nCambridge,Fenland\nCambridge,\n")
    with pytest.raises(InputDataError, match=r"gap.csv, row 3, column 'peer': the cell is empty"):
        peer_groups(with_peers(msg_file="gap.csv"), REFERENCE, tmp_path)
    with pytest.raises(InputDataError, match="absent.csv: the Most Similar Group file"):
        peer_groups(with_peers(msg_file="absent.csv"), REFERENCE, tmp_path)


def units(counts) -> pd.DataFrame:
    return pd.DataFrame({"unit": list("abcdef"), "role": ["partnership"] + ["peer"] * 5, "count": counts,
                         "residents": RESIDENTS})


def test_with_no_difference_the_partnership_is_called_different_at_the_nominal_rate():
    rng = np.random.default_rng(31)
    runs = 600
    rejected = funnel_outside = 0
    for _ in range(runs):
        result = peers.against_peers("crimes", units(rng.poisson(0.05 * RESIDENTS)))
        rejected += result.verdict != "not different from"
        funnel_outside += int((result.table["position"] != "within the 95% limits").sum())
    assert rejected / runs <= 0.075  # 5% nominal; binomial sd 0.9% at 600 runs
    assert funnel_outside / (6 * runs) <= 0.06  # the funnel around the whole group's rate is conservative


def test_a_planted_difference_is_found_and_its_ratio_and_the_peer_rate_are_covered():
    rng = np.random.default_rng(32)
    runs, ratio, rate = 300, 1.10, 0.01
    found = ratio_covered = peer_covered = 0
    for _ in range(runs):
        counts = rng.poisson(rate * RESIDENTS * np.r_[ratio, np.ones(5)])
        result = peers.against_peers("crimes", units(counts))
        test = result.against_peers
        found += result.verdict == "higher than"
        ratio_covered += test.ratio_lower <= ratio <= test.ratio_upper
        peer_covered += result.peer_rate.low <= rate * 1000 <= result.peer_rate.high
    assert found / runs >= 0.85  # a 10% excess on about 1,450 crimes: power about 94%
    assert ratio_covered / runs >= 0.93 and peer_covered / runs >= 0.93


def test_the_rank_interval_covers_the_true_rank():
    rng = np.random.default_rng(33)
    true_rates = np.array([0.0012, 0.0014, 0.0010, 0.0009, 0.0011, 0.0008])  # a few hundred crimes each
    true_rank = 1 + int((true_rates > true_rates[0]).sum())
    runs = 300
    covered = sum(low <= true_rank <= high for low, high in
                  (peers.rank_interval(rng.poisson(true_rates * RESIDENTS), RESIDENTS, 0, draws=1000)[1:]
                   for _ in range(runs)))
    assert covered / runs >= 0.93


def test_a_peer_the_source_does_not_cover_is_left_out_and_named_never_counted_as_zero():
    rows = pd.DataFrame({"district_code": ["A"] * 30 + ["B"] * 20})
    groups = pd.DataFrame({"peer": ["Bee", "Sea"], "csp_code": ["X1", "X2"], "district_code": ["B", "C"]})
    result = peers.compare("crimes", rows, {"A", "B"}, peers.units_of(groups, "Area", ("A",)),
                           pd.Series({"A": 1000, "B": 2000, "C": 3000}))
    assert result.absent == ["Sea"] and list(result.table["unit"]) == ["Area", "Bee"]
    assert list(result.table["count"]) == [30, 20] and result.peer_rate.value == pytest.approx(10.0)


@pytest.fixture(scope="module")
def peers_context(tmp_path_factory):
    config = with_peers(partnerships=FIVE_PEERS, source="a test list, not a Home Office family")
    result = run_ingest(config, None, RAW_DIR, tmp_path_factory.mktemp("processed_peers"))
    return ChapterContext(config, result.period_end, RAW_DIR, result.processed_dir.parent.parent)


def test_with_five_peers_the_overview_asb_and_outcomes_compare_with_them(peers_context):
    overview = crime_overview.build(peers_context)
    assert [r.measure for r in overview.peers] == [peer_comparison.ALL_CRIME_MEASURE, peer_comparison.ASB_MEASURE]
    for rates in overview.peers:
        assert rates.units == 6 and not rates.absent and overview.peer_note == ""
        table = peer_comparison.table(rates, "Crimes")
        assert table["Partnership"].iloc[0] == "Cambridge" and SUPPRESSED not in table.values
        assert plotting.funnel_chart(rates.points, "t", "unit", "the group's rate", "s") is not None
        assert rates.rank_low <= rates.rank <= rates.rank_high
    all_crime = overview.peers[0]
    assert all_crime.table["count"].iloc[0] == overview.table.set_index("Crime type").loc[ALL_CRIME, "This year"]
    texts = [f.text for f in crime_overview.findings(overview) if f.section == peer_comparison.SECTION]
    assert len(texts) == 1 and texts[0].startswith("All crime (excluding ASB): ")
    assert [r.measure for r in asb.build(peers_context).peers] == [peer_comparison.ASB_MEASURE]
    charged = outcomes.build(peers_context)
    assert charged.others_label == "its peers" and charged.peers[0].units == 6 and not charged.others_change.empty


def test_without_peers_the_report_says_the_comparison_districts_are_not_a_similarity_group(real_context):
    overview = crime_overview.build(real_context)
    assert overview.peers == [] and overview.peer_note == NOT_A_SIMILARITY_GROUP
    assert "not a group of similar partnerships" in NOT_A_SIMILARITY_GROUP
    charged = outcomes.build(real_context)
    assert charged.others_label == "the comparison districts" and charged.peer_note == NOT_A_SIMILARITY_GROUP

"""Many partnerships: the CSPs of the ONS lookup, the ones the files cover, the configuration each is assessed
with, one reading of police.uk shared exactly, the comparison table, and a run of two partnerships on a Dask
LocalCluster whose shared ingest equals the ingest of one partnership alone, and two on the local process pool
whose published tables equal those of a run without concurrency."""
import json

import pandas as pd
import pytest

from pipeline import runner
from pipeline.analysis.partnerships import MEASURES, Unit, comparison, family_comparison
from pipeline.batch import execute, rows_by_file_district
from pipeline.errors import ConfigError
from pipeline.inputs import police_uk
from pipeline.inputs.config import load_config
from pipeline.inputs.partnerships import (covered, families_of, load_partnerships, partnership_config, select,
                                          write_config)
from pipeline.inputs.peers import Peers
from pipeline.inputs.reference import Reference, lsoa21_districts
from pipeline.inputs.shared_read import SharedRead
from pipeline.paths import RAW_DIR
from pipeline.report.partnership_index import funnel_figures

CAMBRIDGESHIRE = ["Cambridge", "East Cambridgeshire", "Fenland", "Huntingdonshire", "Peterborough", "South Cambridgeshire"]


@pytest.fixture(scope="module")
def lookup():
    return load_partnerships(RAW_DIR / "reference")


@pytest.fixture(scope="module")
def places():
    reference = Reference.load(RAW_DIR / "reference")
    lsoas = lsoa21_districts(reference)
    return reference.code_to_lsoa21(), dict(zip(lsoas["lsoa21"], lsoas["district_code"]))


def test_the_lookup_has_every_csp_with_its_districts_and_force_area(lookup):
    assert len(lookup) == 314
    by_name = {p.name: p for p in lookup}
    assert by_name["Cambridge"].code == "E22000013" and by_name["Cambridge"].districts == ("E07000008",)
    assert by_name["Peterborough"].force_area == "Cambridgeshire" and len(by_name["Peterborough"].force_districts) == 6
    assert any(len(p.districts) > 1 for p in lookup)  # e.g. Dartford and Gravesham
    shared = {d for p in lookup for d in p.districts if sum(d in q.districts for q in lookup) > 1}
    assert shared, "a district holding several CSPs (Buckinghamshire) is in each of them"


def test_the_real_files_cover_exactly_the_cambridgeshire_partnerships(lookup, places):
    files = police_uk.discover(RAW_DIR / "real" / "police.uk")["street"]
    rows = rows_by_file_district(files, *places)
    assert len(rows) == 12 and sum(rows[files[0].label].values()) > 5000
    assert [p.name for p in covered(lookup, rows)] == CAMBRIDGESHIRE


def test_partnerships_are_chosen_by_name_or_code_and_a_typo_is_named(lookup):
    assert [p.code for p in select(lookup, ["peterborough", "E22000013"])] == ["E22000017", "E22000013"]
    with pytest.raises(ConfigError, match="'Cambrige' \\(did you mean 'Cambridge'\\?\\)"):
        select(lookup, ["Cambrige"])


def test_the_base_partnership_keeps_its_configuration_and_another_gets_none_of_its_plan(lookup, tmp_path):
    base = load_config("config/real_2024.yaml")
    by_name = {p.name: p for p in lookup}
    assert partnership_config(base, by_name["Cambridge"]) is base
    other = partnership_config(base, by_name["Peterborough"])
    assert other.name == "real_2024-peterborough" and other.area_codes == ("E06000031",)
    assert other.title.startswith("Peterborough Community Safety Strategic Assessment")
    assert "E07000008" in other.comparison_codes and "E06000031" not in other.comparison_codes
    assert (other.targets, other.activities, other.zones, other.partner_dir, other.plan_notes) == ((), (), {}, None, {})
    assert "Cambridge" in base.plan_notes["domestic"]  # the base keeps its plan's words; no other report quotes them
    assert load_config(write_config(other, tmp_path)).model_dump() == other.model_dump()


def test_one_shared_reading_gives_each_partnership_exactly_its_own_reading(lookup, places):
    files = police_uk.discover(RAW_DIR / "real" / "police.uk")["street"]
    by_name = {p.name: p for p in lookup}
    cambridge = police_uk.AreaFilter(*places, ["E07000008", "E07000009"])
    peterborough = police_uk.AreaFilter(*places, ["E06000031"])
    shared = SharedRead(police_uk.AreaFilter(*places, by_name["Peterborough"].force_districts))
    for area in (cambridge, peterborough):
        alone, outside_alone = police_uk.read_area(files, police_uk.STREET_COLUMNS, area)
        together, outside_together = shared(files, police_uk.STREET_COLUMNS, area)
        assert outside_together == outside_alone
        pd.testing.assert_frame_equal(together, alone)
        assert len(alone) > 10_000


def test_the_comparison_suppresses_small_counts_and_places_each_on_the_funnel():
    def crimes(n_crimes, n_asb):
        types = ["Burglary"] * n_crimes + ["Anti-social behaviour"] * n_asb
        return pd.DataFrame({"district_code": "E1", "assessment_period": "current", "crime_type": types})

    units = [Unit("A", "E22000001", ("E1",), crimes(1000, 3), 10_000), Unit("B", "E22000002", ("E1",), crimes(1000, 3), 10_000)]
    table = comparison(units).set_index(["partnership", "measure"])
    assert table.loc[("A", MEASURES[0]), "count"] == 1000 and table.loc[("A", MEASURES[0]), "rate_per_1000"] == 100.0
    assert table.loc[("A", MEASURES[0]), "funnel_position"] == "within the 95% limits"
    assert table.loc[("A", MEASURES[1]), "count"] == "[c]" and table.loc[("A", MEASURES[1]), "rate_per_1000"] == "[c]"


def test_the_index_draws_a_funnel_for_each_measure_with_two_partnerships_to_show():
    def crimes(n_crimes, n_asb):
        types = ["Burglary"] * n_crimes + ["Anti-social behaviour"] * n_asb
        return pd.DataFrame({"district_code": "E1", "assessment_period": "current", "crime_type": types})

    units = [Unit("A", "E22000001", ("E1",), crimes(1000, 3), 10_000), Unit("B", "E22000002", ("E1",), crimes(900, 50), 12_000)]
    figures = funnel_figures(comparison(units), "the year")
    # all crime: two points; ASB: A's 3 is not shown, and B alone is no funnel; violence: none at all
    assert figures.count("<figure") == 1 and f"{MEASURES[0]} per 1,000 residents, the year" in figures


@pytest.mark.slow
def test_two_partnerships_on_a_dask_local_cluster_share_one_ingest_equal_to_one_alone(tmp_path, capsys, real_ingest):
    from distributed import LocalCluster

    out, processed = tmp_path / "out", tmp_path / "processed"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        code = runner.main(["--config", "config/real_2024.yaml", "--partnerships", "Cambridge,Peterborough",
                            "--dask", cluster.scheduler_address, "--out-dir", str(out), "--processed-dir", str(processed)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert f"on the Dask cluster at {cluster.scheduler_address}" in printed
    batch = out / "2024-12-real_2024-partnerships"
    index = (batch / "index.html").read_text()
    assert "2024-12-real_2024/report.html" in index and "2024-12-real_2024-peterborough/report.html" in index
    assert "Peterborough Community Safety Strategic Assessment" in (out / "2024-12-real_2024-peterborough" / "report.html").read_text()
    outcomes = json.loads((batch / "batch.json").read_text())["outcomes"]
    assert [o["status"] for o in outcomes] == [0, 0]
    table = pd.read_csv(batch / "comparison.csv")
    assert set(table["partnership"]) == {"Cambridge", "Peterborough"} and len(table) == 2 * len(MEASURES)
    alone = real_ingest[1].processed_dir
    shared = processed / "real_2024" / "2024-12"  # processed tables are kept per period end
    assert (shared / "data_quality.csv").read_bytes() == (alone / "data_quality.csv").read_bytes()
    for name in ("crimes", "outcomes", "geography"):
        assert (shared / f"{name}.parquet").read_bytes() == (alone / f"{name}.parquet").read_bytes(), name


def _ingests_then_fails(count: int):
    for number in range(count):
        yield {str(n): n for n in range(number + 1)}
    raise RuntimeError("the next partnership's ingest failed")


def test_the_process_pool_takes_each_task_as_it_comes_and_returns_them_in_order():
    with pytest.raises(RuntimeError, match="ingest failed"):  # the error goes on up, the pool is shut down
        execute(_ingests_then_fails(3), 4, 2, None, work=len)
    assert execute(iter([{"a": 1}, {}, {"a": 1, "b": 2}]), 3, 2, None, work=len) == [1, 0, 2]


@pytest.mark.slow
def test_two_partnerships_on_the_process_pool_publish_what_one_run_without_concurrency_publishes(tmp_path, capsys):
    pooled, alone = tmp_path / "pooled", tmp_path / "alone"
    code = runner.main(["--config", "config/real_2024.yaml", "--partnerships", "Cambridge,Peterborough", "--jobs", "2",
                        "--out-dir", str(pooled), "--processed-dir", str(tmp_path / "pooled_processed")])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "Reports on 2 local process(es)" in printed
    batch = json.loads((pooled / "2024-12-real_2024-partnerships" / "batch.json").read_text())
    assert batch["workers"] == 2 and [o["status"] for o in batch["outcomes"]] == [0, 0]
    assert "Peterborough Community Safety" in (pooled / "2024-12-real_2024-peterborough" / "report.html").read_text()
    assert runner.main(["--config", "config/real_2024.yaml", "--jobs", "1", "--out-dir", str(alone),
                        "--processed-dir", str(tmp_path / "alone_processed")]) == 0
    tables = sorted(p.relative_to(alone / "2024-12-real_2024") for p in (alone / "2024-12-real_2024" / "tables").rglob("*.csv"))
    pooled_tables = sorted(p.relative_to(pooled / "2024-12-real_2024") for p in (pooled / "2024-12-real_2024" / "tables").rglob("*.csv"))
    assert tables == pooled_tables
    assert len(tables) > 25  # police.uk alone (no partner extracts): the partner chapters' tables have nothing to publish
    for table in tables:
        assert (pooled / "2024-12-real_2024" / table).read_bytes() == (alone / "2024-12-real_2024" / table).read_bytes(), table


def test_a_partnerships_lines_name_it_and_are_written_whole():
    import io

    from pipeline.batch import PrefixedLines

    class Writes(io.StringIO):
        def __init__(self):
            super().__init__()
            self.calls = []

        def write(self, text):
            self.calls.append(text)
            return super().write(text)

    stream = Writes()
    out = PrefixedLines(stream, "[Cambridge] ")
    out.write("  [1/8] asb ")
    out.write("done in 2.0 s\n  [2/8] violence done")
    assert stream.calls == ["[Cambridge]   [1/8] asb done in 2.0 s\n"]  # a part line waits for its end
    out.close()
    assert stream.getvalue().splitlines() == ["[Cambridge]   [1/8] asb done in 2.0 s", "[Cambridge]   [2/8] violence done"]


def test_each_partnership_is_compared_with_its_own_family():
    def crimes(n_crimes):
        return pd.DataFrame({"district_code": "E1", "assessment_period": "current", "crime_type": ["Burglary"] * n_crimes})

    units = [Unit("A", "E22000001", ("E1",), crimes(1200), 10_000), Unit("B", "E22000002", ("E1",), crimes(900), 12_000),
             Unit("C", "E22000003", ("E1",), crimes(1000), 10_000), Unit("D", "E22000004", ("E1",), crimes(3), 1_000)]
    family = family_comparison(comparison(units), {"E22000001": ["E22000002", "E22000003", "E22000009"],
                                                   "E22000004": ["E22000001"]})
    a = family[(family["csp_code"] == "E22000001") & (family["measure"] == MEASURES[0])].iloc[0]
    assert a["family"] == "B, C" and a["family_size"] == 2  # E22000009 is not in the run: left out
    assert a["family_rate_per_1000"] == pytest.approx(1900 / 22_000 * 1000)
    assert a["rate_ratio"] == pytest.approx((1200 / 10_000) / (1900 / 22_000)) and a["verdict"] == "higher than the family"
    assert a["ratio_low_95"] < a["rate_ratio"] < a["ratio_high_95"]
    d = family[family["csp_code"] == "E22000004"]
    assert MEASURES[0] not in set(d["measure"])  # D's 3 crimes are suppressed in the comparison: never a ratio


def test_a_families_file_gives_each_partnership_its_family_and_one_without_keeps_none(tmp_path, lookup):
    (tmp_path / "msg.csv").write_text("partnership,peer\nCambridge,Fenland\nCambridge,E22000017\nFenland,Cambridge\n")
    base = load_config("config/real_2024.yaml")
    config = base.model_copy(update={"peers": Peers(msg_file=str(tmp_path / "msg.csv"))})
    chosen = select(lookup, ["Cambridge", "Fenland", "Huntingdonshire"])
    families = families_of(config, chosen, lookup)
    assert families == {"E22000013": ["E22000015", "E22000017"], "E22000015": ["E22000013"]}
    huntingdonshire = partnership_config(config, chosen[2], has_family=False)
    assert not huntingdonshire.peers.configured
    assert partnership_config(config, chosen[1]).peers.msg_file == str(tmp_path / "msg.csv")


@pytest.mark.slow
def test_with_a_families_file_the_index_compares_each_partnership_with_its_family(tmp_path, capsys):
    families = tmp_path / "families" / "msg.csv"  # its folder is an input folder: outputs go beside it, not in it
    families.parent.mkdir()
    families.write_text("partnership,peer\nCambridge,Peterborough\nCambridge,Fenland\nPeterborough,Cambridge\n")
    text = open("config/real_2024.yaml").read().replace("name: real_2024", "name: real_msg")
    (tmp_path / "real_msg.yaml").write_text(text + f"peers:\n  msg_file: {families}\n  source: a test file\n")
    code = runner.main(["--config", str(tmp_path / "real_msg.yaml"), "--partnerships", "Cambridge,Peterborough",
                        "--jobs", "2", "--out-dir", str(tmp_path / "out"), "--processed-dir", str(tmp_path / "p")])
    assert code == 0, capsys.readouterr().out
    batch = tmp_path / "out" / "2024-12-real_msg-partnerships"
    assert "Each partnership against its Most Similar Group" in (batch / "index.html").read_text()
    family = pd.read_csv(batch / "family.csv").set_index(["partnership", "measure"])
    assert family.loc[("Cambridge", MEASURES[0]), "family"] == "Peterborough"  # Fenland is not in the run
    assert family.loc[("Peterborough", MEASURES[0]), "family"] == "Cambridge"
    report = (tmp_path / "out" / "2024-12-real_msg" / "report.html").read_text()
    assert "Against partnerships like this one" in report and "Fenland" in report  # the report reads its peers' files

"""End to end: the chapters run under papermill with non-default parameters, the report is
published offline, failures name the chapter and cell, and the manifest records the run."""
import json
import re

import nbformat
import pytest

from conftest import street_row, write_street
from pipeline import runner
from pipeline.report import assemble as report
from pipeline.paths import RAW_DIR


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out, processed = tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("processed")
    code = runner.main(["--period-end", "2024-12", "--out-dir", str(out), "--processed-dir", str(processed)])
    return code, out / "2024-12-demo"


def test_demo_run_with_non_default_period_end(demo_run, capsys):
    code, folder = demo_run
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["01_data_quality.ipynb", "02_crime_overview.ipynb",
                                                        "03_strategic_priority.ipynb", "manifest.json", "report.html", "tables"]
    assert sorted(p.name for p in (folder / "tables").iterdir()) == ["crime_overview", "data_quality", "strategic_priority"]
    assert (folder / "tables" / "crime_overview" / "01_crime-in-cambridge-by-police-uk-crime-type.csv").exists()
    executed = nbformat.read(folder / "02_crime_overview.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'period_end = "2024-12"' in injected[0].source


def test_report_is_self_contained_and_hides_code(demo_run):
    _, folder = demo_run
    html = (folder / "report.html").read_text()
    assert not report.EXTERNAL_RESOURCE.search(html)
    assert not re.search(r"""(?:src|href)=["']https?://""", html)
    assert 'class="report-toc"' in html and "Crime overview" in html and "Data and data quality" in html
    assert "SYNTHETIC DEMONSTRATION DATA" in html
    assert "chapter_context(" not in html and "config_path =" not in html  # no code, no parameters
    assert "Stable summary for nbval" not in html
    assert "Assessment year ending December 2024" in html
    assert html.count("<img") >= 1 and "data:image/png;base64" in html
    assert "Open Government Licence v3.0" in html


def test_manifest_records_inputs_parameters_versions_and_timings(demo_run):
    _, folder = demo_run
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["parameters"]["period_end"] == "2024-12"
    assert set(manifest["timings_seconds"]) >= {"data_quality", "crime_overview", "strategic_priority", "report", "total"}
    assert manifest["packages"]["papermill"] and manifest["git_commit"]
    assert any(k.endswith("police_records.csv") for k in manifest["inputs_sha256"])
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in manifest["inputs_sha256"].values())


def test_real_2024_report_shows_the_overview_and_says_the_previous_year_is_missing(tmp_path):
    code = runner.main(["--config", "config/real_2024.yaml", "--out-dir", str(tmp_path), "--processed-dir",
                        str(tmp_path / "processed")])
    assert code == 0
    html = (tmp_path / "2024-12-real_2024" / "report.html").read_text()
    assert "recorded 14,922 crimes" in html
    assert "previous twelve months are not in the data" in html
    assert "Baseline year 2023/24 is not (fully) in the data" in html
    assert "Data not supplied (ae_assaults.csv)" in html
    assert "SYNTHETIC" not in html
    # The strategic chapter runs without partner extracts and lists them as gaps.
    assert "police_records.csv was not supplied" in html and "Source not supplied" in html


def test_a_failing_chapter_names_notebook_cell_and_error_and_keeps_the_notebook(tmp_path, capsys):
    raw = tmp_path / "raw"
    (raw / "reference").parent.mkdir(parents=True)
    (raw / "reference").symlink_to(RAW_DIR / "reference")
    header = [c for c in street_row() if c != "Crime type"]
    write_street(raw / "police.uk" / "2024-01" / "2024-01-test-street.csv", [street_row()], header=header)
    config = tmp_path / "broken.yaml"
    config.write_text("name: broken\narea: {name: Cambridge, lad_codes: [E07000008]}\npolice_uk: police.uk\n")
    code = runner.main(["--config", str(config), "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out"),
                        "--processed-dir", str(tmp_path / "processed")])
    err = capsys.readouterr().err
    assert code == 1
    assert "Chapter 'data_quality' failed in code cell 2 ('from pipeline.context import chapter_context')" in err
    assert "InputDataError" in err and "2024-01-test-street.csv" in err and "'Crime type'" in err
    kept = tmp_path / "out" / "2024-01-broken.failed" / "01_data_quality.ipynb"
    assert kept.exists() and str(kept) in err


def test_bad_arguments_exit_with_a_message(capsys):
    assert runner.main(["--config", "config/absent.yaml"]) == 2
    assert "configuration file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        runner.main(["--only", "no_such_chapter"])

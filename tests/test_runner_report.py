"""End to end: the runner checks its arguments before it runs, ingests once and reuses it, executes the
registered chapters under papermill, publishes the report offline, names a failing chapter and cell, and
records the run in the manifest. A user's mistake exits 2 with one message and no traceback."""
import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest

from conftest import REAL_ZIP, street_row, write_street
from pipeline import execution, runner
from pipeline.inputs.synthetic import write_manifest
from pipeline.paths import PROJECT_ROOT, RAW_DIR
from pipeline.report import assemble as report
from pipeline.report.document_checks import CONTENT_SECURITY_POLICY, problems


def run(tmp_path, *args: str) -> int:
    return runner.main([*args, "--out-dir", str(tmp_path / "out"), "--processed-dir", str(tmp_path / "processed")])


@pytest.mark.slow
def test_demo_run_with_non_default_period_end(demo_run):
    code, folder, _, _ = demo_run
    assert code == 0
    assert sorted(p.name for p in folder.iterdir() if p.name != "review") == ["01_data_quality.ipynb", "02_crime_overview.ipynb",
                                                        "03_strategic_priority.ipynb", "04_violence.ipynb", "05_acquisitive.ipynb", "06_asb.ipynb",
                                                        "07_domestic.ipynb", "08_reoffending.ipynb",
                                                        "09_serious_violence.ipynb", "10_outcomes.ipynb", "findings",
                                                        "manifest.json", "references.md", "report.html", "tables"]
    assert sorted(p.name for p in (folder / "tables").iterdir()) == ["acquisitive", "asb", "crime_overview", "data_quality",
                                                                     "domestic", "outcomes", "reoffending",
                                                                     "serious_violence", "strategic_priority", "violence"]
    assert (folder / "tables" / "crime_overview" / "01_crime-in-cambridge-by-police-uk-crime-type.csv").exists()
    executed = nbformat.read(folder / "02_crime_overview.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'period_end = "2024-12"' in injected[0].source


@pytest.mark.slow
def test_report_is_self_contained_and_hides_code(demo_run):
    html = (demo_run[1] / "report.html").read_text()
    assert problems(html) == [] and CONTENT_SECURITY_POLICY in html
    assert not re.search(r"""(?:src|href)=["']https?://""", html)
    assert 'class="report-toc"' in html and "Crime overview" in html and "Data and data quality" in html
    assert "SYNTHETIC DEMONSTRATION DATA" in html
    assert "chapter_context(" not in html and "config_path =" not in html  # no code, no parameters
    assert "Stable summary for nbval" not in html
    assert "Assessment year ending December 2024" in html
    assert html.count("<img") >= 1 and "data:image/png;base64" in html
    assert "Open Government Licence v3.0" in html
    assert html.count("the second highest rate") == 1  # the plan's words open the domestic chapter, from plan_notes


@pytest.mark.slow
def test_the_glossary_defines_every_term_the_summary_and_chapters_use(demo_run):
    from glossary_scan import terms_used, readable_text, undefined_terms
    from pipeline.report.appendices import GLOSSARY

    _, folder, _, _ = demo_run
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert {"CI", "BH", "XmR", "w/c", "aoristic", "exceedance score"} <= terms_used(readable_text(report))
    assert undefined_terms(report, GLOSSARY) == set()
    fewer = [(term, words) for term, words in GLOSSARY if term not in ("XmR", "w/c")]
    assert undefined_terms(report, fewer) == {"XmR", "w/c"}  # the scan finds a term the glossary drops


def test_manifest_records_exactly_what_was_ingested(demo_run):
    _, folder, _, processed = demo_run
    manifest = json.loads((folder / "manifest.json").read_text())
    facts = json.loads((processed / "demo" / "2024-12" / "ingest.json").read_text())
    assert manifest["parameters"]["period_end"] == "2024-12" and manifest["partial"] is False
    assert set(manifest["timings_seconds"]) >= {"data_quality", "crime_overview", "strategic_priority", "report", "total"}
    assert manifest["packages"]["papermill"] and manifest["git_commit"]
    assert manifest["inputs_sha256"] == facts["input_files_sha256"] and manifest["ingest"]["cache_key"] == facts["cache_key"]
    names = set(manifest["inputs_sha256"])
    assert any(k.endswith("police_records.csv") for k in names) and any(k.endswith("CrimeCatMappings.csv") for k in names)
    assert not any("real/" in k for k in names)  # only what this assessment read
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in manifest["inputs_sha256"].values())


@pytest.mark.slow
def test_a_second_run_reuses_the_ingest_and_a_changed_raw_file_reingests(demo_run, tmp_path, capsys):
    _, _, out, processed = demo_run
    args = ["--period-end", "2024-12", "--out-dir", str(out), "--processed-dir", str(processed), "--only", "data_quality"]
    capsys.readouterr()
    assert runner.main(args) == 0
    assert "Ingest reused (inputs, configuration, code and period end unchanged)" in capsys.readouterr().out
    assert runner.main([*args, "--force"]) == 0
    assert "Ingest ingested (forced (--force))" in capsys.readouterr().out
    raw = tmp_path / "raw"
    for folder in ("reference", "fingertips", "home_office", "boundaries", "demo"):
        (raw / folder).parent.mkdir(parents=True, exist_ok=True)
        (raw / folder).symlink_to(RAW_DIR / folder)
    assert runner.main([*args, "--raw-dir", str(raw)]) == 0  # same files by another path: reused
    assert "Ingest reused" in capsys.readouterr().out
    (raw / "demo").unlink()
    (raw / "demo").mkdir()
    (raw / "demo" / "police.uk").symlink_to(RAW_DIR / "demo" / "police.uk")
    (raw / "demo" / "harm_weights").symlink_to(RAW_DIR / "demo" / "harm_weights")
    (raw / "demo" / "partner").mkdir()
    for path in (RAW_DIR / "demo" / "partner").iterdir():
        (raw / "demo" / "partner" / path.name).write_bytes(path.read_bytes())
    service = raw / "demo" / "partner" / "service_activity.csv"
    service.write_text(service.read_text().replace(",12\n", ",13\n", 1))
    write_manifest(raw / "demo", "tests: an edited copy of the synthetic demo")  # still synthetic, and marked so
    assert runner.main([*args, "--raw-dir", str(raw)]) == 0
    # a file read before changed: not an incremental ingest, and the run says why
    assert ("Ingest ingested (input files changed (demo/partner/service_activity.csv); full ingest: "
            "demo/partner/service_activity.csv changed since the ingest for 2024-12)") in capsys.readouterr().out


@pytest.mark.slow
def test_only_writes_a_partial_report_to_its_own_folder(demo_run, capsys):
    """Also: chapters run one at a time publish byte for byte what the full run, chapters run concurrently, did."""
    _, folder, out, processed = demo_run
    full = (folder / "report.html").read_text()
    assert json.loads((folder / "manifest.json").read_text())["jobs"] == 2
    assert runner.main(["--period-end", "2024-12", "--out-dir", str(out), "--processed-dir", str(processed),
                        "--only", "crime_overview", "--only", "domestic", "--jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "Partial report (crime_overview, domestic); no full report was replaced." in printed
    assert "executing 2 chapter(s), 1 at a time" in printed
    assert (folder / "report.html").read_text() == full
    partial = out / "2024-12-demo-only-crime_overview+domestic"
    assert json.loads((partial / "manifest.json").read_text())["partial"] is True
    assert "Data and data quality" not in (partial / "report.html").read_text()
    published = [path.relative_to(partial) for chapter in ("crime_overview", "domestic")
                 for path in [*sorted((partial / "tables" / chapter).glob("*.csv")), partial / "findings" / f"{chapter}.json"]]
    assert len(published) > 5
    for path in published:
        assert (partial / path).read_bytes() == (folder / path).read_bytes(), path


@pytest.mark.slow
def test_real_2024_report_shows_the_overview_and_says_the_previous_year_is_missing(tmp_path):
    assert run(tmp_path, "--config", "config/real_2024.yaml") == 0
    html = (tmp_path / "out" / "2024-12-real_2024" / "report.html").read_text()
    assert "recorded 14,922 crimes" in html
    assert "previous twelve months are not in the data" in html
    assert "Baseline year 2023/24 is not (fully) in the data" in html
    assert "Data not supplied (ae_assaults.csv)" in html
    assert "SYNTHETIC" not in html
    assert "police_records.csv was not supplied" in html and "Source not supplied" in html


def three_real_months(raw, months=("2024-10", "2024-11", "2024-12"), edit=None):
    """A raw folder with three months of the real 2024 files (one month's rows edited by `edit`)."""
    (raw / "reference").parent.mkdir(parents=True, exist_ok=True)
    for folder in ("reference", "fingertips", "home_office"):
        (raw / folder).symlink_to(RAW_DIR / folder)
    with zipfile.ZipFile(REAL_ZIP) as archive:
        for member in archive.namelist():
            if member.endswith("-street.csv") and member[:7] in months:
                data = archive.read(member)
                target = raw / "police.uk" / member
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(edit(member, data) if edit else data)
    config = raw / "three.yaml"
    config.write_text((PROJECT_ROOT / "config" / "real_2024.yaml").read_text().replace("name: real_2024", "name: three")
                      .replace("police_uk: real/police.uk", "police_uk: police.uk"))
    return config


@pytest.mark.slow
def test_three_months_of_another_year_run_to_a_report_that_says_what_is_missing(tmp_path):
    config = three_real_months(tmp_path / "raw")
    assert run(tmp_path, "--config", str(config), "--raw-dir", str(tmp_path / "raw")) == 0
    html = (tmp_path / "out" / "2024-12-three" / "report.html").read_text()
    assert "has 3 of its 12 months of police.uk data" in html and "2024-01" in html


def unknown_lsoas(member: str, data: bytes) -> bytes:
    """Every row of November 2024 with an LSOA code that no ONS lookup holds: the whole month is rejected."""
    if not member.startswith("2024-11"):
        return data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows[1:]:
        row[7] = "E01999999"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.slow
def test_a_month_whose_rows_were_all_rejected_is_named_in_the_report(tmp_path):
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    config = three_real_months(tmp_path / "raw", months, unknown_lsoas)
    assert run(tmp_path, "--config", str(config), "--raw-dir", str(tmp_path / "raw")) == 0
    html = (tmp_path / "out" / "2024-12-three" / "report.html").read_text()
    assert "has 11 of its 12 months" in html and "2024-11" in html


def test_a_bad_input_file_exits_2_naming_file_and_column(tmp_path, capsys):
    raw = tmp_path / "raw"
    (raw / "reference").parent.mkdir(parents=True)
    (raw / "reference").symlink_to(RAW_DIR / "reference")
    header = [c for c in street_row() if c != "Crime type"]
    write_street(raw / "police.uk" / "2024-01" / "2024-01-test-street.csv", [street_row()], header=header)
    config = tmp_path / "broken.yaml"
    config.write_text("name: broken\narea: {name: Cambridge, lad_codes: [E07000008]}\npolice_uk: police.uk\n")
    assert run(tmp_path, "--config", str(config), "--raw-dir", str(raw)) == 2
    err = capsys.readouterr().err
    assert "2024-01-test-street.csv" in err and "'Crime type'" in err and "How to fix" in err


@pytest.mark.slow
def test_a_failing_chapter_names_notebook_cell_and_error_and_keeps_the_notebook(tmp_path, capsys, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    notebook = nbformat.read(execution.NOTEBOOKS_DIR / "01_data_quality.ipynb", as_version=4)
    notebook.cells.insert(4, nbformat.v4.new_code_cell("raise ValueError('planted failure')"))
    nbformat.write(notebook, notebooks / "01_data_quality.ipynb")
    monkeypatch.setattr(execution, "NOTEBOOKS_DIR", notebooks)
    assert run(tmp_path, "--only", "data_quality") == 1
    err = capsys.readouterr().err
    assert "Chapter 'data_quality' failed in code cell 4 (\"raise ValueError('planted failure')\")" in err or \
        "Chapter 'data_quality' failed in code cell 4 ('raise ValueError(" in err
    assert "ValueError: planted failure" in err
    kept = tmp_path / "out" / "2025-03-demo-only-data_quality.failed" / "01_data_quality.ipynb"
    assert kept.exists() and str(kept) in err


@pytest.mark.parametrize("args,message", [
    (["--period-end", "abc"], "--period-end: must be YYYY-MM, got 'abc'."),
    (["--period-end", "202412"], "--period-end: must be YYYY-MM, got '202412'."),
    (["--period-end", "2030-01"], "2030-01 is outside the police.uk files supplied, which cover 2020-04 to 2025-03"),
    (["--config", "config"], "is a folder, not a configuration file"),
    (["--config", "config/absent.yaml"], "configuration file not found"),
])
def test_command_line_mistakes_exit_2_with_a_message(tmp_path, capsys, args, message):
    assert run(tmp_path, *args) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("text,message", [
    ("", "the file is empty"),
    ((PROJECT_ROOT / "config" / "demo.yaml").read_text().replace("synthetic:", "synthetik:"),
     "unknown key 'synthetik': did you mean 'synthetic'?"),
])
def test_config_mistakes_exit_2_without_a_traceback(tmp_path, text, message):
    config = tmp_path / "mine.yaml"
    config.write_text(text)
    done = subprocess.run([sys.executable, "run_assessment.py", "--config", str(config), "--out-dir", str(tmp_path)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_relative_paths_resolve_against_the_current_folder(tmp_path, monkeypatch, capsys):
    (tmp_path / "mine.yaml").write_text((PROJECT_ROOT / "config" / "demo.yaml").read_text().replace("synthetic:", "synthetik:"))
    monkeypatch.chdir(tmp_path)
    assert runner.main(["--config", "mine.yaml"]) == 2
    assert str(tmp_path / "mine.yaml") in capsys.readouterr().err
    assert runner.cli_path("out") == tmp_path / "out" and os.getcwd() == str(tmp_path)


@pytest.mark.slow
def test_the_report_compares_with_last_years_run_when_it_is_there(demo_run):
    code, folder, out, processed = demo_run
    previous = out / "2023-12-demo" / "findings"
    previous.mkdir(parents=True)
    for path in (folder / "findings").glob("*.json"):
        (previous / path.name).write_text(path.read_text())
    manifest = json.loads((folder / "manifest.json").read_text())
    facts = json.loads((processed / "demo" / "2024-12" / "ingest.json").read_text())
    from pipeline.chapters.registry import CHAPTERS
    from pipeline.inputs.config import load_config
    import pandas as pd
    runner.publish(load_config("config/demo.yaml"), pd.Period("2024-12", "M"), folder, list(CHAPTERS), facts, manifest)
    html = (folder / "report.html").read_text()
    assert "What changed since the last assessment" in html and "the year ending December 2023" in html

"""The chapter cache: a rerun with nothing changed reuses every chapter and publishes byte for byte what the run
without the cache did; a changed table or notebook reruns only the chapters that depend on it; --force ignores
the cache."""
import json
import shutil

import nbformat
import pandas as pd
import pytest

from pipeline import runner
from pipeline.chapter_cache import can_reuse, chapter_key, code_files, copy_outputs, why_rerun
from pipeline.chapters.registry import CHAPTERS, REGISTRY
from pipeline.execution import notebook_imports, notebook_source
from pipeline.paths import PROJECT_ROOT

PARAMETERS = {"config_path": "config/demo.yaml", "period_end": "2024-12"}


def keys(processed_dir, config_json="{}"):
    return {c.name: chapter_key(c, processed_dir, config_json, PARAMETERS) for c in CHAPTERS}


def published(folder):
    return {path.relative_to(folder): path.read_bytes() for path in sorted(folder.glob("tables/*/*"))
            + sorted(folder.glob("findings/*.json"))}


@pytest.mark.slow
def test_a_rerun_with_nothing_changed_reuses_every_chapter_and_publishes_the_same_bytes(demo_run, capsys):
    code, folder, out, processed = demo_run
    assert code == 0
    cold = published(folder)
    assert len(cold) > 40
    capsys.readouterr()
    assert runner.main(["--period-end", "2024-12", "--out-dir", str(out), "--processed-dir", str(processed)]) == 0
    printed = capsys.readouterr().out
    assert "reused from the last run (inputs, code and parameters unchanged): " + ", ".join(c.name for c in CHAPTERS) in printed
    assert "executing" not in printed
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["reused_chapters"] == [c.name for c in CHAPTERS]
    assert published(folder) == cold
    assert "Crime overview" in (folder / "report.html").read_text()


@pytest.mark.slow
def test_force_executes_a_chapter_the_cache_would_reuse(demo_run, capsys):
    _, _, out, processed = demo_run
    args = ["--period-end", "2024-12", "--out-dir", str(out), "--processed-dir", str(processed), "--only", "domestic"]
    assert runner.main(args) == 0
    first = published(out / "2024-12-demo-only-domestic")
    capsys.readouterr()
    assert runner.main(args) == 0
    assert "reused from the last run (inputs, code and parameters unchanged): domestic" in capsys.readouterr().out
    assert runner.main([*args, "--force"]) == 0
    printed = capsys.readouterr().out
    assert "executing 1 chapter(s), 1 at a time: domestic (forced (--force))" in printed and "reused" not in printed
    assert published(out / "2024-12-demo-only-domestic") == first


def test_a_changed_table_changes_the_keys_of_exactly_the_chapters_that_read_it(demo_ingest, tmp_path):
    processed = tmp_path / "processed"
    shutil.copytree(demo_ingest[1].processed_dir, processed)
    before = keys(processed)
    assert keys(processed) == before, "the key is stable"
    cases = pd.read_parquet(processed / "asb_cases.parquet")
    cases.iloc[1:].to_parquet(processed / "asb_cases.parquet")
    after = keys(processed)
    changed = {name for name in before if before[name].digest != after[name].digest}
    assert changed == {c.name for c in CHAPTERS if "asb_cases" in c.tables}
    assert changed >= {"asb", "crime_overview", "strategic_priority"}
    previous = {"key": before["asb"].digest, "parts": before["asb"].parts}
    assert why_rerun(previous, after["asb"]) == "tables changed (asb_cases)"
    assert why_rerun(previous, before["asb"]) is None


def test_configuration_parameters_and_notebook_are_in_the_key(demo_ingest, tmp_path):
    chapter = REGISTRY["domestic"]
    base = chapter_key(chapter, demo_ingest[1].processed_dir, "{}", PARAMETERS)
    previous = {"key": base.digest, "parts": base.parts}
    config = chapter_key(chapter, demo_ingest[1].processed_dir, '{"name": "other"}', PARAMETERS)
    assert why_rerun(previous, config) == "configuration changed"
    period = chapter_key(chapter, demo_ingest[1].processed_dir, "{}", PARAMETERS | {"period_end": "2024-11"})
    assert why_rerun(previous, period) == "parameters changed"
    notebook = nbformat.read(notebook_source(chapter), as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("One more sentence."))
    nbformat.write(notebook, tmp_path / chapter.notebook)
    edited = chapter_key(chapter, demo_ingest[1].processed_dir, "{}", PARAMETERS, tmp_path / chapter.notebook)
    assert why_rerun(previous, edited) == "notebook changed"
    assert why_rerun(None, base) == "not in the last run"


def test_a_chapters_code_is_every_module_its_notebook_imports_and_no_other():
    def closure(name):
        return {str(p.relative_to(PROJECT_ROOT)) for p in code_files(notebook_imports([notebook_source(REGISTRY[name])]))}

    acquisitive, asb, domestic = closure("acquisitive"), closure("asb"), closure("domestic")
    assert {"pipeline/chapters/acquisitive.py", "pipeline/analysis/emerging_trends.py", "pipeline/methods/farrington.py",
            "pipeline/report/acquisitive_charts.py", "pipeline/chapters/__init__.py"} <= acquisitive
    assert "pipeline/methods/farrington.py" not in asb | domestic  # a change to it does not rerun them
    assert "pipeline/analysis/asb.py" in asb and "pipeline/analysis/asb.py" not in acquisitive
    assert not any(path.startswith("pipeline/runner") for path in acquisitive | asb | domestic)


def test_a_chapter_that_published_no_table_is_reused_with_its_notebook_and_findings(tmp_path):
    chapter = REGISTRY["outcomes"]
    last, new = tmp_path / "last", tmp_path / "new"
    (last / chapter.notebook).parent.mkdir(parents=True, exist_ok=True)
    (last / chapter.notebook).write_text("{}")
    assert not can_reuse(chapter, last)  # no findings: the chapter did not finish
    (last / "findings").mkdir()
    (last / "findings" / "outcomes.json").write_text("[]")
    assert can_reuse(chapter, last)  # no tables folder: nothing to publish is not a missing output
    copy_outputs(chapter, last, new)
    assert (new / chapter.notebook).read_text() == "{}" and (new / "findings" / "outcomes.json").is_file()
    assert not (new / "tables" / "outcomes").exists()

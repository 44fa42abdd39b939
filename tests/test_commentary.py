"""The analyst's commentary: references render this run's figures in the report's format and follow the data on a
rerun; a stale hand-typed number is reported with the figure it should be; an unknown key, a bad heading or a bad
set-aside line is an input error naming file, line and key; set-aside findings leave the summary for an appendix."""
import shutil

import pytest

from pipeline import runner
from pipeline.chapters.registry import CHAPTERS, Finding, headline_figures
from pipeline.errors import InputDataError
from pipeline.inputs.commentary import commentary_path, read_commentary
from pipeline.paths import PROJECT_ROOT
from pipeline.report.commentary import is_set_aside, references_listing, render, set_aside_appendix

NAMES = tuple(c.name for c in CHAPTERS)
TABLE = "Measure,Count,Change (%)\nA&E assault attendances,1028,-4.5\nViolence against the person,1783,15.1\n"


def run_dir(tmp_path, table: str = TABLE):
    tables = tmp_path / "run" / "tables" / "violence"
    tables.mkdir(parents=True, exist_ok=True)
    (tables / "03_violence-measures.csv").write_text(table)
    return tmp_path / "run"


def findings(this_year: int = 1783):
    return [Finding("violence", "violence", f"Violence against the person: {this_year:,} this year.",
                    headline_figures("Violence against the person", this_year, 1549, this_year - 1549,
                                     (this_year - 1549) / 1549 * 100, "beyond natural variation"), headline=True),
            Finding("violence", "violence", "Night-time economy: the odds of an alcohol flag were 3.18 times as high.",
                    {"odds_ratio": 3.18}, "association")]


def commentary(tmp_path, text: str):
    path = tmp_path / "commentary" / "demo-2025-03.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return read_commentary(path, NAMES)


GOOD = """# Commentary for the year ending March 2025

## violence

The rise to {{headline.violence.this_year}} offences follows the opening of two late bars; A&E saw
{{violence | violence-measures | A&E assault attendances | Count}} assault attendances
({{violence | violence-measures | A&E assault attendances | Change (%)}} on the year). In 2024 we counted 1,028.
<script>alert(1)</script>

## set aside

- violence: "odds of an alcohol flag": the flag was recorded only at two licensed premises this year
"""


def test_references_render_the_runs_figures_and_follow_a_rerun(tmp_path):
    notes = commentary(tmp_path, GOOD)
    first = render(notes, run_dir(tmp_path), findings(), "Cambridge")
    box = first.html["violence"]
    assert "1,783 offences" in box and "1,028 assault attendances" in box and "(-4.5% on the year)" in box
    assert "&lt;script&gt;" in box and "<script>" not in box  # the analyst's text is never markup
    assert "Analyst&#x27;s commentary" in box or "Analyst's commentary" in box
    assert "from the Cambridge partnership, written for this assessment" in box and not first.stale
    rerun = render(notes, run_dir(tmp_path, TABLE.replace("1028", "1082")), findings(1802), "Cambridge")
    assert "1,802 offences" in rerun.html["violence"] and "1,082 assault attendances" in rerun.html["violence"]
    # the hand-typed 1,028 now disagrees with every published figure: reported with the one it should be
    assert rerun.stale == [next(s for s in rerun.stale if s.startswith("commentary for violence quotes 1,028;"))]
    assert "nearest: 1,082" in rerun.stale[0]


def test_an_unknown_reference_names_file_line_and_key(tmp_path):
    notes = commentary(tmp_path, "## violence\n\nFine.\nThe count is {{headline.violence.this_yaer}}.\n")
    with pytest.raises(InputDataError) as error:
        render(notes, run_dir(tmp_path), findings(), "Cambridge")
    message = str(error.value)
    assert "demo-2025-03.md" in message and "line 4" in message and "headline.violence.this_yaer" in message
    assert "references.md" in message


@pytest.mark.parametrize("text,problem", [
    ("## violnce\ntext\n", "line 1: 'violnce' is not a chapter"),
    ("## violence\nA {{headline.violence.this_year\n", "line 2: a reference is not closed"),
    ("## violence\nx\n## violence\ny\n", "line 3: the chapter 'violence' has a second section"),
    ("## set aside\n- violence: odds without quotes\n", "line 2: a set-aside line needs"),
    ("## set aside\n- violins: \"odds\": reason\n", "line 2: 'violins' is not a chapter"),
])
def test_a_malformed_file_names_the_line(tmp_path, text, problem):
    with pytest.raises(InputDataError, match=problem):
        commentary(tmp_path, text)


def test_set_aside_findings_leave_the_summary_and_are_kept_with_their_reason(tmp_path):
    found = findings()
    rendered = render(commentary(tmp_path, GOOD), run_dir(tmp_path), found, "Cambridge")
    assert [is_set_aside(f, rendered) for f in found] == [False, True]
    appendix = set_aside_appendix(rendered, "Cambridge")
    assert "odds of an alcohol flag were 3.18" in appendix and "recorded only at two licensed premises" in appendix
    gone = render(commentary(tmp_path, GOOD), run_dir(tmp_path), found[:1], "Cambridge")
    assert any("matches no finding of violence now" in s for s in gone.stale)


def test_references_listing_gives_every_key_with_its_value(tmp_path):
    listing = references_listing(run_dir(tmp_path), findings())
    assert "`{{headline.violence.this_year}}` = 1,783" in listing
    assert "`{{violence | violence-measures | a&e assault attendances | count}}` = 1,028" in listing


def test_the_file_is_found_beside_the_configuration_by_period():
    config = PROJECT_ROOT / "config" / "demo.yaml"
    assert commentary_path(config, "demo", "2025-03", None) == PROJECT_ROOT / "config" / "commentary" / "demo-2025-03.md"
    assert commentary_path(config, "demo", "2025-03", "notes/{period_end}.md") == PROJECT_ROOT / "config" / "notes" / "2025-03.md"


@pytest.mark.slow
def test_a_run_with_an_unknown_key_exits_2_without_a_traceback(tmp_path, capsys):
    config = tmp_path / "demo.yaml"
    config.write_text((PROJECT_ROOT / "config" / "demo.yaml").read_text())
    (tmp_path / "commentary").mkdir()
    (tmp_path / "commentary" / "demo-2025-03.md").write_text("## crime_overview\n\nCrime: {{headline.overall.no_such}}.\n")
    code = runner.main(["--config", str(config), "--only", "crime_overview", "--out-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "demo-2025-03.md" in err and "line 3" in err and "headline.overall.no_such" in err
    assert "Traceback" not in err and not any((tmp_path / "out").glob("*.staging*"))
    shutil.rmtree(tmp_path / "out", ignore_errors=True)


@pytest.mark.slow
def test_the_demo_commentary_renders_this_runs_figures_under_its_chapter(tmp_path, capsys):
    assert runner.main(["--only", "crime_overview", "--out-dir", str(tmp_path / "out")]) == 0
    run = tmp_path / "out" / "2025-03-demo-only-crime_overview"
    html = (run / "report.html").read_text()
    findings = __import__("json").loads((run / "findings" / "crime_overview.json").read_text())
    headline = next(f for f in findings if f["headline"] and f["priority"] == "overall")["figures"]["this_year"]
    assert f"Police-recorded crime was\n{headline:,} offences" in html or f"Police-recorded crime was {headline:,} offences" in html
    assert 'class="analyst-commentary"' in html and "from the Cambridge partnership" in html
    assert "`{{headline.overall.this_year}}` = " + f"{headline:,}" in (run / "references.md").read_text()
    assert "{{" not in html.split('class="analyst-commentary"')[1].split("</aside>")[0]


def test_a_partial_run_leaves_references_to_chapters_it_did_not_run_for_the_full_run(tmp_path):
    text = ("## violence\n\nA&E saw {{violence | violence-measures | A&E assault attendances | Count}}; the target "
            "{{crime_overview | targets | A&E assault attendances | Status}}; all crime {{headline.overview.this_year}}.\n")
    notes = commentary(tmp_path, text)
    box = render(notes, run_dir(tmp_path), findings(), "Cambridge", ran=("violence",)).html["violence"]
    assert "A&amp;E saw 1,028" in box and box.count("a figure of a chapter this partial run leaves out") == 2
    with pytest.raises(InputDataError, match="crime_overview"):  # the full run still checks every reference
        render(notes, run_dir(tmp_path), findings(), "Cambridge")
    misspelt = commentary(tmp_path, "## violence\n\n{{violence | violence-measures | A&E assault attendances | Cont}}\n")
    with pytest.raises(InputDataError, match="Cont"):  # a chapter that ran is checked in a partial run too
        render(misspelt, run_dir(tmp_path), findings(), "Cambridge", ran=("violence",))

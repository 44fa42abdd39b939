"""Hostile and careless inputs (issue 25): each case asserts the exit code, the message, and that no payload,
raw value or recoverable count reaches anything the run writes. The cases run in the quick subset unless a
whole assessment is needed (those are marked slow)."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.report import assemble
from trust_helpers import demo_raw_copy


def folder_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under `root` (links followed), by relative path: what a run must leave unchanged."""
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture
def raw_copy(tmp_path):
    raw, config = demo_raw_copy(tmp_path / "raw", "demo", {})
    return raw, config


@pytest.mark.parametrize("processed, out", [
    ("{raw}", "{tmp}/out"),                       # --processed-dir given the raw folder by a slip
    ("{raw}/partner", "{tmp}/out"),               # inside a source folder
    ("{tmp}/processed", "{raw}"),                 # the outputs written into the raw folder
    ("{tmp}/processed", "{raw}/police.uk/out"),   # inside a source folder reached through a link
    ("{tmp}", "{tmp}/out"),                       # a processed folder that contains the raw folder
], ids=["processed-is-raw", "processed-inside-partner", "out-is-raw", "out-inside-linked-source",
        "processed-contains-raw"])
def test_a_written_folder_overlapping_a_raw_folder_is_refused_and_nothing_is_touched(raw_copy, tmp_path, capsys,
                                                                                      processed, out):
    raw, config = raw_copy
    before = folder_hashes(raw)
    fill = {"raw": raw, "tmp": tmp_path}
    code = runner.main(["--config", str(config), "--raw-dir", str(raw), "--processed-dir", processed.format(**fill),
                        "--out-dir", out.format(**fill)])
    error = capsys.readouterr().err
    assert code == 2
    assert "input folder" in error and "destroy the raw files" in error and "Traceback" not in error
    assert folder_hashes(raw) == before
    assert not (tmp_path / "processed").exists() and not (tmp_path / "out").exists()


# ---------------------------------------------------------------- a whole run on injected files and configuration
import csv  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402

import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import zipfile  # noqa: E402

import yaml  # noqa: E402

from hostile_payloads import FORMULAS  # noqa: E402
from pipeline.fileio import NUMERIC_TEXT  # noqa: E402
from pipeline.paths import PROJECT_ROOT, RAW_DIR  # noqa: E402
from pipeline.report import browser  # noqa: E402
from pipeline.report.document_checks import CONTENT_SECURITY_POLICY, problems  # noqa: E402

PWN_SCRIPT = "<script>document.title='PWNED'</script>"
PWN_IMAGE = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
PWN_FRAME = "<iframe src=file:///etc/passwd></iframe>"
STRONG_KEY = "hostile-tests-Qm3v9ZkT27pXw8Lr"
HOTSPOT_LSOAS = {"E01017990", "E01017991", "E01017997"}  # the demo's Mill Road pub cluster


def _injected_config(path: Path) -> dict:
    config = yaml.safe_load((PROJECT_ROOT / "config" / "demo.yaml").read_text())
    centre = f"City centre {PWN_FRAME}"
    config |= {"name": "hostile", "synthetic": False, "police_uk": "police.uk", "partner_dir": "partner",
               "title": f"Hostile {PWN_SCRIPT} assessment", "city_centre": centre,
               "licensed_zones": [centre, "Mill Road pub cluster"],
               "zones": {centre if name == "City centre" else name: codes for name, codes in config["zones"].items()}}
    config["area"]["name"] = f"Cambridge {PWN_IMAGE}"
    config["targets"][0]["name"] = f'{FORMULAS[0]} robbery <b>bold</b>'
    config["activities"][1]["name"] = "<svg onload=alert(1)> ASB events attended"
    config["plan_notes"]["violence"] = f"{PWN_SCRIPT} [click](javascript:alert(1)) <https://evil.example/x>"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return config


def _injected_street_zip(source: Path, target: Path) -> None:
    """The demo's police.uk zip with the street of every record in the Mill Road cluster renamed to a formula
    (street names feed hotspot names) and markup."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.namelist():
            rows = list(csv.reader(io.StringIO(old.read(member).decode("utf-8-sig"))))
            for row in rows[1:]:
                if row[7] in HOTSPOT_LSOAS:
                    row[6] = f"{FORMULAS[1]} {PWN_SCRIPT}"
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\r\n").writerows(rows)
            new.writestr(member, buffer.getvalue())


@pytest.fixture(scope="module")
def injected_run(tmp_path_factory):
    """The demo assessment from files and a configuration full of markup, script, frames and formulas, run as
    an analyst would (a real key, not synthetic), with --pdf when Chromium is installed."""
    import pandas as pd

    root = tmp_path_factory.mktemp("injected")
    raw = root / "raw"
    for folder in ("reference", "fingertips", "home_office", "boundaries"):
        (raw / folder).parent.mkdir(parents=True, exist_ok=True)
        (raw / folder).symlink_to(RAW_DIR / folder)
    (raw / "police.uk").mkdir()
    (raw / "demo").mkdir()
    (raw / "demo" / "harm_weights").symlink_to(RAW_DIR / "demo" / "harm_weights")
    _injected_street_zip(next((RAW_DIR / "demo" / "police.uk").glob("*.zip")), raw / "police.uk" / "injected.zip")
    partner = raw / "partner"
    shutil.copytree(RAW_DIR / "demo" / "partner", partner)
    activity = pd.read_csv(partner / "plan_activity.csv", dtype=str, keep_default_na=False)
    activity.loc[len(activity)] = [PWN_FRAME, "2024-06-30", "3", ""]
    activity.loc[len(activity)] = [FORMULAS[2], "2024-06-30", "3", ""]
    activity.to_csv(partner / "plan_activity.csv", index=False)
    service = pd.read_csv(partner / "service_activity.csv", dtype=str, keep_default_na=False)
    service.loc[service["measure"] == service["measure"].iloc[0], "measure"] = "<img src=//evil.example/x.png> detentions"
    service.to_csv(partner / "service_activity.csv", index=False)
    records = pd.read_csv(partner / "police_records.csv", dtype=str, keep_default_na=False)
    records.loc[records.index[::50], "ho_offence_code"] = FORMULAS[1]
    records.loc[records.index[1::50], "location_description"] = PWN_SCRIPT
    records.to_csv(partner / "police_records.csv", index=False)
    config = _injected_config(raw / "hostile.yaml")
    out, processed = root / "out", root / "processed"
    pdf = ["--pdf"] if browser.find_chromium() else []
    done = subprocess.run([sys.executable, "run_assessment.py", "--config", str(raw / "hostile.yaml"), "--raw-dir",
                           str(raw), "--out-dir", str(out), "--processed-dir", str(processed), *pdf],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
                          env=dict(os.environ, CSP_PSEUDONYM_KEY=STRONG_KEY))
    folder = next(out.glob("*-hostile"), out / "missing")
    return done, folder, config


@pytest.mark.slow
def test_the_injected_run_publishes_and_nothing_in_its_report_would_run_frame_or_load(injected_run):
    done, folder, _ = injected_run
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert problems(report) == []
    assert CONTENT_SECURITY_POLICY in report
    assert "&lt;script&gt;document.title=" in report  # shown as the text it is
    lowered = report.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<svg" not in lowered


@pytest.mark.slow
def test_no_published_csv_cell_would_run_as_a_formula(injected_run):
    done, folder, _ = injected_run
    assert done.returncode == 0
    risky = []
    for path in sorted(folder.rglob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                risky += [(path.name, cell) for cell in row
                          if cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not NUMERIC_TEXT.fullmatch(cell)]
    assert risky == []
    published = "".join(p.read_text(encoding="utf-8") for p in folder.rglob("*.csv"))
    assert "'=cmd|" in published or "'=HYPERLINK" in published  # the payloads are there, neutralised


@pytest.mark.slow
@pytest.mark.skipif(browser.find_chromium() is None, reason="Chromium is not installed (.ci/run installs it)")
def test_in_a_browser_no_script_runs_and_no_frame_loads(injected_run, tmp_path):
    done, folder, _ = injected_run
    assert done.returncode == 0
    dom = browser.dump_dom(folder / "report.html", 1280)
    assert "<title>PWNED</title>" not in dom and 'data-pwned="1"' not in dom  # no script ran
    assert "<iframe" not in dom.lower()  # no frame
    if (folder / "report.pdf").exists() and shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(folder / "report.pdf"), "-"], capture_output=True, text=True).stdout
        assert "root:x:0:0" not in text  # no system file printed into the published PDF


@pytest.mark.slow
@pytest.mark.skipif(browser.find_chromium() is None, reason="Chromium is not installed (.ci/run installs it)")
def test_the_content_security_policy_stops_a_script_that_reached_the_page(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8">'
                    f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}"><title>safe</title>'
                    f'</head><body>{PWN_SCRIPT}{PWN_IMAGE}{PWN_FRAME}<p>text</p></body></html>')
    dom = browser.dump_dom(page, 800)
    assert "<title>safe</title>" in dom and 'data-pwned="1"' not in dom  # neither script ran
    assert "root:x:0:0" not in dom


# ---------------------------------------------------------------- nothing raw leaves ingest
from trust_helpers import PLANTED, scan  # noqa: E402

IDENTIFIERS = [PLANTED["name"], PLANTED["nhs"], PLANTED["dob"], PLANTED["pnc"]]


def _ingest(raw: Path, config: Path, tmp_path: Path, monkeypatch):
    from pipeline.inputs.config import load_config
    from pipeline.stages.ingest import run_ingest

    monkeypatch.setenv("CSP_PSEUDONYM_KEY", STRONG_KEY)
    return run_ingest(load_config(config), "2025-03", raw, tmp_path / "processed")


def _identifiers_into(column: str, every: int = 1):
    def edit(frame):
        rows = frame.index[::every]
        frame.loc[rows, column] = [IDENTIFIERS[i % len(IDENTIFIERS)] for i in range(len(rows))]
        return frame
    return edit


def test_a_mostly_rejected_extract_is_unusable_without_quoting_a_raw_cell(tmp_path, monkeypatch):
    raw, config = demo_raw_copy(tmp_path / "raw", "demo", {"iom_cohort": _identifiers_into("adopted_on")})
    result = _ingest(raw, config, tmp_path, monkeypatch)
    facts = json.loads((result.processed_dir / "ingest.json").read_text())
    reason = facts["unusable_extracts"]["iom_cohort"]
    assert "column 'adopted_on'" in reason and "date_format" in reason  # the column and the rule
    assert re.search(r"'(x+ ?)+|'99", reason)  # and a masked example
    assert scan([result.processed_dir], IDENTIFIERS) == []


CODE_FIELDS = {"police_records": "ho_offence_code", "service_activity": "measure", "plan_activity": "activity"}


def test_identifiers_typed_into_a_code_are_replaced_by_a_placeholder_and_counted(tmp_path, monkeypatch):
    import pandas as pd

    from pipeline.inputs.partner_extracts import CODE_PLACEHOLDER

    raw, config = demo_raw_copy(tmp_path / "raw", "demo", {extract: _identifiers_into(column, every=40)
                                                            for extract, column in CODE_FIELDS.items()})
    result = _ingest(raw, config, tmp_path, monkeypatch)  # one ingest for the three extracts
    for extract, column in CODE_FIELDS.items():
        table = pd.read_parquet(result.processed_dir / f"{extract}.parquet")
        assert (table[column] == CODE_PLACEHOLDER).sum() > 0, extract
        note = result.quality.set_index("source").loc[extract, "note"]
        assert f"column '{column}'" in note and CODE_PLACEHOLDER in note and "values not of the form of a code" in note
    assert scan([result.processed_dir], IDENTIFIERS) == []


def test_rows_with_a_wrong_number_of_fields_are_rejected_after_pseudonymisation(tmp_path, monkeypatch):
    raw, config = demo_raw_copy(tmp_path / "raw", "demo", {})
    path = raw / "partner" / "asb_cases.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    broken = dict(zip(header, lines[1].split(",")), perpetrator_id=PLANTED["name"], victim_id=PLANTED["nhs_compact"])
    lines.insert(1, ",".join(broken[column] for column in header) + ",an extra field")
    path.write_text("\n".join(lines) + "\n")
    result = _ingest(raw, config, tmp_path, monkeypatch)
    rejects = (result.processed_dir / "rejects" / "asb_cases.csv").read_text()
    assert "field_count" in rejects
    assert scan([result.processed_dir], [PLANTED["name"], PLANTED["nhs_compact"]]) == []


@pytest.mark.parametrize("key", [" ", "secret", "changeme", "synthetic-demo-data-only-not-a-secret", "aaaaaaaaaaaaaaaaaaaaaaaa"])
def test_a_real_assessment_with_a_weak_key_exits_3_before_anything_is_written(tmp_path, monkeypatch, capsys, key):
    raw, config = demo_raw_copy(tmp_path / "raw", "demo", {})
    config.write_text(config.read_text().replace("synthetic: true", "synthetic: false"))
    monkeypatch.setenv("CSP_PSEUDONYM_KEY", key)
    code = runner.main(["--config", str(config), "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "processed"),
                        "--out-dir", str(tmp_path / "out")])
    assert code == 3 and "is refused" in capsys.readouterr().err
    assert not (tmp_path / "processed").exists() and not (tmp_path / "out").exists()


# ---------------------------------------------------------------- the new user's cases
@pytest.mark.parametrize("header", ["Alcohol flag", "alcohol_flg"])  # case and spaces; one letter off
def test_a_header_spelt_like_a_contract_column_exits_2_naming_both(tmp_path, monkeypatch, capsys, header):
    raw, config = demo_raw_copy(tmp_path / "raw", "demo",
                                {"asb_cases": lambda frame: frame.rename(columns={"alcohol_flag": header})})
    monkeypatch.setenv("CSP_PSEUDONYM_KEY", STRONG_KEY)
    code = runner.main(["--config", str(config), "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "processed"),
                        "--out-dir", str(tmp_path / "out")])
    error = capsys.readouterr().err
    assert code == 2 and f"'{header}' looks like 'alcohol_flag'" in error and "asb_cases" in error
    assert "Traceback" not in error


def test_an_absent_column_is_reported_as_not_supplied_and_never_judged_as_unrecorded(tmp_path, monkeypatch):
    from pipeline.chapters import strategic_priority
    from pipeline.chapters.context import ChapterContext
    from pipeline.inputs.config import load_config

    raw, config = demo_raw_copy(tmp_path / "raw", "demo",
                                {"asb_cases": lambda frame: frame.drop(columns=["alcohol_flag"])})
    result = _ingest(raw, config, tmp_path, monkeypatch)
    facts = json.loads((result.processed_dir / "ingest.json").read_text())
    assert facts["absent_columns"]["asb_cases"] == ["alcohol_flag"]
    assert "not supplied" in result.quality.set_index("source").loc["asb_cases", "note"]
    chapter = strategic_priority.build(ChapterContext(load_config(config), result.period_end, raw, tmp_path / "processed"))
    gaps = chapter.gaps[chapter.gaps["Source"] == "asb_cases.csv"]
    assert "Field not supplied" in gaps["Gap"].tolist(), gaps.to_string()
    assert not gaps["Detail"].str.contains("'alcohol_flag' is empty in every row").any()
    asb_alcohol = chapter.completeness[(chapter.completeness["Source"] == "ASB cases")
                                       & (chapter.completeness["Flag"] == "Alcohol")]
    assert asb_alcohol.empty  # no completeness, so no 'make it mandatory' recommendation, for a column not supplied


def _published(folder: Path, stamp: str, body: str = "same") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.html").write_text(f'<p>{body}</p><span class="run-timestamp">{stamp}</span>')


def test_a_rerun_without_pdf_keeps_the_pdf_of_an_unchanged_report(tmp_path, capsys):
    last, new = tmp_path / "last", tmp_path / "new"
    _published(last, "2026-12-01 10:00")
    (last / "report.pdf").write_bytes(b"%PDF-1.7 printed")
    (last / "review").mkdir()
    (last / "review" / "first_screen.png").write_bytes(b"png")
    _published(new, "2026-12-03 09:00")
    assemble.keep_printed(last, new)
    assert (new / "report.pdf").read_bytes() == b"%PDF-1.7 printed" and (new / "review" / "first_screen.png").exists()
    assert "kept the last run's report.pdf" in capsys.readouterr().out


def test_a_rerun_that_changed_the_report_says_it_did_not_keep_the_stale_pdf(tmp_path, capsys):
    last, new = tmp_path / "last", tmp_path / "new"
    _published(last, "2026-12-01 10:00", "old figures")
    (last / "report.pdf").write_bytes(b"%PDF-1.7 printed")
    _published(new, "2026-12-03 09:00", "new figures")
    assemble.keep_printed(last, new)
    assert not (new / "report.pdf").exists()
    said = capsys.readouterr().out
    assert "removed the last run's report.pdf" in said and "add --pdf" in said


@pytest.mark.slow
@pytest.mark.skipif(browser.find_chromium() is None, reason="Chromium is not installed (.ci/run installs it)")
def test_pdf_then_a_plain_rerun_keeps_report_pdf(tmp_path):
    args = ["--out-dir", str(tmp_path / "out"), "--processed-dir", str(tmp_path / "processed")]
    assert runner.main([*args, "--pdf"]) == 0
    printed = (tmp_path / "out" / "2025-03-demo" / "report.pdf").read_bytes()
    assert runner.main(args) == 0
    assert (tmp_path / "out" / "2025-03-demo" / "report.pdf").read_bytes() == printed


def test_synthetic_true_on_the_real_2024_files_exits_2(tmp_path, capsys):
    config = tmp_path / "real_marked_synthetic.yaml"
    config.write_text((PROJECT_ROOT / "config" / "real_2024.yaml").read_text().replace("synthetic: false", "synthetic: true"))
    assert "synthetic: true" in config.read_text()
    code = runner.main(["--config", str(config), "--processed-dir", str(tmp_path / "processed"),
                        "--out-dir", str(tmp_path / "out")])
    error = capsys.readouterr().err
    assert code == 2 and "synthetic: true" in error and "cambridgeshire-2024.zip" in error
    assert not (tmp_path / "processed").exists()


def test_synthetic_true_refuses_a_demo_file_changed_after_the_generator_wrote_it(tmp_path, capsys):
    raw, config = demo_raw_copy(tmp_path / "raw", "demo", {})
    with open(raw / "partner" / "asb_cases.csv", "a") as handle:
        handle.write("A-REAL-CASE,police,2024-10-01 21:30,E01017983,nuisance,N,N,Y,N,N,,,34\n")
    code = runner.main(["--config", str(config), "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "processed"),
                        "--out-dir", str(tmp_path / "out")])
    error = capsys.readouterr().err
    assert code == 2 and "asb_cases.csv" in error and "changed since the demo generator wrote it" in error


def test_the_demo_is_marked_synthetic_by_its_generator():
    from pipeline.inputs.config import load_config
    from pipeline.inputs.synthetic import unmarked
    from pipeline.stages.cache import synthetic_inputs

    config = load_config(PROJECT_ROOT / "config" / "demo.yaml")
    files = synthetic_inputs(config, RAW_DIR)
    assert len(files) == 7 and unmarked(files, RAW_DIR) == []
    assert "write_manifest(demo" in (PROJECT_ROOT / "scripts" / "demo_generator.py").read_text()


@pytest.mark.slow
def test_two_period_ends_in_turn_reuse_their_own_ingests(tmp_path):
    from pipeline.inputs.config import load_config
    from pipeline.stages.ingest import ensure_ingested

    config = load_config(PROJECT_ROOT / "config" / "demo.yaml")
    first = ensure_ingested(config, pd_period("2025-03"), RAW_DIR, tmp_path)
    second = ensure_ingested(config, pd_period("2024-12"), RAW_DIR, tmp_path)
    assert not first.reused and not second.reused and first.processed_dir != second.processed_dir
    again = [ensure_ingested(config, pd_period(end), RAW_DIR, tmp_path) for end in ("2025-03", "2024-12", "2025-03")]
    assert all(result.reused for result in again)
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == ["2024-12", "2025-03"]


def pd_period(text: str):
    import pandas as pd

    return pd.Period(text, freq="M")


def test_a_chapter_in_a_run_never_ingests_and_stops_when_the_tables_changed_under_it(demo_ingest, monkeypatch):
    from pipeline.chapters import context

    config, result = demo_ingest
    facts = json.loads((result.processed_dir / "ingest.json").read_text())
    monkeypatch.setattr(context, "ensure_ingested", lambda *a, **k: pytest.fail("a chapter in a run ingested"))
    arguments = (config.path, str(result.period_end), str(RAW_DIR), str(result.processed_dir.parent.parent))
    assert context.chapter_context(*arguments, facts["cache_key"]).processed_dir == result.processed_dir
    with pytest.raises(context.ProcessedTablesChanged, match="Chapters never ingest: run the assessment again"):
        context.chapter_context(*arguments, "the key of another ingest")


# ---------------------------------------------------------------- integrity
def test_a_month_supplied_twice_under_another_name_is_read_once_with_a_warning(tmp_path, monkeypatch, demo_ingest):
    import pandas as pd

    from pipeline.inputs.config import load_config
    from pipeline.stages.ingest import run_ingest

    raw, config = demo_raw_copy(tmp_path / "raw", "demo", {})
    (raw / "police.uk").unlink()
    (raw / "police.uk").mkdir()
    source = next((RAW_DIR / "demo" / "police.uk").glob("*.zip"))
    (raw / "police.uk" / source.name).symlink_to(source)
    with zipfile.ZipFile(source) as archive:
        (raw / "police.uk" / "2024-10-norfolk-street.csv").write_bytes(
            archive.read("2024-10/2024-10-cambridgeshire-street.csv"))
    result = run_ingest(load_config(config), "2025-03", raw, tmp_path / "processed")
    crimes = pd.read_parquet(result.processed_dir / "crimes.parquet")
    baseline = pd.read_parquet(demo_ingest[1].processed_dir / "crimes.parquet")
    asb = lambda frame: int((frame["crime_type"] == "Anti-social behaviour").sum())  # noqa: E731
    assert asb(crimes) == asb(baseline) and len(crimes) == len(baseline)
    facts = json.loads((result.processed_dir / "ingest.json").read_text())
    assert facts["warnings"] == ["2024-10-norfolk-street.csv is a copy of 2024-10-cambridgeshire-street.csv (the same "
                                 "bytes): read once"]
    assert "is a copy of" in result.quality.set_index("source").loc["police.uk street", "note"]


def test_a_utf8_file_with_one_cp1252_row_keeps_its_utf8_and_names_the_row(tmp_path):
    from bad_input_cases import ASB_HEADER, GOOD_ASB, extract

    good = [*GOOD_ASB[:7], "Zoë Müller", GOOD_ASB[8]]
    stray = ["A2", *GOOD_ASB[1:7], "Cafe", GOOD_ASB[8]]
    content = (",".join(ASB_HEADER) + "\r\n" + ",".join(good) + "\r\n").encode("utf-8") + \
        (",".join(stray) + "\r\n").encode("ascii").replace(b"Cafe", "Café".encode("cp1252"))
    screen = extract(tmp_path, "asb_cases", content)
    note = "; ".join(screen.notes)
    assert "UTF-8 with rows 3 in Windows cp1252" in note and "asb_cases.csv" in note
    assert screen.rows_in == 2


def test_a_whole_cp1252_file_is_decoded_as_cp1252_and_said(tmp_path):
    from bad_input_cases import ASB_HEADER, GOOD_ASB, extract

    content = (",".join(ASB_HEADER) + "\r\n" + ",".join([*GOOD_ASB[:7], "José", GOOD_ASB[8]]) + "\r\n").encode("cp1252")
    screen = extract(tmp_path, "asb_cases", content)
    assert "not UTF-8: asb_cases.csv: Windows cp1252" in "; ".join(screen.notes)


@pytest.mark.parametrize("text, expected", [
    ("2024-07-01T20:30:00Z", "2024-07-01 21:30:00"),           # UTC in summer is an hour behind UK time
    ("2024-01-15T20:30:00Z", "2024-01-15 20:30:00"),
    ("2024-07-01T21:30:00+01:00", "2024-07-01 21:30:00"),
    ("2024-07-01T22:30:00+0200", "2024-07-01 21:30:00"),
    ("2024-07-01T21:30:00.123", "2024-07-01 21:30:00"),
    ("2024-07-01 21:30:00,5", "2024-07-01 21:30:00"),
    ("2024-07-01T20:30:00.250Z", "2024-07-01 21:30:00"),
])
def test_iso_8601_with_a_zone_or_fractions_is_read_as_uk_time(text, expected):
    import pandas as pd

    from pipeline.inputs.partner_extracts import parse_datetimes

    assert parse_datetimes(pd.Series([text])).iloc[0] == pd.Timestamp(expected)


def test_implausible_occurrence_times_are_cleared_and_counted_and_the_records_kept(tmp_path):
    from bad_input_cases import POLICE_HEADER, extract

    header = [*POLICE_HEADER, "occurred_from", "occurred_to"]
    base = ["crime", "2024-10-01 21:30", "Violence and sexual offences", "E01017983", "52.2053", "0.1218", "Y", "S1"]
    rows = [["R1", *base, "2031-01-01 10:00", ""], ["R2", *base, "1850-01-01 10:00", ""],
            ["R3", *base, "2024-10-01 20:00", "2024-10-01 19:00"], ["R4", *base, "2024-10-02 10:00", ""],
            ["R5", *base, "2024-10-01 20:00", "2024-10-01 20:30"]]
    content = ("\r\n".join(",".join(row) for row in [header, *rows]) + "\r\n").encode()
    screen = extract(tmp_path, "police_records", content)
    assert len(screen.kept) == 5
    kept = screen.kept.set_index("record_id")
    assert kept.loc[["R1", "R2", "R3", "R4"], "occurred_from"].isna().all()
    assert str(kept.loc["R5", "occurred_from"]) == "2024-10-01 20:00:00"
    notes = "; ".join(screen.notes)
    assert "in the future were cleared" in notes and "before 2000 were cleared" in notes
    assert "after the record was reported" in notes and "ending before they start" in notes


def test_a_row_rejected_as_in_the_future_is_ingested_again_once_its_time_has_come(tmp_path, monkeypatch):
    import pandas as pd

    from pipeline.inputs.config import load_config
    from pipeline.stages import ingest

    soon = (pd.Timestamp.now() + pd.Timedelta(days=2)).strftime("%Y-%m-%d %H:%M")

    def one_in_the_future(frame):
        frame.loc[frame.index[0], "reported_at"] = soon
        return frame

    raw, config = demo_raw_copy(tmp_path / "raw", "demo", {"asb_cases": one_in_the_future})
    config = load_config(config)
    first = ingest.ensure_ingested(config, pd.Period("2025-03", "M"), raw, tmp_path / "processed")
    assert json.loads((first.processed_dir / "ingest.json").read_text())["future_rows_due"].startswith(soon[:10])
    assert ingest.ensure_ingested(config, pd.Period("2025-03", "M"), raw, tmp_path / "processed").reused
    later = pd.Timestamp.now() + pd.Timedelta(days=3)
    monkeypatch.setattr(ingest, "clock", lambda: later)
    again = ingest.ensure_ingested(config, pd.Period("2025-03", "M"), raw, tmp_path / "processed")
    assert not again.reused and "in the future are due now" in again.reason


# ---------------------------------------------------------------- limits: a run finishes, or fails in words
from pipeline.errors import ConfigError, InputDataError  # noqa: E402
from pipeline.inputs import police_uk, sources  # noqa: E402

STREET_HEADER_LINE = ",".join(police_uk.STREET_COLUMNS) + "\r\n"


def test_a_zip_member_that_inflates_past_the_limit_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_TABLE_BYTES", 1_000_000)
    archive = tmp_path / "police.uk" / "bomb.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("2024-01/2024-01-test-street.csv", STREET_HEADER_LINE + "," * 11 * 300_000)
    source = police_uk.discover(tmp_path / "police.uk")["street"][0]
    with pytest.raises(InputDataError, match="holds more than"):
        source.read_bytes()


@pytest.mark.parametrize("damage", ["truncated", "bad crc"])
def test_a_damaged_zip_is_an_input_error_naming_the_file(tmp_path, damage):
    archive = tmp_path / "police.uk" / "force.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as handle:
        handle.writestr("2024-01/2024-01-test-street.csv", STREET_HEADER_LINE + "x" * 5000)
    data = archive.read_bytes()
    if damage == "truncated":
        archive.write_bytes(data[: len(data) // 2])
        with pytest.raises(InputDataError, match="force.zip.*cannot be opened"):
            police_uk.discover(tmp_path / "police.uk")
    else:
        archive.write_bytes(data.replace(b"xxxxxxxxxx", b"yyyyyyyyyy", 1))
        source = police_uk.discover(tmp_path / "police.uk")["street"][0]
        with pytest.raises(InputDataError, match="force.zip.*damaged"):
            source.read_bytes()


def test_a_zip_inside_a_zip_is_named_not_reported_as_no_files(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as handle:
        handle.writestr("2024-01/2024-01-test-street.csv", STREET_HEADER_LINE)
    (tmp_path / "police.uk").mkdir()
    with zipfile.ZipFile(tmp_path / "police.uk" / "outer.zip", "w") as handle:
        handle.writestr("cambridgeshire-2024.zip", inner.getvalue())
    with pytest.raises(InputDataError, match="holds another zip archive"):
        police_uk.discover(tmp_path / "police.uk")


def test_special_files_are_skipped_and_an_extract_linked_to_dev_zero_is_refused(tmp_path):
    from pipeline.inputs.partner_extracts import CONTRACTS, find_extract

    (tmp_path / "police.uk").mkdir()
    os.mkfifo(tmp_path / "police.uk" / "2024-01-test-street.csv")  # a pipe would block a reader for ever
    assert police_uk.discover(tmp_path / "police.uk")["street"] == []
    (tmp_path / "partner").mkdir()
    (tmp_path / "partner" / "asb_cases.csv").symlink_to("/dev/zero")
    with pytest.raises(InputDataError, match="not a regular file"):
        find_extract(tmp_path / "partner", CONTRACTS["asb_cases"])


def test_a_folder_with_too_many_files_is_refused_quickly(tmp_path, monkeypatch):
    from pipeline.inputs import police_uk_files

    monkeypatch.setattr(police_uk_files, "MAX_FILES", 50)
    for number in range(60):
        (tmp_path / f"file{number}.txt").write_text("x")
    with pytest.raises(InputDataError, match="not a folder of police.uk files"):
        police_uk.discover(tmp_path)


@pytest.mark.parametrize("text, words", [
    ("a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nname: demo\n", "alias"),
    ("name: demo\n# " + "x" * 300_000 + "\n", "larger than"),
])
def test_a_yaml_alias_bomb_or_a_huge_file_is_refused_at_once(tmp_path, text, words):
    from pipeline.inputs.config import load_config

    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=words) as error:
        load_config(path)
    assert len(str(error.value)) < 1000


def test_a_full_disk_exits_3_in_words_and_leaves_no_staging_folder(tmp_path, monkeypatch, capsys):
    import errno

    from pipeline.stages import ingest_steps

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "processed" / "x.parquet"))

    monkeypatch.setattr(ingest_steps, "write_parquet", full)
    code = runner.main(["--out-dir", str(tmp_path / "out"), "--processed-dir", str(tmp_path / "processed")])
    error = capsys.readouterr().err
    assert code == 3 and "No space left on device" in error and "Traceback" not in error
    leftovers = [p.name for p in (tmp_path / "processed" / "demo").iterdir()] if (tmp_path / "processed" / "demo").exists() else []
    assert [name for name in leftovers if "staging" in name] == []


# ---------------------------------------------------------------- clear words, and a targets-only change
def test_changing_only_the_targets_reruns_only_the_chapters_that_show_them_and_does_not_ingest(demo_ingest):
    from pipeline.chapter_cache import chapter_config, chapter_key
    from pipeline.chapters.registry import CHAPTERS
    from pipeline.inputs.config import load_config
    from pipeline.stages.cache import fingerprint

    config, result = demo_ingest
    text = (PROJECT_ROOT / "config" / "demo.yaml").read_text()
    changed = text.replace("reduce_by_percent: 5, plan_baseline: 80", "reduce_by_percent: 7, plan_baseline: 80")
    assert changed != text
    path = result.processed_dir.parent.parent / "targets_changed.yaml"
    path.write_text(changed)
    other = load_config(path)
    parameters = {"period_end": str(result.period_end)}
    differ = {c.name for c in CHAPTERS
              if chapter_key(c, result.processed_dir, chapter_config(c, config), parameters).digest
              != chapter_key(c, result.processed_dir, chapter_config(c, other), parameters).digest}
    assert differ == {c.name for c in CHAPTERS if c.reads_targets} == {"crime_overview", "acquisitive", "violence"}
    assert fingerprint(config, RAW_DIR, result.period_end).config == fingerprint(other, RAW_DIR, result.period_end).config


def test_a_plan_note_is_shown_as_written_not_as_markup():
    from pipeline.report.display import Display

    shown = []
    import pipeline.report.display as display_module

    original = display_module.display
    display_module.display = lambda output: shown.append(output.data)
    try:
        Display().words("**Reduce** [click](javascript:alert(1)) <b>now</b>\n\n# not a heading")
    finally:
        display_module.display = original
    assert shown and "<strong>" not in shown[0] and "<a " not in shown[0] and "<h1" not in shown[0]
    assert "**Reduce**" in shown[0] and "&lt;b&gt;now&lt;/b&gt;" in shown[0]


def test_a_contract_column_named_twice_is_an_input_error(tmp_path):
    from bad_input_cases import ASB_HEADER, GOOD_ASB, csv_bytes, extract

    with pytest.raises(InputDataError, match="'alcohol_flag' more than once"):
        extract(tmp_path, "asb_cases", csv_bytes([*ASB_HEADER, "alcohol_flag"], [[*GOOD_ASB, "N"]]))


def test_a_partner_folder_without_any_extract_says_it_may_be_the_wrong_folder(tmp_path, monkeypatch, capsys):
    raw, config = demo_raw_copy(tmp_path / "raw", "demo", {name: None for name in
                                                           ("police_records", "asb_cases", "ae_assaults", "iom_cohort",
                                                            "service_activity", "plan_activity")})
    (raw / "partner" / "asb-cases-2024.csv").write_text("x\n")
    monkeypatch.setenv("CSP_PSEUDONYM_KEY", STRONG_KEY)
    result = _ingest(raw, config, tmp_path, monkeypatch)
    warnings = json.loads((result.processed_dir / "ingest.json").read_text())["warnings"]
    assert any("holds none of the extracts" in w and "asb-cases-2024.csv" in w for w in warnings)


def test_a_neighbouring_forces_later_month_does_not_move_the_default_period_end(tmp_path):
    from pipeline.inputs.config import load_config
    from pipeline.stages.ingest import months_available

    raw, config = demo_raw_copy(tmp_path / "raw", "demo", {})
    (raw / "police.uk").unlink()
    (raw / "police.uk").mkdir()
    source = next((RAW_DIR / "demo" / "police.uk").glob("*.zip"))
    (raw / "police.uk" / source.name).symlink_to(source)
    (raw / "police.uk" / "2025-04-norfolk-street.csv").write_text(STREET_HEADER_LINE)
    first, last = months_available(load_config(config), raw)
    assert str(last) == "2025-03"  # Cambridgeshire's own last month, not Norfolk's 2025-04


@pytest.mark.parametrize("header", ["Alcohol flag", "ALCOHOL_FLAG", "alcohol-flag", "alcohol_flg", "Alcohol.Flag"])
def test_every_near_spelling_of_a_contract_column_is_found(header):
    from pipeline.inputs.partner_extracts import CONTRACTS, misnamed_columns

    columns = [c.name for c in CONTRACTS["asb_cases"].columns if c.name != "alcohol_flag"] + [header]
    assert misnamed_columns(columns, CONTRACTS["asb_cases"]) == [(header, "alcohol_flag")]
    assert misnamed_columns([c.name for c in CONTRACTS["asb_cases"].columns] + ["notes"], CONTRACTS["asb_cases"]) == []

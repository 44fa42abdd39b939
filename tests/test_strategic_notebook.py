"""The strategic chapter runs under papermill when an extract is missing and a flag is always empty,
and says so in the report and in the gaps table."""
from pipeline import runner
from trust_helpers import demo_raw_copy


def blank_mental_health(frame):
    frame["mental_health_flag"] = ""
    return frame


def test_chapter_runs_with_an_extract_missing_and_a_flag_empty(tmp_path):
    raw, config = demo_raw_copy(tmp_path / "raw", "gaps", {"police_records": blank_mental_health, "asb_cases": None})
    code = runner.main(["--config", str(config), "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out"),
                        "--processed-dir", str(tmp_path / "processed"), "--only", "strategic_priority"])
    assert code == 0
    html = (tmp_path / "out" / "2025-03-gaps" / "report.html").read_text()
    assert "asb_cases.csv was not supplied" in html
    assert "Source not supplied" in html and "Field always empty" in html
    assert "&#x27;mental_health_flag&#x27; is empty in every row" in html or "'mental_health_flag' is empty in every row" in html
    assert "Mental health flag recorded on 0.0%" in html
    assert "Strategic priority: mental health, alcohol and drugs" in html

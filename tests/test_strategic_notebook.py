"""The strategic chapter runs under papermill when an extract is missing and a flag is always empty,
and says so in the report and in the gaps table."""
import pandas as pd

from pipeline import runner
from pipeline.paths import RAW_DIR


def test_chapter_runs_with_an_extract_missing_and_a_flag_empty(tmp_path):
    raw = tmp_path / "raw"
    for folder in ("reference", "fingertips", "home_office"):
        (raw / folder).parent.mkdir(parents=True, exist_ok=True)
        (raw / folder).symlink_to(RAW_DIR / folder)
    (raw / "police.uk").symlink_to(RAW_DIR / "demo" / "police.uk")
    partner = raw / "partner"
    partner.mkdir()
    police = pd.read_csv(RAW_DIR / "demo" / "partner" / "police_records.csv", dtype=str, keep_default_na=False)
    police["mental_health_flag"] = ""
    police.to_csv(partner / "police_records.csv", index=False)
    for name in ("ae_assaults", "iom_cohort", "service_activity"):  # asb_cases.csv is not supplied
        (partner / f"{name}.csv").symlink_to(RAW_DIR / "demo" / "partner" / f"{name}.csv")
    config = tmp_path / "gaps.yaml"
    config.write_text((RAW_DIR.parent.parent / "config" / "demo.yaml").read_text()
                      .replace("name: demo", "name: gaps").replace("police_uk: demo/police.uk", "police_uk: police.uk")
                      .replace("partner_dir: demo/partner", "partner_dir: partner"))
    code = runner.main(["--config", str(config), "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out"),
                        "--processed-dir", str(tmp_path / "processed"), "--only", "strategic_priority"])
    assert code == 0
    html = (tmp_path / "out" / "2025-03-gaps" / "report.html").read_text()
    assert "asb_cases.csv was not supplied" in html
    assert "Source not supplied" in html and "Field always empty" in html
    assert "&#x27;mental_health_flag&#x27; is empty in every row" in html or "'mental_health_flag' is empty in every row" in html
    assert "Mental health flag recorded on 0.0%" in html
    assert "Strategic priority: mental health, alcohol and drugs" in html

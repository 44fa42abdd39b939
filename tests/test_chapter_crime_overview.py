"""The crime-overview chapter: built from the processed tables (no wiring left in its notebook), it
returns numbers, its findings quote them, and an incomplete assessment year is said, not crashed on."""
import pytest

from pipeline.chapters import crime_overview
from pipeline.chapters.context import ChapterContext
from pipeline.inputs.config import load_config
from pipeline.paths import RAW_DIR
from pipeline.stages.ingest import run_ingest


def build(ingest) -> crime_overview.CrimeOverview:
    config, result = ingest
    return crime_overview.build(ChapterContext(config, result.period_end, RAW_DIR, result.processed_dir.parent.parent))


def test_demo_overview_is_numbers_and_findings_quote_them(demo_ingest):
    result = build(demo_ingest)
    total = result.table.set_index("Crime type").loc["All crime (excluding ASB)"]
    assert isinstance(total["This year"], (int,)) or float(total["This year"]).is_integer()
    assert isinstance(total["Rate per 1,000"], float)
    headline = crime_overview.findings(result)[0]
    assert headline.figures["this_year"] == total["This year"] and f"{int(total['This year']):,}" in headline.text
    # the planted violence rise is a finding beyond natural variation; the planted burglary fall (12%) is below what
    # fifteen crime types held at a 5% false discovery rate can detect, and the table says how large a fall would be
    moved = {f.text.split(":")[0]: f.direction for f in crime_overview.findings(result) if "beyond natural" in f.text}
    assert moved.get("Violence and sexual offences") == "up" and "Burglary" not in moved
    burglary = result.table.set_index("Crime type").loc["Burglary"]
    assert burglary["p-value"] < 0.05 < burglary["q-value"] and burglary["Beyond natural variation"] == "no"
    assert burglary["Smallest change detectable (80% power)"].fall > -burglary["Change (%)"]
    statuses = [f for f in crime_overview.findings(result) if f.section == "Progress against the plan's targets"]
    assert len(statuses) == 7 and {f.direction for f in statuses} == {"met", "missed"}  # six from the plan and burglary
    ae = next(f for f in statuses if "A&E" in f.text)
    count = ae.figures["Year to date"]
    assert count >= 900 and f"Missed: {count:,} against fewer than 900" in ae.text


def test_real_one_year_overview_says_no_previous_year(real_ingest):
    result = build(real_ingest)
    assert result.months_missing == [] and not result.table.empty
    assert "previous twelve months are not in the data" in crime_overview.findings(result)[0].text


def test_an_incomplete_year_is_described_not_tabulated(tmp_path):
    config = load_config("config/real_2024.yaml")
    ingest = run_ingest(config, "2024-11", RAW_DIR, tmp_path)  # Dec 2023 - Nov 2024: December 2023 is absent
    result = build((config, ingest))
    assert result.table.empty and result.months_missing == ["2023-12"]
    finding = crime_overview.findings(result)[0]
    assert finding.direction == "not assessable" and "11 of its 12 months" in finding.text


@pytest.mark.parametrize("column", ["Change (%)", "p-value", "Rate per 1,000"])
def test_published_table_keeps_numbers_unformatted(demo_ingest, column):
    published = build(demo_ingest).published
    assert published[column].map(lambda v: isinstance(v, (int, float)) or v is None or v == "[c]").all()


def test_real_one_year_still_gives_the_acquisitive_headline_count(real_ingest):
    result = build(real_ingest)
    top = next(f for f in crime_overview.findings(result) if f.headline and f.priority == "acquisitive")
    table = result.table.set_index("Crime type")
    types = [t for t in table.index if t in {"Burglary", "Robbery", "Theft from the person", "Vehicle crime", "Bicycle theft"}]
    assert top.figures["this_year"] == table.loc[types, "This year"].sum() and "change" not in top.figures
    assert top.text.endswith(f"{top.figures['this_year']:,} in {result.year_label}.")

"""The weekly tasking bulletin (`run_assessment.py --bulletin`): on the demo the planted cycle-theft surge weeks
(2024-W41 to W44) are alarms, with a map of where; two bulletins a week apart say which alarms are new and which
ended; a run with no new data leaves the last bulletin as it is; nothing in it shows a count from 1 to 4; its
near-repeat reading rejects at no more than its nominal rate on data without near repeats and finds planted ones."""
import json
import re

import numpy as np
import pandas as pd
import pytest

import demo_generator
from pipeline import runner
from pipeline.analysis import bulletin
from pipeline.command_line import week_ending_from
from pipeline.errors import ConfigError
from pipeline.methods.disclosure import SUPPRESSED, recoverable

SMALL = range(1, 5)


def run(demo_ingest, out, *extra: str) -> int:
    _, ingest = demo_ingest
    return runner.main(["--bulletin", "--out-dir", str(out), "--processed-dir", str(ingest.processed_dir.parent.parent),
                        *extra])


def record(out, week: str) -> dict:
    return json.loads((out / "demo-bulletins" / f"bulletin-{week}.json").read_text())


def html(out, week: str) -> str:
    return (out / "demo-bulletins" / f"bulletin-{week}.html").read_text()


@pytest.fixture(scope="module")
def surge(demo_ingest, tmp_path_factory):
    """Bulletins for the weeks ending 6 Oct (before the surge), 13 Oct (its first week), 3 Nov (its last) and 10 Nov
    2024 (the week after), in one folder, in that order."""
    out = tmp_path_factory.mktemp("bulletins")
    codes = [run(demo_ingest, out, "--week-ending", week) for week in ("2024-10-06", "2024-10-13", "2024-11-03",
                                                                        "2024-11-10")]
    return codes, out


def test_the_planted_surge_weeks_are_alarms_with_a_map_of_where(surge):
    codes, out = surge
    assert codes == [0, 0, 0, 0]
    first, last = demo_generator.CYCLE_SURGE_DAYS
    planted = {f"w/c {week.start_time:%d %b %Y}" for week in pd.period_range(first, last, freq="W-SUN")}
    alarmed = record(out, "2024-11-03")["alarmed_weeks"]
    assert len(planted) == 4 and set(alarmed) == {"Cycle theft"} and set(alarmed["Cycle theft"]) == planted
    page = html(out, "2024-11-03")
    image = re.search(r'<img [^>]*alt="Chart: Cycle theft: records of the alarmed weeks \(4\) by LSOA[^>]*>', page)
    assert image and 'src="data:image/png;base64,' in image[0]
    assert "Cycle theft</strong> (continuing)" in page and "w/c 07 Oct 2024 to w/c 28 Oct 2024" in page
    assert "Where the alarms are" in page and "records of the alarmed weeks by ward" in page


def test_two_bulletins_a_week_apart_say_which_alarms_are_new_and_which_ended(surge):
    _, out = surge
    assert record(out, "2024-10-06")["live"] == [] and record(out, "2024-10-13")["live"] == ["Cycle theft"]
    assert "new alarms: Cycle theft; alarms that ended (no alarm in the latest week): none" in html(out, "2024-10-13")
    assert record(out, "2024-11-10")["live"] == []
    after = html(out, "2024-11-10")
    assert "Against the bulletin for the week ending 2024-11-03: new alarms: none; alarms that ended (no alarm in the " \
           "latest week): Cycle theft" in after
    assert "Cycle theft</strong> (ended)" in after


def test_a_run_with_no_new_data_says_so_and_leaves_the_last_bulletin(surge, demo_ingest, capsys):
    _, out = surge
    page = out / "demo-bulletins" / "bulletin-2024-11-10.html"
    before = page.stat().st_mtime_ns, page.read_bytes()
    capsys.readouterr()
    assert run(demo_ingest, out, "--week-ending", "2024-11-10") == 0
    assert "No new data since the last bulletin for the week ending 2024-11-10" in capsys.readouterr().out
    assert (page.stat().st_mtime_ns, page.read_bytes()) == before


def test_no_count_from_1_to_4_is_published_and_no_hidden_ward_is_the_total_less_the_others(surge, demo_context):
    _, out = surge
    for path in (out / "demo-bulletins").glob("*.html"):
        page = path.read_text()
        counts = re.findall(r'<td class="[^"]*\bcount\b[^"]*">([^<]*)</td>', page)
        assert counts and not [c for c in counts if c.replace(",", "").isdigit() and int(c.replace(",", "")) in SMALL]
    records = demo_context.table("police_records", area_only=True)
    found = bulletin.build(records, demo_context.config, demo_context.period_end, pd.Timestamp("2024-10-13"))
    places = found.alarms[0].places
    assert places["Ward"].iloc[-1] == "All wards"
    assert recoverable(places, total_row=("Ward", "All wards", [])) == []
    raw = bulletin.ward_table(pd.DataFrame({"ward_name": ["A"] * 9 + ["B"] * 3 + ["C"] * 6}))
    assert list(raw["Records"]) == [9, SUPPRESSED, SUPPRESSED, 18]  # B's 3 hidden, and C with it


def test_without_police_records_the_bulletin_says_what_it_needs(real_ingest, tmp_path):
    _, ingest = real_ingest
    code = runner.main(["--config", "config/real_2024.yaml", "--bulletin", "--out-dir", str(tmp_path),
                        "--processed-dir", str(ingest.processed_dir.parent.parent)])
    assert code == 0
    page = next((tmp_path / "real_2024-bulletins").glob("bulletin-*.html")).read_text()
    assert "No weekly series: the bulletin needs the force&#x27;s police records" in page \
        or "No weekly series: the bulletin needs the force's police records" in page


def test_the_week_ending_is_a_sunday_inside_the_data_or_a_clear_error(demo_ingest, tmp_path, capsys):
    first, last = pd.Timestamp("2020-04-01"), pd.Timestamp("2025-04-02")
    assert week_ending_from("2024-11-03", first, last) == pd.Timestamp("2024-11-03")  # a Sunday
    assert week_ending_from("2024-11-06", first, last) == pd.Timestamp("2024-11-03")  # a Wednesday: the Sunday before
    assert week_ending_from("", first, last) == pd.Timestamp("2025-03-30")
    for text in ("2014-10-13", "3 Nov 2024"):
        with pytest.raises(ConfigError):
            week_ending_from(text, first, last)
    capsys.readouterr()
    assert run(demo_ingest, tmp_path, "--week-ending", "2014-10-13") == 2
    assert "--week-ending: 2014-10-13 is outside the data" in capsys.readouterr().err
    _, ingest = demo_ingest
    assert runner.main(["--week-ending", "2024-11-03", "--processed-dir", str(ingest.processed_dir.parent.parent),
                        "--out-dir", str(tmp_path)]) == 2
    assert "add --bulletin" in capsys.readouterr().err


def _events(rng, places: int, extra_pairs: int = 0) -> pd.DataFrame:
    """Events at random places over 84 days (no near repeats), plus `extra_pairs` events each within 50 m and 3 days of
    an earlier one (planted near repeats). Coordinates in degrees around Cambridge."""
    lon, lat = 0.12 + rng.uniform(-0.03, 0.03, places), 52.2 + rng.uniform(-0.02, 0.02, places)
    day = rng.integers(0, 84, places)
    if extra_pairs:
        source = rng.integers(0, places, extra_pairs)
        lon = np.concatenate([lon, lon[source] + rng.uniform(-0.0004, 0.0004, extra_pairs)])
        lat = np.concatenate([lat, lat[source] + rng.uniform(-0.0003, 0.0003, extra_pairs)])
        day = np.concatenate([day, np.minimum(day[source] + rng.integers(0, 4, extra_pairs), 83)])
    start = pd.Timestamp("2024-08-12")
    return pd.DataFrame({"longitude": lon, "latitude": lat, "event_day": start + pd.to_timedelta(day, unit="D")})


def test_the_near_repeat_reading_rejects_at_its_nominal_rate_without_near_repeats_and_finds_planted_ones():
    rng = np.random.default_rng(30)
    start = pd.Timestamp("2024-08-12")
    null = [bulletin.near_repeat_cells(_events(rng, 150), start, permutations=199) for _ in range(200)]
    false = np.mean([(cells["More pairs than chance (FDR 5%)"] == "yes").any() for cells in null])
    assert false <= 0.08, f"{false:.1%} of null simulations reported near repeats (nominal 5%)"
    planted = [bulletin.near_repeat_cells(_events(rng, 150, 30), start, permutations=199) for _ in range(40)]
    found = np.mean([(cells["More pairs than chance (FDR 5%)"] == "yes").any() for cells in planted])
    assert found >= 0.9, f"planted near repeats found in only {found:.0%} of simulations"

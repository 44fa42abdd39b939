"""`run_assessment.py --bulletin`: the weekly tasking bulletin, written to outputs/<assessment>-bulletins/ as
bulletin-<week ending>.html (and .pdf with --pdf), with bulletin-<week ending>.json recording its alarms for the
next bulletin to compare with and the key of what it was made from.

A bulletin whose key is unchanged (the same processed tables, week and bulletin code) is not written again: the run
says there is no new data and exits 0, so a scheduled job leaves last week's bulletin as it is.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pandas as pd

from pipeline.analysis import bulletin as analysis
from pipeline.chapters.context import ChapterContext
from pipeline.command_line import week_ending_from
from pipeline.fileio import exclusive_lock, write_text
from pipeline.paths import PROJECT_ROOT

CODE = ("pipeline/analysis/bulletin.py", "pipeline/analysis/emerging_trends.py", "pipeline/analysis/acquisitive.py",
        "pipeline/report/bulletin_document.py", "pipeline/report/bulletin_charts.py", "pipeline/bulletin_run.py",
        "pipeline/report/assemble.py", "pipeline/methods/farrington.py")


def bulletin_folder(out_root: Path, name: str) -> Path:
    return out_root / f"{name}-bulletins"


def bulletin_key(ingest_key: str, week_ending: pd.Timestamp, pdf: bool) -> str:
    digest = hashlib.sha256(f"{ingest_key}\0{week_ending:%Y-%m-%d}\0{pdf}".encode())
    for name in CODE:
        digest.update((PROJECT_ROOT / name).read_bytes())
    return digest.hexdigest()


def earlier_record(folder: Path, week_ending: pd.Timestamp) -> dict | None:
    """The record of the latest bulletin in the folder for an earlier week (None when there is none)."""
    found = []
    for path in folder.glob("bulletin-*.json"):
        try:
            record = json.loads(path.read_text())
            if pd.Timestamp(record["week_ending"]) < week_ending:
                found.append(record)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a file that is not a bulletin record is not compared with
    return max(found, key=lambda record: record["week_ending"]) if found else None


def data_days(records: pd.DataFrame | None, period_end: pd.Period) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last report days of the police records (the months of the ingest without them)."""
    if records is not None and records["reported_at"].notna().any():
        return records["reported_at"].min().normalize(), records["reported_at"].max().normalize()
    return (period_end - 11).to_timestamp(), period_end.to_timestamp(how="end").normalize()


def run_bulletin(config, period_end: pd.Period, raw_dir: Path, processed_root: Path, out_root: Path, ingest_key: str,
                 week_text: str = "", pdf: bool = False, force: bool = False) -> int:
    started = time.perf_counter()
    context = ChapterContext(config, period_end, raw_dir, processed_root)
    records = context.table("police_records", area_only=True)
    week_ending = week_ending_from(week_text, *data_days(records, period_end))
    folder = bulletin_folder(out_root, config.name)
    stem = folder / f"bulletin-{week_ending:%Y-%m-%d}"
    key = bulletin_key(ingest_key, week_ending, pdf)
    with exclusive_lock(folder, f"bulletin of {config.name} for the week ending {week_ending:%Y-%m-%d}"):
        if not force and _same(stem, key):
            print(f"No new data since the last bulletin for the week ending {week_ending:%Y-%m-%d} (made from the same "
                  f"processed tables and code): {stem.with_suffix('.html')} is left as it is.")
            return 0
        result = analysis.build(records, config, period_end, week_ending,
                                why_no_records=context.unavailable.get("police_records", ""))
        previous = earlier_record(folder, week_ending)
        changes = analysis.changes(result, previous)
        _publish(result, changes, previous, context, stem, config.synthetic, pdf)
        write_text(json.dumps(result.record() | {"key": key}, indent=2) + "\n", stem.with_suffix(".json"))
    print(f"Bulletin for the week ending {week_ending:%Y-%m-%d} in {time.perf_counter() - started:.1f} s: "
          + (", ".join(f"{t} ({s})" for t, s in _statuses(result, changes)) or "no alarms"))
    if pdf:
        print(f"PDF: {stem.with_suffix('.pdf')}")
    print(f"Bulletin: {stem.with_suffix('.html')}")
    return 0


def _same(stem: Path, key: str) -> bool:
    try:
        return json.loads(stem.with_suffix(".json").read_text()).get("key") == key and stem.with_suffix(".html").exists()
    except (OSError, ValueError):
        return False


def _statuses(result: analysis.Bulletin, changes: dict[str, list[str]]) -> list[tuple[str, str]]:
    out = [(t, "new") for t in changes["new"]] + [(t, "continuing") for t in changes["continuing"]]
    return out + [(t, "ended") for t in changes["ended"]]


def _publish(result, changes, previous, context: ChapterContext, stem: Path, synthetic: bool, pdf: bool) -> None:
    from pipeline.report import bulletin_document as document
    from pipeline.report.assemble import build_report

    maps = _maps(result, context) if result.alarms else {}
    previous_week = None if previous is None else previous["week_ending"]
    parts = document.parts(result, changes, previous_week, maps)
    title, subtitle = document.titles(context.config.area_name, result.week_ending, synthetic)
    html = stem.with_suffix(".html")
    build_report(parts, html, title, subtitle, synthetic, time.strftime("%Y-%m-%d %H:%M"), listed=False)
    if pdf:
        from pipeline.report.browser import print_pdf

        print_pdf(html, stem.with_suffix(".pdf"))


def _maps(result: analysis.Bulletin, context: ChapterContext) -> dict[str, str]:
    from pipeline.report.bulletin_charts import alarm_map
    from pipeline.report.plotting import figure_html

    geography, boundaries = context.table("geography"), context.boundaries()
    zones = {zone: list(codes) for zone, codes in context.config.zones.items()}
    out = {}
    for alarm in result.alarms:
        figure = alarm_map(alarm.lsoa_counts, geography, boundaries, zones,
                           f"{alarm.crime_type}: records of the alarmed weeks ({len(alarm.weeks)}) by LSOA")
        if figure is not None:
            out[alarm.crime_type] = figure_html(figure)
    return out

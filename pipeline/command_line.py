"""The command line of run_assessment.py: its options, and the checks of the values it is given."""
from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

import pandas as pd

from pipeline.chapters.registry import CHAPTERS
from pipeline.errors import ConfigError
from pipeline.paths import DEFAULT_CONFIG

PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="run_assessment.py",
        description="Run the Community Safety Partnership strategic assessment: ingest and analyse the raw data "
                    "with the chapter notebooks, then publish one HTML report. Relative paths are taken from the "
                    "current folder.")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG),
                        help="assessment configuration YAML (default: config/demo.yaml, the synthetic demo)")
    parser.add_argument("--period-end", default="", metavar="YYYY-MM",
                        help="last month of the assessment year (default: the latest month in the police.uk files)")
    parser.add_argument("--raw-dir", default="", help="folder of raw files (default: data/raw)")
    parser.add_argument("--out-dir", default="", help="folder for executed notebooks and the report (default: outputs)")
    parser.add_argument("--processed-dir", default="", help="folder for processed tables (default: data/processed)")
    parser.add_argument("--only", choices=[c.name for c in CHAPTERS], action="append",
                        help="run only this chapter (repeatable); the partial report goes to its own folder")
    parser.add_argument("--force", action="store_true",
                        help="ingest and execute every chapter again, even when nothing they depend on has changed")
    parser.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="chapters executed at once, each in its own kernel (default: the machine's cores); "
                             "chapters do not depend on each other, and the report is the same for any N")
    parser.add_argument("--partnerships", default="", metavar="NAMES",
                        help="a report for each Community Safety Partnership named (CSP names or codes, comma-separated) "
                             "or 'all' (every partnership of the force areas in the police.uk files), sharing one ingest, "
                             "with an index page comparing them; --jobs partnerships at once")
    parser.add_argument("--dask", default="", metavar="ADDRESS",
                        help="with --partnerships: run the partnerships on this Dask scheduler (e.g. tcp://10.0.0.5:8786)")
    parser.add_argument("--pdf", action="store_true",
                        help="also print the report as an A4 PDF (report.pdf) with Debian's chromium, and save a "
                             "screenshot of its first screen (review/first_screen.png)")
    parser.add_argument("--latest-weeks", action="store_true",
                        help="print only the latest weeks of personal acquisitive crime against their alarm thresholds "
                             "(the Monday tasking view) for the period end, without building the report")
    parser.add_argument("--bulletin", action="store_true",
                        help="write the weekly tasking bulletin (outputs/<assessment>-bulletins/): the latest weeks of "
                             "acquisitive crime against their alarm thresholds, where the alarms are, and what changed "
                             "since the last bulletin in that folder; with --pdf, also its A4 PDF")
    parser.add_argument("--week-ending", default="", metavar="YYYY-MM-DD",
                        help="with --bulletin: the bulletin's last week is the one ending on the Sunday on or before "
                             "this day (default: the last whole week of the data)")
    parser.add_argument("--deep-dive", default="", metavar="TOPIC",
                        help="write a quarterly deep dive on TOPIC (a chapter: crime_overview, violence, acquisitive, asb; "
                             "or a theme under deep_dives.themes) to outputs/<assessment>-deep-dives/, with --quarter")
    parser.add_argument("--quarter", default="", metavar="YYYYQN",
                        help="with --deep-dive: the calendar quarter, e.g. 2024Q4, compared with the same quarter of "
                             "earlier years")
    return parser.parse_args(argv)


def cli_path(text: str) -> Path:
    """A path given on the command line: relative paths resolve against the current folder."""
    return Path(text).expanduser().resolve()


def period_end_from(text: str, first: pd.Period, last: pd.Period) -> pd.Period:
    if not PERIOD.fullmatch(text.strip()):
        raise ConfigError("--period-end", f"must be YYYY-MM, got '{text}'.", "write the month like 2025-03.")
    period = pd.Period(text.strip(), freq="M")
    if not first <= period <= last:
        raise ConfigError("--period-end", f"{period} is outside the police.uk files supplied, which cover {first} to {last}.",
                          f"choose a month from {first} to {last}, or add the police.uk files for {period}.")
    return period


def week_ending_from(text: str, first_day: pd.Timestamp, last_day: pd.Timestamp) -> pd.Timestamp:
    """The Sunday that ends the bulletin's last week: the given day if a Sunday, else the Sunday before it;
    without a day, the last Sunday on or before the last day of the data."""
    if text.strip():
        try:
            day = pd.Timestamp(dt.date.fromisoformat(text.strip()))
        except ValueError:
            raise ConfigError("--week-ending", f"must be a date written YYYY-MM-DD, got '{text}'.",
                              "write the day like 2024-11-03.") from None
        if not first_day <= day <= last_day:
            raise ConfigError("--week-ending", f"{day:%Y-%m-%d} is outside the data, which covers "
                              f"{first_day:%Y-%m-%d} to {last_day:%Y-%m-%d}.",
                              f"choose a day from {first_day:%Y-%m-%d} to {last_day:%Y-%m-%d}.")
    else:
        day = last_day
    return day - pd.Timedelta(days=(day.day_of_week + 1) % 7)

"""`run_assessment.py --deep-dive TOPIC --quarter 2024Q4`: one topic for one quarter as its own short document,
written to outputs/<assessment>-deep-dives/deep-dive-<topic>-<quarter>.html (and .pdf with --pdf), with a .json
record of what it found that the annual report of the quarter's year reads (pipeline.report.deep_dive_links)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from pipeline.analysis import deep_dive as analysis
from pipeline.chapters.context import ChapterContext
from pipeline.errors import ConfigError
from pipeline.fileio import exclusive_lock, write_text
from pipeline.inputs.deep_dive_plan import CHAPTER_TOPICS, QUARTER, quarter_months
from pipeline.report.deep_dive_links import deep_dive_folder, deep_dive_stem


def check_request(config, topic: str, quarter: str, first: pd.Period, last: pd.Period) -> str:
    """The quarter, written 2024Q4, after checking it and the topic against the configuration and the data."""
    topics = config.deep_dives.topics()
    if topic not in topics:
        themes = f"; the themes under deep_dives.themes: {', '.join(config.deep_dives.themes)}" \
            if config.deep_dives.themes else " (the configuration names no themes under deep_dives.themes)"
        raise ConfigError("--deep-dive", f"'{topic}' is not a topic a deep dive can take.",
                          f"choose a chapter: {', '.join(CHAPTER_TOPICS)}{themes}.")
    text = quarter.strip().upper()
    if not QUARTER.fullmatch(text):
        raise ConfigError("--quarter", f"must be a calendar quarter written like 2024Q4, got '{quarter}'.",
                          "write the year, Q and the quarter's number 1 to 4.")
    months = quarter_months(text)
    if months[0] < first or months[-1] > last:
        raise ConfigError("--quarter", f"{text} ({months[0]} to {months[-1]}) is not wholly in the police.uk files "
                          f"supplied, which cover {first} to {last}.",
                          "choose a quarter whose three months are in the files, or add the missing months.")
    return text


def run_deep_dive(config, period_end: pd.Period, raw_dir: Path, processed_root: Path, out_root: Path, topic: str,
                  quarter: str, pdf: bool = False) -> int:
    started = time.perf_counter()
    context = ChapterContext(config, period_end, raw_dir, processed_root)
    result = analysis.build(context.table("crimes"), context.table("geography"), config, topic, quarter)
    folder = deep_dive_folder(out_root, config.name)
    stem = folder / deep_dive_stem(topic, quarter)
    with exclusive_lock(folder, f"deep dive of {config.name} on {topic} for {quarter}"):
        _publish(result, context, stem, pdf)
        record = result.record() | {"document": stem.with_suffix(".html").name, "period_end": str(period_end),
                                    "made": time.strftime("%Y-%m-%d %H:%M")}
        write_text(json.dumps(record, indent=2) + "\n", stem.with_suffix(".json"))
    print(f"Deep dive on {result.label} for {quarter} in {time.perf_counter() - started:.1f} s: "
          + (result.reason or f"{result.count:,} records against {len(result.counts) - 1} earlier same quarter(s)"))
    if pdf:
        print(f"PDF: {stem.with_suffix('.pdf')}")
    print(f"Deep dive: {stem.with_suffix('.html')}")
    return 0


def _publish(result: analysis.DeepDive, context: ChapterContext, stem: Path, pdf: bool) -> None:
    from pipeline.report import deep_dive_document as document
    from pipeline.report.assemble import build_report

    title, subtitle = document.titles(context.config.area_name, result, context.config.synthetic)
    html = stem.with_suffix(".html")
    build_report(document.parts(result), html, title, subtitle, context.config.synthetic,
                 time.strftime("%Y-%m-%d %H:%M"), listed=False)
    if pdf:
        from pipeline.report.browser import print_pdf

        print_pdf(html, stem.with_suffix(".pdf"))

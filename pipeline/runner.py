"""Run the assessment: check the command line and the configuration, ingest (a cached stage), execute
the registered chapters' notebooks with papermill, publish the report and write manifest.json (input
hashes, parameters, package versions, git commit, timings).

Exit codes: 0 done; 1 a chapter failed (the message names the chapter and cell and keeps the notebook);
2 a mistake in the command line, the configuration or an input file (one message, no traceback);
3 the run could not start (another run holds the folder, or no pseudonymisation key for real data).
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.command_line import cli_path, parse_args, period_end_from
from pipeline.chapter_cache import can_reuse, chapter_config, chapter_key, copy_outputs, why_rerun
from pipeline import kernel_pool
from pipeline.chapters.registry import CHAPTERS, REGISTRY, Chapter
from pipeline.errors import ConfigError, InputDataError
from pipeline.execution import (ChapterFailure, KernelStartError, ensure_kernel, git_commit, kernel_environment,
                                kernel_start_failure, notebook_imports, notebook_source, package_versions, run_chapter,
                                start_warm_kernel)
from pipeline.fileio import LockedError, exclusive_lock, remove_stale, replace_dir, staging_dir, write_text
from pipeline.inputs.config import load_config
from pipeline.inputs.folders import check_apart
from pipeline.inputs.synthetic import check_synthetic
from pipeline.inputs.pseudonymise import MissingKeyError, load_key
from pipeline.paths import OUTPUTS_DIR, PROCESSED_DIR, RAW_DIR
from pipeline.report.browser import find_chromium, print_pdf, screenshot
from pipeline.stages.cache import needs_key, synthetic_inputs
from pipeline.stages.ingest import ensure_ingested, months_available, read_facts

if TYPE_CHECKING:
    from pipeline.chapters.context import ChapterContext

def run_folder(out_root: Path, period_end: pd.Period, name: str, only: list[str] | None) -> Path:
    """outputs/<period end>-<assessment>, or, for --only, a folder of its own so no full report is replaced."""
    suffix = f"-only-{'+'.join(only)}" if only else ""
    return out_root / f"{period_end}-{name}{suffix}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = load_config(cli_path(args.config))
        raw_dir = cli_path(args.raw_dir) if args.raw_dir else RAW_DIR
        first, last = months_available(config, raw_dir)
        period_end = period_end_from(args.period_end, first, last) if args.period_end else last
        if args.pdf and not args.latest_weeks and find_chromium() is None:
            raise ConfigError("--pdf", "needs Chromium, which is not installed.",
                              "install Debian's package: apt-get install chromium (or run without --pdf).")
    except InputDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out_root = cli_path(args.out_dir) if args.out_dir else OUTPUTS_DIR
    processed_root = cli_path(args.processed_dir) if args.processed_dir else PROCESSED_DIR
    try:
        check_apart(config.raw_folders(raw_dir), {"--processed-dir": processed_root, "--out-dir": out_root})
        if config.synthetic:
            check_synthetic(config.path, synthetic_inputs(config, raw_dir), raw_dir)
    except InputDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    only = [c.name for c in CHAPTERS if c.name in (args.only or [])]
    chapters = [REGISTRY[name] for name in only] if only else list(CHAPTERS)
    final_dir = run_folder(out_root, period_end, config.name, only)
    parameters = {"config_path": config.path, "period_end": str(period_end), "raw_dir": str(raw_dir),
                  "processed_root": str(processed_root)}
    try:
        if needs_key(config, raw_dir):
            load_key(config.synthetic)  # a real assessment with person identifiers does not start without a key
        if args.partnerships or args.dask:
            return _run_partnerships(args, config, period_end, raw_dir, out_root, processed_root)
        if args.bulletin or args.week_ending:
            return _run_bulletin(args, config, period_end, raw_dir, out_root, processed_root)
        if args.deep_dive or args.quarter:
            return _run_deep_dive(args, config, (first, period_end), raw_dir, out_root, processed_root)
        with exclusive_lock(final_dir, f"run of {config.name} for {period_end} started {time.strftime('%Y-%m-%d %H:%M:%S')}"):
            ingest, facts = _ingest(config, period_end, raw_dir, processed_root, args.force)
            parameters["ingest_key"] = facts.get("cache_key", "")  # what the chapters check they read
            if args.latest_weeks:
                from pipeline.chapters.context import ChapterContext

                from pipeline.report.latest_weeks import print_latest_weeks

                return print_latest_weeks(ChapterContext(config, period_end, raw_dir, processed_root))
            return _run(config, period_end, final_dir, chapters, parameters, ingest, partial=bool(only), pdf=args.pdf,
                        jobs=args.jobs or os.cpu_count() or 1, force=args.force)
    except InputDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (LockedError, MissingKeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    except OSError as error:  # a full disk, a read-only or forbidden output folder: said, not a traceback
        where = f" {error.filename}" if error.filename else ""
        print(f"error: could not write{where}: {error.strerror or error}. Free some space or choose folders this "
              "user can write (--out-dir, --processed-dir); nothing half-written was left in place.", file=sys.stderr)
        return 3


def _ingest(config, period_end, raw_dir: Path, processed_root: Path, force: bool):
    """The processed tables (reused when current), said with why, and the ingest's facts."""
    started = time.perf_counter()
    ingest = ensure_ingested(config, period_end, raw_dir, processed_root, force=force)
    facts = read_facts(ingest.processed_dir)
    verb = "reused" if ingest.reused else "ingested"
    print(f"Ingest {verb} ({ingest.reason}) in {time.perf_counter() - started:.1f} s: {ingest.processed_dir}")
    for warning in facts.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    return ingest, facts


def _run_bulletin(args, config, period_end, raw_dir: Path, out_root: Path, processed_root: Path) -> int:
    from pipeline.bulletin_run import run_bulletin

    if not args.bulletin:
        raise ConfigError("--week-ending", "chooses the week of the weekly bulletin.", "add --bulletin.")
    if args.only or args.latest_weeks:
        raise ConfigError("--bulletin", "writes the weekly bulletin alone.", "leave out --only and --latest-weeks.")
    _, facts = _ingest(config, period_end, raw_dir, processed_root, args.force)
    return run_bulletin(config, period_end, raw_dir, processed_root, out_root, facts.get("cache_key", ""),
                        args.week_ending, args.pdf, args.force)


def _run_deep_dive(args, config, months: tuple, raw_dir: Path, out_root: Path, processed_root: Path) -> int:
    from pipeline.deep_dive_run import check_request, run_deep_dive

    if not (args.deep_dive and args.quarter):
        raise ConfigError("--deep-dive" if not args.deep_dive else "--quarter", "a deep dive needs a topic and a quarter.",
                          "give both, e.g. --deep-dive violence --quarter 2024Q4.")
    if args.only or args.latest_weeks:
        raise ConfigError("--deep-dive", "writes the deep dive alone.", "leave out --only and --latest-weeks.")
    quarter = check_request(config, args.deep_dive, args.quarter, *months)
    _ingest(config, months[1], raw_dir, processed_root, args.force)
    return run_deep_dive(config, months[1], raw_dir, processed_root, out_root, args.deep_dive, quarter, args.pdf)


def _run_partnerships(args, config, period_end, raw_dir: Path, out_root: Path, processed_root: Path) -> int:
    from pipeline.batch import run_partnerships

    if args.dask and not args.partnerships:
        raise ConfigError("--dask", "runs partnerships on a cluster, and needs --partnerships.",
                          "add --partnerships all (or the partnerships' names).")
    if args.only or args.latest_weeks or args.pdf or args.bulletin:
        raise ConfigError("--partnerships", "runs every chapter of each partnership's report.",
                          "leave out --only, --latest-weeks, --bulletin and --pdf.")
    wanted = [name for name in args.partnerships.split(",") if name.strip()]
    batch_dir = out_root / f"{period_end}-{config.name}-partnerships"
    with exclusive_lock(batch_dir, f"run of {len(wanted)} partnership(s) started {time.strftime('%Y-%m-%d %H:%M:%S')}"):
        return run_partnerships(config, period_end, raw_dir, out_root, processed_root, wanted,
                                args.jobs or os.cpu_count() or 1, args.dask or None, args.force)


def publish(config, period_end, out_dir: Path, chapters: list[Chapter], facts: dict, manifest: dict) -> None:
    """The report: the executive summary from the chapters' findings, the chapters, then the appendices."""
    from pipeline.report import appendices
    from pipeline.report.assemble import Part, build_report, document_titles
    from pipeline.report.commentary import is_set_aside, set_aside_appendix
    from pipeline.report.deep_dive_links import deep_dives_html
    from pipeline.report.summary import changes_since, executive_summary, load_findings

    year = f"the year ending {period_end.strftime('%B %Y')}"
    findings = load_findings(out_dir / "findings")
    commentary = analyst_commentary(config, period_end, out_dir, findings, manifest, chapters)
    summarised = [f for f in findings if not is_set_aside(f, commentary)]
    previous_end = period_end - 12
    previous = load_findings(out_dir.parent / f"{previous_end}-{config.name}" / "findings")
    changes = changes_since(findings, previous, f"the year ending {previous_end.strftime('%B %Y')}")
    deep_dives, deep_dive_appendix = deep_dives_html(config, period_end, out_dir.parent)
    boxes = commentary.html if commentary else {}
    parts = [Part("summary", False, markdown=executive_summary(summarised, config.area_name, year,
                                                               changes + deep_dives))]
    parts += [Part(c.name, False, out_dir / c.notebook, commentary=boxes.get(c.name, "")) for c in chapters if not c.appendix]
    parts += [Part(c.name, True, out_dir / c.notebook, commentary=boxes.get(c.name, "")) for c in chapters if c.appendix]
    set_aside = set_aside_appendix(commentary, config.area_name)
    parts += [Part("set_aside", True, markdown=set_aside)] if set_aside else []
    parts += [Part("deep_dives", True, markdown=deep_dive_appendix)] if deep_dive_appendix else []
    parts += [Part("methods", True, markdown=appendices.methods_appendix()),
              Part("data_notes", True, markdown=appendices.data_notes_appendix(
                  year, facts, config.synthetic, commentary.stale if commentary else None)),
              Part("glossary", True, markdown=appendices.glossary_appendix()),
              Part("provenance", True, markdown=appendices.provenance_appendix(manifest)),
              Part("tables", True, markdown=appendices.tables_annex(out_dir))]
    titles = document_titles(config.title, config.area_name, period_end.strftime('%B %Y'), chapters, config.synthetic)
    build_report(parts, out_dir / "report.html", *titles, config.synthetic, time.strftime("%Y-%m-%d %H:%M"))


def analyst_commentary(config, period_end, out_dir: Path, findings, manifest: dict, ran: list[Chapter] | None = None):
    """The analyst's commentary for this period resolved against the run (None without a file), its hand-typed numbers
    that no figure says now printed, and its file recorded in the manifest."""
    from pipeline.report.commentary import for_run

    rendered, path = for_run(Path(config.path), config.name, str(period_end), config.commentary, out_dir, findings,
                             config.area_name, tuple(c.name for c in CHAPTERS),
                             tuple(c.name for c in ran) if ran and len(ran) < len(CHAPTERS) else None)
    if rendered is not None:
        manifest["commentary"] = {"file": str(path), "sha256": rendered.sha256}
        for check in rendered.stale:
            print(f"commentary: {check}")
    return rendered


def previous_manifest(final_dir: Path) -> dict:
    """The manifest of the last run to this folder (empty on a first run): its chapters' keys and seconds."""
    try:
        return json.loads((final_dir / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}


def _kernels_for(chapters: list[Chapter], jobs: int, kernels_elsewhere: int) -> tuple[int, list[str], dict[str, str]]:
    """How many warm kernels these chapters run on, what each imports and its environment."""
    workers = max(1, min(jobs, len(chapters)))
    imports = notebook_imports([notebook_source(chapter) for chapter in chapters])
    return workers, imports, kernel_environment(workers + kernels_elsewhere)


def run_chapters(chapters: list[Chapter], out_dir: Path, parameters: dict, jobs: int,
                 expected: dict[str, float] | None = None, keep_kernels: bool = False,
                 kernels_elsewhere: int = 0) -> dict[str, float]:
    """Execute the chapters' notebooks, `jobs` at a time, the longest first by the `expected` seconds of the last
    run (a chapter it did not time by its registry entry's typical seconds). Each of the `jobs` workers keeps one
    warm kernel (pipeline.execution.WarmKernel; one kept or prestarted by pipeline.kernel_pool if there is one)
    and executes its chapters in it one after another, each in a fresh namespace; chapters read only the
    processed tables and write only their own notebook and tables, so neither the order nor the sharing changes
    what they publish.
    keep_kernels: leave the warm kernels running for the next call in this process (many partnerships).
    kernels_elsewhere: kernels other processes run at the same time on this machine (a batch's other workers),
    for the share of the cores each kernel's linear algebra may use (execution.kernel_environment).
    Prints each as it finishes; the first failure stops chapters not yet started and is raised once the running
    ones end. Returns each chapter's seconds, in the registry's order."""
    if not chapters:  # every chapter reused: no kernel, no papermill
        return {}
    ensure_kernel()
    expected = expected or {}
    waiting: queue.Queue[Chapter] = queue.Queue()
    for chapter in sorted(chapters, key=lambda chapter: -expected.get(chapter.name, chapter.typical_seconds)):
        waiting.put(chapter)
    timings: dict[str, float] = {}
    failures: list[BaseException] = []
    lock = threading.Lock()
    workers, imports, environment = _kernels_for(chapters, jobs, kernels_elsewhere)

    def work() -> None:
        name, kernel = kernel_pool.take()
        threading.current_thread().name = name
        try:
            while not failures:
                try:
                    chapter = waiting.get_nowait()
                except queue.Empty:
                    return
                try:
                    if kernel is None or not kernel.alive():
                        try:
                            kernel = start_warm_kernel(imports, environment)
                        except KernelStartError as error:
                            kernel = None
                            raise kernel_start_failure(chapter, out_dir, error) from None
                    seconds = run_chapter(chapter, out_dir, parameters, kernel=kernel)
                except BaseException as error:  # noqa: BLE001 - handed to the main thread, which raises it
                    with lock:
                        failures.append(error)
                        print(f"  [{len(timings) + len(failures)}/{len(chapters)}] {chapter.name} FAILED", flush=True)
                    if kernel is not None:
                        kernel.shutdown()
                        kernel = None
                    return
                with lock:
                    timings[chapter.name] = round(seconds, 2)
                    print(f"  [{len(timings)}/{len(chapters)}] {chapter.name} done in {seconds:.1f} s", flush=True)
        finally:
            if kernel is not None and keep_kernels:
                kernel_pool.keep(name, kernel)
            elif kernel is not None:
                kernel.shutdown()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    import papermill  # noqa: F401 - imported here while the kernels start, rather than by the first chapter after

    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return {chapter.name: timings[chapter.name] for chapter in chapters}


def _run(config, period_end, final_dir: Path, chapters: list[Chapter], parameters: dict, ingest, partial: bool,
         pdf: bool = False, jobs: int = 1, force: bool = False, keep_kernels: bool = False,
         kernels_elsewhere: int = 0) -> int:
    """Build the run in a staging folder and swap it in only when every chapter, the report and the manifest
    are written; a failed run is kept as <folder>.failed with the failing notebook. A chapter whose key
    (pipeline.chapter_cache) is the last run's is copied from that run instead of executed, unless `force`."""
    remove_stale(final_dir.parent, final_dir.name)
    out_dir = staging_dir(final_dir)
    try:
        return _run_in(config, period_end, final_dir, out_dir, chapters, parameters, ingest, partial, pdf, jobs, force,
                       keep_kernels, kernels_elsewhere)
    except (OSError, InputDataError):
        shutil.rmtree(out_dir, ignore_errors=True)  # a full disk or a commentary error keeps no staging folder
        raise


def _run_in(config, period_end, final_dir: Path, out_dir: Path, chapters: list[Chapter], parameters: dict, ingest,
            partial: bool, pdf: bool, jobs: int, force: bool, keep_kernels: bool, kernels_elsewhere: int) -> int:
    print(f"Assessment '{config.name}', year ending {period_end}: {len(chapters)} chapter(s) -> {final_dir}")
    started = time.perf_counter()
    previous = previous_manifest(final_dir)
    if force or not previous.get("chapter_keys"):  # every chapter will run: its kernels start while keys are made
        workers, imports, environment = _kernels_for(chapters, jobs, kernels_elsewhere)
        kernel_pool.prestart(workers - kernel_pool.kept(), imports, environment)
    keys = {c.name: chapter_key(c, ingest.processed_dir, chapter_config(c, config), parameters) for c in chapters}
    reused, to_run = [], []
    for chapter in chapters:
        reason = "forced (--force)" if force else why_rerun(previous.get("chapter_keys", {}).get(chapter.name),
                                                           keys[chapter.name])
        if reason is None and can_reuse(chapter, final_dir):
            copy_outputs(chapter, final_dir, out_dir)
            reused.append(chapter)
        else:
            to_run.append((chapter, reason or "outputs of the last run missing"))
    if reused:
        print(f"  reused from the last run (inputs, code and parameters unchanged): {', '.join(c.name for c in reused)}")
    if to_run:
        print(f"  executing {len(to_run)} chapter(s), {min(jobs, len(to_run))} at a time: "
              + "; ".join(f"{chapter.name} ({reason})" for chapter, reason in to_run))
    last_seconds = previous.get("timings_seconds", {})
    try:
        ran = run_chapters([c for c, _ in to_run], out_dir, parameters, jobs, last_seconds, keep_kernels,
                           kernels_elsewhere)
    except ChapterFailure as failure:
        failed = final_dir.parent / f"{final_dir.name}.failed"
        replace_dir(out_dir, failed)
        failure.notebook = failed / failure.notebook.name
        print(f"error: {failure}", file=sys.stderr)
        return 1
    timings = {c.name: ran[c.name] if c.name in ran else last_seconds.get(c.name, 0.0) for c in chapters}
    facts = json.loads((ingest.processed_dir / "ingest.json").read_text())
    manifest = {"assessment": config.name, "config": config.path, "parameters": parameters,
                "chapters": [chapter.name for chapter in chapters], "partial": partial, "jobs": min(jobs, len(chapters)),
                "report": str(final_dir / "report.html"), "git_commit": git_commit(), "packages": package_versions(),
                "ingest": {"reused": ingest.reused, "reason": ingest.reason, "cache_key": facts.get("cache_key")},
                "reused_chapters": [c.name for c in reused],
                "chapter_keys": {name: {"key": key.digest, "parts": key.parts} for name, key in keys.items()},
                "timings_seconds": timings, "config_sha256": facts.get("config_sha256"),
                "inputs_sha256": facts.get("input_files_sha256", {})}
    report_started = time.perf_counter()
    publish(config, period_end, out_dir, chapters, facts, manifest)
    if pdf:
        print_pdf(out_dir / "report.html", out_dir / "report.pdf")
        (out_dir / "review").mkdir(exist_ok=True)
        screenshot(out_dir / "report.html", out_dir / "review" / "first_screen.png")
    else:
        from pipeline.report.assemble import keep_printed

        keep_printed(final_dir, out_dir)
    timings["report"] = round(time.perf_counter() - report_started, 2)
    timings["total"] = round(time.perf_counter() - started, 2)
    write_text(json.dumps(manifest, indent=2) + "\n", out_dir / "manifest.json")
    replace_dir(out_dir, final_dir)
    if partial:
        print(f"Partial report ({', '.join(c.name for c in chapters)}); no full report was replaced.")
    if pdf:
        print(f"PDF: {final_dir / 'report.pdf'}")
    print(f"Report: {final_dir / 'report.html'}")
    return 0

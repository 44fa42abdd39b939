"""Many partnerships in one command (run_assessment.py --partnerships): one reading of the police.uk files shared by
every partnership's ingest, then each partnership's chapters and report on a local process pool or, given a
scheduler address, a Dask distributed cluster; then an index page linking the reports and a table comparing the
partnerships.

Each partnership is a task that needs only the file system: its configuration (written as YAML beside the index),
the processed folder its ingest wrote and the outputs folder. A worker process keeps its warm kernel from one
partnership to the next, so a partnership after the first costs its chapters' own work.
"""
from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from pipeline.chapters.registry import CHAPTERS
from pipeline.errors import ConfigError
from pipeline.fileio import exclusive_lock, write_text
from pipeline.inputs import police_uk
from pipeline.inputs.config import AssessmentConfig, load_config
from pipeline.inputs.partnerships import (Partnership, covered, families_of, load_partnerships, partnership_config,
                                          peer_groups, select, write_config)
from pipeline.inputs.reference import Reference, lsoa21_districts
from pipeline.inputs.shared_read import SharedRead
from pipeline.analysis.partnerships import family_comparison
from pipeline.report.partnership_index import comparison_table, write_index
from pipeline.stages.ingest import ensure_ingested, processed_dir_for, read_facts


def rows_by_file_district(sources, code_map: dict[str, str], district_of: dict[str, str]) -> dict[str, dict[str, int]]:
    """For each police.uk file, its rows by district (from the LSOA code column alone)."""
    import io

    import polars as pl

    out = {}
    for source in sources:
        try:
            codes = pl.read_csv(io.BytesIO(source.read_bytes()), columns=["LSOA code"], infer_schema=False,
                                truncate_ragged_lines=True, encoding="utf8-lossy")["LSOA code"]
        except (pl.exceptions.PolarsError, OSError):
            continue  # unreadable here; ingest names the file and the problem
        counts: dict[str, int] = {}
        for code, rows in codes.value_counts().iter_rows():
            district = district_of.get(code_map.get((code or "").strip(), ""), "")
            if district:
                counts[district] = counts.get(district, 0) + rows
        out[source.label] = counts
    return out


def choose(config: AssessmentConfig, raw_dir: Path, wanted: list[str], code_map: dict[str, str],
           district_of: dict[str, str]) -> list[Partnership]:
    everyone = load_partnerships(config.raw_path(config.reference_dir, raw_dir))
    if [w.strip().casefold() for w in wanted] != ["all"]:
        return select(everyone, wanted)
    files = police_uk.discover(config.raw_path(config.police_uk_dir, raw_dir))["street"]
    chosen = covered(everyone, rows_by_file_district(files, code_map, district_of))
    if not chosen:
        raise ConfigError("--partnerships", "all: no police force area's files were found among the police.uk files.",
                          "check the police_uk folder of the configuration.")
    return chosen


class PrefixedLines:
    """A stdout for one partnership's run among others: each line is written whole, in one write, beginning with
    the partnership's name, so that lines from partnerships running at once name their partnership and never
    interleave mid-line."""

    def __init__(self, stream, prefix: str):
        self.stream, self.prefix, self.pending = stream, prefix, ""

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        if lines:
            self.stream.write("".join(f"{self.prefix}{line}\n" for line in lines))
            self.stream.flush()
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        if self.pending:
            self.write("\n")


def run_partnership(task: dict) -> dict:
    """One partnership's chapters and report (a process-pool or Dask task): its outcome, never an exception. What
    it prints is prefixed with the partnership's name (PrefixedLines)."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (PrefixedLines(stream, f"[{task['partnership']}] ") for stream in (stdout, stderr))
    try:
        return _partnership_run(task)
    finally:
        sys.stdout.close()
        sys.stderr.close()
        sys.stdout, sys.stderr = stdout, stderr


def _partnership_run(task: dict) -> dict:
    from pipeline.runner import _run, run_folder

    started = time.perf_counter()
    config = load_config(task["config_path"])
    period_end = pd.Period(task["period_end"], freq="M")
    final_dir = run_folder(Path(task["out_root"]), period_end, config.name, None)
    ingest = SimpleNamespace(processed_dir=processed_dir_for(config, period_end, Path(task["processed_root"])), reused=True,
                             reason=task["ingest_reason"])
    parameters = {"config_path": config.path, "period_end": str(period_end), "raw_dir": task["raw_dir"],
                  "processed_root": task["processed_root"],
                  "ingest_key": read_facts(ingest.processed_dir).get("cache_key", "")}
    outcome = {"partnership": task["partnership"], "code": task["code"], "config": config.name,
               "report": str(final_dir / "report.html")}
    try:
        with exclusive_lock(final_dir, f"run of {config.name} for {period_end}"):
            status = _run(config, period_end, final_dir, list(CHAPTERS), parameters, ingest, partial=False,
                          jobs=task["jobs"], force=task["force"], keep_kernels=True,
                          kernels_elsewhere=task.get("kernels_elsewhere", 0))
        manifest = json.loads((final_dir / "manifest.json").read_text()) if status == 0 else {}
        outcome |= {"status": status, "reused_chapters": len(manifest.get("reused_chapters", []))}
    except Exception as error:  # noqa: BLE001 - one partnership's failure is reported, the others go on
        outcome |= {"status": 1, "error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
    return outcome | {"seconds": round(time.perf_counter() - started, 2)}


def execute(tasks: Iterable[dict], count: int, workers: int, scheduler: str | None,
            work: Callable[[dict], dict] = run_partnership) -> list:
    """`work` on each of the `count` tasks on a Dask cluster (scheduler address), one after another (one worker),
    or on a process pool; each is sent as soon as `tasks` yields it, so early partnerships run while later ones
    are ingested. When `tasks` raises (a later partnership's ingest), the tasks not yet started are cancelled and
    the error goes on up. Results in the tasks' order."""
    if scheduler:
        from distributed import Client

        with Client(scheduler) as client:
            futures = []
            try:
                for task in tasks:
                    futures.append(client.submit(work, task, pure=False))
            except BaseException:
                client.cancel(futures)
                raise
            return client.gather(futures)
    if workers <= 1 or count == 1:
        return [work(task) for task in tasks]
    with ProcessPoolExecutor(max_workers=min(workers, count), mp_context=get_context("spawn")) as pool:
        futures = []
        try:
            for task in tasks:
                futures.append(pool.submit(work, task))
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
        return [future.result() for future in futures]


def run_partnerships(config: AssessmentConfig, period_end: pd.Period, raw_dir: Path, out_root: Path,
                     processed_root: Path, wanted: list[str], jobs: int, scheduler: str | None, force: bool) -> int:
    started = time.perf_counter()
    reference = Reference.load(config.raw_path(config.reference_dir, raw_dir))
    code_map, lsoas = reference.code_to_lsoa21(), lsoa21_districts(reference)
    district_of = dict(zip(lsoas["lsoa21"], lsoas["district_code"]))
    partnerships = choose(config, raw_dir, wanted, code_map, district_of)
    batch_dir = out_root / f"{period_end}-{config.name}-partnerships"
    reference_dir = config.raw_path(config.reference_dir, raw_dir)
    families = families_of(config, partnerships, load_partnerships(reference_dir), raw_dir)
    configs = []
    for partnership in partnerships:
        derived = partnership_config(config, partnership, has_family=partnership.code in families)
        configs.append(derived if derived is config else load_config(write_config(derived, batch_dir / "configs")))
    union = police_uk.AreaFilter(code_map, district_of, {d for c in configs for d in (
        *c.area_codes, *c.comparison_codes, *peer_groups(c, reference_dir, raw_dir)["district_code"])})
    shared = SharedRead(union)
    # each partnership runs one kernel when there are several; on a Dask cluster the other workers' kernels
    # are on other machines, as far as this process can tell
    local_workers = 1 if scheduler else min(jobs, len(configs))
    where = f"the Dask cluster at {scheduler}" if scheduler else f"{local_workers} local process(es)"
    print(f"{len(partnerships)} partnership(s): {', '.join(p.name for p in partnerships)}. Reports on {where}, "
          f"each as soon as its ingest is done; one reading of the police.uk files for every ingest", flush=True)
    ingests = []

    def ingested_tasks():
        for partnership, derived in zip(partnerships, configs):  # each takes the base's folders (partnership_config)
            ingest = ensure_ingested(derived, period_end, raw_dir, processed_root, force=force, read=shared,
                                     reference=reference)
            ingests.append(ingest)
            yield {"partnership": partnership.name, "code": partnership.code, "config_path": derived.path,
                   "period_end": str(period_end), "raw_dir": str(raw_dir), "out_root": str(out_root),
                   "processed_root": str(processed_root), "ingest_reason": ingest.reason,
                   "jobs": 1 if len(configs) > 1 else jobs, "force": force, "kernels_elsewhere": local_workers - 1}
        print(f"Ingest for all {len(ingests)} ({sum(i.reused for i in ingests)} reused) done "
              f"{time.perf_counter() - started:.1f} s after the start", flush=True)

    outcomes = execute(ingested_tasks(), len(configs), jobs, scheduler)
    table = comparison_table(partnerships, [processed_dir_for(c, period_end, processed_root) for c in configs])
    write_index(batch_dir, config, period_end, partnerships, outcomes, table, time.perf_counter() - started,
                family_comparison(table, families) if families else None)
    write_text(json.dumps({"outcomes": outcomes, "seconds": round(time.perf_counter() - started, 2),
                           "workers": scheduler or local_workers}, indent=2) + "\n", batch_dir / "batch.json")
    failed = [o for o in outcomes if o["status"] != 0]
    for outcome in failed:
        print(f"error: {outcome['partnership']}: {outcome.get('error', 'a chapter failed (see above)')}")
    print(f"Index of {len(outcomes)} report(s) ({len(failed)} failed) in {time.perf_counter() - started:.1f} s: "
          f"{batch_dir / 'index.html'}")
    return 1 if failed else 0

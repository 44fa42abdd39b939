"""Print the trust figures: kinds of bad input handled, planted identifiers found, kill-and-rerun outcomes.

    python benchmarks/trust_report.py [--kills 20] [--seed 7]

1. Runs every case of tests/bad_input_cases.py and counts them by outcome (refused with a message,
   quarantined with a reason, read as the contracts allow) and whether each did what it should.
2. Plants names, NHS numbers, PNC ids and dates of birth in every partner extract, runs the whole
   assessment, and counts planted identifiers found under outputs and processed data (should be 0).
3. Kills whole runs at random points (--kills times), checks that nothing partial was left, reruns, and
   compares the rerun's tables and report with an uninterrupted run's.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import trust_helpers as th  # noqa: E402
from bad_input_cases import CASES, outcome  # noqa: E402


def bad_inputs(scratch: Path) -> None:
    results = Counter()
    wrong = []
    for number, case in enumerate(CASES):
        ok, happened = outcome(case, scratch / f"case{number}")
        results[case.expect] += 1
        if not ok:
            wrong.append(f"{case.name}: {happened}")
    print(f"Bad input: {len(CASES)} kinds across {len({c.source for c in CASES})} sources; "
          f"{results['error']} refused with a message, {results['reject']} quarantined with a reason, "
          f"{results['accept']} read as the contracts allow; {len(CASES) - len(wrong)} of {len(CASES)} as expected.")
    for line in wrong:
        print(f"  NOT AS EXPECTED: {line}")


def planted(scratch: Path) -> None:
    raw, config = th.planted_raw_dir(scratch / "raw")
    result = th.run(scratch / "out", scratch / "processed", "--config", str(config), "--raw-dir", str(raw))
    if result.returncode != 0:
        print(f"Planted identifiers: the run failed: {result.stderr[-500:]}")
        return
    found = th.scan([scratch / "out", scratch / "processed"], list(th.PLANTED.values()))
    files = sum(1 for root in (scratch / "out", scratch / "processed") for p in root.rglob("*") if p.is_file())
    print(f"Planted identifiers: {len(th.PLANTED)} planted in every partner extract; found {len(found)} times "
          f"in {files} files under outputs and processed data.")
    for path, needle in found:
        print(f"  FOUND {needle!r} in {path}")


def kills(scratch: Path, count: int, seed: int) -> None:
    reference = th.run(scratch / "ref", scratch / "ref_processed")
    if reference.returncode != 0:
        print(f"Kill and rerun: the uninterrupted run failed: {reference.stderr[-500:]}")
        return
    expected = th.hashes(scratch / "ref", scratch / "ref_processed")
    rng = random.Random(seed)
    tally = Counter()
    for attempt in range(count):
        delay = round(rng.uniform(0.5, 40), 1)
        out, processed = scratch / f"out{attempt}", scratch / f"processed{attempt}"
        th.run_and_kill(out, processed, delay)
        partial = th.partial_outputs(out, processed)
        left = "report in place" if (out / th.RUN_NAME / "report.html").exists() else "no report yet"
        rerun = th.run(out, processed)
        same = rerun.returncode == 0 and th.hashes(out, processed) == expected
        tally["no partial output" if not partial else "PARTIAL OUTPUT"] += 1
        tally["rerun identical" if same else "RERUN DIFFERS OR FAILED"] += 1
        print(f"  kill {attempt + 1:2d} after {delay:4.1f} s: {left}; partial: {partial or 'none'}; "
              f"rerun {'completed, identical to the uninterrupted run' if same else 'DIFFERENT OR FAILED'}", flush=True)
    print(f"Kill and rerun: {count} runs killed; " + ", ".join(f"{v} {k}" for k, v in sorted(tally.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="csp-trust-") as scratch:
        scratch = Path(scratch)
        bad_inputs(scratch / "bad")
        planted(scratch / "planted")
        kills(scratch / "kills", args.kills, args.seed)


if __name__ == "__main__":
    main()

"""Mutation testing of the statistical methods, disclosure control, row checks and target tracking.

    python benchmarks/mutation_score.py            # about two minutes on 2 cores

mutmut (a maintained mutation tester) changes the code under pipeline/methods, pipeline/inputs/validators.py
and pipeline/analysis/targets.py one small edit at a time (an operator, a constant, a string, an argument) and
runs the unit tests that cover each function ([tool.mutmut] in pyproject.toml). A mutant the tests fail on is
killed; one they pass with survived. The script prints the share killed, then the survivors by function with
the edit each made, so that each can be judged: a missing test, or a harmless change (an equivalent mutant).
"""
from __future__ import annotations

import collections
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {"killed", "timeout"}


def run(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=ROOT, capture_output=True, text=True).stdout


def main() -> int:
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    subprocess.run([sys.executable, "-m", "mutmut", "run"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    statuses = dict(re.findall(r"^\s*(\S+): (.+)$", run("results", "--all", "true"), flags=re.M))
    if not statuses:
        print("mutmut produced no results (see `python -m mutmut run` for why)")
        return 1
    counts = collections.Counter(statuses.values())
    killed = sum(counts[s] for s in KILLED)
    print(f"mutants: {len(statuses):,}; killed {killed:,} ({killed / len(statuses):.1%}); "
          + ", ".join(f"{status} {n:,}" for status, n in sorted(counts.items())))
    survivors = [name for name, status in statuses.items() if status not in KILLED]
    by_function = collections.Counter(re.sub(r"__mutmut_\d+$", "", name) for name in survivors)
    print("\nsurvivors by function:")
    for function, n in by_function.most_common():
        print(f"  {n:4d}  {function}")
    if "--show" in sys.argv:
        for name in survivors:
            diff = [line for line in run("show", name).splitlines() if line.startswith("+ ")]
            print(f"\n{name}: {statuses[name]}\n  " + "\n  ".join(diff))
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

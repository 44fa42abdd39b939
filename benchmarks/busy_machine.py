"""The demo on a busy machine: a quiet run, then the same run from nothing while processes keep every core busy
and the kernel spec's start is delayed, the tables of the two compared byte for byte (issue 25's acceptance).

    python benchmarks/busy_machine.py [--loops 8] [--delay 3]

Prints each run's exit code and seconds, and whether every published table is identical. A run that fails
prints its last lines. Nothing is timed against a bound: the point is that the busy run finishes.
"""
from __future__ import annotations

import argparse
import filecmp
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DELAYED_START = ("import time; time.sleep({delay}); "
                 "from ipykernel.kernelapp import launch_new_instance; launch_new_instance()")


def spin() -> None:
    while True:
        pass


def run(out: Path, environment: dict[str, str]) -> tuple[int, float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "run_assessment.py", "--out-dir", str(out / "out"),
                           "--processed-dir", str(out / "processed")], cwd=ROOT, env=environment,
                          capture_output=True, text=True)
    return done.returncode, time.perf_counter() - started, (done.stdout + done.stderr)[-1500:]


def tables(out: Path) -> dict[str, Path]:
    found = {}
    for run_dir in (out / "out").iterdir():
        for path in (run_dir / "tables").rglob("*.csv"):
            found[str(path.relative_to(run_dir))] = path
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=8, help="busy processes (default 8)")
    parser.add_argument("--delay", type=float, default=3.0, help="seconds the kernel spec sleeps before starting")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="csp-busy-") as scratch:
        scratch = Path(scratch)
        quiet_code, quiet_seconds, quiet_tail = run(scratch / "quiet", dict(os.environ))
        print(f"quiet run: exit {quiet_code} in {quiet_seconds:.1f} s")
        spec = scratch / "jupyter" / "kernels" / "csp-assessment"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-c", DELAYED_START.format(delay=args.delay), "-f", "{connection_file}"],
            "display_name": "delayed", "language": "python"}))
        environment = dict(os.environ, JUPYTER_PATH=str(scratch / "jupyter"))
        loops = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.loops)]
        for loop in loops:
            loop.start()
        try:
            busy_code, busy_seconds, busy_tail = run(scratch / "busy", environment)
        finally:
            for loop in loops:
                loop.terminate()
        print(f"busy run ({args.loops} busy loops on {os.cpu_count()} cores, kernel start delayed "
              f"{args.delay:.0f} s): exit {busy_code} in {busy_seconds:.1f} s")
        for code, tail, label in ((quiet_code, quiet_tail, "quiet"), (busy_code, busy_tail, "busy")):
            if code != 0:
                print(f"--- the {label} run's last output ---\n{tail}")
        if quiet_code or busy_code:
            return 1
        quiet, busy = tables(scratch / "quiet"), tables(scratch / "busy")
        differ = sorted(name for name in quiet.keys() & busy.keys() if not filecmp.cmp(quiet[name], busy[name], False))
        missing = sorted(quiet.keys() ^ busy.keys())
        print(f"tables: {len(quiet)} in the quiet run, {len(busy)} in the busy run; "
              f"{len(differ)} differ, {len(missing)} in one run only")
        for name in differ + missing:
            print(f"  {name}")
        return 0 if not differ and not missing else 1


if __name__ == "__main__":
    sys.exit(main())

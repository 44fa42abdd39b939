"""The scheduled weekly bulletin as users run it: the command lines of the cron, systemd and CI examples in deploy/
are run as written (their install paths mapped to this clone and a temporary folder): the first writes the
bulletin, the next find no new data, say so, exit 0 and leave it as it is. The three run on the same schedule."""
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from pipeline.paths import PROJECT_ROOT, RAW_DIR

DEPLOY = PROJECT_ROOT / "deploy"
pytestmark = pytest.mark.slow


def cron_line() -> tuple[str, str]:
    """The crontab entry: its five schedule fields and its command."""
    line = next(line for line in (DEPLOY / "csp-bulletin.cron").read_text().splitlines()
                if line.strip() and not line.startswith("#"))
    fields = line.split(maxsplit=5)
    return " ".join(fields[:5]), fields[5]


def service_command() -> tuple[str, str]:
    """The systemd service's working folder and command."""
    text = (DEPLOY / "csp-bulletin.service").read_text()
    return re.search(r"^WorkingDirectory=(.+)$", text, re.M)[1], re.search(r"^ExecStart=(.+)$", text, re.M)[1]


def workflow() -> dict:
    return yaml.safe_load((DEPLOY / "weekly-bulletin.yml").read_text())


def on_this_machine(command: str, scratch) -> str:
    """The command with the examples' install paths replaced: the clone, this interpreter, a scratch data folder."""
    here = {"/opt/csp-assessment/.venv/bin/python": sys.executable, ".venv/bin/python": sys.executable,
            "/opt/csp-assessment": str(PROJECT_ROOT), "/srv/csp/incoming": str(RAW_DIR), "/srv/csp": str(scratch)}
    return re.sub("|".join(map(re.escape, here)), lambda match: here[match[0]], command)  # longest first, one pass


def test_the_cron_systemd_and_ci_examples_run_the_same_bulletin_on_the_same_schedule(tmp_path):
    schedule, cron_command = cron_line()
    folder, service = service_command()
    step = next(s for s in workflow()["jobs"]["bulletin"]["steps"] if s.get("name") == "Bulletin")
    assert schedule == "30 7 * * 1" == workflow()[True]["schedule"][0]["cron"]  # PyYAML reads the key 'on' as True
    assert "OnCalendar=Mon *-*-* 07:30:00" in (DEPLOY / "csp-bulletin.timer").read_text()
    assert "--bulletin" in cron_command and "--bulletin" in service and "--bulletin" in step["run"]

    page = tmp_path / "outputs" / "demo-bulletins" / "bulletin-2025-03-30.html"
    first = subprocess.run(["bash", "-c", on_this_machine(cron_command, tmp_path)], capture_output=True, text=True)
    log = (tmp_path / "bulletin.log").read_text()
    assert first.returncode == 0, log
    assert "Bulletin: " in log and page.exists()
    written = page.stat().st_mtime_ns

    again = subprocess.run(shlex.split(on_this_machine(service, tmp_path)), cwd=on_this_machine(folder, tmp_path),
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "No new data since the last bulletin for the week ending 2025-03-30" in again.stdout

    scheduled = subprocess.run(["bash", "-c", on_this_machine(step["run"], tmp_path)], cwd=PROJECT_ROOT,
                               capture_output=True, text=True)
    assert scheduled.returncode == 0, scheduled.stderr
    assert "No new data since the last bulletin" in scheduled.stdout
    assert page.stat().st_mtime_ns == written

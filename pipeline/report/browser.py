"""Headless Chromium (Debian's `chromium`, never a downloaded browser) for the printed report: an A4 PDF, a
screenshot of the first screen for review, and the DOM after a script has run (the browser tests' checks).

Chromium runs with no network: every host resolves to nothing, so a report that needed the internet would
show it as a broken image or a console error.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-extensions", "--mute-audio")
TIMEOUT_SECONDS = 180


class BrowserMissing(RuntimeError):
    pass


def find_chromium() -> str | None:
    """The Chromium executable (CSP_CHROMIUM overrides), or None when none is installed."""
    override = os.environ.get("CSP_CHROMIUM")
    if override:
        return override if shutil.which(override) else None
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


def sandbox_flags() -> tuple[str, ...]:
    """Chromium's own sandbox stays on, except as root, where Chromium refuses to start with it (it exits with
    'Running as root without --no-sandbox is not supported'). Root is how CI and these machines run. What keeps a
    page in its place then: the page is a copy alone in a fresh private folder, the report's Content-Security-
    Policy forbids scripts, frames and loads (pipeline.report.document_checks), every host resolves to nothing,
    and the document was checked before it was written."""
    return ("--no-sandbox",) if hasattr(os, "geteuid") and os.geteuid() == 0 else ()


def _run(arguments: list[str], page: Path) -> str:
    """Chromium on a copy of `page` alone in a private folder (the report embeds everything it shows), so the page
    can reach no other file of the run; the output paths in `arguments` are written by Chromium itself."""
    executable = find_chromium()
    if executable is None:
        raise BrowserMissing("printing the report needs Chromium: install Debian's package with "
                             "'apt-get install chromium' (no browser is downloaded)")
    with tempfile.TemporaryDirectory(prefix="csp-chromium-") as scratch:
        profile, alone = Path(scratch) / "profile", Path(scratch) / "page"
        alone.mkdir(mode=0o700)
        copy = alone / page.name
        shutil.copyfile(page, copy)
        done = subprocess.run([executable, *FLAGS, *sandbox_flags(), f"--user-data-dir={profile}", *arguments,
                               copy.resolve().as_uri()], capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout


def print_pdf(report: Path, target: Path) -> Path:
    """The report as an A4 PDF, laid out by the report's print CSS (page numbers in the page margin)."""
    _run([f"--print-to-pdf={target}", "--no-pdf-header-footer", "--virtual-time-budget=10000"], report)
    if not target.exists() or target.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no PDF to {target}")
    return target


def screenshot(report: Path, target: Path, width: int = 1280, height: int = 1600) -> Path:
    """The first screen of the report at `width` CSS pixels, as PNG."""
    _run([f"--screenshot={target}", f"--window-size={width},{height}", "--virtual-time-budget=10000"], report)
    return target


def dump_dom(page: Path, width: int, height: int = 1200) -> str:
    """The page's DOM after its scripts ran, at a window `width` CSS pixels wide."""
    return _run(["--dump-dom", f"--window-size={width},{height}", "--virtual-time-budget=15000"], page)

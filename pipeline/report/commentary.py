"""The analyst's commentary in the report: references resolved against this run's published figures, hand-typed
numbers checked against them, and set-aside findings kept with their reasons (the file: pipeline.inputs.commentary).

A reference renders with the report's own number format, so a rerun on new data updates it. A number typed by hand
(not a year or a date) that equals no published figure of its chapter, its tables' cells or its findings' figures
and sentences, is reported in the run's output and the data notes appendix with the nearest published figure. The
analyst's words are rendered with any HTML escaped (pipeline.report.markup) and shown apart from the generated text,
attributed to the partnership.
"""
from __future__ import annotations

import csv
import hashlib
import math
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from pipeline import formatting as fmt
from pipeline.chapters.registry import REGISTRY, Finding
from pipeline.errors import ConfigError, InputDataError
from pipeline.fileio import write_text
from pipeline.inputs.commentary import REFERENCE, Commentary, Reference, SetAside, commentary_path, read_commentary
from pipeline.report.markup import markdown_html

NUMBER = re.compile(r"(?<![\w.,/-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w/-]|,\d|\.\d)")
YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass
class Published:
    """The chapter's published figures: table cells by (table, row, column), headline figures by priority, and every
    number the chapter prints."""
    cells: dict[tuple[str, str, str], str] = field(default_factory=dict)
    headlines: dict[tuple[str, str], str] = field(default_factory=dict)
    numbers: dict[float, str] = field(default_factory=dict)  # value -> where it is published


def _shown(value: str, column: str) -> str:
    """A published CSV cell as the report shows it (a count with separators, a percent with its sign...)."""
    text = value.lstrip("'")
    for parse in (int, float):
        try:
            number = parse(text)
        except ValueError:
            continue
        return fmt.number(number, fmt.kind_of_column(column, number))
    return text


def _numbers_in(text: str) -> list[float]:
    return [float(m.group(1).replace(",", "") + (m.group(2) or "")) for m in NUMBER.finditer(text)]


def published(run_dir: Path, findings: list[Finding], chapter: str) -> Published:
    out = Published()
    for path in sorted((run_dir / "tables" / chapter).glob("*.csv")):
        table = re.sub(r"^\d+_", "", path.stem)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        for row in rows[1:]:
            for column, value in zip(rows[0][1:], row[1:]):
                shown = _shown(value, column)
                out.cells[(table, row[0].lstrip("'").lower(), column.lower())] = shown
                for number in _numbers_in(shown):
                    out.numbers.setdefault(number, f"table {table}, {row[0].lstrip(chr(39))}, {column}")
    for finding in findings:
        if finding.chapter != chapter:
            continue
        for name, value in finding.figures.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(float(value)):
                kind = "p" if name in ("p_value", "q_value", "bh_adjusted_p") else fmt.kind_of_column(name, value)
                shown = fmt.number(value, kind)
                if finding.headline:
                    out.headlines[(finding.priority, name.lower())] = shown
                for number in _numbers_in(shown):
                    out.numbers.setdefault(number, f"finding '{finding.text[:60]}'")
        for number in _numbers_in(finding.text):
            out.numbers.setdefault(number, f"finding '{finding.text[:60]}'")
    return out


def published_by_chapter(run_dir: Path, findings: list[Finding]) -> dict[str, Published]:
    """Every chapter's published figures (a chapter with findings or tables in the run)."""
    chapters = {f.chapter for f in findings} | {p.name for p in (run_dir / "tables").glob("*") if p.is_dir()}
    return {chapter: published(run_dir, findings, chapter) for chapter in sorted(chapters)}


def resolve(reference: Reference, chapter: str, tables: dict[str, Published], headlines: dict[tuple[str, str], str],
            file: Path) -> str:
    parts = reference.parts
    if "|" not in reference.key and len(parts) == 3 and parts[0].lower() == "headline":
        found = headlines.get((parts[1].lower(), parts[2].lower()))
    elif len(parts) == 4 and parts[0].lower() in tables:
        found = tables[parts[0].lower()].cells.get((parts[1].lower(), parts[2].lower(), parts[3].lower()))
    else:
        found = None
    if found is None:
        raise InputDataError(file, f"line {reference.line}: the reference '{{{{{reference.key}}}}}' names no published "
                             f"figure of this run (chapter '{chapter}').",
                             "use a key from references.md in the run's folder, which lists every one with its value.")
    return found


NOT_IN_PARTIAL_RUN = "[a figure of a chapter this partial run leaves out]"


def _elsewhere(reference: Reference, ran: tuple[str, ...], tables: dict[str, Published],
               headlines: dict[tuple[str, str], str]) -> bool:
    """In a partial run, a reference to a chapter left out (or a headline no chapter run has): the full run checks it."""
    parts = [part.lower() for part in reference.parts]
    if len(parts) == 4 and parts[0] in REGISTRY:
        return parts[0] not in ran
    return len(parts) == 3 and parts[0] == "headline" and not any(key[0] == parts[1] for key in headlines)


@dataclass
class Rendered:
    html: dict[str, str] = field(default_factory=dict)  # chapter -> the commentary box
    stale: list[str] = field(default_factory=list)  # sentences for the run's output and the data notes
    set_aside: list[tuple[SetAside, Finding | None]] = field(default_factory=list)
    sha256: str = ""  # of the commentary file, for the run's manifest


def _stale_numbers(text: str, chapter: str, figures: Published) -> list[str]:
    out = []
    for match in NUMBER.finditer(REFERENCE.sub(" ", text)):
        typed = match.group(0)
        value = float(typed.replace(",", ""))
        if YEAR.match(typed) or value < 10 or value in figures.numbers or not figures.numbers:
            continue
        nearest = min(figures.numbers, key=lambda v: abs(v - value) / max(abs(value), 1))
        out.append(f"commentary for {chapter} quotes {typed}; no published figure of the chapter says {typed} now "
                   f"(nearest: {fmt.count(nearest) if float(nearest).is_integer() else nearest}, "
                   f"{figures.numbers[nearest]}): write it as a reference or correct it.")
    return out


def render(commentary: Commentary, run_dir: Path, findings: list[Finding], area_name: str,
           tables: dict[str, Published] | None = None, ran: tuple[str, ...] | None = None) -> Rendered:
    """Each chapter's commentary box, the stale numbers, and each set-aside line with the finding it matches.
    `tables`: published_by_chapter of the run, when the caller has read it already. `ran`: the chapters of a partial
    run (`--only`); the sections and set-aside lines of the others are left for the full run."""
    rendered = Rendered()
    tables = published_by_chapter(run_dir, findings) if tables is None else tables
    headlines = {key: value for figures in tables.values() for key, value in figures.headlines.items()}
    for chapter, text in commentary.sections.items():
        if ran is not None and chapter not in ran:
            continue
        figures = tables.get(chapter) or Published()
        lines = text.splitlines()
        start = commentary.first_lines[chapter]
        for offset, line in enumerate(lines):
            def figure(match: re.Match, number: int = start + offset) -> str:
                reference = Reference(number, match.group(1).strip())
                if ran is not None and _elsewhere(reference, ran, tables, headlines):
                    return NOT_IN_PARTIAL_RUN
                return fmt.literal(resolve(reference, chapter, tables, headlines, commentary.file))
            lines[offset] = REFERENCE.sub(figure, line)
        rendered.stale += _stale_numbers(text, chapter, figures)
        body = markdown_html("\n".join(lines))
        rendered.html[chapter] = (f'<aside class="analyst-commentary" aria-label="Analyst\'s commentary"><p class='
                                  f'"commentary-by"><strong>Analyst\'s commentary</strong> from the {escape(area_name)} '
                                  f"partnership, written for this assessment (not generated; its figures are this run's)</p>"
                                  f"{body}</aside>")
    for entry in commentary.set_aside:
        if ran is not None and entry.chapter not in ran:
            continue
        matches = [f for f in findings if f.chapter == entry.chapter and entry.words.lower() in f.text.lower()]
        rendered.set_aside.append((entry, matches[0] if matches else None))
        if not matches:
            rendered.stale.append(f"the set-aside line {entry.line} of {commentary.file.name} (\"{entry.words}\") matches no "
                                  f"finding of {entry.chapter} now: the finding changed or is gone.")
    return rendered


def is_set_aside(finding: Finding, rendered: Rendered | None) -> bool:
    return bool(rendered) and any(match is finding for _, match in rendered.set_aside)


def set_aside_appendix(rendered: Rendered | None, area_name: str) -> str:
    """The appendix of generated findings the analyst set aside, each with its reason (never deleted)."""
    if not rendered or not rendered.set_aside:
        return ""
    rows = "".join(
        f'<tr><td class="text">{escape(REGISTRY[entry.chapter].title)}</td><td class="text">'
        f'{escape(match.text) if match else "(no finding matches now: " + escape(entry.words) + ")"}</td>'
        f'<td class="text">{escape(entry.reason)}</td></tr>' for entry, match in rendered.set_aside)
    return (f"# Findings set aside by the analyst\n\nGenerated findings that the analyst of {fmt.literal(area_name)} "
            "set aside in the commentary file, with the reason given. They are left out of the executive summary, not "
            "deleted: the chapter still shows each.\n\n<table class=\"report-table\"><caption>Findings set aside, with "
            "the analyst's reasons</caption><thead><tr><th>Chapter</th><th>Finding as generated</th><th>Reason</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>\n")


def references_listing(run_dir: Path, findings: list[Finding], tables: dict[str, Published] | None = None) -> str:
    """references.md: every reference a commentary may use in this run, with its value now."""
    tables = published_by_chapter(run_dir, findings) if tables is None else tables
    lines = ["# Figures a commentary can refer to", "", "Headline figures, by priority:", ""]
    seen = {key: value for figures in tables.values() for key, value in figures.headlines.items()}
    lines += [f"- `{{{{headline.{p}.{name}}}}}` = {value}" for (p, name), value in sorted(seen.items())]
    for chapter, figures in tables.items():
        cells = figures.cells
        if cells:
            lines += ["", f"## {chapter}", ""]
            lines += [f"- `{{{{{chapter} | {t} | {r} | {c}}}}}` = {v}" for (t, r, c), v in cells.items()]
    return "\n".join(lines) + "\n"


def for_run(config_path: Path, name: str, period_end: str, named: str | None, out_dir: Path, findings: list[Finding],
            area_name: str, chapters: tuple[str, ...], ran: tuple[str, ...] | None = None) -> tuple[Rendered | None, Path]:
    """The commentary of this configuration and period rendered against the run in `out_dir` (None when there is no
    file and the configuration names none); references.md, what a commentary can refer to, is written either way."""
    tables = published_by_chapter(out_dir, findings)
    write_text(references_listing(out_dir, findings, tables), out_dir / "references.md")
    path = commentary_path(config_path, name, period_end, named)
    if not path.is_file():
        if named:
            raise ConfigError(path, "the commentary file named in the configuration does not exist.",
                              "correct 'commentary' (relative to the configuration's folder) or remove it.")
        return None, path
    rendered = render(read_commentary(path, chapters), out_dir, findings, area_name, tables, ran)
    rendered.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    return rendered, path

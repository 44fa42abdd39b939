"""The analyst's commentary: Markdown per chapter, written beside the configuration, one file per assessment period.

A commentary file has a section per chapter, headed by the chapter's name (`## violence`), holding the analyst's
own paragraphs. A figure is written as a reference to a published figure, so a rerun updates it:

- `{{headline.violence.this_year}}`: a figure of a priority's headline finding (the priority's key, as in the
  executive summary's table: overall, strategic, acquisitive, violence, asb, domestic, reoffending);
- `{{violence | <table> | <row> | <column>}}`: a cell of a chapter's published tables (any chapter's), the table
  named by its published file's name without its number (`crime-in-cambridge-by-police-uk-crime-type`), the row by
  its first cell.

Text before the first chapter heading (a title, notes to oneself) is not shown.

A section headed `## set aside` lists generated findings the analyst sets aside, one per line:
`- <chapter>: "<words the finding contains>": <reason>`. The report keeps each in an appendix with the reason.

This module reads and checks the file's shape (pipeline.report.commentary resolves the references against a run).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputDataError

REFERENCE = re.compile(r"\{\{(.*?)\}\}")
SET_ASIDE_HEADING = "set aside"
SET_ASIDE_LINE = re.compile(r'^\s*[-*]\s*([a-z_]+)\s*:\s*"([^"]+)"\s*[:\u2014-]\s*(.+?)\s*$')
FIX = ("head each section with a chapter's name ('## violence'), write references as {{headline.<priority>.<figure>}} "
       "or {{<chapter> | <table> | <row> | <column>}}, and set-aside lines as - <chapter>: \"<words>\": <reason>; the "
       "README's 'Commentary' section shows a file.")


@dataclass(frozen=True)
class Reference:
    line: int
    key: str  # as written, stripped

    @property
    def parts(self) -> list[str]:
        return [p.strip() for p in self.key.split("|")] if "|" in self.key else self.key.split(".")


@dataclass(frozen=True)
class SetAside:
    line: int
    chapter: str
    words: str
    reason: str


@dataclass
class Commentary:
    file: Path
    sections: dict[str, str] = field(default_factory=dict)  # chapter name -> the analyst's Markdown
    first_lines: dict[str, int] = field(default_factory=dict)  # chapter name -> the line its text starts on
    set_aside: list[SetAside] = field(default_factory=list)

    def references(self, chapter: str) -> list[Reference]:
        start = self.first_lines.get(chapter, 1)
        out = []
        for offset, text in enumerate(self.sections.get(chapter, "").splitlines()):
            out += [Reference(start + offset, m.group(1).strip()) for m in REFERENCE.finditer(text)]
        return out


def commentary_path(config_path: Path, config_name: str, period_end: str, named: str | None) -> Path:
    """The commentary file for this configuration and period: `commentary:` in the configuration (relative to the
    configuration's folder, `{period_end}` replaced), else commentary/<name>-<period end>.md beside it."""
    pattern = named or f"commentary/{config_name}-{{period_end}}.md"
    return (config_path.parent / pattern.replace("{period_end}", period_end)).resolve()


def read_commentary(path: Path, chapters: tuple[str, ...]) -> Commentary:
    """The file's sections by chapter and its set-aside lines; every problem an InputDataError naming the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputDataError(path, "is not UTF-8 text.", "save the commentary as UTF-8 (plain text).") from None
    result, current, body = Commentary(path), None, []

    def close() -> None:
        if current and current != SET_ASIDE_HEADING:
            result.sections[current] = "\n".join(body).rstrip()  # leading blank lines kept: line numbers hold

    for number, line in enumerate(text.splitlines(), start=1):
        heading = re.match(r"^##\s+(.+?)\s*$", line)
        if heading:
            close()
            current, body = heading.group(1).strip().lower(), []
            if current != SET_ASIDE_HEADING and current not in chapters:
                raise InputDataError(path, f"line {number}: '{heading.group(1)}' is not a chapter (one of "
                                     f"{', '.join(chapters)}, or '{SET_ASIDE_HEADING}').", FIX)
            if current in result.sections or (current in result.first_lines):
                raise InputDataError(path, f"line {number}: the chapter '{current}' has a second section.", FIX)
            result.first_lines[current] = number + 1
            continue
        if current is None:  # a title and notes before the first chapter heading are the analyst's own, not shown
            continue
        if current == SET_ASIDE_HEADING:
            if line.strip():
                result.set_aside.append(_set_aside(path, number, line, chapters))
            continue
        if line.count("{{") != line.count("}}"):
            raise InputDataError(path, f"line {number}: a reference is not closed with }}}}.", FIX)
        body.append(line)
    close()
    return result


def _set_aside(path: Path, number: int, line: str, chapters: tuple[str, ...]) -> SetAside:
    found = SET_ASIDE_LINE.match(line)
    if not found:
        raise InputDataError(path, f"line {number}: a set-aside line needs a chapter, the quoted words of the finding "
                             "and a reason.", FIX)
    chapter, words, reason = found.groups()
    if chapter not in chapters:
        raise InputDataError(path, f"line {number}: '{chapter}' is not a chapter ({', '.join(chapters)}).", FIX)
    return SetAside(number, chapter, words, reason)

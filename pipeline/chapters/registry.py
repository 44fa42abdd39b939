"""The chapters of the assessment, in report order: the one list the runner, the `--only` choices, the
notebook refresh script, the data-gaps logic and the tests read.

A chapter is one module in this package with one contract (README, "Adding a chapter"):
`build(ctx) -> result` returns numbers (a dataclass of frames and values, nothing formatted), and
`findings(result) -> list[Finding]` returns structured findings. Its notebook is thin: narrative, a
`parameters` cell, `result = chapter.build(ctx)` and display.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType

# The plan's priorities, which findings are filed under (the executive summary groups by them).
PRIORITIES = {
    "overall": "Crime and disorder overall",
    "strategic": "Mental health, alcohol and drugs in violence and ASB",
    "acquisitive": "Personal acquisitive crime",
    "violence": "Alcohol-related violence",
    "asb": "Anti-social behaviour",
    "domestic": "Domestic abuse",
    "reoffending": "Re-offending",
    "targets": "Progress against the plan's targets",
    "data": "Data quality and gaps",
}
DIRECTIONS = {"up", "down", "no change", "association", "no association", "gap", "context", "met", "missed",
              "on track", "off track", "not assessable"}


@dataclass(frozen=True)
class Finding:
    """One finding: the sentence, the figures it rests on (numbers, by name), the plan priority it concerns
    and its direction or status, so that a summary can gather and rank findings without parsing text."""

    chapter: str
    priority: str
    text: str
    figures: dict[str, float | int | str | None] = field(default_factory=dict)
    direction: str = "context"
    section: str = ""

    def __post_init__(self) -> None:
        if self.priority not in PRIORITIES:
            raise ValueError(f"unknown priority '{self.priority}' (one of {', '.join(PRIORITIES)})")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"unknown direction '{self.direction}' (one of {', '.join(sorted(DIRECTIONS))})")


@dataclass(frozen=True)
class Chapter:
    """A registry entry: what the chapter is called, its notebook and the processed tables it reads."""

    name: str
    title: str
    notebook: str
    tables: tuple[str, ...]

    def module(self) -> ModuleType:
        """The chapter's module (imported on first use, so the runner stays light)."""
        return importlib.import_module(f"pipeline.chapters.{self.name}")


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("data_quality", "Data and data quality", "01_data_quality.ipynb",
            ("data_quality", "rejects", "geography", "denominators")),
    Chapter("crime_overview", "Crime overview", "02_crime_overview.ipynb",
            ("crimes", "denominators", "police_records", "asb_cases", "ae_assaults", "iom_cohort", "service_activity")),
    Chapter("strategic_priority", "Strategic priority: mental health, alcohol and drugs", "03_strategic_priority.ipynb",
            ("police_records", "asb_cases", "ae_assaults", "iom_cohort", "service_activity", "health_indicators",
             "offence_codes")),
    Chapter("violence", "Alcohol-related violence: city centre, hotspots and A&E", "04_violence.ipynb",
            ("crimes", "police_records", "ae_assaults", "geography", "boundaries")),
    Chapter("acquisitive", "Personal acquisitive crime: emerging trends", "05_acquisitive.ipynb",
            ("crimes", "police_records")),
    Chapter("asb", "Anti-social behaviour", "06_asb.ipynb", ("crimes", "asb_cases", "geography", "boundaries")),
    Chapter("domestic", "Domestic abuse", "07_domestic.ipynb", ("police_records", "denominators")),
    Chapter("reoffending", "Re-offending: the IOM cohort", "08_reoffending.ipynb", ("iom_cohort", "police_records")),
)
REGISTRY: dict[str, Chapter] = {chapter.name: chapter for chapter in CHAPTERS}


def chapters_reading(table: str) -> list[str]:
    """Titles of the chapters that read a processed table (for saying what a missing source affects)."""
    return [chapter.title for chapter in CHAPTERS if table in chapter.tables]

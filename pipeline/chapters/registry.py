"""The chapters of the assessment, in report order: the one list the runner, the `--only` choices, the
notebook refresh script, the data-gaps logic and the tests read.

A chapter is one module in this package with one contract (README, "Adding a chapter"):
`build(ctx) -> result` returns numbers (a dataclass of frames and values, nothing formatted), and
`findings(result) -> list[Finding]` returns structured findings. Its notebook is thin: narrative, a
`parameters` cell, `result = chapter.build(ctx)` and display.
"""
from __future__ import annotations

import importlib
import json
import math
import numbers
from dataclasses import asdict, dataclass, field
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
    "serious_violence": "Serious violence",
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
    headline: bool = False  # the priority's headline measure (figures as headline_figures makes them)
    summary: str = ""  # the finding in plain words for the executive summary, when `text` is technical

    @property
    def plain(self) -> str:
        return self.summary or self.text

    def __post_init__(self) -> None:
        if self.priority not in PRIORITIES:
            raise ValueError(f"unknown priority '{self.priority}' (one of {', '.join(PRIORITIES)})")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"unknown direction '{self.direction}' (one of {', '.join(sorted(DIRECTIONS))})")


def _plain(value: object) -> object:
    """A figure as JSON holds it: numpy numbers become Python numbers, NaN becomes null."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return None if math.isnan(float(value)) else float(value)
    return str(value)


def findings_json(findings: list[Finding]) -> str:
    """Findings as JSON (the run keeps each chapter's under findings/, for the executive summary)."""
    rows = [asdict(f) | {"figures": {k: _plain(v) for k, v in f.figures.items()}} for f in findings]
    return json.dumps(rows, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def findings_from_json(text: str) -> list[Finding]:
    return [Finding(**row) for row in json.loads(text)]


RECORDING_EFFECT = "recording effect"  # a change its chapter judged a change in recording, not in behaviour
SCREENS = ("beyond natural variation", "within natural variation", "too few to tell", RECORDING_EFFECT)


def screen_of(beyond: str) -> str:
    """A table's 'Beyond natural variation' cell ('yes', 'no', 'too few to tell') in the words of SCREENS."""
    return {"yes": SCREENS[0], "no": SCREENS[1]}.get(beyond, SCREENS[2])


def headline_figures(measure: str, this_year: int, last_year: int | None = None, change: int | None = None,
                     change_percent: float | None = None, screen: str | None = None, period: str | None = None,
                     comparison: str | None = None) -> dict:
    """The figures of a headline finding, by the names the executive summary reads: what is counted, this
    year's count and, where there is a comparison, last year's, the change and its natural-variation screen;
    the period counted; and, where the change is not a comparison with last year, what it is (`comparison`)."""
    if screen is not None and screen not in SCREENS:
        raise ValueError(f"unknown screen '{screen}' (one of {', '.join(SCREENS)})")
    figures = {"measure": measure, "this_year": int(this_year)}
    figures |= {k: v for k, v in (("period", period), ("comparison", comparison)) if v}
    if last_year is not None:
        figures |= {"last_year": int(last_year), "change": int(change), "change_percent": float(change_percent),
                    "screen": screen}
    return figures


def series_figure(labels: list[str], counts: list[int]) -> str:
    """A headline's yearly counts, oldest first, as one figure: 'Apr 2020 - Mar 2021=12901|...'."""
    return "|".join(f"{label}={int(count)}" for label, count in zip(labels, counts, strict=True))


def series_of(figures: dict) -> list[tuple[str, int]]:
    """The yearly counts a headline carries (series_figure), oldest first; empty when it carries none."""
    text = figures.get("series") or ""
    return [(label, int(count)) for label, count in (part.rsplit("=", 1) for part in text.split("|") if "=" in part)]


@dataclass(frozen=True)
class Chapter:
    """A registry entry: what the chapter is called, its notebook and the processed tables it reads."""

    name: str
    title: str
    notebook: str
    tables: tuple[str, ...]
    appendix: bool = False  # shown after the chapters, as an appendix of the report
    # Seconds the chapter took on the demo data (one core, warm kernel): only the order in which a first run
    # queues the chapters, longest first, so that two workers finish together. Later runs use their own timings.
    typical_seconds: float = 1.0
    reads_targets: bool = False  # shows the plan's targets or activities: its cache key reads them (chapter_cache)
    standalone: str = ""  # the document's title when the chapter is run on its own (`--only`), if it is one

    def module(self) -> ModuleType:
        """The chapter's module (imported on first use, so the runner stays light)."""
        return importlib.import_module(f"pipeline.chapters.{self.name}")


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("data_quality", "Data and data quality", "01_data_quality.ipynb",
            ("data_quality", "rejects", "geography", "denominators"), appendix=True, typical_seconds=0.1),
    Chapter("crime_overview", "Crime overview", "02_crime_overview.ipynb",
            ("crimes", "denominators", "police_records", "asb_cases", "ae_assaults", "iom_cohort", "service_activity",
             "plan_activity", "harm_weights_by_type", "offence_codes", "peer_groups"), typical_seconds=1.1,
            reads_targets=True),
    Chapter("strategic_priority", "Strategic priority: mental health, alcohol and drugs", "03_strategic_priority.ipynb",
            ("police_records", "asb_cases", "ae_assaults", "iom_cohort", "service_activity", "health_indicators",
             "offence_codes"), typical_seconds=1.9),
    Chapter("violence", "Alcohol-related violence: city centre, hotspots and A&E", "04_violence.ipynb",
            ("crimes", "police_records", "ae_assaults", "geography", "boundaries"), typical_seconds=2.1, reads_targets=True),
    Chapter("acquisitive", "Personal acquisitive crime: emerging trends", "05_acquisitive.ipynb",
            ("crimes", "police_records"), typical_seconds=3.1, reads_targets=True),
    Chapter("asb", "Anti-social behaviour", "06_asb.ipynb", ("crimes", "asb_cases", "geography", "boundaries",
            "denominators", "peer_groups"), typical_seconds=0.7),
    Chapter("domestic", "Domestic abuse", "07_domestic.ipynb", ("police_records", "denominators", "peer_groups"),
            typical_seconds=0.5),
    Chapter("reoffending", "Re-offending: the IOM cohort", "08_reoffending.ipynb", ("iom_cohort", "police_records",
            "harm_weights_by_code", "harm_weights_by_type", "offence_codes"), typical_seconds=0.4),
    Chapter("serious_violence", "Serious violence: the Serious Violence Duty needs assessment", "09_serious_violence.ipynb",
            ("crimes", "police_records", "ae_assaults", "population_by_age", "denominators", "offence_codes", "geography",
             "boundaries"), typical_seconds=2.0,
            standalone="{area}: Serious Violence Strategic Needs Assessment (Serious Violence Duty, Police, Crime, "
                       "Sentencing and Courts Act 2022, Part 2)"),
    Chapter("outcomes", "What happened after the crime: police.uk outcomes", "10_outcomes.ipynb",
            ("crimes", "outcomes", "data_quality", "denominators", "peer_groups"), typical_seconds=5.0),
)
REGISTRY: dict[str, Chapter] = {chapter.name: chapter for chapter in CHAPTERS}


def chapters_reading(table: str) -> list[str]:
    """Titles of the chapters that read a processed table (for saying what a missing source affects)."""
    return [chapter.title for chapter in CHAPTERS if table in chapter.tables]

"""The year's quarterly deep dives, as configuration under `deep_dives:` (the continuous-assessment model of the
county's research team: one priority topic analysed in depth each quarter, timed before its seasonal peak, the four
building into the statutory assessment).

A topic is a chapter whose subject police.uk records carry month by month (CHAPTER_TOPICS), or a theme the
configuration names as a list of police.uk crime types:

    deep_dives:
      themes:
        Theft and handling: [Shoplifting, Other theft, Theft from the person]
      plan:
        2024Q3: acquisitive
        2024Q4: violence
"""
from __future__ import annotations

import re
from typing import Annotated

import pandas as pd
from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from pipeline.inputs.police_uk import CRIME_TYPES

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
Quarter = Annotated[str, StringConstraints(pattern=QUARTER.pattern)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
# The chapters a deep dive can take as its topic, with the police.uk crime types that are their subject (police.uk is
# the one source with every month of every year; the chapters' partner extracts may hold one year).
CHAPTER_TOPICS = {
    "crime_overview": ("All police-recorded crime", tuple(t for t in CRIME_TYPES if t != "Anti-social behaviour")),
    "violence": ("Violence and sexual offences", ("Violence and sexual offences",)),
    "acquisitive": ("Personal acquisitive crime", ("Burglary", "Robbery", "Vehicle crime", "Theft from the person",
                                                   "Bicycle theft")),
    "asb": ("Anti-social behaviour", ("Anti-social behaviour",)),
}


def quarter_months(quarter: str) -> pd.PeriodIndex:
    """'2024Q4' -> the months October to December 2024."""
    year, number = QUARTER.match(quarter).groups()
    first = pd.Period(f"{year}-{3 * int(number) - 2:02d}", freq="M")
    return pd.period_range(first, periods=3, freq="M")


class DeepDivePlan(BaseModel):
    """themes: a named list of police.uk crime types a deep dive can take as its topic; plan: the topic of each
    quarter's deep dive (a chapter of CHAPTER_TOPICS or a theme), by quarter written like 2024Q4."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    themes: dict[Text, tuple[Text, ...]] = {}
    plan: dict[Quarter, Text] = {}

    @model_validator(mode="after")
    def _known_topics(self) -> "DeepDivePlan":
        for theme, types in self.themes.items():
            unknown = sorted(set(types) - set(CRIME_TYPES))
            if unknown or not types:
                raise ValueError(f"theme '{theme}' names {unknown or 'no crime types'}; a theme is a list of police.uk "
                                 f"crime types ({', '.join(CRIME_TYPES)})")
            if theme in CHAPTER_TOPICS:
                raise ValueError(f"theme '{theme}' has a chapter's name; give it another")
        for quarter, topic in self.plan.items():
            if topic not in self.topics():
                raise ValueError(f"the deep dive planned for {quarter}, '{topic}', is neither a chapter that can be a "
                                 f"topic ({', '.join(CHAPTER_TOPICS)}) nor a theme under deep_dives.themes")
        return self

    def topics(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Every topic a deep dive can take: name -> (what it is called in a document, its police.uk crime types)."""
        return CHAPTER_TOPICS | {name: (name, types) for name, types in self.themes.items()}

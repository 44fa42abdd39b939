"""How the executive summary rates a plan priority: from its outcomes, never from its activities.

A priority's rating is set by what happened to the problem it targets: its headline measure's change and
screen, its long-term trend, the rises, falls and associations its chapters found beyond chance, and its
outcome targets (counts of crimes or attendances). Activity targets (outputs: events attended, staff trained)
are delivery: shown beside the rating, never a reason for it. A fall seen only in a before/after comparison
without a comparison group cannot rate a priority green (Home Office (2011) Integrated Offender Management
Efficiency Toolkit; any cohort chosen for high offending falls by regression to the mean). The rules are
ordered and the first that applies sets the rating (RATING_RULES); each has a test in
tests/test_report_summary.py, including pairs of rules that both apply.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from pipeline.chapters.registry import PRIORITIES, RECORDING_EFFECT, Finding

# The plan priorities the summary rates, in the plan's order (targets and data are reported on their own).
RATED = ("overall", "strategic", "acquisitive", "violence", "asb", "domestic", "reoffending", "serious_violence")
MISSED = ("missed", "off track")
ASSESSED = ("met", "on track")


@dataclass(frozen=True)
class Rating:
    label: str
    reason: str


def headline(findings: list[Finding], priority: str) -> Finding | None:
    return next((f for f in findings if f.headline and f.priority == priority), None)


def plan_targets(findings: list[Finding]) -> list[Finding]:
    """The plan's targets and activities, one finding each, as the crime overview reports them."""
    return [f for f in findings if f.priority == "targets" and f.chapter == "crime_overview"]


def targets_for(findings: list[Finding], priority: str) -> list[Finding]:
    """The plan's outcome targets serving a priority (activity targets are `activities_for`)."""
    return [f for f in plan_targets(findings) if f.figures.get("plan_priority") == priority and not f.figures.get("activity")]


def activities_for(findings: list[Finding], priority: str) -> list[Finding]:
    """The plan's activity targets (outputs) serving a priority."""
    return [f for f in plan_targets(findings) if f.figures.get("plan_priority") == priority and f.figures.get("activity")]


@dataclass
class Evidence:
    """What the rules read of one priority."""

    top: Finding | None
    targets: list[Finding]
    rises: list[Finding] = field(default_factory=list)
    falls: list[Finding] = field(default_factory=list)
    before_after: list[Finding] = field(default_factory=list)
    associations: list[Finding] = field(default_factory=list)

    @property
    def measure(self) -> str:
        return str(self.top.figures.get("measure", "its headline measure")) if self.top else "its headline measure"

    @property
    def change(self) -> float | None:
        """The headline's change on last year, unless its chapter judged it a recording effect."""
        if self.top is None or self.top.figures.get("screen") == RECORDING_EFFECT:
            return None
        return self.top.figures.get("change")

    @property
    def trend_down(self) -> bool:
        return self.top is not None and self.top.figures.get("trend") == "downward"


def evidence(findings: list[Finding], priority: str) -> Evidence:
    own = [f for f in findings if f.priority == priority and not f.headline]
    falls = [f for f in own if f.direction == "down"]
    return Evidence(headline(findings, priority), targets_for(findings, priority),
                    rises=[f for f in own if f.direction == "up"],
                    falls=[f for f in falls if not f.figures.get("before_after_only")],
                    before_after=[f for f in falls if f.figures.get("before_after_only")],
                    associations=[f for f in own if f.direction == "association"])


def _missed_target(e: Evidence) -> str | None:
    missed = [t for t in e.targets if t.direction in MISSED and not t.figures.get("too_close_to_call")]
    return f"outcome targets missed or off track: {', '.join(t.figures['target'] for t in missed)}" if missed else None


def _close_calls(e: Evidence) -> str | None:
    close = [t for t in e.targets if t.direction in MISSED and t.figures.get("too_close_to_call")]
    return ("off track, but too close to call (the projection's interval holds the target): "
            + ", ".join(t.figures["target"] for t in close)) if close else None


def _headline_beyond(e: Evidence) -> str | None:
    if e.change is not None and e.change > 0 and e.top.figures.get("screen") == "beyond natural variation":
        return f"{e.measure} rose beyond natural variation"
    return None


def _part_rose(e: Evidence) -> str | None:
    return ("rises beyond chance in " + ", ".join(dict.fromkeys(f.section.lower() for f in e.rises))) if e.rises else None


def _headline_rose(e: Evidence) -> str | None:
    return f"{e.measure} rose, without enough evidence of a change" if e.change is not None and e.change > 0 else None


def _association(e: Evidence) -> str | None:
    return "associations beyond chance between the flags and violence or ASB" if e.associations else None


def _before_after_only(e: Evidence) -> str | None:
    if e.before_after and e.change is None and not e.falls and not any(t.direction in ASSESSED for t in e.targets):
        return ("the only fall is a before/after comparison without a comparison group, which cannot show the "
                "scheme's effect")
    return None


def _outcomes_held(e: Evidence) -> str | None:
    reasons = []
    if e.change is not None:
        reasons.append(f"{e.measure} fell or did not rise")
    if e.trend_down:
        reasons.append("its long-term trend is down")
    if e.falls:
        reasons.append("its findings show a fall")
    if any(t.direction in ASSESSED for t in e.targets):
        reasons.append("its outcome targets were met or are on track")
    return "; ".join(reasons) or None


def _nothing_to_judge(e: Evidence) -> str:
    return "no comparison with last year, no outcome target assessed and no change found"


@dataclass(frozen=True)
class Rule:
    label: str
    words: str
    applies: Callable[[Evidence], str | None]


RATING_RULES = (
    Rule("Red", "an outcome target was missed, or is off track beyond chance", _missed_target),
    Rule("Red", "its headline measure rose beyond natural variation", _headline_beyond),
    Rule("Amber", "part of it rose beyond chance (an alarm, a hotspot, a zone, a crime type, a trend)", _part_rose),
    Rule("Amber", "its headline measure rose, without enough evidence of a change", _headline_rose),
    Rule("Amber", "an outcome target is off track but too close to call", _close_calls),
    Rule("Amber", "an association beyond chance links the flags with violence or ASB", _association),
    Rule("Not rated", "its only fall is a before/after comparison without a comparison group", _before_after_only),
    Rule("Green", "its headline measure fell or did not rise, its trend is down, a fall was found, or its outcome "
                  "targets were met or are on track", _outcomes_held),
    Rule("Not rated", "nothing can be compared: no last year, no outcome target, no change", _nothing_to_judge),
)
ACTIVITIES_RULE = "Activity targets (outputs: events held, staff trained) are delivery and never set a rating."


def rate(findings: list[Finding], priority: str) -> Rating:
    """The first rule of RATING_RULES that applies to the priority, with the figures that made it apply."""
    found = evidence(findings, priority)
    for rule in RATING_RULES:
        reason = rule.applies(found)
        if reason:
            return Rating(rule.label, reason)
    raise AssertionError("the last rating rule always applies")


def tally(targets: list[Finding]) -> str:
    """'2 met, 1 missed, 1 not assessed': the targets by verdict, verdicts with none left out."""
    if not targets:
        return "no target"
    counts = {verdict: sum(t.direction == verdict for t in targets) for verdict in ("met", "on track", "missed", "off track")}
    counts["not assessed"] = len(targets) - sum(counts.values())
    return ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n)


def delivery(activities: list[Finding]) -> str:
    """The activity targets' tally, naming those missed or behind: '2 met, 1 missed (ASB publicity features: 9)'."""
    if not activities:
        return "none set"
    behind = [a for a in activities if a.direction in MISSED]
    named = "; ".join(f"{a.figures['target']}: {a.figures['Year to date']:,} against {a.figures.get('aim', '')}"
                      if isinstance(a.figures.get("Year to date"), int) else str(a.figures["target"]) for a in behind)
    return tally(activities) + (f" ({named})" if named else "")


def priority_rows(findings: list[Finding]) -> list[dict]:
    """One row per rated priority: the headline's numbers, the outcome targets, delivery and the rating."""
    rows = []
    for priority in RATED:
        top = headline(findings, priority)
        targets = targets_for(findings, priority)
        if top is None and not targets and not any(f.priority == priority for f in findings):
            continue
        rows.append({"priority": priority, "title": PRIORITIES[priority], "headline": top, "targets": tally(targets),
                     "delivery": delivery(activities_for(findings, priority)), "rating": rate(findings, priority)})
    return rows

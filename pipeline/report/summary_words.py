"""The executive summary's words: at most six key findings and eight recommendations, in plain words.

A key finding is a number, its change and what it means; the test, the p-value and the interval stay in the
chapter the finding links to (`plain_words` takes them out). Recommendations follow from the ratings and the
data gaps and are merged where they share a cause: one item for every priority to keep and watch, one for every
priority to review, one for the recording to complete and one listing the data the partnership lacks.
"""
from __future__ import annotations

import re

from pipeline import formatting as fmt
from pipeline.chapters.registry import Finding
from pipeline.report.summary_matrix import SECTION as MATRIX_SECTION
from pipeline.report.summary_matrix import new_candidates
from pipeline.report.summary_rules import RATED, priority_rows

OWN_CHAPTER = {"overall": "crime_overview", "strategic": "strategic_priority", "acquisitive": "acquisitive",
               "violence": "violence", "asb": "asb", "domestic": "domestic", "reoffending": "reoffending",
               "serious_violence": "serious_violence"}
WEIGHT = {"up": 3, "down": 3, "association": 3, "missed": 3, "off track": 3, "context": 1}
SEVERITY = {"Red": 0, "Amber": 1, "Green": 2, "Not rated": 3}
MAX_KEY_FINDINGS = 6
MAX_RECOMMENDATIONS = 8

# Statistical detail a board does not need on the summary page; the chapter keeps it.
_STATISTICAL = re.compile(
    r"\s*\((?:[^()]*\b(?:CI|p|q|test|BH|FDR|exceedance score|threshold)\b[^()]*|\d[\d.,]* to \d[\d.,]*)\)"
    r"|;?\s*recorded flags, not a cause", re.I)


def plain_words(text: str) -> str:
    """A finding's sentence without its intervals, tests and p-values, and 'w/c' spelled out."""
    text = _STATISTICAL.sub("", text)
    return re.sub(r"\bw/c\b", "week of", text).replace(" ,", ",").strip()


def key_findings(findings: list[Finding]) -> list[Finding]:
    """At most MAX_KEY_FINDINGS, one per priority: its strongest change or association (beyond chance; its own
    chapter first; then the smaller p-value), else its most telling context; priorities rated Red first.
    Headlines, targets and data gaps are in the tables and the recommendations."""
    order = {id(f): i for i, f in enumerate(findings)}
    ratings = {row["priority"]: row["rating"].label for row in priority_rows(findings)}
    chosen = []
    for priority in RATED:
        candidates = [f for f in findings if f.priority == priority and not f.headline and f.direction in WEIGHT
                      and f.section != MATRIX_SECTION]

        def strength(f: Finding) -> tuple:
            p = f.figures.get("p_value", f.figures.get("bh_adjusted_p"))
            return (-WEIGHT[f.direction], f.chapter != OWN_CHAPTER[priority], p if isinstance(p, float) else 1.0,
                    order[id(f)])
        if candidates:
            chosen.append(min(candidates, key=strength))
    chosen.sort(key=lambda f: (-WEIGHT[f.direction], SEVERITY.get(ratings.get(f.priority), 9), RATED.index(f.priority)))
    return sorted(chosen[:MAX_KEY_FINDINGS], key=lambda f: RATED.index(f.priority))


def _lower_first(title: str) -> str:
    """'Anti-social behaviour' -> 'anti-social behaviour', but 'ASB ...' stays."""
    return title[:1].lower() + title[1:] if title[1:2].islower() else title


def _plain_text(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"\1", text).strip()


def _extracts(text: str) -> list[str]:
    """The partner extracts a gap names: 'police_records.csv', or a contract ('contract police_records')."""
    return re.findall(r"\b[\w-]+\.csv\b", text) + [f"{name}.csv" for name in re.findall(r"\bcontract (\w+)", text)]


def _gap_name(gap: Finding) -> str:
    """What a data gap lacks, without the fix: 'Health indicators out of date'; a name of one or two words keeps
    its next clause ('Police-recorded ASB: no long-term trend')."""
    clauses = re.sub(r"\.$", "", _plain_text(gap.plain)).split(": ")
    return ": ".join(clauses[:2]) if len(clauses) > 1 and len(clauses[0].split()) < 3 else clauses[0]


def recommendations(findings: list[Finding]) -> list[str]:
    """At most MAX_RECOMMENDATIONS, none repeated: act on each Red priority; keep watching the Amber ones (one
    item); review the Green ones (one item); complete the recording of flags whose counts moved with recording
    (one item); obtain the data the partnership lacks (one item, listing it, the priorities it could not rate
    among it)."""
    rows = priority_rows(findings)
    by_label: dict[str, list[dict]] = {}
    for row in rows:
        by_label.setdefault(row["rating"].label, []).append(row)
    out = [f"**Keep {_lower_first(row['title'])} as a priority and act on it**: {row['rating'].reason}."
           for row in by_label.get("Red", [])]
    out += new_candidates(findings)
    if by_label.get("Amber"):
        ambers = by_label["Amber"]
        keep = " as a priority and watch it**" if len(ambers) == 1 else " as priorities and watch them**"
        out.append("**Keep " + fmt.in_words([_lower_first(r["title"]) for r in ambers]) + keep +
                   ": rated Amber (reasons in the priorities table).")
    if by_label.get("Green"):
        greens = by_label["Green"]
        out.append("**Review whether " + fmt.in_words([_lower_first(r["title"]) for r in greens]) +
                   (" still needs" if len(greens) == 1 else " still need") + " priority status**, monitoring " +
                   ("it" if len(greens) == 1 else "them") + " in the quarterly performance report: rated Green "
                   "(reasons in the priorities table).")
    gaps = [f for f in findings if f.direction == "gap"]
    recording = [g for g in gaps if "completeness_after" in g.figures]
    if recording:
        found = [m for g in recording for m in re.findall(r"^(.*?): recording of the (.+?) flag", _plain_text(g.plain))]
        by_source: dict[str, list[str]] = {}
        for source, flag in found:
            by_source.setdefault(source.lower(), []).append(flag)
        flags = "; ".join(f"the {fmt.in_words(list(dict.fromkeys(names)))} flag{'s' if len(set(names)) > 1 else ''} in "
                          f"{source} records" for source, names in by_source.items())
        out.append(f"**Complete the recording** of {flags or 'the flags whose counts moved with recording'}: their "
                   "counts moved with recording, so the next assessment can read a trend only if every record has them.")
    others = [g for g in gaps if "completeness_after" not in g.figures]
    missing = list(dict.fromkeys(name for g in others if "not supplied" in g.plain for name in _extracts(g.plain)))
    lacking = ([f"the extracts not supplied ({', '.join(missing)})"] if missing else [])
    lacking += [_lower_first(_gap_name(g)) for g in others
                if not ("not supplied" in g.plain and _extracts(g.plain))]
    unrated = by_label.get("Not rated", [])
    lacking += [f"a comparison group to judge {_lower_first(r['title'])}" for r in unrated if "before/after" in r["rating"].reason]
    blind = [_lower_first(r["title"]) for r in unrated if "before/after" not in r["rating"].reason]
    if blind:
        lacking.append(f"a year to compare with and outcome targets to judge {fmt.in_words(blind)}, which cannot be rated")
    if lacking:
        out.append("**Obtain the data the partnership lacks** (each chapter's gaps give the fix): "
                   + "; ".join(dict.fromkeys(lacking)) + ".")
    out = list(dict.fromkeys(out))
    if len(out) > MAX_RECOMMENDATIONS:  # many Red priorities: one item acting on them all
        reds = len(by_label["Red"])
        merged = ("**Keep " + fmt.in_words([_lower_first(r["title"]) for r in by_label["Red"]]) + " as priorities and act on "
                  "them**: " + "; ".join(f"{_lower_first(r['title'])}: {r['rating'].reason}" for r in by_label["Red"]) + ".")
        out = [merged, *out[reds:]]
    return out

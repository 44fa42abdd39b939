"""The priority-setting matrix in the executive summary, from the crime overview's candidate findings: each
candidate's criterion scores, weighted score and rank with its bootstrap interval, the rules under the table, and
the recommendation to consider a candidate that is not a current priority but ranks in the top three."""
from __future__ import annotations

from html import escape

from pipeline import formatting as fmt
from pipeline.analysis.priority_matrix import (CHANGE_BANDS, CRITERIA, FINDING_SECTION, MIDDLE, NOT_SCORED,
                                               REPEAT_BANDS, SHARE_BANDS, TOP, TREND_BANDS)
from pipeline.chapters.registry import Finding

SECTION = FINDING_SECTION
SHORT = {"Harm share": "Harm", "Volume": "Volume", "Change since last year": "Change", "Long-term trend": "Trend",
         "Repeat victims": "Repeat victims", "Public concern": "Public concern", "Ability to act": "Ability to act"}


def candidate_findings(findings: list[Finding]) -> list[Finding]:
    return sorted((f for f in findings if f.section == SECTION and "rank" in f.figures),
                  key=lambda f: (f.figures["rank"], str(f.figures["candidate"])))


def _bands(cuts: tuple[float, float, float], unit: str) -> str:
    a, b, c = (f"{x:g}" for x in cuts)
    return f"1 below {a}{unit}, 2 from {a}{unit}, 3 from {b}{unit}, 4 from {c}{unit}"


def rules(first: Finding) -> str:
    """The criteria, their bands and weights, and how the ranking's uncertainty is shown, from the figures (the crime
    overview's 'Candidate priorities' section gives them at length)."""
    weights = ", ".join(f"{SHORT[k].lower()} {first.figures.get(f'weight {k}', 1.0):g}" for k in CRITERIA)
    harm = ("share of harm-weighted crime" if first.figures.get("harm_weighted")
            else f"not scored ({MIDDLE}): no harm weighting is configured")
    source = str(first.figures.get("board_source") or "")
    board = f" ({escape(source)})" if source else ""
    return (f'<div class="rating-rule"><strong>How the matrix scores</strong> (MoRiLE-style): 1 to 4 on each criterion, '
            f"the score the weighted mean (weights: {weights}). <em>Harm</em>: {harm}; <em>volume</em>: share of crime "
            f"and ASB (both {_bands(SHARE_BANDS, '%')}). <em>Change</em> ({_bands(CHANGE_BANDS, '%')}) and "
            f"<em>trend</em> ({_bands(TREND_BANDS, '% a year')}) score only when beyond natural variation, else {MIDDLE}. "
            f"<em>Repeat victims</em>: {_bands(REPEAT_BANDS, '%')} of victims. <em>Public concern</em>, <em>ability to "
            f"act</em>: the board's scores{board}. Not measured: {MIDDLE}. <em>Rank interval</em>: 2.5th to 97.5th "
            f"percentile over {fmt.count(first.figures['resamples'])} Poisson resamples of every count; overlapping "
            f"intervals cannot be told apart. {escape(NOT_SCORED)}</div>")


def _score(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def matrix_html(findings: list[Finding]) -> str:
    """The matrix table and its rules; empty when the crime overview made no matrix."""
    rows = candidate_findings(findings)
    if not rows:
        return ""
    head = ("<tr><th>Candidate</th><th>Current priority</th>" + "".join(f"<th>{SHORT[k]}</th>" for k in CRITERIA)
            + "<th>Score</th><th>Rank (95% interval)</th></tr>")
    body = []
    for f in rows:
        g = f.figures
        rank = (str(g["rank"]) if g["rank_low"] == g["rank_high"] else f"{g['rank']} ({g['rank_low']}\u2013{g['rank_high']})")
        body.append(f'<tr><td class="text">{escape(str(g["candidate"]))}</td><td class="text">'
                    f'{"yes" if g["current"] else "<strong>no</strong>"}</td>'
                    + "".join(f'<td class="num">{_score(float(g[k]))}</td>' for k in CRITERIA)
                    + f'<td class="num"><strong>{float(g["Score"]):.2f}</strong></td><td class="num">{rank}</td></tr>')
    return (f'<table class="report-table summary-table matrix-table"><caption>Priority-setting matrix: candidate '
            f'priorities scored 1 (low) to 4 (high), highest score first</caption><thead>{head}</thead>'
            f'<tbody>{"".join(body)}</tbody></table>\n\n{rules(rows[0])}\n')


def new_candidates(findings: list[Finding]) -> list[str]:
    """The recommendation for each candidate that is not a current priority but ranks in the top three."""
    out = []
    for f in candidate_findings(findings):
        g = f.figures
        if g["current"] or g["rank"] > TOP:
            continue
        interval = "" if g["rank_low"] == g["rank_high"] else f" (95% interval {g['rank_low']} to {g['rank_high']})"
        out.append(f"**Consider {fmt.literal(g['candidate'])} as a priority**: not a current priority, it ranks {g['rank']}{interval} "
                   f"of {g['candidates']} candidates on the priority-setting matrix, scoring {float(g['Score']):.2f} of 4.")
    return out

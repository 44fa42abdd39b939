"""The priority-setting matrix in the executive summary, from the crime overview's candidate findings: each
candidate's criterion scores, weighted score and rank with its bootstrap interval, the rules under the table, and
the recommendation to consider a candidate that is not a current priority but ranks in the top three."""
from __future__ import annotations

from html import escape

from pipeline import formatting as fmt
from pipeline.analysis.priority_matrix import (CHANGE_BANDS, CRITERIA, MIDDLE, NOT_SCORED, REPEAT_BANDS, SHARE_BANDS,
                                               TOP, TREND_BANDS)
from pipeline.chapters.registry import Finding

SECTION = "Candidate priorities"
SHORT = {"Harm share": "Harm", "Volume": "Volume", "Change since last year": "Change", "Long-term trend": "Trend",
         "Repeat victims": "Repeat victims", "Public concern": "Public concern", "Ability to act": "Ability to act"}


def candidate_findings(findings: list[Finding]) -> list[Finding]:
    return sorted((f for f in findings if f.section == SECTION and "rank" in f.figures),
                  key=lambda f: (f.figures["rank"], str(f.figures["candidate"])))


def _bands(cuts: tuple[float, float, float], unit: str) -> str:
    a, b, c = (f"{x:g}" for x in cuts)
    return f"1 below {a}{unit}, 2 from {a}{unit}, 3 from {b}{unit}, 4 from {c}{unit}"


def rules(first: Finding) -> str:
    """The criteria, their bands and weights, and how the ranking's uncertainty is shown, from the figures."""
    weights = "; ".join(f"{escape(k)} {first.figures.get(f'weight {k}', 1.0):g}" for k in CRITERIA)
    harm = ("share of all harm-weighted crime (" + _bands(SHARE_BANDS, "%") + ")" if first.figures.get("harm_weighted")
            else f"not scored: no harm weighting is configured, so every candidate scores the middle ({MIDDLE})")
    source = str(first.figures.get("board_source") or "")
    board = f" ({escape(source)})" if source else ""
    return (f'<div class="rating-rule"><strong>How the matrix scores</strong> (the MoRiLE and 4 x 4 grid methods): each '
            f"candidate scores 1 (low) to 4 (high) on each criterion; its score is the weighted mean. "
            f"<em>Harm</em>: {harm}. <em>Volume</em>: share of all police-recorded crime and ASB "
            f"({_bands(SHARE_BANDS, '%')}). <em>Change</em> on last year ({_bands(CHANGE_BANDS, '%')}) and the "
            f"<em>long-term trend</em> a year ({_bands(TREND_BANDS, '%')}) score only when beyond natural variation "
            f"(exact test; trend interval excluding no change), else {MIDDLE}. <em>Repeat victims</em>: share of victims "
            f"with two or more cases where a partner extract gives it ({_bands(REPEAT_BANDS, '%')}). <em>Public "
            f"concern</em> and <em>ability to act</em>: the board's scores in the configuration{board}. A criterion not measured "
            f"for a candidate scores {MIDDLE}. Weights: {weights}. <em>Rank interval</em>: the 2.5th to 97.5th percentile "
            f"of each candidate's rank over {fmt.count(first.figures['resamples'])} resamples of every count (parametric "
            f"bootstrap, Poisson); overlapping intervals are orderings the data cannot separate. Candidates: the plan's "
            f"priorities and every crime type in the top {TOP} on volume, harm, change or rise. "
            f"{escape(NOT_SCORED)}</div>")


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
        rank = (str(g["rank"]) if g["rank_low"] == g["rank_high"] else f"{g['rank']} ({g['rank_low']} to {g['rank_high']})")
        body.append(f'<tr><td class="text">{escape(str(g["candidate"]))}</td><td class="text">'
                    f'{"yes" if g["current"] else "<strong>no</strong>"}</td>'
                    + "".join(f'<td class="num">{_score(float(g[k]))}</td>' for k in CRITERIA)
                    + f'<td class="num"><strong>{float(g["Score"]):.2f}</strong></td><td class="num">{rank}</td></tr>')
    return (f'## Priority-setting matrix\n\n<table class="report-table summary-table matrix-table"><caption>Candidate '
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

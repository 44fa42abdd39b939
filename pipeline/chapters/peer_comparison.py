"""What a chapter shows of the partnership against its Most Similar Group (pipeline.analysis.peers): the table, the
sentence under it and the finding; without configured peers, the note that the comparison districts are not one."""
from __future__ import annotations

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import peers
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding
from pipeline.inputs.peers import NOT_A_SIMILARITY_GROUP
from pipeline.methods.disclosure import protect

SECTION = "Against partnerships like this one"
ASB_MEASURE = "anti-social behaviour"
ALL_CRIME_MEASURE = "all crime (excluding ASB)"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def peer_rates(ctx: ChapterContext, measure: str, rows: pd.DataFrame, source: pd.DataFrame) -> peers.PeerRates | None:
    """`rows` of `measure` against the configured peers; `source` is every row of the source they come from (which
    peers it covers). None without peers, or when the source covers none of them."""
    groups = ctx.table("peer_groups")
    if groups is None or groups.empty:
        return None
    residents = ctx.table("denominators").set_index("district_code")["population_2021"]
    units = peers.units_of(groups, ctx.config.area_name, ctx.config.area_codes)
    return peers.compare(measure, rows, set(source["district_code"]), units, residents)


def police_uk_rates(ctx: ChapterContext, crimes: pd.DataFrame, asb_only: bool = False) -> list[peers.PeerRates]:
    """All crime (excluding ASB) and ASB in the latest twelve months of the police.uk rows, against the peers."""
    current = crimes[crimes["assessment_period"] == "current"]
    asb = current["crime_type"] == "Anti-social behaviour"
    measures = [(ALL_CRIME_MEASURE, current[~asb])] * (not asb_only) + [(ASB_MEASURE, current[asb])]
    compared = [peer_rates(ctx, measure, rows, crimes) for measure, rows in measures]
    return [c for c in compared if c is not None]


def table(result: peers.PeerRates | None, count_label: str) -> pd.DataFrame:
    """The partnership first, then its peers by rate: count, residents, rate with its interval and funnel position."""
    if result is None:
        return pd.DataFrame()
    frame = result.table.assign(order=result.table["role"].ne(peers.PARTNERSHIP),
                                value=[r.value for r in result.table["rate"]])
    frame = frame.sort_values(["order", "value"], ascending=[True, False])
    shown = pd.DataFrame({"Partnership": frame["unit"], count_label: frame["count"],
                          "Residents": frame["residents"].round().astype(int),
                          "Per 1,000 (95% CI)": frame["rate"],
                          "On the funnel (the group's rate)": frame["position"]})
    return protect(shown.reset_index(drop=True), counts=[count_label],
                   derived=["Per 1,000 (95% CI)", "On the funnel (the group's rate)"])


def _against(result: peers.PeerRates) -> str:
    """'1.49 times the peer group's rate (95% CI 1.46 to 1.52), higher than the peer group beyond chance'."""
    test = result.against_peers
    ratio = (f"{fmt.decimal(test.rate_ratio, 'ratio')} times the peer group's rate (95% CI "
             f"{fmt.interval(test.ratio_lower, test.ratio_upper, 'ratio')})")
    if result.verdict == "not different from":
        return f"{ratio}, not different from it beyond chance"
    return f"{ratio}, {result.verdict} the peer group beyond chance (exact test, p {fmt.p_value(test.p_value)})"


def words(result: peers.PeerRates, source: str) -> str:
    """The sentence under the table: the peer group's rate, the rank with its interval and what was left out."""
    mine = result.table.loc[result.table["role"] == peers.PARTNERSHIP, "unit"].iloc[0]
    text = (f"The peer group's rate (the peers pooled) is {result.peer_rate} per 1,000. {_capital(result.measure)} "
            f"in {fmt.literal(mine)}: {_against(result)}; rank {result.rank} of {result.units} (1 = highest; 95% "
            f"interval {result.rank_low} to {result.rank_high}). The funnel's centre line is the rate of the whole "
            "group, the partnership included.")
    if result.rank_high - result.rank_low >= max(2, result.units // 2):
        text += " The rank interval is wide: the ranking does not separate these partnerships reliably."
    if result.absent:
        text += (f" Not in the data supplied, so left out: {fmt.in_words([fmt.literal(a) for a in result.absent])}"
                 " (their police.uk files or records are needed).")
    return text + (f" Peers: {fmt.literal(source)}." if source else "")


def finding(chapter: str, result: peers.PeerRates | None, priority: str = "", section: str = SECTION) -> list[Finding]:
    """The comparison as a finding of the plan priority it concerns (ASB's for ASB, else overall unless given)."""
    if result is None:
        return []
    priority = priority or ("asb" if result.measure == ASB_MEASURE else "overall")
    mine = result.table[result.table["role"] == peers.PARTNERSHIP].iloc[0]
    text = (f"{_capital(result.measure)}: {mine['rate']} per 1,000 residents against the peer group's "
            f"{fmt.decimal(result.peer_rate.value, 'rate')}, {_against(result)}; rank {result.rank} of {result.units} "
            f"among the partnership and its peers (95% interval {result.rank_low} to {result.rank_high}).")
    test = result.against_peers
    figures = {"per_1000": mine["rate"].value, "peer_per_1000": result.peer_rate.value, "rate_ratio": test.rate_ratio,
               "p_value": test.p_value, "rank": result.rank, "rank_low": result.rank_low, "rank_high": result.rank_high,
               "units": result.units}
    return [Finding(chapter, priority, text, figures, "context", section)]


def note(ctx: ChapterContext, result: peers.PeerRates | None) -> str:
    """Why there is no peer comparison: no peers configured (the districts are not a similarity group), or the data
    do not cover any of them."""
    if not ctx.config.peers.configured:
        return NOT_A_SIMILARITY_GROUP
    if result is None:
        return ("Peers are configured, but the data supplied cover none of them: the comparison needs their "
                "police.uk files (or their records in the extract).")
    return ""

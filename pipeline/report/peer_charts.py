"""The partnership against its Most Similar Group, as a chapter shows it: for each measure a table, a funnel plot around
the group's rate (pipeline.report.plotting.funnel_chart, as on the partnerships index page), the rate ratio against the
peer group and the rank with its uncertainty; without peers, the note saying the comparison districts are not a
similarity group."""
from __future__ import annotations

from pipeline.analysis.peers import PeerRates
from pipeline.chapters import peer_comparison
from pipeline.report import plotting
from pipeline.report.display import Display


def show_peers(show: Display, compared: list[PeerRates], note: str, source: str, peers_source: str,
               count_label: str = "Crimes") -> None:
    """Each comparison in `compared` (none: `note`); `source` names the data under each funnel plot; counts are
    `count_label`, ASB's 'ASB incidents'."""
    if not compared:
        show.text(f"*{note}*" if note else "")
        return
    for rates in compared:
        caption = f"{rates.measure[:1].upper()}{rates.measure[1:]} per 1,000 residents: the partnership and its peers"
        label = "ASB incidents" if rates.measure == peer_comparison.ASB_MEASURE else count_label
        show.table(peer_comparison.table(rates, label), caption)
        plotting.show(plotting.funnel_chart(rates.points, caption, label="unit", common_label="the group's rate",
                                            source=f"{source}; ONS Census 2021 population (usual residents)"))
        show.text(peer_comparison.words(rates, peers_source))

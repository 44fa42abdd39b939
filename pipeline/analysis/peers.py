"""The partnership against its Most Similar Group: rates per 1,000 residents with exact (Garwood) intervals, the peer
group's rate and the partnership's rate ratio against it, each unit's funnel position and the partnership's rank with
its uncertainty.

- Against the peer group: the partnership's count against the peers' pooled count, residents as exposures, by the
  exact conditional test of two Poisson rates with the rate ratio's exact interval (pipeline.methods.statistics.
  compare_counts; Przyborowski and Wilenski 1940). A funnel around the peers' rate alone would ignore that rate's own
  uncertainty and reject too often (7% at a nominal 5% in tests/test_peers.py's simulation).
- Funnel: each unit against the rate of the whole group, the partnership included, with exact Poisson limits
  (Spiegelhalter 2005, Statistics in Medicine 24:1185-1202; pipeline.methods.funnel), as the partnerships index
  page draws it: a picture of where each stands, conservative for a unit because its own count is in the centre.
- Rank: 1 is the highest rate. Its 95% interval follows Marshall and Spiegelhalter (1998, BMJ 316:1701-1705) and
  Goldstein and Spiegelhalter (1996, JRSS A 159:385-443): each unit's rate is drawn from its posterior under a
  Jeffreys prior, Gamma(count + 1/2) / residents, the units ranked in each draw, and the 2.5th and 97.5th percentiles
  of the partnership's rank taken. A league-table position without this interval over-reads small differences.

A peer with no row in the source (police.uk files or extract) at all is not covered by it: it is left out and named,
never counted as zero.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.methods.funnel import funnel
from pipeline.methods.statistics import CountComparison, compare_counts, rate_per
from pipeline.methods.values import Estimate

RANK_DRAWS = 4000
RANK_SEED = 20240401  # fixed, so a rerun publishes the same interval
PARTNERSHIP, PEER = "partnership", "peer"


@dataclass
class PeerRates:
    measure: str
    table: pd.DataFrame  # one row per unit: unit, role, count, residents, rate (Estimate), position
    points: pd.DataFrame  # pipeline.methods.funnel's frame with unit and partnership columns, for the chart
    peer_rate: Estimate
    against_peers: CountComparison  # the partnership's count against the peers' pooled count, residents as exposure
    rank: int
    rank_low: int
    rank_high: int
    absent: list[str] = field(default_factory=list)  # peers the source does not cover

    @property
    def units(self) -> int:
        return len(self.table)

    @property
    def verdict(self) -> str:
        """'higher than', 'lower than' or 'not different from' the peer group, at the 5% level."""
        test = self.against_peers
        if not test.significant:
            return "not different from"
        return "higher than" if test.rate_ratio > 1 else "lower than"


def units_of(peer_groups: pd.DataFrame, area_name: str, area_codes: tuple[str, ...]) -> pd.DataFrame:
    """The units compared: the partnership (its districts) and each peer (its districts), with their roles."""
    own = pd.DataFrame({"unit": area_name, "role": PARTNERSHIP, "district_code": list(area_codes)})
    peers = pd.DataFrame({"unit": peer_groups["peer"], "role": PEER, "district_code": peer_groups["district_code"]})
    return pd.concat([own, peers], ignore_index=True)


def rank_interval(counts: np.ndarray, residents: np.ndarray, index: int, draws: int = RANK_DRAWS,
                  seed: int = RANK_SEED, alpha: float = 0.05) -> tuple[int, int, int]:
    """The unit's rank by rate (1 = highest) and its (1 - alpha) interval from Jeffreys-posterior draws."""
    counts, residents = np.asarray(counts, dtype=float), np.asarray(residents, dtype=float)
    rates = counts / residents
    rank = int(1 + (rates > rates[index]).sum())
    drawn = np.random.default_rng(seed).gamma(counts + 0.5, size=(draws, len(counts))) / residents
    ranks = 1 + (drawn > drawn[:, [index]]).sum(axis=1)
    low = int(np.percentile(ranks, 100 * alpha / 2, method="lower"))
    high = int(np.percentile(ranks, 100 * (1 - alpha / 2), method="higher"))
    return rank, low, high


def compare(measure: str, rows: pd.DataFrame, covered: set[str], units: pd.DataFrame,
            residents: pd.Series) -> PeerRates | None:
    """`rows` (one per crime or record, with district_code) counted for each unit of `units_of`, against residents by
    district. `covered`: the districts the source has any row for (of any kind or month). None without two units."""
    absent = sorted({u for u, rows_of in units[units["role"] == PEER].groupby("unit")["district_code"]
                     if not set(rows_of) & covered})
    present = units[~units["unit"].isin(absent)]
    by_district = rows["district_code"].value_counts()
    frame = present.assign(count=present["district_code"].map(by_district).fillna(0),
                           residents=present["district_code"].map(residents).fillna(0))
    frame = frame.groupby(["unit", "role"], sort=False, as_index=False)[["count", "residents"]].sum()
    return against_peers(measure, frame[frame["residents"] > 0].reset_index(drop=True), absent)


def against_peers(measure: str, frame: pd.DataFrame, absent: list[str] = ()) -> PeerRates | None:
    """`frame`: one row per unit with unit, role, count and residents (the partnership once). None without a peer."""
    frame = frame.copy()
    peers = frame[frame["role"] == PEER]
    if peers.empty or (frame["role"] == PARTNERSHIP).sum() != 1:
        return None
    peer_count, peer_residents = int(peers["count"].sum()), float(peers["residents"].sum())
    peer_rate = Estimate(*rate_per(peer_count, peer_residents), kind="rate")
    own = frame[frame["role"] == PARTNERSHIP].iloc[0]
    test = compare_counts(int(own["count"]), peer_count, float(own["residents"]), peer_residents)
    points = funnel(frame["count"].to_numpy(), frame["residents"].to_numpy())
    points = points.assign(unit=frame["unit"].to_numpy(), partnership=(frame["role"] == PARTNERSHIP).to_numpy())
    frame["count"] = frame["count"].astype(int)
    frame["rate"] = [Estimate(*rate_per(int(k), float(n)), kind="rate") for k, n in zip(frame["count"], frame["residents"])]
    frame["position"] = points["position"].to_numpy()
    mine = int(np.flatnonzero(frame["role"].to_numpy() == PARTNERSHIP)[0])
    rank, low, high = rank_interval(frame["count"].to_numpy(), frame["residents"].to_numpy(), mine)
    return PeerRates(measure, frame, points, peer_rate, test, rank, low, high, list(absent))

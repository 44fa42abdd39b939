"""The partnership's peers: a Most Similar Group (MSG) to compare rates with, as configuration under `peers:`.

A Most Similar Group is the Home Office's family of about fifteen partnerships with similar demographic, social and
economic characteristics, used in police and partnership performance comparison (Home Office, "Most similar groups",
iQuanta). The tool does not ship one: the Home Office publishes families to partners, not as open data. Either list the
peers (CSP names or codes of the ONS lookup in reference/), or name a CSV of families that the user supplies:

    peers:
      partnerships: [Oxford, Exeter, Norwich, Reading, Brighton and Hove]
      source: Home Office MSG for CSPs, 2024

    peers:
      msg_file: reference/msg_families.csv   # under the raw folder; columns partnership, peer
      source: Home Office MSG for CSPs, 2024

In the file each row pairs a partnership with one of its peers, by CSP name or code (E22...); a family is every row of
one partnership. Without either the comparison districts are the county's other districts, which are not chosen for
being similar, and the report says so.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from pipeline.errors import InputDataError
from pipeline.inputs.reference import read_reference_table
from pipeline.inputs.validators import require_columns

Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
MSG_COLUMNS = ["partnership", "peer"]
NOT_A_SIMILARITY_GROUP = ("No Most Similar Group is configured, so the report compares with the other districts of the "
                          "county, which are not a group of similar partnerships: a city differs from rural districts "
                          "for reasons of its own. A comparison with similar partnerships needs `peers:` in the "
                          "configuration (see *Peers* in the tool's documentation).")


class Peers(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    partnerships: tuple[Text, ...] = ()  # CSP names or codes (E22...) of the ONS lookup
    msg_file: str | None = None  # a CSV of Most Similar Group families under the raw folder (partnership, peer)
    source: str = ""  # where the family comes from, printed under each comparison

    @model_validator(mode="after")
    def _one_way(self) -> "Peers":
        if self.partnerships and self.msg_file:
            raise ValueError("give either partnerships or msg_file, not both")
        return self

    @property
    def configured(self) -> bool:
        return bool(self.partnerships or self.msg_file)


def read_msg_file(path: Path) -> pd.DataFrame:
    """The families of a Most Similar Group file: one row per partnership and peer, names or codes as written."""
    if not path.is_file():
        raise InputDataError(path, "the Most Similar Group file named under peers: msg_file is not there.",
                             "put the file there, or correct the path (relative to the raw folder).")
    frame = require_columns(read_reference_table(path), MSG_COLUMNS, path.name)
    frame = frame[MSG_COLUMNS].apply(lambda column: column.astype(str).str.strip())
    for column in MSG_COLUMNS:
        empty = frame[column].eq("")
        if empty.any():
            raise InputDataError(path, "the cell is empty.", "give a CSP name or code (E22...).",
                                 row=int(empty.idxmax()) + 2, column=column)
    return frame


def family_of(families: pd.DataFrame, keys: set[str]) -> list[str]:
    """The peers listed for the partnership known by any of `keys` (its code and name, casefolded)."""
    mine = families[families["partnership"].str.casefold().isin(keys)]
    return list(dict.fromkeys(p for p in mine["peer"] if p.casefold() not in keys))

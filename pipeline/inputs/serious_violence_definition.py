"""The partnership's local definition of serious violence (the Serious Violence Duty leaves it to the partners:
Home Office, "Serious Violence Duty: statutory guidance", December 2022, para. 36-41), as configuration under
`serious_violence:`. The default is the one the README and the report state: homicide (with attempted murder,
which the Home Office counts under violence with injury), violence with injury and robbery, by Home Office
offence code where a police record carries one; for a record without a code, robbery by its police.uk type; and
every violent or robbery record that a knife or firearm flag marks as weapon-enabled.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
DEFAULT_SUBGROUPS = ("Homicide", "Violence with injury", "Robbery of business property", "Robbery of personal property")


class SeriousViolenceDefinition(BaseModel):
    """offence_subgroups: Home Office offence subgroups (home_office/CrimeCatMappings.csv) whose codes count;
    offence_codes: further codes that count; crime_types: police.uk types that count whole for a record with no
    offence code (and for police.uk data, which has none); weapon_enabled: count every violent or robbery record
    with knife_flag or firearm_flag Y."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    offence_subgroups: tuple[Text, ...] = DEFAULT_SUBGROUPS
    offence_codes: tuple[Text, ...] = ()
    crime_types: tuple[Text, ...] = ("Robbery",)
    weapon_enabled: bool = True

    def describe(self) -> str:
        parts = []
        if self.offence_subgroups or self.offence_codes:
            named = [*self.offence_subgroups, *(f"code {code}" for code in self.offence_codes)]
            parts.append("by Home Office offence code: " + ", ".join(named).lower())
        if self.crime_types:
            parts.append("for a record without a code, the police.uk type" + ("s " if len(self.crime_types) > 1 else " ")
                         + ", ".join(self.crime_types))
        if self.weapon_enabled:
            parts.append("and every violent or robbery record flagged knife- or firearm-enabled")
        return "; ".join(parts)

"""A&E assault attendances (ISTV): the monthly series on an XmR chart against the target, the year to date
against the pro-rated target, the method and location mix, the share who had drunk alcohol, and police
violence against A&E assaults month by month as an index of how much violence reaches the police.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.analysis import targets
from pipeline.analysis.flags import recorded_share
from pipeline.analysis.violence import VIOLENCE
from pipeline.inputs.config import AssessmentConfig
from pipeline.methods.disclosure import protect
from pipeline.methods.periods import complete_years
from pipeline.methods.spc import XmR, false_alarm_rate, xmr
from pipeline.methods.statistics import poisson_trend
from pipeline.methods.values import Proportion

SOURCE = "ae_assaults"
METHODS = {"body_part": "Body part (fist, foot, head)", "blunt_object": "Blunt object", "sharp_object": "Knife or sharp object",
           "glass_or_bottle": "Glass or bottle", "firearm": "Firearm", "other": "Other", "unknown": "Not recorded"}
LOCATIONS = {"public_place": "Street or public place", "licensed_premises": "Pub, bar or club", "home": "Home",
             "workplace": "Workplace", "education": "School or college", "other": "Other", "unknown": "Not recorded"}


def monthly(ae: pd.DataFrame, period_end: pd.Period) -> pd.Series:
    """Attendances by month up to the period end, every month from the first in the data (zeros kept)."""
    months = pd.PeriodIndex(ae["month"], freq="M")
    months = months[months <= period_end]
    if len(months) == 0:
        return pd.Series(dtype="int64")
    index = pd.period_range(months.min(), period_end, freq="M")
    return pd.Series(months).value_counts().reindex(index, fill_value=0).astype("int64")


def control_chart(series: pd.Series) -> tuple[XmR | None, float]:
    """The XmR chart of the monthly series (needs 12 or more months, as Making Data Count advises at least
    12 to 15 points) and the chance such a chart flags something on a stable series of this length."""
    if len(series) < 12:
        return None, float("nan")
    return xmr(series.to_numpy()), false_alarm_rate(len(series))


def target_rows(config: AssessmentConfig, crimes: pd.DataFrame, ae: pd.DataFrame | None, period_end: pd.Period,
                unavailable: dict[str, str]) -> pd.DataFrame:
    """The plan's A&E targets: year to date against the pro-rated target, with the verdict."""
    chosen = tuple(t for t in config.targets if t.source == SOURCE)
    if not chosen:
        return pd.DataFrame()
    return targets.target_progress(config.model_copy(update={"targets": chosen}), crimes, {SOURCE: ae}, period_end,
                                   unavailable)


def mix(ae: pd.DataFrame, column: str, labels: dict[str, str]) -> pd.DataFrame:
    """Attendances in the latest twelve months by a coded column, with shares; small counts suppressed."""
    latest = ae[ae["years_back"] == 0]
    counts = latest[column].value_counts().reindex(list(labels), fill_value=0)
    table = pd.DataFrame({column.replace("_", " ").capitalize(): [labels[c] for c in counts.index],
                          "Attendances": counts.to_numpy(),
                          "Share (%)": counts.to_numpy() / max(len(latest), 1) * 100})
    table.loc[len(table)] = ["All attendances", len(latest), 100.0]
    return protect(table, ["Attendances"], ["Share (%)"], total_row=(table.columns[0], "All attendances", []))


def alcohol(ae: pd.DataFrame) -> dict[str, Proportion]:
    """Share who had drunk alcohol among attendances where it was recorded, and how often it was recorded."""
    latest = ae[ae["years_back"] == 0]
    drunk = recorded_share(latest["alcohol_consumed"])
    return {"drunk": drunk, "recorded": Proportion(drunk.n, len(latest))}


def police_index(crimes: pd.DataFrame, ae: pd.DataFrame, config: AssessmentConfig, period_end: pd.Period) -> pd.DataFrame:
    """Police-recorded violence and A&E assault attendances by month where both are in the data, with police
    records per A&E attendance (an index: it moves when recording or reporting moves, not only when violence does)."""
    police = crimes[crimes["district_code"].isin(config.area_codes) & (crimes["crime_type"] == VIOLENCE)]
    police = police["month"].value_counts()
    attendances = monthly(ae, period_end)
    attendances.index = attendances.index.astype(str)
    both = sorted(set(police.index) & set(attendances.index))
    frame = pd.DataFrame({"month": both, "police": police.reindex(both).to_numpy(),
                          "ae": attendances.reindex(both).to_numpy()})
    frame["police per A&E attendance"] = frame["police"] / frame["ae"].replace(0, np.nan)
    return frame


def yearly_trend(ae: pd.DataFrame):
    """Log-linear trend over the complete rolling years of A&E data (three or more)."""
    years = sorted(complete_years(ae), reverse=True)  # oldest first
    return poisson_trend(ae[ae["years_back"].isin(years)].groupby("years_back").size().reindex(years).to_numpy())

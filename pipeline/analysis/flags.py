"""Qualifier flags (alcohol, drugs, mental health) on police records and ASB cases: prevalence,
completeness and recording effects.

Qualifier flags are recorded by officers and case workers; they are not diagnoses. Every share
here is over the records where the flag was recorded (Y or N); empty means not recorded, and how
often that happens is itself reported (completeness), so that a change in recording is not read
as a change in behaviour.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.inputs.config import NightTimeEconomy
from pipeline.methods.associations import assess_association
from pipeline.methods.disclosure import protect
from pipeline.methods.periods import complete_years
from pipeline.methods.statistics import ALPHA, compare_counts, wilson_interval
from pipeline.methods.values import Proportion, Span

FLAGS = {"alcohol_flag": "Alcohol", "drugs_flag": "Drugs", "mental_health_flag": "Mental health"}
COMBINATIONS = {
    "Alcohol and drugs": lambda f: f["alcohol_flag"] & f["drugs_flag"],
    "Dual diagnosis (mental health with alcohol or drugs)": lambda f: f["mental_health_flag"] & (f["alcohol_flag"] | f["drugs_flag"]),
    "Any of the three": lambda f: f["alcohol_flag"] | f["drugs_flag"] | f["mental_health_flag"],
}
VIOLENCE = "Violence and sexual offences"
AGE_BANDS = [(0, 17, "under 18"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 49, "35-49"), (50, 200, "50 and over")]
COMPLETENESS_THRESHOLD = 80.0  # percent of records with the flag recorded; below this the gaps table lists it
CAVEAT = ("Flags are recorded by officers and case workers; they are not diagnoses, and an empty flag means "
          "'not recorded', not 'no'.")


# ---------------------------------------------------------------- preparing the records
@dataclass
class FlagFrame:
    """Records with Y/N/'' flags turned into booleans: `is_<flag>` (Y) and `has_<flag>` (recorded)."""

    frame: pd.DataFrame
    flags: list[str] = field(default_factory=lambda: list(FLAGS))

    @classmethod
    def of(cls, frame: pd.DataFrame, flags: list[str] | None = None) -> "FlagFrame":
        flags = [f for f in (flags or list(FLAGS)) if f in frame.columns]
        out = frame.copy()
        for flag in flags:
            out[f"has_{flag}"] = out[flag].fillna("").ne("")
            out[f"is_{flag}"] = out[flag].fillna("").eq("Y")
        return cls(out, flags)


def complete_year_labels(frame: pd.DataFrame | None) -> list[str]:
    """Rolling-year labels (oldest first) whose twelve months all have records."""
    if frame is None or frame.empty:
        return []
    labels = frame.drop_duplicates("years_back").set_index("years_back")["year_ending"]
    return [labels[k] for k in sorted(complete_years(frame), reverse=True)]


def violence_records(records: pd.DataFrame | None) -> pd.DataFrame | None:
    if records is None:
        return None
    return records[records["crime_type"] == VIOLENCE]


def age_band(ages: pd.Series, bands_used: tuple | list = tuple(AGE_BANDS), missing: str = "unknown") -> pd.Series:
    """Each age's band label (low and high inclusive); `missing` where the age is not recorded or in no band."""
    bands = pd.Series(missing, index=ages.index, dtype=object)
    for low, high, label in bands_used:
        bands[ages.between(low, high)] = label
    return bands


def event_time(records: pd.DataFrame) -> pd.Series:
    """When the event happened: the start of the occurrence window where given, else the report time."""
    return records["occurred_from"].fillna(records["reported_at"]) if "occurred_from" in records else records["reported_at"]


def in_night_time_economy(records: pd.DataFrame, windows: NightTimeEconomy) -> pd.Series:
    """Whether each record's event time falls in the configured night-time-economy windows (weekday and time)."""
    when = event_time(records)
    minutes = (when.dt.day_of_week * 1440 + when.dt.hour * 60 + when.dt.minute).to_numpy()
    inside = windows.contains(np.nan_to_num(minutes.astype("float64"), nan=-1))
    return pd.Series(inside & when.notna().to_numpy(), index=records.index)


# ---------------------------------------------------------------- 1. prevalence
def prevalence(frame: pd.DataFrame, group_column: str | None, all_label: str, years: list[str]) -> pd.DataFrame:
    """Long table: group, year, measure, flagged, recorded, share and Wilson interval, for each flag and
    combination. Single flags are over records where that flag was recorded; combinations over records
    where all three were recorded."""
    flagged = FlagFrame.of(frame).frame
    flagged = flagged[flagged["year_ending"].isin(years)]
    groups = [(all_label, flagged)]
    if group_column:
        groups += [(str(name), rows) for name, rows in flagged.groupby(group_column, sort=True) if str(name) != ""]
    partition = {all_label: TOTAL_PARTITION} | {group: group_column or "" for group, _ in groups[1:]}
    rows = []
    for group, records in groups:
        for year in years:
            in_year = records[records["year_ending"] == year]
            for flag, label in FLAGS.items():
                recorded = in_year[f"has_{flag}"]
                rows.append((group, year, label, int(in_year.loc[recorded, f"is_{flag}"].sum()), int(recorded.sum())))
            all_recorded = in_year[[f"has_{f}" for f in FLAGS]].all(axis=1)
            booleans = in_year.loc[all_recorded, [f"is_{f}" for f in FLAGS]].rename(columns=lambda c: c[3:])
            for label, rule in COMBINATIONS.items():
                rows.append((group, year, label, int(rule(booleans).sum()) if len(booleans) else 0, int(all_recorded.sum())))
    table = pd.DataFrame(rows, columns=["Group", "Year", "Measure", "Flagged", "Recorded"])
    table["Partition"] = table["Group"].map(partition)  # which split of the total a group belongs to
    intervals = [wilson_interval(k, n) if n else (math.nan, math.nan) for k, n in zip(table["Flagged"], table["Recorded"])]
    table["Share (%)"] = np.where(table["Recorded"] > 0, table["Flagged"] / table["Recorded"].where(table["Recorded"] > 0) * 100, np.nan)
    table["CI low (%)"] = [low * 100 for low, _ in intervals]
    table["CI high (%)"] = [high * 100 for _, high in intervals]
    return table


TOTAL_PARTITION = "total"


def _prevalence_wide(rows: pd.DataFrame, index: str) -> pd.DataFrame:
    """`index` values as rows (in their order of appearance), measures as columns, share cells as values. Where
    groups are rows, each split of the total (by source, by category) adds up to the total row in k and n, and is
    protected against recovery by subtraction (disclosure.protect's share_groups)."""
    rows = rows.assign(cell=[Proportion(int(k), int(n)) for k, n in zip(rows["Flagged"], rows["Recorded"], strict=True)])
    wide = rows.pivot(index=index, columns="Measure", values="cell")
    wide = wide.reindex(index=list(dict.fromkeys(rows[index])), columns=[*FLAGS.values(), *COMBINATIONS]).reset_index()
    groups = []
    if index == "Group" and "Partition" in rows:
        partition = dict(zip(rows["Group"], rows["Partition"]))
        totals = [i for i, group in wide["Group"].items() if partition.get(group) == TOTAL_PARTITION]
        for name in dict.fromkeys(p for p in partition.values() if p != TOTAL_PARTITION):
            members = [i for i, group in wide["Group"].items() if partition.get(group) == name]
            groups += [[total, *members] for total in totals]
    return protect(wide, [], share_groups=groups)


def prevalence_display(table: pd.DataFrame, year: str) -> pd.DataFrame:
    """Groups as rows, measures as columns, for one year: 'share (interval), k of n' in every cell."""
    return _prevalence_wide(table[table["Year"] == year], "Group")


def prevalence_trend_display(table: pd.DataFrame, group: str) -> pd.DataFrame:
    """Years as rows, measures as columns, for one group."""
    return _prevalence_wide(table[table["Group"] == group], "Year")


# ---------------------------------------------------------------- 2. completeness and recording effects
def completeness(sources: dict[str, pd.DataFrame | None], years: dict[str, list[str]]) -> pd.DataFrame:
    """For every source, flag and year: records, recorded Y, recorded N, not recorded, completeness."""
    rows = []
    for source, frame in sources.items():
        if frame is None:
            continue
        for year in years.get(source, []):
            in_year = frame[frame["year_ending"] == year]
            for flag, label in FLAGS.items():
                if flag not in in_year:
                    continue
                values = in_year[flag].fillna("")
                y, n = int((values == "Y").sum()), int((values == "N").sum())
                empty = int((values == "").sum())
                rows.append({"Source": source, "Flag": label, "Year": year, "Records": len(in_year), "Y": y, "N": n,
                             "Not recorded": empty,
                             "Completeness (%)": (y + n) / len(in_year) * 100 if len(in_year) else math.nan})
    return pd.DataFrame(rows, columns=["Source", "Flag", "Year", "Records", "Y", "N", "Not recorded", "Completeness (%)"])


def published_completeness(table: pd.DataFrame) -> pd.DataFrame:
    return protect(table, ["Records", "Y", "N", "Not recorded"], ["Completeness (%)"],
                   row_sums=[("Records", ["Y", "N", "Not recorded"])])


RECORDING_THRESHOLD = 10.0  # percentage points of completeness, first to last year, that count as a recording change


def recording_effects(table: pd.DataFrame) -> pd.DataFrame:
    """Over the whole series, for each source and flag: did volume, recording or prevalence change?

    First complete year against the last: volume and flagged counts by the exact Poisson test; completeness
    by how many percentage points it moved (RECORDING_THRESHOLD); prevalence (share Y among recorded) by
    Pearson's chi-square across every year (Fisher or chi-square when there are two). Where completeness moved
    by more than the threshold and the flagged count moved with it, while the share among recorded cases held,
    the reading is a recording effect: more (or fewer) flags because recording changed, not behaviour.
    """
    rows = []
    for (source, flag), group in table.groupby(["Source", "Flag"], sort=False):
        if len(group) < 2:
            continue
        first, last = group.iloc[0], group.iloc[-1]
        volume = compare_counts(int(last["Records"]), int(first["Records"]))
        flagged = compare_counts(int(last["Y"]), int(first["Y"]))
        moved = float(last["Completeness (%)"] - first["Completeness (%)"])
        prevalence_test = assess_association("prevalence", group[["Y", "N"]].astype("int64").reset_index(drop=True))
        prevalence_changed = prevalence_test is not None and prevalence_test.p_value < ALPHA
        recording_moved = abs(moved) >= RECORDING_THRESHOLD
        with_recording = flagged.significant and (flagged.change > 0) == (moved > 0)
        if recording_moved and with_recording and not prevalence_changed:
            verdict = "recording effect: flags moved with recording, not with behaviour"
        elif prevalence_changed:
            verdict = "change in prevalence among recorded cases (a trend, if recording practice is unchanged)"
        elif flagged.significant and volume.significant:
            verdict = "flagged records changed with the volume of records; prevalence did not"
        elif recording_moved:
            verdict = "recording changed; prevalence among recorded cases did not"
        else:
            verdict = "no clear change"
        share = lambda row: row["Y"] / (row["Y"] + row["N"]) * 100 if row["Y"] + row["N"] else math.nan  # noqa: E731
        rows.append({"Source": source, "Flag": flag, "Years": f"{first['Year']} to {last['Year']} ({len(group)} years)",
                     "Records": Span(int(first["Records"]), int(last["Records"])),
                     "Flagged Y": Span(int(first["Y"]), int(last["Y"])),
                     "Completeness": Span(first["Completeness (%)"], last["Completeness (%)"], "percent"),
                     "Completeness change (points)": moved,
                     "Share among recorded": Span(share(first), share(last), "percent"),
                     "Prevalence across years p": prevalence_test.p_value if prevalence_test else math.nan,
                     "Volume changed": "yes" if volume.significant else "no",
                     "Flagged count changed": "yes" if flagged.significant else "no", "Reading": verdict})
    return protect(pd.DataFrame(rows), ["Records", "Flagged Y"])


def recorded_share(values: pd.Series) -> Proportion:
    """Share of 'Y' over the rows where a Y/N flag was recorded (empty = not recorded, not 'no')."""
    return Proportion(int((values == "Y").sum()), int(values.isin(["Y", "N"]).sum()))


def flag_shares(frame: pd.DataFrame) -> dict[str, Proportion]:
    """Share of each flag over the rows that recorded it, from `has_<flag>` / `is_<flag>` columns."""
    return {name: Proportion(int(frame.loc[frame[f"has_{flag}"], f"is_{flag}"].sum()), int(frame[f"has_{flag}"].sum()))
            for flag, name in FLAGS.items()}

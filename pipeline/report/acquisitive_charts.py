"""Charts of the personal acquisitive crime chapter: the seasonal overlay (one line per financial year, the
assessment year emphasised), the seasonal index with its intervals, and the latest weeks against their
thresholds. A count from 1 to 4 is never drawn as itself: such points are left out of lines and shown as a
grey band from 1 to 4."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pipeline.methods.disclosure import SMALL  # noqa: E402
from pipeline.report import plotting
from pipeline.methods.seasonality import MONTHS  # noqa: E402
from pipeline.report.plotting import set_style  # noqa: E402

FY_ORDER = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
EMPHASIS, OTHER = "#d95f02", "#9e9e9e"
SMALL_NOTE = "grey band: a count from 1 to 4 (not shown exactly)"


def _small(values: np.ndarray) -> np.ndarray:
    """Counts the disclosure rule withholds (pipeline.methods.disclosure.SMALL: 1 to 4)."""
    return (values >= SMALL.start) & (values < SMALL.stop)


def _panels(count: int, height: float = 2.4):
    columns = 2 if count > 1 else 1
    rows = -(-count // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(10, height * rows), squeeze=False)
    for axis in axes.flat[count:]:
        axis.set_visible(False)
    return figure, axes.flat


def seasonal_overlay(overlay: pd.DataFrame, assessment_year: str):
    """Monthly counts, April to March, one line per financial year; the assessment year thick and coloured."""
    if overlay.empty:
        return None
    set_style()
    types = list(dict.fromkeys(overlay["crime_type"]))
    figure, axes = _panels(len(types))
    any_small = False
    for axis, crime_type in zip(axes, types):
        rows = overlay[overlay["crime_type"] == crime_type]
        panel_small = False
        for year, group in rows.groupby("year"):
            counts = group.set_index("month")["count"].reindex(FY_ORDER).to_numpy(dtype=float)
            small = _small(counts)
            panel_small |= bool(small.any())
            emphasised = year == assessment_year
            axis.plot(np.arange(12), np.where(small, np.nan, counts), color=EMPHASIS if emphasised else OTHER,
                      linewidth=2.2 if emphasised else 0.9, alpha=1 if emphasised else 0.8, zorder=3 if emphasised else 2,
                      label=year if emphasised else None)
        if panel_small:
            axis.axhspan(1, 4, color="#e0e0e0", zorder=0)
        any_small |= panel_small
        axis.set_title(crime_type, fontsize=9)
        axis.set_xticks(range(12), [MONTHS[m - 1][0] for m in FY_ORDER], fontsize=7)
        axis.set_ylim(bottom=0)
        axis.tick_params(axis="y", labelsize=7)
    axes[0].plot([], [], color=OTHER, linewidth=0.9, label="earlier years")
    axes[0].legend(fontsize=7, loc="upper left")
    figure.suptitle("Offences per month, April to March" + (f"; {SMALL_NOTE}" if any_small else ""), fontsize=9)
    figure.tight_layout()
    return plotting.sourced(figure, "police recorded crime (the police records extract, or data.police.uk street-level crime where it is absent)")


def seasonal_index_chart(seasonal: pd.DataFrame):
    """Each type's index by month with its 95% interval; peaks (FDR 5%) coloured, 1 = an average month."""
    if seasonal.empty:
        return None
    set_style()
    types = list(dict.fromkeys(seasonal["crime_type"]))
    figure, axes = _panels(len(types), height=2.2)
    for axis, crime_type in zip(axes, types):
        rows = seasonal[seasonal["crime_type"] == crime_type].set_index("month").reindex(FY_ORDER)
        x = np.arange(12)
        colours = np.where(rows["peak"].to_numpy(dtype=bool), EMPHASIS, "#4c4c4c")
        axis.errorbar(x, rows["index"], yerr=[rows["index"] - rows["low"], rows["high"] - rows["index"]], fmt="none",
                      ecolor="#9e9e9e", linewidth=1)
        axis.scatter(x, rows["index"], c=colours, s=16, zorder=3)
        axis.axhline(1, color="black", linewidth=0.8)
        axis.set_title(crime_type, fontsize=9)
        axis.set_xticks(range(12), [MONTHS[m - 1][0] for m in FY_ORDER], fontsize=7)
        axis.tick_params(axis="y", labelsize=7)
    figure.suptitle("Seasonal index (1 = an average month) with 95% intervals; orange: a peak month (FDR 5%)", fontsize=9)
    figure.tight_layout()
    return plotting.sourced(figure, "police recorded crime (the police records extract, or data.police.uk street-level crime where it is absent)")


def latest_weeks_chart(weekly: list, latest: pd.DataFrame, family: pd.DataFrame, history: int = 26):
    """The last `history` weeks of each type as bars, with the expected count and the threshold over the latest
    weeks assessed; alarms (of this view or of the assessment year's table) in red."""
    if latest.empty or not weekly:
        return None
    set_style()
    figure, axes = _panels(len(weekly), height=2.3)
    any_small = False
    for axis, series in zip(axes, weekly):
        counts = series.counts.iloc[-history:]
        values = counts.to_numpy(dtype=float)
        small = _small(values)
        any_small |= small.any()
        assessed = latest[latest["crime_type"] == series.crime_type].set_index("period")
        alarm = assessed["alarm"].reindex(counts.index, fill_value=False).to_numpy(dtype=bool).copy()
        if not family.empty:
            year = family[(family["crime_type"] == series.crime_type) & (family["resolution"] == "week") & family["alarm"]]
            alarm |= counts.index.isin(year["period"])
        x = np.arange(len(counts))
        axis.bar(x, np.where(small, 0, values), color=np.where(alarm, "#d7191c", "#8da0cb"), width=0.8)
        if small.any():
            axis.bar(x[small], np.full(small.sum(), 3.0), bottom=1, color="#e0e0e0", width=0.8)
        position = [counts.index.get_loc(p) for p in assessed.index]
        axis.plot(position, assessed["expected"], color="black", linewidth=1, linestyle="--", label="expected")
        axis.plot(position, assessed["threshold"], color="#d7191c", linewidth=1.4, label="threshold")
        ticks = x[::4]
        axis.set_xticks(ticks, [f"{counts.index[i].start_time:%d %b}" for i in ticks], fontsize=7)
        axis.set_title(series.crime_type, fontsize=9)
        axis.tick_params(axis="y", labelsize=7)
    axes[0].legend(fontsize=7, loc="upper left")
    figure.suptitle(f"Offences per week (Monday to Sunday), last {history} weeks; red bars: alarms"
                    + (f"; {SMALL_NOTE}" if any_small else ""), fontsize=9)
    figure.tight_layout()
    return plotting.sourced(figure, "police recorded crime (the police records extract, or data.police.uk street-level crime where it is absent)")

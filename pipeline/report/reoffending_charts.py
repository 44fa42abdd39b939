"""The re-offending chart: the IOM cohort's mean offences and severity per member before and after adoption, and,
where the cohort links to the police records, the two years before adoption (how far members were taken on at a
peak, the regression to the mean that a before-and-after comparison cannot separate from the scheme's effect)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from pipeline.report import plotting  # noqa: E402

HATCHES = ("", "//", "..")  # a second cue beside colour, for readers who cannot tell the colours apart
TICK_LABELS = {"Window before": "Before", "Window after": "After",
               "Window after, per full window at risk": "After, per\nwindow\nat risk",
               "Second year before adoption": "Second\nyear before", "Year before adoption": "Year\nbefore"}


def before_after_chart(means: pd.DataFrame, title: str):
    """One panel per measure, a bar per period with its value written on it; None when there is nothing to draw."""
    if means.empty:
        return None
    plotting.set_style()
    panels = list(dict.fromkeys(means["panel"]))
    colours = sns.color_palette(plotting.PALETTE, 3)
    figure, axes = plt.subplots(1, len(panels), figsize=(plotting.MAX_WIDTH_INCHES, 3.4), squeeze=False)
    for axis, panel in zip(axes[0], panels, strict=True):
        rows = means[means["panel"] == panel].reset_index(drop=True)
        labels = [TICK_LABELS.get(period, period) for period in rows["period"]]
        bars = axis.bar(range(len(rows)), rows["mean"], color=colours[:len(rows)], edgecolor="black", linewidth=0.6)
        for bar, hatch in zip(bars, HATCHES, strict=False):
            bar.set_hatch(hatch)
        axis.bar_label(bars, labels=[f"{v:.1f}" for v in rows["mean"]], fontsize=8, padding=2)
        axis.set_xticks(range(len(rows)), labels, fontsize=8)
        axis.set_title(f"{panel}\n{int(rows['members'].max()):,} members", fontsize=9)
        axis.set_ylabel("mean per member", fontsize=8)
        axis.tick_params(axis="y", labelsize=8)
        axis.set_ylim(0, rows["mean"].max() * 1.18)
        axis.grid(axis="x", visible=False)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    source = "the partnership's IOM cohort extract" + (
        "; records as suspect from the force's police records extract, linked by pseudonym"
        if "Records as suspect (police)" in panels else "")
    return plotting.sourced(figure, source)

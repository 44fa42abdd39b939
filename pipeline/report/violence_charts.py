"""Charts of the violence chapter: time-of-week heat maps, the A&E XmR chart against the target, and police
violence per A&E assault attendance by month."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pipeline.report.plotting import set_style  # noqa: E402
from pipeline.report import plotting

SMALL = 5  # a cell under 5 (but above 0) is greyed, not coloured: no count from 1 to 4 is shown


def week_heatmaps(week: dict, night_window: str):
    """Police violence (aoristic) and A&E assaults by day and hour, side by side, as shares of the week."""
    panels = [(key, title) for key, title in (("police", "Police-recorded violence (aoristic weights)"),
                                              ("ae", "A&E assault attendances (time of assault)")) if key in week]
    if not panels:
        return None
    set_style()
    figure, axes = plt.subplots(len(panels), 1, figsize=(9, 2.9 * len(panels)), squeeze=False)
    for axis, (key, title) in zip(axes[:, 0], panels):
        counts = week[key]
        share = counts / counts.to_numpy().sum() * 100
        shown = np.ma.masked_where((counts.to_numpy() > 0) & (counts.to_numpy() < SMALL), share.to_numpy())
        cmap = plt.get_cmap("rocket_r").copy()
        cmap.set_bad("#d9d9d9")
        image = axis.imshow(shown, aspect="auto", cmap=cmap, vmin=0)
        axis.set_yticks(range(7), [d[:3] for d in counts.index], fontsize=8)
        axis.set_xticks(range(0, 24, 2), [f"{h:02d}:00" for h in range(0, 24, 2)], fontsize=7)
        axis.set_title(title, fontsize=9)
        axis.grid(False)
        figure.colorbar(image, ax=axis, label="% of the week's total", shrink=0.85)
    axes[-1, 0].set_xlabel(f"Hour of the day. Grey: fewer than {SMALL} (not shown). Night-time economy: {night_window}.",
                           fontsize=8)
    figure.suptitle("Violence by day and hour: each hour's share of the week's total", fontsize=10)
    figure.tight_layout()
    sources = {"police": "police records extract (violence, times of offence)",
               "ae": "ISTV A&E assault attendances (time of assault)"}
    return plotting.sourced(figure, "; ".join(sources[key] for key, _ in panels))


def xmr_chart(monthly: pd.Series, chart, target_monthly: float | None, title: str):
    """Monthly A&E attendances with the XmR mean and process limits, special-cause points marked, and the
    monthly equivalent of the annual target."""
    if chart is None:
        return None
    set_style()
    figure, axis = plt.subplots(figsize=(9, 3.8))
    x = np.arange(len(monthly))
    axis.plot(x, monthly.to_numpy(), color="#4c4c4c", marker="o", markersize=3, linewidth=1, label="attendances")
    axis.axhline(chart.mean, color="black", linewidth=1, label=f"mean {chart.mean:.0f}")
    for limit in (chart.upper, chart.lower):
        axis.axhline(limit, color="#7f7f7f", linestyle="--", linewidth=1)
    axis.plot([], [], color="#7f7f7f", linestyle="--", label=f"process limits {chart.lower:.0f} to {chart.upper:.0f}")
    special = chart.special_cause
    axis.scatter(x[special], monthly.to_numpy()[special], color="#e66101", zorder=3, s=28, label="special cause")
    if target_monthly:
        axis.axhline(target_monthly, color="#1a9850", linewidth=1.6, linestyle="-.",
                     label=f"target, monthly equivalent ({target_monthly:.0f})")
    ticks = x[::3]
    axis.set_xticks(ticks, [str(monthly.index[i]) for i in ticks], rotation=60, fontsize=7)
    axis.set_ylabel("attendances per month")
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.tight_layout()
    return plotting.sourced(figure, "A&E assault attendances (ISTV extract)")


def police_index_chart(index: pd.DataFrame):
    """Police-recorded violence per A&E assault attendance, by month."""
    if index.empty:
        return None
    set_style()
    figure, axis = plt.subplots(figsize=(9, 3.2))
    x = np.arange(len(index))
    axis.plot(x, index["police per A&E attendance"], color="#2c7bb6", marker="o", markersize=3)
    ticks = x[::3]
    axis.set_xticks(ticks, [index["month"].iloc[i] for i in ticks], rotation=60, fontsize=7)
    axis.set_ylabel("police records per\nA&E attendance")
    axis.set_ylim(bottom=0)
    axis.set_title("Police-recorded violence per A&E assault attendance, by month", fontsize=10)
    figure.tight_layout()
    return plotting.sourced(figure, "police records extract and A&E assault attendances (ISTV extract)")

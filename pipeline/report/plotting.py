"""Chart helpers: one look for every chapter (seaborn on matplotlib, rendered as PNG)."""
from __future__ import annotations

from html import escape

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from pipeline.inputs.fingertips import ENGLAND  # noqa: E402

PALETTE = "colorblind"


def set_style() -> None:
    sns.set_theme(style="whitegrid", palette=PALETTE, rc={"figure.dpi": 96, "savefig.dpi": 96})
    # seaborn leaves the default patch and line colours as "C0", which matplotlib resolves through the colour
    # cycle on every use, uncached: a third of a second of the demo's charts went on patches' colours alone.
    # The cycle's own first colour draws the same pixels.
    first = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0]
    matplotlib.rcParams.update({"patch.facecolor": first, "lines.color": first})


def monthly_trend_grid(monthly: pd.DataFrame, title: str, col_wrap: int = 3, facet: str = "crime_type",
                       ylabel: str = "crimes per month", source: str = "data.police.uk street-level crime"):
    """Small multiples of monthly counts (one panel per `facet` value), each with its own y scale and a
    3-month mean. Months with a count from 1 to 4 are left out (a gap in the line) and the mean skips them,
    so that no chart shows a small count. None when there is nothing to draw. Drawn with matplotlib's own
    subplots: seaborn's relplot gives the same picture at four times the cost."""
    if monthly.empty:
        return None
    set_style()
    data = monthly.sort_values([facet, "month"]).copy()
    data["count"] = data["count"].astype("float64").mask(data["count"].between(1, 4))
    data["3-month mean"] = data.groupby(facet)["count"].transform(lambda s: s.rolling(3, min_periods=2).mean())
    panels = data[facet].nunique()
    columns = min(col_wrap, panels)
    rows = -(-panels // columns)
    figure, grid = plt.subplots(rows, columns, figsize=(columns * 1.8 * 1.35, rows * 1.8), sharex=True, squeeze=False)
    for spare in grid.flat[panels:]:
        spare.set_visible(False)
    for axis, (name, group) in zip(grid.flat, data.groupby(facet, sort=True)):
        axis.plot(group["month"], group["count"], linewidth=0.8, alpha=0.6)
        axis.plot(group["month"], group["3-month mean"], color="black", linewidth=1.4)
        axis.set_title(name, fontsize=9)
        axis.spines[["top", "right"]].set_visible(False)
        axis.tick_params(axis="x", labelrotation=45, labelsize=7)
    empty = rows * columns - panels
    for column in range(columns - empty, columns):  # the lowest panel of each column carries its dates
        grid[rows - 2, column].xaxis.set_tick_params(labelbottom=True)
    figure.supylabel(ylabel)
    figure.suptitle(title)
    figure.tight_layout()
    return sourced(figure, source)


def prevalence_trend_chart(prevalence: pd.DataFrame, group: str, title: str):
    """Share flagged by year for one group, each measure with its Wilson 95% interval. None when empty."""
    data = prevalence[(prevalence["Group"] == group) & (prevalence["Recorded"] > 0)]
    if data.empty:
        return None
    set_style()
    figure, axis = plt.subplots(figsize=(8, 3.6))
    years = list(dict.fromkeys(data["Year"]))
    for offset, (measure, rows) in enumerate(data.groupby("Measure", sort=False)):
        x = [years.index(y) + (offset - 2.5) * 0.06 for y in rows["Year"]]
        below = (rows["Share (%)"] - rows["CI low (%)"]).clip(lower=0)  # a share of 0% or 100% can round past its bound
        above = (rows["CI high (%)"] - rows["Share (%)"]).clip(lower=0)
        axis.errorbar(x, rows["Share (%)"], yerr=[below, above],
                      marker="o", capsize=3, linewidth=1.2, label=measure)
    axis.set_xticks(range(len(years)), [y.replace(" - ", "-\n") for y in years], fontsize=8)
    axis.set_ylabel("% of records with the flag recorded")
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return sourced(figure, "police records extract (violence) and partner ASB cases; flags as recorded")


def indicator_chart(indicators: pd.DataFrame, partnership_codes: tuple[str, ...]):
    """One panel per indicator: the partnership in colour, comparison districts grey, England dashed; the
    partnership's points are marked by Fingertips' significance against England. None when empty."""
    if indicators.empty:
        return None
    set_style()
    names = list(dict.fromkeys(indicators["indicator"]))
    columns = min(2, len(names))
    rows = -(-len(names) // columns)
    figure, grid = plt.subplots(rows, columns, figsize=(MAX_WIDTH_INCHES, 3.0 * rows), squeeze=False)
    for spare in grid.flat[len(names):]:
        spare.set_visible(False)
    axes = [list(grid.flat[:len(names)])]
    markers = {"Worse": ("v", "#c0392b"), "Better": ("^", "#1e8449"), "Similar": ("o", "#2e86c1")}
    for axis, name in zip(axes[0], names, strict=True):
        data = indicators[indicators["indicator"] == name]
        for code, area in data.groupby("area_code"):
            area = area.sort_values("period")
            if code in partnership_codes:
                axis.plot(area["period"], area["value"], color="#2e86c1", linewidth=2, label=area["area_name"].iloc[0])
                for significance, (marker, colour) in markers.items():
                    points = area[area["significance"] == significance]
                    axis.scatter(points["period"], points["value"], marker=marker, color=colour, zorder=3,
                                 label=f"{significance} than England" if significance != "Similar" else "Similar to England")
            elif code == ENGLAND:
                axis.plot(area["period"], area["value"], color="black", linestyle="--", linewidth=1.2, label="England")
            else:
                axis.plot(area["period"], area["value"], color="grey", linewidth=0.8, alpha=0.6)
        axis.set_title(name, fontsize=9)
        axis.tick_params(axis="x", labelrotation=60, labelsize=7)
        axis.set_ylabel("per 100,000 (age standardised)", fontsize=8)
    handles, labels = axes[0][0].get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    unique["Other county districts"] = plt.Line2D([], [], color="grey", linewidth=0.8)
    figure.legend(unique.values(), unique.keys(), loc="upper center", ncol=3, fontsize=8, bbox_to_anchor=(0.5, 0.0))
    figure.suptitle("Health indicators over time: the partnership against England and the county's other districts",
                    fontsize=10)
    figure.tight_layout()
    return sourced(figure, "OHID Fingertips (Local Alcohol Profiles, Public Health Outcomes Framework)")


def funnel_chart(points: pd.DataFrame, title: str, label: str, common_label: str, source: str,
                 label_all_below: int = 16):
    """A funnel plot of pipeline.methods.funnel's points: each unit's rate per 1,000 (`rate`) against its residents
    (`population`), with exact Poisson limits at 95% and 99.8% around the common rate (`common_rate`); units whose
    `partnership` is true in colour. Every point is named when there are fewer than `label_all_below`, else only
    those the method places beyond the 99.8% limits (`position`). None when there is no point."""
    import numpy as np

    from pipeline.methods.funnel import curve

    if points.empty:
        return None
    set_style()
    figure, axis = plt.subplots(figsize=(8.5, 4.2))
    common = float(points["common_rate"].iloc[0])
    populations = np.linspace(max(points["population"].min() * 0.5, 1000), points["population"].max() * 1.3, 200)
    limits = curve(common, populations)
    axis.axhline(common, color="black", linewidth=1, label=f"{common_label} {common:.1f}")
    for level, style in (("95%", "--"), ("99.8%", ":")):
        axis.plot(limits["population"], limits[f"high_{level}"], color="#636363", linestyle=style, label=f"{level} limits")
        axis.plot(limits["population"], limits[f"low_{level}"], color="#636363", linestyle=style)
    others = points[~points["partnership"]]
    axis.scatter(others["population"], others["rate"], color="#969696", s=40, zorder=3)
    mine = points[points["partnership"]]
    axis.scatter(mine["population"], mine["rate"], color="#d95f02", s=70, zorder=4)
    named = points if len(points) < label_all_below else points[points["position"].str.contains("99.8%")]
    for _, row in named.iterrows():
        axis.annotate(row[label], (row["population"], row["rate"]), xytext=(6, 4), textcoords="offset points", fontsize=8)
    axis.set_xlabel("Residents (ONS 2021)", fontsize=8)
    axis.set_ylabel("per 1,000 residents", fontsize=8)
    axis.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1000:.0f}k"))
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.tight_layout()
    return sourced(figure, source)


MAX_WIDTH_INCHES = 7.6  # the widest a chart is shown (about 730 px): drawn at that size, its fonts stay legible
DPI = 96
SHARPNESS = 2  # pixels per CSS pixel, for high-density screens and print


def sourced(figure, source: str):
    """Attach the chart's source line (shown under it); returns the figure."""
    if figure is not None:
        figure.csp_source = source
    return figure


def _texts(items) -> list[str]:
    """Distinct labels, each on one line (a title broken over two lines reads as one phrase in alt text)."""
    return [t for t in dict.fromkeys(" ".join(i.split()) for i in items) if t and not t.startswith("_")]


def describe(figure) -> tuple[str, str]:
    """The chart's title and its alt text, read from what is drawn: the titles, the axes and the series."""
    suptitle = figure._suptitle.get_text() if getattr(figure, "_suptitle", None) else ""
    panels = [axis for axis in figure.axes if axis.get_label() != "<colorbar>" and axis.get_visible()]
    titles = _texts(axis.get_title() for axis in panels)
    title = suptitle or (titles[0] if len(titles) == 1 else "")
    if not title:
        raise ValueError("a chart needs a title that says what it shows: set_title on its one panel, or suptitle")
    parts = [f"Chart: {title}."]
    if len(titles) > 1:
        parts.append(f"{len(titles)} panels: {', '.join(titles[:14])}.")
    shared = getattr(figure, "_supylabel", None)  # one label for every panel's vertical axis
    xlabels = _texts(a.get_xlabel() for a in panels)
    ylabels = _texts([a.get_ylabel() for a in panels] + [shared.get_text() if shared else ""])
    if xlabels:
        parts.append(f"Horizontal axis: {', '.join(xlabels)}.")
    if ylabels:
        parts.append(f"Vertical axis: {', '.join(ylabels)}.")
    legends = [axis.get_legend() for axis in panels] + list(figure.legends)
    series = _texts(text.get_text() for legend in legends if legend for text in legend.get_texts())
    if series:
        parts.append(f"Series: {', '.join(series[:12])}.")
    return title, " ".join(parts)


def fit_width(figure) -> None:
    """Shrink a figure drawn wider than it is shown, keeping its proportions, so its text is not scaled down."""
    width, height = figure.get_size_inches()
    if width > MAX_WIDTH_INCHES:
        figure.set_size_inches(MAX_WIDTH_INCHES, height * MAX_WIDTH_INCHES / width)


def figure_html(figure, alt: str = "") -> str:
    """The figure as an HTML <figure>: a PNG at twice its display size, real alt text, the title and source as
    its caption (numbered when the report is assembled)."""
    import base64
    import io
    import struct

    source = getattr(figure, "csp_source", "")
    if not source:
        raise ValueError("a chart needs its source line: build it with plotting.sourced(figure, 'Source ...')")
    fit_width(figure)
    title, described = describe(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI * SHARPNESS, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    png = buffer.getvalue()
    width = struct.unpack(">I", png[16:20])[0] // SHARPNESS  # the PNG header's width, in CSS pixels
    encoded = base64.b64encode(png).decode("ascii")
    return (f'<figure class="report-figure"><img src="data:image/png;base64,{encoded}" width="{width}" '
            f'alt="{escape(alt or described)}"><figcaption><span class="figure-number"></span>{escape(title)}. '
            f'<span class="source">Source: {escape(source)}.</span></figcaption></figure>')


def show(figure, alt: str = "") -> None:
    """Display a figure (see figure_html); nothing for None (a chart with nothing to draw)."""
    if figure is None:
        return
    from IPython.display import HTML, display

    display(HTML(figure_html(figure, alt)))

"""The index page of a many-partnership run: a link to each partnership's report and the table comparing them
(pipeline.analysis.partnerships), written with comparison.csv beside it."""
from __future__ import annotations

import time
from html import escape
from pathlib import Path

import pandas as pd

from pipeline.analysis.partnerships import MEASURES, Unit, comparison
from pipeline.fileio import write_csv, write_text
from pipeline.methods.disclosure import is_small

STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;
vertical-align:top}td.n{text-align:right;white-space:nowrap}.wrap{overflow-x:auto}.note{color:#555;font-size:.85rem}
.failed{color:#a00}figure{margin:1.5rem 0}figure img{max-width:100%;height:auto}figcaption{font-size:.9rem}
.source{color:#555}"""


def comparison_table(partnerships, processed_dirs: list[Path]) -> pd.DataFrame:
    """The comparison of the partnerships from their processed tables (crimes and district populations)."""
    units = []
    for partnership, processed_dir in zip(partnerships, processed_dirs):
        crimes = pd.read_parquet(processed_dir / "crimes.parquet",
                                 columns=["district_code", "assessment_period", "crime_type"])
        denominators = pd.read_parquet(processed_dir / "denominators.parquet")
        population = int(denominators.loc[denominators["district_code"].isin(partnership.districts), "population_2021"].sum())
        units.append(Unit(partnership.name, partnership.code, partnership.districts, crimes, population))
    return comparison(units)


def _figure(row: pd.Series) -> str:
    if is_small(row["count"]) or isinstance(row["count"], str):
        return "[c]"
    rate = row["rate_per_1000"]
    return (f"{int(row['count']):,}<br>{rate:.1f} ({row['rate_low_95']:.1f} to {row['rate_high_95']:.1f})"
            + (f"<br><span class='note'>{escape(row['funnel_position'])}</span>" if row["funnel_position"] else ""))


def funnel_figures(table: pd.DataFrame, year: str) -> str:
    """One funnel plot per measure: each partnership's rate against its residents, around the rate of all of
    them (counts from 1 to 4 are not drawn, as they are not shown)."""
    from pipeline.report import plotting

    counts = pd.to_numeric(table["count"], errors="coerce")
    shown = table[counts.notna() & ~counts.between(1, 4)]
    figures = []
    for measure in MEASURES:
        rows = shown[shown["measure"] == measure]
        if len(rows) < 2 or not float(rows["common_rate_per_1000"].iloc[0]) > 0:
            continue
        points = pd.DataFrame({"name": rows["partnership"], "population": rows["population"].astype(float),
                               "rate": rows["rate_per_1000"].astype(float),
                               "common_rate": rows["common_rate_per_1000"].astype(float),
                               "position": rows["funnel_position"], "partnership": False})
        figure = plotting.funnel_chart(points, f"{measure} per 1,000 residents, {year}", label="name",
                                       common_label="all partnerships shown",
                                       source="data.police.uk street-level crime; ONS Census 2021 residents")
        figures.append(plotting.figure_html(figure))
    return "".join(figures)


def family_section(family: pd.DataFrame | None, partnerships, source: str) -> str:
    """Each partnership against its own Most Similar Group (pipeline.analysis.partnerships.family_comparison)."""
    if family is None:
        return ("<h2>Against similar partnerships</h2><p>No Most Similar Group families file is configured "
                "(<code>peers: msg_file</code>), so the partnerships are compared only with every partnership of the "
                "run, which are the force area's, not partnerships like each other.</p>")
    head = "".join(f"<th>{escape(m)}: family rate; ratio to it (95% interval)</th>" for m in MEASURES)
    body = []
    for partnership in partnerships:
        rows = family[family["csp_code"] == partnership.code].set_index("measure")
        if rows.empty:
            body.append(f"<tr><td>{escape(partnership.name)}</td><td colspan='{len(MEASURES) + 1}' class='note'>No "
                        "family in the file, or none of its family is in this run.</td></tr>")
            continue
        cells = "".join(f"<td class='n'>{_family_cell(rows.loc[m])}</td>" if m in rows.index else "<td></td>"
                        for m in MEASURES)
        body.append(f"<tr><td>{escape(partnership.name)}</td><td>{escape(str(rows['family'].iloc[0]))} "
                    f"({int(rows['family_size'].iloc[0])})</td>{cells}</tr>")
    return f"""<h2>Each partnership against its Most Similar Group</h2>
<p>The peers of each partnership in the families file{' (' + escape(source) + ')' if source else ''} that are in
this run, pooled: the family's rate per 1,000 residents, and the partnership's rate divided by it with an exact 95%
interval (exact conditional test of two Poisson rates). Peers outside the run's police.uk files are left out. The
numbers are in family.csv.</p>
<div class="wrap"><table><thead><tr><th>Partnership</th><th>Family in this run</th>{head}</tr></thead>
<tbody>{''.join(body)}</tbody></table></div>"""


def _family_cell(row: pd.Series) -> str:
    if pd.isna(row["rate_ratio"]):
        return f"{row['family_rate_per_1000']:.1f}; [c]"
    return (f"{row['family_rate_per_1000']:.1f}; {row['rate_ratio']:.2f} ({row['ratio_low_95']:.2f} to "
            f"{row['ratio_high_95']:.2f})<br><span class='note'>{escape(row['verdict'])}</span>")


def write_index(folder: Path, config, period_end: pd.Period, partnerships, outcomes: list[dict], table: pd.DataFrame,
                seconds: float, family: pd.DataFrame | None = None) -> Path:
    write_csv(table, folder / "comparison.csv")
    if family is not None:
        write_csv(family, folder / "family.csv")
    outcome = {o["code"]: o for o in outcomes}
    year = f"the year ending {period_end.strftime('%B %Y')}"
    head = "".join(f"<th>{escape(m)}: count, rate per 1,000 (95% interval)</th>" for m in MEASURES)
    body = []
    for partnership in partnerships:
        result = outcome.get(partnership.code, {})
        report = Path(result.get("report", ""))
        link = (f"<a href='{escape(report.relative_to(folder.parent).as_posix() if report.is_relative_to(folder.parent) else report.as_uri())}'>"
                f"{escape(partnership.name)}</a>" if result.get("status") == 0 else
                f"{escape(partnership.name)} <span class='failed'>(failed: {escape(result.get('error', 'a chapter failed'))})</span>")
        rows = table[table["csp_code"] == partnership.code].set_index("measure")
        population = int(rows["population"].iloc[0]) if len(rows) else 0
        cells = "".join(f"<td class='n'>{_figure(rows.loc[m])}</td>" if m in rows.index else "<td></td>" for m in MEASURES)
        body.append(f"<tr><td>{link}<br><span class='note'>{escape(partnership.code)}; "
                    f"{'districts' if len(partnership.districts) > 1 else 'district'} {escape(', '.join(partnership.districts))}</span></td><td class='n'>{population:,}</td>{cells}</tr>")
    common = table.drop_duplicates("measure").set_index("measure")["common_rate_per_1000"]
    common_text = "; ".join(f"{escape(m)} {common[m]:.1f}" for m in MEASURES if m in common and pd.notna(common[m]))
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{escape(config.title)}: partnerships compared</title><style>{STYLE}</style></head><body>
<h1>Community Safety Strategic Assessments: {len(partnerships)} partnership{'s' if len(partnerships) != 1 else ''}, {escape(year)}</h1>
<p>One report per Community Safety Partnership (ONS lookup of districts to partnerships, December 2023), from the
police.uk files of <code>{escape(str(config.police_uk))}</code>. {'<strong>SYNTHETIC DEMONSTRATION DATA.</strong>' if config.synthetic else ''}</p>
<div class="wrap"><table><thead><tr><th>Partnership (report)</th><th>Residents (Census 2021)</th>{head}</tr></thead>
<tbody>{''.join(body)}</tbody></table></div>
<p class="note">Counts are police.uk records placed in the partnership's districts in {escape(year)}. Rates per 1,000
residents with exact (Garwood) 95% intervals. The funnel position compares each partnership with the rate of all
the partnerships shown ({common_text} per 1,000): within the 95% limits is what chance alone gives one time in
twenty apart; beyond the 99.8% limit is a difference worth explaining. [c]: 1 to 4, not shown. A partnership that
shares a district with another is counted on the whole district. The numbers are in comparison.csv.</p>
<h2>Each partnership against the rate of all of them</h2>
{funnel_figures(table, year) or '<p>Fewer than two partnerships have counts to show.</p>'}
{family_section(family, partnerships, config.peers.source)}
<p class="note">Built {time.strftime('%Y-%m-%d %H:%M')} in {seconds:.0f} s.</p></body></html>
"""
    return write_text(html, folder / "index.html")

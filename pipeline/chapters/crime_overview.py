"""Chapter 2, crime overview: levels of police-recorded crime and ASB, what changed since last year
(screened for natural variation), rates, long-term trends, the county comparison and the plan's targets."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import overview, targets
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding
from pipeline.methods.periods import year_ending_label

NAME = "crime_overview"


@dataclass
class CrimeOverview:
    area_name: str
    year_label: str
    months_missing: list[str]
    table: pd.DataFrame = field(default_factory=pd.DataFrame)  # numbers, before disclosure control
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def published(self) -> pd.DataFrame:
        return overview.published_overview(self.table) if not self.table.empty else self.table

    @property
    def incomplete_year(self) -> str:
        """Why there are no annual figures, or '' when the latest twelve months are complete."""
        if not self.months_missing:
            return ""
        return (f"The assessment year ({self.year_label}) has {12 - len(self.months_missing)} of its 12 months of "
                f"police.uk data; missing or with every row rejected: {', '.join(self.months_missing)}. Annual counts, "
                "rates and changes need all twelve months, so they are not shown; the monthly chart shows what there is.")


def build(ctx: ChapterContext) -> CrimeOverview:
    crimes, denominators = ctx.table("crimes"), ctx.table("denominators")
    area = overview.area_rows(crimes, ctx.config.area_codes)
    months = [str(m) for m in pd.period_range(ctx.period_end - 11, ctx.period_end, freq="M")]
    present = set(crimes["month"])
    result = CrimeOverview(ctx.config.area_name, year_ending_label(ctx.period_end), [m for m in months if m not in present])
    result.monthly = overview.monthly_counts(crimes, ctx.config.area_codes)
    if not area.empty:
        result.table = overview.overview_table(crimes, denominators, ctx.config.area_codes)
        result.comparison = overview.district_comparison(crimes, denominators, ctx.config.area_codes,
                                                         ctx.config.comparison_codes)
    extracts = {target.source: ctx.table(target.source, area_only=True) for target in ctx.config.targets}
    unavailable = {name: f"unusable ({reason})" for name, reason in ctx.ingest_facts().get("unusable_extracts", {}).items()}
    result.targets = targets.target_progress(ctx.config, crimes, extracts, ctx.period_end, unavailable)
    return result


def findings(result: CrimeOverview) -> list[Finding]:
    """The headline, the changes beyond natural variation, and each target's status, from the numbers."""
    out: list[Finding] = []
    if result.table.empty:
        return [Finding(NAME, "overall", result.incomplete_year or f"No police.uk records for {result.area_name}.",
                        {"months_missing": len(result.months_missing)}, "not assessable")]
    rows = result.published.set_index("Crime type")
    total = rows.loc[overview.ALL_CRIME]
    text = (f"{result.area_name} recorded {fmt.count(total['This year'])} crimes (excluding anti-social behaviour) in "
            f"{result.year_label}, {fmt.decimal(total['Rate per 1,000'], 'rate')} per 1,000 residents.")
    figures = {"crimes": int(total["This year"]), "rate_per_1000": float(total["Rate per 1,000"])}
    direction = "context"
    if isinstance(total["Last year"], (int, float)) and not fmt.is_missing(total["Last year"]):
        change, percent = int(total["Change (offences)"]), float(total["Change (%)"])
        screen = {"yes": "beyond natural variation", "no": "within natural variation"}.get(
            total["Beyond natural variation"], total["Beyond natural variation"])
        text += f" Against the twelve months before: {fmt.describe_change(change, percent)}, {screen}."
        figures |= {"last_year": int(total["Last year"]), "change": change, "change_percent": percent,
                    "p_value": float(total["p-value"])}
        direction = "no change" if screen != "beyond natural variation" else ("down" if change < 0 else "up")
    else:
        text += " The previous twelve months are not in the data, so no year-on-year change is shown."
    trend = total["Long-term change a year (%)"]
    if total["Long-term trend"] in ("downward", "upward"):
        text += (f" Long-term trend {total['Long-term trend']} ({fmt.signed_percent(trend.value)} a year over "
                 f"{result.table['Trend years'].iloc[0]} years).")
        figures |= {"trend_percent_a_year": trend.value}
    out.append(Finding(NAME, "overall", text, figures, direction, "Crime by type"))
    for crime_type, row in rows.drop(index=[overview.ALL_CRIME]).iterrows():
        if row["Beyond natural variation"] != "yes":
            continue
        change, percent = int(row["Change (offences)"]), float(row["Change (%)"])
        out.append(Finding(NAME, "overall", f"{crime_type}: {fmt.describe_change(change, percent)} on the year before "
                           f"({fmt.count(row['Last year'])} to {fmt.count(row['This year'])}), beyond natural variation "
                           f"(exact Poisson test, p {fmt.p_value(row['p-value'])}).",
                           {"this_year": int(row["This year"]), "last_year": int(row["Last year"]), "change": change,
                            "change_percent": percent, "p_value": float(row["p-value"])},
                           "down" if change < 0 else "up", "Crime by type"))
    for _, row in result.targets.iterrows():
        status = str(row.get("Status", ""))
        direction = status.lower() if status in ("Met", "Missed", "On track", "Off track") else "not assessable"
        figures = {k: row[k] for k in ("Year to date", "Target count", "Projected year end")
                   if k in row and isinstance(row[k], (int, float)) and not fmt.is_missing(row[k])}
        detail = row.get("Verdict") if isinstance(row.get("Verdict"), str) and row.get("Verdict") else status
        out.append(Finding(NAME, "targets", f"Target '{row['Target']}' ({row['Aim']}): {detail}.", figures, direction,
                           "Progress against the plan's targets"))
    return out

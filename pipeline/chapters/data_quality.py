"""Chapter 1, data and data quality: what was read from every source, what was kept and rejected and
why, and the geography every record was mapped to. Ingest itself is a stage of the runner; this chapter
reports on it from the processed tables."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline.analysis import quality
from pipeline.chapters.context import ChapterContext
from pipeline.chapters.registry import Finding
from pipeline.stages.ingest_steps import MOSTLY_REJECTED

NAME = "data_quality"


@dataclass
class DataQuality:
    title: str
    year_label: str
    synthetic: bool
    missing_extracts: list[str]
    rows: pd.DataFrame  # source, files, rows_in, rows_outside_area, rows_kept, rows_rejected, note (numbers)
    reasons: pd.DataFrame = field(default_factory=pd.DataFrame)
    areas: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def published_rows(self) -> pd.DataFrame:
        return quality.quality_table(self.rows)

    @property
    def unusable(self) -> list[str]:
        """Sources most of whose rows in the assessed districts were rejected."""
        in_area = self.rows["rows_in"] - self.rows["rows_outside_area"]
        return self.rows.loc[(in_area > 0) & (self.rows["rows_rejected"] > MOSTLY_REJECTED * in_area), "source"].tolist()


def build(ctx: ChapterContext) -> DataQuality:
    rows = ctx.table("data_quality")
    for column in ("files", "rows_in", "rows_outside_area", "rows_kept", "rows_rejected"):
        rows[column] = pd.to_numeric(rows[column]).astype("int64")
    return DataQuality(ctx.config.title, ctx.period_end.strftime("%B %Y"), ctx.config.synthetic, ctx.missing_extracts,
                       rows, quality.reject_reasons(ctx.processed_dir),
                       quality.area_summary(ctx.config, ctx.table("geography"), ctx.table("denominators")))


def findings(result: DataQuality) -> list[Finding]:
    read, outside, kept, rejected = (int(result.rows[c].sum())
                                     for c in ("rows_in", "rows_outside_area", "rows_kept", "rows_rejected"))
    text = (f"{fmt.count(read)} rows read from {fmt.count(result.rows['files'].sum())} files for the year ending "
            f"{result.year_label}: "
            + (f"{fmt.count(outside)} lie outside the assessed districts (police.uk files hold neighbouring areas' "
               "rows), " if outside else "")
            + f"{fmt.count(kept)} kept and {fmt.count(rejected)} rejected, each with a reason.")
    if result.synthetic:
        text += " All police.uk-format files and partner extracts here are synthetic demonstration data."
    out = [Finding(NAME, "data", text, {"rows_read": read, "rows_outside_area": outside, "rows_kept": kept,
                                        "rows_rejected": rejected}, "context",
                   "Rows read, kept and rejected by source")]
    if result.missing_extracts:
        out.append(Finding(NAME, "data", "Partner extracts not supplied: " + ", ".join(f"{m}.csv" for m in result.missing_extracts)
                           + ". The parts of the report that need them say so.",
                           {"extracts_missing": len(result.missing_extracts)}, "gap", "Rows read, kept and rejected by source"))
    for source in result.unusable:
        row = result.rows.set_index("source").loc[source]
        in_area = int(row["rows_in"] - row["rows_outside_area"])
        out.append(Finding(NAME, "data", f"{source}: {fmt.count(row['rows_rejected'])} of {fmt.count(in_area)} rows "
                           "rejected; the source is unusable until it is fixed (see Why rows were rejected).",
                           {"rows_in": in_area, "rows_rejected": int(row["rows_rejected"])}, "gap",
                           "Why rows were rejected"))
    return out

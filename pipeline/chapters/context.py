"""What a chapter needs: the configuration, the period end, the folders and the processed tables.

A chapter reads only processed tables and never ingests in a run: the runner hands it the cache key of the ingest
it made, and `chapter_context` stops with a clear message if the processed tables are not that ingest any more
(another run replaced them). Run by hand in JupyterLab (no key), `chapter_context` runs the cached ingest stage
first, so a notebook works on its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.inputs.config import AssessmentConfig, load_config
from pipeline.paths import PROCESSED_DIR, RAW_DIR, resolve
from pipeline.stages.ingest import ensure_ingested, latest_month, processed_dir_for, read_facts


@dataclass
class ChapterContext:
    config: AssessmentConfig
    period_end: pd.Period
    raw_dir: Path
    processed_root: Path
    _facts: dict | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def processed_dir(self) -> Path:
        return processed_dir_for(self.config, self.period_end, self.processed_root)

    def table(self, name: str, area_only: bool = False) -> pd.DataFrame | None:
        """A processed table, or None when its source was not supplied. area_only: leave out the rows placed in
        another district (a force-wide extract covers the whole county); rows with no location are kept, as
        nothing places them elsewhere."""
        parquet, csv = self.processed_dir / f"{name}.parquet", self.processed_dir / f"{name}.csv"
        if parquet.exists():
            frame = pd.read_parquet(parquet)
        elif csv.exists():
            frame = pd.read_csv(csv, keep_default_na=False)
        else:
            return None
        if area_only and "district_code" in frame:
            frame = frame[frame["district_code"].isin(["", *self.config.area_codes])].reset_index(drop=True)
        return frame

    def boundaries(self):
        """The ONS boundary polygons (GeoDataFrame in BNG metres; empty when none were supplied)."""
        import geopandas as gpd

        from pipeline.inputs.boundaries import empty

        path = self.processed_dir / "boundaries.parquet"
        return gpd.read_parquet(path) if path.exists() else empty()

    def ingest_facts(self) -> dict:
        """ingest.json of the processed tables (read once: the tables do not change under a chapter)."""
        if self._facts is None:
            self._facts = read_facts(self.processed_dir)
        return self._facts

    @property
    def missing_extracts(self) -> list[str]:
        return self.ingest_facts().get("missing_extracts", [])

    @property
    def unavailable(self) -> dict[str, str]:
        """Why each partner extract without a processed table has none: not supplied, or unusable and why."""
        facts = self.ingest_facts()
        out = {name: f"{name}.csv was not supplied" for name in facts.get("missing_extracts", [])}
        out |= {name: f"{name} was unusable: {reason}" for name, reason in facts.get("unusable_extracts", {}).items()}
        return out


class ProcessedTablesChanged(RuntimeError):
    pass


def chapter_context(config_path: str, period_end: str = "", raw_dir: str = "", processed_root: str = "",
                    ingest_key: str = "") -> ChapterContext:
    """The context for the notebook's parameters (relative paths are taken from the project root). With the run's
    `ingest_key`, the processed tables must be that ingest (ProcessedTablesChanged otherwise); without one (a
    notebook run by hand), the cached ingest runs first."""
    config = load_config(config_path)
    raw = resolve(raw_dir) if raw_dir else RAW_DIR
    processed = resolve(processed_root) if processed_root else PROCESSED_DIR
    end = pd.Period(period_end, freq="M") if period_end else latest_month(config, raw)
    context = ChapterContext(config, end, raw, processed)
    if not ingest_key:
        ensure_ingested(config, end, raw, processed)
    elif read_facts(context.processed_dir).get("cache_key") != ingest_key:
        raise ProcessedTablesChanged(
            f"the processed tables in {context.processed_dir} are not the ingest this run made (they were replaced or "
            "removed while it ran, by another run or by hand). Chapters never ingest: run the assessment again.")
    return context

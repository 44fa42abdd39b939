"""What a chapter notebook needs from its parameters: the configuration, the period end, the
folders, and the processed tables (ingesting first if they are missing or for another period)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.inputs.config import AssessmentConfig, load_config
from pipeline.stages.ingest import latest_month, processed_dir_for, run_ingest
from pipeline.paths import PROCESSED_DIR, RAW_DIR, resolve


@dataclass
class ChapterContext:
    config: AssessmentConfig
    period_end: pd.Period
    raw_dir: Path
    processed_root: Path

    @property
    def processed_dir(self) -> Path:
        return processed_dir_for(self.config, self.processed_root)

    def table(self, name: str) -> pd.DataFrame | None:
        """A processed table, or None when its source was not supplied."""
        path = self.processed_dir / f"{name}.parquet"
        return pd.read_parquet(path) if path.exists() else None

    def ingest_facts(self) -> dict:
        path = self.processed_dir / "ingest.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def ensure_ingested(self) -> None:
        """Run ingest when the processed tables are absent or were made for another period end."""
        if self.ingest_facts().get("period_end") != str(self.period_end):
            run_ingest(self.config, self.period_end, self.raw_dir, self.processed_root)


def chapter_context(config_path: str, period_end: str = "", raw_dir: str = "", processed_root: str = "") -> ChapterContext:
    config = load_config(config_path)
    raw = resolve(raw_dir) if raw_dir else RAW_DIR
    processed = resolve(processed_root) if processed_root else PROCESSED_DIR
    end = pd.Period(period_end, freq="M") if period_end else latest_month(config, raw)
    return ChapterContext(config, end, raw, processed)

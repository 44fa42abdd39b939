"""Project paths, anchored at the repository root (cookiecutter-data-science style).

Every path the pipeline uses is built from PROJECT_ROOT, so notebooks, tests and the runner
agree whatever the current working directory is.
"""
from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
CONFIG_DIR = PROJECT_ROOT / "config"
DEFAULT_CONFIG = CONFIG_DIR / "demo.yaml"
SHARED_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"


def resolve(path: str | Path, base: Path = PROJECT_ROOT) -> Path:
    """An absolute path: `path` itself if absolute, else relative to `base`."""
    path = Path(path)
    return path if path.is_absolute() else (base / path)

"""A national-scale police.uk year for the speed and scale benchmarks: about 6 million street rows in 12 monthly
folders, one file per force a month, in the exact format data.police.uk publishes (its header, its columns, its
empty Crime ID on anti-social behaviour, 'No location' rows with no coordinates or LSOA).

    python benchmarks/national_data.py [--rows 6000000] [--out benchmarks/data/national]

Values are realistic, not real: every 2021 LSOA of England and Wales from the ONS lookup, grouped into its police
force area by the ONS LAD23_CSP23_PFA23 lookup; rows spread over LSOAs with a skewed (lognormal) intensity; points
near each LSOA's population-weighted centroid; crime types in national proportions (ASB about a quarter).
Seeded: the same arguments give the same files. The output folder is git-ignored.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.inputs.police_uk import STREET_COLUMNS  # noqa: E402
from pipeline.paths import RAW_DIR  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "data" / "national"
CSP_LOOKUP = ROOT.parent / "shared" / "data" / "reference" / "LAD23_CSP23_PFA23_lookup_December_2023.csv"
SHARES = {"Anti-social behaviour": 0.24, "Violence and sexual offences": 0.30, "Shoplifting": 0.07,
          "Criminal damage and arson": 0.08, "Other theft": 0.06, "Public order": 0.07, "Vehicle crime": 0.05,
          "Burglary": 0.035, "Drugs": 0.025, "Bicycle theft": 0.012, "Theft from the person": 0.012,
          "Robbery": 0.01, "Possession of weapons": 0.008, "Other crime": 0.021}
OUTCOMES = ["Investigation complete; no suspect identified", "Unable to prosecute suspect", "Under investigation",
            "Status update unavailable", "Offender given a caution", "Awaiting court outcome"]
NO_LOCATION = 0.015


def lsoas() -> pd.DataFrame:
    """Every 2021 LSOA with its name, force, and a centroid (2011 centroids carried to their 2021 successors)."""
    lookup = pd.read_csv(RAW_DIR / "reference" / "LSOA_2011_to_LSOA_2021_Lookup_for_England_and_Wales.csv.gz",
                         encoding="utf-8-sig", usecols=["LSOA11CD", "LSOA21CD", "LSOA21NM", "LAD22CD"])
    centroids = pd.read_csv(RAW_DIR / "reference" / "Lower_Layer_Super_Output_Areas_December_2011_Population_Weighted_Centroids.csv.gz",
                            encoding="utf-8-sig", usecols=["X", "Y", "lsoa11cd"])
    forces = pd.read_csv(CSP_LOOKUP, encoding="utf-8-sig", usecols=["LAD23CD", "PFA23NM"])
    frame = lookup.merge(centroids, left_on="LSOA11CD", right_on="lsoa11cd").merge(forces, left_on="LAD22CD",
                                                                                  right_on="LAD23CD")
    return (frame.groupby("LSOA21CD", as_index=False)
            .agg(name=("LSOA21NM", "first"), force=("PFA23NM", "first"), x=("X", "mean"), y=("Y", "mean")))


def slug(force: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in force.lower()).strip("-").replace("--", "-")


def month_rows(rng: np.random.Generator, areas: pd.DataFrame, weights: np.ndarray, month: str, n: int) -> pd.DataFrame:
    pick = rng.choice(len(areas), size=n, p=weights)
    chosen = areas.iloc[pick]
    types = rng.choice(list(SHARES), size=n, p=np.array(list(SHARES.values())) / sum(SHARES.values()))
    asb = types == "Anti-social behaviour"
    ids = np.where(asb, "", [b.hex() for b in np.frombuffer(rng.bytes(32 * n), dtype="S32")])
    located = rng.random(n) >= NO_LOCATION
    force = chosen["force"].to_numpy()
    reported = np.char.add(force.astype(str), " Police")
    lon = np.round(chosen["x"].to_numpy() + rng.normal(0, 0.004, n), 6)
    lat = np.round(chosen["y"].to_numpy() + rng.normal(0, 0.003, n), 6)
    street = np.char.add("On or near Street ", rng.integers(1, 400, n).astype(str))
    return pd.DataFrame({
        "Crime ID": ids, "Month": month, "Reported by": reported, "Falls within": reported,
        "Longitude": np.where(located, lon.astype(str), ""), "Latitude": np.where(located, lat.astype(str), ""),
        "Location": np.where(located, street, "No location"),
        "LSOA code": np.where(located, chosen["LSOA21CD"].to_numpy(), ""),
        "LSOA name": np.where(located, chosen["name"].to_numpy(), ""), "Crime type": types,
        "Last outcome category": np.where(asb, "", rng.choice(OUTCOMES, size=n)), "Context": "",
        "force": force})


def build(out: Path, rows: int, seed: int = 20261125) -> dict:
    rng = np.random.default_rng(seed)
    areas = lsoas()
    weights = rng.lognormal(0, 0.8, len(areas))
    weights /= weights.sum()
    months = [str(m) for m in pd.period_range("2024-01", "2024-12", freq="M")]
    files = 0
    for month in months:
        frame = month_rows(rng, areas, weights, month, rows // len(months))
        folder = out / month
        folder.mkdir(parents=True, exist_ok=True)
        for force, part in frame.groupby("force", sort=True):
            part[STREET_COLUMNS].to_csv(folder / f"{month}-{slug(force)}-street.csv", index=False, lineterminator="\n")
            files += 1
    return {"rows": rows // len(months) * len(months), "files": files, "forces": areas["force"].nunique(),
            "lsoas": len(areas)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=6_000_000)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    started = time.perf_counter()
    facts = build(args.out, args.rows)
    print(f"{facts['rows']:,} rows in {facts['files']} files ({facts['forces']} forces, {facts['lsoas']:,} LSOAs) "
          f"under {args.out} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

"""Rebuild the embedded real data in data/raw/ from a copy of the published files.

    python scripts/build_real_data.py [--shared ../shared/data]

Every file is copied byte for byte. To keep the repository light, police.uk monthly folders are
stored the way data.police.uk distributes them, as one zip archive, and the national ONS
reference files are gzipped; data/raw/SHA256SUMS records the sha256 of each original file so
that tests can prove the archived copies are unchanged. Archives are written with fixed
timestamps, so rebuilding gives identical bytes.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.paths import RAW_DIR, SHARED_DATA_DIR  # noqa: E402
from pipeline.inputs.harm_weights import VOLUMES_FILE
from pipeline.inputs.reference import AGE_POPULATION_FILE, REFERENCE_FILES  # noqa: E402

FIXED_TIME = (2025, 1, 1, 0, 0, 0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(shared: Path, raw: Path) -> list[str]:
    sums: list[str] = []
    police = shared / "police.uk" / "cambridgeshire"
    target = raw / "real" / "police.uk" / "cambridgeshire-2024.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(police.rglob("*.csv")):
            member = path.relative_to(police).as_posix()
            data = path.read_bytes()
            info = zipfile.ZipInfo(member, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
            sums.append(f"{sha256(data)}  police.uk/cambridgeshire/{member}  ->  {target.relative_to(raw)}!{member}")
    reference = raw / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    for name in (*REFERENCE_FILES.values(), AGE_POPULATION_FILE):
        data = (shared / "reference" / name).read_bytes()
        with open(reference / f"{name}.gz", "wb") as handle, gzip.GzipFile(fileobj=handle, mode="wb", mtime=0,
                                                                            filename="", compresslevel=9) as zipped:
            zipped.write(data)
        sums.append(f"{sha256(data)}  reference/{name}  ->  reference/{name}.gz")
    # Offences by Home Office code and force: the volumes that carry code-level harm weights to police.uk types.
    data = (shared / "home_office" / VOLUMES_FILE).read_bytes()
    (raw / "home_office").mkdir(parents=True, exist_ok=True)
    with open(raw / "home_office" / f"{VOLUMES_FILE}.gz", "wb") as handle, gzip.GzipFile(
            fileobj=handle, mode="wb", mtime=0, filename="", compresslevel=9) as zipped:
        zipped.write(data)
    sums.append(f"{sha256(data)}  home_office/{VOLUMES_FILE}  ->  home_office/{VOLUMES_FILE}.gz")
    for folder, pattern in (("fingertips", "*.csv"), ("fingertips/metadata", "*.md"), ("home_office", "CrimeCatMappings.csv"),
                            ("boundaries", "*.geojson"), ("boundaries", "README.md"),
                            ("reference", "LAD23_CSP23_PFA23_lookup_December_2023.csv")):
        (raw / folder).mkdir(parents=True, exist_ok=True)
        for path in sorted((shared / folder).glob(pattern)):
            shutil.copyfile(path, raw / folder / path.name)
            sums.append(f"{sha256(path.read_bytes())}  {folder}/{path.name}  ->  {folder}/{path.name}")
    shutil.copyfile(shared / "istv_minimum_dataset_fields.md", raw / "istv_minimum_dataset_fields.md")
    sums.append(f"{sha256((shared / 'istv_minimum_dataset_fields.md').read_bytes())}  istv_minimum_dataset_fields.md  ->  istv_minimum_dataset_fields.md")
    return sums


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED_DATA_DIR, help="folder holding the published files")
    parser.add_argument("--raw", type=Path, default=RAW_DIR, help="the project's data/raw folder")
    args = parser.parse_args()
    if not args.shared.exists():
        sys.exit(f"{args.shared}: folder of published files not found; pass --shared.")
    sums = build(args.shared, args.raw)
    (args.raw / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    print(f"wrote {len(sums)} files into {args.raw}")


if __name__ == "__main__":
    main()

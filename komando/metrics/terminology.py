"""Indonesian names for clinical codes. FHIR codings carry the WHO (English) display; screens in
Bahasa Indonesia show the Indonesian name from the project's terminology file when it has one."""

import csv
from functools import cache
from pathlib import Path

TERMINOLOGY_DIR = Path(__file__).resolve().parent.parent / "data" / "terminology"


@cache
def icd10_indonesian_names() -> dict[str, str]:
    with open(TERMINOLOGY_DIR / "icd10-id.csv", newline="", encoding="utf-8") as handle:
        return {row["code"]: row["name_id"] for row in csv.DictReader(handle)}


def icd10_indonesian_name(code: str) -> str | None:
    return icd10_indonesian_names().get(code)

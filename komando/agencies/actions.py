import csv
from pathlib import Path

from django.db import transaction

from komando.agencies.models import Agency


@transaction.atomic
def do_load_agencies(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        Agency.objects.update_or_create(code=row["code"], defaults={"short_name": row["short_name"], "name": row["name"]})
    return len(rows)

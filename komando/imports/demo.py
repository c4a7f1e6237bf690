"""The demo's Bapenda file: this year's monthly revenue realisation up to last month, as Bapenda's
staff would upload it on /sumber/impor/ (so Pendapatan daerah is live in `make demo`)."""

from __future__ import annotations

import csv
import io
import random
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from komando.imports.formats.revenue import revenue_types

HEADERS = ["tahun", "bulan", "kode_jenis", "jenis_pendapatan", "target_tahunan", "realisasi_bulan_ini", "realisasi_kumulatif"]


def demo_revenue_file(today: date) -> SimpleUploadedFile:
    year, last_month = today.year, max(1, today.month - 1)
    rows = []
    for index, (code, name) in enumerate(sorted(revenue_types().items())):
        generator = random.Random(f"{year}-{code}")
        target = generator.randint(20, 900) * 1_000_000_000 // (index + 1)
        cumulative = 0
        for month in range(1, last_month + 1):
            this_month = int(target / 12 * generator.uniform(0.6, 1.15))
            cumulative += this_month
            rows.append([year, month, code, name, target, this_month, cumulative])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile(f"pendapatan-{year}-{last_month:02d}.csv", buffer.getvalue().encode())


def import_demo_revenue(today: date) -> str:
    """Import the demo file once (a second demo run finds it already imported: nothing changes)."""
    from django.contrib.auth.models import User

    from komando.imports.actions import do_import_file
    from komando.sources.models import Source

    if not Source.objects.filter(slug="pendapatan").exists():
        return "not a source of this city (no 'pendapatan' in its sources.csv): nothing imported"
    administrator = User.objects.filter(is_superuser=True).order_by("pk").first()
    result = do_import_file(
        "pendapatan", "pendapatan-bulanan", demo_revenue_file(today), acting_user=administrator, channel="cli"
    )
    return result.message

"""Pendapatan daerah (Bapenda): monthly tax and levy realisation against the year's target, per type.

The type codes come from ``komando/imports/data/revenue_types.csv``; a city replaces the list by
putting ``imports/revenue_types.csv`` in its city folder (KOMANDO_CITY_DIR)."""

import calendar
import csv
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from komando.core import clock
from komando.core.city import city_data_dir
from komando.imports.formats.base import (
    CellProblem,
    Column,
    ImportTemplate,
    read_month,
    read_whole_number,
    rupiah,
)

MAX_RUPIAH = 10**15  # far above any city's revenue; guards against pasted garbage
DEFAULT_TYPES_FILE = Path(__file__).resolve().parent.parent / "data" / "revenue_types.csv"


@lru_cache(maxsize=4)
def _types_from(path: Path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return {row["code"].strip().upper(): row["name"].strip() for row in csv.DictReader(handle)}


def revenue_types() -> dict[str, str]:
    city_file = city_data_dir() / "imports" / "revenue_types.csv"
    return _types_from(city_file if city_file.is_file() else DEFAULT_TYPES_FILE)


def read_type_code(value) -> str:
    code = " ".join(str(value).split()).upper()
    if code not in revenue_types():
        raise CellProblem(_("unknown type code: “%(value)s”") % {"value": str(value)[:40]})
    return code


class RevenueRealisationTemplate(ImportTemplate):
    slug = "pendapatan-bulanan"
    source_slug = "pendapatan"
    title = gettext_lazy("Regional revenue (Bapenda): monthly realisation")
    description = gettext_lazy(
        "One row per revenue type and month: the year's target and what was collected "
        "this month and since January, in whole Rupiah."
    )
    natural_key = ("year", "month", "type_code")
    columns = [
        Column(
            "tahun", "year", gettext_lazy("Fiscal year, e.g. 2026."), "2026", read_whole_number, min_value=2000, max_value=2100
        ),
        Column("bulan", "month", gettext_lazy("Month: 1–12 or its Indonesian name (Januari–Desember)."), "10", read_month),
        Column(
            "kode_jenis",
            "type_code",
            gettext_lazy("Revenue type code from the list below, e.g. PBB-P2."),
            "PBB-P2",
            read_type_code,
        ),
        Column(
            "jenis_pendapatan",
            "type_label",
            gettext_lazy("Name of the revenue type (for people reading the file; Komando shows the name of the code)."),
            "PBB-P2",
            required=False,
        ),
        Column(
            "target_tahunan",
            "annual_target",
            gettext_lazy("The year's target, whole Rupiah, not negative."),
            "150000000000",
            read_whole_number,
            min_value=0,
            max_value=MAX_RUPIAH,
            is_rupiah=True,
        ),
        Column(
            "realisasi_bulan_ini",
            "realised_this_month",
            gettext_lazy("Collected in this month, whole Rupiah, not negative."),
            "9500000000",
            read_whole_number,
            min_value=0,
            max_value=MAX_RUPIAH,
            is_rupiah=True,
        ),
        Column(
            "realisasi_kumulatif",
            "realised_cumulative",
            gettext_lazy("Collected from January up to and including this month, whole Rupiah."),
            "98250000000",
            read_whole_number,
            min_value=0,
            max_value=MAX_RUPIAH,
            is_rupiah=True,
        ),
    ]
    stored_fields = ("type_name", "annual_target", "realised_this_month", "realised_cumulative")

    def code_list(self) -> dict[str, str]:
        return revenue_types()

    def check_row(self, row):
        problems = []
        if row["realised_cumulative"] < row["realised_this_month"]:
            problems.append(
                (
                    "realisasi_kumulatif",
                    _("cumulative realisation (%(cumulative)s) is less than this month's (%(month)s)")
                    % {"cumulative": rupiah(row["realised_cumulative"]), "month": rupiah(row["realised_this_month"])},
                )
            )
        return problems

    def store(self, source, rows, batch):
        from komando.imports.models import RevenueRealisation

        names = revenue_types()
        existing = {
            (item.year, item.month, item.type_code): item
            for item in RevenueRealisation.objects.filter(source=source, year__in={row["year"] for row in rows})
        }
        to_create, to_update, unchanged = [], [], 0
        for row in rows:
            values = {
                "type_name": names[row["type_code"]],
                "annual_target": row["annual_target"],
                "realised_this_month": row["realised_this_month"],
                "realised_cumulative": row["realised_cumulative"],
            }
            item = existing.get((row["year"], row["month"], row["type_code"]))
            if item is None:
                to_create.append(
                    RevenueRealisation(
                        source=source,
                        year=row["year"],
                        month=row["month"],
                        type_code=row["type_code"],
                        import_batch=batch,
                        **values,
                    )
                )
            elif any(getattr(item, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(item, name, value)
                item.import_batch = batch
                to_update.append(item)
            else:
                unchanged += 1
        RevenueRealisation.objects.bulk_create(to_create, batch_size=500)
        # bulk_update skips auto_now: set updated_at ourselves.
        now = timezone.now()
        for item in to_update:
            item.updated_at = now
        RevenueRealisation.objects.bulk_update(to_update, [*self.stored_fields, "import_batch", "updated_at"], batch_size=500)
        return len(to_create), len(to_update), unchanged

    def data_as_of(self, source):
        """The end of the newest month stored for the source (in the city's zone), or None."""
        from komando.imports.models import RevenueRealisation

        newest = RevenueRealisation.objects.filter(source=source).order_by("-year", "-month").first()
        if newest is None:
            return None
        last_day = calendar.monthrange(newest.year, newest.month)[1]
        return datetime(newest.year, newest.month, last_day, 23, 59, 59, tzinfo=clock.city_zone())

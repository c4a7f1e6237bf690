"""The development watch's browser test data, on a database holding the city's reference data: an
executive, and the city's simulated e-Monev kegiatan (``simulators/emonev.json``) stored through
``do_sync_development`` as e-Monev reports them at the end of August 2026, with one kegiatan whose
rows stop at August. ``store_next_month()`` then stores September through the same action — that
kegiatan gets a new ProgressMonth, 20 points behind plan (kritis) — as the e-Monev connector would.
Run in the live system's database: ``live_system(seed=set_up)``, ``system.call(store_next_month)``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from komando.accounts.actions import do_ensure_role_groups
from komando.accounts.models import Profile, Role
from komando.connectors.emonev.simulator import progress_rows
from komando.development.actions import do_sync_development
from komando.development.models import ProgressMonth, Project
from komando.development.records import MonthProgressRecord, ProjectRecord
from komando.sources.actions import do_record_run_success
from komando.sources.models import Source

YEAR = 2026
PASSWORD = "komando-pembangunan-2026"
EXECUTIVE = "walikota-dw"
GROWING = "20260006"  # drainage along Jalan Gatot Subroto (PUPR): its rows stop at the current month
WIB = ZoneInfo("Asia/Jakarta")


def _percent(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def records(current_month: int) -> list[ProjectRecord]:
    document = json.loads((settings.KOMANDO_CITY_DIR / "simulators" / "emonev.json").read_text(encoding="utf-8"))
    advance = float(document.get("uang_muka_persen", 20))
    result = []
    for item in document["kegiatan"]:
        ref = f"{YEAR}{item['id']}"
        rows = progress_rows(item, current_month, advance)
        if ref == GROWING:
            rows = rows[:current_month]
            if current_month > 8:  # from September: the newest month 20 points behind plan
                rows[-1]["realisasi_fisik"] = max(0.0, round(rows[-1]["rencana_fisik"] - 20, 2))
        location = item.get("lokasi") or {}
        result.append(
            ProjectRecord(
                source_ref=ref,
                agency_code=item["kode_opd"],
                name=item["nama_sub_kegiatan"],
                fiscal_year=YEAR,
                budget=item["pagu"],
                kelurahan_code=location.get("kode_kelurahan") or None,
                lat=location.get("lat"),
                lon=location.get("lon"),
                months=[
                    MonthProgressRecord(
                        month=date(YEAR, row["bulan"], 1),
                        planned_physical=_percent(row["rencana_fisik"]),
                        realised_physical=_percent(row["realisasi_fisik"]),
                        planned_financial=_percent(row["rencana_keuangan"]),
                        realised_financial=_percent(row["realisasi_keuangan"]),
                    )
                    for row in rows
                ],
            )
        )
    return result


def _store(current_month: int) -> dict:
    source = Source.objects.get(slug="emonev")
    started = timezone.now()
    with transaction.atomic():
        do_sync_development(source, records(current_month))
        do_record_run_success(
            source,
            started_at=started,
            records=Project.objects.count(),
            data_as_of=datetime(YEAR, current_month, 28, 17, 0, tzinfo=WIB),
        )
    growing = Project.objects.get(source_ref=GROWING)
    return {"growing_id": growing.id, "growing_months": growing.progress.count(), "progress_rows": ProgressMonth.objects.count()}


def set_up() -> dict:
    do_ensure_role_groups()
    user = User.objects.filter(username=EXECUTIVE).first() or User.objects.create_user(
        EXECUTIVE, password=PASSWORD, first_name="Wali", last_name="Kota"
    )
    user.groups.add(Group.objects.get(name=Role.EXECUTIVE))
    Profile.objects.get_or_create(user=user)
    stored = _store(8)
    return {"executive": EXECUTIVE, "password": PASSWORD, **stored, "kritis_alerts": _evaluate_kritis_alerts()}


def _evaluate_kritis_alerts() -> int:
    """The alerts app's seeded 'project kritis' rule, evaluated once (as its worker would)."""
    from komando.alerts.actions import do_evaluate_rules
    from komando.alerts.models import Alert, AlertRule

    do_evaluate_rules(rules=list(AlertRule.objects.filter(kind="project_kritis", enabled=True)))
    return Alert.objects.filter(rule__kind="project_kritis", cleared_at__isnull=True).count()


def store_next_month(month: int = 9) -> dict:
    """e-Monev's report at the end of ``month`` (September by default), stored through the action."""
    return _store(month)


def main() -> dict:
    result = set_up()
    print(json.dumps(result))
    return result

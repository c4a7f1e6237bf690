"""A plausible day for the daily report's browser test and screenshots, in a database holding the city's
reference data: people (operator, executive, an OPD officer), incidents reported through the real
intake and placed in the day (some resolved in time, some late, some open past their target, a few
critical), water-level gauges with a reading every 15 minutes (an afternoon flood wave), every
connected source's run history (a failing spell, a stale one, an evening-long failure) and the
e-Monev kegiatan of the development watch's set-up (September 2026: one kritis). Deterministic.

    komando shell -c "from komando.reports.tests import demo; demo.main('2026-11-28')"
"""

from __future__ import annotations

import json
import math
import random
import uuid
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction

from komando.accounts.actions import do_ensure_role_groups
from komando.accounts.models import Profile, Role
from komando.agencies.models import Agency
from komando.core.clock import city_zone

WIB = city_zone()  # Kota Tangerang's zone, read from its city.json
PASSWORD = "laporan-harian-2026"
PEOPLE = {
    "operator": ("operator-laporan", Role.OPERATOR, None),
    "executive": ("walikota-laporan", Role.EXECUTIVE, None),
    "opd_officer": ("petugas-dlh-laporan", Role.OPD_OFFICER, "dlh"),
}
GAUGES = [  # ref, name, siaga 3 / 2 / 1 (m), the day's peak (m)
    ("PDA-01", "Pos Duga Air Cisadane – Pasar Lama", (2.0, 2.6, 3.2), 2.84),
    ("PDA-02", "Pos Duga Air Kali Angke – Ciledug", (1.4, 1.9, 2.4), 1.62),
    ("PDA-03", "Pos Duga Air Kali Sabi – Cibodas", (1.2, 1.6, 2.1), 0.94),
    ("PDA-04", "Pos Duga Air Situ Cipondoh", (1.8, 2.2, 2.7), 1.31),
    ("PDA-05", "Pos Duga Air Kali Cirarab – Periuk", (1.5, 2.0, 2.5), 2.57),
]


def at(day: date, hours: float) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=WIB) + timedelta(hours=hours)


def people() -> dict:
    do_ensure_role_groups()
    names = {}
    for key, (username, role, agency) in PEOPLE.items():
        user = User.objects.filter(username=username).first() or User.objects.create_user(username, password=PASSWORD)
        user.groups.add(Group.objects.get(name=role))
        Profile.objects.update_or_create(user=user, defaults={"agency": Agency.objects.filter(code=agency).first()})
        names[key] = username
    return names


def incidents(day: date, rng: random.Random, count: int = 46) -> int:
    from komando.incidents.actions import do_report_incident
    from komando.incidents.models import Category, Incident
    from komando.regions.models import Region, RegionLevel

    kelurahan = list(Region.objects.filter(level=RegionLevel.KELURAHAN).order_by("code"))
    categories = list(Category.objects.filter(playbook__isnull=False, active=True).order_by("code"))
    weights = [9 if c.code in ("SAMPAH", "JLN-RUSAK", "GENANGAN", "PJU-MATI", "SALURAN") else 1 for c in categories]
    for number in range(count):
        spot = rng.choice(kelurahan)
        category = rng.choices(categories, weights)[0]
        incident, _report, _new = do_report_incident(
            "web",
            source_ref=uuid.UUID(int=rng.getrandbits(128)).hex,
            category_code=category.code,
            description="Laporan contoh laporan harian",
            lat=spot.centroid_lat + rng.uniform(-0.0006, 0.0006),
            lon=spot.centroid_lon + rng.uniform(-0.0006, 0.0006),
            reported_at=at(day, 12),
        )
        reported = at(day, rng.uniform(0.3, 23.6))
        target = timedelta(hours=rng.choice([6, 12, 24, 48]))
        fields = {
            "reported_at": reported,
            "last_reported_at": reported,
            "resolve_due_at": reported + target,
            "possible_duplicate_of": None,
        }
        fate = rng.random()
        if fate < 0.45:
            fields.update(status="selesai", resolved_at=reported + target * rng.choice([0.2, 0.4, 0.6, 0.8]))
        elif fate < 0.58:
            fields.update(status="selesai", resolved_at=reported + target * 1.4)
        elif fate < 0.66:
            fields["status"] = "ditolak"
        else:
            fields["status"] = rng.choice(["diverifikasi", "ditugaskan", "dalam_penanganan"])
        if number in (3, 17):
            fields.update(priority="kritis", status="dalam_penanganan", resolved_at=None)
        elif number in (8, 25, 31):
            fields.update(priority="tinggi", status="ditugaskan", resolved_at=None)
        Incident.objects.filter(pk=incident.pk).update(**fields)
    return count


def gauges(day: date) -> int:
    from komando.assets.models import Asset, AssetKind
    from komando.devices.models import WaterLevelReading
    from komando.regions.models import Region, RegionLevel
    from komando.sources.models import Source

    source = Source.objects.get(slug="banjir")
    kelurahan = list(Region.objects.filter(level=RegionLevel.KELURAHAN).order_by("code"))
    readings = 0
    for index, (ref, name, (s3, s2, s1), peak) in enumerate(GAUGES):
        asset, _ = Asset.objects.update_or_create(
            source=source,
            source_ref=ref,
            defaults={
                "kind": AssetKind.GAUGE,
                "name": name,
                "region": kelurahan[index * 17 % len(kelurahan)],
                "attributes": {"siaga_3_m": s3, "siaga_2_m": s2, "siaga_1_m": s1},
            },
        )
        base = peak * 0.45
        rows = []
        for step in range(96):
            hours = step / 4
            wave = math.exp(-(((hours - 15.5 - index * 0.4) / 2.6) ** 2))  # an afternoon flood wave
            level = round(base + (peak - base) * wave, 2)
            rows.append(WaterLevelReading(asset=asset, observed_at=at(day, hours), level_m=level, received_at=at(day, hours)))
        WaterLevelReading.objects.bulk_create(rows, ignore_conflicts=True)
        readings += len(rows)
    return readings


def source_runs(day: date) -> int:
    from komando.sources.models import Source, SourceRun

    rows = []
    for source in Source.objects.exclude(connector="").filter(enabled=True).order_by("slug"):
        source.schedule_seconds = 300
        source.save(update_fields=["schedule_seconds"])
        moment = at(day, -0.25)
        while moment < at(day, 24):
            hours = (moment - at(day, 0)).total_seconds() / 3600
            ok, kind, error = True, "", ""
            if source.slug == "banjir" and 13.15 <= hours < 14.1:
                ok, kind, error = False, "unreachable", "Connection refused (pos-banjir.tangerangkota.go.id:443)"
            if source.slug == "atcs" and 2 <= hours < 4.5:
                moment += timedelta(minutes=5)
                continue  # silent: no run at all (the scheduler was stopped)
            if source.slug == "siak" and hours >= 19:
                ok, kind, error = False, "server", "HTTP 503 Service Unavailable"
            rows.append(
                SourceRun(
                    source=source,
                    started_at=moment - timedelta(seconds=3),
                    finished_at=moment,
                    ok=ok,
                    error_kind=kind,
                    error=error,
                    records=0 if not ok else 12,
                )
            )
            moment += timedelta(minutes=5)
    SourceRun.objects.bulk_create(rows)
    return len(rows)


def alerts(day: date) -> int:
    """Alerts raised that day, when the alerts app is installed: a gauge at siaga 1 (acknowledged, cleared)
    and a source down."""
    try:
        from komando.alerts.models import Alert, AlertRule
    except ImportError:
        return 0
    operator = User.objects.get(username=PEOPLE["operator"][0])
    made = 0
    for slug, subject, severity, hours, cleared, acknowledged, facts in [
        ("tma-siaga-1", "Pos Duga Air Kali Cirarab – Periuk", "critical", 16.8, 19.5, True, {"level": "siaga_1"}),
        ("sumber-mati", "SIAK (Administrasi Kependudukan)", "warning", 19.1, None, False, {"failing": True}),
    ]:
        rule = AlertRule.objects.filter(slug=slug).first()
        if rule is None:
            continue
        Alert.objects.create(
            rule=rule,
            subject_key=f"demo:{slug}",
            subject=subject,
            severity=severity,
            facts=facts,
            raised_at=at(day, hours),
            last_seen_at=at(day, hours + 0.5),
            cleared_at=at(day, cleared) if cleared else None,
            acknowledged_by=operator if acknowledged else None,
            acknowledged_at=at(day, hours + 0.2) if acknowledged else None,
            ack_comment="Pompa Periuk dinyalakan, BPBD siaga" if acknowledged else "",
        )
        made += 1
    return made


def development() -> int:
    """The city's simulated e-Monev kegiatan as reported through September 2026 (the development watch's
    browser data: several kritis and terlambat), stored through the e-Monev sync action."""
    from komando.development.actions import do_sync_development
    from komando.development.tests.browser_setup import YEAR, records
    from komando.sources.actions import do_record_run_success
    from komando.sources.models import Source

    source = Source.objects.get(slug="emonev")
    projects = records(9)
    do_sync_development(source, projects)
    do_record_run_success(
        source,
        started_at=datetime(YEAR, 9, 28, 17, 0, tzinfo=WIB),
        records=len(projects),
        data_as_of=datetime(YEAR, 9, 28, 17, 0, tzinfo=WIB),
    )
    return len(projects)


@transaction.atomic
def set_up(day: date) -> dict:
    rng = random.Random(2811)
    names = people()
    incidents(day, rng)
    gauges(day)
    source_runs(day)
    alerts(day)
    development()
    return {**names, "password": PASSWORD, "day": day.isoformat()}


def main(day: str) -> dict:
    result = set_up(date.fromisoformat(day))
    print(json.dumps(result))
    return result

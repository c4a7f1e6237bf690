"""Set up what the operator console needs in a running system's database (one that holds the city's
reference data: ``komando load-reference-data``): an operator who may log in, and field units with a
live position the console can recommend and dispatch (``live_system(seed=set_up)``; with a few open
incidents: ``set_up_with_sample_incidents``). Reusable from a shell script::

    komando shell -c "from komando.incidents.console.tests.setup import main; main()"

prints one JSON line: ``{"operator", "password", "units": {"near": id, "far": id, "stale": id,
"satpol": id}}``. Running it again changes nothing but the units' position times (it is idempotent).

Single pieces for other set-ups: ``add_operator(username, password)``,
``add_field_unit(source_slug, source_ref, name, kind, lat, lon)``, ``make_overdue(ticket)`` and
``open_sample_incidents()`` (a few open incidents of different priorities, one overdue)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from komando.accounts.actions import do_ensure_role_groups
from komando.accounts.models import Profile, Role
from komando.assets.models import Asset, AssetKind
from komando.devices.models import DeviceState
from komando.sources.models import Source

OPERATOR = "operator-konsol"
PASSWORD = "konsol-2026-operator"
SUKARASA = (-6.17288, 106.63185)  # centroid of kelurahan Sukarasa, kecamatan Tangerang
METRE = 1 / 111_320  # degrees of latitude per metre


def add_operator(username: str = OPERATOR, password: str = PASSWORD, *, role: str = Role.OPERATOR, agency=None) -> User:
    """A user of ``role`` (operator by default) who logs in with ``password``."""
    do_ensure_role_groups()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username, password=password, first_name=username.replace("-", " ").title())
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.update_or_create(user=user, defaults={"agency": agency})
    return user


def add_field_unit(
    source_slug: str, source_ref: str, name: str, kind: str, lat: float, lon: float, *, observed_at=None, online: bool = True
) -> Asset:
    """A field unit (truck, Satpol PP officer or patrol car) of the OPD owning ``source_slug``, with
    the device position the console and ``recommend_units`` read (``devices.DeviceState``)."""
    observed_at = observed_at or timezone.now()
    unit, _ = Asset.objects.update_or_create(
        source=Source.objects.get(slug=source_slug),
        source_ref=source_ref,
        defaults={"kind": kind, "name": name, "online": online, "lat": lat, "lon": lon},
    )
    DeviceState.objects.update_or_create(
        asset=unit, defaults={"observed_at": observed_at, "lat": lat, "lon": lon, "speed_kmh": 0.0}
    )
    return unit


def make_overdue(ticket: str, *, hours: float = 2) -> None:
    """Put an incident's response deadline ``hours`` in the past (a test's stand-in for time passing)."""
    from komando.incidents.models import Incident

    Incident.objects.filter(ticket=ticket).update(respond_due_at=timezone.now() - timedelta(hours=hours))


def open_sample_incidents() -> dict:
    """A few open incidents in several kecamatan through ``do_report_incident`` (channel web), one of
    them made overdue. Returns ``{"overdue": ticket, "critical": ticket, "calm": [tickets]}``."""
    import uuid

    from komando.incidents.actions import do_report_incident

    def report(code: str, lat: float, lon: float, description: str, **kwargs) -> str:
        incident, _report, _created = do_report_incident(
            "web",
            source_ref=f"konsol-{uuid.uuid4().hex}",
            category_code=code,
            description=description,
            lat=lat,
            lon=lon,
            reported_at=timezone.now(),
            **kwargs,
        )
        return incident.ticket

    overdue = report("JLN-RUSAK", -6.2015, 106.6420, "Jalan berlubang dalam, sudah ada pengendara jatuh.", priority="rendah")
    make_overdue(overdue)
    critical = report("POHON-TUMBANG", -6.1790, 106.6870, "Pohon tumbang menutup jalan, kabel ikut tertarik.", priority="kritis")
    calm = [
        report("PJU-MATI", -6.2250, 106.6560, "Lampu jalan mati sepanjang 200 meter."),
        report("SALURAN", -6.1580, 106.6100, "Saluran tersumbat sampah, air meluap saat hujan."),
    ]
    return {"overdue": overdue, "critical": critical, "calm": calm}


@transaction.atomic
def set_up() -> dict:
    add_operator()
    near = add_field_unit(
        "kebersihan", "konsol-truck-21", "Truk DLH 21 (B 9121 CT)", AssetKind.TRUCK, SUKARASA[0] + 250 * METRE, SUKARASA[1]
    )
    far = add_field_unit(
        "kebersihan",
        "konsol-truck-22",
        "Truk DLH 22 (B 9122 CT)",
        AssetKind.TRUCK,
        SUKARASA[0] - 2500 * METRE,
        SUKARASA[1] + 1500 * METRE,
    )
    stale = add_field_unit(
        "kebersihan",
        "konsol-truck-23",
        "Truk DLH 23 (B 9123 CT)",
        AssetKind.TRUCK,
        SUKARASA[0] + 100 * METRE,
        SUKARASA[1] + 100 * METRE,
        observed_at=timezone.now() - timedelta(hours=3),
    )
    satpol = add_field_unit(
        "ketertiban", "konsol-officer-05", "Satpol PP 05", AssetKind.OFFICER, SUKARASA[0] + 400 * METRE, SUKARASA[1] - 300 * METRE
    )
    return {
        "operator": OPERATOR,
        "password": PASSWORD,
        "units": {"near": near.pk, "far": far.pk, "stale": stale.pk, "satpol": satpol.pk},
    }


def set_up_with_sample_incidents() -> dict:
    """``set_up()``'s people and units, and ``open_sample_incidents()`` as ``"incidents"``."""
    return {**set_up(), "incidents": open_sample_incidents()}


def main() -> dict:
    result = set_up()
    print(json.dumps(result))
    return result

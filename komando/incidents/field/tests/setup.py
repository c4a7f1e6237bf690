"""Set up a field officer with a task, through the real actions, on a database that holds the city's
reference data (``komando load-reference-data``): a DLH garbage truck, a field officer who works as
it, and a verified garbage report with the truck dispatched to it.

Used by the field app's browser test and reusable by any end-to-end test that starts ``komando
serve`` on a fresh database::

    system.komando("shell", "-c", "from komando.incidents.field.tests.setup import main; main()")

prints one JSON line: ``{"officer", "password", "unit", "unit_id", "ticket", "incident", "dispatch"}``.
Calling it again with the same names adds another incident for the same officer and unit once the
unit's earlier task is finished (a unit is on one task at a time)."""

from __future__ import annotations

import json
import uuid

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from komando.accounts.actions import do_ensure_role_groups
from komando.accounts.models import Profile, Role
from komando.assets.models import Asset, AssetKind
from komando.sources.models import Source

OFFICER = "petugas-uji"
PASSWORD = "lapangan-uji-2026"
UNIT = "Truk DLH Uji 07"
DISPATCHER = "operator-uji"
SUKARASA = (-6.17288, 106.63185)  # centroid of kelurahan Sukarasa, kecamatan Tangerang


def _user(username: str, password: str, role: str, **profile) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=password)
        user.groups.add(Group.objects.get(name=role))
    Profile.objects.update_or_create(user=user, defaults=profile)
    return user


@transaction.atomic
def set_up_field_task(
    *,
    officer: str = OFFICER,
    password: str = PASSWORD,
    unit_name: str = UNIT,
    source: str = "kebersihan",
    category: str = "SAMPAH",
    lat: float = SUKARASA[0],
    lon: float = SUKARASA[1],
    address: str = "Jl. Kisamaun, depan Pasar Lama",
    description: str = "Sampah menumpuk di depan pasar, bau menyengat sejak kemarin.",
) -> dict:
    from komando.incidents.actions import do_report_incident
    from komando.incidents.actions.dispatch import do_dispatch_units
    from komando.incidents.actions.status import do_transition_incident

    do_ensure_role_groups()
    unit, _ = Asset.objects.get_or_create(
        source=Source.objects.get(slug=source),
        source_ref=unit_name,
        defaults={"kind": AssetKind.TRUCK, "name": unit_name, "lat": lat + 0.009, "lon": lon},
    )
    officer_user = _user(officer, password, Role.FIELD_OFFICER, unit=unit, agency=unit.source.agency)
    dispatcher = _user(DISPATCHER, uuid.uuid4().hex, Role.OPERATOR)
    incident, _report, _created = do_report_incident(
        "web",
        source_ref=f"field-setup-{uuid.uuid4().hex}",
        category_code=category,
        description=description,
        lat=lat,
        lon=lon,
        address=address,
        reported_at=timezone.now(),
    )
    do_transition_incident(incident, "diverifikasi", acting_user=dispatcher, comment="Laporan valid")
    dispatch = do_dispatch_units(incident, [unit], acting_user=dispatcher, note="Angkut segera")[0]
    return {
        "officer": officer_user.username,
        "password": password,
        "unit": unit.name,
        "unit_id": unit.pk,
        "ticket": incident.ticket,
        "incident": incident.pk,
        "dispatch": dispatch.pk,
    }


def main(**options) -> dict:
    result = set_up_field_task(**options)
    print(json.dumps(result))
    return result

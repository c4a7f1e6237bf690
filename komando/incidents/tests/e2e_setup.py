"""The people and the unit of the end-to-end browser test, on a database that holds the city's
reference data: an operator, a DLH garbage truck with a live position near Sukarasa, and a field
officer who works as that truck. Run in the live system's database (``live_system(seed=set_up)``);
returns ``{"operator", "officer", "password", "unit", "unit_id"}``."""

from __future__ import annotations

import json

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from komando.accounts.actions import do_ensure_role_groups
from komando.accounts.models import Profile, Role
from komando.assets.models import Asset, AssetKind
from komando.devices.models import DeviceState
from komando.sources.models import Source

PASSWORD = "komando-e2e-2026"
OPERATOR = "operator-e2e"
OFFICER = "petugas-e2e"
UNIT = "Truk DLH 12 (B 9012 CT)"
NEAR_SUKARASA = (-6.17020, 106.63185)  # about 300 m north of the kelurahan's centre


def _user(username: str, role: str, **profile) -> User:
    user = User.objects.filter(username=username).first() or User.objects.create_user(
        username, password=PASSWORD, first_name=username.title()
    )
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.update_or_create(user=user, defaults=profile)
    return user


@transaction.atomic
def set_up() -> dict:
    do_ensure_role_groups()
    source = Source.objects.get(slug="kebersihan")
    unit, _ = Asset.objects.update_or_create(
        source=source,
        source_ref="e2e-truck-12",
        defaults={"kind": AssetKind.TRUCK, "name": UNIT, "online": True, "lat": NEAR_SUKARASA[0], "lon": NEAR_SUKARASA[1]},
    )
    DeviceState.objects.update_or_create(
        asset=unit, defaults={"observed_at": timezone.now(), "lat": NEAR_SUKARASA[0], "lon": NEAR_SUKARASA[1], "speed_kmh": 0.0}
    )
    _user(OPERATOR, Role.OPERATOR)
    _user(OFFICER, Role.FIELD_OFFICER, unit=unit, agency=source.agency)
    return {"operator": OPERATOR, "officer": OFFICER, "password": PASSWORD, "unit": unit.name, "unit_id": unit.pk}


def main() -> dict:
    result = set_up()
    print(json.dumps(result))
    return result

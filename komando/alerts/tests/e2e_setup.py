"""The people and data of the alerts browser test, run in the live system's database
(``live_system(seed=set_up)``, or ``komando shell -c "from komando.alerts.tests.e2e_setup import main; main()"``).

An operator; two gauges of the flood source (one calm, one that rose and fell this morning, its
alert acknowledged); a source failing. ``system.call(set_level, name, metres)`` moves a gauge
(another process than the server: the server's in-process alert worker must notice)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from komando.accounts.actions import do_ensure_role_groups
from komando.accounts.models import Profile, Role
from komando.assets.models import Asset, AssetKind
from komando.devices.models import DeviceState
from komando.sources.models import Source

PASSWORD = "komando-e2e-2026"
OPERATOR = "operator-peringatan"
THRESHOLDS = {"river": "Cisadane", "normal_m": 1.5, "siaga_3_m": 2.5, "siaga_2_m": 3.0, "siaga_1_m": 3.5}
GAUGES = {"Pintu Air Sepuluh": (-6.1745, 106.6322), "Bendung Pasar Baru": (-6.1689, 106.6248)}


def set_level(name: str, level_m: float, at=None) -> None:
    gauge = Asset.objects.get(kind=AssetKind.GAUGE, name=name)
    DeviceState.objects.update_or_create(
        asset=gauge, defaults={"observed_at": at or timezone.now(), "level_m": level_m, "lat": gauge.lat, "lon": gauge.lon}
    )


def set_up() -> dict:
    from komando.alerts.actions import do_acknowledge_alert, do_evaluate_rules
    from komando.alerts.models import Alert

    do_ensure_role_groups()
    user = User.objects.filter(username=OPERATOR).first() or User.objects.create_user(
        OPERATOR, password=PASSWORD, first_name="Rina", last_name="Wulandari"
    )
    user.groups.add(Group.objects.get(name=Role.OPERATOR))
    Profile.objects.update_or_create(user=user, defaults={})
    flood = Source.objects.get(slug="banjir")
    for name, (lat, lon) in GAUGES.items():
        Asset.objects.update_or_create(
            source=flood,
            source_ref=name.lower().replace(" ", "-"),
            defaults={"kind": AssetKind.GAUGE, "name": name, "lat": lat, "lon": lon, "attributes": THRESHOLDS},
        )
        set_level(name, 1.8)
    # This morning: Bendung Pasar Baru reached siaga 3, fell again, and the operator acknowledged it.
    morning = timezone.now() - timedelta(hours=3)
    set_level("Bendung Pasar Baru", 2.7, morning)
    do_evaluate_rules(now=morning + timedelta(minutes=1))
    set_level("Bendung Pasar Baru", 1.9, morning + timedelta(minutes=50))
    do_evaluate_rules(now=morning + timedelta(minutes=51))
    for alert in Alert.objects.filter(subject="Bendung Pasar Baru"):
        do_acknowledge_alert(alert.pk, user, "Pintu dibuka, air turun; pemantauan dilanjutkan.")
    # BMKG's feed keeps failing: the worker raises a source-down alert at its first run.
    Source.objects.filter(slug="bmkg").update(
        consecutive_failures=4, last_attempt_at=timezone.now(), last_error="HTTP 503 dari data.bmkg.go.id"
    )
    return {"operator": OPERATOR, "password": PASSWORD}


def main() -> dict:
    result = set_up()
    print(json.dumps(result))
    return result

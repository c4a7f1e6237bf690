"""What the situation room's browser test needs in a running system's database (one holding the
city's reference data): a chair (operator) and an executive who follows the session from another
screen, flood and medical incidents in Kecamatan Periuk, a field unit and a water-level gauge nearby.
Run in the live system's database (``live_system(seed=set_up)``); returns
``{"chair", "viewer", "password", "incidents": [tickets], "opd_officer"}``."""

from __future__ import annotations

import json
import uuid

from django.db import transaction
from django.utils import timezone

from komando.accounts.models import Role
from komando.agencies.models import Agency
from komando.assets.models import Asset, AssetKind
from komando.devices.models import DeviceState
from komando.incidents.console.tests.setup import add_field_unit, add_operator
from komando.sources.models import Source

PASSWORD = "ruang-situasi-2026"
CHAIR = "ketua-ruang"
VIEWER = "pimpinan-ruang"
OPD_OFFICER = "dinkes-ruang"
GEBANG_RAYA = (-6.17398, 106.59073)
PERIUK = (-6.15849, 106.59618)


def add_gauge(source_ref: str, name: str, lat: float, lon: float, level_m: float, siaga: str) -> Asset:
    gauge, _ = Asset.objects.update_or_create(
        source=Source.objects.get(slug="banjir"),
        source_ref=source_ref,
        defaults={
            "kind": AssetKind.GAUGE,
            "name": name,
            "online": True,
            "lat": lat,
            "lon": lon,
            "attributes": {"river": "Kali Sabi", "siaga_3_m": 1.5, "siaga_2_m": 2.0, "siaga_1_m": 2.5},
        },
    )
    DeviceState.objects.update_or_create(
        asset=gauge, defaults={"observed_at": timezone.now(), "lat": lat, "lon": lon, "level_m": level_m, "siaga": siaga}
    )
    return gauge


@transaction.atomic
def set_up() -> dict:
    from komando.incidents.actions import do_report_incident

    chair = add_operator(CHAIR, PASSWORD)
    chair.first_name, chair.last_name = "Rina", "Operator"
    chair.save()
    viewer = add_operator(VIEWER, PASSWORD, role=Role.EXECUTIVE)
    viewer.first_name, viewer.last_name = "Asisten", "Daerah I"
    viewer.save()
    add_operator(OPD_OFFICER, PASSWORD, role=Role.OPD_OFFICER, agency=Agency.objects.get(code="dinkes"))
    add_field_unit(
        "ketertiban", "ruang-patrol-03", "Patroli Satpol PP 03", AssetKind.PATROL, GEBANG_RAYA[0] + 0.004, GEBANG_RAYA[1] + 0.003
    )
    add_gauge("ruang-gauge-sabi", "Pos Duga Air Kali Sabi", GEBANG_RAYA[0] + 0.006, GEBANG_RAYA[1] - 0.004, 2.2, "siaga_2")
    tickets = []
    for code, (lat, lon), description in [
        ("BANJIR", (GEBANG_RAYA[0] + 0.002, GEBANG_RAYA[1] + 0.001), "Air setinggi 80 cm masuk rumah warga RW 05"),
        ("MEDIS", (GEBANG_RAYA[0] - 0.003, GEBANG_RAYA[1] + 0.004), "Warga lansia sesak napas di lokasi banjir"),
        ("BANJIR", (PERIUK[0], PERIUK[1] + 0.002), "Jalan Perumnas 2 tergenang 50 cm"),
    ]:
        incident, _report, _created = do_report_incident(
            "web",
            source_ref=f"ruang-{uuid.uuid4().hex}",
            category_code=code,
            description=description,
            lat=lat,
            lon=lon,
            reported_at=timezone.now(),
        )
        tickets.append(incident.ticket)
    return {"chair": CHAIR, "viewer": VIEWER, "opd_officer": OPD_OFFICER, "password": PASSWORD, "incidents": tickets}


def main() -> dict:
    result = set_up()
    print(json.dumps(result))
    return result

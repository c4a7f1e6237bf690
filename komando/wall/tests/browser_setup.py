"""The video wall's browser-test data, on a database holding the city's reference data: a kiosk user
of the operator role, and something for every panel — open incidents (one overdue), field units and
water gauges stored as MQTT batches are (``do_store_device_batch``; one gauge at siaga 2), ATCS
cameras whose pictures come from the ATCS simulator on ``atcs_url``, LAKSA complaints of today,
e-Monev progress (the development watch's test data), sources that reported, and the alerts the
default rules raise over that (the ATCS simulator's address defaults to the connector's
KOMANDO_ATCS_BASE_URL). Run in the live system's database: ``live_system(seed=set_up, simulators=["atcs"])``.
``report_incident()``, ``move_unit(ref, lat, lon)`` and ``raise_gauge(ref, level_m)`` change things
from another process (the live test, through ``system.call``)."""

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import timedelta

import httpx
from django.db import transaction
from django.utils import timezone

from komando.assets.models import Asset, AssetKind
from komando.devices.actions import do_store_device_batch
from komando.devices.protocol import DeviceKey, PositionMessage, WaterLevelMessage
from komando.sources.models import Source

USERNAME = "dinding-uji"
PASSWORD = "komando-dinding-2026"
SUKARASA = (-6.17288, 106.63185)
UNITS = {
    "wall-truck-1": ("kebersihan", -6.1750, 106.6300),
    "wall-truck-2": ("kebersihan", -6.2100, 106.6600),
    "wall-satpol-1": ("ketertiban", -6.1900, 106.6100),
}
GAUGES = {
    "wall-gauge-1": ("Pos Pintu Air 10", "Cisadane", 2.7),
    "wall-gauge-2": ("Pos Kali Sabi", "Kali Sabi", 1.1),
    "wall-gauge-3": ("Pos Cirarab", "Cirarab", 1.6),
}
THRESHOLDS = {"siaga_3_m": 2.0, "siaga_2_m": 2.5, "siaga_1_m": 3.0}
COMPLAINTS = [("Persampahan", 4), ("Drainase", 3), ("Jalan Rusak", 2), ("Penerangan Jalan", 1)]


def _units(positions: dict[str, tuple[str, float, float]]) -> None:
    now = timezone.now()
    messages = [
        PositionMessage(device=DeviceKey(domain, "36.71.01", ref), observed_at=now, lat=lat, lon=lon, speed_kmh=12.0)
        for ref, (domain, lat, lon) in positions.items()
    ]
    do_store_device_batch(messages, [], client_id="wall-test")


def _gauges() -> None:
    banjir = Source.objects.get(slug="banjir")
    now = timezone.now()
    messages = []
    for index, (ref, (name, river, level)) in enumerate(GAUGES.items()):
        Asset.objects.update_or_create(
            source=banjir,
            source_ref=ref,
            defaults={
                "kind": AssetKind.GAUGE,
                "name": name,
                "lat": -6.16 - index * 0.02,
                "lon": 106.62 + index * 0.02,
                "attributes": {"river": river, **THRESHOLDS},
            },
        )
        messages.append(WaterLevelMessage(device=DeviceKey("banjir", "36.71.01", ref), observed_at=now, level_m=level))
    do_store_device_batch(messages, [], client_id="wall-test")


def _cameras(atcs_url: str) -> int:
    from komando.metrics.models import TrafficObservation

    atcs = Source.objects.get(slug="atcs")
    # Those online now (the simulator takes a few offline for half an hour at a time, by the clock).
    cameras = [
        camera for camera in httpx.get(f"{atcs_url}/api/cameras", timeout=10).json()["data"] if camera["status"] == "online"
    ]
    now = timezone.now()
    levels = ["lancar", "ramai", "padat", "macet"]
    for index, camera in enumerate(cameras[:9]):
        ref = str(camera["id"])
        asset, _ = Asset.objects.update_or_create(
            source=atcs,
            source_ref=ref,
            defaults={
                "kind": AssetKind.CAMERA,
                "name": camera["nama_simpang"],
                "lat": camera["lat"],
                "lon": camera["lon"],
                "online": True,
                "attributes": {"snapshot_url": camera["snapshot_url"]},
            },
        )
        TrafficObservation.objects.get_or_create(
            source=atcs,
            camera=asset,
            observed_at=now - timedelta(minutes=5),
            defaults={
                "interval_minutes": 15,
                "vehicles": 120 + index * 30,
                "average_speed_kmh": 35 - index * 3,
                "congestion": levels[index % 4],
            },
        )
    return min(len(cameras), 9)


def _complaints() -> None:
    from komando.complaints.models import Channel, Complaint, ComplaintStatus

    laksa = Source.objects.get(slug="laksa")
    now = timezone.now()
    for category, count in COMPLAINTS:
        for _ in range(count):
            Complaint.objects.create(
                channel=Channel.LAKSA,
                source=laksa,
                source_ref=uuid.uuid4().hex,
                category=category,
                status=ComplaintStatus.WAITING,
                reported_at=now - timedelta(minutes=1),
                source_updated_at=now - timedelta(minutes=1),
            )


def _sources_reported() -> None:
    from komando.sources.actions import do_record_run_success

    for slug in ("atcs", "banjir", "kebersihan", "ketertiban", "laksa"):
        do_record_run_success(Source.objects.get(slug=slug), started_at=timezone.now(), records=1, data_as_of=timezone.now())


def set_up(atcs_url: str | None = None) -> dict:
    from komando.alerts.actions import do_evaluate_rules
    from komando.development.tests import browser_setup as development
    from komando.incidents.console.tests.setup import add_operator, open_sample_incidents

    add_operator(USERNAME, PASSWORD)
    with transaction.atomic():
        incidents = open_sample_incidents()
    _units(UNITS)
    _gauges()
    cameras = _cameras(atcs_url or os.environ["KOMANDO_ATCS_BASE_URL"])
    with transaction.atomic():
        _complaints()
        _sources_reported()
    development.set_up()
    run = do_evaluate_rules()
    return {
        "username": USERNAME,
        "password": PASSWORD,
        "incidents": incidents,
        "cameras": cameras,
        "alerts": len(run.raised),
        "units": list(UNITS),
    }


def report_incident(description: str = "Pohon tumbang di depan sekolah, jalan tertutup.") -> str:
    from komando.incidents.actions import do_report_incident

    incident, _report, _created = do_report_incident(
        "web",
        source_ref=f"dinding-{uuid.uuid4().hex}",
        category_code="POHON-TUMBANG",
        description=description,
        lat=-6.1900 + random.uniform(-0.012, 0.012),
        lon=106.6300 + random.uniform(-0.012, 0.012),
        reported_at=timezone.now(),
        priority="kritis",
    )  # far enough apart not to be proposed as duplicates
    return incident.ticket


def move_unit(ref: str, lat: float, lon: float) -> int:
    domain = UNITS[ref][0]
    _units({ref: (domain, lat, lon)})
    return Asset.objects.get(source__slug=domain, source_ref=ref).pk


def raise_gauge(ref: str, level_m: float) -> int:
    """A new water level at gauge ``ref`` (an MQTT batch), then the alert rules evaluated as the
    alerts worker does. Returns how many alerts were raised."""
    from komando.alerts.actions import do_evaluate_rules

    do_store_device_batch(
        [WaterLevelMessage(device=DeviceKey("banjir", "36.71.01", ref), observed_at=timezone.now(), level_m=level_m)],
        [],
        client_id="wall-test",
    )
    return len(do_evaluate_rules().raised)


def main(atcs_url: str) -> dict:
    result = set_up(atcs_url)
    print(json.dumps(result))
    return result

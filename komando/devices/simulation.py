"""Simulated field devices for the demo: the fleet of ``simulators/fleet.json`` publishing over MQTT.

Trucks drive a loop around their route, Satpol PP officers walk their beat, patrol cars circle
wider; gauges report a water level that follows the time of day, with an afternoon rise on some
rivers that passes siaga 3 (the level function is shared with the flood application's simulator,
so the city's HTTP API and its MQTT gauges tell the same story).
"""

from __future__ import annotations

import json
import logging
import math
import threading
from datetime import UTC, datetime
from pathlib import Path

from komando.core.clock import city_zone
from komando.devices.protocol import telemetry_topic
from komando.sources.registry import device_domains

logger = logging.getLogger("komando.devices.simulation")
METRES_PER_DEGREE = 111_320.0


def load_fleet(city_dir: Path) -> dict:
    return json.loads((city_dir / "simulators" / "fleet.json").read_text(encoding="utf-8"))


def _stable_fraction(text: str) -> float:
    return (sum(ord(c) * (i + 1) for i, c in enumerate(text)) % 1000) / 1000.0


def loop_position(
    home: dict, device_id: str, at: datetime, radius_m: float, lap_seconds: float
) -> tuple[float, float, float, float]:
    """(lat, lon, speed km/h, heading) on a wobbly loop around ``home``."""
    phase = _stable_fraction(device_id) * 2 * math.pi
    angle = phase + 2 * math.pi * (at.timestamp() % lap_seconds) / lap_seconds
    wobble = 1 + 0.25 * math.sin(3 * angle + phase)
    radius = radius_m * wobble
    lat = home["lat"] + radius * math.sin(angle) / METRES_PER_DEGREE
    lon = home["lon"] + radius * math.cos(angle) / (METRES_PER_DEGREE * math.cos(math.radians(home["lat"])))
    speed_kmh = 2 * math.pi * radius_m / lap_seconds * 3.6
    heading = (math.degrees(-angle) % 360 + 360) % 360
    return round(lat, 6), round(lon, 6), round(speed_kmh, 1), round(heading)


def water_level_m(gauge: dict, at: datetime) -> float:
    """A gauge's level: normal plus a slow daily swing; rivers of the southern kecamatan (Angke,
    Sabi, Cirarab) rise in the afternoon rain (14:00–19:00 WIB) past siaga 3 and fall back."""
    local = at.astimezone(city_zone())
    hours = local.hour + local.minute / 60 + local.second / 3600
    normal = gauge["normal_m"]
    swing = 0.15 * normal * math.sin(2 * math.pi * (hours - 9) / 24)
    level = normal + swing
    if any(river in gauge.get("river", "") for river in ("Angke", "Sabi", "Cirarab")):
        if 14 <= hours <= 19:
            peak = gauge["siaga_3_m"] + 0.3 * (gauge["siaga_2_m"] - gauge["siaga_3_m"]) - normal
            level += peak * math.sin(math.pi * (hours - 14) / 5)
    wiggle = 0.02 * math.sin(at.timestamp() / 97 + _stable_fraction(gauge["device_id"]) * 10)
    return round(max(0.0, level + wiggle), 3)


def _position_message(device: dict, motion: dict, at: datetime) -> str:
    tst = int(at.timestamp())
    lat, lon, vel, cog = loop_position(device["home"], device["device_id"], at, motion["radius_m"], motion["lap_seconds"])
    battery = 100 - int((at.timestamp() / 600) % 60) if motion.get("battery_drains") else 100
    message = {
        "_type": "location",
        "lat": lat,
        "lon": lon,
        "tst": tst,
        "vel": vel,
        "cog": cog,
        "batt": battery,
        "acc": motion["accuracy_m"],
    }
    if motion.get("tracker_id"):
        message["tid"] = device["device_id"][-2:]
    return json.dumps(message)


def _water_level_message(gauge: dict, at: datetime) -> str:
    return json.dumps(
        {
            "_type": "waterLevel",
            "waterLevel": water_level_m(gauge, at),
            "dateObserved": at.astimezone(city_zone()).isoformat(timespec="seconds"),
            "location": {"type": "Point", "coordinates": [gauge["location"]["lon"], gauge["location"]["lat"]]},
        }
    )


def fleet_messages(fleet: dict, at: datetime, prefix: str) -> list[tuple[str, str]]:
    """One message per device of ``fleet``, each under the domain of the connector whose manifest
    declares its group (``devices.groups``), moving as that group's motion says."""
    out = []
    for domain, devices in device_domains().items():
        for group, motion in devices.groups.items():
            for device in fleet.get(group, []):
                topic = telemetry_topic(prefix, domain, device["kecamatan_code"], device["device_id"])
                if devices.message == "waterLevel":
                    out.append((topic, _water_level_message(device, at)))
                else:
                    out.append((topic, _position_message(device, motion, at)))
    return out


def run_fleet(url: str, city_dir: Path, prefix: str, interval: float, stop: threading.Event | None = None) -> None:
    """Publish the whole fleet every ``interval`` seconds until ``stop`` (reconnecting as needed)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from komando.devices.mqtt import BrokerAddress

    broker = BrokerAddress.parse(url)
    fleet = load_fleet(city_dir)
    stop = stop or threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="komando-fleet-simulator")
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    client.reconnect_delay_set(1, 10)
    client.connect_async(broker.host, broker.port)
    client.loop_start()
    count = sum(len(fleet[key]) for key in ("trucks", "officers", "patrols", "gauges"))
    logger.info("fleet simulator: %d devices → %s every %.0f s", count, broker.display(), interval)
    try:
        while not stop.is_set():
            if client.is_connected():
                for topic, payload in fleet_messages(fleet, datetime.now(UTC), prefix):
                    client.publish(topic, payload, qos=1)
            stop.wait(interval)
    finally:
        client.disconnect()
        client.loop_stop()

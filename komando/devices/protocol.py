"""The MQTT convention of Komando's field devices, and the validation of every message.

No Django here: parsing must be fast (the ingest validates every message) and usable by any
publisher or test.

Topics (house convention of ../shared/STANDARDS.md §d)::

    {prefix}/{domain}/{kecamatan_code}/{device_id}/telemetry

``prefix`` is the city's (``tangerang`` for Kota Tangerang); ``domain`` names the source application
that owns the device: the slug of a connector whose manifest declares ``devices`` (garbage trucks,
Satpol PP officers and patrol cars send positions, water-level gauges their level);
``kecamatan_code`` is the device's home kecamatan (Kemendagri, e.g. ``36.71.08``); ``device_id`` is
the id the owning application uses (letters, digits, ``-_.``).

Payloads are JSON objects:

- position (OwnTracks ``location``): ``{"_type": "location", "lat": -6.17, "lon": 106.59,
  "tst": 1764300000, "vel": 23, "cog": 270, "batt": 87, "acc": 8}`` — ``tst`` epoch seconds (or
  ``"time"``: ISO 8601 with offset, for sub-second devices), ``vel`` km/h, ``cog`` degrees,
  ``batt`` %, ``acc`` metres; all but ``lat``/``lon``/time optional;
- water level (FIWARE ``WaterObserved``): ``{"_type": "waterLevel", "waterLevel": 2.41,
  "dateObserved": "2026-11-28T07:05:00Z"}`` — metres above the gauge's zero; optionally
  ``"location": {"type": "Point", "coordinates": [lon, lat]}`` (GeoJSON, as WaterObserved has it).

A device's message is identified by (device, observation time): the same observation delivered
twice is stored once. A position must lie within the ``PositionBounds`` the caller gives (the
ingest: around the city's kelurahan; else anywhere in Indonesia).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from komando.sources.registry import device_domains

DEVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$")
KECAMATAN_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
MAX_PAYLOAD_BYTES = 4096
# How far (degrees, ~44 km) around the city's kelurahan a fix may be: farther is a broken GPS.
POSITION_MARGIN_DEGREES = 0.4
WATER_LEVEL_RANGE_M = (-5.0, 30.0)
EARLIEST = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PositionBounds:
    """Where a device's position may be (degrees); the ingest gives the city's (``around`` its
    kelurahan centroids), a publisher or test may give any."""

    lat: tuple[float, float]
    lon: tuple[float, float]

    @classmethod
    def around(cls, points: list[tuple[float, float]], margin: float = POSITION_MARGIN_DEGREES) -> PositionBounds:
        lats, lons = [lat for lat, _ in points], [lon for _, lon in points]
        return cls(lat=(min(lats) - margin, max(lats) + margin), lon=(min(lons) - margin, max(lons) + margin))


# Indonesia, generously: the bounds when the caller names no city's.
INDONESIA = PositionBounds(lat=(-11.5, 6.5), lon=(94.5, 141.5))


class InvalidMessage(ValueError):
    """A message that cannot be stored; the text says why (it is counted and logged)."""


@dataclass(frozen=True, slots=True)
class DeviceKey:
    domain: str
    kecamatan_code: str
    device_id: str


@dataclass(frozen=True, slots=True)
class PositionMessage:
    device: DeviceKey
    observed_at: datetime
    lat: float
    lon: float
    speed_kmh: float | None = None
    heading: float | None = None
    battery: int | None = None
    accuracy_m: float | None = None


@dataclass(frozen=True, slots=True)
class WaterLevelMessage:
    device: DeviceKey
    observed_at: datetime
    level_m: float
    lat: float | None = None
    lon: float | None = None


Message = PositionMessage | WaterLevelMessage


@dataclass(frozen=True, slots=True)
class Rejection:
    """A message that failed validation: counted, logged with its reason, never stored as data."""

    topic: str
    reason: str
    payload_excerpt: str = ""


def topic_filter(prefix: str) -> str:
    return f"{prefix}/+/+/+/telemetry"


def telemetry_topic(prefix: str, domain: str, kecamatan_code: str, device_id: str) -> str:
    return f"{prefix}/{domain}/{kecamatan_code}/{device_id}/telemetry"


@lru_cache(maxsize=65536)  # a fleet has a few thousand topics; each is checked once
def parse_topic(topic: str, prefix: str) -> DeviceKey:
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != prefix or parts[4] != "telemetry":
        raise InvalidMessage(f"topic {topic[:120]!r} is not {prefix}/<domain>/<kecamatan>/<device>/telemetry")
    _, domain, kecamatan_code, device_id, _ = parts
    domains = device_domains()
    if domain not in domains:
        raise InvalidMessage(f"unknown domain {domain[:40]!r} (expected one of {', '.join(domains)})")
    if not KECAMATAN_CODE.match(kecamatan_code):
        raise InvalidMessage(f"kecamatan code {kecamatan_code[:20]!r} is not like 36.71.08")
    if not DEVICE_ID.match(device_id):
        raise InvalidMessage(f"device id {device_id[:40]!r} has characters outside A-Z a-z 0-9 _ . -")
    return DeviceKey(domain, kecamatan_code, device_id)


def _number(
    payload: dict, name: str, *, required: bool = False, low: float | None = None, high: float | None = None
) -> float | None:
    value = payload.get(name)
    if value is None:
        if required:
            raise InvalidMessage(f"{name!r} is missing")
        return None
    kind = type(value)  # not isinstance: JSON's true/false are bools, and a bool is an int
    if kind is not float and kind is not int:
        raise InvalidMessage(f"{name!r} must be a number, got {kind.__name__}")
    if kind is float and not math.isfinite(value):
        raise InvalidMessage(f"{name!r} must be finite")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidMessage(f"{name!r} = {value} is outside {low}…{high}")
    return float(value)


def _observed_at(payload: dict, now: datetime, *names: str) -> datetime:
    for name in names:
        value = payload.get(name)
        if value is None:
            continue
        if name == "tst":
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise InvalidMessage("'tst' must be epoch seconds")
            try:
                moment = datetime.fromtimestamp(value, tz=UTC)
            except (OverflowError, OSError, ValueError) as error:
                raise InvalidMessage(f"'tst' = {value} is not a time") from error
        else:
            if not isinstance(value, str):
                raise InvalidMessage(f"{name!r} must be an ISO 8601 string")
            try:
                moment = datetime.fromisoformat(value)
            except ValueError as error:
                raise InvalidMessage(f"{name!r} = {value[:40]!r} is not ISO 8601") from error
            if moment.tzinfo is None:
                raise InvalidMessage(f"{name!r} has no UTC offset")
            moment = moment.astimezone(UTC)
        if moment < EARLIEST or (moment - now).total_seconds() > 300:
            raise InvalidMessage(f"observation time {moment.isoformat()} is implausible (future or before 2020)")
        return moment
    raise InvalidMessage(f"no observation time ({' or '.join(map(repr, names))})")


def _point(location, bounds: PositionBounds) -> tuple[float | None, float | None]:
    if location is None:
        return None, None
    if (
        not isinstance(location, dict)
        or location.get("type") != "Point"
        or not isinstance(location.get("coordinates"), list)
        or len(location["coordinates"]) != 2
    ):
        raise InvalidMessage("'location' must be a GeoJSON Point [lon, lat]")
    lon, lat = location["coordinates"]
    point = {"lon": lon, "lat": lat}
    return (
        _number(point, "lat", required=True, low=bounds.lat[0], high=bounds.lat[1]),
        _number(point, "lon", required=True, low=bounds.lon[0], high=bounds.lon[1]),
    )


def parse_payload(device: DeviceKey, payload: bytes, now: datetime, bounds: PositionBounds = INDONESIA) -> Message:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise InvalidMessage(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD_BYTES}")
    try:
        data = json.loads(payload.decode("utf-8") if isinstance(payload, bytes | bytearray) else payload)
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidMessage(f"payload is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise InvalidMessage("payload must be a JSON object")
    kind = data.get("_type")
    if kind == "location":
        sends = device_domains()[device.domain].message
        if sends != "location":
            raise InvalidMessage(f"a {device.domain} device sends {sends}, not location")
        battery = _number(data, "batt", low=0, high=100)
        return PositionMessage(
            device=device,
            observed_at=_observed_at(data, now, "time", "tst"),
            lat=_number(data, "lat", required=True, low=bounds.lat[0], high=bounds.lat[1]),
            lon=_number(data, "lon", required=True, low=bounds.lon[0], high=bounds.lon[1]),
            speed_kmh=_number(data, "vel", low=0, high=300),
            heading=_number(data, "cog", low=0, high=360),
            battery=int(battery) if battery is not None else None,
            accuracy_m=_number(data, "acc", low=0, high=100_000),
        )
    if kind == "waterLevel":
        if device_domains()[device.domain].message != "waterLevel":
            gauges = ", ".join(slug for slug, fleet in device_domains().items() if fleet.message == "waterLevel")
            raise InvalidMessage(f"waterLevel only comes from {gauges} gauges, not {device.domain}")
        lat, lon = _point(data.get("location"), bounds)
        return WaterLevelMessage(
            device=device,
            observed_at=_observed_at(data, now, "dateObserved", "tst"),
            level_m=_number(data, "waterLevel", required=True, low=WATER_LEVEL_RANGE_M[0], high=WATER_LEVEL_RANGE_M[1]),
            lat=lat,
            lon=lon,
        )
    raise InvalidMessage(f"unknown _type {str(kind)[:30]!r} (expected 'location' or 'waterLevel')")


def parse_message(topic: str, payload: bytes, prefix: str, now: datetime, bounds: PositionBounds = INDONESIA) -> Message:
    return parse_payload(parse_topic(topic, prefix), payload, now, bounds)

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from komando.devices.protocol import (
    InvalidMessage,
    PositionMessage,
    WaterLevelMessage,
    parse_message,
    telemetry_topic,
)

NOW = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
TRUCK = telemetry_topic("tangerang", "kebersihan", "36.71.08", "dlh-truk-01")
GAUGE = telemetry_topic("tangerang", "banjir", "36.71.10", "pos-pa10")


def parse(topic, payload):
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return parse_message(topic, raw, "tangerang", NOW)


def test_owntracks_position():
    tst = int((NOW - timedelta(seconds=5)).timestamp())
    message = parse(
        TRUCK,
        {
            "_type": "location",
            "lat": -6.1675,
            "lon": 106.5943,
            "tst": tst,
            "vel": 23,
            "cog": 270,
            "batt": 87,
            "acc": 8,
            "tid": "T1",
        },
    )
    assert isinstance(message, PositionMessage)
    assert message.device.device_id == "dlh-truk-01" and message.device.kecamatan_code == "36.71.08"
    assert message.observed_at == datetime.fromtimestamp(tst, tz=UTC)
    assert (message.lat, message.lon, message.speed_kmh, message.heading, message.battery) == (-6.1675, 106.5943, 23, 270, 87)


def test_water_level_with_wib_time_is_stored_in_utc():
    message = parse(GAUGE, {"_type": "waterLevel", "waterLevel": 2.41, "dateObserved": "2026-11-28T13:55:00+07:00"})
    assert isinstance(message, WaterLevelMessage)
    assert message.level_m == 2.41
    assert message.observed_at == datetime(2026, 11, 28, 6, 55, tzinfo=UTC)
    assert message.lat is None


def test_water_level_with_its_location():
    message = parse(
        GAUGE,
        {
            "_type": "waterLevel",
            "waterLevel": 1.1,
            "dateObserved": "2026-11-28T13:55:00+07:00",
            "location": {"type": "Point", "coordinates": [106.63, -6.14]},
        },
    )
    assert (message.lat, message.lon) == (-6.14, 106.63)


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("tangerang/kebersihan/36.71.08/dlh-truk-01", {}, "is not tangerang/"),
        ("jakarta/kebersihan/36.71.08/x/telemetry", {}, "is not tangerang/"),
        ("tangerang/pemadam/36.71.08/x/telemetry", {}, "unknown domain"),
        ("tangerang/kebersihan/3671/x/telemetry", {}, "kecamatan code"),
        ("tangerang/kebersihan/36.71.08/a b/telemetry", {}, "device id"),
        (TRUCK, b"{not json", "not JSON"),
        (TRUCK, b'{"_type": "location", "lat": -6.1', "not JSON"),
        (TRUCK, b"\xff\xfe", "not JSON"),
        (TRUCK, [1, 2], "JSON object"),
        (TRUCK, {"_type": "transition"}, "unknown _type"),
        (TRUCK, {"_type": "location", "lon": 106.6, "tst": 1764300000}, "'lat' is missing"),
        (TRUCK, {"_type": "location", "lat": "-6.1", "lon": 106.6, "tst": 1764300000}, "must be a number"),
        (TRUCK, {"_type": "location", "lat": True, "lon": 106.6, "tst": 1764300000}, "must be a number"),
        (TRUCK, {"_type": "location", "lat": 48.85, "lon": 2.35, "tst": 1764300000}, "outside"),
        (TRUCK, {"_type": "location", "lat": -6.1, "lon": 106.6}, "no observation time"),
        (TRUCK, {"_type": "location", "lat": -6.1, "lon": 106.6, "tst": "yesterday"}, "epoch seconds"),
        (TRUCK, {"_type": "location", "lat": -6.1, "lon": 106.6, "tst": 4_000_000_000}, "implausible"),
        (TRUCK, {"_type": "location", "lat": -6.1, "lon": 106.6, "time": "2026-11-28T07:00:00"}, "no UTC offset"),
        (TRUCK, {"_type": "location", "lat": -6.1, "lon": 106.6, "tst": 1764300000, "batt": 140}, "outside"),
        (TRUCK, {"_type": "waterLevel", "waterLevel": 1.0, "tst": 1764300000}, "only comes from banjir"),
        (GAUGE, {"_type": "location", "lat": -6.1, "lon": 106.6, "tst": 1764300000}, "sends waterLevel"),
        (GAUGE, {"_type": "waterLevel", "waterLevel": "tinggi", "tst": 1764300000}, "must be a number"),
        (GAUGE, {"_type": "waterLevel", "waterLevel": 1e308 * 10, "tst": 1764300000}, "finite"),
        (GAUGE, {"_type": "waterLevel", "waterLevel": 99, "tst": 1764300000}, "outside"),
        (GAUGE, b'{"_type": "waterLevel", "waterLevel": NaN, "tst": 1764300000}', "finite"),
        (GAUGE, {"_type": "waterLevel", "waterLevel": 10**400, "tst": 1764300000}, "outside"),
        (GAUGE, {"_type": "waterLevel", "waterLevel": [1.2], "tst": 1764300000}, "must be a number, got list"),
        (TRUCK, b"{" + b" " * 5000 + b"}", "exceeds"),
        (GAUGE, {"_type": "waterLevel", "waterLevel": 1, "tst": 1764300000, "location": [106.6, -6.1]}, "GeoJSON Point"),
        (
            GAUGE,
            {
                "_type": "waterLevel",
                "waterLevel": 1,
                "tst": 1764300000,
                "location": {"type": "Point", "coordinates": [-6.1, 106.6]},
            },
            "outside",
        ),
    ],
)
def test_bad_messages_are_refused_with_a_reason(topic, payload, reason):
    with pytest.raises(InvalidMessage, match=reason):
        parse(topic, payload)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 28, 7, 0, tzinfo=UTC),
        datetime(2026, 11, 28, 7, 0, 5, 123456, tzinfo=UTC),
        datetime(2026, 11, 28, 14, 0, tzinfo=timezone(timedelta(hours=7))),  # WIB
    ],
)
def test_the_fast_datetime_adapter_writes_what_django_writes(moment):
    from django.db import connection

    from komando.devices.actions import _datetime_adapter

    assert _datetime_adapter()(moment) == connection.ops.adapt_datetimefield_value(moment)

from datetime import UTC, datetime, timedelta

import pytest

from komando.devices.actions import directory, do_store_device_batch
from komando.devices.protocol import DeviceKey, PositionMessage, WaterLevelMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def devices(reference_data):
    directory.clear()
    now = datetime.now(UTC).replace(microsecond=0)
    do_store_device_batch(
        [
            PositionMessage(
                DeviceKey("kebersihan", "36.71.08", "dlh-truk-01"), now - timedelta(seconds=5), -6.16, 106.59, speed_kmh=22.0
            ),
            WaterLevelMessage(
                DeviceKey("banjir", "36.71.10", "pos-pa10"), now - timedelta(seconds=5), 2.4, lat=-6.14, lon=106.63
            ),
        ],
        [],
    )


def test_layers_need_an_operations_role(client, personas, devices):
    assert client.get("/api/map/layers/units/").status_code in (401, 403)
    client.force_login(personas["opd_officer"])
    assert client.get("/api/map/layers/units/").status_code == 403
    assert client.get("/peta/").status_code == 403


def test_units_and_gauges_as_geojson(client, personas, devices):
    client.force_login(personas["operator"])
    keys = [layer["key"] for layer in client.get("/api/map/layers/").json()["layers"]]
    assert {"units", "gauges", "cameras"} <= set(keys)
    units = client.get("/api/map/layers/units/").json()
    assert units["type"] == "FeatureCollection"
    (truck,) = units["features"]
    assert truck["geometry"] == {"type": "Point", "coordinates": [106.59, -6.16]}
    assert truck["properties"]["device_id"] == "dlh-truk-01" and truck["properties"]["speed_kmh"] == 22.0
    (gauge,) = client.get("/api/map/layers/gauges/").json()["features"]
    assert gauge["geometry"]["coordinates"] == [106.63, -6.14] and gauge["properties"]["level_m"] == 2.4
    assert client.get("/api/map/layers/nothing/").status_code == 404
    page = client.get("/peta/")
    assert page.status_code == 200 and b"map-state" in page.content

"""Field units move on the operator console live, over the real device path: a private Mosquitto,
`komando serve` with its in-process MQTT ingest, the ``devices.units`` event over /ws/live/. A truck
reports a new position and its marker moves; a truck whose position was old reports and is no longer
counted stale. No reload."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from komando.devices.testing import publisher
from komando.incidents.console.tests import setup
from komando.incidents.console.tests.setup import METRE, SUKARASA
from komando.tests.browser import open_context

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}
TANGERANG = "36.71.01"  # kecamatan code of the trucks' home


@pytest.fixture(scope="module")
def system(live_system):
    return live_system(
        seed=setup.set_up,
        mqtt="private",
        workers=True,
        env={"KOMANDO_INGEST_IN_PROCESS": "1", "KOMANDO_ESCALATION_IN_PROCESS": "0"},
    )


def publish_position(system, device_id: str, lat: float, lon: float) -> None:
    client = publisher("127.0.0.1", system.broker.port, f"konsol-test-{uuid.uuid4().hex[:6]}")
    try:
        payload = {"_type": "location", "lat": lat, "lon": lon, "tst": int(time.time()), "vel": 18}
        topic = f"{system.mqtt_prefix}/kebersihan/{TANGERANG}/{device_id}/telemetry"
        client.publish(topic, json.dumps(payload), qos=1).wait_for_publish(10)
    finally:
        client.loop_stop()
        client.disconnect()


def test_units_move_on_the_console_live(system, browser):
    units = system.seeded["units"]
    context, page = open_context(browser, SCREEN, console_errors=False)
    try:
        page.goto(f"{system.base_url}/akun/masuk/?next=/konsol/")
        page.fill("#id_username", system.seeded["operator"])
        page.fill("#id_password", system.seeded["password"])
        page.locator("button[type=submit].primary-button").click()
        page.wait_for_url(f"{system.base_url}/konsol/", wait_until="domcontentloaded")
        page.wait_for_function("document.getElementById('connection').dataset.state === 'live'", timeout=20_000)
        page.evaluate("window.pageMarker = 'kept'")
        assert page.get_attribute("#units-fresh", "data-units") == "4"
        assert page.get_attribute("#units-fresh", "data-stale") == "1"
        before = page.evaluate(f"window.KOMANDO_CONSOLE.unitAt({units['near']})")

        # The near truck drives about 1 km south; its marker follows.
        south = (SUKARASA[0] - 1000 * METRE, SUKARASA[1])
        publish_position(system, "konsol-truck-21", *south)
        page.wait_for_function(
            f"Math.abs(window.KOMANDO_CONSOLE.unitAt({units['near']}).lat - ({south[0]})) < 1e-6", timeout=20_000
        )
        after = page.evaluate(f"window.KOMANDO_CONSOLE.unitAt({units['near']})")
        assert after["lat"] < before["lat"] and abs(after["lng"] - south[1]) < 1e-6

        # The truck whose position was hours old reports: nothing on the map is stale any more.
        publish_position(system, "konsol-truck-23", SUKARASA[0], SUKARASA[1] + 500 * METRE)
        page.wait_for_function("document.getElementById('units-fresh').dataset.stale === '0'", timeout=20_000)
        assert page.get_attribute("#units-fresh", "data-units") == "4"
        assert page.evaluate("window.KOMANDO_CONSOLE.live.byType['devices.units']") >= 2
        assert page.evaluate("window.pageMarker") == "kept"
        assert not page.errors, page.errors
    finally:
        context.close()

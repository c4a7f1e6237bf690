"""Field units move on the operator console live, over the real device path: a private Mosquitto,
`komando serve` with its in-process MQTT ingest, the ``devices.units`` event over /ws/live/. A truck
reports a new position and its marker moves; a truck whose position was old reports and is no longer
counted stale. No reload."""

from __future__ import annotations

import json
import os
import time
import uuid

import pytest

from komando.dashboard.tests.test_pis_browser import CHROMIUM, CHROMIUM_ARGS, System, free_port, wait_for_http
from komando.devices.testing import PrivateMosquitto, publisher
from komando.incidents.console.tests.setup import METRE, SUKARASA

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}
PREFIX = f"konsol{uuid.uuid4().hex[:8]}"
TANGERANG = "36.71.01"  # kecamatan code of the trucks' home


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    broker = PrivateMosquitto().start()
    directory = tmp_path_factory.mktemp("konsol-units")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KOMANDO_")}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "komando.settings", "SQLITE_PATH": str(directory / "db.sqlite3"),
                "KOMANDO_VAR_DIR": str(directory / "var"), "KOMANDO_MQTT_URL": broker.url,
                "KOMANDO_MQTT_TOPIC_PREFIX": PREFIX, "KOMANDO_MQTT_CLIENT_ID": f"komando-{PREFIX}",
                "KOMANDO_INGEST_IN_PROCESS": "1", "KOMANDO_ESCALATION_IN_PROCESS": "0", "PYTHONUNBUFFERED": "1"})
    port = free_port()
    running = System(base_url=f"http://127.0.0.1:{port}", directory=directory, env=env, simulator_ports={})
    try:
        running.komando("migrate", "--noinput", "-v0")
        running.komando("load-reference-data")
        output = running.komando("shell", "-c", "from komando.incidents.console.tests.setup import main; main()")
        running.people = json.loads(output.strip().splitlines()[-1])
        running.broker = broker
        server = running.start("server", "serve", "--port", str(port))
        wait_for_http(running.base_url + "/akun/masuk/", server, running.log("server"), timeout=60)
        yield running
    finally:
        running.stop_all()
        broker.stop()


def publish_position(system, device_id: str, lat: float, lon: float) -> None:
    client = publisher("127.0.0.1", system.broker.port, f"konsol-test-{uuid.uuid4().hex[:6]}")
    try:
        payload = {"_type": "location", "lat": lat, "lon": lon, "tst": int(time.time()), "vel": 18}
        client.publish(f"{PREFIX}/kebersihan/{TANGERANG}/{device_id}/telemetry", json.dumps(payload), qos=1).wait_for_publish(10)
    finally:
        client.loop_stop()
        client.disconnect()


def test_units_move_on_the_console_live(system):
    from playwright.sync_api import sync_playwright

    units = system.people["units"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=SCREEN, locale="id-ID", timezone_id="Asia/Jakarta").new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{system.base_url}/akun/masuk/?next=/konsol/")
        page.fill("#id_username", system.people["operator"])
        page.fill("#id_password", system.people["password"])
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
        page.wait_for_function(f"Math.abs(window.KOMANDO_CONSOLE.unitAt({units['near']}).lat - ({south[0]})) < 1e-6",
                               timeout=20_000)
        after = page.evaluate(f"window.KOMANDO_CONSOLE.unitAt({units['near']})")
        assert after["lat"] < before["lat"] and abs(after["lng"] - south[1]) < 1e-6

        # The truck whose position was hours old reports: nothing on the map is stale any more.
        publish_position(system, "konsol-truck-23", SUKARASA[0], SUKARASA[1] + 500 * METRE)
        page.wait_for_function("document.getElementById('units-fresh').dataset.stale === '0'", timeout=20_000)
        assert page.get_attribute("#units-fresh", "data-units") == "4"
        assert page.evaluate("window.KOMANDO_CONSOLE.live.byType['devices.units']") >= 2
        assert page.evaluate("window.pageMarker") == "kept"
        assert not errors, errors
        browser.close()

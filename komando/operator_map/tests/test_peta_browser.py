"""The operator map in Chromium: units move and gauges change live, over the real MQTT path.

Real parts: Mosquitto at 127.0.0.1:1883 (a topic prefix of this run alone), the simulated fleet
publishing to it, `komando serve` with its in-process MQTT ingest, the WebSocket."""

from __future__ import annotations

import os
import secrets
import uuid

import pytest

from komando.conftest import require_service
from komando.dashboard.tests.test_pis_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    VIEWPORT,
    System,
    free_port,
    wait_for_http,
)

pytestmark = pytest.mark.browser

OPERATOR, PASSWORD = "operator.peta", "peta-" + secrets.token_urlsafe(8)


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    require_service("Mosquitto", "127.0.0.1", 1883)
    directory = tmp_path_factory.mktemp("peta-system")
    prefix = f"peta{uuid.uuid4().hex[:8]}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("KOMANDO_")}
    env.pop("DATABASE_URL", None)
    env.update({
        "DJANGO_SETTINGS_MODULE": "komando.settings",
        "SQLITE_PATH": str(directory / "db.sqlite3"),
        "KOMANDO_VAR_DIR": str(directory / "var"),
        "KOMANDO_MQTT_URL": "mqtt://127.0.0.1:1883",
        "KOMANDO_MQTT_TOPIC_PREFIX": prefix,
        "KOMANDO_MQTT_CLIENT_ID": f"komando-{prefix}",
        "KOMANDO_INGEST_IN_PROCESS": "1",
        "PYTHONUNBUFFERED": "1",
    })
    server_port = free_port()
    running = System(base_url=f"http://127.0.0.1:{server_port}", directory=directory, env=env, simulator_ports={})
    try:
        running.komando("migrate", "--noinput", "-v0")
        running.komando("load-reference-data")
        running.komando("shell", "-c", (
            "from django.contrib.auth.models import Group, User\n"
            "from komando.accounts.actions import do_ensure_role_groups\n"
            "from komando.accounts.models import Profile, Role\n"
            "do_ensure_role_groups()\n"
            f"user = User.objects.create_user({OPERATOR!r}, password={PASSWORD!r}, first_name='Operator Peta')\n"
            "user.groups.add(Group.objects.get(name=Role.OPERATOR))\n"
            "Profile.objects.create(user=user)\n"
        ))
        server = running.start("server", "serve", "--port", str(server_port))
        wait_for_http(running.base_url + "/akun/masuk/", server, running.log("server"), timeout=60)
        running.start("fleet", "simulate-devices", "--interval", "1")
        yield running
    finally:
        running.stop_all()


@pytest.fixture(scope="module")
def page(system):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = browser.new_context(viewport=VIEWPORT, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
        browser.close()
        playwright.stop()


def test_the_map_needs_an_operations_role(system, page):
    page.goto(system.base_url + "/peta/")
    assert "/akun/masuk/" in page.url


def test_units_move_and_gauges_update_live_without_reload(system, page):
    page.goto(system.base_url + "/akun/masuk/?next=/peta/")
    page.fill("#id_username", OPERATOR)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary-button")
    page.wait_for_url(system.base_url + "/peta/", wait_until="domcontentloaded")
    page.evaluate("window.pageMarker = 'kept'")  # disappears if the page ever reloads
    page.wait_for_function("window.KOMANDO_LIVE && window.KOMANDO_LIVE.byType['devices.units'] >= 2", timeout=60_000)
    page.wait_for_function("window.KOMANDO_LIVE.moves >= 20", timeout=30_000)
    page.wait_for_function("document.querySelectorAll('#opmap-gauges tbody tr').length === 8", timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "peta.png"))
    levels = page.locator("#opmap-gauges tbody td.num").all_inner_texts()
    assert all(level.endswith(" m") and level != "–" for level in levels), levels
    units = page.locator("#opmap-units li")
    assert units.count() == 26  # 12 trucks, 10 officers, 4 patrol cars from the fleet
    summary = page.locator("#opmap-units-summary").inner_text()
    assert summary.startswith("26 dari 26"), summary
    first_gauge_time = page.locator("#opmap-gauges tbody tr td").nth(3).inner_text()
    page.wait_for_timeout(2500)
    assert page.locator("#opmap-gauges tbody tr td").nth(3).inner_text() != first_gauge_time
    assert page.evaluate("window.pageMarker") == "kept"
    assert page.locator("#connection").get_attribute("data-state") == "live"
    assert page.locator("#opmap-ingest").get_attribute("data-ok") == "true"
    drawn = page.evaluate("window.KOMANDO_LIVE.drawn()")
    assert drawn["units"] == 26 and drawn["gauges"] == 8, drawn
    assert "complaints" not in drawn and "tps" not in drawn, drawn  # off by default: a calm map
    assert page.locator(".gauge-pill").count() == 8
    assert not page.errors, page.errors

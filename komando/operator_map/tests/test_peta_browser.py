"""The operator map in Chromium: units move and gauges change live, over the real MQTT path.

Real parts: Mosquitto at 127.0.0.1:1883 (a topic prefix and client id of this system alone), the simulated fleet
publishing to it, `komando serve` with its in-process MQTT ingest, the WebSocket."""

from __future__ import annotations

import functools
import secrets

import pytest

from komando.accounts.models import Role
from komando.tests.browser import SCREENSHOTS, VIEWPORT, open_context
from komando.tests.seeds import add_user

pytestmark = pytest.mark.browser

OPERATOR, PASSWORD = "operator.peta", "peta-" + secrets.token_urlsafe(8)


@pytest.fixture(scope="module")
def system(live_system):
    system = live_system(
        seed=functools.partial(add_user, OPERATOR, PASSWORD, Role.OPERATOR, first_name="Operator Peta"),
        mqtt="system",
        workers=True,
        env={"KOMANDO_INGEST_IN_PROCESS": "1"},
    )
    system.start("fleet", "simulate-devices", "--interval", "1")
    return system


@pytest.fixture(scope="module")
def page(system, browser):
    context, page = open_context(browser, VIEWPORT)
    try:
        yield page
    finally:
        context.close()


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

"""/peringatan/ in Chromium against the real system: `komando serve` (ASGI, WebSocket) with only the
in-process alert worker (every second), on a fresh SQLite database with the default rules.

An operator opens the page; a gauge rises past siaga 3 in another process; the server's worker
raises the alert and it appears on the open page without a reload; the operator acknowledges it
with a comment and the page shows who and why. Screenshot docs/screenshots/peringatan.png."""

from __future__ import annotations

import json
import os

import pytest

from komando.dashboard.tests.test_pis_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, System, free_port, wait_for_http

pytestmark = pytest.mark.browser

SCREEN = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    directory = tmp_path_factory.mktemp("alerts-system")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KOMANDO_")}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "komando.settings", "SQLITE_PATH": str(directory / "db.sqlite3"),
                "KOMANDO_VAR_DIR": str(directory / "var"), "PYTHONUNBUFFERED": "1",
                "KOMANDO_INGEST_IN_PROCESS": "0", "KOMANDO_ESCALATION_IN_PROCESS": "0",
                "KOMANDO_DAILY_REPORT_IN_PROCESS": "0", "KOMANDO_ALERTS_IN_PROCESS": "1",
                "KOMANDO_ALERTS_INTERVAL_SECONDS": "1"})
    port = free_port()
    running = System(base_url=f"http://127.0.0.1:{port}", directory=directory, env=env, simulator_ports={})
    try:
        running.komando("migrate", "--noinput", "-v0")
        running.komando("load-reference-data")
        output = running.komando("shell", "-c", "from komando.alerts.tests.e2e_setup import main; main()")
        running.people = json.loads(output.strip().splitlines()[-1])
        server = running.start("server", "serve", "--port", str(port))
        wait_for_http(running.base_url + "/akun/masuk/", server, running.log("server"), timeout=60)
        yield running
    finally:
        running.stop_all()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


def test_an_alert_appears_live_and_is_acknowledged(system, browser):
    context = browser.new_context(viewport=SCREEN, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{system.base_url}/akun/masuk/?next=/peringatan/")
        page.fill("#id_username", system.people["operator"])
        page.fill("#id_password", system.people["password"])
        page.locator("button[type=submit].primary-button").click()
        page.wait_for_url(f"{system.base_url}/peringatan/", wait_until="domcontentloaded")
        page.wait_for_function("document.getElementById('connection').dataset.state === 'live'", timeout=20_000)
        page.evaluate("window.pageMarker = 'kept'")  # gone if the page ever reloads

        # The failing BMKG source was raised by the server's worker; this morning's gauge alert is history.
        page.wait_for_selector("#al-open .al-item:has-text('BMKG')", timeout=20_000)
        recent = page.inner_text("#al-recent")
        assert "Bendung Pasar Baru" in recent and "Rina Wulandari" in recent and "Pintu dibuka" in recent
        assert page.locator("#al-open .al-item:has-text('Pintu Air Sepuluh')").count() == 0

        # Another process moves the gauge past siaga 3; the alert appears without a reload.
        system.komando("shell", "-c", "from komando.alerts.tests.e2e_setup import set_level; "
                                      "set_level('Pintu Air Sepuluh', 2.85)")
        item = page.locator("#al-open .al-item:has-text('Pintu Air Sepuluh')")
        item.wait_for(timeout=20_000)
        assert "Siaga 3" in item.inner_text() and "2.85" in item.inner_text()
        assert page.evaluate("window.pageMarker") == "kept"

        # Acknowledge it with a comment.
        item.locator("input[name=comment]").fill("Tim BPBD menuju lokasi, pompa disiagakan.")
        page.screenshot(path=str(SCREENSHOTS / "peringatan.png"), full_page=True)
        item.locator("button[type=submit]").click()
        page.wait_for_function(
            "[...document.querySelectorAll('#al-open .al-item')].some(li => "
            "li.textContent.includes('Pintu Air Sepuluh') && li.textContent.includes('Tim BPBD menuju lokasi'))",
            timeout=20_000)
        acknowledged = page.locator("#al-open .al-item:has-text('Pintu Air Sepuluh')")
        assert "Rina Wulandari" in acknowledged.inner_text()
        assert acknowledged.locator("form").count() == 0
        assert page.evaluate("window.pageMarker") == "kept"
        page.screenshot(path=str(SCREENSHOTS / "peringatan-ditanggapi.png"), full_page=True)
        assert errors == []
    finally:
        context.close()

"""The whole system started for a second city, Kota Contoh (fictional, ``data/cities/kota-contoh``),
by data alone: ``KOMANDO_CITY_DIR`` and ``load-reference-data``, its simulators and ``serve``. The PIS,
the operator console, the Open311 services and the public scorecard show its names and nothing of
Kota Tangerang, in Debian's Chromium. Screenshots: kota-contoh-pis.png, kota-contoh-konsol.png,
kota-contoh-kinerja.png.

Started with the ``System`` class of the PIS browser test (the shared ``live_system`` fixture had
not landed when this was written)."""

from __future__ import annotations

import csv
import os
import re
import secrets
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from komando.dashboard.tests.test_pis_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    VIEWPORT,
    System,
    connector_credentials,
    free_port,
    wait_for_http,
)

pytestmark = pytest.mark.browser

CONTOH = Path(settings.KOMANDO_CITY_DIR).parent / "kota-contoh"
FOREIGN = re.compile(r"tangerang|36\.71", re.IGNORECASE)
OPERATOR, PASSWORD = "operator.contoh", "browser-test-" + secrets.token_urlsafe(8)


def contoh_sources() -> list[str]:
    with open(CONTOH / "sources.csv", newline="", encoding="utf-8") as handle:
        return sorted(row["slug"] for row in csv.DictReader(handle) if row["connector"])


@pytest.fixture(scope="module")
def contoh_system(tmp_path_factory) -> System:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make browser` installs Debian's Chromium", pytrace=False)
    directory = tmp_path_factory.mktemp("kota-contoh")
    slugs = contoh_sources()
    ports = {slug: free_port() for slug in slugs}
    env = {key: value for key, value in os.environ.items() if not key.startswith("KOMANDO_")}
    env.pop("DATABASE_URL", None)  # a fresh SQLite database of its own
    env.update({
        "DJANGO_SETTINGS_MODULE": "komando.settings",
        "SQLITE_PATH": str(directory / "db.sqlite3"),
        "KOMANDO_VAR_DIR": str(directory / "var"),
        "KOMANDO_CITY_DIR": str(CONTOH),
        "KOMANDO_SCHEDULE_SCALE": "0.1",
        "PYTHONUNBUFFERED": "1",
    })
    for slug, port in ports.items():
        env[f"KOMANDO_{slug.upper().replace('-', '_')}_BASE_URL"] = f"http://127.0.0.1:{port}"
    env.update(connector_credentials(slugs, env))
    server_port = free_port()
    running = System(base_url=f"http://127.0.0.1:{server_port}", directory=directory, env=env, simulator_ports=ports)
    try:
        running.komando("migrate", "--noinput", "-v0")
        assert "(kota-contoh)" in running.komando("load-reference-data")
        running.komando("shell", "-c", (
            "from django.contrib.auth.models import Group, User\n"
            "from komando.accounts.actions import do_ensure_role_groups\n"
            "from komando.accounts.models import Profile, Role\n"
            "do_ensure_role_groups()\n"
            f"user = User.objects.create_user({OPERATOR!r}, password={PASSWORD!r}, first_name='Operator')\n"
            "user.groups.add(Group.objects.get(name=Role.OPERATOR))\n"
            "Profile.objects.create(user=user)\n"
        ))
        for slug in slugs:
            running.start_simulator(slug)
        server = running.start("server", "serve", "--port", str(server_port))
        wait_for_http(running.base_url + "/", server, running.log("server"), timeout=60)
        yield running
    finally:
        running.stop_all()


@pytest.fixture(scope="module")
def page(contoh_system):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1, locale="id-ID", timezone_id="Asia/Jakarta")
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.errors = errors
    try:
        yield opened
    finally:
        context.close()
        chromium.close()
        playwright.stop()


def assert_only_contoh(text: str, where: str) -> None:
    found = FOREIGN.search(text)
    assert found is None, f"{where} shows {text[max(0, found.start() - 80):found.end() + 80]!r}"


def wait_for_sources(system: System, slugs: list[str], timeout_ms: int = 120_000) -> None:
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    health: dict = {}
    while time.monotonic() < deadline:
        health = system.source_health()
        if all(health[slug]["status"] == "ok" for slug in slugs):
            return
        time.sleep(1)
    pytest.fail(f"sources not healthy: { {s: health.get(s, {}).get('status') for s in slugs} }\n"
                f"{system.diagnostics()}", pytrace=False)


def test_the_pis_shows_kota_contoh_and_its_data(contoh_system, page):
    wait_for_sources(contoh_system, ["banjir", "epuskesmas", "laksa", "siak"])
    page.goto(contoh_system.base_url + "/", wait_until="domcontentloaded")
    page.wait_for_function("() => document.body.innerText.includes('Contoh Tengah')", timeout=60_000)
    page.wait_for_timeout(3000)  # the map tiles and the charts settle
    text = page.inner_text("body")
    assert "Kota Contoh" in text
    assert_only_contoh(text, "the PIS")
    assert_only_contoh(page.content(), "the PIS's HTML")
    page.screenshot(path=str(SCREENSHOTS / "kota-contoh-pis.png"))
    assert page.errors == []


def test_open311_and_the_scorecard_name_only_kota_contoh(contoh_system, page):
    services = httpx.get(contoh_system.base_url + "/open311/v2/services.json", timeout=10)
    assert services.status_code == 200
    assert {"GENANGAN", "BANJIR", "SAMPAH"} <= {s["service_code"] for s in services.json()}
    assert_only_contoh(services.text, "Open311 services")
    discovery = httpx.get(contoh_system.base_url + "/open311/v2/discovery.json", timeout=10)
    assert_only_contoh(discovery.text, "Open311 discovery")

    page.goto(contoh_system.base_url + "/kinerja/", wait_until="domcontentloaded")
    page.wait_for_function("() => document.body.innerText.includes('Contoh')", timeout=30_000)
    page.wait_for_timeout(1500)
    text = page.inner_text("body")
    assert "Kota Contoh" in text
    assert_only_contoh(text, "the scorecard")
    page.screenshot(path=str(SCREENSHOTS / "kota-contoh-kinerja.png"), full_page=True)
    assert page.errors == []


def test_the_operator_console_shows_kota_contoh(contoh_system, page):
    page.goto(f"{contoh_system.base_url}/akun/masuk/?next=/konsol/")
    page.fill("#id_username", OPERATOR)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary-button")
    page.wait_for_url(contoh_system.base_url + "/konsol/", wait_until="domcontentloaded")
    page.wait_for_function("() => document.querySelector('#connection')?.dataset.state === 'live'", timeout=30_000)
    page.wait_for_timeout(2000)
    text = page.inner_text("body")
    assert "Kota Contoh" in page.inner_text(".brand-city")
    assert_only_contoh(text, "the console")
    assert_only_contoh(page.content(), "the console's HTML")
    page.screenshot(path=str(SCREENSHOTS / "kota-contoh-konsol.png"))
    assert page.errors == []

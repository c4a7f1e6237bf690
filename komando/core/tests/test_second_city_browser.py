"""The whole system started for a second city, Kota Contoh (fictional, ``data/cities/kota-contoh``),
by data alone: a template database loaded by ``load-reference-data`` with ``KOMANDO_CITY_DIR`` pointed
at it, its simulators and `serve` with its ingest (the shared ``live_system``). The PIS, the
operator console, the Open311 services and the public scorecard show its names and nothing of Kota
Tangerang, in Debian's Chromium. Screenshots: kota-contoh-pis.png, kota-contoh-konsol.png,
kota-contoh-kinerja.png."""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from komando.core.tests import second_city_setup
from komando.tests.browser import SCREENSHOTS, open_context
from komando.tests.live import build_template

pytestmark = pytest.mark.browser

CONTOH = Path(settings.KOMANDO_CITY_DIR).parent / "kota-contoh"
FOREIGN = re.compile(r"tangerang|36\.71", re.IGNORECASE)
PAGE_TIMEOUT_MS = 90_000  # two shared cores: a page may wait behind other work (a bound, not a measurement)


def contoh_sources() -> list[str]:
    with open(CONTOH / "sources.csv", newline="", encoding="utf-8") as handle:
        return sorted(row["connector"] for row in csv.DictReader(handle) if row["connector"])


@pytest.fixture(scope="module")
def live_template(tmp_path_factory) -> Path:
    """This module's systems start from Kota Contoh's reference data, not the default city's."""
    return build_template(tmp_path_factory.mktemp("kota-contoh-template"), city_dir=CONTOH)


@pytest.fixture(scope="module")
def system(live_system):
    return live_system(
        seed=second_city_setup.set_up,
        workers=True,
        simulators=contoh_sources(),
        env={"KOMANDO_CITY_DIR": str(CONTOH), "KOMANDO_SCHEDULE_SCALE": "0.1"},
    )


@pytest.fixture(scope="module")
def page(browser, system):
    context, opened = open_context(browser)
    yield opened
    context.close()


def assert_only_contoh(text: str, where: str) -> None:
    found = FOREIGN.search(text)
    assert found is None, f"{where} shows {text[max(0, found.start() - 80) : found.end() + 80]!r}"


def wait_for_sources(system, slugs: list[str], timeout_ms: int = 180_000) -> None:
    deadline = time.monotonic() + timeout_ms / 1000
    health: dict = {}
    while time.monotonic() < deadline:
        health = system.source_health()
        if all(health[slug]["status"] == "ok" for slug in slugs):
            return
        time.sleep(1)
    pytest.fail(
        f"sources not healthy: { {s: health.get(s, {}).get('status') for s in slugs} }\n{system.diagnostics()}", pytrace=False
    )


def test_the_pis_shows_kota_contoh_and_its_data(system, page):
    wait_for_sources(system, ["banjir", "epuskesmas", "laksa", "siak"])
    page.goto(system.base_url + "/", wait_until="domcontentloaded")
    page.wait_for_function("() => document.body.innerText.includes('Contoh Tengah')", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_timeout(3000)  # the map tiles and the charts settle
    text = page.inner_text("body")
    assert "Kota Contoh" in text
    assert_only_contoh(text, "the PIS")
    assert_only_contoh(page.content(), "the PIS's HTML")
    # no ATCS and no e-Monev in this city: neither the camera panel nor the development panel
    assert page.locator("#panel-traffic").count() == 0
    assert page.locator("#panel-development, #panel-development-locked").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "kota-contoh-pis.png"))
    assert page.errors == []


def test_open311_and_the_scorecard_name_only_kota_contoh(system, page):
    services = httpx.get(system.base_url + "/open311/v2/services.json", timeout=10)
    assert services.status_code == 200
    assert {"GENANGAN", "BANJIR", "SAMPAH"} <= {s["service_code"] for s in services.json()}
    assert_only_contoh(services.text, "Open311 services")
    discovery = httpx.get(system.base_url + "/open311/v2/discovery.json", timeout=10)
    assert_only_contoh(discovery.text, "Open311 discovery")

    page.goto(system.base_url + "/kinerja/", wait_until="domcontentloaded")
    page.wait_for_function("() => document.body.innerText.includes('Contoh')", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_timeout(1500)
    text = page.inner_text("body")
    assert "Kota Contoh" in text
    assert_only_contoh(text, "the scorecard")
    page.screenshot(path=str(SCREENSHOTS / "kota-contoh-kinerja.png"), full_page=True)
    assert page.errors == []


def test_the_operator_console_shows_kota_contoh(system, page):
    page.goto(f"{system.base_url}/akun/masuk/?next=/konsol/")
    page.fill("#id_username", system.seeded["operator"])
    page.fill("#id_password", system.seeded["password"])
    page.click("button[type=submit].primary-button")
    page.wait_for_url(system.base_url + "/konsol/", wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function("() => document.querySelector('#connection')?.dataset.state === 'live'", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_timeout(2000)
    text = page.inner_text("body")
    assert "Kota Contoh" in page.inner_text(".brand-city")
    assert_only_contoh(text, "the console")
    assert_only_contoh(page.content(), "the console's HTML")
    page.screenshot(path=str(SCREENSHOTS / "kota-contoh-konsol.png"))
    assert page.errors == []

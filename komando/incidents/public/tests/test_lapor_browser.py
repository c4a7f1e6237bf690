"""A resident on a phone (390×844, touch) in Debian's Chromium: fills the report form, taps the place
on the map, sends it, sees the ticket number and opens the tracking page.

Real parts: `komando serve` (ASGI) on a free port with a fresh SQLite database and the city's
reference data, as `make demo` has it; no feeds are needed, so the server runs without ingest."""

from __future__ import annotations

import pytest

from komando.incidents.public.tests.conftest import CONTACT, SUKARASA
from komando.tests.browser import PHONE, SCREENSHOTS, open_context

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def system(live_system):
    return live_system()


@pytest.fixture(scope="module")
def phone(system, browser):
    context, page = open_context(browser, PHONE, phone=True, device_scale_factor=2)
    try:
        yield page
    finally:
        context.close()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_reports_on_a_phone_and_follows_the_ticket(system, phone):
    page = phone
    page.goto(system.base_url + "/lapor/")
    assert page.locator("html").get_attribute("lang") == "id"
    page.locator("#send-report").tap()  # nothing filled in: the page says what is missing, field by field
    page.wait_for_selector("#form-errors")
    assert page.locator(".has-error").count() == 3  # the kind of problem, the description, the place
    assert fits_the_screen(page)
    page.screenshot(path=str(SCREENSHOTS / "lapor-form-errors.png"), full_page=True)
    assert page.errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.errors.clear()
    page.select_option("#id_category", "SAMPAH")
    page.fill("#id_description", "Sampah menumpuk di pinggir jalan dekat pasar, sudah tiga hari tidak diangkut.")
    page.fill("#id_address", "Jl. Kisamaun, depan pasar")

    page.locator("#lapor-map").scroll_into_view_if_needed()
    point = page.evaluate(f"window.KOMANDO_LAPOR.map.latLngToContainerPoint([{SUKARASA[0]}, {SUKARASA[1]}])")
    box = page.locator("#lapor-map").bounding_box()
    page.touchscreen.tap(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_function("document.getElementById('map-status').dataset.tone === 'ok'")
    assert "Tangerang" in page.locator("#map-status").inner_text()
    lat, lon = float(page.input_value("#id_lat")), float(page.input_value("#id_lon"))
    assert abs(lat - SUKARASA[0]) < 0.002 and abs(lon - SUKARASA[1]) < 0.002, (lat, lon)

    page.fill("#id_contact_name", CONTACT["contact_name"])
    page.fill("#id_contact_phone", CONTACT["contact_phone"])
    page.fill("#id_contact_email", CONTACT["contact_email"])
    assert fits_the_screen(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "lapor-form.png"), full_page=True)

    page.locator("#send-report").tap()
    page.wait_for_url("**/lapor/terkirim/**")
    ticket = page.locator("#ticket-number").inner_text()
    assert ticket.startswith("TNG-") and ticket in page.url
    assert fits_the_screen(page)
    page.screenshot(path=str(SCREENSHOTS / "lapor-ticket.png"), full_page=True)

    page.locator("#track-link").tap()
    page.wait_for_url(f"**/lapor/lacak/{ticket}/")
    assert page.locator("#track-title").inner_text() == ticket
    assert page.locator(".status-pill").get_attribute("data-status") == "baru"
    assert page.locator(".progress-step").evaluate_all("steps => steps.map(s => s.dataset.state)") == [
        "current",
        "todo",
        "todo",
        "todo",
    ]
    assert "Kecamatan Tangerang" in page.locator(".track-facts").inner_text()
    assert page.locator(".update").count() == 1
    html = page.content()
    for secret in CONTACT.values():
        assert secret not in html
    assert fits_the_screen(page)
    page.screenshot(path=str(SCREENSHOTS / "lapor-tracking.png"), full_page=True)

    assert not page.errors, page.errors

    page.set_viewport_size({"width": 360, "height": 740})  # the narrowest phones in use
    for path in ("/lapor/", f"/lapor/lacak/{ticket}/", "/lapor/lacak/TNG-0000-00000/"):
        response = page.goto(system.base_url + path)
        assert response.status == (404 if path.endswith("TNG-0000-00000/") else 200)
        assert fits_the_screen(page), path

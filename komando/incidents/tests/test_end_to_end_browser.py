"""End to end in Chromium, one incident from a resident's report to its closure on record:

1. an operator has the console (/konsol/) open on a 1920×1080 screen;
2. a resident reports uncollected garbage on a phone (/lapor/) and is given a ticket; the report
   appears in the operator's queue without a reload;
3. the operator verifies it and dispatches the nearest DLH truck;
4. the truck's field officer (a second, phone-sized browser context, /petugas/) accepts, arrives,
   adds an after photo, finishes and reports the incident resolved;
5. the operator's console shows it resolved, live; the resident's tracking page shows it done;
6. the operator ticks the SOP's mandatory steps and closes it from the "resolved, to be closed" list.

Real parts: `komando serve` (ASGI, WebSocket) on a fresh SQLite database with the city's reference
data (``live_system``); the people and the truck are set up by ``komando.incidents.tests.e2e_setup``. Screenshots of
each step go to docs/screenshots/e2e-*.png."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from komando.incidents.tests import e2e_setup
from komando.incidents.tests.conftest import SUKARASA
from komando.tests.browser import PHONE, SCREENSHOTS, open_context

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def system(live_system):
    return live_system(seed=e2e_setup.set_up)


def log_in(page, system, username: str, next_path: str) -> None:
    page.goto(f"{system.base_url}/akun/masuk/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", system.seeded["password"])
    page.locator("button[type=submit].primary-button").click()
    page.wait_for_url(f"{system.base_url}{next_path}", wait_until="domcontentloaded")


def small_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (70, 130, 80)).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"e2e-{name}.png"))


def test_a_report_goes_from_a_resident_to_a_resolved_incident_on_record(system, browser):
    people = system.seeded
    # 1. The operator's console is open, live.
    operator_context, console = open_context(browser, SCREEN, console_errors=False)
    log_in(console, system, people["operator"], "/konsol/")
    console.wait_for_function("document.getElementById('connection').dataset.state === 'live'", timeout=20_000)

    # 2. A resident reports on a phone.
    resident_context, phone = open_context(browser, PHONE, phone=True, console_errors=False)
    phone.goto(system.base_url + "/lapor/")
    phone.select_option("#id_category", "SAMPAH")
    phone.fill("#id_description", "Sampah menumpuk di depan pasar, sudah tiga hari tidak diangkut.")
    phone.fill("#id_address", "Jl. Kisamaun, depan Pasar Lama")
    phone.locator("#lapor-map").scroll_into_view_if_needed()
    point = phone.evaluate(f"window.KOMANDO_LAPOR.map.latLngToContainerPoint([{SUKARASA[0]}, {SUKARASA[1]}])")
    box = phone.locator("#lapor-map").bounding_box()
    phone.touchscreen.tap(box["x"] + point["x"], box["y"] + point["y"])
    phone.wait_for_function("document.getElementById('map-status').dataset.tone === 'ok'")
    phone.evaluate("window.scrollTo(0, 0)")
    shot(phone, "1-resident-report")
    phone.locator("#send-report").tap()
    phone.wait_for_url("**/lapor/terkirim/**")
    ticket = phone.locator("#ticket-number").inner_text()
    assert ticket.startswith("TNG-")
    row = f'#queue [data-ticket="{ticket}"]'

    # ... and it reaches the operator's queue without a reload.
    console.wait_for_selector(row, timeout=15_000)
    assert console.evaluate("performance.getEntriesByType('navigation').length") == 1
    shot(console, "2-console-new-report")

    # 3. The operator verifies it and dispatches the nearest DLH truck.
    console.locator(row).click()
    console.wait_for_selector(f'#detail-body[data-ticket="{ticket}"]')
    console.locator('[data-action="transition"][data-status="diverifikasi"]').click()
    console.wait_for_selector('#detail-status[data-status="diverifikasi"]')
    unit_button = f'[data-action="dispatch"][data-unit="{people["unit_id"]}"]'
    console.wait_for_selector(unit_button)
    console.locator(unit_button).click()
    console.wait_for_selector('#detail-status[data-status="ditugaskan"]')
    console.wait_for_selector(f'{row}[data-status="ditugaskan"]', timeout=10_000)
    shot(console, "3-console-dispatched")

    # 4. The truck's officer works it on a phone.
    officer_context, field = open_context(browser, PHONE, phone=True, console_errors=False)
    log_in(field, system, people["officer"], "/petugas/")
    card = "[data-dispatch]"
    field.wait_for_selector(card)
    assert ticket in field.locator(card).first.inner_text()
    field.locator(f'{card} [data-step="en_route"]').tap()
    field.wait_for_selector(f'{card}[data-status="en_route"]', timeout=15_000)
    field.locator(f'{card} [data-step="on_scene"]').tap()
    field.wait_for_selector(f'{card}[data-status="on_scene"]', timeout=15_000)
    console.wait_for_selector('#detail-status[data-status="dalam_penanganan"]', timeout=15_000)
    field.locator(f'{card} input[data-photo-kind="after"]').set_input_files(
        {"name": "sesudah.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}
    )
    field.wait_for_function("document.querySelector('[data-dispatch] .task-photos').dataset.after === '1'")
    field.locator(f"{card} textarea").fill("Sampah sudah diangkut, lokasi sudah disapu.")
    field.locator(f'{card} [data-step="done"]').tap()
    field.wait_for_selector(f'{card}[data-status="done"] [data-step="resolve"]:not([disabled])', timeout=15_000)
    field.locator(f'{card} [data-step="resolve"]').tap()
    field.wait_for_selector(f'{card}[data-incident-status="selesai"]', timeout=20_000)
    field.wait_for_function("document.getElementById('queue-count').textContent === '0'", timeout=20_000)
    shot(field, "4-officer-resolved")

    # 5. The console shows it resolved, live; the resident sees it done.
    console.wait_for_selector('#detail-status[data-status="selesai"]', timeout=15_000)
    timeline = console.locator("#timeline").inner_text()
    assert people["unit"] in timeline
    photo = '#photos [data-kind="after"] img'
    console.wait_for_function(
        f"(() => {{ const img = document.querySelector('{photo}'); return img && img.complete && img.naturalWidth > 0; }})()",
        timeout=15_000,
    )
    console.locator(photo).scroll_into_view_if_needed()
    shot(console, "5-console-resolved")
    phone.goto(f"{system.base_url}/lapor/lacak/{ticket}/")
    assert phone.locator(".status-pill").get_attribute("data-status") == "selesai"
    shot(phone, "5-resident-tracking-done")
    html = phone.content()
    assert people["officer"] not in html and people["operator"] not in html

    # 6. Finished work waits apart; the operator ticks the SOP's mandatory steps and closes it.
    console.locator("#finished-box summary").click()
    console.locator(f'#finished [data-ticket="{ticket}"]').click()
    console.wait_for_selector(f'#detail-body[data-ticket="{ticket}"]')
    shot(console, "6-console-to-close")
    mandatory = '.checklist li:has(.mandatory):not(.done) [data-action="checklist"]'
    for _ in range(20):
        if not console.locator(mandatory).count():
            break
        before = console.locator(".checklist li.done").count()
        console.locator(mandatory).first.click()
        console.wait_for_function(f"document.querySelectorAll('.checklist li.done').length > {before}")
    console.locator('[data-action="transition"][data-status="ditutup"]').click()
    console.wait_for_selector('#detail-status[data-status="ditutup"]')
    console.wait_for_function(f"!document.querySelector('#finished [data-ticket=\"{ticket}\"]')", timeout=10_000)
    phone.goto(f"{system.base_url}/lapor/lacak/{ticket}/")
    assert phone.locator(".status-pill").get_attribute("data-status") == "ditutup"

    for page in (console, phone, field):
        assert not page.errors, page.errors
    for context in (operator_context, resident_context, officer_context):
        context.close()

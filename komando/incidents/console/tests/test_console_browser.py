"""The operator console in Chromium on a 1920×1080 screen, against the real system: `komando serve`
(ASGI, WebSocket, no ingest) on a fresh SQLite database with the city's reference data, people and
units set up by ``komando.incidents.console.tests.setup``.

An operator logs in and opens /konsol/: the queue shows the overdue incident first; a report posted
to the Open311 endpoint (another client, another channel) appears in the queue and on the map without
a reload; the operator verifies it, dispatches the nearest DLH truck (the stale one listed last,
another OPD's officer not at all), ticks an SOP step with a note and comments; the timeline shows the
steps. Steps taken elsewhere (a second session) reach the open page live: an escalation appears in
the open incident's timeline, a rejected incident leaves the queue. Screenshots
docs/screenshots/konsol-queue.png and konsol-detail.png."""

from __future__ import annotations

import json
import secrets
import urllib.parse
import urllib.request

import pytest

from komando.incidents.console.tests import setup
from komando.incidents.tests.conftest import SUKARASA
from komando.tests.browser import SCREENSHOTS, open_context

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}
OPEN311_KEY = "konsol-" + secrets.token_hex(12)


@pytest.fixture(scope="module")
def system(live_system):
    return live_system(seed=setup.set_up_with_sample_incidents, env={"KOMANDO_OPEN311_API_KEYS": f"konsoltest={OPEN311_KEY}"})


def new_page(browser):
    return open_context(browser, SCREEN)


def log_in(page, system) -> None:
    page.goto(f"{system.base_url}/akun/masuk/?next=/konsol/")
    page.fill("#id_username", system.seeded["operator"])
    page.fill("#id_password", system.seeded["password"])
    page.locator("button[type=submit].primary-button").click()
    page.wait_for_url(f"{system.base_url}/konsol/", wait_until="domcontentloaded")


def post_open311(system, **fields) -> str:
    """A report from another client through the Open311 endpoint; returns its ticket."""
    body = urllib.parse.urlencode({"api_key": OPEN311_KEY, **fields}).encode()
    request = urllib.request.Request(
        f"{system.base_url}/open311/v2/requests.json",
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status == 201
        return json.loads(response.read())[0]["service_request_id"]


def wait_until_live_settles(page, quiet_ms: int = 2000) -> None:
    """An incident event makes the console re-read the open incident a moment later and draw it
    again (the note and comment fields with it): wait until no event has come for ``quiet_ms``, so
    that what the test types next is not drawn away under it (two shared cores: events may lag)."""
    page.evaluate(
        """(quiet) => new Promise((resolve) => {
        let seen = window.KOMANDO_CONSOLE.live.events, since = Date.now();
        const check = () => {
            const now = window.KOMANDO_CONSOLE.live.events;
            if (now !== seen) { seen = now; since = Date.now(); }
            if (Date.now() - since >= quiet && !document.body.dataset.busy) resolve(); else setTimeout(check, 100);
        };
        check();
    })""",
        quiet_ms,
    )


def queue_tickets(page) -> list[str]:
    return page.eval_on_selector_all("#queue [data-ticket]", "rows => rows.map(row => row.dataset.ticket)")


def api_step(system, page, incident_id: int, step: str, body: dict) -> dict:
    """A step taken through the console API with ``page``'s session (cookie and CSRF token)."""
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    response = page.context.request.post(
        f"{system.base_url}/konsol/api/insiden/{incident_id}/{step}/",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookies["csrftoken"], "Referer": page.url},
    )
    assert response.ok, response.text()
    return response.json()


def test_the_console_needs_a_login(system, browser):
    context, page = new_page(browser)
    try:
        page.goto(system.base_url + "/konsol/")
        assert "/akun/masuk/" in page.url
    finally:
        context.close()


def test_an_operator_works_a_new_report_live_without_reload(system, browser):
    people, samples = system.seeded, system.seeded["incidents"]
    context, page = new_page(browser)
    try:
        log_in(page, system)
        page.wait_for_function("document.getElementById('connection').dataset.state === 'live'", timeout=20_000)
        page.evaluate("window.pageMarker = 'kept'")  # disappears if the page ever reloads

        # The queue: overdue first (a low-priority road), then the critical fallen tree.
        assert queue_tickets(page)[:2] == [samples["overdue"], samples["critical"]]
        assert page.get_attribute(f'#queue [data-ticket="{samples["overdue"]}"]', "data-overdue") == "1"
        assert page.evaluate("window.KOMANDO_CONSOLE.drawn()") == {"incidents": 4, "units": 4}

        # A report from another client arrives, live.
        ticket = post_open311(
            system,
            service_code="SAMPAH",
            lat=str(SUKARASA[0]),
            long=str(SUKARASA[1]),
            description="Sampah menumpuk di depan pasar, sudah tiga hari tidak diangkut.",
            address_string="Jl. Kisamaun, depan Pasar Lama",
        )
        row = f'#queue [data-ticket="{ticket}"]'
        page.wait_for_selector(row, timeout=15_000)
        page.wait_for_function("window.KOMANDO_CONSOLE.drawn().incidents === 5")
        tickets = queue_tickets(page)
        assert tickets[0] == samples["overdue"] and ticket in tickets and len(tickets) == 5
        page.screenshot(path=str(SCREENSHOTS / "konsol-queue.png"))

        # Select it, verify it.
        page.locator(row).click()
        page.wait_for_selector(f'#detail-body[data-ticket="{ticket}"]')
        page.locator('[data-action="transition"][data-status="diverifikasi"]').click()
        page.wait_for_selector('#detail-status[data-status="diverifikasi"]')
        page.wait_for_selector(f'{row}[data-status="diverifikasi"]')

        # Recommended: DLH's trucks nearest first, the stale one last, Satpol PP's officer not at all.
        units = people["units"]
        listed = page.eval_on_selector_all(
            "#recommended-units > li", "rows => rows.map(row => [Number(row.dataset.unit), row.dataset.stale])"
        )
        assert listed == [[units["near"], "0"], [units["far"], "0"], [units["stale"], "1"]]
        page.locator(f'[data-action="dispatch"][data-unit="{units["near"]}"]').click()
        page.wait_for_selector('#detail-status[data-status="ditugaskan"]')
        page.wait_for_selector('[data-dispatch][data-status="dispatched"]')
        page.wait_for_selector(f'{row}[data-status="ditugaskan"]')

        # An SOP step ticked with a note, and a comment.
        wait_until_live_settles(page)
        page.fill("input[name=checklist-note]", "Lokasi dicek lewat CCTV")
        first_step = page.get_attribute(".checklist li[data-step]", "data-step")
        page.locator(f'.checklist li[data-step="{first_step}"] [data-action="checklist"]').click()
        page.wait_for_selector(f'.checklist li.done[data-step="{first_step}"]')
        wait_until_live_settles(page)
        page.fill('[data-form="comment"] input[name=text]', "Truk DLH 21 menuju lokasi")
        page.locator('[data-form="comment"] button[type=submit]').click()
        page.wait_for_selector('#timeline li[data-kind="comment"]')

        kinds = page.eval_on_selector_all("#timeline li", "rows => rows.map(row => [row.dataset.kind, row.dataset.to])")
        assert {"report", "transition", "assignment", "checklist", "comment"} <= {kind for kind, _to in kinds}, kinds
        assert ["transition", "diverifikasi"] in kinds, kinds
        assert page.locator(f'.checklist li[data-step="{first_step}"] .comment').inner_text() == "Lokasi dicek lewat CCTV"

        # A step taken in another session (a second console) reaches the open incident's timeline, live.
        other_context, other = new_page(browser)
        log_in(other, system)
        incident_id = page.evaluate("window.KOMANDO_CONSOLE.state.detail.id")
        escalations = page.locator('#timeline li[data-kind="escalation"]').count()
        api_step(system, other, incident_id, "escalate", {"comment": "Tumpukan makin tinggi"})
        page.wait_for_function(
            f"document.querySelectorAll('#timeline li[data-kind=\"escalation\"]').length === {escalations + 1}"
        )
        page.wait_for_selector(f"{row} .escalated")
        page.evaluate("document.getElementById('detail').scrollTop = 0")
        page.screenshot(path=str(SCREENSHOTS / "konsol-detail.png"))
        page.locator("#timeline").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "konsol-timeline.png"))

        # Another incident rejected elsewhere leaves the queue (and the map), live.
        calm = samples["calm"][0]
        calm_id = int(page.get_attribute(f'#queue [data-ticket="{calm}"]', "data-id"))
        api_step(system, other, calm_id, "transition", {"status": "ditolak", "reason": "Bukan kewenangan kota"})
        page.wait_for_selector(f'#queue [data-ticket="{calm}"]', state="detached")
        page.wait_for_function("window.KOMANDO_CONSOLE.drawn().incidents === 4")

        # On a laptop the three panels still sit side by side, none covering another.
        page.set_viewport_size({"width": 1366, "height": 768})
        boxes = [page.locator(selector).bounding_box() for selector in (".console-queue", ".console-map", ".console-detail")]
        assert all(box["width"] > 300 and box["height"] > 500 for box in boxes), boxes
        assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"] and boxes[1]["x"] + boxes[1]["width"] <= boxes[2]["x"]
        page.screenshot(path=str(SCREENSHOTS / "konsol-laptop.png"))

        assert page.evaluate("window.pageMarker") == "kept"
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        assert page.locator("#connection").get_attribute("data-state") == "live"
        assert page.locator("#detail-error").is_hidden()
        assert not page.errors, page.errors
        other_context.close()
    finally:
        context.close()

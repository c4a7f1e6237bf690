"""A field officer on a phone (390×844, touch) in Debian's Chromium, with the network switched off and
on: the app opens offline (service worker), every update is queued on the phone, nothing reaches
the server while offline, and once the network is back the queue drains with exactly one row per
update, even when the same updates are sent again.

Real parts: `komando serve` (ASGI) on a free port with a fresh SQLite database and the city's
reference data; the officer, their unit and a dispatched incident are set up through the real
actions (``komando.incidents.field.tests.setup``)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from komando.incidents.field.tests import setup
from komando.tests.browser import PHONE, SCREENSHOTS, open_context

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def system(live_system):
    return live_system(seed=setup.set_up_field_task)


@pytest.fixture(scope="module")
def phone(system, browser):
    context, page = open_context(browser, PHONE, phone=True, device_scale_factor=2, service_workers="allow")
    try:
        yield context, page
    finally:
        context.close()


def rows(system, sql: str, *params) -> list[tuple]:
    return system.query(sql, *params)


def server_state(system, dispatch: int) -> dict:
    return {
        "steps": [
            row[0]
            for row in rows(
                system, "SELECT status FROM incidents_dispatchstatuschange WHERE dispatch_id = ? ORDER BY id", dispatch
            )
        ],
        "photos": rows(system, "SELECT kind FROM incidents_incidentphoto WHERE dispatch_id = ?", dispatch),
        "incident": rows(
            system,
            "SELECT i.status FROM incidents_incident i JOIN incidents_dispatch d ON d.incident_id = i.id WHERE d.id = ?",
            dispatch,
        )[0][0],
    }


def small_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (60, 140, 90)).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def queue_count(page) -> int:
    return int(page.locator("#queue-count").inner_text())


def test_an_officer_works_offline_and_the_queue_syncs_once_the_network_is_back(system, phone):
    context, page = phone
    task = system.seeded
    dispatch = task["dispatch"]
    card = f'[data-dispatch="{dispatch}"]'

    page.goto(system.base_url + "/petugas/")
    assert "/akun/masuk/" in page.url
    page.fill("#id_username", task["officer"])
    page.fill("#id_password", task["password"])
    page.click("button[type=submit].primary-button")
    page.wait_for_url(system.base_url + "/petugas/", wait_until="domcontentloaded")
    page.wait_for_selector(card)
    assert page.locator(card).get_attribute("data-status") == "dispatched"
    assert task["ticket"] in page.locator(card).inner_text()
    assert page.locator(f"{card} .sop-steps li").count() > 0
    assert page.locator("#queue").get_attribute("data-count") == "0"
    # The service worker controls the page and has kept the shell and the task list.
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    page.evaluate("window.KOMANDO_FIELD.refreshTasks()")  # through the worker: it keeps this copy
    page.wait_for_function("caches.has('komando-field-data')")
    manifest = page.evaluate("fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())")
    assert (manifest["start_url"], manifest["display"]) == ("/petugas/", "standalone")
    assert fits_the_screen(page)
    page.screenshot(path=str(SCREENSHOTS / "petugas-tasks.png"), full_page=True)

    # No network: the app still opens, from the service worker.
    context.set_offline(True)
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector(card)
    page.wait_for_function("document.getElementById('sync').dataset.state === 'offline'")
    assert page.locator("#tasks-cached").is_visible()

    page.locator(f'{card} [data-step="en_route"]').tap()
    page.wait_for_function("document.getElementById('queue-count').textContent === '1'")
    page.locator(f'{card} [data-step="on_scene"]').tap()
    page.locator(f'{card} input[data-photo-kind="after"]').set_input_files(
        {"name": "sesudah.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}
    )
    page.wait_for_function(f"document.querySelector('{card} .task-photos').dataset.after === '1'")
    page.locator(f"{card} textarea").fill("Sampah sudah diangkut, lokasi disapu")
    page.locator(f'{card} [data-step="done"]').tap()
    page.wait_for_selector(f'{card}[data-status="done"] [data-step="resolve"]:not([disabled])')
    page.locator(f'{card} [data-step="resolve"]').tap()
    page.wait_for_function("document.getElementById('queue-count').textContent === '5'")
    assert page.locator("#queue").is_visible()
    assert page.locator(card).get_attribute("data-pending") == "5"
    assert page.locator("#sync").get_attribute("data-state") == "offline"
    queued = page.evaluate("window.KOMANDO_FIELD.readQueue()")
    assert [(item["type"], item.get("status") or item.get("kind", "")) for item in queued] == [
        ("step", "en_route"),
        ("step", "on_scene"),
        ("photo", "after"),
        ("step", "done"),
        ("resolve", ""),
    ]
    assert len({item["client_ref"] for item in queued}) == 5
    # Nothing reached the server.
    assert server_state(system, dispatch) == {"steps": ["dispatched"], "photos": [], "incident": "ditugaskan"}
    assert fits_the_screen(page)
    page.screenshot(path=str(SCREENSHOTS / "petugas-offline-queue.png"), full_page=True)

    # The network is back: the queue drains, in order, once.
    context.set_offline(False)
    page.wait_for_function("document.getElementById('queue-count').textContent === '0'", timeout=30_000)
    page.wait_for_function("document.getElementById('sync').dataset.state === 'synced'")
    page.wait_for_selector(f'{card}[data-status="done"][data-incident-status="selesai"]', timeout=15_000)
    assert page.locator("#queue").is_hidden() and page.locator("#refusals").is_hidden()
    assert server_state(system, dispatch) == {
        "steps": ["dispatched", "en_route", "on_scene", "done"],
        "photos": [("after",)],
        "incident": "selesai",
    }
    refs = {row[0] for row in rows(system, "SELECT client_ref FROM incidents_dispatchstatuschange WHERE client_ref IS NOT NULL")}
    assert refs == {item["client_ref"] for item in queued if item["type"] == "step"}
    assert page.locator(f"{card} .task-finished").get_attribute("data-resolved") == "1"
    assert fits_the_screen(page)
    page.screenshot(path=str(SCREENSHOTS / "petugas-synced.png"), full_page=True)

    # The same updates sent again (an answer lost on the way): the server answers with what it stored.
    # (The queue's photo Blob does not cross to Python: the page makes another JPEG with the same id.)
    answers = page.evaluate(
        """async (queued) => {
        const token = document.cookie.split('; ').find((c) => c.startsWith('csrftoken=')).split('=')[1];
        const answers = [];
        const paths = {step: 'steps', photo: 'photos', resolve: 'resolve'};
        for (const item of queued) {
            const url = `/petugas/api/dispatches/${item.dispatch}/${paths[item.type]}/`;
            let body;
            const headers = {'X-CSRFToken': token};
            if (item.type === 'photo') {
                body = new FormData();
                body.append('client_ref', item.client_ref);
                body.append('kind', item.kind);
                const canvas = Object.assign(document.createElement('canvas'), {width: 32, height: 24});
                body.append('photo', await new Promise((done) => canvas.toBlob(done, 'image/jpeg')), 'sesudah.jpg');
            } else {
                headers['Content-Type'] = 'application/json';
                body = JSON.stringify({client_ref: item.client_ref, status: item.status, note: item.note});
            }
            const response = await fetch(url, {method: 'POST', headers, body});
            answers.push([response.status, (await response.json()).repeat]);
        }
        return answers;
    }""",
        queued,
    )
    assert answers == [[200, True]] * 5
    assert server_state(system, dispatch) == {
        "steps": ["dispatched", "en_route", "on_scene", "done"],
        "photos": [("after",)],
        "incident": "selesai",
    }
    assert rows(system, "SELECT count(*) FROM incidents_timelineentry WHERE to_status = 'selesai'") == [(1,)]
    assert not page.errors, page.errors


def test_an_update_the_server_refuses_is_shown_and_dropped(system, phone):
    """The command room cancels the unit's task while the officer is offline: the queued step is
    refused, shown to the officer and taken off the queue (not retried forever)."""
    context, page = phone
    second = system.call(setup.set_up_field_task, address="Jl. Perintis Kemerdekaan")
    dispatch = second["dispatch"]
    card = f'[data-dispatch="{dispatch}"]'
    page.goto(system.base_url + "/petugas/")
    page.wait_for_selector(card)
    context.set_offline(True)
    page.locator(f'{card} [data-step="en_route"]').tap()
    page.wait_for_function("document.getElementById('queue-count').textContent === '1'")
    system.komando(
        "shell",
        "-c",
        (
            "from django.contrib.auth.models import User;"
            "from komando.incidents.models import Dispatch;"
            "from komando.incidents.actions.dispatch import do_update_dispatch;"
            f"do_update_dispatch(Dispatch.objects.get(pk={dispatch}), 'cancelled',"
            " acting_user=User.objects.get(username='operator-uji'), note='Unit lain lebih dekat')"
        ),
    )
    page.errors.clear()
    context.set_offline(False)
    page.wait_for_selector('#refusals .refusal[data-error="dispatch_refused"]', timeout=30_000)
    page.wait_for_function("document.getElementById('queue-count').textContent === '0'")
    page.wait_for_selector(f'{card}[data-status="cancelled"]')
    assert server_state(system, dispatch)["steps"] == ["dispatched", "cancelled"]
    assert second["ticket"] in page.locator("#refusals").inner_text()
    page.locator("#refusals .refusal button").tap()
    page.wait_for_selector("#refusals", state="hidden")
    assert page.evaluate("window.KOMANDO_FIELD.readQueue()") == []
    # The browser logs the refused request (400) itself; nothing else went wrong.
    assert all("400" in error for error in page.errors), page.errors

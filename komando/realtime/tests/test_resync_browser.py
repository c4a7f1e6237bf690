"""Every live screen catches up by itself after the server dies: seven pages (PIS, video wall, console,
operator map, alerts, situation room, development watch) open in one Chromium against one
`komando serve` on a fresh SQLite database. The server is killed (SIGKILL: no goodbye to the
WebSockets), something changes for every page in another process while it is down (so no live event
can announce it), the server starts again on the same port and database, and each page shows the
change without a reload: the shared live bus (komando/static/komando/live.js) reconnects with backoff
and runs the page's resync, which reads its state again over HTTP. Started again with another build id
(a new deployment), every page reloads itself. Screenshots var/screenshots/resync-*.png."""

from __future__ import annotations

import json
import os
import signal

import pytest

from komando.tests.browser import SCREENSHOTS, open_context, watch
from komando.tests.live import LiveSystem

pytestmark = pytest.mark.browser

SCREEN = {"width": 1600, "height": 1000}
PASSWORD = "komando-resync-2026"
OPERATOR = "operator-resync"
NOTE = "Catatan selama server mati: pompa Kali Sabi dinyalakan."
RISEN_GAUGE, RISEN_LEVEL = "wall-gauge-2", 2.25  # Pos Kali Sabi, past siaga 3 (2.0 m)
PIS_SOURCE = "banjir"  # its first successful run happens while the server is down


# ---------- run in the server's database (another process: `komando shell`) ----------


def seed() -> dict:
    """An operator (who may see every page), open incidents, field units, water gauges, e-Monev's
    August report, an open situation-room session, and the alert rules evaluated once."""
    from django.db import transaction

    from komando.alerts.actions import do_evaluate_rules
    from komando.development.tests import browser_setup as development
    from komando.incidents.console.tests.setup import add_operator, open_sample_incidents
    from komando.situation.actions import do_open_session
    from komando.wall.tests import browser_setup as wall

    operator = add_operator(OPERATOR, PASSWORD)
    with transaction.atomic():
        open_sample_incidents()
    wall._units(wall.UNITS)
    wall._gauges()
    development.set_up()
    session = do_open_session("Siaga banjir Cisadane", acting_user=operator)
    do_evaluate_rules()
    return {"session": session.pk}


def change_while_down(session_id: int) -> dict:
    """One change for every page, none of which any open page can hear of (the server is down)."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from komando.development.tests import browser_setup as development
    from komando.situation.actions import do_add_note
    from komando.situation.models import Session
    from komando.sources.actions import do_record_run_success
    from komando.sources.models import Source
    from komando.wall.tests import browser_setup as wall

    ticket = wall.report_incident("Pohon tumbang saat server mati, jalan tertutup.")  # console, wall
    raised = wall.raise_gauge(RISEN_GAUGE, RISEN_LEVEL)  # operator map, alerts
    development.store_next_month(9)  # development watch
    do_add_note(Session.objects.get(pk=session_id), NOTE, acting_user=User.objects.get(username=OPERATOR))
    do_record_run_success(
        Source.objects.get(slug=PIS_SOURCE), started_at=timezone.now(), records=1, data_as_of=timezone.now()
    )  # the PIS's source strip
    return {"ticket": ticket, "raised": raised}


# ---------- the system ----------


@pytest.fixture(scope="module")
def system(live_system):
    # Only the server: no ingest, no workers (every change comes from the test). The build id is
    # fixed: the default (git commit + page files) moves whenever anyone commits meanwhile.
    return live_system(seed=seed, env={"KOMANDO_BUILD_ID": "resync-test-build"})


def kill_server(system: LiveSystem) -> None:
    """SIGKILL: the process dies at once, its sockets are reset, nothing is flushed or closed."""
    process = system.processes.pop("server")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def pages_of(system: LiveSystem) -> dict[str, str]:
    return {
        "pis": "/",
        "wall": "/dinding/utama/1/",
        "console": "/konsol/",
        "map": "/peta/",
        "alerts": "/peringatan/",
        "situation": f"/ruang/{system.seeded['session']}/",
        "development": "/pembangunan/",
    }


BUS = "window.KOMANDO_BUS"  # the live bus of a page (live.js): state, connections, reconnections, resyncs, build


def wait_on_every_page(pages: dict, condition: str, timeout: float) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for name, page in pages.items():
        try:
            page.wait_for_function(condition, timeout=timeout)
        except PlaywrightTimeout:
            pytest.fail(f"{name}: `{condition}` not true within {timeout} ms; bus: {page.evaluate(BUS)}", pytrace=False)


def test_every_page_resynchronises_by_itself_after_the_server_is_killed(system, browser):
    # Console errors are expected here (the WebSocket fails while the server is down); exceptions are not.
    context, login = open_context(browser, SCREEN, console_errors=False)
    try:
        login.goto(f"{system.base_url}/akun/masuk/")
        login.fill("#id_username", OPERATOR)
        login.fill("#id_password", PASSWORD)
        login.locator("button[type=submit].primary-button").click()
        login.wait_for_url(f"{system.base_url}/", wait_until="domcontentloaded")
        login.close()

        pages = {}
        for name, path in pages_of(system).items():
            page = watch(context.new_page(), console_errors=False)
            page.goto(system.base_url + path, wait_until="domcontentloaded")
            pages[name] = page
        wait_on_every_page(pages, f"{BUS} && {BUS}.state === 'live' && {BUS}.build === 'resync-test-build'", 30_000)
        for page in pages.values():
            page.evaluate("window.pageMarker = 'kept'")  # gone if the page ever reloads

        # What each page shows before.
        wall_open = int(pages["wall"].inner_text(".panel-incidents .figure-value"))
        assert pages["pis"].get_attribute(f"#source-list .source-chip[data-slug={PIS_SOURCE}]", "data-status") == "waiting"
        assert pages["development"].get_attribute("#dw-freshness [data-as-of]", "data-as-of") == "2026-08"
        assert NOTE not in pages["situation"].inner_text("#timeline")
        assert pages["alerts"].locator("#al-open .al-item:has-text('Pos Kali Sabi')").count() == 0

        kill_server(system)
        wait_on_every_page(pages, f"{BUS}.state !== 'live'", 20_000)
        changed = system.call(change_while_down, system.seeded["session"])
        assert changed["raised"] >= 1
        system.start_server()

        # No click, no reload: every page reconnects by itself and reads its state again.
        wait_on_every_page(pages, f"{BUS}.state === 'live' && {BUS}.reconnections >= 1 && {BUS}.resyncs >= 1", 90_000)
        ticket = changed["ticket"]
        pages["console"].wait_for_selector(f"#queue [data-ticket='{ticket}']", timeout=20_000)
        pages["wall"].wait_for_function(
            # the reported incident, and the one the risen gauge opened
            f"Number(document.querySelector('.panel-incidents .figure-value').textContent) >= {wall_open + 1}",
            timeout=20_000,
        )
        pages["map"].wait_for_function(
            "[...document.querySelectorAll('#opmap-gauges tbody tr')].some((row) => row.innerText.includes('Pos Kali Sabi')"
            " && /2[.,]25/.test(row.innerText))",
            timeout=20_000,
        )
        pages["alerts"].wait_for_selector("#al-open .al-item:has-text('Pos Kali Sabi')", timeout=20_000)
        pages["situation"].wait_for_function(
            f"document.getElementById('timeline').innerText.includes({json.dumps(NOTE)})", timeout=20_000
        )
        pages["development"].wait_for_function(
            "document.querySelector('#dw-freshness [data-as-of]').dataset.asOf === '2026-09'", timeout=20_000
        )
        pages["pis"].wait_for_selector(f"#source-list .source-chip[data-slug={PIS_SOURCE}][data-status=ok]", timeout=20_000)

        for name, page in pages.items():
            assert page.evaluate("window.pageMarker") == "kept", f"{name} reloaded"
            page.screenshot(path=str(SCREENSHOTS / f"resync-{name}.png"))
        assert {name: page.errors for name, page in pages.items() if page.errors} == {}

        # A new deployment (another build id in the server's hello): every page reloads itself.
        kill_server(system)
        wait_on_every_page(pages, f"{BUS}.state !== 'live'", 20_000)
        system.start_server(KOMANDO_BUILD_ID="resync-new-build")
        wait_on_every_page(
            pages,
            f"window.pageMarker === undefined && {BUS} && {BUS}.state === 'live' && {BUS}.build === 'resync-new-build'",
            90_000,
        )
        assert {name: page.errors for name, page in pages.items() if page.errors} == {}
    except BaseException:
        for name, page in locals().get("pages", {}).items():  # what each page showed when it failed
            page.screenshot(path=str(SCREENSHOTS / f"resync-failed-{name}.png"))
        raise
    finally:
        context.close()

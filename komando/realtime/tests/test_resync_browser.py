"""Every live screen catches up by itself after the server dies: seven pages (PIS, video wall, console,
operator map, alerts, situation room, development watch) open in one Chromium against one
`komando serve` on a fresh SQLite database. The server is killed (SIGKILL: no goodbye to the
WebSockets), something changes for every page in another process while it is down (so no live event
can announce it), the server starts again on the same port and database, and each page shows the
change without a reload: the shared live bus (komando/static/komando/live.js) reconnects with backoff
and runs the page's resync, which reads its state again over HTTP. Screenshots var/screenshots/resync-*.png.

Built on the PIS browser test's ``System`` (the shared ``live_system`` fixture had not landed yet)."""

from __future__ import annotations

import json
import os
import signal

import pytest

from komando.dashboard.tests.test_pis_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, System, free_port, wait_for_http

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
    result = {"session": session.pk}
    print(json.dumps(result))
    return result


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
    do_record_run_success(Source.objects.get(slug=PIS_SOURCE), started_at=timezone.now(), records=1,
                          data_as_of=timezone.now())  # the PIS's source strip
    result = {"ticket": ticket, "raised": raised}
    print(json.dumps(result))
    return result


# ---------- the system and the browser ----------

@pytest.fixture(scope="module")
def system(tmp_path_factory):
    directory = tmp_path_factory.mktemp("resync-system")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KOMANDO_")}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "komando.settings", "SQLITE_PATH": str(directory / "db.sqlite3"),
                "KOMANDO_VAR_DIR": str(directory / "var"), "PYTHONUNBUFFERED": "1",
                "KOMANDO_INGEST_IN_PROCESS": "0", "KOMANDO_ESCALATION_IN_PROCESS": "0",
                "KOMANDO_DAILY_REPORT_IN_PROCESS": "0", "KOMANDO_ALERTS_IN_PROCESS": "0",
                # fixed: the default (git commit + page files) would move with a commit made meanwhile
                "KOMANDO_BUILD_ID": "resync-test-build"})
    port = free_port()
    running = System(base_url=f"http://127.0.0.1:{port}", directory=directory, env=env, simulator_ports={})
    running.port = port
    try:
        running.komando("migrate", "--noinput", "-v0")
        running.komando("load-reference-data")
        output = running.komando("shell", "-c", "from komando.realtime.tests.test_resync_browser import seed; seed()")
        running.seeded = json.loads(output.strip().splitlines()[-1])
        start_server(running)
        yield running
    finally:
        running.stop_all()


def start_server(system: System) -> None:
    server = system.start("server", "serve", "--port", str(system.port), "--no-ingest")
    wait_for_http(system.base_url + "/akun/masuk/", server, system.log("server"), timeout=60)


def kill_server(system: System) -> None:
    """SIGKILL: the process dies at once, its sockets are reset, nothing is flushed or closed."""
    process = system.processes.pop("server")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


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


def pages_of(system: System) -> dict[str, str]:
    return {"pis": "/", "wall": "/dinding/utama/1/", "console": "/konsol/", "map": "/peta/",
            "alerts": "/peringatan/", "situation": f"/ruang/{system.seeded['session']}/",
            "development": "/pembangunan/"}


BUS = "window.KOMANDO_BUS"  # the live bus of a page (live.js): state, connections, reconnections, resyncs, build


def wait_on_every_page(pages: dict, condition: str, timeout: float) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for name, page in pages.items():
        try:
            page.wait_for_function(condition, timeout=timeout)
        except PlaywrightTimeout:
            pytest.fail(f"{name}: `{condition}` not true within {timeout} ms; bus: {page.evaluate(BUS)}", pytrace=False)


def test_every_page_resynchronises_by_itself_after_the_server_is_killed(system, browser):
    context = browser.new_context(viewport=SCREEN, locale="id-ID", timezone_id="Asia/Jakarta")
    errors: list[str] = []
    try:
        login = context.new_page()
        login.goto(f"{system.base_url}/akun/masuk/")
        login.fill("#id_username", OPERATOR)
        login.fill("#id_password", PASSWORD)
        login.locator("button[type=submit].primary-button").click()
        login.wait_for_url(f"{system.base_url}/", wait_until="domcontentloaded")
        login.close()

        pages = {}
        for name, path in pages_of(system).items():
            page = context.new_page()
            page.on("pageerror", lambda error, name=name: errors.append(f"{name}: {error}"))
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
        output = system.komando("shell", "-c", (
            "from komando.realtime.tests.test_resync_browser import change_while_down; "
            f"change_while_down({system.seeded['session']})"))
        changed = json.loads(output.strip().splitlines()[-1])
        assert changed["raised"] >= 1
        start_server(system)

        # No click, no reload: every page reconnects by itself and reads its state again.
        wait_on_every_page(pages, f"{BUS}.state === 'live' && {BUS}.reconnections >= 1 && {BUS}.resyncs >= 1", 90_000)
        ticket = changed["ticket"]
        pages["console"].wait_for_selector(f"#queue [data-ticket='{ticket}']", timeout=20_000)
        pages["wall"].wait_for_function(
            # the reported incident, and the one the risen gauge opened
            f"Number(document.querySelector('.panel-incidents .figure-value').textContent) >= {wall_open + 1}",
            timeout=20_000)
        pages["map"].wait_for_function(
            "[...document.querySelectorAll('#opmap-gauges tbody tr')].some((row) => row.innerText.includes('Pos Kali Sabi')"
            " && /2[.,]25/.test(row.innerText))", timeout=20_000)
        pages["alerts"].wait_for_selector("#al-open .al-item:has-text('Pos Kali Sabi')", timeout=20_000)
        pages["situation"].wait_for_function(f"document.getElementById('timeline').innerText.includes({json.dumps(NOTE)})",
                                             timeout=20_000)
        pages["development"].wait_for_function(
            "document.querySelector('#dw-freshness [data-as-of]').dataset.asOf === '2026-09'", timeout=20_000)
        pages["pis"].wait_for_selector(f"#source-list .source-chip[data-slug={PIS_SOURCE}][data-status=ok]", timeout=20_000)

        for name, page in pages.items():
            assert page.evaluate("window.pageMarker") == "kept", f"{name} reloaded"
            page.screenshot(path=str(SCREENSHOTS / f"resync-{name}.png"))
        assert errors == []
    except BaseException:
        for name, page in locals().get("pages", {}).items():  # what each page showed when it failed
            page.screenshot(path=str(SCREENSHOTS / f"resync-failed-{name}.png"))
        raise
    finally:
        context.close()
        if "server" not in system.processes:
            start_server(system)

"""The video wall in Chromium against the real system: `komando serve` (ASGI, WebSocket) on a fresh
SQLite database with the city's reference data, Redis as the channel layer (so that changes made by
another process reach the page, as from a worker), the ATCS simulator for camera pictures, and
something for every panel (``komando.wall.tests.browser_setup``).

The single-screen wall at 3840×2160 and 1920×1080 fills every panel without a scrollbar; each screen
of the 2 × 2 wall too; an incident reported and a unit that moved in another process appear without
a reload; and after the server is stopped and started again on the same port, the page reconnects
by itself and shows what changed while it was down (a new build makes it reload itself).
Screenshots docs/screenshots/dinding-*.png."""

from __future__ import annotations

import json

import pytest

from komando.tests.browser import SCREENSHOTS, open_context
from komando.wall.tests import browser_setup

pytestmark = pytest.mark.browser

FULL_HD = {"width": 1920, "height": 1080}
UHD = {"width": 3840, "height": 2160}
PANELS_OF_SCREEN = {1: 1, 2: 4, 3: 1, 4: 3}  # the 2 × 2 wall: visible panels per screen


@pytest.fixture(scope="module")
def system(live_system):
    # The build id is fixed: the default (git commit + page files) moves whenever anyone commits meanwhile.
    return live_system(seed=browser_setup.set_up, simulators=["atcs"], redis=True, env={"KOMANDO_BUILD_ID": "wall-test-build"})


def open_wall(browser, system, path: str, viewport: dict):
    context, page = open_context(browser, viewport, console_errors=False)
    page.goto(f"{system.base_url}/akun/masuk/?next={path}")
    page.fill("#id_username", system.seeded["username"])
    page.fill("#id_password", system.seeded["password"])
    page.locator("button[type=submit].primary-button").click()
    page.wait_for_url(f"{system.base_url}{path}", wait_until="domcontentloaded")
    page.wait_for_function("window.KOMANDO_WALL && window.KOMANDO_WALL.status().resyncs >= 1", timeout=30_000)
    return context, page


VISIBLE_PANELS = """() => [...document.querySelectorAll('.panel')].filter((n) => !n.closest('[hidden]') && !n.hidden)"""


def wait_until_filled(page, expected: int) -> None:
    """Every visible panel drawn from data, camera pictures loaded (or their placeholder)."""
    page.wait_for_function(
        f"({VISIBLE_PANELS})().every((n) => n.dataset.filled === '1') && ({VISIBLE_PANELS})().length === {expected}",
        timeout=30_000,
    )
    page.wait_for_function("[...document.querySelectorAll('.camera')].every((c) => c.dataset.picture)", timeout=30_000)


def panel_report(page) -> list[dict]:
    return page.evaluate(f"""() => ({VISIBLE_PANELS})().map((n) => {{
        const body = n.querySelector('[data-role=body]');
        const box = n.getBoundingClientRect();
        return {{panel: n.dataset.panel, text: body.innerText.trim(), children: body.childElementCount,
                 meta: n.querySelector('[data-role=meta]').innerText, width: box.width, height: box.height,
                 inside: box.right <= innerWidth + 0.5 && box.bottom <= innerHeight + 0.5}};
    }})""")


def assert_no_scrollbars(page) -> None:
    size = page.evaluate("""() => ({sh: document.documentElement.scrollHeight, sw: document.documentElement.scrollWidth,
        ih: innerHeight, iw: innerWidth, bh: document.body.scrollHeight, bw: document.body.scrollWidth})""")
    assert size["sh"] <= size["ih"] and size["sw"] <= size["iw"], size
    assert size["bh"] <= size["ih"] and size["bw"] <= size["iw"], size


def open_incidents(page) -> int:
    text = page.locator(".panel-incidents .figure-value").first.inner_text()
    return int(text.replace(".", "").replace(",", ""))


@pytest.mark.parametrize(("viewport", "name"), [(UHD, "dinding-3840x2160.png"), (FULL_HD, "dinding-1920x1080.png")])
def test_the_single_screen_wall_fills_every_panel_without_scrollbars(system, browser, viewport, name):
    context, page = open_wall(browser, system, "/dinding/utama/1/", viewport)
    try:
        wait_until_filled(page, 9)
        assert_no_scrollbars(page)
        panels = {row["panel"]: row for row in panel_report(page)}
        assert set(panels) == {"map", "incidents", "cameras", "sources", "water", "complaints", "development", "clock", "alerts"}
        for row in panels.values():
            assert row["children"] > 0 and row["inside"], row
            assert row["meta"].startswith("Sumber:"), row  # every number with its source and freshness
        assert panels["complaints"]["text"].startswith("Persampahan")  # the most complaints first
        assert "Pos Pintu Air 10" in panels["water"]["text"] and "Siaga 2" in panels["water"]["text"]
        assert "WIB" in panels["clock"]["text"]
        assert open_incidents(page) >= 4  # the sample incidents, and the gauge at siaga's own
        assert page.locator('.camera[data-picture="1"]').count() == system.seeded["cameras"]
        assert page.locator(".panel-map .leaflet-interactive").count() > 10  # boundaries and markers drawn
        assert page.locator(".panel-development .row").count() > 0
        assert page.locator(".panel-sources .source-chip").count() > 5
        assert page.get_attribute("#connection", "data-state") == "live"
        page.screenshot(path=str(SCREENSHOTS / name))
        assert page.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_each_screen_of_the_four_screen_wall(system, browser, number):
    context, page = open_wall(browser, system, f"/dinding/empat-layar/{number}/", FULL_HD)
    try:
        wait_until_filled(page, PANELS_OF_SCREEN[number])
        assert_no_scrollbars(page)
        for row in panel_report(page):
            assert row["children"] > 0 and row["inside"], row
        page.screenshot(path=str(SCREENSHOTS / f"dinding-empat-layar-{number}.png"))
        if number == 3:  # two panel sets: the water levels follow the cameras after the rotation interval
            page.wait_for_function(
                "document.querySelector('.wall-set[data-set=\"0\"]').hidden && "
                "!document.querySelector('.wall-set[data-set=\"1\"]').hidden",
                timeout=40_000,
            )
            wait_until_filled(page, 1)
            assert "Pos Pintu Air 10" in page.inner_text(".panel-water")
            assert_no_scrollbars(page)
        assert page.errors == []
    finally:
        context.close()


def test_the_whole_four_screen_wall_as_one_canvas(system, browser):
    context, page = open_wall(browser, system, "/dinding/empat-layar/", UHD)
    try:
        wait_until_filled(page, sum(PANELS_OF_SCREEN.values()))
        assert_no_scrollbars(page)
        page.screenshot(path=str(SCREENSHOTS / "dinding-empat-layar-kanvas.png"))
    finally:
        context.close()


def test_an_incident_and_a_moving_unit_appear_live_without_reload(system, browser):
    context, page = open_wall(browser, system, "/dinding/utama/1/", FULL_HD)
    try:
        wait_until_filled(page, 9)
        page.evaluate("window.pageMarker = 'kept'")
        before = open_incidents(page)
        system.call(browser_setup.report_incident)
        page.wait_for_function(
            f"Number(document.querySelector('.panel-incidents .figure-value')?.textContent) === {before + 1}", timeout=20_000
        )
        unit_id = system.call(browser_setup.move_unit, "wall-truck-1", -6.2401, 106.6702)
        page.wait_for_function(
            f"JSON.stringify(window.KOMANDO_WALL.unitPosition({unit_id})) === JSON.stringify([-6.2401, 106.6702])", timeout=20_000
        )

        # A gauge rises to siaga 1 and the alert rules raise an alert: the water panel and the alerts
        # strip follow (devices.gauges, alerts.changed).
        alerts_before = page.locator(".panel-alerts .alert-row").count()
        figure_before = page.inner_text(".panel-alerts [data-role=figure]")
        assert system.call(browser_setup.raise_gauge, "wall-gauge-2", 3.2) >= 1
        page.wait_for_function(
            "document.querySelector('.panel-water [data-gauge]').innerText.includes('Pos Kali Sabi')"
            " && document.querySelector('.panel-water').innerText.includes('Siaga 1')",
            timeout=20_000,
        )
        page.wait_for_function(
            f"document.querySelector('.panel-alerts [data-role=figure]').innerText !== {json.dumps(figure_before)}",
            timeout=20_000,
        )
        assert "Pos Kali Sabi" in page.inner_text(".panel-alerts")
        assert alerts_before >= 1
        assert page.evaluate("window.pageMarker") == "kept"
        assert_no_scrollbars(page)
    finally:
        context.close()


def test_the_wall_resumes_by_itself_after_the_server_restarts(system, browser):
    context, page = open_wall(browser, system, "/dinding/utama/1/", FULL_HD)
    try:
        wait_until_filled(page, 9)
        page.evaluate("window.pageMarker = 'kept'")
        before = open_incidents(page)
        connections = page.evaluate("window.KOMANDO_WALL.status().connections")

        system.stop_server()
        page.wait_for_selector('#connection[data-state="offline"]', timeout=20_000)
        assert "Terputus" in page.inner_text("#connection")
        system.call(browser_setup.report_incident)
        system.start_server()

        # No click, no reload: the page reconnects, re-reads its state and shows the incident.
        page.wait_for_function(f"window.KOMANDO_WALL.status().connections > {connections}", timeout=60_000)
        page.wait_for_function(
            f"Number(document.querySelector('.panel-incidents .figure-value')?.textContent) === {before + 1}", timeout=20_000
        )
        assert page.get_attribute("#connection", "data-state") in ("reconnected", "live")
        assert page.evaluate("window.pageMarker") == "kept"  # same build: no reload needed

        # A new deployment (another build id): the page notices and reloads itself.
        system.stop_server()
        page.wait_for_selector('#connection[data-state="offline"]', timeout=20_000)
        system.call(browser_setup.report_incident)
        system.start_server(KOMANDO_BUILD_ID="wall-test-new-build")
        page.wait_for_function(
            "window.pageMarker === undefined && window.KOMANDO_WALL && "
            "window.KOMANDO_WALL.status().build === 'wall-test-new-build' && "
            "window.KOMANDO_WALL.status().resyncs >= 1",
            timeout=60_000,
        )
        wait_until_filled(page, 9)
        assert open_incidents(page) == before + 2
        assert_no_scrollbars(page)
    finally:
        context.close()
        if "server" not in system.processes:
            system.start_server()

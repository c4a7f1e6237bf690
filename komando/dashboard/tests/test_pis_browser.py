"""The PIS in Debian's Chromium, against the real system: every simulator, the connectors and the
ASGI server with its in-process ingest (``live_system``), every schedule sped up ten times
(KOMANDO_SCHEDULE_SCALE=0.1).
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import time
import warnings

import httpx
import pytest

from komando.accounts.models import Role
from komando.tests.browser import SCREENSHOTS, VIEWPORT, open_context
from komando.tests.live import LiveSystem
from komando.tests.seeds import add_user

pytestmark = pytest.mark.browser

SCHEDULE_SCALE = 0.1
FILL_TIMEOUT_SECONDS = 180  # fourteen sources share four ingest workers; e-Puskesmas reads the whole day first
USERNAME, PASSWORD = "kepala.dinas", "browser-test-" + secrets.token_urlsafe(8)


@pytest.fixture(scope="module")
def system(live_system) -> LiveSystem:
    return live_system(
        seed=functools.partial(add_user, USERNAME, PASSWORD, Role.EXECUTIVE, first_name="Kepala Dinas"),
        simulators="all",
        workers=True,
        env={
            "KOMANDO_SCHEDULE_SCALE": str(SCHEDULE_SCALE),
            "KOMANDO_EMONEV_USERNAME": "komando-browser",
            "KOMANDO_EMONEV_PASSWORD": secrets.token_urlsafe(16),
            "KOMANDO_EPUSKESMAS_CLIENT_ID": "komando-browser",
            "KOMANDO_EPUSKESMAS_CLIENT_SECRET": secrets.token_urlsafe(16),
            "KOMANDO_CALL_112_TARGET_URL": "{base_url}/api/webhooks/call-112/",
        },
    )


class WatchedPage:
    """A page with every console error and uncaught exception collected."""

    def __init__(self, browser, system: LiveSystem):
        # An English browser: the PIS must still speak Bahasa Indonesia until the person switches.
        self.context, self.page = open_context(browser, VIEWPORT, device_scale_factor=1, locale="en-US")
        self.errors: list[str] = self.page.errors
        self.system = system

    def open(self, path: str = "/"):
        self.page.goto(self.system.base_url + path, wait_until="domcontentloaded")
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser, system):
    pages: list[WatchedPage] = []

    def make() -> WatchedPage:
        pages.append(WatchedPage(browser, system))
        return pages[-1]

    yield make
    for page in pages:
        page.close()


WAITING_PANELS_JS = """() => [...document.querySelectorAll('.panel')]
    .filter(panel => /Menunggu data|Waiting for data/.test(panel.innerText))
    .map(panel => panel.id)"""


def wait_until_filled(page, system: LiveSystem, timeout: float = FILL_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    waiting: list[str] = []
    while time.monotonic() < deadline:
        waiting = page.evaluate(WAITING_PANELS_JS)
        if not waiting:
            return
        page.wait_for_timeout(500)
    live = page.evaluate("() => window.KOMANDO_LIVE")
    pytest.fail(
        f"panels still waiting for data after {timeout} s: {waiting}\nlive events: {live}\n{system.diagnostics()}", pytrace=False
    )


# Everything on screen is whole: no scrolling, no list row or figure cut off by its panel or tile.
LAYOUT_JS = """() => {
    const clipped = [];
    document.querySelectorAll('.panel, .tile').forEach(box => {
        const outer = box.getBoundingClientRect();
        box.querySelectorAll('li, tr, .kpi, .tile-headline, .tile-figure, .tile-note, canvas').forEach(item => {
            if (item.closest('[hidden]')) return;
            const inner = item.getBoundingClientRect();
            if (inner.height && (inner.bottom > outer.bottom + 0.5 || inner.right > outer.right + 0.5))
                clipped.push(`${box.id}: ${item.innerText.slice(0, 30)}`);
        });
    });
    const root = document.documentElement;
    return {clipped, scrolls: root.scrollHeight > innerHeight || root.scrollWidth > innerWidth};
}"""


def assert_fits_the_screen(page) -> None:
    layout = page.evaluate(LAYOUT_JS)
    assert layout == {"clipped": [], "scrolls": False}


def visible_tile_keys(system: LiveSystem, staff: bool) -> list[str]:
    """What the server's tiles say a viewer may see now (read from the system's own database)."""
    output = system.komando(
        "shell",
        "-c",
        (
            "import json\nfrom komando.dashboard.tiles import visible_tiles\n"
            f"print(json.dumps([tile['key'] for tile in visible_tiles({staff})]))"
        ),
    )
    return json.loads(output.strip().splitlines()[-1])


def wait_for_tiles(page, system: LiveSystem, staff: bool, timeout: float = FILL_TIMEOUT_SECONDS) -> list[str]:
    """Wait until the page shows every tile the server would show, in its order (tiles come with the
    sources' first runs, live). A tile whose domain never sent it live shows after a reload: that is
    the domain's missing ``publish_tile`` call, reported as a warning, not this page's failure."""
    deadline = time.monotonic() + timeout
    shown: list[str] = []
    expected: list[str] = []
    tiles_js = "() => [...document.querySelectorAll('#tile-grid .tile[data-tile]')].map(t => t.dataset.tile)"
    while time.monotonic() < deadline:
        expected = visible_tile_keys(system, staff)
        shown = page.evaluate(tiles_js)
        if "hazards" in expected and shown == expected:
            return shown
        page.wait_for_timeout(1000)
    if "hazards" not in shown or any(key not in expected for key in shown):
        pytest.fail(f"tiles on screen {shown}, expected {expected}\n{system.diagnostics()}", pytrace=False)
    warnings.warn(
        f"tiles never sent live (no publish_tile after their first data?): {sorted(set(expected) - set(shown))}", stacklevel=2
    )
    page.reload(wait_until="domcontentloaded")
    wait_until_filled(page, system)
    expected = visible_tile_keys(system, staff)
    page.wait_for_function(
        "(keys) => [...document.querySelectorAll('#tile-grid .tile[data-tile]')].map(t => t.dataset.tile).join() === keys.join()",
        arg=expected,
        timeout=10_000,
    )
    return expected


def wait_for_camera_pictures(page) -> None:
    page.wait_for_function(
        """() => {
        const images = [...document.querySelectorAll('#camera-grid .camera:not(.offline) img')];
        return images.length > 0 && images.every(img => img.complete && img.naturalWidth > 0);
    }""",
        timeout=20_000,
    )


def log_in(page, system: LiveSystem) -> None:
    page.goto(system.base_url + "/akun/masuk/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary-button")
    page.wait_for_url(system.base_url + "/", wait_until="domcontentloaded")


def test_every_panel_fills_without_console_errors(system, watched):
    watched_page = watched()
    page = watched_page.open("/")
    assert page.locator("html").get_attribute("lang") == "id"
    wait_until_filled(page, system)
    wait_for_camera_pictures(page)
    # The figures are real numbers in Indonesian format, and the sources are named.
    assert page.locator("#population-total").inner_text().replace(".", "").isdigit()
    assert int(page.locator("#population-total").inner_text().replace(".", "")) > 1_000_000
    # The e-Puskesmas panel shows what the API says about today (before the puskesmas open at
    # 07:30 WIB there are no visits yet, and the panel says so instead of waiting).
    today = httpx.get(f"{system.base_url}/api/health/today/", timeout=10).json()
    page.wait_for_function(
        "(n) => document.querySelectorAll('#health-diagnoses li').length === n", arg=len(today["top_diagnoses"]), timeout=15_000
    )
    assert page.locator("#health-drugs li").count() == len(today["top_drugs"])
    if today["top_diagnoses"]:
        code, name = today["top_diagnoses"][0]["code"], today["top_diagnoses"][0]["name_id"]
        assert page.locator("#health-diagnoses li").first.inner_text().split("\n")[:2] == [code, name]
    else:
        assert page.locator("#health-empty").is_visible()
    assert page.locator("#camera-grid .camera").count() > 0
    assert page.locator("#map .leaflet-interactive").count() >= 13
    sources = system.source_health()
    assert page.locator("#source-list .source-chip").count() == len(sources) >= 13
    assert page.locator('#source-list .source-chip[data-status="not_connected"]').count() == sum(
        1 for s in sources.values() if not s["connected"]
    )
    for slug in ("siak", "epuskesmas", "atcs", "emonev"):
        assert page.locator(f'#source-list .source-chip[data-slug="{slug}"]').get_attribute("data-status") == "ok"
    assert "Batas wilayah skematis" in page.locator("#map-schematic").inner_text()
    assert "diperbarui" in page.locator("#panel-population [data-freshness]").inner_text()
    english_leftovers = re.findall(
        r"\b(updated|Source|Waiting|residents|smooth|not connected|Log in)\b", page.locator("body").inner_text()
    )
    assert english_leftovers == []
    # Clicking a kecamatan shows its kelurahan with their population.
    city_zoom = page.locator("#map").get_attribute("data-zoom")
    page.locator("#map path.leaflet-interactive").first.click(force=True)
    page.wait_for_selector("#map-detail table tr")
    assert page.locator("#map-detail tr").count() >= 2
    assert float(page.locator("#map").get_attribute("data-zoom")) > float(city_zoom)
    page.locator("#map-detail button.back").click()
    page.wait_for_function("(zoom) => document.querySelector('#map').dataset.zoom === zoom", arg=city_zoom, timeout=5_000)
    assert page.locator("#map-detail").is_hidden()
    assert page.locator(".leaflet-tooltip.region-label").count() >= 13
    # Service tiles: the public ones only, each with its source and freshness, the BMKG one among them.
    keys = wait_for_tiles(page, system, staff=False)
    assert page.locator('#tile-grid .tile[data-audience="staff"]').count() == 0
    hazards = page.locator('.tile[data-tile="hazards"]')
    assert hazards.locator(".tile-source").inner_text() == "BMKG"
    assert "diperbarui" in hazards.locator("[data-freshness]").inner_text()
    assert hazards.locator(".tile-headline .tile-value").inner_text().replace(",", "").isdigit()
    for key in keys:
        assert page.locator(f'.tile[data-tile="{key}"] .tile-meta [data-status-badge]').inner_text() != ""
    assert page.locator("#panel-development-locked").is_visible()
    page.wait_for_timeout(500)
    assert_fits_the_screen(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "pis-public.png"))
    assert watched_page.errors == []


def test_live_update_arrives_without_reload(system, watched):
    watched_page = watched()
    page = watched_page.open("/")
    wait_until_filled(page, system)
    wait_for_camera_pictures(page)
    page.wait_for_function("() => document.querySelector('#connection').dataset.state === 'live'", timeout=15_000)
    page.evaluate("() => { window.__stillTheSamePage = true; }")
    snapshot_js = """() => ({
        pageId: window.KOMANDO_LIVE.pageId,
        events: window.KOMANDO_LIVE.events,
        lastSuccess: document.querySelector('#panel-traffic').dataset.lastSuccess,
        pictures: [...document.querySelectorAll('#camera-grid img')].map(img => img.getAttribute('src')).join('|'),
        navigations: performance.getEntriesByType('navigation').length,
        marker: window.__stillTheSamePage === true,
    })"""
    before = page.evaluate(snapshot_js)
    # ATCS runs every 1.5 s here: its source.health event (and panel.traffic when a new interval
    # is observed) must reach the page over the WebSocket and refresh the camera wall in place.
    page.wait_for_function(
        """(before) => document.querySelector('#panel-traffic').dataset.lastSuccess !== before.lastSuccess
            && [...document.querySelectorAll('#camera-grid img')].map(img => img.getAttribute('src')).join('|')
               !== before.pictures""",
        arg=before,
        timeout=30_000,
    )
    after = page.evaluate(snapshot_js)
    assert after["events"] > before["events"]
    assert after["lastSuccess"] > before["lastSuccess"]
    assert (after["pageId"], after["marker"], after["navigations"]) == (before["pageId"], True, before["navigations"])
    assert watched_page.errors == []


def test_development_panel_only_for_logged_in_role(system, watched):
    anonymous = watched().open("/")
    assert anonymous.locator("#panel-development").count() == 0
    assert "Masuk untuk melihat progres pembangunan" in anonymous.locator("#panel-development-locked").inner_text()

    watched_page = watched()
    page = watched_page.page
    log_in(page, system)
    assert page.locator("#panel-development").count() == 1
    wait_until_filled(page, system)
    wait_for_camera_pictures(page)
    assert page.locator("#development-rows tr").count() > 5
    statuses = set(page.locator("#development-rows .dev-status").all_inner_texts())
    assert statuses <= {"SESUAI", "WASPADA", "TERLAMBAT", "KRITIS", "sesuai", "waspada", "terlambat", "kritis"}
    # Staff see the staff tiles too (their WebSocket joined the staff group for their events).
    keys = wait_for_tiles(page, system, staff=True)
    staff_keys = page.evaluate("() => [...document.querySelectorAll('.tile[data-audience=\"staff\"]')].map(t => t.dataset.tile)")
    assert set(keys) - set(staff_keys) == set(visible_tile_keys(system, staff=False))
    assert page.locator("#panel-development-locked").count() == 0
    page.wait_for_timeout(500)
    assert_fits_the_screen(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "pis-logged-in.png"))
    assert watched_page.errors == []


def test_stopped_epuskesmas_is_marked_then_recovers(system, watched):
    page = watched().open("/")
    health_panel = page.locator("#panel-health")
    page.wait_for_function("() => document.querySelector('#panel-health').dataset.status === 'ok'", timeout=60_000)
    interval = system.source_health()["epuskesmas"]["schedule_seconds"]

    system.stop("simulator-epuskesmas")
    stopped_at = time.monotonic()
    page.wait_for_function(
        "() => ['stale', 'failing'].includes(document.querySelector('#panel-health').dataset.status)",
        timeout=(2 * interval + 5) * 1000,
    )
    assert time.monotonic() - stopped_at <= 2 * interval + 5
    assert health_panel.locator(".panel-alert").is_visible()
    assert health_panel.locator("[data-status-badge]").inner_text().lower() in {"gagal", "usang"}
    # The "source not answering" line costs the poli list a row, never the tenth diagnosis or drug
    # (just after midnight WIB the simulated day may have fewer than ten diagnoses yet: all of them then).
    stored = httpx.get(f"{system.base_url}/api/health/today/", timeout=10).json()
    assert page.locator("#health-diagnoses li").count() == min(10, len(stored["top_diagnoses"]))
    assert len(stored["top_diagnoses"]) >= 1
    assert_fits_the_screen(page)
    # The figures stay on screen: the last received data is kept, only marked. (Read them once the
    # panel is marked: a run that was under way when the simulator stopped may still have added some.)
    visits_when_marked = page.locator("#health-visits").inner_text()
    assert visits_when_marked.replace(".", "").isdigit()
    page.wait_for_timeout(interval * 1000)
    assert page.locator("#health-visits").inner_text() == visits_when_marked
    assert page.locator("#panel-health").get_attribute("data-status") in {"stale", "failing"}

    system.start_simulator("epuskesmas")
    page.wait_for_function(
        "() => document.querySelector('#panel-health').dataset.status === 'ok'", timeout=(4 * interval + 30) * 1000
    )
    assert health_panel.locator(".panel-alert").count() == 0


def test_a_tile_is_replaced_live_without_reload(system, watched):
    watched_page = watched()
    page = watched_page.open("/")
    wait_for_tiles(page, system, staff=False)
    page.wait_for_function("() => document.querySelector('#connection').dataset.state === 'live'", timeout=15_000)
    # Mark the page and every tile node: a replaced tile is a new node on the same page.
    before = page.evaluate("""() => {
        window.__stillTheSamePage = true;
        document.querySelectorAll('.tile[data-tile]').forEach(node => { node.__initial = true; });
        return {pageId: window.KOMANDO_LIVE.pageId, navigations: performance.getEntriesByType('navigation').length,
                tileEvents: Object.entries(window.KOMANDO_LIVE.byType).filter(([t]) => t.startsWith('tile.'))
                    .reduce((sum, [, n]) => sum + n, 0)};
    }""")
    key = page.evaluate_handle("""() => new Promise(resolve => {
        const check = () => {
            const fresh = [...document.querySelectorAll('.tile[data-tile]')].find(node => !node.__initial);
            if (fresh) resolve(fresh.dataset.tile); else setTimeout(check, 200);
        };
        check();
    })""").json_value()
    after = page.evaluate("""() => ({pageId: window.KOMANDO_LIVE.pageId, marker: window.__stillTheSamePage === true,
        navigations: performance.getEntriesByType('navigation').length,
        tileEvents: Object.entries(window.KOMANDO_LIVE.byType).filter(([t]) => t.startsWith('tile.'))
            .reduce((sum, [, n]) => sum + n, 0)})""")
    assert after["tileEvents"] > before["tileEvents"]
    assert (after["pageId"], after["marker"], after["navigations"]) == (before["pageId"], True, before["navigations"])
    tile = page.locator(f'.tile[data-tile="{key}"]')
    assert tile.count() == 1 and tile.locator(".tile-title").inner_text()
    assert tile.locator("[data-freshness]").inner_text() != ""  # meta filled in at once, not on the next tick
    assert_fits_the_screen(page)
    assert watched_page.errors == []


def test_small_counts_are_shown_as_less_than_five(system, watched):
    """The page as the public API would give it early in the day: counts 1–4 arrive as "<5"."""
    watched_page = watched()
    page = watched_page.page
    page.add_init_script("window.WebSocket = class { addEventListener() {} };")  # no live events: the state stays

    def suppress(route):
        response = route.fetch()
        html = response.text()
        opening = '<script id="pis-state" type="application/json">'
        start = html.index(opening) + len(opening)
        end = html.index("</script>", start)
        state = json.loads(html[start:end])
        state["health"]["visits_total"] = "<5"
        state["health"]["by_poli"] = [{"poli": "Poli Umum", "count": "<5"}]
        state["health"]["top_diagnoses"] = [
            {
                "code": "J06.9",
                "name": "Acute upper respiratory infection",
                "name_id": "Infeksi saluran pernapasan atas akut",
                "count": "<5",
            }
        ]
        state["health"]["top_drugs"] = [{"code": "93000001", "name": "Paracetamol 500 mg Tablet", "count": "<5"}]
        state["population"]["by_age_sex"][-1]["female"] = "<5"
        state["population"]["by_kelurahan"][0]["total"] = "<5"
        body = html[:start] + json.dumps(state).replace("<", "\\u003C") + html[end:]
        route.fulfill(response=response, body=body)

    page.route(system.base_url + "/", suppress)
    page.goto(system.base_url + "/", wait_until="domcontentloaded")
    page.wait_for_function("() => !document.querySelector('#panel-health [data-content]').hidden", timeout=15_000)
    assert page.locator("#health-visits").inner_text() == "<5"
    assert page.locator("#health-poli li .num").all_inner_texts() == ["<5"]
    assert page.locator("#health-diagnoses li .num").all_inner_texts() == ["<5"]
    assert page.locator("#health-drugs li .num").all_inner_texts() == ["<5"]
    assert page.locator("#health-empty").is_hidden()
    assert page.locator("#population-total").inner_text().replace(".", "").isdigit()
    page.wait_for_timeout(500)  # the charts draw the "<5" cell as an empty bar
    assert watched_page.errors == []

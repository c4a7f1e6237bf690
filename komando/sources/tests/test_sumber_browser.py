"""/sumber/ in Debian's Chromium against the real system: the ATCS row turns failing, its circuit
opens, a probe finds ATCS back and the row recovers, all live over the WebSocket, without a reload.

ATCS is reached through a fault-injecting proxy (komando.sources.faults) running in this process;
every other connector talks to its simulator. Schedules are sped up ten times and the circuit
opens after 3 failures with a 4 s cool-down so that the whole story takes seconds.
"""

from __future__ import annotations

import functools
import secrets

import pytest

from komando.accounts.models import Role
from komando.sources.faults import FaultMode, FaultProxy
from komando.sources.simulation import running_simulator
from komando.tests.browser import SCREENSHOTS, VIEWPORT, open_context
from komando.tests.seeds import add_user

pytestmark = pytest.mark.browser

ADMIN, ADMIN_PASSWORD = "admin.sumber", "browser-test-" + secrets.token_urlsafe(8)


@pytest.fixture(scope="module")
def sumber_system(live_system):
    # A connector still being written elsewhere may need settings this test does not know: its
    # source is paused instead of failing on every run (tolerate_broken_simulators).
    system = live_system(
        seed=functools.partial(add_user, ADMIN, ADMIN_PASSWORD, Role.ADMINISTRATOR, first_name="Admin Sumber"),
        simulators="all",
        tolerate_broken_simulators=True,
        workers=True,
        server=False,
        env={
            "KOMANDO_SCHEDULE_SCALE": "0.1",
            "KOMANDO_CIRCUIT_FAILURES": "3",
            "KOMANDO_CIRCUIT_COOLDOWN_SECONDS": "4",
            "KOMANDO_EMONEV_USERNAME": "komando-browser",
            "KOMANDO_EMONEV_PASSWORD": secrets.token_urlsafe(16),
            "KOMANDO_EPUSKESMAS_CLIENT_ID": "komando-browser",
            "KOMANDO_EPUSKESMAS_CLIENT_SECRET": secrets.token_urlsafe(16),
        },
    )
    proxy = FaultProxy(system.simulator_url("atcs"))
    with running_simulator(proxy.app) as proxy_url:
        system.env["KOMANDO_ATCS_BASE_URL"] = proxy_url
        system.start_server()
        system.proxy = proxy
        yield system
        system.stop_all()
        proxy.close()


@pytest.fixture
def admin_page(sumber_system, browser):
    context, page = open_context(browser, VIEWPORT, device_scale_factor=1, locale="en-US")
    try:
        page.goto(sumber_system.base_url + "/akun/masuk/?next=/sumber/")
        page.fill("#id_username", ADMIN)
        page.fill("#id_password", ADMIN_PASSWORD)
        page.click("button[type=submit].primary-button")
        page.wait_for_url(sumber_system.base_url + "/sumber/", wait_until="domcontentloaded")
        yield page
    finally:
        context.close()


def row_state(page, slug="atcs"):
    return page.evaluate(
        """(slug) => {
        const row = document.getElementById(`source-${slug}`);
        return {status: row.dataset.status, circuit: row.dataset.circuit,
                error: row.querySelector('[data-cell="error"]').innerText,
                rate: row.querySelector('[data-cell="rate"]').innerText,
                statusText: row.querySelector('[data-cell="status"]').innerText,
                success: row.querySelector('[data-cell="success"]').innerText};
    }""",
        slug,
    )


def test_failing_source_turns_and_recovers_live_on_the_source_health_page(sumber_system, admin_page):
    page, proxy = admin_page, sumber_system.proxy
    page.wait_for_function("() => document.getElementById('live-state').dataset.state === 'live'", timeout=15_000)
    page.wait_for_function("() => document.getElementById('source-atcs').dataset.status === 'ok'", timeout=30_000)
    page.evaluate("() => { window.__stillTheSamePage = true; }")
    navigations = page.evaluate("() => performance.getEntriesByType('navigation').length")
    healthy = row_state(page)
    assert "WIB" in healthy["success"] and healthy["circuit"] == "closed"

    proxy.mode = FaultMode.SERVER_ERROR
    page.wait_for_function("() => document.getElementById('source-atcs').dataset.status === 'failing'", timeout=20_000)
    assert "HTTP 500" in row_state(page)["error"]
    page.wait_for_function("() => document.getElementById('source-atcs').dataset.circuit === 'open'", timeout=30_000)
    failing = row_state(page)
    assert "HTTP 500" in failing["error"] and "WIB" in failing["statusText"]  # … next probe at HH:MM:SS WIB
    assert page.locator("#source-atcs .circuit-open").is_visible()
    assert failing["rate"] != healthy["rate"] and not failing["rate"].startswith(("0,0", "0.0"))
    assert page.locator('#sources-summary [data-summary="failing"]').count() == 1
    page.screenshot(path=str(SCREENSHOTS / "sumber-failing.png"))

    proxy.mode = FaultMode.PASS
    page.wait_for_function(
        """() => {
        const row = document.getElementById('source-atcs');
        return row.dataset.status === 'ok' && row.dataset.circuit === 'closed';
    }""",
        timeout=40_000,
    )
    recovered = row_state(page)
    assert recovered["error"].strip() == "–" and page.locator("#source-atcs .circuit").count() == 0
    assert page.evaluate("() => window.__stillTheSamePage === true")
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == navigations
    assert page.evaluate("() => window.KOMANDO_SOURCES_LIVE.events") > 0
    # The screenshot for the README, once the other sources have had their first runs too.
    for _ in range(30):
        if page.evaluate("""() => [...document.querySelectorAll('tr[data-slug]')]
                .every(row => ['ok', 'not_connected', 'waiting', 'paused'].includes(row.dataset.status))"""):
            break
        page.wait_for_timeout(1000)
    page.wait_for_timeout(1500)  # let the change highlight fade
    page.screenshot(path=str(SCREENSHOTS / "sumber.png"))
    assert page.errors == []

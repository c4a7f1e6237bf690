"""The public scorecard in Debian's Chromium, on a desktop (1366×900) and on a phone (390×844, touch),
over `komando serve` with a fresh SQLite database holding a month of incidents
(``populate``): the tables are there, figures are readable, the page fits a phone, the month picker
works, and no reporter's details are on the page. Screenshots kinerja and kinerja-phone."""

from __future__ import annotations

import functools

import pytest

from komando.incidents.scorecard.tests import populate
from komando.tests.browser import SCREENSHOTS, open_context

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def system(live_system):
    return live_system(seed=functools.partial(populate.populate, 160))


def open_page(browser, viewport, **options):
    return open_context(browser, viewport, **options)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def received(page, table: str) -> int:
    return int(page.locator(f"#{table} tfoot [data-field='received']").inner_text())


def test_the_scorecard_on_a_desktop(system, browser):
    context, page = open_page(browser, DESKTOP)
    try:
        page.goto(system.base_url + "/kinerja/")
        assert page.locator("html").get_attribute("lang") == "id"
        assert received(page, "opd-table") == received(page, "kecamatan-table") == 160
        assert page.locator("#kecamatan-table tbody tr").count() == 13
        assert page.locator("#opd-table tbody tr").count() >= 5
        assert page.locator("#opd-table [data-field='within_sla_percent'][data-value]").count() >= 3  # shares shown
        assert page.locator("#city-summary .tile").count() == 4
        assert "WIB" in page.locator("#computed-at").inner_text()
        assert "Laporan contoh" not in page.content()  # no description of a report
        assert fits_the_screen(page)
        page.screenshot(path=str(SCREENSHOTS / "kinerja.png"), full_page=False)

        month = page.locator("#id_bulan option").nth(2).get_attribute("value")  # the month before this one
        page.select_option("#id_bulan", month)
        page.locator("#period-form button").click()
        page.wait_for_url(f"**/kinerja/?bulan={month}")
        assert page.locator("#period-label").get_attribute("data-period") == month
        assert page.locator("#id_bulan").input_value() == month
        assert not page.errors, page.errors
    finally:
        context.close()


def test_the_scorecard_on_a_phone(system, browser):
    context, page = open_page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page.goto(system.base_url + "/kinerja/")
        assert fits_the_screen(page)
        first_row = page.locator("#opd-table tbody tr").first
        assert first_row.evaluate("row => getComputedStyle(row).display") == "grid"  # a card per row
        cells = first_row.locator("td")
        assert cells.nth(0).bounding_box()["x"] < cells.nth(1).bounding_box()["x"]  # two figures side by side
        for index in range(cells.count()):  # and none sticks out of its card
            box = cells.nth(index).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], index
        label = first_row.locator("[data-field='received']").evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label.strip('"')  # every figure carries its label on a phone
        assert page.locator("thead").first.is_hidden()
        page.screenshot(path=str(SCREENSHOTS / "kinerja-phone.png"), full_page=False)
        page.locator("#per-opd").scroll_into_view_if_needed()
        page.evaluate("document.getElementById('per-opd').scrollIntoView()")
        page.screenshot(path=str(SCREENSHOTS / "kinerja-phone-table.png"), full_page=False)
        page.goto(system.base_url + "/kinerja/?bulan=2026-13")
        assert page.locator("#period-error").is_visible()
        assert fits_the_screen(page)
        assert page.errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    finally:
        context.close()

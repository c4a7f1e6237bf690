"""The daily report in Chromium against the real system: `komando serve` on a fresh SQLite database with a
plausible yesterday (``komando.reports.tests.demo``), its in-process schedule on (and only it: no ingest,
no escalation, no alert worker), set to 00:00 WIB so that yesterday's report is due as soon as the server starts.

The schedule makes version 1 by itself; after a restart of the server there is still one. An operator
opens /laporan-harian/, sees every section and the list of past reports, presses "Buat ulang sekarang"
and gets version 2 by them; an executive reading the same day in another browser is offered version 2
live (no polling); the PDF downloads and holds every section. A bad date shows a clear error.
Screenshots docs/screenshots/laporan-harian.png (the page) and laporan-harian-pdf-N.png (the PDF's pages
through pdftoppm)."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from komando.core.clock import city_zone
from komando.reports.tests import demo
from komando.tests.browser import SCREENSHOTS, open_context

WIB = city_zone()  # Kota Tangerang's zone, read from its city.json
pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}
YESTERDAY = (timezone.now().astimezone(WIB).date() - timedelta(days=1)).isoformat()
HEADINGS = [
    "1. Insiden per kategori dan kecamatan",
    "2. Kepatuhan SLA per OPD",
    "3. Insiden kritis yang masih terbuka",
    "4. Puncak tinggi muka air",
    "5. Deviasi pembangunan",
    "6. Gangguan sumber data",
    "7. Peringatan yang muncul",
]


def count_reports(system) -> int:
    output = system.komando("shell", "-c", "from komando.reports.models import DailyReport; print(DailyReport.objects.count())")
    return int(output.strip().splitlines()[-1])


def start_server(system):
    system.start_server()
    # The schedule's first check runs as the server starts; wait for it (bounded), then go on.
    server = system.processes["server"]
    for _attempt in range(120):
        if count_reports(system):
            return
        if server.poll() is not None:
            break
    raise AssertionError("the in-process schedule made no report:\n" + system.log("server").read_text()[-3000:])


@pytest.fixture(scope="module")
def system(live_system):
    system = live_system(
        seed=functools.partial(demo.main, YESTERDAY),
        workers=True,
        server=False,
        env={
            "KOMANDO_INGEST_IN_PROCESS": "0",
            "KOMANDO_ESCALATION_IN_PROCESS": "0",
            "KOMANDO_ALERTS_IN_PROCESS": "0",
            "KOMANDO_DAILY_REPORT_IN_PROCESS": "1",
            "KOMANDO_DAILY_REPORT_AT": "00:00",
        },
    )
    start_server(system)
    return system


def logged_in(browser, system, who: str = "operator"):
    context, page = open_context(browser, SCREEN, console_errors=False)
    page.goto(f"{system.base_url}/akun/masuk/?next=/laporan-harian/")
    page.fill("#id_username", system.seeded[who])
    page.fill("#id_password", system.seeded["password"])
    page.locator("button[type=submit].primary-button").click()
    page.wait_for_url(f"{system.base_url}/laporan-harian/", wait_until="domcontentloaded")
    return context, page


def test_the_schedule_made_one_report_and_a_restart_makes_no_second(system):
    assert count_reports(system) == 1
    system.stop_server()
    start_server(system)
    assert count_reports(system) == 1


def test_operator_reads_regenerates_and_downloads_the_report(system, browser):
    context, page = logged_in(browser, system)
    try:
        assert page.locator(".lh-title").get_attribute("data-day") == YESTERDAY
        meta = page.locator(".lh-meta").inner_text()
        assert "versi 1" in meta and "oleh jadwal" in meta
        for heading in HEADINGS:
            assert page.get_by_role("heading", name=heading).is_visible(), heading
        assert page.locator("[data-table=by-category] tbody tr").count() > 3
        assert page.locator("[data-table=sla] tbody tr").count() >= 3
        assert page.locator("[data-table=critical] tbody tr").count() >= 5
        assert page.locator("[data-table=water] tr.siaga-siaga_1").count() == 1
        assert page.locator("[data-table=outages] [data-source=banjir]").count() == 1
        assert page.locator("[data-table=development] tbody tr").count() >= 1
        assert page.locator(f"[data-past='{YESTERDAY}-v1']").is_visible()
        page.screenshot(path=str(SCREENSHOTS / "laporan-harian.png"), full_page=True)

        # An executive reads the same day in another browser; the page is connected to the live bus.
        reader_context, reader = logged_in(browser, system, "executive")
        reader.goto(f"{system.base_url}/laporan-harian/{YESTERDAY}/")
        reader.wait_for_selector("#laporan-harian[data-live=connected]")
        assert reader.locator("#lh-newer").is_hidden() and reader.locator("#lh-regenerate").count() == 0

        page.locator("#lh-regenerate").click()
        page.wait_for_url(f"{system.base_url}/laporan-harian/{YESTERDAY}/", wait_until="domcontentloaded")
        meta = page.locator(".lh-meta").inner_text()
        assert "versi 2" in meta and system.seeded["operator"] in meta
        assert page.locator(f"[data-past='{YESTERDAY}-v2']").is_visible()
        assert page.locator(f"[data-past='{YESTERDAY}-v1']").is_visible()
        # The executive's page offers the new version without a reload.
        reader.wait_for_selector("#lh-newer[data-version='2']", state="visible")
        reader.locator("#lh-newer a").click()
        reader.wait_for_load_state("domcontentloaded")
        assert "versi 2" in reader.locator(".lh-meta").inner_text()
        reader_context.close()

        response = page.context.request.get(
            page.locator("#lh-pdf").get_attribute("href") and f"{system.base_url}/laporan-harian/{YESTERDAY}.pdf"
        )
        assert response.ok and response.headers["content-type"] == "application/pdf"
        pdf = response.body()
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
        assert "Laporan Situasi Harian" in text and "Pemerintah Kota Tangerang" in text
        for heading in HEADINGS:
            assert heading in text, heading
        assert "Versi 2" in text and "Siaga 1 (awas)" in text
        pdf_path = SCREENSHOTS / "laporan-harian.pdf"
        pdf_path.write_bytes(pdf)
        for old in SCREENSHOTS.glob("laporan-harian-pdf-*.png"):
            old.unlink()
        assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is needed to picture the PDF"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf_path), str(SCREENSHOTS / "laporan-harian-pdf")], check=True, timeout=60
        )
        pdf_path.unlink()
        assert (SCREENSHOTS / "laporan-harian-pdf-1.png").is_file()
        assert page.errors == []
    finally:
        context.close()


def test_a_bad_date_shows_a_clear_error(system, browser):
    context, page = logged_in(browser, system, "executive")
    try:
        response = page.goto(f"{system.base_url}/laporan-harian/2026-02-30/")
        assert response.status == 400
        assert "Tanggal itu tidak ada." in page.locator("[data-error]").inner_text()
        assert page.locator("#lh-regenerate").count() == 0
    finally:
        context.close()

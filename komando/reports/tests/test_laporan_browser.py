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

import io
import json
import os
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from komando.dashboard.tests.test_pis_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, System, free_port, wait_for_http
from komando.reports.selectors import WIB

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}
YESTERDAY = (timezone.now().astimezone(WIB).date() - timedelta(days=1)).isoformat()
HEADINGS = ["1. Insiden per kategori dan kecamatan", "2. Kepatuhan SLA per OPD", "3. Insiden kritis yang masih terbuka",
            "4. Puncak tinggi muka air", "5. Deviasi pembangunan", "6. Gangguan sumber data",
            "7. Peringatan yang muncul"]


def count_reports(system) -> int:
    output = system.komando("shell", "-c", "from komando.reports.models import DailyReport; "
                                           "print(DailyReport.objects.count())")
    return int(output.strip().splitlines()[-1])


def start_server(system):
    server = system.start("server", "serve", "--port", str(system.port))
    wait_for_http(system.base_url + "/akun/masuk/", server, system.log("server"), timeout=60)
    # The schedule's first check runs as the server starts; wait for it (bounded), then go on.
    for _attempt in range(120):
        if count_reports(system):
            return
        if server.poll() is not None:
            break
    raise AssertionError("the in-process schedule made no report:\n" + system.log("server").read_text()[-3000:])


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    directory = tmp_path_factory.mktemp("laporan-system")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KOMANDO_")}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "komando.settings", "SQLITE_PATH": str(directory / "db.sqlite3"),
                "KOMANDO_VAR_DIR": str(directory / "var"), "PYTHONUNBUFFERED": "1",
                "KOMANDO_INGEST_IN_PROCESS": "0", "KOMANDO_ESCALATION_IN_PROCESS": "0", "KOMANDO_ALERTS_IN_PROCESS": "0",
                "KOMANDO_DAILY_REPORT_IN_PROCESS": "1", "KOMANDO_DAILY_REPORT_AT": "00:00"})
    port = free_port()
    running = System(base_url=f"http://127.0.0.1:{port}", directory=directory, env=env, simulator_ports={})
    running.port = port
    try:
        running.komando("migrate", "--noinput", "-v0")
        running.komando("load-reference-data")
        output = running.komando("shell", "-c", f"from komando.reports.tests import demo; demo.main({YESTERDAY!r})")
        running.people = json.loads(output.strip().splitlines()[-1])
        start_server(running)
        yield running
    finally:
        running.stop_all()


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


def logged_in(browser, system, who: str = "operator"):
    context = browser.new_context(viewport=SCREEN, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{system.base_url}/akun/masuk/?next=/laporan-harian/")
    page.fill("#id_username", system.people[who])
    page.fill("#id_password", system.people["password"])
    page.locator("button[type=submit].primary-button").click()
    page.wait_for_url(f"{system.base_url}/laporan-harian/", wait_until="domcontentloaded")
    return context, page


def test_the_schedule_made_one_report_and_a_restart_makes_no_second(system):
    assert count_reports(system) == 1
    system.stop("server")
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
        assert "versi 2" in meta and system.people["operator"] in meta
        assert page.locator(f"[data-past='{YESTERDAY}-v2']").is_visible()
        assert page.locator(f"[data-past='{YESTERDAY}-v1']").is_visible()
        # The executive's page offers the new version without a reload.
        reader.wait_for_selector("#lh-newer[data-version='2']", state="visible")
        reader.locator("#lh-newer a").click()
        reader.wait_for_load_state("domcontentloaded")
        assert "versi 2" in reader.locator(".lh-meta").inner_text()
        reader_context.close()

        response = page.context.request.get(page.locator("#lh-pdf").get_attribute("href") and
                                            f"{system.base_url}/laporan-harian/{YESTERDAY}.pdf")
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
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(SCREENSHOTS / "laporan-harian-pdf")],
                       check=True, timeout=60)
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

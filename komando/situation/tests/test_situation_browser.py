"""The situation room in Chromium on 1920×1080 screens, against the real system: `komando serve`
(ASGI, WebSocket) on a fresh SQLite database with the city's reference data and the people, incidents,
unit and gauge of ``komando.situation.tests.browser_setup``.

The chair opens a session from /ruang/, links two incidents (one by ticket number, one picked from
the open incidents), notes an outside attendee, records a decision, corrects it, adds an action item
and moves it on; an executive following the same session in a second browser sees every step arrive
live, without a reload. The chair closes the session and downloads the minutes (PDF), whose text is
checked and whose pages are rendered to PNG. Screenshots: docs/screenshots/ruang-*.png and
notulen-*.png (with KOMANDO_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import io
import subprocess

import pytest

from komando.situation.tests import browser_setup
from komando.tests.browser import SCREENSHOTS, open_context

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def system(live_system):
    return live_system(seed=browser_setup.set_up)


def new_page(browser):
    return open_context(browser, SCREEN, accept_downloads=True)


def log_in(page, system, username: str, next_path: str) -> None:
    page.goto(f"{system.base_url}/akun/masuk/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", system.seeded["password"])
    page.locator("button[type=submit].primary-button").click()
    page.wait_for_url(f"{system.base_url}{next_path}", wait_until="domcontentloaded")


def wait_live(page) -> None:
    page.wait_for_function("document.getElementById('connection').dataset.state === 'live'", timeout=20_000)


def test_the_situation_room_needs_a_login(system, browser):
    context, page = new_page(browser)
    try:
        page.goto(system.base_url + "/ruang/")
        assert "/akun/masuk/" in page.url
    finally:
        context.close()


def test_a_session_from_opening_to_the_minutes(system, browser):
    first, second = system.seeded["incidents"][0], system.seeded["incidents"][1]
    chair_context, chair = new_page(browser)
    viewer_context, viewer = new_page(browser)
    try:
        # The chair opens the session from the list.
        log_in(chair, system, system.seeded["chair"], "/ruang/")
        assert chair.locator("#open-form").is_visible()
        chair.fill("#open-title", "Banjir Kecamatan Periuk")
        chair.select_option("#open-kecamatan", label="Periuk")
        chair.locator("#open-form button[type=submit]").click()
        chair.wait_for_url("**/ruang/*/", wait_until="domcontentloaded")
        session_path = chair.url.removeprefix(system.base_url)
        wait_live(chair)
        assert chair.locator("#session-title").inner_text() == "Banjir Kecamatan Periuk"

        # An executive follows the same session on another screen.
        log_in(viewer, system, system.seeded["viewer"], session_path)
        wait_live(viewer)
        assert viewer.locator("#decision-form").is_hidden()  # not the chair
        assert viewer.locator("#link-form").is_visible()  # but may link incidents

        # Link one incident by its ticket number, another picked from the open incidents.
        chair.fill("#link-ticket", first)
        chair.locator("#link-form button[type=submit]").click()
        viewer.wait_for_selector(f'#incidents li[data-ticket="{first}"]')
        chair.select_option(
            "#link-open",
            label=next(
                option
                for option in chair.eval_on_selector_all("#link-open option", "options => options.map(o => o.textContent)")
                if option.startswith(second)
            ),
        )
        chair.locator("#link-form button[type=submit]").click()
        viewer.wait_for_selector(f'#incidents li[data-ticket="{second}"]')
        assert viewer.locator("#incident-count").inner_text() == "2"
        assert viewer.locator("#sesi-map .incident-marker").count() == 2

        chair.fill("#attendee-name", "PLN UP3 Cikokol")
        chair.locator("#attendee-form button[type=submit]").click()
        viewer.wait_for_selector("#attendees li:has-text('PLN UP3 Cikokol')")

        # A decision, assigned to Dinkes with a deadline; the viewer sees it arrive.
        chair.fill("#decision-text", "Buka posko pengungsian di SDN Gebang Raya 2")
        chair.fill("#decision-basis", "Air 80 cm di RW 05, 300 warga perlu tempat aman")
        chair.select_option("#decision-agency", label="BPBD")
        chair.fill("#decision-deadline", "2026-11-29T20:00")
        chair.locator("#decision-submit").click()
        viewer.wait_for_selector("#decisions li:has-text('SDN Gebang Raya 2')")

        # The chair corrects it: the first stays, struck through, with a link to the correction.
        chair.locator("#decisions li[data-decision] button:has-text('Koreksi')").first.click()
        assert chair.locator("#correcting").is_visible()
        chair.fill("#decision-text", "Buka posko pengungsian di Masjid Al-Ikhlas (SDN Gebang Raya 2 ikut tergenang)")
        chair.locator("#decision-submit").click()
        viewer.wait_for_selector("#decisions li.corrected")
        corrected = viewer.locator("#decisions li.corrected")
        assert "SDN Gebang Raya 2" in corrected.inner_text()
        assert corrected.locator(".text").evaluate("node => getComputedStyle(node).textDecorationLine") == "line-through"
        assert corrected.locator("a.corrected-link").inner_text() == "2"
        assert viewer.locator("#decisions li.correction").count() == 1

        # An action item from the correction, then moved on.
        chair.fill("#action-text", "Kirim dua ambulans dan tenaga kesehatan ke posko Masjid Al-Ikhlas")
        chair.select_option("#action-agency", label="Dinkes")
        chair.select_option("#action-decision", index=1)
        chair.locator("#action-form button[type=submit]").click()
        viewer.wait_for_selector("#actions li[data-status='open']")
        chair.locator("#actions li[data-action] select").select_option("in_progress")
        chair.fill("#actions li[data-action] input[name=note]", "Ambulans 2 dan 5 berangkat dari RSUD")
        chair.locator("#actions li[data-action] button[type=submit]").click()
        viewer.wait_for_selector("#actions li[data-status='in_progress']")
        assert "Ambulans 2 dan 5 berangkat" in viewer.locator("#actions").inner_text()
        chair.fill("#note-text", "Pompa Periuk 2 menyala penuh sejak 15.40")
        chair.locator("#note-form button[type=submit]").click()
        viewer.wait_for_selector("#timeline li.k-note")

        chair.screenshot(path=str(SCREENSHOTS / "ruang-sesi.png"))
        viewer.screenshot(path=str(SCREENSHOTS / "ruang-sesi-pengamat.png"))

        # Close (confirmed), then the minutes.
        chair.on("dialog", lambda dialog: dialog.accept())
        chair.fill("#close-note", "Air mulai surut, posko tetap buka malam ini")
        chair.locator("#close-button").click()
        viewer.wait_for_function("document.getElementById('session-status').classList.contains('closed')")
        chair.wait_for_function("document.getElementById('decision-form').hidden")
        assert viewer.locator("#link-form").is_hidden()
        chair.screenshot(path=str(SCREENSHOTS / "ruang-sesi-ditutup.png"))

        with chair.expect_download() as download_info:
            chair.locator("#minutes-link").click()
        download = download_info.value
        assert download.suggested_filename.startswith("notulen-") and download.suggested_filename.endswith(".pdf")
        pdf_path = system.directory / "notulen.pdf"
        download.save_as(str(pdf_path))
        from pypdf import PdfReader

        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages).split())
        for words in (
            "Notulen",
            "Banjir Kecamatan Periuk",
            "Peserta",
            "PLN UP3 Cikokol",
            "Insiden terkait",
            first,
            second,
            "Keputusan",
            "Koreksi atas keputusan 1",
            "Dikoreksi oleh keputusan 2",
            "Tindak lanjut",
            "Kirim dua ambulans",
            "Sedang berjalan",
            "Peta",
            "WIB",
            "Rina Operator",
        ):
            assert words in text, words
        for old in SCREENSHOTS.glob("notulen-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(SCREENSHOTS / "notulen")], check=True)
        assert sorted(path.name for path in SCREENSHOTS.glob("notulen-*.png"))[0] == "notulen-1.png"

        chair.goto(system.base_url + "/ruang/")
        assert "Banjir Kecamatan Periuk" in chair.locator("section.wide").inner_text()
        chair.screenshot(path=str(SCREENSHOTS / "ruang-daftar.png"))
        assert chair.errors == [] and viewer.errors == []
    finally:
        chair_context.close()
        viewer_context.close()


def test_an_opd_officer_sees_only_sessions_of_their_opd(system, browser):
    """Dinkes' officer: the session above assigns an action item to Dinkes and links a medical
    incident of Dinkes, so it is listed; they may update the item but record no decision."""
    context, page = new_page(browser)
    try:
        log_in(page, system, system.seeded["opd_officer"], "/ruang/")
        assert page.locator("#open-form").count() == 0
        page.locator("a.session-link", has_text="Banjir Kecamatan Periuk").first.click()
        page.wait_for_selector("#actions li[data-action]")
        assert page.locator("#decision-form").is_hidden() and page.locator("#link-form").is_hidden()
        assert page.errors == []
    finally:
        context.close()

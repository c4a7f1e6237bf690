"""The pages and downloads per role: who sees the city-wide report, the OPD officer's scoped report,
who may regenerate (audited), bad dates, a day before any data, and PDF downloads of stored versions."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.utils import translation
from pypdf import PdfReader

from komando.audit.models import AuditRecord
from komando.reports.actions import do_generate_daily_report
from komando.reports.models import DailyReport
from komando.reports.tests.conftest import DAY, MORNING_AFTER, utc, wib

pytestmark = pytest.mark.django_db
PAGE = "/laporan-harian/2026-11-20/"
PDF = "/laporan-harian/2026-11-20.pdf"


@pytest.fixture(autouse=True)
def _morning_after():
    with time_machine.travel(wib("2026-11-21 08:00"), tick=False):
        yield


@pytest.fixture
def day_with_two_opds(place):
    """A DLH incident (SAMPAH) and a PUPR one (JLN-RUSAK), both critical and open."""
    dlh = place(utc("2026-11-20 02:00:00"), priority="kritis", title="Sampah menutup jalan Pasar Anyar")
    pupr = place(wib("2026-11-20 10:00"), category="JLN-RUSAK", priority="kritis", title="Jalan amblas Cikokol")
    return dlh, pupr


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_anonymous_is_sent_to_the_login(client, reference_data):
    response = client.get("/laporan-harian/")
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    assert client.get(PDF).status_code == 302


@pytest.mark.parametrize("persona", ["outsider"])
def test_a_user_without_a_staff_role_is_refused(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get("/laporan-harian/").status_code == 403
    assert client.get(PDF).status_code == 403
    assert client.post(PAGE + "buat-ulang/").status_code == 403
    assert DailyReport.objects.count() == 0


@pytest.mark.parametrize("persona", ["operator", "executive", "administrator"])
def test_city_wide_roles_see_every_opd(client, personas, day_with_two_opds, persona):
    client.force_login(personas[persona])
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sampah menutup jalan Pasar Anyar" in html and "Jalan amblas Cikokol" in html
    assert "Laporan Situasi Harian" in html and "Jumat, 20 November 2026" in html
    assert ('id="lh-regenerate"' in html) == (persona != "executive")


def test_the_latest_page_is_yesterday(client, personas, day_with_two_opds):
    client.force_login(personas["operator"])
    response = client.get("/laporan-harian/")
    assert response.status_code == 200 and 'data-day="2026-11-20"' in response.content.decode()


def test_opd_officer_sees_their_own_opd_only(client, personas, day_with_two_opds):
    from django.contrib.auth.models import User

    from komando.accounts.models import Profile

    dlh, pupr = day_with_two_opds
    officer = User.objects.get(username="opd_officer")
    Profile.objects.filter(user=officer).update(agency=dlh.agency)
    do_generate_daily_report(DAY, now=MORNING_AFTER)  # the stored one is city-wide
    client.force_login(officer)
    html = client.get(PAGE).content.decode()
    assert "Sampah menutup jalan Pasar Anyar" in html and "Jalan amblas Cikokol" not in html
    assert "data-scope" in html and 'id="lh-regenerate"' not in html and "lh-past" not in html
    pdf = client.get(PDF)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Sampah menutup jalan Pasar Anyar" in text and "Jalan amblas Cikokol" not in text
    assert client.post(PAGE + "buat-ulang/").status_code == 403


def test_regenerate_now_makes_a_new_version_and_audits_it(client, personas, day_with_two_opds):
    do_generate_daily_report(DAY, now=MORNING_AFTER)
    client.force_login(personas["operator"])
    response = client.post(PAGE + "buat-ulang/")
    assert response.status_code == 302 and response["Location"] == PAGE
    assert list(DailyReport.objects.order_by("version").values_list("version", "generated_by__username")) == [
        (1, None),
        (2, "operator"),
    ]
    assert AuditRecord.objects.filter(action="reports.generate_daily_report", actor=personas["operator"]).count() == 1
    html = client.get(PAGE).content.decode()
    assert 'data-past="2026-11-20-v2"' in html and 'data-past="2026-11-20-v1"' in html
    assert "versi 2" in html
    old = client.get(PDF + "?versi=1")
    new = client.get(PDF)
    assert old.status_code == new.status_code == 200
    assert "laporan-harian-2026-11-20-v1.pdf" in old["Content-Disposition"]
    assert "laporan-harian-2026-11-20-v2.pdf" in new["Content-Disposition"]
    assert client.get(PDF + "?versi=7").status_code == 404
    assert client.get(PDF + "?versi=dua").status_code == 400


def test_regenerate_needs_post(client, personas, reference_data):
    client.force_login(personas["operator"])
    assert client.get(PAGE + "buat-ulang/").status_code == 405
    assert DailyReport.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/laporan-harian/2026-02-30/", "That date does not exist."),
        ("/laporan-harian/kemarin/", "YYYY-MM-DD"),
        ("/laporan-harian/2026-11-22/", "That day has not come yet"),
        ("/laporan-harian/2026-11-22.pdf", "That day has not come yet"),
    ],
)
def test_bad_dates_get_a_clear_error(client, personas, path, message):
    english(client).force_login(personas["operator"])
    response = client.get(path)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_regenerating_a_future_day_stores_nothing(client, personas):
    client.force_login(personas["operator"])
    response = client.post("/laporan-harian/2026-12-01/buat-ulang/")
    assert response.status_code == 400
    assert DailyReport.objects.count() == 0 and not AuditRecord.objects.filter(action__startswith="reports.").exists()


def test_a_day_before_any_data_says_so(client, personas, incident_data):
    english(client).force_login(personas["executive"])
    response = client.get("/laporan-harian/2020-05-01/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-no-data" in html and "No incidents were reported on this day." in html
    assert "not generated as a report yet" in html


def test_the_date_picker_goes_to_the_day(client, personas, reference_data):
    client.force_login(personas["operator"])
    response = client.get("/laporan-harian/?tanggal=2026-11-19")
    assert response.status_code == 302 and response["Location"] == "/laporan-harian/2026-11-19/"


def test_page_in_english(client, personas, day_with_two_opds):
    english(client).force_login(personas["operator"])
    with translation.override("en"):
        html = client.get(PAGE).content.decode()
    assert "Daily Situation Report" in html and "Friday, 20 November 2026" in html
    assert "1. Incidents by category and kecamatan" in html


def test_pdf_of_a_day_without_a_stored_report_is_rendered_and_not_stored(client, personas, day_with_two_opds):
    client.force_login(personas["executive"])
    response = client.get(PDF)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "laporan-harian-2026-11-20-sementara.pdf" in response["Content-Disposition"]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "Laporan Situasi Harian" in text and "Jalan amblas Cikokol" in text
    assert DailyReport.objects.count() == 0


def test_the_admin_lists_reports_read_only(client, personas, reference_data):
    report, _ = do_generate_daily_report(DAY, now=MORNING_AFTER)
    client.force_login(personas["administrator"])
    listing = client.get("/admin/reports/dailyreport/")
    assert listing.status_code == 200 and report.filename in listing.content.decode()
    assert client.get("/admin/reports/dailyreport/add/").status_code == 403
    assert client.post(f"/admin/reports/dailyreport/{report.pk}/delete/", {"post": "yes"}).status_code == 403
    assert DailyReport.objects.count() == 1

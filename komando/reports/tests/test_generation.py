"""Making reports: versions (regenerating keeps the earlier one), audit of a person's regeneration, the
PDF's content (text extracted with pypdf), the schedule under time travel (05:59 nothing, 06:00 one report,
a restart still one) and the management command."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from komando.audit.models import AuditRecord
from komando.reports.actions import do_generate_daily_report
from komando.reports.models import DailyReport
from komando.reports.schedule import DailyReportScheduler, parse_at
from komando.reports.selectors import BadDay
from komando.reports.tests.conftest import DAY, MORNING_AFTER, reading, utc, wib

pytestmark = pytest.mark.django_db

SECTION_HEADINGS = [
    "1. Insiden per kategori dan kecamatan",
    "2. Kepatuhan SLA per OPD",
    "3. Insiden kritis yang masih terbuka",
    "4. Puncak tinggi muka air",
    "5. Deviasi pembangunan",
    "6. Gangguan sumber data",
    "7. Peringatan yang muncul",
]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def busy_day(place, gauge):
    place(utc("2026-11-19 17:00:00"), due_hours=24, resolved_after_hours=10)
    place(wib("2026-11-20 12:00"), due_hours=6, priority="kritis", title="Tumpukan sampah di Pasar Anyar")
    cisadane = gauge("POS-01", "Pos Cisadane Pasar Baru")
    reading(cisadane, wib("2026-11-20 14:30"), 2.2)


def test_pdf_contains_every_section_and_figures(busy_day):
    report, created = do_generate_daily_report(DAY, now=MORNING_AFTER)
    assert created and report.version == 1 and report.generated_by is None
    assert bytes(report.pdf).startswith(b"%PDF") and report.pdf_bytes == len(bytes(report.pdf))
    text = " ".join(pdf_text(bytes(report.pdf)).split())
    assert "Laporan Situasi Harian" in text
    assert "Pemerintah Kota Tangerang" in text and "Command Center" in text
    assert "Jumat, 20 November 2026" in text
    for heading in SECTION_HEADINGS:
        assert heading in text, heading
    assert "Tumpukan sampah di Pasar Anyar" in text  # the open critical incident
    assert "Pos Cisadane Pasar Baru" in text and "2,20 m" in text and "Siaga 2" in text
    assert "21-11-2026 06:00 WIB" in text  # generated-at and as-of times in WIB
    assert "Sumber" in text and "per" in text
    assert report.summary["incidents"]["total"] == 2


def test_regenerating_keeps_the_earlier_version_and_is_audited(busy_day, personas):
    first, _ = do_generate_daily_report(DAY, now=MORNING_AFTER)
    second, created = do_generate_daily_report(DAY, personas["operator"], now=wib("2026-11-21 09:00"))
    assert created and (first.version, second.version) == (1, 2)
    assert DailyReport.objects.filter(day=DAY).count() == 2
    first.refresh_from_db()
    assert first.generated_at == MORNING_AFTER  # untouched
    audit = AuditRecord.objects.get(action="reports.generate_daily_report")
    assert audit.actor == personas["operator"] and audit.object_id == str(second.pk)
    assert not AuditRecord.objects.filter(object_id=str(first.pk), action="reports.generate_daily_report").exists()


def test_only_if_missing_does_nothing_when_the_day_has_a_report(busy_day):
    first, _ = do_generate_daily_report(DAY, now=MORNING_AFTER)
    again, created = do_generate_daily_report(DAY, only_if_missing=True, now=wib("2026-11-21 07:00"))
    assert not created and again.pk == first.pk
    assert DailyReport.objects.count() == 1


def test_a_day_in_the_future_stores_nothing():
    with pytest.raises(BadDay):
        do_generate_daily_report(date(2026, 11, 22), now=MORNING_AFTER)
    assert DailyReport.objects.count() == 0


def test_schedule_makes_one_report_at_six_and_none_again_after_a_restart(busy_day):
    with time_machine.travel(wib("2026-11-21 05:59"), tick=False):
        assert DailyReportScheduler(at="06:00").tick() is None
        assert DailyReport.objects.count() == 0
    with time_machine.travel(wib("2026-11-21 06:00"), tick=False):
        made = DailyReportScheduler(at="06:00").tick()
        assert made is not None and made.day == DAY and made.generated_by is None
    with time_machine.travel(wib("2026-11-21 06:00:30"), tick=False):
        restarted = DailyReportScheduler(at="06:00")  # a new process: nothing in memory
        assert restarted.tick() is None
    with time_machine.travel(wib("2026-11-21 23:59"), tick=False):
        assert DailyReportScheduler(at="06:00").tick() is None
    assert list(DailyReport.objects.values_list("day", "version")) == [(DAY, 1)]
    with time_machine.travel(wib("2026-11-22 06:00"), tick=False):
        next_day = DailyReportScheduler(at="06:00").tick()
    assert next_day.day == date(2026, 11, 21)
    assert DailyReport.objects.count() == 2


def test_schedule_time_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("KOMANDO_DAILY_REPORT_AT", "07:30")
    scheduler = DailyReportScheduler()
    assert scheduler.due_day(wib("2026-11-21 07:29")) is None
    assert scheduler.due_day(wib("2026-11-21 07:30")) == DAY


@pytest.mark.parametrize("value", ["6", "24:00", "06:60", "enam", ""])
def test_a_bad_schedule_time_is_refused(value):
    with pytest.raises(ValueError, match="KOMANDO_DAILY_REPORT_AT"):
        parse_at(value)


def test_management_command(busy_day):
    out = io.StringIO()
    with time_machine.travel(MORNING_AFTER, tick=False):
        call_command("generate_daily_report", "--date", "2026-11-20", stdout=out)
        call_command("generate_daily_report", "--if-missing", stdout=out)  # yesterday = the 20th: exists
        call_command("generate_daily_report", stdout=out)  # a new version
        with pytest.raises(CommandError, match="YYYY-MM-DD|TTTT"):
            call_command("generate_daily_report", "--date", "20/11/2026", stdout=out)
    assert "v1" in out.getvalue() and "already exists" in out.getvalue() and "v2" in out.getvalue()
    assert list(DailyReport.objects.order_by("version").values_list("version", flat=True)) == [1, 2]

"""The intake catalogue (categories with their current SOP) and the kelurahan rows are cached per process;
what another process writes is seen by the first report after the next fingerprint check (at most
``CHECK_SECONDS`` later; the tests that need it at once set it to 0). "Another process" is played by
writes that send no signals here (``bulk_create``, ``QuerySet.update``), as a second worker's would not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from komando.incidents import catalogue
from komando.incidents.errors import UnknownCategory
from komando.incidents.models import Category, PlaybookVersion

pytestmark = pytest.mark.django_db


def _new_version_elsewhere(category: Category, **changes) -> PlaybookVersion:
    current = PlaybookVersion.objects.filter(playbook__category=category).order_by("-number").first()
    fields = {f.name: getattr(current, f.name) for f in PlaybookVersion._meta.concrete_fields if f.name != "id"}
    fields.update(number=current.number + 1, created_at=timezone.now(), **changes)
    PlaybookVersion.objects.bulk_create([PlaybookVersion(**fields)])  # no post_save: as another process
    return PlaybookVersion.objects.get(playbook=current.playbook, number=current.number + 1)


def test_a_second_report_reads_no_category_sop_or_region_rows(report):
    report("SAMPAH")
    with CaptureQueriesContext(connection) as queries:
        incident = report("SAMPAH")
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert not [
        sql
        for sql in reads
        if sql.startswith(('SELECT "incidents_category"', 'SELECT "incidents_playbook', 'SELECT "regions_region"'))
    ]
    assert incident.category.code == "SAMPAH" and incident.kelurahan.level == "kelurahan"
    assert incident.kecamatan == incident.kelurahan.parent


@pytest.fixture
def check_every_time(monkeypatch):
    monkeypatch.setattr(catalogue, "CHECK_SECONDS", 0.0)


def test_a_new_sop_version_written_by_another_process_is_taken_by_the_next_report(report, check_every_time):
    first = report("SAMPAH")
    newer = _new_version_elsewhere(first.category, change_note="SLA dipercepat")
    second = report("SAMPAH")
    assert first.playbook_version.number + 1 == second.playbook_version.number == newer.number
    assert second.playbook_version_id == newer.pk
    first.refresh_from_db()
    assert first.playbook_version.number == newer.number - 1  # an incident keeps the version it started under


def test_a_category_switched_off_elsewhere_is_refused_at_once(report, check_every_time):
    report("SAMPAH")
    Category.objects.filter(code="SAMPAH").update(active=False, updated_at=timezone.now() + timedelta(seconds=1))
    with pytest.raises(UnknownCategory):
        report("SAMPAH")


def test_a_category_changed_here_is_seen_without_waiting(report):
    report("SAMPAH")
    category = Category.objects.get(code="SAMPAH")
    category.default_priority = "tinggi"
    category.save()
    assert report("SAMPAH").priority == "tinggi"


def test_service_codes_match_exactly_else_in_other_letters_and_only_with_an_sop(incident_data):
    assert catalogue.entry("SAMPAH", with_playbook=True).category.code == "SAMPAH"
    assert catalogue.entry("sampah", with_playbook=True).category.code == "SAMPAH"
    assert catalogue.entry(" ", with_playbook=True) is None
    assert catalogue.entry("TIDAK-ADA") is None
    bare = Category.objects.create(code="TANPA-SOP", name="Tanpa SOP")
    assert catalogue.entry("TANPA-SOP").category == bare
    assert catalogue.entry("TANPA-SOP").version is None
    assert catalogue.entry("TANPA-SOP", with_playbook=True) is None


def test_a_burst_of_reports_shares_one_fingerprint_check_and_the_next_second_checks_again(report, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(catalogue.time, "monotonic", lambda: clock[0])
    first = report("SAMPAH")
    newer = _new_version_elsewhere(first.category)

    def fingerprint_reads():
        with CaptureQueriesContext(connection) as queries:
            incident = report("SAMPAH")
        return incident, [q for q in queries.captured_queries if '"incidents_playbookversion"' in q["sql"]]

    clock[0] += catalogue.CHECK_SECONDS / 2
    within, reads = fingerprint_reads()
    assert reads == [] and within.playbook_version_id == first.playbook_version_id
    clock[0] += catalogue.CHECK_SECONDS
    after, reads = fingerprint_reads()
    assert len(reads) == 2  # the fingerprint, then the catalogue built again
    assert after.playbook_version_id == newer.pk

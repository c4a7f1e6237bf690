"""LAKSA and SP4N-LAPOR! complaints become incidents: the real connectors against their simulators
over HTTP, and stored complaints shaped as the connectors store them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from komando.complaints.actions import do_record_complaints
from komando.complaints.models import Channel as ComplaintChannel
from komando.complaints.models import Complaint, ComplaintStatus
from komando.complaints.records import ComplaintRecord
from komando.connectors.laksa.coordinator import Coordinator as LaksaCoordinator
from komando.connectors.laksa.simulator import build_simulator as build_laksa
from komando.connectors.lapor.coordinator import Coordinator as LaporCoordinator
from komando.connectors.lapor.simulator import build_simulator as build_lapor
from komando.incidents.bridges.complaints import bridge_complaints, incident_from_complaint
from komando.incidents.bridges.tests.conftest import Clock
from komando.incidents.choices import Channel
from komando.incidents.models import Incident, IncidentReport
from komando.regions.models import Region
from komando.runtime.composition import after_feed_commit
from komando.sources.framework import SourceDataInvalid
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import running_simulator

WIB = ZoneInfo("Asia/Jakarta")
KEY = "test-keytoken-lapor"
SUKARASA = "36.71.01.1001"
MARGIN = timedelta(minutes=10)  # complaints this close to the age limit may fall either side while a test runs


@pytest.fixture
def start():
    """Four hours ago: the simulators' clock starts here and moves towards now (never past it: the
    intake refuses reports from the future, and the age limit counts from the real now)."""
    return datetime.now(WIB).replace(microsecond=0) - timedelta(hours=4)


@pytest.fixture
def clock(start):
    return Clock(start)


def age_limit_split(complaints, hours, reached=lambda c: c.reported_at):
    """(surely young enough, surely too old) source refs for ``max_age_hours``."""
    now = timezone.now()
    limit = timedelta(hours=hours)
    young = {c.source_ref for c in complaints if now - reached(c) < limit - MARGIN}
    old = {c.source_ref for c in complaints if now - reached(c) > limit + MARGIN}
    return young, old


@pytest.fixture
def laksa(incident_data, clock):
    with running_simulator(build_laksa(settings.KOMANDO_CITY_DIR, clock=clock)) as url:
        yield (
            Source.objects.get(slug="laksa"),
            LaksaCoordinator(manifests()["laksa"], LaksaCoordinator.config_class(base_url=url)),
        )


@pytest.fixture
def lapor(incident_data, clock):
    app = build_lapor(settings.KOMANDO_CITY_DIR, clock=clock, keytoken=KEY)
    with running_simulator(app) as url:
        yield (
            Source.objects.get(slug="lapor"),
            LaporCoordinator(manifests()["lapor"], LaporCoordinator.config_class(base_url=url, keytoken=KEY)),
            app,
        )


def reports_of(channel):
    return IncidentReport.objects.filter(channel=channel).select_related("incident__category")


@pytest.mark.django_db
def test_laksa_run_opens_one_incident_per_open_recent_complaint_and_none_twice(
    laksa, clock, start, django_capture_on_commit_callbacks
):
    source, coordinator = laksa
    with django_capture_on_commit_callbacks(execute=True):
        assert run_source(source, coordinator)
    complaints = {c.source_ref: c for c in Complaint.objects.filter(channel=ComplaintChannel.LAKSA)}
    still_open = [c for c in complaints.values() if c.status != ComplaintStatus.RESOLVED]
    young, old = age_limit_split(still_open, 24)  # max_age_hours of LAKSA in the city's mapping
    assert len(complaints) > len(still_open) > len(young) > 20 and old
    reports = {r.source_ref: r for r in reports_of(Channel.LAKSA)}
    # Resolved at the source before Komando saw them, or older than a day: no incident.
    assert young <= set(reports) <= {c.source_ref for c in still_open} - old
    for ref, report in reports.items():
        complaint = complaints[ref]
        assert report.incident.category.code == complaint.category_code  # LAKSA speaks the city's codes
        assert (report.lat, report.lon) == (complaint.lat, complaint.lon)
        assert report.reported_at == complaint.reported_at
        assert report.description == complaint.description
        assert report.address == complaint.address
        assert report.attributes["location_source"] == "point"
        assert report.contact_name is None and report.contact_phone is None  # LAKSA sends none
    first = set(reports)

    clock.advance(minutes=180)  # statuses move on, new complaints arrive
    with django_capture_on_commit_callbacks(execute=True):
        assert run_source(source, coordinator)
    complaints = {c.source_ref: c for c in Complaint.objects.filter(channel=ComplaintChannel.LAKSA)}
    refs = list(reports_of(Channel.LAKSA).values_list("source_ref", flat=True))
    assert len(refs) == len(set(refs)) == Incident.objects.filter(reports__channel=Channel.LAKSA).count()
    assert first <= set(refs)  # resolved since: the incident stays, no second one
    new = set(refs) - first
    assert new and all(complaints[ref].reported_at > start - timedelta(minutes=5) for ref in new)


@pytest.mark.django_db
def test_lapor_run_maps_topics_places_by_kelurahan_and_skips_what_has_no_place(
    lapor, bridge_log, django_capture_on_commit_callbacks
):
    source, coordinator, app = lapor
    with django_capture_on_commit_callbacks(execute=True):
        assert run_source(source, coordinator)
    complaints = list(Complaint.objects.filter(channel=ComplaintChannel.LAPOR).select_related("kelurahan"))
    reports = {r.source_ref: r for r in reports_of(Channel.LAPOR)}
    topic_category = {
        "13": "LAYANAN",
        "21": "PRASARANA",
        "31": "ADMINDUK",
        "42": "KESEHATAN",
        "51": "PENDIDIKAN",
        "61": "KEBERSIHAN",
        "71": "TRANTIBUM",
        "81": "LALU-LINTAS",
        "91": "SOSIAL",
    }
    young, old = age_limit_split(complaints, 72, reached=lambda c: c.disposed_at)  # since disposed to the city
    assert young and old
    without_place = 0
    for complaint in complaints:
        report = reports.get(complaint.source_ref)
        if complaint.status == ComplaintStatus.RESOLVED or complaint.source_ref in old:
            assert report is None
        elif complaint.source_ref not in young:
            continue  # at the age limit: either way
        elif complaint.lat is None and complaint.kelurahan is None:
            assert report is None
            without_place += 1
            assert any(complaint.source_ref in m and "no location" in m for m in bridge_log.messages())
        else:
            assert report.incident.category.code == topic_category[complaint.category_code]
            assert report.incident.title == complaint.title
            assert report.attributes["source_category_code"] == complaint.category_code
            assert not report.attributes["category_fallback"]
    assert without_place > 0
    assert len(reports) > 10
    # Confidential reports carry no reporter at LAPOR!, and none on ours.
    assert not IncidentReport.objects.filter(channel=Channel.LAPOR).exclude(contact_name=None).exists()


def a_complaint(channel=ComplaintChannel.LAPOR, **changes) -> Complaint:
    """A complaint as the LAPOR! connector stores it (lokasi with a point and a kelurahan)."""
    kelurahan = Region.objects.get(code=SUKARASA)
    reported = timezone.now() - timedelta(hours=3)
    values = {
        "channel": channel,
        "source": Source.objects.get(slug="lapor" if channel == ComplaintChannel.LAPOR else "laksa"),
        "source_ref": "1916449",
        "category_code": "61",
        "category": "Lingkungan Hidup dan Kehutanan",
        "status": ComplaintStatus.WAITING,
        "source_status": "didisposisikan",
        "title": "Sampah tidak diangkut",
        "description": "Sampah di depan gang sudah seminggu tidak diangkut.",
        "address": "Jl. Jend. Sudirman, Kel. Sukarasa",
        "lat": kelurahan.centroid_lat + 0.001,
        "lon": kelurahan.centroid_lon,
        "kelurahan": kelurahan,
        "kecamatan": kelurahan.parent,
        "reported_at": reported,
        "disposed_at": reported + timedelta(hours=1),
        "source_updated_at": reported + timedelta(hours=1),
        "contact_name": "Siti Rahmawati",
        "contact_phone": "0812-3456-7890",
        "contact_email": "siti@example.id",
    }
    values.update(changes)
    return Complaint.objects.create(**values)


@pytest.mark.django_db
def test_contact_is_copied_only_when_the_complaint_is_not_confidential(incident_data):
    open_one = incident_from_complaint(a_complaint(source_ref="1"))
    secret = incident_from_complaint(a_complaint(source_ref="2", confidential=True))
    report = open_one.reports.get()
    assert (report.contact_name, report.contact_phone, report.contact_email) == (
        "Siti Rahmawati",
        "0812-3456-7890",
        "siti@example.id",
    )
    hidden = secret.reports.get()
    assert (hidden.contact_name, hidden.contact_phone, hidden.contact_email) == (None, None, None)


@pytest.mark.django_db
def test_an_unusable_contact_is_dropped_and_the_report_taken(incident_data, bridge_log):
    incident = incident_from_complaint(a_complaint(contact_email="not-an-address", contact_phone="call me"))
    report = incident.reports.get()
    assert (report.contact_name, report.contact_email, report.contact_phone) == (None, None, None)
    assert any("contact is not usable" in m for m in bridge_log.messages())


@pytest.mark.django_db
def test_the_same_complaint_twice_and_updated_is_one_incident(incident_data, django_capture_on_commit_callbacks):
    source = Source.objects.get(slug="laksa")
    reported = timezone.now() - timedelta(hours=2)
    record = ComplaintRecord(
        source_ref="LAKSA-2026-00000042",
        status="waiting",
        source_status="menunggu",
        reported_at=reported,
        source_updated_at=reported,
        category_code="JLN-RUSAK",
        category="Jalan rusak / berlubang",
        description="Jalan berlubang cukup dalam",
        lat=-6.1729,
        lon=106.6318,
        region_code=SUKARASA,
    )
    with django_capture_on_commit_callbacks(execute=True):
        after_feed_commit(source, do_record_complaints(source, ComplaintChannel.LAKSA, [record]))
    with django_capture_on_commit_callbacks(execute=True):
        after_feed_commit(source, do_record_complaints(source, ComplaintChannel.LAKSA, [record]))  # delivered again
    later = reported + timedelta(hours=1)
    for status, word in (("in_progress", "proses"), ("resolved", "selesai")):
        changed = ComplaintRecord(**{**record.__dict__, "status": status, "source_status": word, "source_updated_at": later})
        with django_capture_on_commit_callbacks(execute=True):
            after_feed_commit(source, do_record_complaints(source, ComplaintChannel.LAKSA, [changed]))
        later += timedelta(hours=1)
    reports = IncidentReport.objects.filter(channel=Channel.LAKSA)
    assert reports.count() == 1 and Incident.objects.count() == 1
    assert reports.get().source_ref == "LAKSA-2026-00000042"
    assert Complaint.objects.get().status == "resolved"


@pytest.mark.django_db
def test_unknown_source_category_goes_to_the_fallback_and_is_logged(incident_data, bridge_log):
    incident = incident_from_complaint(a_complaint(category_code="999", category="Topik baru"))
    assert incident.category.code == "LAYANAN"
    assert incident.reports.get().attributes["category_fallback"] is True
    warnings = bridge_log.messages(level=30)
    assert any("'999'" in m and "LAYANAN" in m and "1916449" in m for m in warnings)


@pytest.mark.django_db
def test_without_a_point_the_kelurahan_centroid_places_it(incident_data):
    kelurahan = Region.objects.get(code=SUKARASA)
    incident = incident_from_complaint(a_complaint(lat=None, lon=None))
    report = incident.reports.get()
    assert (report.lat, report.lon) == (kelurahan.centroid_lat, kelurahan.centroid_lon)
    assert report.attributes["location_source"] == "kelurahan_centroid"
    assert incident.kelurahan == kelurahan


@pytest.mark.django_db
def test_a_point_outside_the_city_falls_back_to_the_kelurahan_else_is_refused(incident_data, bridge_log):
    kelurahan = Region.objects.get(code=SUKARASA)
    placed = incident_from_complaint(a_complaint(source_ref="1", lat=-6.17539, lon=106.82716))  # Monas, Jakarta
    assert (placed.lat, placed.lon) == (kelurahan.centroid_lat, kelurahan.centroid_lon)
    from komando.incidents.bridges.common import bridge_record

    outside = a_complaint(source_ref="2", lat=-6.17539, lon=106.82716, kelurahan=None, kecamatan=None)
    assert bridge_record(incident_from_complaint, outside, "complaint 2") is None
    assert any("complaint 2" in m and "outside" in m for m in bridge_log.messages(level=30))
    assert not IncidentReport.objects.filter(source_ref="2").exists()


@pytest.mark.django_db
def test_without_any_place_it_is_skipped_with_a_reason(incident_data, bridge_log):
    kecamatan_only = a_complaint(lat=None, lon=None, kelurahan=None)
    assert bridge_complaints(kecamatan_only.source_id, [kecamatan_only.source_ref]) == []
    assert not IncidentReport.objects.exists()
    assert any("1916449" in m and "no location" in m for m in bridge_log.messages(level=20))


@pytest.mark.django_db
def test_the_age_limit_counts_from_when_the_complaint_reached_the_city(incident_data, bridge_log):
    now = timezone.now()
    late = a_complaint(
        source_ref="1",
        reported_at=now - timedelta(days=5),
        disposed_at=now - timedelta(hours=70),
        source_updated_at=now - timedelta(hours=70),
    )
    a_complaint(
        source_ref="2",
        reported_at=now - timedelta(days=5),
        disposed_at=now - timedelta(hours=74),
        source_updated_at=now - timedelta(hours=74),
    )
    laksa_stale = a_complaint(
        ComplaintChannel.LAKSA,
        source_ref="3",
        category_code="SAMPAH",
        disposed_at=None,
        reported_at=now - timedelta(hours=25),
        source_updated_at=now - timedelta(hours=25),
    )
    opened = bridge_complaints(late.source_id, ["1", "2"]) + bridge_complaints(laksa_stale.source_id, ["3"])
    assert [i.reports.get().source_ref for i in opened] == ["1"]
    assert opened[0].reported_at == late.reported_at  # the complainant's time, not the disposal's
    assert sum("max_age_hours" in m for m in bridge_log.messages()) == 2


@pytest.mark.django_db
def test_resolved_before_komando_saw_it_opens_nothing(incident_data, bridge_log):
    resolved = a_complaint(status=ComplaintStatus.RESOLVED, source_status="selesai")
    assert bridge_complaints(resolved.source_id, [resolved.source_ref]) == []
    assert not IncidentReport.objects.exists()
    assert any("already resolved" in m for m in bridge_log.messages())


@pytest.mark.django_db
def test_a_refusing_bridge_keeps_the_feeds_rows(incident_data, city_copy, bridge_log, django_capture_on_commit_callbacks):
    """The mapping names a category the city does not have: the intake refuses every complaint, the
    complaints are stored all the same and the feed hears nothing of it."""
    city_copy(lambda data: data["laksa"].update(codes_are_categories=False, categories={"JLN-RUSAK": "NO-SUCH"}))
    source = Source.objects.get(slug="laksa")
    reported = timezone.now() - timedelta(hours=1)
    records = [
        ComplaintRecord(
            source_ref=f"LAKSA-{n}",
            status="waiting",
            reported_at=reported,
            source_updated_at=reported,
            category_code="JLN-RUSAK",
            lat=-6.1729,
            lon=106.6318,
        )
        for n in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = do_record_complaints(source, ComplaintChannel.LAKSA, records)
        after_feed_commit(source, result)
    assert callbacks and result.created == 3
    assert Complaint.objects.count() == 3
    assert not IncidentReport.objects.exists()
    refusals = [m for m in bridge_log.messages(level=30) if "report refused" in m]
    assert sorted(m.split(" ")[2] for m in refusals) == ["LAKSA-0", "LAKSA-1", "LAKSA-2"]


@pytest.mark.django_db
def test_a_crashing_bridge_keeps_the_feeds_rows_and_the_other_complaints(
    incident_data, monkeypatch, bridge_log, django_capture_on_commit_callbacks
):
    from komando.incidents.bridges import complaints as bridge

    real = bridge.incident_from_complaint

    def flaky(complaint):
        if complaint.source_ref == "LAKSA-1":
            raise RuntimeError("disk on fire")
        return real(complaint)

    monkeypatch.setattr(bridge, "incident_from_complaint", flaky)
    source = Source.objects.get(slug="laksa")
    reported = timezone.now() - timedelta(hours=1)
    records = [
        ComplaintRecord(
            source_ref=f"LAKSA-{n}",
            status="waiting",
            reported_at=reported + timedelta(minutes=n),
            source_updated_at=reported,
            category_code="SAMPAH",
            lat=-6.1729,
            lon=106.6318,
        )
        for n in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        after_feed_commit(source, do_record_complaints(source, ComplaintChannel.LAKSA, records))
    assert Complaint.objects.count() == 3
    assert sorted(IncidentReport.objects.values_list("source_ref", flat=True)) == ["LAKSA-0", "LAKSA-2"]
    failures = [r for r in bridge_log if r.levelno >= 40]
    assert len(failures) == 1 and "LAKSA-1" in failures[0].getMessage() and failures[0].exc_info


@pytest.mark.django_db
def test_a_feed_that_rolls_back_opens_nothing(incident_data, django_capture_on_commit_callbacks):
    source = Source.objects.get(slug="laksa")
    reported = timezone.now() - timedelta(hours=1)
    good = ComplaintRecord(
        source_ref="LAKSA-1",
        status="waiting",
        reported_at=reported,
        source_updated_at=reported,
        category_code="SAMPAH",
        lat=-6.1729,
        lon=106.6318,
    )
    bad = ComplaintRecord(**{**good.__dict__, "source_ref": "LAKSA-2", "region_code": "99.99.99.9999"})
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(SourceDataInvalid):
        after_feed_commit(source, do_record_complaints(source, ComplaintChannel.LAKSA, [good, bad]))
    assert not callbacks
    assert not Complaint.objects.exists() and not IncidentReport.objects.exists()

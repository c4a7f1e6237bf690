"""Intake: a resident, a call taker, a feed or a sensor reports; the city gets one incident with a
ticket number, in its kelurahan, under its SOP, with its deadlines — or a clear refusal and nothing
stored."""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from komando.audit.models import AuditRecord
from komando.incidents.actions import do_report_incident
from komando.incidents.actions import intake as intake_module
from komando.incidents.choices import Channel, Priority, Status, TimelineKind
from komando.incidents.errors import IncidentError, InvalidReport, OutsideCity, UnknownCategory
from komando.incidents.models import Category, Incident, IncidentReport, TicketSequence, TimelineEntry
from komando.incidents.tests.conftest import JAVA_SEA, MONAS, SUKARASA
from komando.regions.models import Region, RegionLevel

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
CONTACT = {"name": "Budi Santoso", "email": "budi@example.org", "phone": "0812-3456-7890"}


def take(
    channel="laksa",
    *,
    source_ref="LAKSA-2026-000123",
    category_code="SAMPAH",
    lat=SUKARASA[0],
    lon=SUKARASA[1],
    reported_at=None,
    **kwargs,
):
    return do_report_incident(
        channel,
        source_ref=source_ref,
        category_code=category_code,
        description=kwargs.pop("description", "Sampah menumpuk sudah seminggu"),
        lat=lat,
        lon=lon,
        reported_at=reported_at or timezone.now(),
        **kwargs,
    )


def stored_counts():
    return (
        Incident.objects.count(),
        IncidentReport.objects.count(),
        TimelineEntry.objects.count(),
        AuditRecord.objects.count(),
        sum(TicketSequence.objects.values_list("last", flat=True)),
    )


def test_a_report_opens_an_incident_in_its_kelurahan_under_the_current_sop(incident_data):
    incident, report, created = take(contact=CONTACT, address="Jl. Daan Mogot")
    assert created
    assert re.fullmatch(r"TNG-\d{4}-\d{5}", incident.ticket)
    assert (incident.kelurahan.code, incident.kecamatan.code) == ("36.71.01.1001", "36.71.01")
    assert incident.status == Status.BARU and incident.priority == Priority.SEDANG  # SAMPAH's default
    assert incident.agency.code == "dlh"
    assert incident.playbook_version == Category.objects.get(code="SAMPAH").playbook.current_version()
    assert incident.respond_due_at and incident.resolve_due_at and incident.next_escalation_at
    assert (report.incident, report.ticket_incident, report.channel) == (incident, incident, Channel.LAKSA)
    assert (report.contact_name, report.contact_email, report.contact_phone) == (
        "Budi Santoso",
        "budi@example.org",
        "0812-3456-7890",
    )
    row = incident.timeline.get()
    assert (row.kind, row.to_status, row.public, row.actor) == (TimelineKind.REPORT, Status.BARU, True, None)


def test_the_same_report_again_is_the_same_incident(incident_data):
    first, report, created = take()
    counts = stored_counts()
    again, same_report, created_again = take(description="sent twice by the connector")
    assert (again, same_report, created, created_again) == (first, report, True, False)
    assert stored_counts() == counts


def test_the_same_reference_from_another_channel_is_another_report(incident_data):
    first, _, _ = take("laksa", source_ref="123")
    second, _, created = take("lapor", source_ref="123")
    assert created and second != first


def test_a_report_that_lost_the_race_returns_the_stored_one(incident_data, monkeypatch):
    """Two requests with the same report at once: the loser's insert fails on the unique
    constraint; it answers with the winner's incident and leaves nothing of its own."""
    winner, report, _ = take()
    counts = stored_counts()
    real_existing = intake_module._existing
    calls = []

    def not_seen_at_first(channel, source_ref):
        calls.append(source_ref)
        return None if len(calls) == 1 else real_existing(channel, source_ref)

    monkeypatch.setattr(intake_module, "_existing", not_seen_at_first)
    incident, same_report, created = take()
    assert (incident, same_report, created) == (winner, report, False)
    assert len(calls) == 2  # not seen, insert refused by the constraint, found
    assert stored_counts()[:4] == counts[:4]
    # The loser's ticket number was taken before its insert failed: a gap, never a number given twice.
    assert stored_counts()[4] == counts[4] + 1
    assert take(source_ref="next")[0].ticket.endswith("-00003")


def test_an_empty_reference_gets_a_unique_one(incident_data):
    first, report_1, _ = take("operator", source_ref="")
    second, report_2, _ = take("operator", source_ref=None)
    assert first != second and report_1.source_ref and report_1.source_ref != report_2.source_ref


def test_ticket_numbers_count_up_within_a_month_and_restart_the_next(incident_data):
    with time_machine.travel(datetime(2026, 11, 30, 16, 0, tzinfo=UTC), tick=False):  # 23:00 WIB, 30 Nov
        tickets = [take(source_ref=f"a{n}")[0].ticket for n in range(3)]
    assert tickets == ["TNG-2611-00001", "TNG-2611-00002", "TNG-2611-00003"]
    with time_machine.travel(datetime(2026, 11, 30, 17, 30, tzinfo=UTC), tick=False):  # 00:30 WIB, 1 Dec
        assert take(source_ref="b")[0].ticket == "TNG-2612-00001"


@pytest.mark.parametrize("point", [MONAS, JAVA_SEA, (0.0, 0.0)], ids=["jakarta", "java-sea", "null-island"])
def test_a_point_outside_the_city_is_refused_and_nothing_is_stored(incident_data, point):
    with pytest.raises(OutsideCity, match="outside") as refused:
        take(lat=point[0], lon=point[1], contact=CONTACT)
    assert refused.value.code == "outside_city"
    assert stored_counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"category_code": "TIDAK-ADA"}, UnknownCategory),
        ({"category_code": ""}, UnknownCategory),
        ({"lat": "abc"}, InvalidReport),
        ({"lat": None}, InvalidReport),
        ({"lat": 200.0}, InvalidReport),
        ({"lon": float("nan")}, InvalidReport),
        ({"reported_at": datetime(2026, 3, 1, 10, 0)}, InvalidReport),  # naive
        ({"reported_at": "2026-03-01T10:00:00+07:00"}, InvalidReport),  # not a datetime
        ({"reported_at": timezone.now() + timedelta(hours=2)}, InvalidReport),  # in the future
        ({"description": "x" * 4001}, InvalidReport),
        ({"priority": "darurat"}, InvalidReport),
        ({"contact": {"email": "bukan-email"}}, InvalidReport),
        ({"contact": {"phone": "tidak ada"}}, InvalidReport),
        ({"media_url": "javascript:alert(1)"}, InvalidReport),
        ({"attributes": ["not", "a", "mapping"]}, InvalidReport),
        ({"source_ref": "x" * 101}, InvalidReport),
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_is_stored(incident_data, kwargs, error):
    with pytest.raises(error) as refused:
        take(**kwargs)
    assert str(refused.value)
    assert stored_counts() == (0, 0, 0, 0, 0)


def test_an_unknown_channel_is_refused(incident_data):
    with pytest.raises(InvalidReport, match="channel"):
        take("telepati")
    assert stored_counts() == (0, 0, 0, 0, 0)


def test_an_inactive_category_takes_no_reports(incident_data):
    Category.objects.filter(code="PMKS").update(active=False)
    with pytest.raises(UnknownCategory):
        take(category_code="PMKS")


def test_the_category_code_is_matched_regardless_of_case(incident_data):
    incident, _, _ = take(category_code="pohon-tumbang")
    assert incident.category.code == "POHON-TUMBANG"


def test_every_kelurahan_centroid_is_placed_in_its_own_kelurahan(incident_data):
    from komando.incidents.geo import locate

    for kelurahan in Region.objects.filter(level=RegionLevel.KELURAHAN).select_related("parent"):
        placed, kecamatan = locate(kelurahan.centroid_lat, kelurahan.centroid_lon)
        assert (placed, kecamatan) == (kelurahan, kelurahan.parent)


def test_a_service_report_runs_on_working_days(incident_data):
    # Friday 13 March 2026, 15:00 WIB; Nyepi and Idulfitri leave follow (see the SLA calendar).
    at = datetime(2026, 3, 13, 15, 0, tzinfo=WIB)
    with time_machine.travel(at, tick=False):
        incident, _, _ = take(reported_at=at)  # SAMPAH, sedang: respond 1, resolve 3 working days
    assert incident.respond_due_at == datetime(2026, 3, 16, 23, 59, 59, tzinfo=WIB)
    assert incident.resolve_due_at == datetime(2026, 3, 25, 23, 59, 59, tzinfo=WIB)
    assert incident.next_escalation_at == incident.respond_due_at  # the operator's rung comes at the breach


def test_an_emergency_runs_on_the_wall_clock(incident_data):
    at = datetime(2026, 3, 21, 2, 0, tzinfo=WIB)  # a Saturday night on Idulfitri
    with time_machine.travel(at, tick=False):
        incident, _, _ = take("call_112", category_code="KEBAKARAN", reported_at=at)
    assert incident.priority == Priority.KRITIS
    assert incident.respond_due_at == at + timedelta(minutes=15)
    assert incident.resolve_due_at == at + timedelta(hours=4)


def test_a_priority_given_at_intake_sets_the_deadlines(incident_data):
    at = datetime(2026, 3, 21, 2, 0, tzinfo=WIB)
    with time_machine.travel(at, tick=False):
        incident, _, _ = take("atcs", category_code="KEMACETAN", reported_at=at, priority=Priority.KRITIS)
    assert incident.respond_due_at == at + timedelta(minutes=10)


def test_a_report_from_the_past_keeps_its_time(incident_data):
    earlier = timezone.now() - timedelta(days=2)
    incident, report, _ = take("lapor", reported_at=earlier)
    assert incident.reported_at == report.reported_at == earlier


def test_staff_intake_is_audited_without_personal_data(incident_data, operator):
    incident, report, _ = take("operator", acting_user=operator, contact=CONTACT)
    record = AuditRecord.objects.get(action="incident.report")
    assert record.actor == operator and record.object_id == str(incident.pk)
    assert report.created_by == operator
    assert incident.timeline.get().actor == operator
    text = json.dumps([record.before, record.after])
    assert all(value not in text for value in CONTACT.values())


def test_a_feed_intake_is_not_audited(incident_data):
    take("laksa")
    assert not AuditRecord.objects.exists()


def test_intake_tells_staff_screens_without_personal_data(incident_data, captured_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident, _, _ = take(contact=CONTACT)
    assert [(event.type, event.audience) for event in captured_events] == [("incidents.changed", "staff")]
    data = captured_events[0].message()["event"]["data"]
    assert data["change"] == "reported" and data["incident"]["ticket"] == incident.ticket
    assert data["incident"]["kelurahan"] == "36.71.01.1001"
    assert all(value not in json.dumps(data) for value in CONTACT.values())


def test_nothing_is_sent_when_intake_fails(incident_data, captured_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(IncidentError):
        take(lat=MONAS[0], lon=MONAS[1])
    assert captured_events == []


def test_incident_and_timeline_row_are_written_together_or_not_at_all(incident_data, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the timeline table is unavailable")

    monkeypatch.setattr(intake_module, "write_timeline", broken)
    with pytest.raises(RuntimeError):
        take(source_ref=str(uuid.uuid4()))
    assert stored_counts()[:4] == (0, 0, 0, 0)
    assert stored_counts()[4] <= 1  # at most a skipped ticket number (taken in its own statement)

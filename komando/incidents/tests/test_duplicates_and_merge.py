"""One incident, many reports: a new report near an open incident of the same category is proposed as
its duplicate; merging keeps every report and every reporter and says so on both timelines."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from komando.audit.models import AuditRecord
from komando.incidents.actions import do_hand_off_incident, do_merge_incidents, do_transition_incident
from komando.incidents.choices import Status, TimelineKind
from komando.incidents.errors import MergeNotAllowed
from komando.incidents.geo import haversine_m
from komando.incidents.models import Category, Incident, IncidentReport, TimelineEntry
from komando.incidents.selectors import duplicate_candidates, public_timeline, surviving_incident
from komando.incidents.tests.conftest import CIPONDOH_INDAH, SUKARASA, bring_to

pytestmark = pytest.mark.django_db
METRE = 1 / 111_320  # degrees of latitude


def near(metres: float) -> dict:
    return {"lat": SUKARASA[0] + metres * METRE, "lon": SUKARASA[1]}


def test_haversine_distance():
    assert haversine_m(*SUKARASA, SUKARASA[0] + 1000 * METRE, SUKARASA[1]) == pytest.approx(1000, rel=0.005)
    # Monas to Sukarasa, about 21 km
    assert haversine_m(-6.17539, 106.82716, *SUKARASA) == pytest.approx(21_400, rel=0.02)


def test_a_report_near_an_open_incident_of_the_same_category_is_proposed_as_its_duplicate(report):
    first = report("SAMPAH")
    second = report("SAMPAH", **near(100))
    assert second.possible_duplicate_of == first
    assert TimelineEntry.objects.get(incident=second).data["possible_duplicate_of"] == first.ticket


@pytest.mark.parametrize("case", ["far", "other-category", "rejected", "old"])
def test_no_duplicate_is_proposed(report, operator, case):
    first = report("SAMPAH", reported_at=timezone.now() - timedelta(days=4) if case == "old" else None)
    if case == "rejected":
        do_transition_incident(first, Status.DITOLAK, acting_user=operator, reason="Laporan iseng")
    second = report("SALURAN" if case == "other-category" else "SAMPAH", **near(400 if case == "far" else 50))
    assert second.possible_duplicate_of is None


def test_candidates_are_nearest_first_with_their_distance(report):
    far, close = report(**near(120)), report(**near(30))
    category = Category.objects.get(code="SAMPAH")
    found = duplicate_candidates(category, *SUKARASA, timezone.now())
    assert found == [close, far]
    assert [round(i.distance_m) for i in found] == [30, 120]
    assert duplicate_candidates(category, *SUKARASA, timezone.now(), exclude=close) == [far]


def test_the_radius_and_window_are_settings(report, settings):
    first = report()
    settings.KOMANDO_INCIDENT_DUPLICATE_RADIUS_M = 600
    assert report(**near(500)).possible_duplicate_of == first
    settings.KOMANDO_INCIDENT_DUPLICATE_WINDOW_HOURS = 0.01
    later = timezone.now() + timedelta(hours=1)
    assert duplicate_candidates(first.category, *SUKARASA, later) == []


def test_merging_moves_every_report_and_keeps_every_reporter(
    report, operator, django_capture_on_commit_callbacks, captured_events
):
    survivor = report(contact={"name": "Ani", "phone": "0813 1111 2222"})
    duplicate = report(**near(40), contact={"name": "Budi", "email": "budi@example.org"})
    ticket_of_budi = duplicate.ticket
    with django_capture_on_commit_callbacks(execute=True):
        result = do_merge_incidents(duplicate, survivor, acting_user=operator, comment="Lokasi sama")
    assert result is survivor
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into, duplicate.closed_at is not None) == (Status.DUPLIKAT, survivor, True)
    assert duplicate.next_escalation_at is None
    reports = IncidentReport.objects.filter(incident=survivor).order_by("id")
    assert [(r.contact_name, r.ticket_incident.ticket) for r in reports] == [("Ani", survivor.ticket), ("Budi", ticket_of_budi)]
    assert not duplicate.reports.exists() and duplicate.ticket_reports.count() == 1
    assert surviving_incident(duplicate) == survivor
    # both timelines say so, publicly, naming the other ticket
    on_duplicate = duplicate.timeline.get(kind=TimelineKind.MERGE)
    on_survivor = survivor.timeline.get(kind=TimelineKind.MERGE)
    assert (on_duplicate.from_status, on_duplicate.to_status, on_duplicate.data["into"]) == (
        Status.BARU,
        Status.DUPLIKAT,
        survivor.ticket,
    )
    assert (on_survivor.to_status, on_survivor.data["from"], on_survivor.data["reports_moved"]) == ("", ticket_of_budi, 1)
    assert on_duplicate.public and on_survivor.public
    assert public_timeline(duplicate)[-1]["merged_into"] == survivor.ticket
    assert AuditRecord.objects.filter(action="incident.merge", actor=operator).count() == 2
    assert sorted(e.data["incident"]["ticket"] for e in captured_events) == sorted([survivor.ticket, ticket_of_budi])
    assert "Budi" not in json.dumps([e.message() for e in captured_events])


def test_the_proposal_is_cleared_and_follows_the_merge(report, operator):
    survivor = report()
    duplicate = report(**near(40))
    third = report(**near(20))
    assert duplicate.possible_duplicate_of == survivor
    Incident.objects.filter(pk=third.pk).update(possible_duplicate_of=duplicate)
    do_merge_incidents(duplicate, survivor, acting_user=operator)
    duplicate.refresh_from_db()
    third.refresh_from_db()
    assert duplicate.possible_duplicate_of is None
    assert third.possible_duplicate_of == survivor


def test_merges_chain_to_the_last_survivor(report, operator):
    a, b, c = report(), report(**near(10)), report(**near(20))
    do_merge_incidents(a, b, acting_user=operator)
    do_merge_incidents(b, c, acting_user=operator)
    a.refresh_from_db()
    assert surviving_incident(a) == c
    assert c.reports.count() == 3


@pytest.mark.parametrize("target_status", [Status.DITOLAK, Status.DITUTUP, Status.DUPLIKAT])
def test_merging_into_a_finished_incident_is_refused(report, operator, target_status):
    duplicate = report()
    target = bring_to(
        report(lat=CIPONDOH_INDAH[0], lon=CIPONDOH_INDAH[1]),
        target_status,
        operator,
        other=report(lat=CIPONDOH_INDAH[0], lon=CIPONDOH_INDAH[1]),
    )
    rows = TimelineEntry.objects.count()
    with pytest.raises(MergeNotAllowed):
        do_merge_incidents(duplicate, target, acting_user=operator)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.BARU and duplicate.reports.count() == 1
    assert TimelineEntry.objects.count() == rows


def test_an_incident_cannot_be_merged_into_itself(report, operator):
    incident = report()
    with pytest.raises(MergeNotAllowed):
        do_merge_incidents(incident, incident, acting_user=operator)


def test_merging_a_handed_off_incident_withdraws_the_pending_hand_off(report, operator):
    survivor, duplicate = report(), report(**near(30))
    bring_to(duplicate, Status.DIVERIFIKASI, operator)
    handoff = do_hand_off_incident(duplicate, reason="PLN", acting_user=operator, to_party="pln")
    do_merge_incidents(duplicate, survivor, acting_user=operator)
    handoff.refresh_from_db()
    assert handoff.withdrawn_at is not None and not handoff.is_pending


def test_merging_a_more_urgent_duplicate_raises_the_survivors_priority(report, operator):
    survivor = report(priority="sedang")
    urgent = report(priority="kritis", **near(40))
    due_before = survivor.resolve_due_at
    do_merge_incidents(urgent, survivor, acting_user=operator)
    survivor.refresh_from_db()
    assert survivor.priority == "kritis"
    assert survivor.resolve_due_at < due_before  # the SLA of the new priority is shorter
    raised = TimelineEntry.objects.get(incident=survivor, kind=TimelineKind.PRIORITY)
    assert (raised.data["from"], raised.data["to"], raised.data["merged"]) == ("sedang", "kritis", urgent.ticket)


def test_merging_a_less_urgent_duplicate_keeps_the_survivors_priority(report, operator):
    survivor = report(priority="tinggi")
    minor = report(priority="rendah", **near(40))
    due_before = survivor.resolve_due_at
    do_merge_incidents(minor, survivor, acting_user=operator)
    survivor.refresh_from_db()
    assert (survivor.priority, survivor.resolve_due_at) == ("tinggi", due_before)
    assert not TimelineEntry.objects.filter(incident=survivor, kind=TimelineKind.PRIORITY).exists()

"""Working an incident: SOP checklist, priority, comments, escalation up the ladder when a deadline
passes (time travel), one transaction per change, and a timeline nobody can rewrite."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from komando.incidents.actions import common as common_module
from komando.incidents.actions import (
    do_comment_incident,
    do_complete_checklist_step,
    do_escalate_incident,
    do_escalate_overdue_incident,
    do_set_incident_priority,
    do_transition_incident,
)
from komando.incidents.actions import status as status_module
from komando.incidents.choices import Priority, Status, TimelineKind
from komando.incidents.errors import ChecklistError, IncidentError
from komando.incidents.models import ChecklistEntry, Incident, TimelineEntry
from komando.incidents.selectors import checklist_state, escalation_due, open_queue, public_timeline
from komando.incidents.tests.conftest import bring_to

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
FRIDAY_AFTERNOON = datetime(2026, 3, 13, 15, 0, tzinfo=WIB)


# --- SOP checklist


def test_a_checklist_step_is_done_once_with_who_when_and_a_note(report, operator):
    incident = bring_to(report("SAMPAH"), Status.DALAM_PENANGANAN, operator)
    entry = do_complete_checklist_step(incident, "angkut", acting_user=operator, note="2 m3 diangkut truk B 9123")
    again = do_complete_checklist_step(incident, "angkut", acting_user=operator, note="lagi")
    assert again == entry and ChecklistEntry.objects.count() == 1
    row = incident.timeline.get(kind=TimelineKind.CHECKLIST)
    assert (row.data["step"], row.actor, row.public) == ("angkut", operator, False)
    state = {step["key"]: step for step in checklist_state(incident)}
    assert state["angkut"]["done"] and state["angkut"]["note"] == "2 m3 diangkut truk B 9123"
    assert not state["verifikasi"]["done"]


def test_a_step_the_sop_does_not_have_is_refused(report, operator):
    incident = report("SAMPAH")
    with pytest.raises(ChecklistError):
        do_complete_checklist_step(incident, "pemadaman", acting_user=operator)  # a fire step
    assert not ChecklistEntry.objects.exists()


@pytest.mark.parametrize("status", [Status.DITOLAK, Status.DITUTUP])
def test_no_checklist_step_after_the_incident_is_finished(report, operator, status):
    incident = bring_to(report("SAMPAH"), status, operator)
    done = ChecklistEntry.objects.count()
    with pytest.raises(ChecklistError):
        do_complete_checklist_step(incident, "sosialisasi", acting_user=operator)
    assert ChecklistEntry.objects.count() == done


# --- priority and comments


def test_raising_the_priority_brings_the_deadlines_forward(report, operator):
    with time_machine.travel(FRIDAY_AFTERNOON, tick=False):
        incident = report("SAMPAH", reported_at=FRIDAY_AFTERNOON)
        before = incident.resolve_due_at
        do_set_incident_priority(incident, Priority.KRITIS, acting_user=operator, comment="Menutup jalan")
    assert incident.priority == Priority.KRITIS and incident.resolve_due_at < before
    assert incident.timeline.get(kind=TimelineKind.PRIORITY).data == {"from": "sedang", "to": "kritis"}


def test_the_priority_of_a_closed_incident_does_not_change(report, operator):
    incident = bring_to(report(), Status.DITOLAK, operator)
    with pytest.raises(IncidentError):
        do_set_incident_priority(incident, Priority.TINGGI, acting_user=operator)


def test_only_public_comments_reach_the_tracking_page_masked(report, operator):
    incident = report()
    do_comment_incident(incident, "Pelapor minta ditelepon di 0812-9999-8888", acting_user=operator)
    do_comment_incident(
        incident, "Petugas menuju lokasi. Info: budi@example.org / 081299998888", acting_user=operator, public=True
    )
    shown = [row["text"] for row in public_timeline(incident) if row["kind"] == TimelineKind.COMMENT]
    assert len(shown) == 1
    assert shown[0].startswith("Petugas menuju lokasi") and "budi@" not in shown[0] and "9999" not in shown[0]
    with pytest.raises(IncidentError):
        do_comment_incident(incident, "  ", acting_user=operator)


def test_the_public_timeline_never_names_who_acted(report, operator):
    incident = bring_to(report(), Status.DITUGASKAN, operator)
    for row in public_timeline(incident):
        assert operator.username not in str(row.values())
        assert set(row) >= {"at", "kind", "to_status", "text"} and "actor" not in row


# --- escalation


def test_a_missed_response_climbs_the_ladder_one_rung_per_due_time(report):
    with time_machine.travel(FRIDAY_AFTERNOON, tick=False):
        incident = report("SAMPAH", reported_at=FRIDAY_AFTERNOON)  # respond by Mon 16 March 23:59:59 WIB
    monday_night = datetime(2026, 3, 16, 23, 0, tzinfo=WIB)
    assert not do_escalate_overdue_incident(incident.pk, now=monday_night)
    assert list(escalation_due(monday_night)) == []
    tuesday = datetime(2026, 3, 17, 8, 0, tzinfo=WIB)
    assert list(escalation_due(tuesday)) == [incident]
    assert do_escalate_overdue_incident(incident.pk, now=tuesday)
    assert not do_escalate_overdue_incident(incident.pk, now=tuesday)  # one rung per due time
    incident.refresh_from_db()
    assert incident.escalation_level == 1
    # the next rung (kepala bidang) comes one working day after the breach
    assert incident.next_escalation_at == datetime(2026, 3, 17, 23, 59, 59, tzinfo=WIB)
    row = incident.timeline.get(kind=TimelineKind.ESCALATION)
    assert (row.data["role"], row.actor, row.at) == ("operator", None, tuesday)
    # Wednesday 18 March is cuti bersama (Nyepi): the breach of Tuesday's rung is still a breach
    assert do_escalate_overdue_incident(incident.pk, now=datetime(2026, 3, 18, 9, 0, tzinfo=WIB))
    incident.refresh_from_db()
    assert incident.escalation_level == 2
    assert incident.timeline.filter(kind=TimelineKind.ESCALATION).last().data["role"] == "kepala_bidang"


def test_an_emergency_escalates_on_the_wall_clock(report):
    start = datetime(2026, 3, 21, 2, 0, tzinfo=WIB)
    with time_machine.travel(start, tick=False):
        incident = report("KEBAKARAN", reported_at=start)
    assert do_escalate_overdue_incident(incident.pk, now=start + timedelta(minutes=16))
    incident.refresh_from_db()
    assert incident.next_escalation_at == start + timedelta(minutes=30)  # 15 minutes after the breach


def test_taking_the_incident_up_ends_the_response_escalation(report, operator):
    with time_machine.travel(FRIDAY_AFTERNOON, tick=False):
        incident = report("SAMPAH", reported_at=FRIDAY_AFTERNOON)
    do_escalate_overdue_incident(incident.pk, now=datetime(2026, 3, 17, 8, 0, tzinfo=WIB))
    bring_to(Incident.objects.get(pk=incident.pk), Status.DITUGASKAN, operator)
    incident.refresh_from_db()
    assert incident.escalation_level == 0 and incident.responded_at is not None
    assert incident.next_escalation_at == incident.resolve_due_at  # now the resolution clock counts


def test_finished_incidents_never_escalate(report, operator):
    incident = bring_to(report(), Status.DITOLAK, operator)
    assert incident.next_escalation_at is None
    assert not do_escalate_overdue_incident(incident.pk, now=incident.reported_at + timedelta(days=365))


def test_an_operator_escalates_by_hand_up_to_the_mayor(report, operator):
    incident = report()
    for level in range(1, 6):
        do_escalate_incident(incident, acting_user=operator, comment="Butuh keputusan pimpinan")
        assert incident.escalation_level == level
    assert incident.next_escalation_at is None
    with pytest.raises(IncidentError, match="top"):
        do_escalate_incident(incident, acting_user=operator)
    assert incident.timeline.filter(kind=TimelineKind.ESCALATION).last().data["role"] == "wali_kota"


def test_the_queue_puts_escalated_and_urgent_incidents_first(report, operator):
    low = report("PMKS")
    fire = report("KEBAKARAN")
    escalated = report("SAMPAH")
    do_escalate_incident(escalated, acting_user=operator)
    assert list(open_queue()) == [escalated, fire, low]


# --- one transaction, append-only timeline


@pytest.mark.parametrize("broken", ["timeline", "audit"])
def test_a_failing_transition_leaves_neither_state_nor_timeline(report, operator, monkeypatch, broken):
    incident = report()
    rows = TimelineEntry.objects.count()

    def fail(*args, **kwargs):
        raise RuntimeError(f"{broken} unavailable")

    if broken == "timeline":
        monkeypatch.setattr(status_module, "write_timeline", fail)
    else:
        monkeypatch.setattr(common_module, "record_audit", fail)
    with pytest.raises(RuntimeError):
        do_transition_incident(incident, Status.DIVERIFIKASI, acting_user=operator)
    assert Incident.objects.get(pk=incident.pk).status == Status.BARU
    assert TimelineEntry.objects.count() == rows


def test_timeline_rows_cannot_be_changed_or_deleted(report):
    row = report().timeline.get()
    row.comment = "rewritten"
    for attempt in (
        row.save,
        row.delete,
        lambda: TimelineEntry.objects.filter(pk=row.pk).update(comment="x"),
        lambda: TimelineEntry.objects.filter(pk=row.pk).delete(),
    ):
        with pytest.raises(ValueError, match="append-only"):
            attempt()
    assert TimelineEntry.objects.get(pk=row.pk).comment == ""


# --- admin


def test_the_admin_shows_the_timeline_read_only_and_never_deletes_it(report, personas, client):
    incident = report()
    row = incident.timeline.get()
    client.force_login(personas["administrator"])
    page = client.get(f"/admin/incidents/incident/{incident.pk}/change/")
    assert page.status_code == 200 and incident.ticket in page.content.decode()
    assert client.get(f"/admin/incidents/timelineentry/{row.pk}/delete/").status_code == 403
    assert client.post(f"/admin/incidents/timelineentry/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert TimelineEntry.objects.filter(pk=row.pk).exists()
    inline = page.context["inline_admin_formsets"]
    timeline = next(f for f in inline if f.formset.model is TimelineEntry)
    assert not timeline.has_delete_permission and not timeline.has_change_permission


def test_the_admin_hides_a_reporters_contact_from_roles_that_may_not_see_it(report, personas, client):
    from komando.accounts.models import Role
    from komando.incidents.models import IncidentReport

    incident = report(contact={"name": "Siti Aminah", "phone": "0815 0000 1111"})
    report_row = IncidentReport.objects.get(incident=incident)
    executive = personas["executive"]
    executive.is_staff = True
    executive.save()
    from django.contrib.auth.models import Permission

    executive.user_permissions.add(Permission.objects.get(codename="view_incidentreport"))
    assert executive.groups.filter(name=Role.EXECUTIVE).exists()
    client.force_login(executive)
    page = client.get(f"/admin/incidents/incidentreport/{report_row.pk}/change/")
    assert page.status_code == 200 and "Siti Aminah" not in page.content.decode()
    client.force_login(personas["administrator"])
    assert "Siti Aminah" in client.get(f"/admin/incidents/incidentreport/{report_row.pk}/change/").content.decode()

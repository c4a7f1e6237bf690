"""Every transition through the actions, as an operator makes it: each legal one leaves one timeline
row (who, when, from, to) and an audit record; each illegal one is refused and stores nothing."""

import pytest

from komando.audit.models import AuditRecord
from komando.incidents.actions import (
    do_acknowledge_handoff,
    do_complete_checklist_step,
    do_hand_off_incident,
    do_merge_incidents,
    do_transition_incident,
)
from komando.incidents.choices import Status as S
from komando.incidents.choices import TimelineKind
from komando.incidents.errors import ChecklistIncomplete, HandoffError, ReasonRequired, TransitionNotAllowed
from komando.incidents.models import Incident, TimelineEntry
from komando.incidents.tests.conftest import CIPONDOH_INDAH, bring_to, complete_mandatory_steps
from komando.incidents.tests.test_lifecycle import ILLEGAL, LEGAL

pytestmark = pytest.mark.django_db


def perform(incident, new, user, *, other):
    """Ask for ``incident`` → ``new`` with the action a person uses for it."""
    if new == S.DIALIHKAN:
        do_hand_off_incident(incident, reason="Tiang listrik milik PLN", acting_user=user, to_party="pln")
    elif new == S.DUPLIKAT:
        do_merge_incidents(incident, other, acting_user=user)
    else:
        reason = "Alasan tertulis" if new in (S.DITOLAK, S.DIBUKA_KEMBALI) else ""
        do_transition_incident(incident, new, acting_user=user, reason=reason, comment="dicatat operator")


@pytest.mark.parametrize("old, new", sorted(LEGAL))
def test_legal_transition_through_the_actions_writes_one_timeline_row(report, operator, old, new):
    other = report(lat=CIPONDOH_INDAH[0], lon=CIPONDOH_INDAH[1])  # open incident a duplicate can merge into
    incident = bring_to(report(), old, operator, other=report())
    if new == S.DITUTUP:
        complete_mandatory_steps(incident, operator)
    rows_before = incident.timeline.count()
    perform(incident, new, operator, other=other)
    incident.refresh_from_db()
    assert incident.status == new
    rows = list(incident.timeline.order_by("-at", "-id"))
    assert len(rows) == rows_before + 1
    row = rows[0]
    assert (row.from_status, row.to_status, row.actor) == (old, new, operator)
    assert row.public
    assert AuditRecord.objects.filter(object_type="incidents.Incident", object_id=str(incident.pk), actor=operator).exists()


@pytest.mark.parametrize("old, new", ILLEGAL)
def test_illegal_transition_through_the_actions_is_refused_and_stores_nothing(report, operator, old, new):
    other = report(lat=CIPONDOH_INDAH[0], lon=CIPONDOH_INDAH[1])
    incident = bring_to(report(), old, operator, other=report())
    before = Incident.objects.filter(pk=incident.pk).values().get()
    rows, audits = TimelineEntry.objects.count(), AuditRecord.objects.count()
    with pytest.raises(TransitionNotAllowed):
        perform(incident, new, operator, other=other)
    assert Incident.objects.filter(pk=incident.pk).values().get() == before
    assert (TimelineEntry.objects.count(), AuditRecord.objects.count()) == (rows, audits)
    assert other.reports.count() == 1  # a refused merge moved no report


@pytest.mark.parametrize("status", [S.DITOLAK, S.DIBUKA_KEMBALI])
def test_rejecting_or_reopening_without_a_reason_is_refused(report, operator, status):
    incident = bring_to(report(), S.BARU if status == S.DITOLAK else S.SELESAI, operator)
    with pytest.raises(ReasonRequired):
        do_transition_incident(incident, status, acting_user=operator, reason="  ", comment="tanpa alasan")
    incident.refresh_from_db()
    assert incident.status != status


def test_the_reason_of_a_rejection_is_on_the_public_timeline(report, operator):
    from komando.incidents.selectors import public_timeline

    incident = report()
    do_transition_incident(
        incident, S.DITOLAK, acting_user=operator, reason="Lokasi milik swasta", comment="pelapor 0812 3456 7890 sudah ditelepon"
    )  # internal
    last = public_timeline(incident)[-1]
    assert last["to_status"] == S.DITOLAK
    assert "Lokasi milik swasta" in last["text"]
    assert "0812" not in last["text"] and "ditelepon" not in last["text"] and "operator" not in str(last)
    assert incident.closed_at is not None


def test_closing_is_refused_while_a_mandatory_step_is_undone(report, operator):
    incident = bring_to(report("SAMPAH"), S.SELESAI, operator)
    mandatory = [step["key"] for step in incident.playbook_version.steps if step["mandatory"]]
    for key in mandatory[:-1]:
        do_complete_checklist_step(incident, key, acting_user=operator)
    with pytest.raises(ChecklistIncomplete) as refused:
        do_transition_incident(incident, S.DITUTUP, acting_user=operator)
    assert refused.value.missing == mandatory[-1:]
    incident.refresh_from_db()
    assert incident.status == S.SELESAI and incident.closed_at is None
    do_complete_checklist_step(incident, mandatory[-1], acting_user=operator, note="foto terlampir")
    do_transition_incident(incident, S.DITUTUP, acting_user=operator)
    assert incident.status == S.DITUTUP and incident.closed_at is not None


def test_optional_steps_do_not_block_closing(report, operator):
    incident = bring_to(report("SAMPAH"), S.SELESAI, operator)
    complete_mandatory_steps(incident, operator)
    assert any(not step["mandatory"] for step in incident.playbook_version.steps)
    do_transition_incident(incident, S.DITUTUP, acting_user=operator)
    assert incident.status == S.DITUTUP


@pytest.mark.parametrize("new", [S.DITUGASKAN, S.DALAM_PENANGANAN, S.SELESAI])
def test_an_unacknowledged_hand_off_cannot_be_worked_on(report, operator, new):
    incident = bring_to(report(), S.DIVERIFIKASI, operator)
    do_hand_off_incident(incident, reason="Kabel PLN", acting_user=operator, to_party="pln")
    with pytest.raises(HandoffError, match="not acknowledged"):
        do_transition_incident(incident, new, acting_user=operator)
    incident.refresh_from_db()
    assert incident.status == S.DIALIHKAN


def test_an_unacknowledged_hand_off_can_be_taken_back(report, operator):
    incident = bring_to(report(), S.DIVERIFIKASI, operator)
    handoff = do_hand_off_incident(incident, reason="Kabel PLN", acting_user=operator, to_party="pln")
    do_transition_incident(incident, S.DIVERIFIKASI, acting_user=operator, comment="PLN tidak menjawab")
    handoff.refresh_from_db()
    assert handoff.withdrawn_at is not None and not handoff.is_pending
    with pytest.raises(HandoffError):
        do_acknowledge_handoff(handoff, acting_user=operator)


def test_lifecycle_timestamps(report, operator):
    incident = report()
    bring_to(incident, S.SELESAI, operator)
    assert incident.verified_at <= incident.responded_at <= incident.resolved_at
    do_transition_incident(incident, S.DIBUKA_KEMBALI, acting_user=operator, reason="Sampah menumpuk lagi")
    assert incident.reopen_count == 1
    assert incident.resolved_at is None and incident.reopened_at is not None


def test_dialihkan_and_duplikat_are_reached_only_through_their_actions(report, operator):
    incident = bring_to(report(), S.DIVERIFIKASI, operator)
    for status in (S.DIALIHKAN, S.DUPLIKAT):
        with pytest.raises(TransitionNotAllowed, match="do_"):
            do_transition_incident(incident, status, acting_user=operator)
    assert incident.timeline.filter(kind=TimelineKind.TRANSITION).count() == 1

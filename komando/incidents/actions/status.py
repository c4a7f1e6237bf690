"""Moving an incident along its lifecycle, and the changes that go with working it: priority,
comments, SOP checklist steps and escalation."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komando.incidents.actions.common import (
    announce,
    audit,
    audit_state,
    copy_state,
    lock_incident,
    write_timeline,
)
from komando.incidents.choices import EscalationRole, Priority, Status, TimelineKind
from komando.incidents.clock import compute_deadlines
from komando.incidents.errors import ChecklistError, HandoffError, IncidentError, InvalidReport, TransitionNotAllowed
from komando.incidents.lifecycle import (
    ACTION_ONLY,
    CHECKLIST_STATUSES,
    OPEN_STATUSES,
    RESPONSE_STATUSES,
    ensure_can_close,
    ensure_reason_given,
    ensure_transition_allowed,
    label,
)
from komando.incidents.models import ChecklistEntry, Handoff, Incident


def mark_status(incident: Incident, new_status: str, now: datetime) -> None:
    """Set the status and the timestamps that go with it (not saved). The caller checked legality."""
    incident.status = new_status
    if new_status == Status.DIVERIFIKASI and incident.verified_at is None:
        incident.verified_at = now
    if new_status in RESPONSE_STATUSES:
        mark_responded(incident, now)
    if new_status == Status.SELESAI:
        incident.resolved_at = now
    if new_status in (Status.DITUTUP, Status.DITOLAK, Status.DUPLIKAT):
        incident.closed_at = now
    if new_status == Status.DIBUKA_KEMBALI:
        incident.reopen_count += 1
        incident.reopened_at = now
        incident.resolved_at = incident.closed_at = None
        incident.escalation_level = 0  # a fresh clock starts with a fresh ladder


def mark_responded(incident: Incident, now: datetime) -> None:
    """The OPD took it up: the response SLA is met and the escalation about it is over."""
    if incident.responded_at is None:
        incident.responded_at = now
        incident.escalation_level = 0


def pending_handoff(incident: Incident) -> Handoff | None:
    handoff = incident.handoffs.select_for_update().order_by("-requested_at", "-id").first()
    return handoff if handoff is not None and handoff.is_pending else None


@transaction.atomic
def do_transition_incident(
    incident: Incident, new_status: str, *, acting_user, comment: str = "", reason: str = "", via: str = "ui"
) -> Incident:
    """Change the status along the lifecycle (``komando.incidents.lifecycle``), with one timeline row.

    ``reason`` is required for ditolak and dibuka_kembali and is shown to the reporter; ``comment`` is
    internal. Refused (``IncidentError`` subclasses, nothing stored): a transition not in the table;
    dialihkan and duplikat (use ``do_hand_off_incident`` / ``do_merge_incidents``); leaving dialihkan
    while the hand-off is unacknowledged (except taking it back to diverifikasi); ditutup while a
    mandatory checklist step is undone.
    """
    locked = lock_incident(incident)
    old = locked.status
    ensure_transition_allowed(old, new_status)
    if new_status in ACTION_ONLY:
        raise TransitionNotAllowed(
            _("An incident becomes %(new)s only through %(action)s."),
            new=label(new_status),
            action=ACTION_ONLY[Status(new_status)],
        )
    reason, comment = (reason or "").strip(), (comment or "").strip()
    ensure_reason_given(new_status, reason)
    now = timezone.now()
    data: dict = {}
    if old == Status.DIALIHKAN:
        handoff = pending_handoff(locked)
        if handoff is not None:
            if new_status != Status.DIVERIFIKASI:
                raise HandoffError(
                    _("The hand-off to %(receiver)s is not acknowledged yet; it can only be taken back."),
                    receiver=handoff.receiver_label(),
                )
            handoff.withdrawn_at = now
            handoff.save(update_fields=["withdrawn_at"])
            data["handoff_withdrawn"] = handoff.pk
    if new_status == Status.DITUTUP:
        done = locked.checklist.values_list("step_key", flat=True)
        ensure_can_close(locked.playbook_version.steps, done)
    before = audit_state(locked)
    mark_status(locked, new_status, now)
    compute_deadlines(locked)
    locked.save()
    if reason:
        data["reason"] = reason  # shown to the reporter; the comment stays internal
    write_timeline(
        locked,
        kind=TimelineKind.TRANSITION,
        acting_user=acting_user,
        from_status=old,
        to_status=new_status,
        comment="\n\n".join(part for part in (reason, comment) if part),
        public=True,
        data=data,
        at=now,
    )
    audit(
        acting_user,
        via=via,
        action="incident.transition",
        incident=locked,
        before=before,
        after={**audit_state(locked), "reason": reason, "comment": comment},
    )
    announce(locked, "status")
    copy_state(locked, incident)
    return incident


@transaction.atomic
def do_set_incident_priority(incident: Incident, priority: str, *, acting_user, comment: str = "", via: str = "ui") -> Incident:
    """Change the priority of an open incident; its deadlines follow the SOP's SLA for the new priority."""
    if priority not in Priority.values:
        raise InvalidReport(_("Unknown priority %(priority)s."), priority=repr(priority))
    locked = lock_incident(incident)
    if locked.status not in OPEN_STATUSES:
        raise IncidentError(_("The priority of an incident that is %(status)s cannot change."), status=label(locked.status))
    if locked.priority == priority:
        copy_state(locked, incident)
        return incident
    before = audit_state(locked)
    old = locked.priority
    locked.priority = priority
    compute_deadlines(locked)
    locked.save()
    write_timeline(
        locked,
        kind=TimelineKind.PRIORITY,
        acting_user=acting_user,
        comment=(comment or "").strip(),
        data={"from": old, "to": priority},
    )
    audit(acting_user, via=via, action="incident.priority", incident=locked, before=before, after=audit_state(locked))
    announce(locked, "priority")
    copy_state(locked, incident)
    return incident


@transaction.atomic
def do_comment_incident(incident: Incident, text: str, *, acting_user, public: bool = False, via: str = "ui"):
    """Add a comment to the timeline; ``public`` ones are shown to the reporter (write no personal data there)."""
    text = (text or "").strip()
    if not text:
        raise InvalidReport(_("A comment needs a text."))
    locked = lock_incident(incident)
    entry = write_timeline(
        locked,
        kind=TimelineKind.COMMENT,
        acting_user=acting_user,
        comment=text,
        public=public,
        data={"public_comment": True} if public else {},
    )
    audit(acting_user, via=via, action="incident.comment", incident=locked, after={"comment": text, "public": public})
    announce(locked, "comment")
    return entry


@transaction.atomic
def do_complete_checklist_step(
    incident: Incident, step_key: str, *, acting_user, note: str = "", via: str = "ui"
) -> ChecklistEntry:
    """Tick off a step of the incident's SOP checklist (of the playbook version it started under).
    A step already done is returned as it is. Refused for a step the SOP does not have, or once the
    incident is closed, rejected or merged."""
    locked = lock_incident(incident)
    steps = {step["key"]: step for step in locked.playbook_version.steps}
    if step_key not in steps:
        raise ChecklistError(_("The SOP of this incident has no step %(key)s."), key=repr(step_key))
    if locked.status not in CHECKLIST_STATUSES:
        raise ChecklistError(_("Checklist steps cannot be done on an incident that is %(status)s."), status=label(locked.status))
    existing = locked.checklist.filter(step_key=step_key).first()
    if existing is not None:
        return existing
    note = (note or "").strip()
    now = timezone.now()
    entry = ChecklistEntry.objects.create(
        incident=locked,
        step_key=step_key,
        done_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        done_at=now,
        note=note,
    )
    write_timeline(
        locked,
        kind=TimelineKind.CHECKLIST,
        acting_user=acting_user,
        comment=note,
        at=now,
        data={"step": step_key, "title": steps[step_key]["title"], "mandatory": bool(steps[step_key].get("mandatory"))},
    )
    audit(acting_user, via=via, action="incident.checklist", incident=locked, after={"step": step_key, "note": note})
    announce(locked, "checklist")
    return entry


def _escalate(locked: Incident, *, acting_user, actor_label: str, comment: str, now: datetime) -> None:
    ladder = locked.playbook_version.escalation
    rung = ladder[locked.escalation_level - 1]
    compute_deadlines(locked)
    locked.save()
    write_timeline(
        locked,
        kind=TimelineKind.ESCALATION,
        acting_user=acting_user,
        actor_label=actor_label,
        comment=comment,
        at=now,
        data={"level": locked.escalation_level, "role": rung["role"], "role_label": str(EscalationRole(rung["role"]).label)},
    )
    announce(locked, "escalation")


@transaction.atomic
def do_escalate_incident(incident: Incident, *, acting_user, comment: str = "", via: str = "ui") -> Incident:
    """Raise an open incident one rung up its SOP's escalation ladder by hand."""
    locked = lock_incident(incident)
    if locked.status not in OPEN_STATUSES:
        raise IncidentError(_("An incident that is %(status)s cannot be escalated."), status=label(locked.status))
    if locked.escalation_level >= len(locked.playbook_version.escalation):
        raise IncidentError(_("The incident is already at the top of its escalation ladder."))
    before = audit_state(locked)
    locked.escalation_level += 1
    _escalate(locked, acting_user=acting_user, actor_label="", comment=(comment or "").strip(), now=timezone.now())
    audit(acting_user, via=via, action="incident.escalate", incident=locked, before=before, after=audit_state(locked))
    copy_state(locked, incident)
    return incident


@transaction.atomic
def do_escalate_overdue_incident(incident_id: int, *, now: datetime | None = None) -> bool:
    """The SLA worker's step for one incident: if its next rung is due (``next_escalation_at <= now``),
    claim it by a conditional update, raise the level, write the timeline row and set the next
    deadline. Returns whether it escalated (False when another worker or a change came first)."""
    now = now or timezone.now()
    current = (
        Incident.objects.filter(pk=incident_id, next_escalation_at__lte=now).values_list("escalation_level", flat=True).first()
    )
    if current is None:
        return False
    claimed = Incident.objects.filter(pk=incident_id, escalation_level=current, next_escalation_at__lte=now).update(
        escalation_level=current + 1
    )
    if claimed != 1:
        return False
    locked = lock_incident(incident_id)
    _escalate(locked, acting_user=None, actor_label=_("SLA clock"), comment="", now=now)
    return True

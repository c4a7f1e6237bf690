"""One incident, many reports: merging a duplicate into the incident that survives."""

from __future__ import annotations

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
from komando.incidents.actions.status import mark_status, pending_handoff
from komando.incidents.choices import PRIORITY_RANK, Priority, Status, TimelineKind
from komando.incidents.clock import compute_deadlines
from komando.incidents.errors import MergeNotAllowed
from komando.incidents.lifecycle import FINAL_STATUSES, ensure_transition_allowed, label
from komando.incidents.models import Incident, IncidentReport


@transaction.atomic
def do_merge_incidents(duplicate: Incident, into: Incident, *, acting_user, comment: str = "", via: str = "ui") -> Incident:
    """Merge ``duplicate`` into ``into``: every report of the duplicate moves to ``into`` (each keeps
    its reporter and the ticket it was given, ``ticket_incident``), the duplicate becomes duplikat
    with ``merged_into``, and both timelines say so (publicly: a reporter following either ticket
    sees where the work goes on). ``into`` takes the duplicate's priority when that is more urgent
    (its deadlines follow). Returns ``into``.

    Refused (``MergeNotAllowed`` / ``TransitionNotAllowed``): merging an incident into itself, into an
    incident that is closed, rejected or itself a duplicate, or a duplicate that may not become duplikat.
    """
    if duplicate.pk == into.pk:
        raise MergeNotAllowed(_("An incident cannot be merged into itself."))
    # Lock both rows in a fixed order, so two merges never wait on each other.
    first, second = sorted([duplicate.pk, into.pk])
    locked = {pk: lock_incident(pk) for pk in (first, second)}
    dup, target = locked[duplicate.pk], locked[into.pk]
    if target.status in FINAL_STATUSES:
        raise MergeNotAllowed(
            _("Incident %(ticket)s is %(status)s; merge into an incident that is still open."),
            ticket=target.ticket,
            status=label(target.status),
        )
    old = dup.status
    ensure_transition_allowed(old, Status.DUPLIKAT)
    now = timezone.now()
    before_dup, before_target = audit_state(dup), audit_state(target)
    handoff = pending_handoff(dup) if old == Status.DIALIHKAN else None
    if handoff is not None:
        handoff.withdrawn_at = now
        handoff.save(update_fields=["withdrawn_at"])
    moved = IncidentReport.objects.filter(incident=dup).update(incident=target)
    Incident.objects.filter(possible_duplicate_of=dup).exclude(pk=target.pk).update(possible_duplicate_of=target)
    mark_status(dup, Status.DUPLIKAT, now)
    dup.merged_into = target
    dup.possible_duplicate_of = None
    compute_deadlines(dup)
    dup.save()
    target.last_reported_at = max(target.last_reported_at, dup.last_reported_at)
    if target.possible_duplicate_of_id == dup.pk:
        target.possible_duplicate_of = None
    # The surviving incident is at least as urgent as the most urgent report merged into it.
    raised_from = None
    if PRIORITY_RANK[Priority(dup.priority)] < PRIORITY_RANK[Priority(target.priority)]:
        raised_from, target.priority = target.priority, dup.priority
        compute_deadlines(target)
    target.save()
    comment = (comment or "").strip()
    write_timeline(
        dup,
        kind=TimelineKind.MERGE,
        acting_user=acting_user,
        from_status=old,
        to_status=Status.DUPLIKAT,
        comment=comment,
        public=True,
        at=now,
        data={"into": target.ticket, "into_id": target.pk, "reports_moved": moved},
    )
    write_timeline(
        target,
        kind=TimelineKind.MERGE,
        acting_user=acting_user,
        comment=comment,
        public=True,
        at=now,
        data={"from": dup.ticket, "from_id": dup.pk, "reports_moved": moved},
    )
    if raised_from is not None:
        write_timeline(
            target,
            kind=TimelineKind.PRIORITY,
            acting_user=acting_user,
            at=now,
            comment=_("Priority raised to that of the merged %(ticket)s") % {"ticket": dup.ticket},
            data={"from": raised_from, "to": target.priority, "merged": dup.ticket},
        )
    audit(
        acting_user,
        via=via,
        action="incident.merge",
        incident=dup,
        before=before_dup,
        after={**audit_state(dup), "into": target.ticket, "reports_moved": moved},
    )
    audit(
        acting_user,
        via=via,
        action="incident.merge",
        incident=target,
        before=before_target,
        after={**audit_state(target), "from": dup.ticket, "reports_moved": moved},
    )
    announce(dup, "merged")
    announce(target, "merged")
    copy_state(dup, duplicate)
    copy_state(target, into)
    return into

"""What the operator console reads: the queue in the command room's order, and one incident whole."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from komando.incidents import access
from komando.incidents.choices import PRIORITY_RANK, Channel, DispatchStatus, HandoffTarget, Status
from komando.incidents.dispatch import recommend_units
from komando.incidents.field.selectors import photos_of_incident
from komando.incidents.lifecycle import ACTION_ONLY, REASON_REQUIRED, allowed_next, label
from komando.incidents.models import Dispatch, Handoff, Incident
from komando.incidents.selectors import checklist_state, incident_summary, open_queue

QUEUE_LIMIT = 300


def _iso(value):
    return value.isoformat() if value is not None else None


def overdue_since(incident: Incident, now: datetime) -> datetime | None:
    """The earliest deadline of the incident that has passed (respond or resolve), or None."""
    passed = [due for due in (incident.respond_due_at, incident.resolve_due_at) if due is not None and due <= now]
    return min(passed) if passed else None


def next_deadline(incident: Incident) -> datetime | None:
    dues = [due for due in (incident.respond_due_at, incident.resolve_due_at) if due is not None]
    return min(dues) if dues else None


def queue_row(incident: Incident, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    since = overdue_since(incident, now)
    deadline = next_deadline(incident)
    return {
        **incident_summary(incident),
        "status_label": str(label(incident.status)),
        "priority_label": str(incident.get_priority_display()),
        "overdue": since is not None,
        "overdue_since": _iso(since),
        "next_deadline": _iso(deadline),
    }


def queue_sort_key(row: dict) -> tuple:
    """Overdue first (the longest overdue first), then escalated, then the most urgent priority,
    then the earliest deadline, then the oldest report."""
    far = "9999"
    return (
        0 if row["overdue"] else 1,
        row["overdue_since"] or far,
        -row["escalation_level"],
        PRIORITY_RANK.get(row["priority"], 9),
        row["next_deadline"] or far,
        row["reported_at"] or far,
    )


def console_queue(user, now: datetime | None = None) -> list[dict]:
    """Open incidents this user may see, in the order the console shows them."""
    now = now or timezone.now()
    incidents = open_queue().select_related("merged_into", "possible_duplicate_of", "playbook_version")
    scope = access.incident_scope(user)
    if scope is not None:  # their OPD's incidents, and those being handed to their OPD
        incidents = incidents.filter(
            Q(agency_id=scope)
            | Q(
                pk__in=Handoff.objects.filter(to_agency_id=scope, acknowledged_at__isnull=True, withdrawn_at__isnull=True).values(
                    "incident_id"
                )
            )
        )
    rows = [queue_row(incident, now) for incident in incidents[:QUEUE_LIMIT]]
    rows.sort(key=queue_sort_key)
    return rows


FINISHED_LIMIT = 100


def finished_to_close(user, now: datetime | None = None) -> list[dict]:
    """Incidents resolved in the field (selesai) that the command room has still to close (or
    reopen), the longest waiting first: finished work kept apart from open work."""
    now = now or timezone.now()
    incidents = (
        Incident.objects.filter(status=Status.SELESAI)
        .select_related(
            "category", "agency", "kelurahan", "kecamatan", "playbook_version", "merged_into", "possible_duplicate_of"
        )
        .order_by("resolved_at", "pk")
    )
    scope = access.incident_scope(user)
    if scope is not None:
        incidents = incidents.filter(agency_id=scope)
    return [
        {**queue_row(incident, now), "overdue": False, "resolved_at": _iso(incident.resolved_at)}
        for incident in incidents[:FINISHED_LIMIT]
    ]


def visible_incident(user, pk) -> Incident | None:
    incident = (
        Incident.objects.select_related(
            "category", "agency", "kelurahan", "kecamatan", "playbook_version", "merged_into", "possible_duplicate_of"
        )
        .filter(pk=pk)
        .first()
    )
    if incident is None or not access.can_view_incident(user, incident):
        return None
    return incident


def _timeline(incident: Incident) -> list[dict]:
    return [
        {
            "at": _iso(entry.at),
            "kind": entry.kind,
            "kind_label": str(entry.get_kind_display()),
            "actor": entry.actor_label,
            "from": entry.from_status,
            "to": entry.to_status,
            "from_label": str(label(entry.from_status)) if entry.from_status else "",
            "to_label": str(label(entry.to_status)) if entry.to_status else "",
            "comment": entry.comment,
            "public": entry.public,
            "data": entry.data,
        }
        for entry in incident.timeline.order_by("at", "id")
    ]


def _reports(incident: Incident, with_contact: bool) -> list[dict]:
    rows = []
    for report in incident.reports.select_related("ticket_incident").order_by("reported_at"):
        row = {
            "id": report.pk,
            "channel": report.channel,
            "channel_label": str(Channel(report.channel).label),
            "reported_at": _iso(report.reported_at),
            "description": report.description,
            "address": report.address,
            "ticket": report.ticket_incident.ticket,
        }
        if with_contact:
            row["contact"] = {
                "name": report.contact_name or "",
                "phone": report.contact_phone or "",
                "email": report.contact_email or "",
            }
        rows.append(row)
    return rows


def _dispatches(incident: Incident) -> list[dict]:
    rows = []
    for dispatch in (
        Dispatch.objects.filter(incident=incident)
        .select_related("unit")
        .prefetch_related("status_changes")
        .order_by("dispatched_at")
    ):
        rows.append(
            {
                "id": dispatch.pk,
                "unit": dispatch.unit.name,
                "unit_id": dispatch.unit_id,
                "status": dispatch.status,
                "status_label": str(DispatchStatus(dispatch.status).label),
                "dispatched_at": _iso(dispatch.dispatched_at),
                "steps": [
                    {
                        "status": change.status,
                        "status_label": str(DispatchStatus(change.status).label),
                        "at": _iso(change.at),
                        "lat": change.lat,
                        "lon": change.lon,
                    }
                    for change in dispatch.status_changes.all()
                ],
            }
        )
    return rows


def _handoffs(incident: Incident) -> list[dict]:
    return [
        {
            "id": handoff.pk,
            "target": handoff.target,
            "target_label": str(HandoffTarget(handoff.target).label),
            "receiver": handoff.receiver_label(),
            "reason": handoff.reason,
            "requested_at": _iso(handoff.requested_at),
            "acknowledged_at": _iso(handoff.acknowledged_at),
            "withdrawn_at": _iso(handoff.withdrawn_at),
            "pending": handoff.is_pending,
        }
        for handoff in Handoff.objects.filter(incident=incident).select_related("to_agency", "to_kelurahan")
    ]


def next_steps(user, incident: Incident) -> list[dict]:
    """The statuses this user may move the incident to from here, each saying if it needs a reason.
    Hand-off and merge have their own forms."""
    return [
        {"status": status, "label": str(label(status)), "reason_required": status in REASON_REQUIRED}
        for status in sorted(allowed_next(incident.status), key=Status.values.index)
        if status not in ACTION_ONLY and access.can_transition(user, incident, status)
    ]


def incident_detail(user, incident: Incident, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    can_work = access.can_work_incident(user, incident)
    command = access.can_command(user)
    detail = {
        **queue_row(incident, now),
        "description": incident.description,
        "address": incident.address,
        "regulation": incident.playbook_version.regulation,
        "verified_at": _iso(incident.verified_at),
        "resolved_at": _iso(incident.resolved_at),
        "closed_at": _iso(incident.closed_at),
        "next_steps": next_steps(user, incident),
        "checklist": [{**step, "done_at": _iso(step["done_at"])} for step in checklist_state(incident)],
        "timeline": _timeline(incident),
        "reports": _reports(incident, access.can_view_reporter_contact(user, incident)),
        "dispatches": _dispatches(incident),
        "handoffs": _handoffs(incident),
        "photos": photos_of_incident(incident) if access.can_view_incident_photos(user, incident) else [],
        "recommended_units": [unit.as_dict() for unit in recommend_units(incident, now=now)] if can_work else [],
        "may": {
            "work": can_work,
            "command": command,
            "acknowledge": [
                h.pk
                for h in Handoff.objects.filter(
                    incident=incident, acknowledged_at__isnull=True, withdrawn_at__isnull=True
                ).select_related("to_agency")
                if access.can_acknowledge_handoff(user, h)
            ],
        },
    }
    if incident.possible_duplicate_of_id and incident.possible_duplicate_of.status not in ("ditutup", "ditolak", "duplikat"):
        detail["duplicate_of"] = incident_summary(incident.possible_duplicate_of)
    return detail

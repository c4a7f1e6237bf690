"""What every incident action does besides its own change: lock the row, write the timeline row,
audit a person's change, and tell the screens (after commit)."""

from __future__ import annotations

from django.utils import timezone

from komando.audit.actions import record_audit
from komando.core.events import STAFF, LiveEvent, send_event_on_commit
from komando.incidents.models import Incident, TimelineEntry

EVENT_TYPE = "incidents.changed"
# Fields of an incident that audit records show before and after (no personal data lives on Incident).
AUDITED_FIELDS = (
    "status",
    "priority",
    "agency_id",
    "kelurahan_id",
    "escalation_level",
    "merged_into_id",
    "respond_due_at",
    "resolve_due_at",
    "reopen_count",
)


def is_person(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def actor_label_of(user, fallback: str = "") -> str:
    if is_person(user):
        return (user.get_full_name() or user.get_username())[:150]
    return str(fallback)[:150]


def lock_incident(incident: Incident | int) -> Incident:
    """The incident's row, locked for the rest of the transaction, fresh from the database."""
    pk = incident.pk if isinstance(incident, Incident) else incident
    return (
        Incident.objects.select_for_update(of=("self",))
        .select_related("playbook_version", "category", "agency", "kelurahan", "kecamatan")
        .get(pk=pk)
    )


def copy_state(source: Incident, target: Incident) -> None:
    """Let the caller's instance see what the action wrote (the action worked on a locked copy)."""
    if source is target:
        return
    for field in Incident._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    for name in ("playbook_version", "category", "agency", "kelurahan", "kecamatan"):
        if Incident._meta.get_field(name).is_cached(source):
            setattr(target, name, getattr(source, name))


def audit_state(incident: Incident) -> dict:
    values = {}
    for name in AUDITED_FIELDS:
        value = getattr(incident, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def write_timeline(
    incident: Incident,
    *,
    kind: str,
    acting_user=None,
    actor_label: str = "",
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
    public: bool = False,
    data: dict | None = None,
    at=None,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident,
        at=at or timezone.now(),
        actor=acting_user if is_person(acting_user) else None,
        actor_label=actor_label_of(acting_user, actor_label),
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        public=public,
        data=data or {},
    )


def audit(acting_user, *, via: str, action: str, incident, before=None, after=None) -> None:
    """People's changes are audited; the system's own (intake from a feed, the SLA worker) are on the timeline."""
    if is_person(acting_user):
        record_audit(actor=acting_user, channel=via, action=action, instance=incident, before=before, after=after)


def announce(incident: Incident, change: str) -> None:
    """Tell staff screens that an incident changed (sent once the transaction commits)."""
    from komando.incidents.models import Handoff
    from komando.incidents.selectors import incident_summary

    # The OPDs whose officers may see it: its own, and any it is being handed to (the live bus
    # drops the event for other OPDs' officers).
    receivers = (
        []
        if change == "reported"
        else (
            Handoff.objects.filter(
                incident=incident, acknowledged_at__isnull=True, withdrawn_at__isnull=True, to_agency__isnull=False
            ).values_list("to_agency__code", flat=True)
        )
    )
    send_event_on_commit(
        LiveEvent(
            type=EVENT_TYPE,
            data={"change": change, "incident": incident_summary(incident), "agencies": [incident.agency.code, *receivers]},
            audience=STAFF,
        )
    )

"""What the field app reads: a unit's tasks (its dispatches), as plain JSON-ready values.

A field officer sees what they need to do the work: ticket, category, place, priority, the SOP
steps, the photos taken so far. Never the reporter's contact."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from komando.incidents.actions.dispatch import NEXT_UNIT_STATUSES
from komando.incidents.choices import PRIORITY_RANK, DispatchStatus, Priority, Status
from komando.incidents.dispatch import ACTIVE_DISPATCH_STATUSES
from komando.incidents.geo import haversine_m
from komando.incidents.models import Dispatch, PhotoKind

# Finished tasks stay on the list for a while, so the officer sees that their updates arrived.
RECENT_FINISHED = timedelta(hours=24)
MAX_FINISHED = 10
MAX_DESCRIPTION = 600


def unit_position(unit) -> tuple[float, float] | None:
    state = getattr(unit, "device_state", None)
    if state is not None and state.lat is not None and state.lon is not None:
        return state.lat, state.lon
    if unit.lat is not None and unit.lon is not None:
        return unit.lat, unit.lon
    return None


def _dispatches(unit, now):
    base = (
        Dispatch.objects.filter(unit=unit)
        .select_related(
            "incident", "incident__category", "incident__kelurahan", "incident__kecamatan", "incident__playbook_version"
        )
        .annotate(
            before_photos=Count("photos", filter=Q(photos__kind=PhotoKind.BEFORE)),
            after_photos=Count("photos", filter=Q(photos__kind=PhotoKind.AFTER)),
        )
    )
    active = list(base.filter(status__in=ACTIVE_DISPATCH_STATUSES))
    active.sort(key=lambda d: (PRIORITY_RANK.get(d.incident.priority, 9), d.dispatched_at))
    finished = list(
        base.exclude(status__in=ACTIVE_DISPATCH_STATUSES)
        .filter(updated_at__gte=now - RECENT_FINISHED)
        .order_by("-updated_at")[:MAX_FINISHED]
    )
    return active + finished


def task_of(dispatch: Dispatch, position: tuple[float, float] | None) -> dict:
    incident = dispatch.incident
    done_steps = set(incident.checklist.values_list("step_key", flat=True))
    description = incident.description
    if len(description) > MAX_DESCRIPTION:
        description = description[:MAX_DESCRIPTION].rstrip() + "…"
    return {
        "dispatch": dispatch.pk,
        "status": dispatch.status,
        "status_label": str(DispatchStatus(dispatch.status).label),
        "next": sorted(NEXT_UNIT_STATUSES[dispatch.status] - {DispatchStatus.CANCELLED}),
        "active": dispatch.status in ACTIVE_DISPATCH_STATUSES,
        "dispatched_at": dispatch.dispatched_at.isoformat(),
        "updated_at": dispatch.updated_at.isoformat(),
        "ticket": incident.ticket,
        "category": incident.category.name,
        "title": incident.title,
        "description": description,
        "address": incident.address,
        "kelurahan": incident.kelurahan.name,
        "kecamatan": incident.kecamatan.name,
        "priority": incident.priority,
        "priority_label": str(Priority(incident.priority).label),
        "incident_status": incident.status,
        "incident_status_label": str(Status(incident.status).label),
        "lat": incident.lat,
        "lon": incident.lon,
        "unit_distance_m": round(haversine_m(position[0], position[1], incident.lat, incident.lon)) if position else None,
        "steps": [
            {
                "key": step["key"],
                "title": step["title"],
                "mandatory": bool(step.get("mandatory")),
                "done": step["key"] in done_steps,
            }
            for step in incident.playbook_version.steps
        ],
        "photos": {"before": dispatch.before_photos, "after": dispatch.after_photos},
    }


def tasks_of_unit(unit, *, now=None) -> list[dict]:
    """The unit's unfinished dispatches, most urgent first, then those finished in the last day."""
    now = now or timezone.now()
    position = unit_position(unit)
    return [task_of(dispatch, position) for dispatch in _dispatches(unit, now)]


def unit_summary(unit) -> dict:
    return {"id": unit.pk, "name": unit.name, "kind": unit.kind, "kind_label": str(unit.get_kind_display())}


def photos_of_incident(incident) -> list[dict]:
    """An incident's photos for staff screens (the console's detail): kind, size, who and when, and
    the access-checked URL to show them by (never a public file path). The caller checked
    ``access.can_view_incident_photos``."""
    from django.urls import reverse

    return [
        {
            "id": photo.pk,
            "kind": photo.kind,
            "kind_label": str(PhotoKind(photo.kind).label),
            "url": reverse("field:photo", args=[photo.pk]),
            "width": photo.width,
            "height": photo.height,
            "note": photo.note,
            "dispatch": photo.dispatch_id,
            "unit": photo.dispatch.unit.name if photo.dispatch_id else "",
            "taken_by": (photo.taken_by.get_full_name() or photo.taken_by.get_username()) if photo.taken_by_id else "",
            "created_at": photo.created_at.isoformat(),
        }
        for photo in incident.photos.select_related("dispatch__unit", "taken_by").order_by("created_at", "id")
    ]

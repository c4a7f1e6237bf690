"""Reads of the situation room: the session list, one session's whole state (the screen, the JSON
API and the minutes read the same dict), and the map around the session's incidents."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone

from komando.agencies.models import Agency
from komando.incidents.lifecycle import OPEN_STATUSES
from komando.incidents.models import Incident
from komando.incidents.selectors import incident_summary
from komando.regions.models import Region, RegionLevel
from komando.situation import access
from komando.situation.models import ActionItem, ActionItemUpdate, ActionStatus, Decision, Session

logger = logging.getLogger("komando.situation")
NEARBY_DEGREES = 0.02  # about 2 km around the session's area: the gauges and cameras shown
INCIDENT_RELATED = ("category", "agency", "kelurahan", "kecamatan", "merged_into", "possible_duplicate_of", "playbook_version")


def _iso(value):
    return timezone.localtime(value).isoformat() if value is not None else None


def person_label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def sessions_for(user):
    sessions = Session.objects.select_related("chair", "opened_by", "kecamatan", "kelurahan", "closure")
    return access.visible_sessions(user, sessions)


def session_rows(user) -> dict[str, list[dict]]:
    """Open sessions (newest first) and closed ones, for the list page."""
    rows = {"open": [], "closed": []}
    for session in sessions_for(user):
        row = {
            "id": session.pk,
            "title": session.title,
            "chair": person_label(session.chair),
            "opened_at": session.opened_at,
            "closed_at": session.closed_at,
            "area": (session.kelurahan or session.kecamatan).name if (session.kelurahan or session.kecamatan) else "",
            "incidents": session.incident_links.count(),
            "decisions": session.decisions.count(),
        }
        rows["open" if session.is_open else "closed"].append(row)
    return rows


def visible_session(user, pk) -> Session | None:
    return sessions_for(user).filter(pk=pk).first()


def _assignee(agency, user) -> dict:
    return {
        "agency": agency.short_name if agency else "",
        "agency_id": agency.pk if agency else None,
        "user": person_label(user),
        "user_id": user.pk if user else None,
        "label": " · ".join(part for part in (agency.short_name if agency else "", person_label(user)) if part),
    }


def decision_rows(session: Session) -> list[dict]:
    decisions = list(
        session.decisions.select_related("decided_by", "recorded_by", "assigned_agency", "assigned_user", "corrects")
    )
    corrected_by = {d.corrects_id: d.pk for d in decisions if d.corrects_id}
    numbers = {d.pk: index for index, d in enumerate(decisions, start=1)}
    return [
        {
            "id": d.pk,
            "number": numbers[d.pk],
            "text": d.text,
            "basis": d.basis,
            "decided_by": person_label(d.decided_by),
            "decided_by_chair": d.decided_by_id == session.chair_id,
            "assignee": _assignee(d.assigned_agency, d.assigned_user),
            "deadline": _iso(d.deadline),
            "recorded_by": person_label(d.recorded_by),
            "recorded_at": _iso(d.recorded_at),
            "corrects": d.corrects_id,
            "corrects_number": numbers.get(d.corrects_id),
            "corrected_by": corrected_by.get(d.pk),
            "corrected_by_number": numbers.get(corrected_by.get(d.pk)),
        }
        for d in decisions
    ]


def action_rows(session: Session, user=None) -> list[dict]:
    items = session.action_items.select_related("assigned_agency", "assigned_user", "decision").prefetch_related(
        Prefetch("updates", queryset=ActionItemUpdate.objects.select_related("by").order_by("at", "id"))
    )
    numbers = {pk: index for index, pk in enumerate(session.decisions.values_list("pk", flat=True), start=1)}
    rows = []
    for item in items:
        updates = list(item.updates.all())
        latest = updates[-1] if updates else None
        status = latest.status if latest else ActionStatus.OPEN
        rows.append(
            {
                "id": item.pk,
                "text": item.text,
                "assignee": _assignee(item.assigned_agency, item.assigned_user),
                "deadline": _iso(item.deadline),
                "decision": item.decision_id,
                "decision_number": numbers.get(item.decision_id),
                "status": status,
                "status_label": str(ActionStatus(status).label),
                "status_at": _iso(latest.at) if latest else None,
                "status_by": person_label(latest.by) if latest else "",
                "status_note": latest.note if latest else "",
                "history": [
                    {
                        "status": u.status,
                        "status_label": str(ActionStatus(u.status).label),
                        "at": _iso(u.at),
                        "by": person_label(u.by),
                        "note": u.note,
                    }
                    for u in updates
                ],
                "may_update": bool(user) and access.can_update_action_item(user, item),
                "overdue": bool(
                    item.deadline and status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS) and item.deadline < timezone.now()
                ),
            }
        )
    return rows


def linked_incidents(session: Session) -> list[Incident]:
    return list(
        Incident.objects.filter(situation_links__session=session)
        .select_related(*INCIDENT_RELATED)
        .order_by("situation_links__linked_at", "situation_links__id")
    )


def _bbox_of_points(points) -> list[float] | None:
    points = [(lon, lat) for lon, lat in points if lon is not None and lat is not None]
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return [min(lons), min(lats), max(lons), max(lats)]


def _geometry_points(geometry) -> list[tuple[float, float]]:
    if not geometry:
        return []
    points = []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            points.append((coords[0], coords[1]))
        else:
            for inner in coords:
                walk(inner)

    walk(geometry.get("coordinates") or [])
    return points


def session_area(session: Session, incidents: list[Incident]) -> list[Region]:
    """The regions drawn for the session: its kelurahan or kecamatan, and the kelurahan of its
    incidents; without any, every kecamatan of the city."""
    codes = {i.kelurahan_id for i in incidents}
    if session.kelurahan_id:
        codes.add(session.kelurahan_id)
    regions = list(Region.objects.filter(pk__in=codes))
    if session.kecamatan_id and not session.kelurahan_id:
        regions += list(Region.objects.filter(parent_id=session.kecamatan_id, level=RegionLevel.KELURAHAN).exclude(pk__in=codes))
    if not regions:
        regions = list(Region.objects.filter(level=RegionLevel.KECAMATAN))
    return regions


def session_bbox(session: Session, incidents: list[Incident], regions: list[Region]) -> list[float] | None:
    points = [(i.lon, i.lat) for i in incidents]
    for region in regions:
        points += _geometry_points(region.geometry) or [(region.centroid_lon, region.centroid_lat)]
    return _bbox_of_points(points)


def _within(feature, bbox, pad=NEARBY_DEGREES) -> bool:
    lon, lat = feature["geometry"]["coordinates"][:2]
    return bbox[0] - pad <= lon <= bbox[2] + pad and bbox[1] - pad <= lat <= bbox[3] + pad


def map_state(session: Session, incidents: list[Incident]) -> dict[str, Any]:
    """Linked incidents, every live field unit, the gauges and cameras near the session's area, the
    area's boundaries and its bounding box ([west, south, east, north])."""
    from komando.devices.selectors import units_layer
    from komando.sources.registry import map_layer, map_layer_selector

    regions = session_area(session, incidents)
    bbox = session_bbox(session, incidents, regions)
    nearby = {}
    for key in ("gauges", "cameras"):
        try:
            declared = map_layer(key)  # declared by the connector that feeds it (its manifest)
            features = map_layer_selector(declared[1])()["features"] if declared else []
        except Exception:  # one broken layer must not take the session screen (or its minutes) down
            logger.exception("situation map layer %s failed", key)
            features = []
        nearby[key] = [f for f in features if bbox is None or _within(f, bbox)]
    return {
        "bbox": bbox,
        "regions": [
            {
                "code": r.code,
                "name": r.name,
                "level": r.level,
                "geometry": r.geometry,
                "centroid": [r.centroid_lon, r.centroid_lat],
            }
            for r in regions
        ],
        "units": units_layer()["features"],
        "gauges": nearby["gauges"],
        "cameras": nearby["cameras"],
    }


def timeline_rows(session: Session) -> list[dict]:
    return [
        {
            "id": e.pk,
            "kind": e.kind,
            "at": _iso(e.at),
            "kind_label": str(e.get_kind_display()) + (f": {ActionStatus(e.action_status).label}" if e.action_status else ""),
            "actor": person_label(e.actor),
            "text": e.text,
            "incident": e.incident_id,
            "decision": e.decision_id,
            "action_item": e.action_item_id,
        }
        for e in session.timeline.select_related("actor").order_by("at", "id")
    ]


def attendee_rows(session: Session) -> list[dict]:
    return [
        {
            "id": a.pk,
            "label": a.label,
            "external": a.user_id is None,
            "chair": a.user_id == session.chair_id,
            "added_at": _iso(a.added_at),
        }
        for a in session.attendees.select_related("user")
    ]


def incident_rows(incidents: list[Incident]) -> list[dict]:
    return [
        incident_summary(incident)
        | {
            "status_label": str(incident.get_status_display()),
            "priority_label": str(incident.get_priority_display()),
            "place": ", ".join(p for p in (incident.address, incident.kelurahan.name, incident.kecamatan.name) if p),
        }
        for incident in incidents
    ]


def open_incidents_to_link(session: Session, limit: int = 60) -> list[dict]:
    linked = session.incident_links.values("incident_id")
    incidents = (
        Incident.objects.filter(status__in=OPEN_STATUSES)
        .exclude(pk__in=linked)
        .select_related("category", "kelurahan")
        .order_by("-reported_at")[:limit]
    )
    return [{"id": i.pk, "ticket": i.ticket, "label": f"{i.ticket} · {i.category.name} · {i.kelurahan.name}"} for i in incidents]


def session_state(session: Session, user) -> dict[str, Any]:
    incidents = linked_incidents(session)
    closure = session.closure_or_none
    may_chair = access.can_chair(user, session)
    may_contribute = access.can_contribute(user, session)
    return {
        "now": _iso(timezone.now()),
        "session": {
            "id": session.pk,
            "title": session.title,
            "chair": person_label(session.chair),
            "chair_id": session.chair_id,
            "opened_by": person_label(session.opened_by),
            "opened_at": _iso(session.opened_at),
            "closed_at": _iso(closure.closed_at) if closure else None,
            "closed_by": person_label(closure.closed_by) if closure else "",
            "closing_note": closure.note if closure else "",
            "is_open": closure is None,
            "kecamatan": session.kecamatan.name if session.kecamatan_id else "",
            "kelurahan": session.kelurahan.name if session.kelurahan_id else "",
        },
        "permissions": {"chair": may_chair and closure is None, "contribute": may_contribute and closure is None},
        "attendees": attendee_rows(session),
        "incidents": incident_rows(incidents),
        "decisions": decision_rows(session),
        "action_items": action_rows(session, user),
        "timeline": timeline_rows(session),
        "map": map_state(session, incidents),
        "open_incidents": open_incidents_to_link(session) if may_contribute and closure is None else [],
    }


def form_choices() -> dict[str, list[dict]]:
    """The OPDs and the people an item can be assigned to (staff of the command room and the OPDs)."""
    from komando.accounts.models import Role

    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.OPERATOR, Role.EXECUTIVE, Role.ADMINISTRATOR, Role.OPD_OFFICER])
        .distinct()
        .order_by("username")
    )
    return {
        "agencies": [{"id": a.pk, "label": a.short_name} for a in Agency.objects.order_by("short_name")],
        "people": [{"id": u.pk, "label": person_label(u)} for u in users],
    }


def decision_in(session: Session, pk) -> Decision | None:
    return session.decisions.filter(pk=pk).first()


def action_item_in(session: Session, pk) -> ActionItem | None:
    return session.action_items.select_related("session").filter(pk=pk).first()

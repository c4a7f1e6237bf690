"""Read queries of incidents, shared by the console, the API, Open311, the tracking page and workers."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When

from komando.incidents.choices import PRIORITY_RANK, Status, TimelineKind
from komando.incidents.geo import degrees_around, haversine_m
from komando.incidents.lifecycle import OPEN_STATUSES, undone_mandatory_steps
from komando.incidents.models import Category, Incident, PlaybookVersion

DEFAULT_DUPLICATE_RADIUS_M = 150.0
DEFAULT_DUPLICATE_WINDOW_HOURS = 72.0
MAX_MERGE_CHAIN = 50


def duplicate_radius_m() -> float:
    return float(getattr(settings, "KOMANDO_INCIDENT_DUPLICATE_RADIUS_M", DEFAULT_DUPLICATE_RADIUS_M))


def duplicate_window() -> timedelta:
    return timedelta(hours=float(getattr(settings, "KOMANDO_INCIDENT_DUPLICATE_WINDOW_HOURS", DEFAULT_DUPLICATE_WINDOW_HOURS)))


def duplicate_candidates(
    category: Category,
    lat: float,
    lon: float,
    at: datetime,
    *,
    exclude: Incident | None = None,
    radius_m: float | None = None,
    window: timedelta | None = None,
    limit: int = 10,
) -> list[Incident]:
    """Open incidents of ``category`` within ``radius_m`` metres (haversine) of the point whose newest
    report is at most ``window`` before ``at`` (defaults: settings ``KOMANDO_INCIDENT_DUPLICATE_RADIUS_M``
    = 150 and ``KOMANDO_INCIDENT_DUPLICATE_WINDOW_HOURS`` = 72), nearest first, each with ``distance_m``."""
    within = _nearby_open(category, lat, lon, at, exclude=exclude, radius_m=radius_m, window=window)[:limit]
    if not within:
        return []
    by_pk = Incident.objects.select_related("category", "kelurahan").in_bulk([pk for _distance, pk, _ticket in within])
    found = []
    for distance, pk, _ticket in within:
        incident = by_pk[pk]
        incident.distance_m = distance
        found.append(incident)
    return found


def nearest_duplicate(category: Category, lat: float, lon: float, at: datetime) -> tuple[int, str] | None:
    """(id, ticket) of the nearest ``duplicate_candidates`` incident, or None: what intake needs, in one query."""
    within = _nearby_open(category, lat, lon, at)
    return (within[0][1], within[0][2]) if within else None


def _nearby_open(
    category: Category,
    lat: float,
    lon: float,
    at: datetime,
    *,
    exclude: Incident | None = None,
    radius_m: float | None = None,
    window: timedelta | None = None,
) -> list[tuple[float, int, str]]:
    """(distance, id, ticket) of the open incidents of ``duplicate_candidates``, nearest first."""
    radius_m = duplicate_radius_m() if radius_m is None else radius_m
    window = duplicate_window() if window is None else window
    dlat, dlon = degrees_around(lat, radius_m)
    # Plain SQL: this runs on every report, and building it through the ORM cost more than running it.
    # Distances from plain values (a pile of garbage may have dozens of open reports nearby); only the
    # nearest few become model instances.
    statuses = sorted(status.value for status in OPEN_STATUSES)
    sql = (
        f"SELECT id, lat, lon, ticket FROM {connection.ops.quote_name(Incident._meta.db_table)} "
        f"WHERE category_id = %s AND status IN ({', '.join(['%s'] * len(statuses))}) AND last_reported_at >= %s "
        f"AND lat BETWEEN %s AND %s AND lon BETWEEN %s AND %s"
    )
    params = [
        category.pk,
        *statuses,
        connection.ops.adapt_datetimefield_value(at - window),
        lat - dlat,
        lat + dlat,
        lon - dlon,
        lon + dlon,
    ]
    if exclude is not None:
        sql += " AND id <> %s"
        params.append(exclude.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    within = []
    for pk, found_lat, found_lon, ticket in rows:
        distance = haversine_m(lat, lon, found_lat, found_lon)
        if distance <= radius_m:
            within.append((round(distance, 1), pk, ticket))  # equally near: the older incident (lower id) first
    within.sort()
    return within


def current_playbook_version(category: Category) -> PlaybookVersion | None:
    return PlaybookVersion.objects.filter(playbook__category=category).select_related("agency").order_by("-number").first()


def incident_by_ticket(ticket: str) -> Incident | None:
    return (
        Incident.objects.select_related("category", "agency", "kelurahan", "kecamatan", "merged_into")
        .filter(ticket=str(ticket or "").strip().upper())
        .first()
    )


def surviving_incident(incident: Incident) -> Incident:
    """The incident the work goes on in: ``incident`` itself, or the end of its chain of merges."""
    seen = 0
    while incident.merged_into_id is not None and seen < MAX_MERGE_CHAIN:
        incident = incident.merged_into
        seen += 1
    return incident


def checklist_state(incident: Incident) -> list[dict]:
    """The SOP steps of the incident's playbook version, each with whether, when, by whom it was done."""
    done = {entry.step_key: entry for entry in incident.checklist.select_related("done_by")}
    rows = []
    for step in incident.playbook_version.steps:
        entry = done.get(step["key"])
        rows.append(
            {
                **step,
                "done": entry is not None,
                "done_at": entry.done_at if entry else None,
                "done_by": (entry.done_by.get_username() if entry and entry.done_by else None),
                "note": entry.note if entry else "",
            }
        )
    return rows


def undone_mandatory(incident: Incident) -> list[dict]:
    return undone_mandatory_steps(incident.playbook_version.steps, incident.checklist.values_list("step_key", flat=True))


def escalation_due(now: datetime):
    """Incidents whose next escalation rung is due (one indexed query; workers claim each row)."""
    return Incident.objects.filter(next_escalation_at__lte=now).order_by("next_escalation_at")


def open_queue():
    """Open incidents as the operator's queue orders them: escalated and overdue first, then the most
    urgent priority, then the earliest deadline."""
    rank = Case(*[When(priority=value, then=Value(order)) for value, order in PRIORITY_RANK.items()], output_field=IntegerField())
    return (
        Incident.objects.filter(status__in=OPEN_STATUSES)
        .select_related("category", "agency", "kelurahan", "kecamatan")
        .annotate(priority_rank=rank)
        .order_by("-escalation_level", "priority_rank", "resolve_due_at", "reported_at")
    )


def _iso(value):
    return value.isoformat() if value is not None else None


def incident_summary(incident: Incident) -> dict:
    """An incident as staff screens show it in lists and live events (no personal data)."""
    return {
        "id": incident.pk,
        "ticket": incident.ticket,
        "status": incident.status,
        "priority": incident.priority,
        "title": incident.title,
        "category": incident.category.code,
        "category_name": incident.category.name,
        "emergency": incident.category.emergency,
        "agency": incident.agency.code,
        "agency_name": incident.agency.short_name,
        "kelurahan": incident.kelurahan.code,
        "kelurahan_name": incident.kelurahan.name,
        "kecamatan": incident.kecamatan.code,
        "kecamatan_name": incident.kecamatan.name,
        "lat": incident.lat,
        "lon": incident.lon,
        "reported_at": _iso(incident.reported_at),
        "respond_due_at": _iso(incident.respond_due_at),
        "resolve_due_at": _iso(incident.resolve_due_at),
        "escalation_level": incident.escalation_level,
        "merged_into": incident.merged_into.ticket if incident.merged_into_id else None,
        "possible_duplicate_of": incident.possible_duplicate_of.ticket if incident.possible_duplicate_of_id else None,
        "playbook_version": incident.playbook_version.number,
    }


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+?62|0)[\s.-]?\d(?:[\s.-]?\d){6,12}")


def mask_personal(text: str) -> str:
    """Text with e-mail addresses and phone numbers masked (a public note may quote a resident)."""
    return _PHONE.sub("[nomor disembunyikan]", _EMAIL.sub("[email disembunyikan]", text or ""))


def public_timeline(incident: Incident) -> list[dict]:
    """What the resident's tracking page shows: public rows only, without who did it; a row's words
    only where they were written for the public (a rejection's or reopening's reason, a public
    comment), masked. A transition's internal comment is never shown."""
    rows = []
    entries = incident.timeline.filter(Q(public=True)).order_by("at", "id")
    for entry in entries:
        if entry.kind == TimelineKind.COMMENT and entry.data.get("public_comment"):
            text = entry.comment
        else:
            text = str(entry.data.get("reason") or "")  # a rejection's or reopening's reason, never the comment
        rows.append(
            {
                "at": entry.at,
                "kind": entry.kind,
                "from_status": entry.from_status,
                "to_status": entry.to_status,
                "status_label": str(Status(entry.to_status).label) if entry.to_status else "",
                "text": mask_personal(text),
                "merged_into": entry.data.get("into"),
                "merged_from": entry.data.get("from"),
                "handed_to": entry.data.get("receiver"),
            }
        )
    return rows

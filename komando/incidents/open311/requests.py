"""Incidents as Open311 service requests (read side), and placing an address-only report.

A service request is an incident; ``service_request_id`` is its ticket number. What is shown is
public by design: never a reporter's contact (it lives only on ``IncidentReport``), never who did
what, never non-public timeline text; descriptions and notes pass through ``mask_personal``.
Incidents first reported through a private channel (call center 112) are not listed at all.

Status: ``open`` while work is still to be done (``OPEN_STATUSES``: baru, diverifikasi,
ditugaskan, dalam penanganan, dialihkan, dibuka kembali), ``closed`` otherwise: selesai (resolved),
ditutup, ditolak (rejected, with its reason as the note) and duplikat (the note names the ticket it
was merged into, which the reporter can follow).
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from komando.core.clock import city_zone
from komando.incidents.choices import Channel, Status, TimelineKind
from komando.incidents.lifecycle import OPEN_STATUSES
from komando.incidents.models import Incident, IncidentReport, TimelineEntry
from komando.incidents.open311.validation import MAX_RESULTS, RequestQuery
from komando.incidents.selectors import mask_personal
from komando.regions.models import Region, RegionLevel

PRIVATE_CHANNELS = (Channel.CALL_112,)
CLOSED_STATUSES = tuple(status for status in Status.values if status not in OPEN_STATUSES)
ZIPCODE = re.compile(r"\b(\d{5})\s*$")


def w3c(value: datetime | None) -> str | None:
    """A W3C date-time in the city's zone with its offset, e.g. ``2025-03-10T08:15:00+08:00`` (WITA)."""
    if value is None:
        return None
    return value.astimezone(city_zone()).replace(microsecond=0).isoformat()


def open311_status(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def public_requests():
    """Incidents an Open311 client may see, with the fields their rows need."""
    ticket_reports = IncidentReport.objects.filter(ticket_incident=OuterRef("pk")).order_by("reported_at", "pk")
    private = IncidentReport.objects.filter(ticket_incident=OuterRef("pk"), channel__in=PRIVATE_CHANNELS)
    latest_public = TimelineEntry.objects.filter(incident=OuterRef("pk"), public=True).order_by("-at", "-id")
    return (
        Incident.objects.select_related("category", "agency")
        .annotate(
            open311_media_url=Subquery(ticket_reports.exclude(media_url="").values("media_url")[:1]),
            open311_note_id=Subquery(latest_public.values("id")[:1]),
        )
        .filter(~Exists(private))
    )


def find_requests(query: RequestQuery) -> list[Incident]:
    """The incidents a ``GET requests`` asks for, newest first, at most 1000."""
    rows = public_requests()
    if query.ids is not None:
        rows = rows.filter(ticket__in=[ticket.upper() for ticket in query.ids])
    else:
        rows = rows.filter(reported_at__gte=query.start, reported_at__lte=query.end)
        if query.codes is not None:
            rows = rows.filter(category__code__in=query.codes)
        if query.statuses is not None and set(query.statuses) != {"open", "closed"}:
            rows = rows.filter(status__in=OPEN_STATUSES if set(query.statuses) == {"open"} else CLOSED_STATUSES)
    return list(rows.order_by("-reported_at", "-pk")[:MAX_RESULTS])


def find_request(ticket: str) -> Incident | None:
    return public_requests().filter(ticket=str(ticket or "").strip().upper()).first()


def status_note(entry: TimelineEntry | None) -> str | None:
    """What the latest public timeline row says to the public: words written for the public (a
    public comment, a rejection's or reopening's reason), else what happened, never who did it."""
    if entry is None:
        return None
    data = entry.data or {}
    if entry.kind == TimelineKind.COMMENT and data.get("public_comment"):
        return mask_personal(entry.comment) or None
    if entry.kind == TimelineKind.TRANSITION and data.get("reason"):
        return mask_personal(str(data["reason"]))
    if entry.kind == TimelineKind.MERGE and data.get("into"):
        return _("Duplicate: merged into %(ticket)s.") % {"ticket": data["into"]}
    if entry.kind == TimelineKind.MERGE and data.get("from"):
        return _("Report %(ticket)s was merged into this one.") % {"ticket": data["from"]}
    if entry.kind == TimelineKind.HANDOFF and data.get("receiver"):
        if data.get("acknowledged"):
            return _("Handed off to %(receiver)s, who took it up.") % {"receiver": data["receiver"]}
        return _("Handed off to %(receiver)s.") % {"receiver": data["receiver"]}
    if entry.kind == TimelineKind.REPORT:
        return _("Report received.")
    if entry.to_status:
        return str(Status(entry.to_status).label)
    return str(TimelineKind(entry.kind).label)


def request_row(incident: Incident, note: TimelineEntry | None) -> dict:
    """One service request, fields in the spec's order; ids and codes as strings."""
    address = mask_personal(incident.address)
    zipcode = ZIPCODE.search(address)
    return {
        "service_request_id": str(incident.ticket),
        "status": open311_status(incident.status),
        "status_notes": status_note(note),
        "service_name": incident.category.name,
        "service_code": str(incident.category.code),
        "description": mask_personal(incident.description) or None,
        "agency_responsible": incident.agency.name,
        "service_notice": None,
        "requested_datetime": w3c(incident.reported_at),
        "updated_datetime": w3c(incident.updated_at),
        "expected_datetime": w3c(incident.resolve_due_at),
        "address": address or None,
        "address_id": None,
        "zipcode": zipcode.group(1) if zipcode else None,
        "lat": incident.lat,
        "long": incident.lon,
        "media_url": getattr(incident, "open311_media_url", None) or None,
    }


def request_rows(incidents: list[Incident]) -> list[dict]:
    ids = [incident.open311_note_id for incident in incidents if incident.open311_note_id]
    notes = TimelineEntry.objects.in_bulk(ids) if ids else {}
    return [request_row(incident, notes.get(incident.open311_note_id)) for incident in incidents]


def report_by_token(token: str) -> IncidentReport | None:
    """The Open311 report whose reference is ``token``."""
    token = str(token or "").strip()
    if not token:
        return None
    return IncidentReport.objects.select_related("ticket_incident").filter(channel=Channel.OPEN311, source_ref=token).first()


def place_address(address: str, attributes: dict) -> tuple[float, float] | None:
    """A point for a report that has an address but no coordinates: the centre of the kelurahan named
    by a ``KODE_KELURAHAN`` attribute, else of the kelurahan (or else kecamatan) whose name the
    address mentions (the longest name wins). None when nothing matches."""
    code = str(attributes.get("KODE_KELURAHAN") or "").strip()
    if code:
        region = Region.objects.filter(code=code, level=RegionLevel.KELURAHAN).first()
        if region is not None:
            return region.centroid_lat, region.centroid_lon
    text = f" {re.sub(r'[^a-z0-9]+', ' ', address.lower())} "
    for level in (RegionLevel.KELURAHAN, RegionLevel.KECAMATAN):
        regions = Region.objects.filter(Q(level=level)).only("name", "centroid_lat", "centroid_lon")
        names = sorted(regions, key=lambda region: len(region.name), reverse=True)
        for region in names:
            name = re.sub(r"[^a-z0-9]+", " ", region.name.lower()).strip()
            if name and f" {name} " in text:
                return region.centroid_lat, region.centroid_lon
    return None

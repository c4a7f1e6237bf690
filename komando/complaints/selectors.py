"""Reads of complaints and 112 calls: tiles, map layers, lists for the API.

Days are the city's days (``komando.core.clock``). Functions take an optional ``now`` (aware) for tests and replays.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from komando.accounts.access import can_view_internal, complaint_agency_scope
from komando.complaints.models import (
    OPEN_STATUSES,
    PERSONAL_FIELDS,
    Channel,
    Complaint,
    ComplaintStatus,
    EmergencyCall,
    EmergencyKind,
)
from komando.core.events import STAFF
from komando.core.tiles import Figure, Tile
from komando.sources.registry import panel_source

LAKSA_SOURCE = panel_source("complaints")
LAPOR_SOURCE = panel_source("lapor")
CALLS_SOURCE = panel_source("calls")
RESOLVED_WINDOW_DAYS = 30
LAPOR_FOLLOW_UP_WORKING_DAYS = 5  # SP4N-LAPOR!: the instansi follows up within 5 working days
CALLS_LAYER_HOURS = 24
STATUS_TONES = {ComplaintStatus.WAITING: "warn", ComplaintStatus.IN_PROGRESS: "", ComplaintStatus.RESOLVED: "ok"}
KIND_TONES = {
    EmergencyKind.FIRE: "bad",
    EmergencyKind.MEDICAL: "bad",
    EmergencyKind.ACCIDENT: "bad",
    EmergencyKind.DISASTER: "bad",
    EmergencyKind.CRIME: "warn",
    EmergencyKind.PRANK: "",
    EmergencyKind.OTHER: "",
}


def _today_start(now: datetime) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(now), datetime.min.time()))


def working_days_between(start: date, end: date) -> int:
    """Working days (Monday–Friday) after ``start`` up to and including ``end``; holidays not counted."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


# --- Tiles ----------------------------------------------------------------------------------------


def complaints_tile(now: datetime | None = None) -> Tile | None:
    """LAKSA: open complaints, new today, share selesai of those reported in the last 30 days; rows =
    the categories with most open complaints."""
    now = now or timezone.now()
    laksa = Complaint.objects.filter(channel=Channel.LAKSA)
    if not laksa.exists():
        return None
    window = laksa.filter(reported_at__gt=now - timedelta(days=RESOLVED_WINDOW_DAYS), reported_at__lte=now)
    counts = window.aggregate(total=Count("pk"), resolved=Count("pk", filter=Q(status=ComplaintStatus.RESOLVED)))
    open_ = laksa.filter(status__in=OPEN_STATUSES)
    waiting = open_.filter(status=ComplaintStatus.WAITING).count()
    resolved_pct = round(100.0 * counts["resolved"] / counts["total"], 1) if counts["total"] else None
    rows = [
        Figure(label=row["category"] or row["category_code"], value=row["n"])
        for row in open_.values("category_code", "category").annotate(n=Count("pk")).order_by("-n", "category")[:6]
    ]
    return Tile(
        key="complaints",
        source=LAKSA_SOURCE,
        title=_("Complaints (LAKSA)"),
        figures=[
            Figure(_("Open"), open_.count(), tone="warn" if waiting else ""),
            Figure(_("New today"), laksa.filter(reported_at__gte=_today_start(now), reported_at__lte=now).count()),
            Figure(
                _("Resolved, last 30 days"),
                resolved_pct,
                unit="%",
                tone="" if resolved_pct is None else ("ok" if resolved_pct >= 90 else "warn"),
            ),
            Figure(_("Waiting"), waiting),
        ],
        rows=rows,
        rows_title=_("Open by category"),
        data_as_of=laksa.aggregate(latest=Max("source_updated_at"))["latest"],
        audience=STAFF,
    )


def lapor_overdue(now: datetime | None = None) -> QuerySet[Complaint]:
    """LAPOR! reports disposed to the city still waiting for its follow-up after 5 working days."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    waiting = Complaint.objects.filter(channel=Channel.LAPOR, status=ComplaintStatus.WAITING)
    late = [
        c.pk
        for c in waiting.only("pk", "disposed_at", "reported_at")
        if working_days_between(timezone.localdate(c.disposed_at or c.reported_at), today) > LAPOR_FOLLOW_UP_WORKING_DAYS
    ]
    return Complaint.objects.filter(pk__in=late)


def lapor_tile(now: datetime | None = None) -> Tile | None:
    """SP4N-LAPOR! reports disposed to the city: open, waiting for follow-up, overdue (> 5 working days)."""
    now = now or timezone.now()
    lapor = Complaint.objects.filter(channel=Channel.LAPOR)
    if not lapor.exists():
        return None
    overdue = lapor_overdue(now).count()
    by_status = dict(lapor.values_list("status").annotate(n=Count("pk")))
    labels = dict(ComplaintStatus.choices)
    rows = [
        Figure(label=row["category"] or row["category_code"], value=row["n"])
        for row in lapor.filter(status__in=OPEN_STATUSES)
        .values("category_code", "category")
        .annotate(n=Count("pk"))
        .order_by("-n", "category")[:6]
    ]
    return Tile(
        key="lapor",
        source=LAPOR_SOURCE,
        title=_("SP4N-LAPOR! reports"),
        figures=[
            Figure(_("Open"), sum(by_status.get(s, 0) for s in OPEN_STATUSES)),
            Figure(str(labels[ComplaintStatus.WAITING]), by_status.get(ComplaintStatus.WAITING, 0)),
            Figure(_("Overdue (> 5 working days)"), overdue, tone="bad" if overdue else "ok"),
            Figure(str(labels[ComplaintStatus.RESOLVED]), by_status.get(ComplaintStatus.RESOLVED, 0)),
        ],
        rows=rows,
        rows_title=_("Open by topic"),
        data_as_of=lapor.aggregate(latest=Max("source_updated_at"))["latest"],
        audience=STAFF,
    )


def calls_tile(now: datetime | None = None) -> Tile | None:
    """Call Center 112: calls today, by kind, time of the last call."""
    now = now or timezone.now()
    calls = EmergencyCall.objects.all()
    last = calls.aggregate(latest=Max("received_at"))["latest"]
    if last is None:
        return None
    today = calls.filter(received_at__gte=_today_start(now), received_at__lte=now)
    labels = dict(EmergencyKind.choices)
    by_kind = list(today.values("kind").annotate(n=Count("pk")).order_by("-n", "kind"))
    pranks = sum(row["n"] for row in by_kind if row["kind"] == EmergencyKind.PRANK)
    return Tile(
        key="calls",
        source=CALLS_SOURCE,
        title=_("Call Center 112"),
        figures=[
            Figure(_("Calls today"), today.count()),
            Figure(
                _("Emergencies today"), today.exclude(kind__in=[EmergencyKind.PRANK, EmergencyKind.OTHER]).count(), tone="warn"
            ),
            Figure(_("Prank calls today"), pranks),
            Figure(_("Last call"), timezone.localtime(last).strftime("%H:%M")),
        ],
        rows=[
            Figure(label=str(labels.get(row["kind"], row["kind"])), value=row["n"], tone=KIND_TONES.get(row["kind"], ""))
            for row in by_kind[:6]
        ],
        rows_title=_("Today by kind"),
        data_as_of=last,
        audience=STAFF,
    )


# --- Map layers (GeoJSON, [lon, lat]) --------------------------------------------------------------


def _collection(features: list[dict]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def open_complaints_layer() -> dict[str, Any]:
    """Open complaints with a location, LAKSA and SP4N-LAPOR!; staff only (internal sources)."""
    features = []
    complaints = (
        Complaint.objects.filter(status__in=OPEN_STATUSES, lat__isnull=False, lon__isnull=False)
        .select_related("source", "kelurahan", "kecamatan", "agency")
        .order_by("-reported_at")
    )
    for complaint in complaints:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [complaint.lon, complaint.lat]},
                "properties": {
                    "id": f"complaint-{complaint.pk}",
                    "name": complaint.category or complaint.title,
                    "kind": "complaint",
                    "channel": complaint.channel,
                    "status": complaint.status,
                    "tone": STATUS_TONES.get(complaint.status, ""),
                    "source": complaint.source.slug,
                    "source_ref": complaint.source_ref,
                    "observed_at": complaint.source_updated_at.isoformat(),
                    "reported_at": complaint.reported_at.isoformat(),
                    "category_code": complaint.category_code,
                    "agency": complaint.agency.short_name if complaint.agency else complaint.agency_name,
                    "kelurahan": complaint.kelurahan.name if complaint.kelurahan else None,
                    "kecamatan": complaint.kecamatan.name if complaint.kecamatan else None,
                },
            }
        )
    return _collection(features)


def emergency_calls_layer(now: datetime | None = None) -> dict[str, Any]:
    """112 calls of the last 24 hours with a place (the point, else the kelurahan's centroid)."""
    now = now or timezone.now()
    labels = dict(EmergencyKind.choices)
    features = []
    calls = EmergencyCall.objects.filter(
        received_at__gt=now - timedelta(hours=CALLS_LAYER_HOURS), received_at__lte=now
    ).select_related("source", "kelurahan", "kecamatan")
    for call in calls:
        if call.lat is not None and call.lon is not None:
            coordinates, approximate = [call.lon, call.lat], False
        elif call.kelurahan is not None:
            coordinates, approximate = [call.kelurahan.centroid_lon, call.kelurahan.centroid_lat], True
        else:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": coordinates},
                "properties": {
                    "id": f"call-112-{call.pk}",
                    "name": str(labels.get(call.kind, call.kind)),
                    "kind": "emergency_call",
                    "status": call.kind,
                    "tone": KIND_TONES.get(call.kind, ""),
                    "source": call.source.slug,
                    "observed_at": call.received_at.isoformat(),
                    "call_id": call.call_id,
                    "approximate": approximate,
                    "kelurahan": call.kelurahan.name if call.kelurahan else None,
                    "kecamatan": call.kecamatan.name if call.kecamatan else None,
                },
            }
        )
    return _collection(features)


# --- Lists for the API ------------------------------------------------------------------------------


def complaints_visible_to(user):
    """The one permission-checked query of complaints: every complaint for the operations roles, only
    its own OPD's for an OPD officer, none for anyone else (``komando.accounts.access``)."""
    if not can_view_internal(user):
        return Complaint.objects.none()
    scope = complaint_agency_scope(user)
    complaints = Complaint.objects.all()
    return complaints if scope is None else complaints.filter(agency_id=scope)


def complaints_queryset(*, channel: str | None = None, status: str | None = None, open_only: bool = False, user=None):
    """Complaints, newest first; with ``user``, only those ``complaints_visible_to`` that user."""
    complaints = (Complaint.objects.all() if user is None else complaints_visible_to(user)).select_related(
        "source", "agency", "kelurahan", "kecamatan"
    )
    if channel:
        complaints = complaints.filter(channel=channel)
    if status:
        complaints = complaints.filter(status=status)
    if open_only:
        complaints = complaints.filter(status__in=OPEN_STATUSES)
    return complaints.order_by("-reported_at", "-pk")


def complaint_dict(complaint: Complaint, with_contact: bool) -> dict[str, Any]:
    """A complaint as the API shows it; the complainant's contact only when ``with_contact``."""
    data = {
        "id": complaint.pk,
        "channel": complaint.channel,
        "source": complaint.source.slug,
        "source_ref": complaint.source_ref,
        "category_code": complaint.category_code,
        "category": complaint.category,
        "status": complaint.status,
        "source_status": complaint.source_status,
        "status_notes": complaint.status_notes,
        "title": complaint.title,
        "description": complaint.description,
        "agency_code": complaint.agency.code if complaint.agency else None,
        "agency_name": complaint.agency.name if complaint.agency else complaint.agency_name,
        "address": complaint.address,
        "lat": complaint.lat,
        "lon": complaint.lon,
        "kelurahan_code": complaint.kelurahan.code if complaint.kelurahan else None,
        "kelurahan": complaint.kelurahan.name if complaint.kelurahan else None,
        "kecamatan_code": complaint.kecamatan.code if complaint.kecamatan else None,
        "kecamatan": complaint.kecamatan.name if complaint.kecamatan else None,
        "media_url": complaint.media_url,
        "confidential": complaint.confidential,
        "reported_at": complaint.reported_at,
        "disposed_at": complaint.disposed_at,
        "source_updated_at": complaint.source_updated_at,
        "resolved_at": complaint.resolved_at,
    }
    if with_contact:
        data.update({name: getattr(complaint, name) for name in PERSONAL_FIELDS})
    return data


def recent_emergency_calls(now: datetime | None = None, hours: int = CALLS_LAYER_HOURS) -> list[dict[str, Any]]:
    now = now or timezone.now()
    calls = (
        EmergencyCall.objects.filter(received_at__gt=now - timedelta(hours=hours), received_at__lte=now)
        .select_related("kelurahan", "kecamatan")
        .order_by("-received_at")
    )
    return [
        {
            "id": call.pk,
            "call_id": call.call_id,
            "received_at": call.received_at,
            "kind": call.kind,
            "lat": call.lat,
            "lon": call.lon,
            "kelurahan_code": call.kelurahan.code if call.kelurahan else None,
            "kecamatan_code": call.kecamatan.code if call.kecamatan else None,
            "note": call.note,
        }
        for call in calls
    ]

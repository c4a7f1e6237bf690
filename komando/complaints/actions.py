"""The only writers of complaints, 112 calls and LAPOR! follow-ups."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from komando.agencies.models import Agency
from komando.complaints.models import Channel, Complaint, ComplaintStatus, EmergencyCall, LaporFollowUp
from komando.complaints.records import ComplaintRecord, EmergencyCallRecord, mask_phone_numbers
from komando.core.city import current_city
from komando.core.tiles import publish_tile
from komando.regions.models import Region, RegionLevel
from komando.sources.framework import SourceDataInvalid

logger = logging.getLogger("komando.complaints")

TILE_OF_CHANNEL = {Channel.LAKSA: "complaints", Channel.LAPOR: "lapor"}
# A point farther than this from every kelurahan centroid is not placed in a kelurahan (degrees, ~3 km).
NEAREST_KELURAHAN_MAX_DEGREES = 0.03


@dataclass
class StoreResult:
    """What ``do_record_complaints`` stored: counts, and the references of every complaint of the
    answer (``source_refs``, unchanged ones too) for what reacts after the commit (the incident bridges,
    which are idempotent, so a complaint whose incident failed before is tried again)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    source_refs: list[str] = field(default_factory=list)


class RegionIndex:
    """Kelurahan and kecamatan of the city, read once per action."""

    def __init__(self):
        regions = Region.objects.filter(level__in=[RegionLevel.KELURAHAN, RegionLevel.KECAMATAN])
        self.by_code = {region.code: region for region in regions.select_related("parent")}
        self.kelurahan = [r for r in self.by_code.values() if r.level == RegionLevel.KELURAHAN]

    def check(self, codes: Iterable[str], what: str) -> None:
        unknown = sorted({code for code in codes if code and code not in self.by_code})
        if unknown:
            raise SourceDataInvalid(
                f"{what}: unknown region code {unknown[0]!r}" + (f" and {len(unknown) - 1} more" if len(unknown) > 1 else "")
            )

    def place(self, code: str, lat: float | None, lon: float | None) -> tuple[Region | None, Region | None]:
        """(kelurahan, kecamatan) of a code, else of the nearest kelurahan centroid to the point."""
        region = self.by_code.get(code) if code else None
        if region is None and lat is not None and lon is not None and self.kelurahan:
            nearest = min(self.kelurahan, key=lambda r: math.hypot(r.centroid_lat - lat, r.centroid_lon - lon))
            if math.hypot(nearest.centroid_lat - lat, nearest.centroid_lon - lon) <= NEAREST_KELURAHAN_MAX_DEGREES:
                region = nearest
        if region is None:
            return None, None
        if region.level == RegionLevel.KELURAHAN:
            return region, region.parent
        return None, region


def _agency_index() -> dict[str, Agency]:
    index = {}
    city_name = current_city().name  # sources may add it: "Dinas Kesehatan Kota Tangerang"
    for agency in Agency.objects.all():
        for key in (agency.code, agency.short_name, agency.name, f"{agency.name} {city_name}"):
            index[key.strip().lower()] = agency
    return index


COMPARED_FIELDS = (
    "category_code",
    "category",
    "status",
    "source_status",
    "status_notes",
    "title",
    "description",
    "agency_id",
    "agency_name",
    "address",
    "lat",
    "lon",
    "kelurahan_id",
    "kecamatan_id",
    "media_url",
    "confidential",
    "reported_at",
    "disposed_at",
    "source_updated_at",
    "resolved_at",
)


@transaction.atomic
def do_record_complaints(source, channel: str, records: list[ComplaintRecord]) -> StoreResult:
    """Store complaints of one channel: new ones created, changed ones (status, notes…) updated, the
    same ones again left alone. An older version than the stored one (cursor overlap) is ignored.
    An unknown region code raises ``SourceDataInvalid`` and nothing is written."""
    regions = RegionIndex()
    regions.check((record.region_code for record in records), f"{source.name} complaints")
    agencies = _agency_index()
    refs = [record.source_ref for record in records]
    if len(set(refs)) != len(refs):
        raise SourceDataInvalid(f"{source.name} sent the same complaint twice in one answer")
    existing = {c.source_ref: c for c in Complaint.objects.select_for_update().filter(source=source, source_ref__in=refs)}
    result = StoreResult(source_refs=refs)
    to_create = []
    for record in records:
        kelurahan, kecamatan = regions.place(record.region_code, record.lat, record.lon)
        agency = agencies.get(record.agency_code.lower()) if record.agency_code else None
        agency = agency or agencies.get(record.agency_name.strip().lower())
        values = {
            "category_code": record.category_code,
            "category": record.category[:160],
            "status": record.status,
            "source_status": record.source_status[:40],
            "status_notes": record.status_notes,
            "title": record.title[:300],
            "description": record.description,
            "agency_id": agency.pk if agency else None,
            "agency_name": record.agency_name[:200],
            "address": record.address[:300],
            "lat": record.lat,
            "lon": record.lon,
            "kelurahan_id": kelurahan.pk if kelurahan else None,
            "kecamatan_id": kecamatan.pk if kecamatan else None,
            "media_url": record.media_url[:500],
            "confidential": record.confidential,
            "reported_at": record.reported_at,
            "disposed_at": record.disposed_at,
            "source_updated_at": record.source_updated_at,
        }
        stored = existing.get(record.source_ref)
        if stored is None:
            values["resolved_at"] = record.source_updated_at if record.status == ComplaintStatus.RESOLVED else None
            to_create.append(Complaint(source=source, channel=channel, source_ref=record.source_ref, **values))
            continue
        if record.source_updated_at < stored.source_updated_at:
            result.unchanged += 1  # an older version (overlap of the cursor): keep the newer one
            continue
        if record.status == ComplaintStatus.RESOLVED:
            values["resolved_at"] = stored.resolved_at or record.source_updated_at
        else:
            values["resolved_at"] = None
        changed = [name for name in COMPARED_FIELDS if getattr(stored, name) != values[name]]
        if not changed:
            result.unchanged += 1
            continue
        for name in changed:
            setattr(stored, name, values[name])
        stored.save(update_fields=[*changed, "updated_at"])
        result.updated += 1
    Complaint.objects.bulk_create(to_create)
    result.created = len(to_create)
    if (result.created or result.updated) and channel in TILE_OF_CHANNEL:
        publish_tile(TILE_OF_CHANNEL[Channel(channel)])
    return result


@transaction.atomic
def do_record_emergency_call(source, record: EmergencyCallRecord) -> tuple[EmergencyCall, bool]:
    """Store one call pushed by the 112 system (once per call id) and count it on the source's health.
    Returns (call, created); the receiver hands the call to what reacts after the commit (its incident)."""
    from komando.sources.actions import do_record_run_success

    started = timezone.now()
    regions = RegionIndex()
    regions.check([record.region_code], "112 call")
    kelurahan, kecamatan = regions.place(record.region_code, record.lat, record.lon)
    call, created = EmergencyCall.objects.get_or_create(
        source=source,
        call_id=record.call_id,
        defaults={
            "received_at": record.received_at,
            "kind": record.kind,
            "lat": record.lat,
            "lon": record.lon,
            "kelurahan": kelurahan,
            "kecamatan": kecamatan,
            "note": mask_phone_numbers(record.note)[:500],
        },
    )
    newest = None  # a repeated delivery says nothing new about the data
    if created:
        newest = max(call.received_at, source.data_as_of) if source.data_as_of else call.received_at
    do_record_run_success(
        source,
        started_at=started,
        records=1 if created else 0,
        cursor={"last_call_at": timezone.now().isoformat()},
        data_as_of=newest,
    )
    if created:
        publish_tile("calls")
    return call, created


def do_record_lapor_follow_up(
    complaint: Complaint, *, status: str, complaint_status: str, text: str, user, sent_at, error: str = "", channel: str = "ui"
) -> LaporFollowUp:
    """Record the city's follow-up (tindak lanjut) of a LAPOR! report as sent to SP4N-LAPOR! (by the
    LAPOR! connector, ``komando.connectors.lapor.follow_up``) and audit it. ``status`` is the LAPOR!
    status sent, ``complaint_status`` what it means here; ``error`` is why sending failed (the attempt
    is recorded, the complaint unchanged), empty when SP4N-LAPOR! took it (the complaint takes the
    status and the text)."""
    from komando.audit.actions import record_audit

    with transaction.atomic():
        follow_up = LaporFollowUp.objects.create(
            complaint=complaint,
            status=status,
            text=text,
            sent_by=user if getattr(user, "is_authenticated", False) else None,
            sent_at=sent_at,
            ok=not error,
            error=error,
        )
        before = {"status": complaint.status, "source_status": complaint.source_status}
        if not error:
            complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
            complaint.status = complaint_status
            complaint.source_status = status
            complaint.status_notes = text
            complaint.source_updated_at = sent_at
            if complaint.status == ComplaintStatus.RESOLVED:
                complaint.resolved_at = complaint.resolved_at or sent_at
            complaint.save()
            publish_tile("lapor")
        record_audit(
            actor=user,
            channel=channel,
            action="lapor.follow_up",
            instance=complaint,
            before=before,
            after={
                "status": complaint.status,
                "source_status": complaint.source_status,
                "follow_up_status": status,
                "text": text,
                "ok": not error,
                "error": error,
            },
        )
    return follow_up

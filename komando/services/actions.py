"""Writers of the public-service and workforce data: permits, ASN attendance, hospital beds.

Each action is one transaction, idempotent (storing the same records twice stores them once),
refuses unknown codes with ``SourceDataInvalid`` before writing anything, and publishes its tile
on commit when something changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from komando.agencies.models import Agency
from komando.assets.actions import do_sync_assets
from komando.assets.models import Asset, AssetKind
from komando.core.tiles import publish_tile
from komando.regions.models import Region, RegionLevel
from komando.services.models import AttendanceDay, BedSnapshot, PermitApplication, PermitType, Ward
from komando.services.records import AttendanceRecord, BedRecord, PermitRecord, PermitTypeItem
from komando.sources.framework import AssetItem, SourceDataInvalid

PERMIT_FIELDS = ("permit_type_id", "region_id", "status", "applied_at", "issued_at", "within_sla", "source_updated_at")
ATTENDANCE_FIELDS = (
    "asn_count",
    "present",
    "on_time",
    "late",
    "on_leave",
    "sick",
    "absent",
    "performance_score",
    "source_updated_at",
)


def _unknown(kind: str, codes: Iterable[str]) -> SourceDataInvalid:
    codes = sorted(codes)
    more = f" (and {len(codes) - 1} more)" if len(codes) > 1 else ""
    return SourceDataInvalid(f"unknown {kind} {codes[0]!r}{more}")


@transaction.atomic
def do_sync_permits(source, types: Iterable[PermitTypeItem], applications: Iterable[PermitRecord]) -> int:
    """Store DPMPTSP's permit types and applications (matched by application number). Returns how
    many applications were created or changed; publishes the ``permits`` tile when any was."""
    types = list(types)
    applications = list(applications)
    type_codes = {item.code for item in types}
    stored_types = {t.code: t for t in PermitType.objects.filter(source=source)}
    unknown_types = {a.permit_type for a in applications} - type_codes - stored_types.keys()
    if unknown_types:
        raise _unknown("permit type", unknown_types)
    codes = {a.kelurahan_code for a in applications}
    regions = {r.code: r.pk for r in Region.objects.filter(code__in=codes, level=RegionLevel.KELURAHAN)}
    if codes - regions.keys():
        raise _unknown("kelurahan code", codes - regions.keys())

    for item in types:
        current = stored_types.get(item.code)
        if current is None:
            stored_types[item.code] = PermitType.objects.create(
                source=source, code=item.code, name=item.name, sla_days=item.sla_days
            )
        elif (current.name, current.sla_days) != (item.name, item.sla_days):
            current.name, current.sla_days = item.name, item.sla_days
            current.save(update_fields=["name", "sla_days"])

    existing = {
        row.source_ref: row
        for row in PermitApplication.objects.select_for_update().filter(
            source=source, source_ref__in=[a.source_ref for a in applications]
        )
    }
    changed = 0
    new_rows = []
    for record in applications:
        values = {
            "permit_type_id": stored_types[record.permit_type].pk,
            "region_id": regions[record.kelurahan_code],
            "status": record.status,
            "applied_at": record.applied_at,
            "issued_at": record.issued_at,
            "within_sla": record.within_sla,
            "source_updated_at": record.updated_at,
        }
        row = existing.get(record.source_ref)
        if row is None:
            new_rows.append(PermitApplication(source=source, source_ref=record.source_ref, **values))
            continue
        if any(getattr(row, name) != values[name] for name in PERMIT_FIELDS):
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=[name.removesuffix("_id") for name in PERMIT_FIELDS])
            changed += 1
    if new_rows:
        PermitApplication.objects.bulk_create(new_rows, batch_size=500, ignore_conflicts=True)
        changed += len(new_rows)
    if changed:
        publish_tile("permits")
    return changed


@transaction.atomic
def do_record_attendance(source, records: Iterable[AttendanceRecord]) -> int:
    """Store attendance per OPD per day (a later report of the same day replaces the earlier one).
    Returns how many rows were created or changed; publishes the ``workforce`` tile when any was."""
    records = list(records)
    codes = {r.agency_code for r in records}
    agencies = {a.code: a.pk for a in Agency.objects.filter(code__in=codes)}
    if codes - agencies.keys():
        raise _unknown("agency code", codes - agencies.keys())
    existing = {
        (row.agency_id, row.date): row
        for row in AttendanceDay.objects.select_for_update().filter(
            agency_id__in=agencies.values(), date__in={r.date for r in records}
        )
    }
    changed = 0
    new_rows = []
    for record in records:
        values = {name: getattr(record, name.removeprefix("source_")) for name in ATTENDANCE_FIELDS}
        agency_id = agencies[record.agency_code]
        row = existing.get((agency_id, record.date))
        if row is None:
            new_rows.append(AttendanceDay(source=source, agency_id=agency_id, date=record.date, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=list(ATTENDANCE_FIELDS))
            changed += 1
    if new_rows:
        AttendanceDay.objects.bulk_create(new_rows, ignore_conflicts=True)
        changed += len(new_rows)
    if changed:
        publish_tile("workforce")
    return changed


@transaction.atomic
def do_record_beds(source, hospitals: Iterable[AssetItem], beds: Iterable[BedRecord]) -> int:
    """Sync the hospitals (assets of kind ``hospital``) and add the bed snapshots not stored yet
    (one per hospital, ward and ``observed_at``). Returns how many snapshots were added; publishes
    the ``beds`` tile when any was."""
    beds = list(beds)
    do_sync_assets(source, AssetKind.HOSPITAL, hospitals)
    assets = {a.source_ref: a for a in Asset.objects.filter(source=source, kind=AssetKind.HOSPITAL)}
    unknown = {b.hospital_ref for b in beds} - assets.keys()
    if unknown:
        raise _unknown("hospital", unknown)
    wards = {b.ward for b in beds} - set(Ward.values)
    if wards:
        raise _unknown("ward", wards)
    present = set(
        BedSnapshot.objects.filter(
            hospital__in=[assets[b.hospital_ref] for b in beds], observed_at__in={b.observed_at for b in beds}
        ).values_list("hospital_id", "ward", "observed_at")
    )
    new_rows = [
        BedSnapshot(
            source=source,
            hospital=assets[b.hospital_ref],
            ward=b.ward,
            total=b.total,
            occupied=b.occupied,
            free=b.free,
            observed_at=b.observed_at,
        )
        for b in beds
        if (assets[b.hospital_ref].pk, b.ward, b.observed_at) not in present
    ]
    if new_rows:
        BedSnapshot.objects.bulk_create(new_rows, batch_size=500, ignore_conflicts=True)
        publish_tile("beds")
    return len(new_rows)

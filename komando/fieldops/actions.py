"""Writers of field operations: garbage (DLH), public order (Satpol PP) and flood warning (PUPR/BPBD).

Registries are synced as assets. The device ingest (MQTT) writes to the same assets (positions of
trucks/officers/patrols, levels of gauges), so a registry sync keeps what it does not own: attribute
keys the registry does not set, and a moving unit's last known position.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import transaction

from komando.assets.actions import do_sync_assets
from komando.assets.models import Asset, AssetKind
from komando.core.tiles import build_tile, publish_tile
from komando.fieldops.flood import with_level
from komando.fieldops.models import (
    ActivityKind,
    DutyStatus,
    OrderActivityDay,
    RouteStatus,
    UnitDuty,
    WasteRouteDay,
)
from komando.regions.models import Region
from komando.sources.framework import AssetItem, SourceDataInvalid


class RouteRow(NamedTuple):
    """A garbage route on one day (WIB) as DLH reports it."""

    route_ref: str
    date: date
    name: str
    truck_ref: str | None
    kecamatan_code: str | None
    status: str  # RouteStatus
    tps_total: int
    tps_served: int
    tonnage_t: float
    started_at: datetime | None
    finished_at: datetime | None


class DutyRow(NamedTuple):
    unit_ref: str
    status: str  # DutyStatus
    assignment: str
    since: datetime | None


@dataclass(frozen=True)
class ActivityRow:
    """Activities of one kind on one day (a dataclass, not a NamedTuple: ``count`` is a field here)."""

    date: date
    kind: str  # ActivityKind
    count: int


class LevelRow(NamedTuple):
    gauge_ref: str
    level_m: float
    observed_at: datetime  # aware


@dataclass(frozen=True)
class GaugeLevelChange:
    """A gauge's latest level replaced: its attributes just before and just after, read under the
    gauge's row lock. What reacts after the commit compares the two (a rise over siaga opens an
    incident), so every rise is seen once, whichever writer stored it."""

    gauge_id: int
    gauge_ref: str
    before: dict
    after: dict


@dataclass
class FloodStored:
    """What ``do_record_flood`` stored: the gauge levels it replaced."""

    level_changes: list[GaugeLevelChange] = field(default_factory=list)

    @property
    def updated(self) -> int:
        return len(self.level_changes)


def _tile_state(key: str) -> dict | None:
    tile = build_tile(key)
    return tile.as_dict() if tile else None


def _publish_if_changed(key: str, before: dict | None) -> None:
    if _tile_state(key) != before:
        publish_tile(key)


def _sync_registry(
    source, kind: str, items: Iterable[AssetItem], *, moving: bool = False, levels: dict[str, LevelRow] | None = None
) -> dict[str, Asset]:
    """``do_sync_assets`` that keeps what other writers put on the same assets (see the module doc).

    ``moving``: keep the stored position when the registry gives none. ``levels``: water levels
    per gauge ref, applied only when newer than the stored one.
    """
    items = [AssetItem(**item) for item in items]  # copies: the caller's items stay as given
    refs = [str(item["source_ref"]) for item in items]
    if len(set(refs)) != len(refs):
        twice = sorted({ref for ref in refs if refs.count(ref) > 1})
        raise SourceDataInvalid(f"{kind} {twice[0]!r} is listed twice")
    # Lock the rows the device ingest may write at the same time (PostgreSQL; SQLite serialises writers).
    existing = {
        asset.source_ref: asset
        for asset in Asset.objects.select_for_update().filter(source=source, source_ref__in=refs).order_by("pk")
    }
    for item in items:
        asset = existing.get(str(item["source_ref"]))
        attributes = dict(item.get("attributes") or {})
        if asset is not None:
            attributes = dict(asset.attributes) | attributes
            if moving and item.get("lat") is None:
                item["lat"], item["lon"] = asset.lat, asset.lon
        level = (levels or {}).get(str(item["source_ref"]))
        if level is not None:
            attributes = with_level(attributes, level.level_m, level.observed_at)
        item["attributes"] = attributes
    return do_sync_assets(source, kind, items)


def _regions(codes: Iterable[str | None]) -> dict[str, Region]:
    known_codes = {code for code in codes if code}
    regions = {region.code: region for region in Region.objects.filter(code__in=known_codes)}
    unknown = sorted(known_codes - regions.keys())
    if unknown:
        raise SourceDataInvalid(f"unknown region code {unknown[0]!r}")
    return regions


def _save_if_changed(instance, values: dict[str, Any]) -> bool:
    if all(getattr(instance, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()
    return True


# --- Kebersihan (DLH) ---------------------------------------------------------------------------


@transaction.atomic
def do_record_waste(source, trucks: Iterable[AssetItem], tps: Iterable[AssetItem], routes: Iterable[RouteRow]) -> int:
    """Sync the truck roster and the TPS registry (asset items), and upsert the routes of the day
    (one row per route and day, updated). A route with an unknown truck, region or status raises
    ``SourceDataInvalid`` and nothing changes. Publishes the ``waste`` tile when it changed.
    Returns how many route rows were added or changed."""
    before = _tile_state("waste")
    trucks_by_ref = _sync_registry(source, AssetKind.TRUCK, trucks, moving=True)
    _sync_registry(source, AssetKind.TPS, tps)
    routes = list(routes)
    statuses = set(RouteStatus.values)
    seen = set()
    for row in routes:
        if row.status not in statuses:
            raise SourceDataInvalid(f"route {row.route_ref}: unknown status {row.status!r}")
        if row.truck_ref and row.truck_ref not in trucks_by_ref:
            raise SourceDataInvalid(f"route {row.route_ref}: truck {row.truck_ref!r} is not in the roster")
        if (row.route_ref, row.date) in seen:
            raise SourceDataInvalid(f"route {row.route_ref} on {row.date} is reported twice")
        seen.add((row.route_ref, row.date))
    regions = _regions(row.kecamatan_code for row in routes)
    stored = {
        (r.route_ref, r.date): r
        for r in WasteRouteDay.objects.select_for_update().filter(source=source, date__in={row.date for row in routes})
    }
    changed = 0
    for row in routes:
        values = {
            "name": row.name,
            "truck": trucks_by_ref.get(row.truck_ref) if row.truck_ref else None,
            "kecamatan": regions.get(row.kecamatan_code or ""),
            "status": row.status,
            "tps_total": row.tps_total,
            "tps_served": row.tps_served,
            "tonnage_t": row.tonnage_t,
            "started_at": row.started_at,
            "finished_at": row.finished_at,
        }
        existing = stored.get((row.route_ref, row.date))
        if existing is None:
            WasteRouteDay.objects.create(source=source, route_ref=row.route_ref, date=row.date, **values)
            changed += 1
        elif _save_if_changed(existing, values):
            changed += 1
    _publish_if_changed("waste", before)
    return changed


# --- Ketertiban (Satpol PP) ---------------------------------------------------------------------


@transaction.atomic
def do_record_public_order(
    source,
    officers: Iterable[AssetItem],
    patrols: Iterable[AssetItem],
    duties: Iterable[DutyRow],
    activities: Iterable[ActivityRow],
) -> int:
    """Sync the officer and patrol roster (asset items), set each unit's duty status and the
    activity counts per day and kind. A status for a unit not in the roster, or an unknown status
    or kind, raises ``SourceDataInvalid`` and nothing changes. Publishes the ``public_order`` tile
    when it changed. Returns how many statuses and counts were added or changed."""
    before = _tile_state("public_order")
    units = _sync_registry(source, AssetKind.OFFICER, officers, moving=True)
    units |= _sync_registry(source, AssetKind.PATROL, patrols, moving=True)
    duties, activities = list(duties), list(activities)
    for row in duties:
        if row.unit_ref not in units:
            raise SourceDataInvalid(f"duty status of unit {row.unit_ref!r}, which is not in the roster")
        if row.status not in DutyStatus.values:
            raise SourceDataInvalid(f"unit {row.unit_ref}: unknown duty status {row.status!r}")
    for activity in activities:
        if activity.kind not in ActivityKind.values:
            raise SourceDataInvalid(f"unknown activity kind {activity.kind!r}")
        if activity.count < 0:
            raise SourceDataInvalid(f"negative count of {activity.kind} on {activity.date}")
    changed = 0
    stored = {
        duty.unit_id: duty
        for duty in UnitDuty.objects.select_for_update().filter(unit__in=[units[row.unit_ref] for row in duties])
    }
    for row in duties:
        unit = units[row.unit_ref]
        values = {
            "status": row.status,
            "assignment": row.assignment if row.status == DutyStatus.ON_ASSIGNMENT else "",
            "since": row.since,
        }
        existing = stored.get(unit.pk)
        if existing is None:
            UnitDuty.objects.create(unit=unit, **values)
            changed += 1
        elif _save_if_changed(existing, values):
            changed += 1
    counts = {
        (a.date, a.kind): a
        for a in OrderActivityDay.objects.select_for_update().filter(
            source=source, date__in={activity.date for activity in activities}
        )
    }
    for activity in activities:
        day_count = counts.get((activity.date, activity.kind))
        if day_count is None:
            counts[(activity.date, activity.kind)] = OrderActivityDay.objects.create(
                source=source, date=activity.date, kind=activity.kind, count=activity.count
            )
            changed += 1
        elif _save_if_changed(day_count, {"count": activity.count}):
            changed += 1
    _publish_if_changed("public_order", before)
    return changed


# --- Banjir (PUPR/BPBD) -------------------------------------------------------------------------


@transaction.atomic
def do_record_flood(
    source,
    gauges: Iterable[AssetItem],
    sluice_gates: Iterable[AssetItem],
    pumps: Iterable[AssetItem],
    levels: Iterable[LevelRow],
) -> FloodStored:
    """Sync gauges, sluice gates and pumps (asset items) and set each gauge's latest level
    (``level_m``, ``level_observed_at`` in its attributes) when it is newer than the stored one.
    A level of an unknown gauge raises ``SourceDataInvalid`` and nothing changes. Publishes the
    ``flood`` tile when it changed. Returns the gauge levels it replaced (``FloodStored``)."""
    before = _tile_state("flood")
    gauges = list(gauges)
    levels = list(levels)
    known = {str(item["source_ref"]) for item in gauges}
    by_gauge: dict[str, LevelRow] = {}
    for row in levels:
        if row.gauge_ref not in known:
            raise SourceDataInvalid(f"water level of gauge {row.gauge_ref!r}, which is not in the registry")
        if row.observed_at.tzinfo is None:
            raise SourceDataInvalid(f"water level of gauge {row.gauge_ref} has no time zone")
        if row.gauge_ref in by_gauge:
            raise SourceDataInvalid(f"water level of gauge {row.gauge_ref} is reported twice")
        by_gauge[row.gauge_ref] = row
    # The gauges locked (in the order ``_sync_registry`` locks them) before their levels are read, so
    # a concurrent writer of the same gauge (the device ingest) waits and every change is seen once.
    previous = {
        asset.source_ref: dict(asset.attributes)
        for asset in Asset.objects.select_for_update().filter(source=source, kind=AssetKind.GAUGE).order_by("pk")
    }
    synced = _sync_registry(source, AssetKind.GAUGE, gauges, levels=by_gauge)
    _sync_registry(source, AssetKind.SLUICE_GATE, sluice_gates)
    _sync_registry(source, AssetKind.PUMP, pumps)
    stored = FloodStored()
    for ref, asset in synced.items():
        was = previous.get(ref, {})
        if asset.attributes.get("level_observed_at") != was.get("level_observed_at"):
            stored.level_changes.append(
                GaugeLevelChange(gauge_id=asset.pk, gauge_ref=ref, before=was, after=dict(asset.attributes))
            )
    _publish_if_changed("flood", before)
    return stored


@transaction.atomic
def do_record_gauge_level(asset: Asset, level_m: float, observed_at: datetime) -> GaugeLevelChange | None:
    """Set a gauge's latest level if it is newer than the stored one (newest wins, whoever writes:
    the banjir connector or the device ingest). Returns the change when it was stored, else None."""
    if observed_at.tzinfo is None:
        raise ValueError("observed_at must be aware")
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    attributes = with_level(locked.attributes, level_m, observed_at)
    if attributes == locked.attributes:
        return None
    change = GaugeLevelChange(
        gauge_id=locked.pk, gauge_ref=locked.source_ref, before=dict(locked.attributes), after=dict(attributes)
    )
    locked.attributes = attributes
    locked.save(update_fields=["attributes", "updated_at"])
    asset.attributes = attributes
    publish_tile("flood")
    return change

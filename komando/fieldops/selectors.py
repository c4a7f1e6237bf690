"""Reads of field operations: service tiles, API panels and map layers (GeoJSON, [lon, lat]).

Waste and flood are public; public order (Satpol PP) is internal: its tile is for staff only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from komando.assets.models import Asset, AssetKind
from komando.core.events import PUBLIC, STAFF
from komando.core.tiles import Figure, Tile
from komando.fieldops.flood import NORMAL, TONES, parse_observed_at, severity, siaga_status
from komando.fieldops.models import ActivityKind, DutyStatus, OrderActivityDay, RouteStatus, UnitDuty, WasteRouteDay
from komando.regions.models import RegionLevel
from komando.sources.registry import panel_source

WASTE_SOURCE = panel_source("waste")
ORDER_SOURCE = panel_source("public_order")
FLOOD_SOURCE = panel_source("flood")
MAX_ROWS = 6
SLUICE_OPEN = "open"
PUMP_RUNNING, PUMP_STANDBY, PUMP_BROKEN = "running", "standby", "broken"
TPS_STATUSES = ("normal", "almost_full", "full")
SLUICE_STATUSES = ("open", "closed", "maintenance")
PUMP_STATUSES = (PUMP_RUNNING, PUMP_STANDBY, PUMP_BROKEN)


def _kecamatan(asset_or_region):
    region = getattr(asset_or_region, "region", asset_or_region)
    if region is None:
        return None
    if region.level == RegionLevel.KELURAHAN and region.parent is not None:
        return region.parent
    return region


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _assets(kind: str, source: str):
    return Asset.objects.filter(kind=kind, source__slug=source).select_related("region__parent").order_by("name", "pk")


# --- Waste ---------------------------------------------------------------------------------------


def tps_status(attributes: dict) -> str:
    """TPS fill status: "full" (the source's full flag), "almost_full" (≥ 75 %), else "normal"."""
    if attributes.get("full"):
        return "full"
    fill = attributes.get("fill_pct")
    return "almost_full" if isinstance(fill, int | float) and fill >= 75 else "normal"


TPS_TONES = {"normal": "ok", "almost_full": "warn", "full": "bad"}


def waste_panel(day: date | None = None) -> dict[str, Any]:
    day = day or timezone.localdate()
    routes = list(
        WasteRouteDay.objects.filter(source__slug=WASTE_SOURCE, date=day)
        .select_related("truck", "kecamatan")
        .order_by("route_ref")
    )
    tps = list(_assets(AssetKind.TPS, WASTE_SOURCE))
    trucks = list(_assets(AssetKind.TRUCK, WASTE_SOURCE))
    by_status = {status: 0 for status in RouteStatus.values}
    for route in routes:
        by_status[route.status] += 1
    tps_rows = []
    for asset in tps:
        kecamatan = _kecamatan(asset)
        tps_rows.append(
            {
                "id": asset.pk,
                "source_ref": asset.source_ref,
                "name": asset.name,
                "lat": asset.lat,
                "lon": asset.lon,
                "kecamatan_code": kecamatan.code if kecamatan else None,
                "capacity_m3": asset.attributes.get("capacity_m3"),
                "fill_pct": asset.attributes.get("fill_pct"),
                "full": bool(asset.attributes.get("full")),
                "status": tps_status(asset.attributes),
                "last_emptied_at": asset.attributes.get("last_emptied_at"),
                "route_ref": asset.attributes.get("route_ref"),
            }
        )
    return {
        "source": WASTE_SOURCE,
        "date": day.isoformat(),
        "summary": {
            "routes_total": len(routes),
            "routes_done": by_status[RouteStatus.DONE],
            "routes_in_progress": by_status[RouteStatus.IN_PROGRESS],
            "routes_missed": by_status[RouteStatus.MISSED],
            "routes_scheduled": by_status[RouteStatus.SCHEDULED],
            "tonnage_t": round(sum(route.tonnage_t for route in routes), 2),
            "tps_total": len(tps),
            "tps_full": sum(1 for row in tps_rows if row["full"]),
        },
        "routes": [
            {
                "route_ref": route.route_ref,
                "name": route.name,
                "status": route.status,
                "truck": route.truck.name if route.truck else None,
                "kecamatan_code": route.kecamatan.code if route.kecamatan else None,
                "tps_total": route.tps_total,
                "tps_served": route.tps_served,
                "tonnage_t": route.tonnage_t,
                "started_at": _iso(route.started_at),
                "finished_at": _iso(route.finished_at),
            }
            for route in routes
        ],
        "tps": tps_rows,
        "trucks": [
            {
                "id": asset.pk,
                "source_ref": asset.source_ref,
                "name": asset.name,
                "online": asset.online,
                "plate": asset.attributes.get("plate"),
                "route": asset.attributes.get("route"),
                "capacity_m3": asset.attributes.get("capacity_m3"),
            }
            for asset in trucks
        ],
    }


def waste_tile() -> Tile | None:
    day = timezone.localdate()
    routes = list(WasteRouteDay.objects.filter(source__slug=WASTE_SOURCE, date=day).select_related("kecamatan"))
    tps = list(_assets(AssetKind.TPS, WASTE_SOURCE))
    if not routes and not tps:
        return None
    done = sum(1 for route in routes if route.status == RouteStatus.DONE)
    missed = [route for route in routes if route.status == RouteStatus.MISSED]
    full = [asset for asset in tps if asset.attributes.get("full")]
    per_kecamatan: dict[str, dict[str, Any]] = defaultdict(lambda: {"name": "", "full": 0, "missed": 0})
    for asset in full:
        kecamatan = _kecamatan(asset)
        if kecamatan is not None:
            per_kecamatan[kecamatan.code]["name"] = kecamatan.name
            per_kecamatan[kecamatan.code]["full"] += 1
    for route in missed:
        if route.kecamatan is not None:
            per_kecamatan[route.kecamatan.code]["name"] = route.kecamatan.name
            per_kecamatan[route.kecamatan.code]["missed"] += 1
    ranked = sorted(per_kecamatan.items(), key=lambda item: (-item[1]["missed"], -item[1]["full"], item[0]))
    rows = [
        Figure(
            label=info["name"],
            value=_("%(full)d full TPS, %(missed)d missed routes") % {"full": info["full"], "missed": info["missed"]},
            tone="bad" if info["missed"] else "warn",
        )
        for _code, info in ranked[:MAX_ROWS]
    ]
    stamps = [route.updated_at for route in routes] + [asset.updated_at for asset in tps]
    return Tile(
        key="waste",
        source=WASTE_SOURCE,
        title=_("Waste collection"),
        figures=[
            Figure(_("Routes done today"), f"{done}/{len(routes)}", tone="ok" if routes and done == len(routes) else ""),
            Figure(_("Missed routes"), len(missed), tone="bad" if missed else "ok"),
            Figure(_("Full TPS"), len(full), tone="warn" if full else "ok"),
            Figure(_("Collected today"), round(sum(route.tonnage_t for route in routes), 1), unit="t"),
        ],
        rows=rows,
        rows_title=_("Kecamatan with full TPS or missed routes") if rows else "",
        data_as_of=max(stamps) if stamps else None,
        audience=PUBLIC,
    )


# --- Public order (internal) ---------------------------------------------------------------------


def public_order_panel(day: date | None = None) -> dict[str, Any]:
    day = day or timezone.localdate()
    units = list(
        Asset.objects.filter(kind__in=[AssetKind.OFFICER, AssetKind.PATROL], source__slug=ORDER_SOURCE)
        .select_related("duty", "region__parent")
        .order_by("kind", "name", "pk")
    )
    summary = {"units": len(units), "on_duty": 0, "on_assignment": 0, "off_duty": 0, "unknown": 0}
    rows = []
    for unit in units:
        duty = getattr(unit, "duty", None)
        status = duty.status if duty else None
        summary[status or "unknown"] += 1
        kecamatan = _kecamatan(unit)
        rows.append(
            {
                "id": unit.pk,
                "source_ref": unit.source_ref,
                "name": unit.name,
                "kind": unit.kind,
                "regu": unit.attributes.get("regu"),
                "kecamatan_code": kecamatan.code if kecamatan else None,
                "status": status,
                "assignment": duty.assignment if duty else "",
                "since": _iso(duty.since) if duty else None,
            }
        )
    counts = dict(OrderActivityDay.objects.filter(source__slug=ORDER_SOURCE, date=day).values_list("kind", "count"))
    return {
        "source": ORDER_SOURCE,
        "date": day.isoformat(),
        "summary": summary,
        "activities": [{"kind": kind, "count": counts.get(kind, 0)} for kind in ActivityKind.values],
        "units": rows,
    }


def public_order_tile() -> Tile | None:
    day = timezone.localdate()
    duties = list(UnitDuty.objects.filter(unit__source__slug=ORDER_SOURCE).select_related("unit"))
    counts = dict(OrderActivityDay.objects.filter(source__slug=ORDER_SOURCE, date=day).values_list("kind", "count"))
    if not duties and not counts:
        return None
    on_assignment = [duty for duty in duties if duty.status == DutyStatus.ON_ASSIGNMENT]
    working = sum(1 for duty in duties if duty.status in (DutyStatus.ON_DUTY, DutyStatus.ON_ASSIGNMENT))
    rows = [Figure(str(ActivityKind(kind).label), counts.get(kind, 0)) for kind in ActivityKind.values]
    for duty in sorted(on_assignment, key=lambda d: (d.unit.name, d.pk))[: MAX_ROWS - len(rows)]:
        rows.append(Figure(duty.unit.name, duty.assignment or str(DutyStatus.ON_ASSIGNMENT.label), tone="warn"))
    stamps = [duty.updated_at for duty in duties]
    activity_stamp = OrderActivityDay.objects.filter(source__slug=ORDER_SOURCE, date=day).aggregate(m=Max("updated_at"))["m"]
    if activity_stamp:
        stamps.append(activity_stamp)
    return Tile(
        key="public_order",
        source=ORDER_SOURCE,
        title=_("Public order (Satpol PP)"),
        figures=[
            Figure(_("Units on duty"), working, tone="ok" if working else "warn"),
            Figure(_("On assignment"), len(on_assignment)),
            Figure(_("Activities today"), sum(counts.values())),
            Figure(_("Off duty"), sum(1 for duty in duties if duty.status == DutyStatus.OFF_DUTY)),
        ],
        rows=rows,
        rows_title=_("Activities today and assignments"),
        data_as_of=max(stamps) if stamps else None,
        audience=STAFF,
    )


# --- Flood ---------------------------------------------------------------------------------------


def gauge_state(asset: Asset) -> dict[str, Any]:
    """A gauge with its latest level and siaga status (None without a level yet)."""
    level = asset.attributes.get("level_m")
    has_level = isinstance(level, int | float) and not isinstance(level, bool)
    status = siaga_status(asset.attributes, level) if has_level else None
    kecamatan = _kecamatan(asset)
    return {
        "id": asset.pk,
        "source_ref": asset.source_ref,
        "name": asset.name,
        "lat": asset.lat,
        "lon": asset.lon,
        "kecamatan_code": kecamatan.code if kecamatan else None,
        "river": asset.attributes.get("river"),
        "normal_m": asset.attributes.get("normal_m"),
        "siaga_3_m": asset.attributes.get("siaga_3_m"),
        "siaga_2_m": asset.attributes.get("siaga_2_m"),
        "siaga_1_m": asset.attributes.get("siaga_1_m"),
        "level_m": level if has_level else None,
        "observed_at": asset.attributes.get("level_observed_at") if has_level else None,
        "status": status,
    }


def _gauge_rank(state: dict) -> tuple:
    """Worst first: by siaga status, then by how close the level is to siaga 3."""
    level, siaga_3 = state["level_m"], state["siaga_3_m"]
    ratio = level / siaga_3 if level is not None and siaga_3 else -1
    return (-severity(state["status"] or NORMAL), -ratio, state["name"])


def flood_panel() -> dict[str, Any]:
    gauges = [gauge_state(asset) for asset in _assets(AssetKind.GAUGE, FLOOD_SOURCE)]
    gates = [
        {
            "id": a.pk,
            "source_ref": a.source_ref,
            "name": a.name,
            "lat": a.lat,
            "lon": a.lon,
            "river": a.attributes.get("river"),
            "opening_pct": a.attributes.get("opening_pct"),
            "status": a.attributes.get("status"),
        }
        for a in _assets(AssetKind.SLUICE_GATE, FLOOD_SOURCE)
    ]
    pumps = [
        {
            "id": a.pk,
            "source_ref": a.source_ref,
            "name": a.name,
            "lat": a.lat,
            "lon": a.lon,
            "capacity_m3s": a.attributes.get("capacity_m3s"),
            "status": a.attributes.get("status"),
        }
        for a in _assets(AssetKind.PUMP, FLOOD_SOURCE)
    ]
    return {
        "source": FLOOD_SOURCE,
        "summary": {
            "gauges": len(gauges),
            "gauges_at_siaga": sum(1 for g in gauges if g["status"] not in (None, NORMAL)),
            "pumps_running": sum(1 for p in pumps if p["status"] == PUMP_RUNNING),
            "pumps_standby": sum(1 for p in pumps if p["status"] == PUMP_STANDBY),
            "pumps_broken": sum(1 for p in pumps if p["status"] == PUMP_BROKEN),
            "sluice_gates_open": sum(1 for g in gates if g["status"] == SLUICE_OPEN),
        },
        "gauges": sorted(gauges, key=_gauge_rank),
        "sluice_gates": gates,
        "pumps": pumps,
    }


STATUS_LABELS = {
    "normal": lambda: _("Normal"),
    "siaga_3": lambda: _("Siaga 3"),
    "siaga_2": lambda: _("Siaga 2"),
    "siaga_1": lambda: _("Siaga 1"),
}


def flood_tile() -> Tile | None:
    panel = flood_panel()
    gauges = [g for g in panel["gauges"] if g["level_m"] is not None]
    if not gauges and not panel["pumps"] and not panel["sluice_gates"]:
        return None
    summary = panel["summary"]
    at_siaga = [g for g in gauges if g["status"] != NORMAL]
    worst = max((severity(g["status"]) for g in gauges), default=0)
    figures = [Figure(_("Gauges at siaga"), len(at_siaga), tone="ok" if not at_siaga else ("warn" if worst == 1 else "bad"))]
    if gauges:
        top = gauges[0]  # ranked worst first
        figures.append(
            Figure(
                _("Highest: %(gauge)s (siaga 3 at %(siaga)s m)") % {"gauge": top["name"], "siaga": top["siaga_3_m"]},
                top["level_m"],
                unit="m",
                tone=TONES[top["status"]],
            )
        )
    figures.append(
        Figure(
            _("Pumps running / broken"),
            f"{summary['pumps_running']} / {summary['pumps_broken']}",
            tone="bad" if summary["pumps_broken"] else "",
        )
    )
    figures.append(Figure(_("Sluice gates open"), f"{summary['sluice_gates_open']}/{len(panel['sluice_gates'])}"))
    rows = [Figure(g["name"], g["level_m"], unit="m", tone=TONES[g["status"]]) for g in gauges[:MAX_ROWS]]
    observed = [parse_observed_at(g["observed_at"]) for g in gauges]
    observed = [moment for moment in observed if moment]
    note = ""
    if at_siaga:
        note = ", ".join(f"{g['name']}: {STATUS_LABELS[g['status']]()}" for g in at_siaga[:3])
    return Tile(
        key="flood",
        source=FLOOD_SOURCE,
        title=_("Flood warning"),
        figures=figures,
        rows=rows,
        rows_title=_("Water level at gauges") if rows else "",
        data_as_of=max(observed) if observed else None,
        audience=PUBLIC,
        note=note,
    )


# --- Map layers (GeoJSON FeatureCollection, [lon, lat]) -------------------------------------------


def _feature(asset: Asset, status: str | None, tone: str, observed_at: str | None, **extra) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [asset.lon, asset.lat]},
        "properties": {
            "id": asset.pk,
            "name": asset.name,
            "kind": asset.kind,
            "status": status or "",
            "tone": tone,
            "source": asset.source.slug,
            "observed_at": observed_at,
            "source_ref": asset.source_ref,
            **extra,
        },
    }


def _located(kind: str, source: str):
    return (
        Asset.objects.filter(kind=kind, source__slug=source, lat__isnull=False, lon__isnull=False)
        .select_related("source")
        .order_by("name", "pk")
    )


def _collection(features: list[dict]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def tps_layer() -> dict[str, Any]:
    """TPS with their fill status: normal / almost_full / full."""
    features = []
    for asset in _located(AssetKind.TPS, WASTE_SOURCE):
        status = tps_status(asset.attributes)
        features.append(
            _feature(
                asset,
                status,
                TPS_TONES[status],
                _iso(asset.updated_at),
                fill_pct=asset.attributes.get("fill_pct"),
                full=bool(asset.attributes.get("full")),
                capacity_m3=asset.attributes.get("capacity_m3"),
                last_emptied_at=asset.attributes.get("last_emptied_at"),
            )
        )
    return _collection(features)


def sluice_gate_layer() -> dict[str, Any]:
    """Sluice gates with opening % and status: open / closed / maintenance."""
    tones = {"open": "ok", "closed": "", "maintenance": "warn"}
    return _collection(
        [
            _feature(
                asset,
                asset.attributes.get("status"),
                tones.get(asset.attributes.get("status"), ""),
                _iso(asset.updated_at),
                opening_pct=asset.attributes.get("opening_pct"),
                river=asset.attributes.get("river"),
            )
            for asset in _located(AssetKind.SLUICE_GATE, FLOOD_SOURCE)
        ]
    )


def pump_layer() -> dict[str, Any]:
    """Flood pumps (rumah pompa) with status: running / standby / broken."""
    tones = {PUMP_RUNNING: "ok", PUMP_STANDBY: "", PUMP_BROKEN: "bad"}
    return _collection(
        [
            _feature(
                asset,
                asset.attributes.get("status"),
                tones.get(asset.attributes.get("status"), ""),
                _iso(asset.updated_at),
                capacity_m3s=asset.attributes.get("capacity_m3s"),
            )
            for asset in _located(AssetKind.PUMP, FLOOD_SOURCE)
        ]
    )


def gauge_layer() -> dict[str, Any]:
    """Water-level gauges with the latest level and siaga status (normal / siaga_3 / siaga_2 / siaga_1)."""
    features = []
    for asset in _located(AssetKind.GAUGE, FLOOD_SOURCE):
        state = gauge_state(asset)
        features.append(
            _feature(
                asset,
                state["status"],
                TONES.get(state["status"], ""),
                state["observed_at"],
                level_m=state["level_m"],
                river=state["river"],
                siaga_3_m=state["siaga_3_m"],
                siaga_2_m=state["siaga_2_m"],
                siaga_1_m=state["siaga_1_m"],
            )
        )
    return _collection(features)

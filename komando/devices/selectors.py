"""Reads of device state for the operator map and the live events."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from komando.assets.models import Asset, AssetKind
from komando.devices.models import DeviceState, IngestStatus, RejectedMessage

UNIT_KINDS = (AssetKind.TRUCK, AssetKind.OFFICER, AssetKind.PATROL)


def _row(asset: Asset, state: DeviceState | None) -> dict[str, Any]:
    return {
        "id": asset.pk,
        "device_id": asset.source_ref,
        "kind": asset.kind,
        "name": asset.name,
        "source": asset.source.slug,
        "lat": state.lat if state and state.lat is not None else asset.lat,
        "lon": state.lon if state and state.lon is not None else asset.lon,
        "observed_at": state.observed_at.isoformat() if state else None,
        "speed_kmh": state.speed_kmh if state else None,
        "heading": state.heading if state else None,
        "battery": state.battery if state else None,
        "level_m": state.level_m if state else None,
        "siaga": state.siaga if state else "",
        "attributes": {key: value for key, value in asset.attributes.items()
                       if key in ("plate", "route", "regu", "river", "unit_type", "status", "assignment",
                                  "normal_m", "siaga_3_m", "siaga_2_m", "siaga_1_m")},
    }


def device_states(asset_ids: list[int] | None = None, kinds=None) -> list[dict[str, Any]]:
    """Devices with their newest state (units: position; gauges: level and siaga)."""
    assets = Asset.objects.select_related("source", "device_state")
    if asset_ids is not None:
        assets = assets.filter(pk__in=asset_ids)
    else:
        assets = assets.filter(kind__in=kinds or (*UNIT_KINDS, AssetKind.GAUGE))
    rows = []
    for asset in assets.order_by("kind", "name"):
        rows.append(_row(asset, getattr(asset, "device_state", None)))
    return rows


def ingest_status() -> dict[str, Any]:
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    clients = list(IngestStatus.objects.order_by("client_id").values(
        "client_id", "broker", "connected", "connected_since", "last_message_at",
        "received_total", "stored_total", "rejected_total"))
    return {
        "clients": clients,
        "rejected_today": RejectedMessage.objects.filter(received_at__gte=today).count(),
        "last_rejections": list(RejectedMessage.objects.values("received_at", "topic", "reason")[:10]),
    }


SIAGA_TONES = {"siaga_3": "warn", "siaga_2": "bad", "siaga_1": "bad"}


def _feature(row: dict[str, Any], tone: str = "", status: str = "") -> dict[str, Any] | None:
    if row["lat"] is None or row["lon"] is None:
        return None
    return {"type": "Feature", "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {**{key: value for key, value in row.items() if key not in ("lat", "lon")},
                           "tone": tone, "status": status}}


def units_layer() -> dict[str, Any]:
    """Trucks, Satpol PP officers and patrol cars at their newest position (GeoJSON)."""
    features = [_feature(row, status="reporting" if row["observed_at"] else "silent")
                for row in device_states(kinds=UNIT_KINDS)]
    return {"type": "FeatureCollection", "features": [f for f in features if f]}


def gauges_layer() -> dict[str, Any]:
    """Water-level gauges with their newest level and siaga status (GeoJSON)."""
    features = [_feature(row, tone=SIAGA_TONES.get(row["siaga"], ""), status=row["siaga"] or "unknown")
                for row in device_states(kinds=(AssetKind.GAUGE,))]
    return {"type": "FeatureCollection", "features": [f for f in features if f]}

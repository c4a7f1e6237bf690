"""Reads of device state for the operator map and the live events."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from komando.assets.models import Asset, AssetKind
from komando.devices.models import IngestStatus, RejectedMessage

UNIT_KINDS = (AssetKind.TRUCK, AssetKind.OFFICER, AssetKind.PATROL)


SHOWN_ATTRIBUTES = (
    "plate",
    "route",
    "regu",
    "river",
    "unit_type",
    "status",
    "assignment",
    "normal_m",
    "siaga_3_m",
    "siaga_2_m",
    "siaga_1_m",
)
STATE_FIELDS = ("observed_at", "lat", "lon", "speed_kmh", "heading", "battery", "level_m", "siaga")


def _row(values: dict[str, Any]) -> dict[str, Any]:
    state = {name: values[f"device_state__{name}"] for name in STATE_FIELDS}
    reporting = state["observed_at"] is not None
    return {
        "id": values["pk"],
        "device_id": values["source_ref"],
        "kind": values["kind"],
        "name": values["name"],
        "source": values["source__slug"],
        "lat": state["lat"] if state["lat"] is not None else values["lat"],
        "lon": state["lon"] if state["lon"] is not None else values["lon"],
        "observed_at": state["observed_at"].isoformat() if reporting else None,
        "speed_kmh": state["speed_kmh"],
        "heading": state["heading"],
        "battery": state["battery"],
        "level_m": state["level_m"],
        "siaga": state["siaga"] or "",
        "attributes": {key: value for key, value in (values["attributes"] or {}).items() if key in SHOWN_ATTRIBUTES},
    }


def device_states(asset_ids: list[int] | None = None, kinds=None) -> list[dict[str, Any]]:
    """Devices with their newest state (units: position; gauges: level and siaga). Plain values,
    not model instances: this runs for every stored batch of device messages."""
    assets = Asset.objects.all()
    if asset_ids is not None:
        assets = assets.filter(pk__in=asset_ids)
    else:
        assets = assets.filter(kind__in=kinds or (*UNIT_KINDS, AssetKind.GAUGE))
    fields = (
        "pk",
        "source_ref",
        "kind",
        "name",
        "source__slug",
        "lat",
        "lon",
        "attributes",
        *(f"device_state__{name}" for name in STATE_FIELDS),
    )
    return [_row(values) for values in assets.order_by("kind", "name").values(*fields)]


def ingest_status() -> dict[str, Any]:
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    clients = list(
        IngestStatus.objects.order_by("client_id").values(
            "client_id",
            "broker",
            "connected",
            "connected_since",
            "last_message_at",
            "received_total",
            "stored_total",
            "rejected_total",
        )
    )
    return {
        "clients": clients,
        "rejected_today": RejectedMessage.objects.filter(received_at__gte=today).count(),
        "last_rejections": list(RejectedMessage.objects.values("received_at", "topic", "reason")[:10]),
    }


SIAGA_TONES = {"siaga_3": "warn", "siaga_2": "bad", "siaga_1": "bad"}


def _feature(row: dict[str, Any], tone: str = "", status: str = "") -> dict[str, Any] | None:
    if row["lat"] is None or row["lon"] is None:
        return None
    return {
        "type": "Feature",
        "id": row["id"],
        "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
        "properties": {**{key: value for key, value in row.items() if key not in ("lat", "lon")}, "tone": tone, "status": status},
    }


def units_layer() -> dict[str, Any]:
    """Trucks, Satpol PP officers and patrol cars at their newest position (GeoJSON)."""
    features = [_feature(row, status="reporting" if row["observed_at"] else "silent") for row in device_states(kinds=UNIT_KINDS)]
    return {"type": "FeatureCollection", "features": [f for f in features if f]}


def gauges_layer() -> dict[str, Any]:
    """Water-level gauges with their newest level and siaga status (GeoJSON)."""
    features = [
        _feature(row, tone=SIAGA_TONES.get(row["siaga"], ""), status=row["siaga"] or "unknown")
        for row in device_states(kinds=(AssetKind.GAUGE,))
    ]
    return {"type": "FeatureCollection", "features": [f for f in features if f]}

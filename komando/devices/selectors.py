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

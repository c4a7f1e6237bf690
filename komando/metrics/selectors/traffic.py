"""Reads of traffic state: the PIS camera panel and where a camera's snapshot comes from."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Max, Q

from komando.assets.models import Asset, AssetKind
from komando.metrics.models import CongestionLevel, TrafficObservation
from komando.regions.models import RegionLevel
from komando.sources.registry import panel_source

SOURCE_SLUG = panel_source("traffic")


def snapshot_proxy_url(camera_id: int) -> str:
    """Komando's own (same-origin) URL of a camera's current picture."""
    return f"/api/cameras/{camera_id}/snapshot.jpg"


def _kecamatan_code(asset: Asset) -> str | None:
    region = asset.region
    if region is None:
        return None
    if region.level == RegionLevel.KELURAHAN and region.parent is not None:
        return region.parent.code
    return region.code


def _latest_observations(cameras: list[Asset]) -> dict[int, TrafficObservation]:
    latest = dict(
        TrafficObservation.objects.filter(camera__in=cameras)
        .values("camera_id")
        .annotate(newest=Max("observed_at"))
        .values_list("camera_id", "newest")
    )
    if not latest:
        return {}
    matches = reduce(or_, (Q(camera_id=camera_id, observed_at=newest) for camera_id, newest in latest.items()))
    return {row.camera_id: row for row in TrafficObservation.objects.filter(matches)}


def traffic_panel() -> dict[str, Any]:
    """The PIS traffic panel (see the panel contract): each camera with its latest interval."""
    cameras = list(Asset.objects.filter(kind=AssetKind.CAMERA).select_related("region__parent").order_by("name", "pk"))
    latest = _latest_observations(cameras)
    summary = {level: 0 for level in CongestionLevel.values} | {"offline": 0}
    rows = []
    for camera in cameras:
        observation = latest.get(camera.pk)
        if not camera.online:
            summary["offline"] += 1
        elif observation is not None:
            summary[observation.congestion] += 1
        rows.append(
            {
                "id": camera.pk,
                "source_ref": camera.source_ref,
                "name": camera.name,
                "lat": camera.lat,
                "lon": camera.lon,
                "kecamatan_code": _kecamatan_code(camera),
                "online": camera.online,
                "snapshot_url": snapshot_proxy_url(camera.pk),
                "observed_at": observation.observed_at.isoformat() if observation else None,
                "interval_minutes": observation.interval_minutes if observation else None,
                "vehicles": observation.vehicles if observation else None,
                "average_speed_kmh": observation.average_speed_kmh if observation else None,
                "congestion": observation.congestion if observation else None,
            }
        )
    newest = max((o.observed_at for o in latest.values()), default=None)
    return {
        "source": SOURCE_SLUG,
        "observed_at": newest.isoformat() if newest else None,
        "summary": summary,
        "cameras": rows,
    }


def camera_snapshot_upstream(camera_id: int) -> str | None:
    """The upstream snapshot URL of a camera asset; None when there is no such camera or URL."""
    camera = Asset.objects.filter(pk=camera_id, kind=AssetKind.CAMERA).only("attributes").first()
    if camera is None:
        return None
    url = (camera.attributes or {}).get("snapshot_url")
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def cameras_layer() -> dict[str, Any]:
    """The traffic cameras as a GeoJSON FeatureCollection ([lon, lat]), coloured by congestion."""
    panel = traffic_panel()
    features = []
    for camera in panel["cameras"]:
        if camera["lat"] is None or camera["lon"] is None:
            continue
        tone = {"macet": "bad", "padat": "warn"}.get(camera["congestion"] or "", "")
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [camera["lon"], camera["lat"]]},
                "properties": {
                    "id": camera["id"],
                    "name": camera["name"],
                    "kind": "camera",
                    "status": camera["congestion"] if camera["online"] else "offline",
                    "tone": tone if camera["online"] else "bad",
                    "source": panel["source"],
                    "observed_at": camera["observed_at"],
                    "snapshot_url": camera["snapshot_url"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}

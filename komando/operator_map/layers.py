"""The operator map's layers: each a GeoJSON FeatureCollection from its domain's selector.

A layer is listed here by key with its title, the source whose data it shows (for freshness and
live refresh), who may see it, and the dotted path of its selector (a function with no arguments
returning a FeatureCollection dict, [lon, lat]). The page gets every layer in one state object,
then keeps units and gauges live from device events and re-reads another layer when its
source reports a successful run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("komando.operator_map")


@dataclass(frozen=True)
class Layer:
    key: str
    title: str
    source: str
    selector: str
    default_on: bool = True
    live_event: str = ""  # a live event that carries this layer's changes directly


LAYERS: list[Layer] = [
    Layer("units", _("Field units (trucks, Satpol PP)"), "ketertiban", "komando.devices.selectors.units_layer",
          live_event="devices.units"),
    Layer("gauges", _("Water-level gauges"), "banjir", "komando.devices.selectors.gauges_layer",
          live_event="devices.gauges"),
    Layer("complaints", _("Open complaints (LAKSA, SP4N-LAPOR!)"), "laksa",
          "komando.complaints.selectors.open_complaints_layer", default_on=False),
    Layer("calls", _("112 calls, last 24 hours"), "call-112", "komando.complaints.selectors.emergency_calls_layer"),
    Layer("tps", _("Waste collection points (TPS)"), "kebersihan", "komando.fieldops.selectors.tps_layer",
          default_on=False),
    Layer("pumps", _("Flood pumps"), "banjir", "komando.fieldops.selectors.pump_layer"),
    Layer("sluice_gates", _("Sluice gates"), "banjir", "komando.fieldops.selectors.sluice_gate_layer"),
    Layer("hospitals", _("Hospitals with free beds"), "bed-rsud", "komando.services.selectors.hospitals_layer"),
    Layer("hazards", _("Earthquakes (7 days) and weather warnings"), "bmkg",
          "komando.hazards.selectors.hazards_map_layer", default_on=False),
    Layer("cameras", _("Traffic cameras"), "atcs", "komando.operator_map.layers.cameras_layer", default_on=False),
]


def layer_by_key(key: str) -> Layer | None:
    return next((layer for layer in LAYERS if layer.key == key), None)


def available_layers() -> list[Layer]:
    """Layers whose selector can be imported (a domain not installed yet is simply absent)."""
    found = []
    for layer in LAYERS:
        try:
            import_string(layer.selector)
        except ImportError:
            logger.warning("map layer %s: selector %s is not importable", layer.key, layer.selector)
            continue
        found.append(layer)
    return found


def layer_geojson(layer: Layer) -> dict[str, Any]:
    try:
        collection = import_string(layer.selector)()
    except Exception:  # one broken layer must not take the map down
        logger.exception("map layer %s failed", layer.key)
        collection = {"type": "FeatureCollection", "features": []}
    return collection


def layer_meta(layer: Layer) -> dict[str, Any]:
    return {"key": layer.key, "title": str(layer.title), "source": layer.source, "default_on": layer.default_on,
            "live_event": layer.live_event}


def cameras_layer() -> dict[str, Any]:
    from komando.metrics.selectors.traffic import traffic_panel

    features = []
    for camera in traffic_panel()["cameras"]:
        if camera["lat"] is None or camera["lon"] is None:
            continue
        tone = {"macet": "bad", "padat": "warn"}.get(camera["congestion"] or "", "")
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [camera["lon"], camera["lat"]]},
            "properties": {"id": camera["id"], "name": camera["name"], "kind": "camera",
                           "status": camera["congestion"] if camera["online"] else "offline",
                           "tone": tone if camera["online"] else "bad", "source": "atcs",
                           "observed_at": camera["observed_at"], "snapshot_url": camera["snapshot_url"]},
        })
    return {"type": "FeatureCollection", "features": features}

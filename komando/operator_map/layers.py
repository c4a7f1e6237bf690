"""The operator map's layers: each a GeoJSON FeatureCollection from its domain's selector.

A layer is declared by the connector whose data it shows, in its manifest (``map_layers``: key,
title, the dotted path of its selector — a function with no arguments returning a FeatureCollection
dict, [lon, lat] — its order, whether it is on by default and the live event that carries it); the
connector's slug is the layer's source (for freshness and live refresh). The page gets every layer in one state object,
then keeps units and gauges live from device events and re-reads another layer when its
source reports a successful run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

from komando.sources.framework import localized
from komando.sources.registry import map_layers

logger = logging.getLogger("komando.operator_map")


@dataclass(frozen=True)
class Layer:
    key: str
    title: str
    source: str
    selector: str
    default_on: bool = True
    live_event: str = ""  # a live event that carries this layer's changes directly


def layers() -> list[Layer]:
    """The map layers the connectors declare in their manifests (``map_layers``), in their order,
    titled in the active language."""
    return [
        Layer(layer.key, localized(layer.title), slug, layer.selector, layer.default_on, layer.live_event)
        for slug, layer in map_layers()
    ]


def layer_by_key(key: str) -> Layer | None:
    return next((layer for layer in layers() if layer.key == key), None)


def available_layers() -> list[Layer]:
    """Layers whose selector can be imported (a domain not installed yet is simply absent)."""
    found = []
    for layer in layers():
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
    return {
        "key": layer.key,
        "title": str(layer.title),
        "source": layer.source,
        "default_on": layer.default_on,
        "live_event": layer.live_event,
    }

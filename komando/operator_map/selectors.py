"""The operator map's initial state: every layer's GeoJSON, the sources' health, the ingest."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from komando.core.city import current_city
from komando.devices.selectors import ingest_status
from komando.operator_map.layers import available_layers, layer_geojson, layer_meta
from komando.regions.models import RegionLevel
from komando.regions.selectors import region_feature_collection
from komando.sources.selectors import all_source_health


def operator_map_state() -> dict[str, Any]:
    return {
        "city": current_city().summary(),
        "server_time": timezone.now(),
        "kecamatan": region_feature_collection(RegionLevel.KECAMATAN),
        "layers": [layer_meta(layer) | {"geojson": layer_geojson(layer)} for layer in available_layers()],
        "sources": all_source_health(),
        "ingest": ingest_status(),
    }

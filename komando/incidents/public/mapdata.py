"""The outlines the report form's map draws (no tile server): kecamatan and kelurahan as small GeoJSON,
names only, coordinates rounded to 5 decimals (about a metre)."""

from __future__ import annotations

from komando.regions.models import Region, RegionLevel


def _rounded(value):
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def outlines(level: str) -> dict:
    rows = Region.objects.filter(level=level).exclude(geometry=None).select_related("parent").order_by("code")
    features = []
    for region in rows:
        geometry = region.geometry or {}
        properties = {"name": region.name, "centroid": [round(region.centroid_lat, 5), round(region.centroid_lon, 5)]}
        if level == RegionLevel.KELURAHAN and region.parent_id:
            properties["kecamatan"] = region.parent.name
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": geometry.get("type"), "coordinates": _rounded(geometry.get("coordinates"))},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def form_map() -> dict:
    return {"kecamatan": outlines(RegionLevel.KECAMATAN), "kelurahan": outlines(RegionLevel.KELURAHAN)}

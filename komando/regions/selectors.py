"""Read queries for regions: GeoJSON features as the map and the API show them."""

from __future__ import annotations

from komando.regions.models import Region, RegionLevel

MAP_LEVELS = (RegionLevel.KECAMATAN, RegionLevel.KELURAHAN)


def region_feature(region: Region) -> dict:
    """One region as a GeoJSON Feature (geometry WGS84 [lon, lat]; null when none is known)."""
    return {
        "type": "Feature",
        "id": region.code,
        "geometry": region.geometry,
        "properties": {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "parent_code": region.parent.code if region.parent_id else None,
            "area_km2": region.area_km2,
            "centroid": [region.centroid_lon, region.centroid_lat],
            "geometry_source": region.geometry_source,
        },
    }


def region_feature_collection(level: str) -> dict:
    regions = Region.objects.filter(level=level).select_related("parent").order_by("code")
    return {"type": "FeatureCollection", "features": [region_feature(r) for r in regions]}


def region_by_code(code: str) -> Region | None:
    return Region.objects.select_related("parent").filter(code=code).first()

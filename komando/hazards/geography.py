"""Where a hazard is relative to the city: distance from the centre, overlap with its kecamatan."""

from __future__ import annotations

import math
import re

from shapely.geometry import shape
from shapely.ops import unary_union

from komando.core.city import current_city
from komando.regions.models import Region, RegionLevel

EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def city_centre() -> tuple[float, float]:
    city = current_city()
    return city.center_lat, city.center_lon


def distance_from_city_km(lat: float, lon: float) -> float:
    centre_lat, centre_lon = city_centre()
    return distance_km(centre_lat, centre_lon, lat, lon)


class CityFootprint:
    """The city's kecamatan shapes and names, read once per action call."""

    def __init__(self):
        kecamatan = list(Region.objects.filter(level=RegionLevel.KECAMATAN).only("name", "geometry"))
        shapes = [shape(region.geometry) for region in kecamatan if region.geometry]
        self.area = unary_union(shapes) if shapes else None
        city = Region.objects.filter(level=RegionLevel.KOTA).only("name").first()
        names = {region.name for region in kecamatan}
        names.add(city.name if city else current_city().name)
        alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True) if name)
        self.names = re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE) if alternatives else None

    def affected_by(self, polygons: dict | None, description: str) -> bool:
        if polygons and self.area is not None:
            warned = shape(polygons)
            if not warned.is_valid:  # a self-touching ring from the source: repair, do not fail
                warned = warned.buffer(0)
            if warned.intersects(self.area):
                return True
        return bool(self.names and description and self.names.search(description))

"""Where an incident is: a point (WGS84 lat/lon) placed in its kelurahan and kecamatan, points outside
the city refused, and distances between points.

The city's outline is the union of its kelurahan shapes with small gaps closed (schematic shapes,
drawn from centroids, leave slivers between cells; official ones do not). A point inside the outline
belongs to the kelurahan whose shape covers it, else to the nearest one. The shapes (and the kelurahan
and kecamatan rows, shared read-only between threads) are read once per process and kept until a region
is saved here, the kelurahan rows' fingerprint changes (read at most once per ``CHECK_SECONDS``) or
``CACHE_SECONDS`` pass (another process may have imported new boundaries).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext_lazy as _
from shapely import STRtree
from shapely.geometry import Point, Polygon, shape
from shapely.ops import unary_union
from shapely.prepared import prep

from komando.incidents.errors import InvalidReport, OutsideCity
from komando.regions.models import GeometrySource, Region, RegionLevel

EARTH_RADIUS_M = 6_371_008.8
# Gaps narrower than about twice this (degrees, ~330 m) between kelurahan shapes count as inside the city.
GAP_CLOSING_DEGREES = 0.003
CACHE_SECONDS = 300
CHECK_SECONDS = 1.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def degrees_around(lat: float, metres: float) -> tuple[float, float]:
    """(Δlat, Δlon) in degrees that cover ``metres`` around a point at latitude ``lat`` (a bounding box)."""
    dlat = metres / 111_320.0
    dlon = metres / (111_320.0 * max(0.01, math.cos(math.radians(lat))))
    return dlat, dlon


def check_coordinates(lat, lon) -> tuple[float, float]:
    """Numbers in range, or ``InvalidReport``."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise InvalidReport(_("The location needs a latitude and a longitude as numbers.")) from None
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidReport(_("The location %(lat)s, %(lon)s is not a valid latitude and longitude."), lat=lat, lon=lon)
    return lat, lon


@dataclass
class _CityIndex:
    fingerprint: tuple
    built_at: float
    checked_at: float
    codes: list[str]
    tree: STRtree
    shapes: list
    outline: object
    regions: dict  # code → (kelurahan, kecamatan), read-only instances shared by threads

    def place(self, lat: float, lon: float) -> str | None:
        """The code of the kelurahan at the point, or None outside the city."""
        point = Point(lon, lat)
        if not self.outline.covers(point):
            return None
        for index in self.tree.query(point):
            if self.shapes[index].covers(point):
                return self.codes[index]
        return self.codes[int(self.tree.nearest(point))]


_index: _CityIndex | None = None
_lock = threading.Lock()


def _fingerprint() -> tuple:
    """Whether the kelurahan rows changed: count, lowest and highest id, official shapes. Checked on every
    placement (another process may have imported boundaries), so in plain SQL: building the same query
    through the ORM each time cost more than running it."""
    table = connection.ops.quote_name(Region._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(id), MIN(id), MAX(id), SUM(CASE WHEN geometry_source = %s THEN 1 ELSE 0 END) "
            f"FROM {table} WHERE level = %s",
            [GeometrySource.OFFICIAL.value, RegionLevel.KELURAHAN.value],
        )
        n, lo, hi, official = cursor.fetchone()
    return n, lo, hi, official or 0


def _build(fingerprint: tuple) -> _CityIndex:
    codes, shapes = [], []
    for code, geometry in (
        Region.objects.filter(level=RegionLevel.KELURAHAN).exclude(geometry=None).values_list("code", "geometry")
    ):
        geom = shape(geometry)
        if not geom.is_valid:
            geom = geom.buffer(0)
        codes.append(code)
        shapes.append(geom)
    if not shapes:
        raise OutsideCity(
            _("The city's kelurahan boundaries are not loaded, so no place can be checked (run komando load-reference-data).")
        )
    closed = unary_union(shapes).buffer(GAP_CLOSING_DEGREES).buffer(-GAP_CLOSING_DEGREES)
    parts = [closed] if closed.geom_type == "Polygon" else list(closed.geoms)
    outline = unary_union([Polygon(part.exterior) for part in parts])  # holes filled
    prepared = [prep(s) for s in shapes]
    regions = {
        kelurahan.code: (kelurahan, kelurahan.parent)
        for kelurahan in Region.objects.filter(code__in=codes).select_related("parent")
    }
    now = time.monotonic()
    return _CityIndex(
        fingerprint=fingerprint,
        built_at=now,
        checked_at=now,
        codes=codes,
        tree=STRtree(shapes),
        shapes=prepared,
        outline=prep(outline),
        regions=regions,
    )


def _city_index() -> _CityIndex:
    global _index
    index = _index
    now = time.monotonic()
    if index is not None and now - index.checked_at < CHECK_SECONDS and now - index.built_at < CACHE_SECONDS:
        return index
    fingerprint = _fingerprint()
    if index is None or index.fingerprint != fingerprint or now - index.built_at > CACHE_SECONDS:
        with _lock:
            index = _build(fingerprint)
            _index = index
    else:
        index.checked_at = now
    return index


def clear_cache(**kwargs) -> None:
    global _index
    _index = None


def connect_cache_invalidation() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(clear_cache, sender=Region, dispatch_uid="komando.incidents.geo.region_saved")
    post_delete.connect(clear_cache, sender=Region, dispatch_uid="komando.incidents.geo.region_deleted")


def locate(lat, lon) -> tuple[Region, Region]:
    """(kelurahan, kecamatan) of a point; ``OutsideCity`` when the point is not in the city,
    ``InvalidReport`` when it is not a point at all."""
    lat, lon = check_coordinates(lat, lon)
    index = _city_index()
    code = index.place(lat, lon)
    kelurahan, kecamatan = index.regions.get(code, (None, None)) if code else (None, None)
    if kelurahan is None:
        city = Region.objects.filter(level=RegionLevel.KOTA).values_list("name", flat=True).first() or _("the city")
        raise OutsideCity(
            _("The location %(lat)s, %(lon)s is outside %(city)s; incidents can only be reported inside the city."),
            lat=f"{lat:.5f}",
            lon=f"{lon:.5f}",
            city=city,
        )
    return kelurahan, kecamatan

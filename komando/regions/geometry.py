"""Schematic region shapes computed from centroids, for a city with no official boundaries loaded.

Kelurahan cells are the Voronoi cells of the kelurahan centroids, each clipped to a disc whose area
is a generous multiple of the kelurahan's area and to a buffer around all centroids; a kecamatan is
the union of its kelurahan cells. The result tiles the city plausibly; it is labelled schematic
everywhere it is shown.
"""

from __future__ import annotations

import math

from shapely import MultiPoint, Point, voronoi_polygons
from shapely.geometry import mapping
from shapely.ops import unary_union

KM_PER_DEGREE_LAT = 110.574


def _km_per_degree_lon(lat: float) -> float:
    return 111.320 * math.cos(math.radians(lat))


def schematic_cells(points: dict[str, tuple[float, float, float | None]]) -> dict[str, dict]:
    """``points``: code → (lat, lon, area_km2). Returns code → GeoJSON geometry (lon/lat degrees)."""
    if not points:
        return {}
    codes = list(points)
    mean_lat = sum(p[0] for p in points.values()) / len(points)
    sx, sy = _km_per_degree_lon(mean_lat), KM_PER_DEGREE_LAT
    # Work in a local km plane so that distances are honest, then convert back.
    xy = {c: (points[c][1] * sx, points[c][0] * sy) for c in codes}
    multipoint = MultiPoint([xy[c] for c in codes])
    envelope = multipoint.convex_hull.buffer(1.2)
    cells = voronoi_polygons(multipoint, extend_to=envelope.buffer(5))
    result = {}
    for cell in cells.geoms:
        code = next((c for c in codes if cell.contains(Point(xy[c]))), None)
        if code is None:
            continue
        area = points[code][2] or 1.0
        radius = max(0.6, math.sqrt(area * 2.5 / math.pi))
        shape = cell.intersection(envelope).intersection(Point(xy[code]).buffer(radius, 24))
        shape = shape.simplify(0.02)
        result[code] = _to_degrees(shape, sx, sy)
    return result


def union_of(geometries: list[dict]) -> dict:
    from shapely.geometry import shape

    return mapping(unary_union([shape(g) for g in geometries]).buffer(0))


def _to_degrees(shape, sx: float, sy: float) -> dict:
    from shapely.affinity import scale

    degrees = scale(shape, xfact=1 / sx, yfact=1 / sy, origin=(0, 0))
    geometry = mapping(degrees)
    return _round(geometry)


def _round(geometry: dict, digits: int = 5) -> dict:
    def walk(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], (int, float)):
                return [round(v, digits) for v in value]
            return [walk(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}

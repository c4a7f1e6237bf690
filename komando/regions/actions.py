"""Loading the city's regions and replacing their boundaries."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.db import transaction
from shapely.geometry import shape

from komando.regions.geometry import schematic_cells, union_of
from komando.regions.models import GeometrySource, Region, RegionLevel

LEVEL_ORDER = [RegionLevel.PROVINSI, RegionLevel.KOTA, RegionLevel.KECAMATAN, RegionLevel.KELURAHAN]


class BoundaryImportError(ValueError):
    pass


@transaction.atomic
def do_load_regions(path: Path) -> int:
    """Create or update regions from ``regions.csv`` (code, name, level, parent_code, area, centroid)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows.sort(key=lambda r: LEVEL_ORDER.index(RegionLevel(r["level"])))
    by_code: dict[str, Region] = {}
    for row in rows:
        parent = by_code.get(row["parent_code"]) or (Region.objects.get(code=row["parent_code"]) if row["parent_code"] else None)
        region, _ = Region.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "level": row["level"],
                "parent": parent,
                "area_km2": float(row["area_km2"]) if row["area_km2"] else None,
                "centroid_lat": float(row["centroid_lat"]),
                "centroid_lon": float(row["centroid_lon"]),
            },
        )
        by_code[region.code] = region
    do_draw_schematic_boundaries(only_missing=True)
    return len(rows)


@transaction.atomic
def do_draw_schematic_boundaries(only_missing: bool = False) -> int:
    """Give kelurahan and kecamatan schematic shapes; official ones are kept when ``only_missing``."""
    kelurahan = list(Region.objects.filter(level=RegionLevel.KELURAHAN))
    cells = schematic_cells({r.code: (r.centroid_lat, r.centroid_lon, r.area_km2) for r in kelurahan})
    changed = 0
    for region in kelurahan:
        if only_missing and region.geometry_source == GeometrySource.OFFICIAL:
            continue
        region.geometry = cells.get(region.code)
        region.geometry_source = GeometrySource.SCHEMATIC
        region.save(update_fields=["geometry", "geometry_source"])
        changed += 1
    for kecamatan in Region.objects.filter(level=RegionLevel.KECAMATAN):
        if only_missing and kecamatan.geometry_source == GeometrySource.OFFICIAL:
            continue
        parts = [c.geometry for c in kecamatan.children.all() if c.geometry]
        if parts:
            kecamatan.geometry = union_of(parts)
            kecamatan.geometry_source = GeometrySource.SCHEMATIC
            kecamatan.save(update_fields=["geometry", "geometry_source"])
            changed += 1
    return changed


def _feature_code(feature: dict) -> str | None:
    props = feature.get("properties") or {}
    for key in ("kode", "code", "kode_wilayah", "kemendagri_code"):
        if props.get(key):
            return str(props[key]).strip()
    if feature.get("id"):
        return str(feature["id"]).strip()
    return None


@transaction.atomic
def do_import_boundaries(path: Path) -> dict[str, int]:
    """Replace region shapes with official GeoJSON (a FeatureCollection keyed by Kemendagri code).

    All or nothing: an unreadable file, an invalid geometry or an unknown code changes no region.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BoundaryImportError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BoundaryImportError("expected a GeoJSON FeatureCollection")
    features = data.get("features") or []
    if not features:
        raise BoundaryImportError("the FeatureCollection has no features")
    regions = {r.code: r for r in Region.objects.all()}
    problems, updates = [], []
    for index, feature in enumerate(features):
        code = _feature_code(feature)
        if code is None:
            problems.append(f"feature {index}: no region code (property 'kode' or 'code')")
            continue
        if len(code) > 2 and "." not in code:  # undotted form, e.g. 3671051001
            code = ".".join([code[0:2], code[2:4], code[4:6], code[6:]]).strip(".")
        region = regions.get(code)
        if region is None:
            problems.append(f"feature {index}: unknown region code {code}")
            continue
        geometry = feature.get("geometry")
        try:
            geom = shape(geometry)
        except Exception as error:  # shapely raises several kinds for malformed input
            problems.append(f"feature {index} ({code}): unreadable geometry: {error}")
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            problems.append(f"feature {index} ({code}): geometry must be a Polygon or MultiPolygon")
            continue
        if not geom.is_valid:
            geom = geom.buffer(0)
        updates.append((region, geometry))
    if problems:
        raise BoundaryImportError("; ".join(problems[:20]) + (" …" if len(problems) > 20 else ""))
    counts: dict[str, int] = {}
    for region, geometry in updates:
        region.geometry = geometry
        region.geometry_source = GeometrySource.OFFICIAL
        region.save(update_fields=["geometry", "geometry_source"])
        counts[region.level] = counts.get(region.level, 0) + 1
    return counts

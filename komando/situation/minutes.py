"""The minutes (notulen) of a session as a PDF in Bahasa Indonesia: rendered by WeasyPrint from
``situation/notulen.html``, with a map picture drawn here as SVG (the area's kelurahan/kecamatan
boundaries, the linked incidents, field units and gauges, projected to the session's bounding box).
No tile server and no network: everything comes from the database."""

from __future__ import annotations

import math
from html import escape

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify

from komando.situation import selectors

MAP_WIDTH = 680
MAP_MAX_HEIGHT = 400
MARGIN = 16


class Projection:
    """Plain equirectangular projection of a bounding box ([west, south, east, north]) onto a
    picture, with longitudes shrunk by cos(latitude) so shapes keep their proportions."""

    def __init__(self, bbox, width=MAP_WIDTH, max_height=MAP_MAX_HEIGHT):
        west, south, east, north = bbox
        span_lon = max(east - west, 0.004)
        span_lat = max(north - south, 0.004)
        pad_lon, pad_lat = span_lon * 0.06, span_lat * 0.06
        self.west, self.east = west - pad_lon, east + pad_lon
        self.south, self.north = south - pad_lat, north + pad_lat
        if east - west < 0.004:
            middle = (west + east) / 2
            self.west, self.east = middle - 0.002 - pad_lon, middle + 0.002 + pad_lon
        if north - south < 0.004:
            middle = (north + south) / 2
            self.south, self.north = middle - 0.002 - pad_lat, middle + 0.002 + pad_lat
        shrink = math.cos(math.radians((self.north + self.south) / 2))
        aspect = ((self.east - self.west) * shrink) / (self.north - self.south)
        self.width = width
        self.height = min(max_height, max(160, round((width - 2 * MARGIN) / aspect + 2 * MARGIN)))
        inner_w, inner_h = width - 2 * MARGIN, self.height - 2 * MARGIN
        scale = min(inner_w / ((self.east - self.west) * shrink), inner_h / (self.north - self.south))
        self.scale_x, self.scale_y = scale * shrink, scale
        self.offset_x = MARGIN + (inner_w - (self.east - self.west) * self.scale_x) / 2
        self.offset_y = MARGIN + (inner_h - (self.north - self.south) * self.scale_y) / 2

    def point(self, lon, lat) -> tuple[float, float]:
        return (
            round(self.offset_x + (lon - self.west) * self.scale_x, 1),
            round(self.offset_y + (self.north - lat) * self.scale_y, 1),
        )

    def contains(self, lon, lat) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


def _rings(geometry):
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def map_svg(state: dict) -> str:
    """The session's map picture as an SVG document (a string)."""
    area = state["map"]
    if not area["bbox"]:
        return ""
    projection = Projection(area["bbox"])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{projection.width}" height="{projection.height}" '
        f'viewBox="0 0 {projection.width} {projection.height}" font-family="DejaVu Sans, sans-serif">',
        f'<rect width="{projection.width}" height="{projection.height}" fill="#f4f6f9" stroke="#8a94a6"/>',
    ]
    for region in area["regions"]:
        for ring in _rings(region["geometry"]):
            points = " ".join("{},{}".format(*projection.point(lon, lat)) for lon, lat, *_ in ring)
            parts.append(f'<polygon points="{points}" fill="#ffffff" stroke="#64748b" stroke-width="1.2"/>')
    for region in area["regions"]:
        x, y = projection.point(*region["centroid"])
        parts.append(f'<text x="{x}" y="{y}" font-size="11" fill="#475569" text-anchor="middle">{escape(region["name"])}</text>')
    for feature in area["gauges"]:
        lon, lat = feature["geometry"]["coordinates"][:2]
        if projection.contains(lon, lat):
            x, y = projection.point(lon, lat)
            parts.append(
                f'<polygon points="{x},{y - 7} {x - 6},{y + 5} {x + 6},{y + 5}" fill="#0284c7" '
                'stroke="#ffffff" stroke-width="1"/>'
            )
    for feature in area["units"]:
        lon, lat = feature["geometry"]["coordinates"][:2]
        if projection.contains(lon, lat):
            x, y = projection.point(lon, lat)
            parts.append(
                f'<rect x="{x - 4.5}" y="{y - 4.5}" width="9" height="9" fill="#16a34a" stroke="#ffffff" stroke-width="1"/>'
            )
    for number, incident in enumerate(state["incidents"], start=1):
        x, y = projection.point(incident["lon"], incident["lat"])
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="9" fill="#dc2626" stroke="#ffffff" stroke-width="1.5"/>'
            f'<text x="{x}" y="{y + 4}" font-size="11" font-weight="bold" fill="#ffffff" '
            f'text-anchor="middle">{number}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def minutes_context(session) -> dict:
    with translation.override("id"):
        from komando.situation.models import Session

        session = Session.objects.select_related("chair", "opened_by", "kecamatan", "kelurahan").get(pk=session.pk)
        state = selectors.session_state(session, session.chair)
        svg = map_svg(state)
        return {
            "state": state,
            "session": session,
            "map_svg": svg,
            "opened_at": timezone.localtime(session.opened_at),
            "closed_at": timezone.localtime(session.closed_at) if session.closed_at else None,
            "printed_at": timezone.localtime(timezone.now()),
            "decisions_by_id": {row["id"]: row for row in state["decisions"]},
        }


def render_minutes_html(session) -> str:
    with translation.override("id"):
        return render_to_string("situation/notulen.html", minutes_context(session))


def render_minutes_pdf(session) -> bytes:
    from weasyprint import HTML  # lazily: the rest of the app does not need pango

    return HTML(string=render_minutes_html(session)).write_pdf()


def minutes_filename(session) -> str:
    return f"notulen-{session.pk}-{slugify(session.title)[:60] or 'sesi'}.pdf"

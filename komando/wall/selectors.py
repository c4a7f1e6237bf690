"""What the video wall shows: one selector per panel, each returning plain JSON values with the
source it comes from (``source``: a Source slug, or "komando" for Komando's own records) and the
freshness of its data (``as_of``, ISO time or None when nothing arrived yet).

``wall_state(user, panel_keys)`` puts the panels a screen needs into one object; a selector that
fails leaves its panel empty (``None``) and is logged instead of taking the wall down.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from komando.sources.registry import panel_source
from komando.wall.models import WallLayout, WallScreen

logger = logging.getLogger("komando.wall")

KOMANDO = "komando"  # the source of what Komando itself records (incidents, alerts)
CAMERA_LIMIT = 12
# The panels whose sources the map panel shows (units, gauges, cameras), as its "source" names them.
CITY_MAP_PANELS = ("public_order", "waste", "flood", "traffic")
SIAGA_ORDER = {"siaga_1": 0, "siaga_2": 1, "siaga_3": 2, "normal": 3, "": 4}
WALL_FILES = ("static/wall/wall.js", "static/wall/wall.css", "templates/wall/wall.html")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@cache
def build_id() -> str:
    """What the running code is: ``KOMANDO_BUILD_ID`` when the deployment sets one, else the git
    commit and a digest of the wall's own page files. A wall that sees another build id after a
    reconnection reloads itself (a new deployment); a plain restart keeps the page and resyncs."""
    configured = os.environ.get("KOMANDO_BUILD_ID", "").strip()
    if configured:
        return configured
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in WALL_FILES:
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=settings.PROJECT_DIR, capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{commit or 'dev'}-{digest.hexdigest()[:12]}"


# --- panels -----------------------------------------------------------------------------------


def incident_counts(now: datetime | None = None) -> dict[str, Any]:
    """Open incidents by status and priority, and how many are past a response or resolution
    deadline (the console's rule: any passed deadline of an open incident)."""
    from komando.incidents.choices import PRIORITY_RANK, Priority, Status
    from komando.incidents.lifecycle import OPEN_STATUSES, label
    from komando.incidents.models import Incident

    now = now or timezone.now()
    open_ = Incident.objects.filter(status__in=OPEN_STATUSES)
    by_status = dict(open_.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    by_priority = dict(open_.values_list("priority").annotate(n=Count("pk")).values_list("priority", "n"))
    overdue = open_.filter(Q(respond_due_at__lte=now) | Q(resolve_due_at__lte=now))
    overdue_by_priority = dict(overdue.values_list("priority").annotate(n=Count("pk")).values_list("priority", "n"))
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    statuses = [s for s in Status.values if s in OPEN_STATUSES]
    priority_labels = dict(Priority.choices)
    return {
        "source": KOMANDO,
        "as_of": _iso(Incident.objects.aggregate(latest=Max("updated_at"))["latest"]),
        "open": sum(by_status.values()),
        "overdue": sum(overdue_by_priority.values()),
        "new_today": Incident.objects.filter(reported_at__gte=today, reported_at__lte=now).count(),
        "by_status": [{"status": s, "label": str(label(s)), "count": by_status.get(s, 0)} for s in statuses],
        "by_priority": [
            {
                "priority": p,
                "label": str(priority_labels[p]),
                "count": by_priority.get(p, 0),
                "overdue": overdue_by_priority.get(p, 0),
            }
            for p in sorted(PRIORITY_RANK, key=PRIORITY_RANK.get)
        ],
    }


def open_incidents_layer() -> dict[str, Any]:
    """Open incidents as map points (no personal data): ticket, title, priority, overdue."""
    from komando.incidents.lifecycle import OPEN_STATUSES
    from komando.incidents.models import Incident

    now = timezone.now()
    features = []
    for row in (
        Incident.objects.filter(status__in=OPEN_STATUSES)
        .values("pk", "ticket", "title", "priority", "status", "lat", "lon", "respond_due_at", "resolve_due_at")
        .order_by("-reported_at")[:500]
    ):
        overdue = any(due is not None and due <= now for due in (row["respond_due_at"], row["resolve_due_at"]))
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": {
                    "id": row["pk"],
                    "ticket": row["ticket"],
                    "title": row["title"],
                    "priority": row["priority"],
                    "status": row["status"],
                    "overdue": overdue,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def city_map(include_boundaries: bool = True) -> dict[str, Any]:
    """The map panel: open incidents, field units, gauges and cameras (the operator map's layers),
    and the kecamatan boundaries from our own GeoJSON (no tile server)."""
    from komando.core.city import current_city
    from komando.operator_map.layers import layer_by_key, layer_geojson
    from komando.sources.models import Source

    layers = {"incidents": open_incidents_layer()}
    for key in ("units", "gauges", "cameras"):
        layer = layer_by_key(key)
        layers[key] = layer_geojson(layer) if layer else {"type": "FeatureCollection", "features": []}
    map_sources = [panel_source(panel) for panel in CITY_MAP_PANELS]
    newest = Source.objects.filter(slug__in=map_sources).aggregate(latest=Max("last_success_at"))["latest"]
    data: dict[str, Any] = {
        "source": ", ".join([*map_sources, KOMANDO]),
        "as_of": _iso(newest),
        "center": current_city().center,
        "layers": layers,
        "counts": {key: len(value["features"]) for key, value in layers.items()},
    }
    if include_boundaries:
        from komando.regions.models import RegionLevel
        from komando.regions.selectors import region_feature_collection

        data["boundaries"] = region_feature_collection(RegionLevel.KECAMATAN)
    return data


def camera_grid(limit: int = CAMERA_LIMIT) -> dict[str, Any]:
    """ATCS cameras: online ones with the newest observation first, each with Komando's own snapshot
    URL (the page shows a placeholder when the picture does not load)."""
    from komando.metrics.selectors.traffic import SOURCE_SLUG, traffic_panel

    panel = traffic_panel()
    cameras = sorted(panel["cameras"], key=lambda c: (not c["online"], c["observed_at"] is None, c["name"]))
    return {
        "source": SOURCE_SLUG,
        "as_of": panel["observed_at"],
        "summary": panel["summary"],
        "total": len(cameras),
        "cameras": cameras[:limit],
    }


def source_strip(now: datetime | None = None) -> dict[str, Any]:
    """Every connected source with its health status (as /sumber/ computes it)."""
    from komando.sources.selectors import all_source_health

    rows = [h for h in all_source_health(now) if h["connected"]]
    rows.sort(key=lambda h: h["name"])
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return {
        "source": KOMANDO,
        "as_of": _iso(max((r["last_success_at"] for r in rows if r["last_success_at"]), default=None)),
        "counts": counts,
        "sources": [
            {
                "slug": r["slug"],
                "name": r["name"],
                "status": r["status"],
                "last_success_at": _iso(r["last_success_at"]),
                "lag_seconds": r["lag_seconds"],
            }
            for r in rows
        ],
    }


def water_levels() -> dict[str, Any]:
    """Gauges with their newest level and siaga thresholds, the most severe first."""
    from komando.assets.models import AssetKind
    from komando.devices.selectors import device_states

    gauges = []
    for row in device_states(kinds=(AssetKind.GAUGE,)):
        attributes = row["attributes"]
        gauges.append(
            {
                "id": row["id"],
                "name": row["name"],
                "river": attributes.get("river", ""),
                "level_m": row["level_m"],
                "siaga": row["siaga"],
                "observed_at": row["observed_at"],
                "siaga_3_m": attributes.get("siaga_3_m"),
                "siaga_2_m": attributes.get("siaga_2_m"),
                "siaga_1_m": attributes.get("siaga_1_m"),
            }
        )
    gauges.sort(key=lambda g: (SIAGA_ORDER.get(g["siaga"], 4), g["observed_at"] is None, g["name"]))
    at_siaga = sum(1 for g in gauges if g["siaga"] in ("siaga_1", "siaga_2", "siaga_3"))
    return {
        "source": panel_source("flood"),
        "as_of": max((g["observed_at"] for g in gauges if g["observed_at"]), default=None),
        "at_siaga": at_siaga,
        "gauges": gauges,
    }


def complaints_today(now: datetime | None = None) -> dict[str, Any]:
    """LAKSA complaints reported today (WIB), by category, most first."""
    from komando.complaints.models import Channel, Complaint

    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    laksa = Complaint.objects.filter(channel=Channel.LAKSA)
    todays = laksa.filter(reported_at__gte=today, reported_at__lte=now)
    rows = [
        {"category": row["category"] or row["category_code"] or "—", "count": row["n"]}
        for row in todays.values("category", "category_code").annotate(n=Count("pk")).order_by("-n", "category", "category_code")
    ]
    return {
        "source": panel_source("complaints"),
        "as_of": _iso(laksa.aggregate(latest=Max("source_updated_at"))["latest"]),
        "total": sum(row["count"] for row in rows),
        "by_category": rows,
    }


def development_progress(user) -> dict[str, Any] | None:
    """Physical progress per OPD (e-Monev), for a user allowed to see development data."""
    from komando.accounts.access import can_view_development
    from komando.development.selectors import development_panel, source_freshness

    if not can_view_development(user):
        return None
    panel = development_panel(user)
    freshness = source_freshness()
    rows = sorted(panel["by_agency"], key=lambda row: (row["deviation_physical"] or 0, row["agency"]))
    as_of = freshness["data_as_of"] or freshness["last_received_at"]
    return {
        "source": panel["source"],
        "as_of": as_of.isoformat() if as_of else None,
        "fiscal_year": panel["fiscal_year"],
        "as_of_month": panel["as_of_month"],
        "budget_total": panel["budget_total"],
        "by_agency": rows,
    }


def alert_strip(user) -> dict[str, Any]:
    """Open alerts (``komando.alerts.selectors.open_alerts``)."""
    from komando.alerts.selectors import open_alerts

    alerts = open_alerts(user)
    return {
        "source": KOMANDO,
        "as_of": max((a["last_seen_at"] or a["raised_at"] for a in alerts), default=None),
        "available": True,
        "alerts": alerts[:20],
        "total": len(alerts),
    }


def clock(now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {"source": KOMANDO, "as_of": _iso(now), "timezone": settings.TIME_ZONE}


PANEL_SELECTORS: dict[str, Callable[..., dict | None]] = {
    "map": lambda user, full: city_map(include_boundaries=full),
    "incidents": lambda user, full: incident_counts(),
    "cameras": lambda user, full: camera_grid(),
    "sources": lambda user, full: source_strip(),
    "water": lambda user, full: water_levels(),
    "complaints": lambda user, full: complaints_today(),
    "development": lambda user, full: development_progress(user),
    "clock": lambda user, full: clock(),
    "alerts": lambda user, full: alert_strip(user),
}


def panel_data(key: str, user, full: bool = True) -> dict | None:
    try:
        return PANEL_SELECTORS[key](user, full)
    except Exception:  # one broken panel must not take the wall down
        logger.exception("wall panel %s failed", key)
        return None


def wall_state(user, panel_keys, *, full: bool = True) -> dict[str, Any]:
    """The panels ``panel_keys`` as one object, with the server's time and build id. ``full`` False:
    a live refresh (the map's boundaries, which never change while the page is open, left out)."""
    from komando.sources.models import Source

    return {
        "build": build_id(),
        "server_time": _iso(timezone.now()),
        "source_names": dict(Source.objects.values_list("slug", "name")),
        "panels": {key: panel_data(key, user, full) for key in sorted(panel_keys) if key in PANEL_SELECTORS},
    }


def layout_by_slug(slug: str) -> WallLayout | None:
    return WallLayout.objects.filter(slug=slug).first()


def screens_of(layout: WallLayout, number: int | None = None) -> list[WallScreen]:
    screens = layout.screens.order_by("number")
    if number is not None:
        screens = screens.filter(number=number)
    return list(screens)

"""Reads of hazards for the PIS: the latest earthquakes and the weather warnings still in force."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from komando.hazards.models import Earthquake, WeatherWarning

RECENT_EARTHQUAKES = 15
SOURCE_SLUG = "bmkg"


def earthquake_row(quake: Earthquake) -> dict:
    return {
        "id": quake.pk,
        "source_ref": quake.source_ref,
        "occurred_at": quake.occurred_at.isoformat(),
        "magnitude": float(quake.magnitude),
        "depth_km": float(quake.depth_km),
        "lat": quake.lat,
        "lon": quake.lon,
        "region": quake.region,
        "tsunami_potential": quake.tsunami_potential,
        "felt": quake.felt,
        "shakemap": quake.shakemap,
        "distance_km": round(quake.distance_km, 1),
    }


def warning_row(warning: WeatherWarning) -> dict:
    return {
        "id": warning.pk,
        "identifier": warning.identifier,
        "event": warning.event,
        "headline": warning.headline,
        "description": warning.description,
        "severity": warning.severity,
        "urgency": warning.urgency,
        "certainty": warning.certainty,
        "sender_name": warning.sender_name,
        "area_desc": warning.area_desc,
        "sent": warning.sent.isoformat(),
        "effective": warning.effective.isoformat(),
        "expires": warning.expires.isoformat() if warning.expires else None,
        "affects_city": warning.affects_city,
        "web": warning.web,
        "polygons": warning.polygons,
    }


def active_warnings(now=None):
    """Warnings not expired at ``now`` (default: now), those over the city first, newest first."""
    now = now or timezone.now()
    return (WeatherWarning.objects.filter(Q(expires__isnull=True) | Q(expires__gt=now))
            .order_by("-affects_city", "-sent", "identifier"))


def hazards_panel(now=None) -> dict:
    recent = list(Earthquake.objects.order_by("-occurred_at", "source_ref")[:RECENT_EARTHQUAKES])
    return {
        "source": SOURCE_SLUG,
        "latest_earthquake": earthquake_row(recent[0]) if recent else None,
        "recent_earthquakes": [earthquake_row(quake) for quake in recent],
        "active_warnings": [warning_row(warning) for warning in active_warnings(now)],
    }

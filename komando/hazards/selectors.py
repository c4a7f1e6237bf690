"""Reads of hazards for the PIS: the latest earthquakes and the weather warnings still in force; the
BMKG service tile and the hazards layer of the operator map."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, gettext_lazy

from komando.core import clock
from komando.core.events import PUBLIC
from komando.core.tiles import Figure, Tile
from komando.hazards.geography import CityFootprint
from komando.hazards.models import Earthquake, WeatherWarning
from komando.sources.registry import panel_source

RECENT_EARTHQUAKES = 15
SOURCE_SLUG = panel_source("hazards")


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
    return WeatherWarning.objects.filter(Q(expires__isnull=True) | Q(expires__gt=now)).order_by(
        "-affects_city", "-sent", "identifier"
    )


def hazards_panel(now=None) -> dict:
    recent = list(Earthquake.objects.order_by("-occurred_at", "source_ref")[:RECENT_EARTHQUAKES])
    return {
        "source": SOURCE_SLUG,
        "latest_earthquake": earthquake_row(recent[0]) if recent else None,
        "recent_earthquakes": [earthquake_row(quake) for quake in recent],
        "active_warnings": [warning_row(warning) for warning in active_warnings(now)],
    }


# ---------- the PIS tile and the operator map's layer ----------

FELT_RECENTLY = timedelta(hours=24)
MAP_EARTHQUAKE_DAYS = 7
STRONG_MAGNITUDE = 6.0
SEVERITY_TONES = {"Extreme": "bad", "Severe": "bad", "Moderate": "warn", "Minor": "", "Unknown": ""}
SEVERITY_LABELS = {
    "Extreme": gettext_lazy("extreme"),
    "Severe": gettext_lazy("severe"),
    "Moderate": gettext_lazy("moderate"),
    "Minor": gettext_lazy("minor"),
    "Unknown": gettext_lazy("unknown severity"),
}


def _clock(moment: datetime) -> str:
    """13.15 (Indonesian) or 13:15, in the city's time zone."""
    local = clock.local(moment)
    separator = "." if (get_language() or "id").startswith("id") else ":"
    return f"{local:%H}{separator}{local:%M}"


def wib(moment: datetime, now: datetime | None = None) -> str:
    """ "13.15 WIB" (the city's zone label), with the day ("27 Nov 13.15 WIB") when it is not the city's today."""
    now = now or timezone.now()
    label = gettext("{time} {zone}").format(time=_clock(moment), zone=clock.zone_label())
    if clock.city_today(moment) != clock.city_today(now):
        label = f"{date_format(clock.local(moment), 'j M')} {label}"
    return label


def _until(moment: datetime, now: datetime) -> str:
    """A short end time for a list row: "14.25", with the day when it is not the city's today."""
    if clock.city_today(moment) != clock.city_today(now):
        return f"{date_format(clock.local(moment), 'j M')} {_clock(moment)}"
    return _clock(moment)


def felt_in_city(quake: Earthquake, footprint: CityFootprint | None = None) -> bool:
    """BMKG's felt report (Dirasakan) names the city or one of its kecamatan."""
    if not quake.felt:
        return False
    names = (footprint or CityFootprint()).names
    return bool(names and names.search(quake.felt))


def _warning_tone(warning: WeatherWarning) -> str:
    return SEVERITY_TONES.get(warning.severity, "")


def _worst(tones) -> str:
    tones = set(tones)
    return next((tone for tone in ("bad", "warn") if tone in tones), "")


def hazards_tile(now: datetime | None = None) -> Tile | None:
    """The PIS tile of BMKG: the latest earthquake and the weather warnings over the city.

    Tone: a warning over the city is ``warn`` (``bad`` when severe or extreme); so is a quake felt in
    the city within the last 24 hours (``bad`` from magnitude 6)."""
    now = now or timezone.now()
    recent = list(Earthquake.objects.order_by("-occurred_at", "source_ref")[:RECENT_EARTHQUAKES])
    warnings = list(active_warnings(now))
    if not recent and not warnings:
        return None
    footprint = CityFootprint()
    city_warnings = [warning for warning in warnings if warning.affects_city]
    figures: list[Figure] = []
    note = ""
    if recent:
        latest = recent[0]
        felt = felt_in_city(latest, footprint) and now - latest.occurred_at <= FELT_RECENTLY
        quake_tone = ("bad" if float(latest.magnitude) >= STRONG_MAGNITUDE else "warn") if felt else ""
        figures.append(Figure(label=gettext("Latest earthquake (magnitude)"), value=float(latest.magnitude), tone=quake_tone))
        figures.append(Figure(label=gettext("from the city"), value=round(latest.distance_km), unit="km"))
        parts = [latest.region, wib(latest.occurred_at, now)]
        if felt:
            parts.append(gettext("felt in the city"))
        note = " · ".join(parts)
    figures.append(
        Figure(
            label=gettext("Weather warnings for the city"),
            value=len(city_warnings),
            tone=_worst(_warning_tone(w) or "warn" for w in city_warnings) or "ok",
        )
    )
    if city_warnings:
        rows_title = gettext("Weather warnings for the city")
        rows = [
            Figure(
                label=f"{warning.event} ({SEVERITY_LABELS.get(warning.severity, warning.severity)})",
                value=gettext("until {time}").format(time=_until(warning.expires, now)) if warning.expires else "",
                tone=_warning_tone(warning) or "warn",
            )
            for warning in city_warnings[:6]
        ]
    else:
        rows_title = gettext("Recent earthquakes") if len(recent) > 1 else ""
        rows = [
            Figure(
                label=f"{_clock(quake.occurred_at)} · {quake.region}",
                value=float(quake.magnitude),
                tone="warn" if felt_in_city(quake, footprint) and now - quake.occurred_at <= FELT_RECENTLY else "",
            )
            for quake in recent[1:6]
        ]
    moments = [quake.occurred_at for quake in recent[:1]] + [warning.sent for warning in warnings[:1]]
    return Tile(
        key="hazards",
        source=SOURCE_SLUG,
        title=gettext("Earthquakes and weather"),
        figures=figures,
        rows=rows,
        rows_title=rows_title,
        data_as_of=max(moments),
        audience=PUBLIC,
        note=note,
    )


def hazards_map_layer(now: datetime | None = None) -> dict:
    """GeoJSON FeatureCollection ([lon, lat]) for the operator map: earthquakes of the last 7 days
    as points with their magnitude, and the weather warnings in force as (multi)polygons."""
    now = now or timezone.now()
    footprint = CityFootprint()
    features = []
    quakes = Earthquake.objects.filter(occurred_at__gte=now - timedelta(days=MAP_EARTHQUAKE_DAYS)).order_by(
        "-occurred_at", "source_ref"
    )
    for quake in quakes:
        felt = felt_in_city(quake, footprint)
        magnitude = float(quake.magnitude)
        features.append(
            {
                "type": "Feature",
                "id": f"earthquake-{quake.pk}",
                "geometry": {"type": "Point", "coordinates": [quake.lon, quake.lat]},
                "properties": {
                    "id": quake.pk,
                    "name": quake.region,
                    "kind": "earthquake",
                    "status": "felt" if felt else "reported",
                    "tone": ("bad" if magnitude >= STRONG_MAGNITUDE else "warn") if felt else "",
                    "source": SOURCE_SLUG,
                    "observed_at": quake.occurred_at.isoformat(),
                    "magnitude": magnitude,
                    "depth_km": float(quake.depth_km),
                    "distance_km": round(quake.distance_km, 1),
                    "felt": quake.felt,
                    "felt_in_city": felt,
                    "tsunami_potential": quake.tsunami_potential,
                },
            }
        )
    for warning in active_warnings(now):
        if not warning.polygons:
            continue
        features.append(
            {
                "type": "Feature",
                "id": f"weather-warning-{warning.pk}",
                "geometry": warning.polygons,
                "properties": {
                    "id": warning.pk,
                    "name": warning.event,
                    "kind": "weather_warning",
                    "status": warning.severity.lower(),
                    "tone": _warning_tone(warning) or "warn",
                    "source": SOURCE_SLUG,
                    "observed_at": warning.sent.isoformat(),
                    "expires": warning.expires.isoformat() if warning.expires else None,
                    "headline": warning.headline,
                    "area": warning.area_desc,
                    "affects_city": warning.affects_city,
                    "severity": warning.severity,
                    "urgency": warning.urgency,
                    "web": warning.web,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}

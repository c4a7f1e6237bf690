"""Writers of hazards: earthquakes and weather warnings from an outside feed (BMKG)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction

from komando.core.events import LiveEvent, send_event_on_commit
from komando.core.tiles import publish_tile
from komando.hazards.geography import CityFootprint, distance_from_city_km
from komando.hazards.models import Earthquake, WeatherWarning
from komando.hazards.selectors import hazards_panel

FILLABLE_QUAKE_FIELDS = ("tsunami_potential", "felt", "shakemap")


class EarthquakeRow(NamedTuple):
    source_ref: str
    occurred_at: datetime
    magnitude: Decimal
    depth_km: Decimal
    lat: float
    lon: float
    region: str
    tsunami_potential: str
    felt: str
    shakemap: str


class WarningRow(NamedTuple):
    identifier: str
    sent: datetime
    effective: datetime
    expires: datetime | None
    event: str
    headline: str
    description: str
    severity: str
    urgency: str
    certainty: str
    sender_name: str
    area_desc: str
    polygons: dict | None
    web: str


def _record_earthquakes(source, earthquakes: list[EarthquakeRow]) -> int:
    """New quakes are added; a known quake only gains what it lacked (a later feed's felt report or
    shakemap). Returns how many rows were added or completed."""
    known = {
        quake.source_ref: quake
        for quake in Earthquake.objects.filter(source=source, source_ref__in=[row.source_ref for row in earthquakes])
    }
    changed = 0
    for row in earthquakes:
        existing = known.get(row.source_ref)
        if existing is None:
            known[row.source_ref] = Earthquake.objects.create(
                source=source, distance_km=distance_from_city_km(row.lat, row.lon), **row._asdict()
            )
            changed += 1
            continue
        filled = [name for name in FILLABLE_QUAKE_FIELDS if not getattr(existing, name) and getattr(row, name)]
        for name in filled:
            setattr(existing, name, getattr(row, name))
        if filled:
            existing.save(update_fields=filled)
            changed += 1
    return changed


def _record_warnings(source, warnings: list[WarningRow]) -> int:
    known = set(
        WeatherWarning.objects.filter(source=source, identifier__in=[row.identifier for row in warnings]).values_list(
            "identifier", flat=True
        )
    )
    footprint = None
    added = 0
    for row in warnings:
        if row.identifier in known:
            continue  # a CAP message never changes; an update comes as a new identifier
        footprint = footprint or CityFootprint()
        WeatherWarning.objects.create(
            source=source, affects_city=footprint.affected_by(row.polygons, row.description), **row._asdict()
        )
        known.add(row.identifier)
        added += 1
    return added


@transaction.atomic
def do_record_hazards(source, earthquakes: Iterable[EarthquakeRow], warnings: Iterable[WarningRow]) -> int:
    """Store the quakes and warnings not stored yet (idempotent, keyed by source and the source's id).

    Sends ``panel.hazards`` and the ``hazards`` PIS tile after commit when something is new. Returns
    the rows added or completed.
    """
    changed = _record_earthquakes(source, list(earthquakes)) + _record_warnings(source, list(warnings))
    if changed:
        send_event_on_commit(LiveEvent(type="panel.hazards", data=hazards_panel()))
        publish_tile("hazards")
    return changed

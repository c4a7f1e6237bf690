"""Which field units to send: the nearest available units of the incident's responsible OPD, from
their live positions (``devices.DeviceState``, fed by MQTT).

A unit is a field asset (truck, Satpol PP officer, patrol car) whose source application belongs to
the OPD. It is *available* when it is online, has no unfinished dispatch, and its position is
fresh (``KOMANDO_DISPATCH_FRESH_MINUTES``, 10 by default): a unit that has been silent for longer
is listed after the fresh ones, marked stale, because the operator may still reach it by radio.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from komando.assets.models import Asset, AssetKind
from komando.incidents.choices import DispatchStatus
from komando.incidents.geo import haversine_m
from komando.incidents.models import Dispatch, Incident

FIELD_UNIT_KINDS = (AssetKind.TRUCK, AssetKind.OFFICER, AssetKind.PATROL)
ACTIVE_DISPATCH_STATUSES = (DispatchStatus.DISPATCHED, DispatchStatus.EN_ROUTE, DispatchStatus.ON_SCENE)


@dataclass(frozen=True)
class UnitCandidate:
    unit_id: int
    name: str
    kind: str
    agency: str
    lat: float
    lon: float
    distance_m: float
    observed_at: datetime
    stale: bool

    def as_dict(self) -> dict:
        return {
            "unit_id": self.unit_id,
            "name": self.name,
            "kind": self.kind,
            "agency": self.agency,
            "lat": self.lat,
            "lon": self.lon,
            "distance_m": round(self.distance_m),
            "observed_at": self.observed_at.isoformat(),
            "stale": self.stale,
        }


def fresh_within() -> timedelta:
    return timedelta(minutes=float(getattr(settings, "KOMANDO_DISPATCH_FRESH_MINUTES", 10)))


def busy_unit_ids() -> set[int]:
    return set(Dispatch.objects.filter(status__in=ACTIVE_DISPATCH_STATUSES).values_list("unit_id", flat=True))


def recommend_units(
    incident: Incident, *, limit: int = 5, now: datetime | None = None, any_agency: bool = False
) -> list[UnitCandidate]:
    """Available units of the incident's OPD (every OPD with ``any_agency``), nearest first; fresh
    positions before stale ones. Units with no known position are never recommended."""
    now = now or timezone.now()
    oldest_fresh = now - fresh_within()
    units = (
        Asset.objects.filter(kind__in=FIELD_UNIT_KINDS, online=True, device_state__isnull=False)
        .exclude(pk__in=busy_unit_ids())
        .values(
            "pk", "name", "kind", "source__agency__code", "device_state__lat", "device_state__lon", "device_state__observed_at"
        )
    )
    if not any_agency:
        units = units.filter(source__agency_id=incident.agency_id)
    candidates = []
    for unit in units:
        lat, lon = unit["device_state__lat"], unit["device_state__lon"]
        if lat is None or lon is None:
            continue
        observed_at = unit["device_state__observed_at"]
        candidates.append(
            UnitCandidate(
                unit_id=unit["pk"],
                name=unit["name"],
                kind=unit["kind"],
                agency=unit["source__agency__code"] or "",
                lat=lat,
                lon=lon,
                distance_m=haversine_m(incident.lat, incident.lon, lat, lon),
                observed_at=observed_at,
                stale=observed_at < oldest_fresh,
            )
        )
    candidates.sort(key=lambda c: (c.stale, c.distance_m))
    return candidates[:limit]

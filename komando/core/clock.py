"""The city's own clock: its time zone (from ``city.json``), the zone's Indonesian label and its "today".

Indonesia has three zones: WIB (UTC+7), WITA (UTC+8) and WIT (UTC+9). Every day boundary Komando draws
(today's panels, the daily report, SLA working days, ticket months) and every time it shows or writes
is in the city's zone, asked here; no module writes a zone name or an offset of its own.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.utils import timezone

from komando.core.city import current_city

# The label Indonesians use for each zone a city can be in (UU / Keppres 41/1987).
ZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def city_zone() -> ZoneInfo:
    """The city's time zone, e.g. ``ZoneInfo("Asia/Makassar")``."""
    return _zone(current_city().timezone)


def zone_name() -> str:
    """The IANA name of the city's zone, e.g. ``"Asia/Makassar"`` (for browsers' ``Intl`` and CAP)."""
    return current_city().timezone


def zone_label() -> str:
    """The zone as Indonesians write it after a time: ``WIB``, ``WITA`` or ``WIT`` (else the UTC offset)."""
    name = zone_name()
    if name in ZONE_LABELS:
        return ZONE_LABELS[name]
    return f"UTC{utc_offset()}"


def local(moment: datetime) -> datetime:
    """An aware ``moment`` as the city's wall clock reads it."""
    return moment.astimezone(city_zone())


def city_now() -> datetime:
    """Now, in the city's zone."""
    return local(timezone.now())


def city_today(now: datetime | None = None) -> date:
    """The city's calendar day at ``now`` (default: now)."""
    return local(now or timezone.now()).date()


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the city's zone (aware)."""
    return datetime.combine(day, time.min, tzinfo=city_zone())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """``[start, end)`` of ``day`` in the city's zone, as aware datetimes."""
    start = start_of_day(day)
    return start, start_of_day(day + timedelta(days=1))


def utc_offset(moment: datetime | None = None) -> str:
    """The city's offset from UTC at ``moment`` (default: now) as ISO 8601 writes it: ``+08:00``."""
    text = local(moment or timezone.now()).strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def iso(moment: datetime) -> str:
    """``moment`` as the city's wall clock with its offset, to the second: ``2026-12-08T00:30:00+08:00``."""
    return local(moment).isoformat(timespec="seconds")


def page_config() -> dict[str, str]:
    """What a page's script needs of the clock: the zone's IANA name (for ``Intl``) and its label."""
    return {"timeZone": zone_name(), "zoneLabel": zone_label()}

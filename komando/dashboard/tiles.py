"""Service tiles: one compact PIS panel per source application, all in the same shape.

A domain provides a *tile selector*: a function with no arguments returning a ``Tile`` (or None
when it has nothing yet). It is listed in ``TILE_SELECTORS`` below by dotted path, so the dashboard
imports nothing until a tile is drawn. After a domain's action stores new data it calls
``publish_tile(key)``, which sends the fresh tile as a ``tile.<key>`` live event on commit; the
page replaces that tile and re-renders it (same data as the initial load, so live == reload).

Audience: ``public`` tiles are on every PIS screen; ``staff`` tiles (sources whose access level is
internal) only for signed-in staff, and their live events go to the staff group only.

Counts of people shown to the public go through ``komando.core.privacy.public_count`` (small cells
under 5 become "<5").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.utils.module_loading import import_string

from komando.core.events import PUBLIC, STAFF, LiveEvent, send_event_on_commit

logger = logging.getLogger("komando.dashboard")

TONES = ("", "ok", "warn", "bad")


@dataclass
class Figure:
    """One number (or short text such as "<5") with its label; ``tone`` colours it."""

    label: str
    value: int | float | str | None
    unit: str = ""
    tone: str = ""

    def __post_init__(self):
        if self.tone not in TONES:
            raise ValueError(f"unknown tone {self.tone!r}")


@dataclass
class Tile:
    key: str  # "permits": the live event is "tile.permits"
    source: str  # Source.slug, for the source name and freshness shown on the tile
    title: str  # translated
    figures: list[Figure]  # the first is the headline; at most 4 are shown
    rows: list[Figure] = field(default_factory=list)  # a short ranked list under the figures (≤ 6)
    rows_title: str = ""
    data_as_of: datetime | None = None
    audience: str = PUBLIC  # PUBLIC or STAFF
    note: str = ""  # one short line, e.g. "2 gauges at siaga 2"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["data_as_of"] = self.data_as_of.isoformat() if self.data_as_of else None
        return data


# key → dotted path of the tile selector; the order here is the order on screen.
TILE_SELECTORS: dict[str, str] = {
    "waste": "komando.fieldops.selectors.waste_tile",
    "public_order": "komando.fieldops.selectors.public_order_tile",
    "flood": "komando.fieldops.selectors.flood_tile",
    "permits": "komando.services.selectors.permits_tile",
    "workforce": "komando.services.selectors.workforce_tile",
    "beds": "komando.services.selectors.beds_tile",
    "complaints": "komando.complaints.selectors.complaints_tile",
    "lapor": "komando.complaints.selectors.lapor_tile",
    "calls": "komando.complaints.selectors.calls_tile",
    "hazards": "komando.hazards.selectors.hazards_tile",
    "revenue": "komando.imports.selectors.revenue_tile",
}


def tile_selector(key: str) -> Callable[[], Tile | None]:
    return import_string(TILE_SELECTORS[key])


def build_tile(key: str) -> Tile | None:
    try:
        return tile_selector(key)()
    except Exception:  # one broken tile must not take the screen down
        logger.exception("tile selector %s failed", key)
        return None


def visible_tiles(staff: bool) -> list[dict[str, Any]]:
    """Every tile the viewer may see, in screen order (``staff``: signed-in staff)."""
    tiles = []
    for key in TILE_SELECTORS:
        tile = build_tile(key)
        if tile is None:
            continue
        if tile.audience == STAFF and not staff:
            continue
        tiles.append(tile.as_dict())
    return tiles


def publish_tile(key: str) -> None:
    """Send tile ``key`` as it reads after this transaction commits. Call from actions."""
    if key not in TILE_SELECTORS:
        raise KeyError(f"unknown tile {key!r}; list it in TILE_SELECTORS")
    tile = build_tile(key)
    if tile is None:
        return
    send_event_on_commit(LiveEvent(type=f"tile.{key}", data=tile.as_dict(), audience=tile.audience))

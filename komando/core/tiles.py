"""Service tiles: one compact panel per source application, all in the same shape, and their registry.

A domain describes what it has as a ``Tile`` (figures, a short ranked list, an audience) in a *tile
selector*: a function with no arguments returning a ``Tile``, or None when it has nothing yet. The
screens that show tiles register the selectors they show here when their app is ready
(``register_tile``; the PIS in ``komando.dashboard.tiles``), so a domain never knows which screen
shows it. After a domain's action stores new data it calls ``publish_tile(key)``, which sends the
fresh tile as a ``tile.<key>`` live event on commit; a screen replaces that tile and re-renders it
(same data as the initial load, so live == reload). A tile no screen registered is not sent.

Audience: ``PUBLIC`` tiles are for everyone; ``STAFF`` tiles (sources whose access level is
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

from komando.core.events import PUBLIC, LiveEvent, send_event_on_commit

logger = logging.getLogger("komando.tiles")

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


TileSelector = Callable[[], Tile | None]

# key → tile selector, in the order the screens registered them (the order on screen).
_registered: dict[str, TileSelector] = {}


def register_tile(key: str, selector: TileSelector) -> None:
    """Show tile ``key``, built by ``selector``. Called by a screen's ``AppConfig.ready``."""
    if _registered.get(key, selector) is not selector:
        raise ValueError(f"tile {key!r} is registered twice")
    _registered[key] = selector


def registered_tiles() -> list[str]:
    """The keys of every registered tile, in registration order."""
    return list(_registered)


def build_tile(key: str) -> Tile | None:
    """Tile ``key`` as it reads now; None when it has nothing, fails (logged) or is not registered."""
    selector = _registered.get(key)
    if selector is None:
        return None
    try:
        return selector()
    except Exception:  # one broken tile must not take the screen down
        logger.exception("tile selector %s failed", key)
        return None


def publish_tile(key: str) -> None:
    """Send tile ``key`` as it reads after this transaction commits. Call from actions."""
    if key not in _registered:
        logger.debug("tile %s is shown by no screen: not sent", key)
        return
    tile = build_tile(key)
    if tile is None:
        return
    send_event_on_commit(LiveEvent(type=f"tile.{key}", data=tile.as_dict(), audience=tile.audience))

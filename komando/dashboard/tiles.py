"""The service tiles the PIS shows: which domain tile selectors, in which order, for whom.

The tile types, the registry and ``publish_tile`` live in ``komando.core.tiles`` (domains build
their tiles there without knowing this screen). When the dashboard app is ready it registers the
tiles of the domain stores below, in their order on screen; a tile of a higher layer (the revenue
tile of ``komando.imports``) is registered by its own app, after these.
"""

from __future__ import annotations

from typing import Any

from komando.complaints.selectors import calls_tile, complaints_tile, lapor_tile
from komando.core.events import STAFF
from komando.core.tiles import TileSelector, build_tile, register_tile, registered_tiles
from komando.fieldops.selectors import flood_tile, public_order_tile, waste_tile
from komando.hazards.selectors import hazards_tile
from komando.services.selectors import beds_tile, permits_tile, workforce_tile

# key → tile selector; the order here is the order on screen.
TILE_SELECTORS: dict[str, TileSelector] = {
    "waste": waste_tile,
    "public_order": public_order_tile,
    "flood": flood_tile,
    "permits": permits_tile,
    "workforce": workforce_tile,
    "beds": beds_tile,
    "complaints": complaints_tile,
    "lapor": lapor_tile,
    "calls": calls_tile,
    "hazards": hazards_tile,
}


def register_pis_tiles() -> None:
    """Called once by ``DashboardConfig.ready``."""
    for key, selector in TILE_SELECTORS.items():
        register_tile(key, selector)


def tile_order() -> list[str]:
    """Every tile the PIS shows, in screen order (a tile first sent live still takes its place)."""
    return registered_tiles()


def visible_tiles(staff: bool) -> list[dict[str, Any]]:
    """Every tile the viewer may see, in screen order (``staff``: signed-in staff)."""
    tiles = []
    for key in tile_order():
        tile = build_tile(key)
        if tile is None:
            continue
        if tile.audience == STAFF and not staff:
            continue
        tiles.append(tile.as_dict())
    return tiles

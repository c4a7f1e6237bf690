"""The PIS page's initial state: every panel's data, as the live events will later replace it.

Each panel comes from its own domain selector. A selector that fails leaves its panel empty
("waiting for data") and is logged, instead of taking the whole screen down. Service tiles come
from ``komando.dashboard.tiles`` (staff tiles only for signed-in staff). Counts of people are
suppressed for the public ("<5") and exact for staff (``can_view_internal``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.utils import timezone

from komando.accounts.access import can_view_development, can_view_internal
from komando.core.city import current_city
from komando.dashboard import tiles
from komando.development.selectors import development_panel
from komando.metrics.selectors.health import health_panel
from komando.metrics.selectors.population import population_panel
from komando.metrics.selectors.traffic import traffic_panel
from komando.sources.selectors import all_source_health

logger = logging.getLogger("komando.dashboard")

PUBLIC_PANELS: dict[str, Callable[[], dict]] = {
    "population": population_panel,
    "health": health_panel,
    "traffic": traffic_panel,
}


# Panels whose counts of people are suppressed for the public: their selector takes ``exact``.
COUNTED_PANELS = {"population", "health"}


def _call_selector(selector: Callable, *args, **kwargs) -> dict | None:
    try:
        return selector(*args, **kwargs)
    except Exception:  # one broken panel must not take the whole screen down
        logger.exception("panel selector %s failed", selector.__qualname__)
        return None


def city_panel_sources() -> dict[str, str]:
    """Each panel the city has a source for (its connector declares the panel in its manifest) → that
    source's slug. The PIS renders only these: a city without ATCS shows no camera panel."""
    from komando.sources.models import Source
    from komando.sources.registry import panels

    connected = set(Source.objects.exclude(connector="").values_list("connector", flat=True))
    return {panel: slug for panel, slug in panels().items() if slug in connected}


def development_scope_codes(user) -> list[str] | None:
    """Agency codes an OPD officer may see (None: all). Used by the page to filter live events too."""
    from komando.accounts.access import development_agency_scope
    from komando.agencies.models import Agency

    scope = development_agency_scope(user)
    if scope is None:
        return None
    return list(Agency.objects.filter(id=scope).values_list("code", flat=True))


def pis_initial_state(user) -> dict:
    state: dict = {"city": current_city().summary(), "server_time": timezone.now()}
    staff = can_view_internal(user)
    state["exact_counts"] = staff
    for panel, selector in PUBLIC_PANELS.items():
        state[panel] = _call_selector(selector, exact=staff) if panel in COUNTED_PANELS else _call_selector(selector)
    allowed = can_view_development(user)
    state["can_view_development"] = allowed
    state["development"] = _call_selector(development_panel, user) if allowed else None
    state["development_scope"] = development_scope_codes(user) if allowed else None
    state["can_view_internal"] = staff
    state["tiles"] = tiles.visible_tiles(staff)
    state["tile_order"] = tiles.tile_order()  # a tile first sent live still takes its place
    state["sources"] = all_source_health()
    return state

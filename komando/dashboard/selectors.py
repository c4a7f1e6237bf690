"""The PIS page's initial state: every panel's data, as the live events will later replace it.

Each panel comes from its own domain selector. A selector that is not there yet, or that fails,
leaves its panel empty ("waiting for data") instead of breaking the page.
"""

from __future__ import annotations

import importlib
import json
import logging
from functools import cache

from django.conf import settings
from django.utils import timezone

from komando.accounts.access import can_view_development
from komando.sources.selectors import all_source_health

logger = logging.getLogger("komando.dashboard")

# panel name → (module, function, source slug). Order is the order on screen.
PUBLIC_PANELS = {
    "population": ("komando.metrics.selectors.population", "population_panel", "siak"),
    "health": ("komando.metrics.selectors.health", "health_panel", "epuskesmas"),
    "traffic": ("komando.metrics.selectors.traffic", "traffic_panel", "atcs"),
}
DEVELOPMENT_PANEL = ("komando.development.selectors", "development_panel", "emonev")


def _call_selector(module_name: str, function_name: str, *args) -> dict | None:
    try:
        selector = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError):
        return None
    try:
        return selector(*args)
    except Exception:  # one broken panel must not take the whole screen down
        logger.exception("panel selector %s.%s failed", module_name, function_name)
        return None


@cache
def city_profile() -> dict:
    """Name and map centre of the city this installation serves (from the city's data files)."""
    data = json.loads((settings.KOMANDO_CITY_DIR / "city.json").read_text(encoding="utf-8"))
    return {"code": data["code"], "name": data["name"], "center": data.get("center"),
            "timezone": data.get("timezone", settings.TIME_ZONE)}


def development_scope_codes(user) -> list[str] | None:
    """Agency codes an OPD officer may see (None: all). Used by the page to filter live events too."""
    from komando.accounts.access import development_agency_scope
    from komando.agencies.models import Agency

    scope = development_agency_scope(user)
    if scope is None:
        return None
    return list(Agency.objects.filter(id=scope).values_list("code", flat=True))


def pis_initial_state(user) -> dict:
    state: dict = {"city": city_profile(), "server_time": timezone.now()}
    for panel, (module_name, function_name, _slug) in PUBLIC_PANELS.items():
        state[panel] = _call_selector(module_name, function_name)
    allowed = can_view_development(user)
    state["can_view_development"] = allowed
    state["development"] = _call_selector(*DEVELOPMENT_PANEL[:2], user) if allowed else None
    state["development_scope"] = development_scope_codes(user) if allowed else None
    state["sources"] = all_source_health()
    return state

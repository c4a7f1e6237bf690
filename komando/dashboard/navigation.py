"""The staff menu in the top bar: every page of the command center the signed-in user may open.

Each entry names its URL and the access rule of its own app, so the menu shows exactly the pages a
user would not be refused on; the rules are imported when the menu is drawn, not at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str
    rule: str  # dotted path of a function (user) -> bool
    app_name: str  # the resolver's app_name of the entry's pages (marks the current one)


MENU = [
    MenuEntry("console:page", _("Operator console"), "komando.incidents.access.can_view_incidents", "console"),
    MenuEntry("operator_map:operator-map", _("Operations map"), "komando.accounts.access.can_view_operations", "operator_map"),
    MenuEntry("situation:list", _("Situation room"), "komando.situation.access.can_use_situation_room", "situation"),
    MenuEntry("alerts:page", _("Alerts"), "komando.alerts.access.can_view_alerts", "alerts"),
    MenuEntry("development:watch", _("Development"), "komando.development.access.can_view_development_watch", "development"),
    MenuEntry("reports:latest", _("Daily report"), "komando.reports.access.can_view_reports", "reports"),
    MenuEntry("wall:index", _("Video wall"), "komando.wall.access.can_view_wall", "wall"),
    MenuEntry("sources:health", _("Sources"), "komando.sources.access.can_view_source_health", "sources"),
    MenuEntry("field:app", _("Field tasks"), "komando.incidents.access.can_use_field_app", "field"),
]


def menu_for(user, current_app: str = "") -> list[dict]:
    if user is None or not user.is_authenticated:
        return []
    return [
        {"url": reverse(entry.url_name), "label": entry.label, "current": entry.app_name == current_app}
        for entry in MENU
        if import_string(entry.rule)(user)
    ]


def navigation(request) -> dict:
    """Context processor: ``staff_menu`` (lazy, so pages that do not draw the top bar pay nothing)."""
    match = getattr(request, "resolver_match", None)
    current_app = match.app_name if match else ""
    cache = {}

    def entries():
        if "menu" not in cache:
            cache["menu"] = menu_for(getattr(request, "user", None), current_app)
        return cache["menu"]

    return {"staff_menu": entries}

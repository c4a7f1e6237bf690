"""The panels a wall screen can show, by key. A screen's configuration names panels by these keys;
each key has a selector in ``komando.wall.selectors.PANEL_SELECTORS`` and a drawing function in
``wall.js``."""

from django.utils.translation import gettext_lazy as _

PANELS = {
    "map": _("City map"),
    "incidents": _("Incidents and SLA"),
    "cameras": _("Traffic cameras"),
    "sources": _("Source health"),
    "water": _("Water levels"),
    "complaints": _("Complaints today"),
    "development": _("Development progress"),
    "clock": _("Time"),
    "alerts": _("Open alerts"),
}

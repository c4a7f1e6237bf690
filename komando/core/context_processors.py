"""Template context every page gets from core: the city's clock (``city_zone``, ``zone_label``).

``base.html`` puts both on ``<meta name="komando-clock" data-time-zone data-zone-label>`` so the pages' scripts
(``komando/dom.js``) format times in the city's zone and write its label, never a literal.
"""

from __future__ import annotations

from komando.core import clock


def city_clock(request) -> dict[str, str]:
    return {"city_zone": clock.zone_name(), "zone_label": clock.zone_label()}

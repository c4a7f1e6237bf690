"""Who may see and make daily situation reports.

- Operators, executives and administrators see the city-wide report (page and PDF) and the list
  of past reports.
- OPD officers see the report too, scoped to their own OPD: incidents, SLA, critical incidents and
  development of their OPD; water levels and source outages are city-wide; alerts about their OPD. Their
  PDF is rendered from that scoped report when asked for (the stored PDFs are city-wide).
- "Buat ulang sekarang" (regenerate now) is for the command room: operators and administrators.
"""

from __future__ import annotations

from komando.accounts.access import roles_of
from komando.accounts.models import Role

CITY_WIDE_ROLES = {Role.OPERATOR, Role.EXECUTIVE, Role.ADMINISTRATOR}
GENERATE_ROLES = {Role.OPERATOR, Role.ADMINISTRATOR}


def can_view_reports(user) -> bool:
    return bool(roles_of(user) & (CITY_WIDE_ROLES | {Role.OPD_OFFICER}))


def report_scope(user):
    """None = the city-wide report; otherwise the agency id the report is scoped to (-1: none)."""
    roles = roles_of(user)
    if roles & CITY_WIDE_ROLES:
        return None
    return getattr(getattr(user, "profile", None), "agency_id", None) or -1


def can_generate_reports(user) -> bool:
    return bool(roles_of(user) & GENERATE_ROLES)

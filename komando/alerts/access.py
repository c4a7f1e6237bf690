"""Who may see and acknowledge alerts. Views, the API and selectors ask these functions.

- Operators and administrators see and acknowledge every alert.
- Executives see and acknowledge every alert (rules with audience "executives" are meant for them).
- An OPD officer sees and acknowledges only alerts concerning their own OPD (``Alert.agency``) of
  rules addressed to staff; city-wide alerts (gauges, BMKG) and executive alerts are not theirs.
- Field officers, users without a role and anonymous visitors see none (the public gets the CAP feed).
"""

from __future__ import annotations

from komando.accounts.access import roles_of
from komando.accounts.models import Role

CITY_WIDE_ROLES = {Role.OPERATOR, Role.ADMINISTRATOR, Role.EXECUTIVE}


def _agency_id(user):
    return getattr(getattr(user, "profile", None), "agency_id", None)


def can_view_alerts(user) -> bool:
    return bool(roles_of(user) & (CITY_WIDE_ROLES | {Role.OPD_OFFICER}))


def alert_scope(user):
    """None = every alert; otherwise the only agency id whose staff alerts this user sees (-1: none)."""
    roles = roles_of(user)
    if roles & CITY_WIDE_ROLES:
        return None
    if Role.OPD_OFFICER in roles:
        return _agency_id(user) or -1
    return -1


def can_view_alert(user, alert) -> bool:
    scope = alert_scope(user)
    if scope is None:
        return True
    return scope != -1 and alert.agency_id == scope and alert.rule.audience == "staff"


def can_acknowledge_alert(user, alert) -> bool:
    return can_view_alert(user, alert)

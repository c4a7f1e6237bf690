"""Who may do what in the situation room. Views, the API and the actions ask these functions.

- Operators, executives and administrators open sessions, chair them, see every session, link
  incidents, note attendees and notes, and update any action item.
- Only the chair of a session (or an administrator) records decisions and corrections, gives out
  action items and closes the session.
- An OPD officer sees the sessions that link an incident of their OPD or assign a decision or an
  action item to their OPD, and updates the action items assigned to their OPD (or to them).
- Nobody changes or deletes what is recorded (see ``komando.situation.models``).
"""

from __future__ import annotations

from django.db.models import Q

from komando.accounts.access import roles_of
from komando.accounts.models import Role

SESSION_ROLES = {Role.OPERATOR, Role.EXECUTIVE, Role.ADMINISTRATOR}


def _agency_id(user):
    return getattr(getattr(user, "profile", None), "agency_id", None)


def can_open_session(user) -> bool:
    """Open a session and be its chair."""
    return bool(roles_of(user) & SESSION_ROLES)


def can_use_situation_room(user) -> bool:
    """The list of sessions (each filtered by ``visible_sessions``)."""
    return can_open_session(user) or (Role.OPD_OFFICER in roles_of(user) and _agency_id(user) is not None)


def visible_sessions(user, sessions):
    """``sessions`` narrowed to those ``user`` may see."""
    if can_open_session(user):
        return sessions
    agency_id = _agency_id(user)
    if Role.OPD_OFFICER not in roles_of(user) or agency_id is None:
        return sessions.none()
    return sessions.filter(
        Q(incident_links__incident__agency_id=agency_id)
        | Q(decisions__assigned_agency_id=agency_id)
        | Q(action_items__assigned_agency_id=agency_id)
    ).distinct()


def can_view_session(user, session) -> bool:
    from komando.situation.models import Session

    return visible_sessions(user, Session.objects.filter(pk=session.pk)).exists()


def is_chair(user, session) -> bool:
    return user is not None and user.is_authenticated and session.chair_id == user.pk


def can_chair(user, session) -> bool:
    """Record decisions and corrections, give out action items, close the session."""
    return is_chair(user, session) or Role.ADMINISTRATOR in roles_of(user)


def can_contribute(user, session) -> bool:
    """Link incidents, note attendees, write notes in the timeline."""
    return can_open_session(user)


def can_update_action_item(user, item) -> bool:
    if can_open_session(user):
        return True
    if item.assigned_user_id is not None and user.is_authenticated and item.assigned_user_id == user.pk:
        return True
    agency_id = _agency_id(user)
    return Role.OPD_OFFICER in roles_of(user) and agency_id is not None and item.assigned_agency_id == agency_id

"""Who may see and do what with incidents. Views, the API and the live bus ask these functions.

- Operators and administrators run the command room: they see every incident and may do every
  step (verify, dispatch, escalate, hand off, merge, close, reject, reopen).
- Executives (the mayor, heads of agencies) see every incident, read-only.
- An OPD officer sees and works the incidents of their own OPD, and acknowledges hand-offs sent to
  their OPD; they do not verify, merge or reject (the command room does).
- A field officer sees and updates only the dispatches of their own unit (``Profile.unit``).
- A reporter's contact (personal data) is shown to operators, administrators and the OPD officer of
  the OPD responsible; never to executives, field officers or the public.
"""

from __future__ import annotations

from komando.accounts.access import roles_of
from komando.accounts.models import Role

COMMAND_ROOM_ROLES = {Role.OPERATOR, Role.ADMINISTRATOR}
VIEW_ROLES = {Role.OPERATOR, Role.ADMINISTRATOR, Role.EXECUTIVE, Role.OPD_OFFICER}
# Steps an OPD officer may take on their own OPD's incidents (statuses they may move it to).
OPD_OFFICER_STATUSES = {"dalam_penanganan", "selesai"}


def _agency_id(user):
    return getattr(getattr(user, "profile", None), "agency_id", None)


def unit_of(user):
    """The field unit this user works as, or None."""
    if Role.FIELD_OFFICER not in roles_of(user):
        return None
    profile = getattr(user, "profile", None)
    return getattr(profile, "unit", None)


def can_view_incidents(user) -> bool:
    """The console (read) and incident details."""
    return bool(roles_of(user) & VIEW_ROLES)


def can_command(user) -> bool:
    """Every step on every incident: the command room."""
    return bool(roles_of(user) & COMMAND_ROOM_ROLES)


def incident_scope(user):
    """None = every incident; otherwise the only agency id whose incidents this user sees."""
    roles = roles_of(user)
    if roles & (COMMAND_ROOM_ROLES | {Role.EXECUTIVE}):
        return None
    if Role.OPD_OFFICER in roles:
        return _agency_id(user) or -1
    return -1


def can_view_incident(user, incident) -> bool:
    """Its OPD's officers see it, and so do the officers of an OPD it is being handed to (to acknowledge)."""
    scope = incident_scope(user) if can_view_incidents(user) else -1
    if scope is None or scope == incident.agency_id:
        return True
    return (
        scope != -1
        and incident.handoffs.filter(to_agency_id=scope, acknowledged_at__isnull=True, withdrawn_at__isnull=True).exists()
    )


def can_work_incident(user, incident) -> bool:
    """Comment, tick checklist steps, move it to in progress or resolved, dispatch its OPD's units."""
    if can_command(user):
        return True
    return Role.OPD_OFFICER in roles_of(user) and _agency_id(user) is not None and _agency_id(user) == incident.agency_id


def can_transition(user, incident, new_status: str) -> bool:
    if can_command(user):
        return True
    return can_work_incident(user, incident) and new_status in OPD_OFFICER_STATUSES


def can_acknowledge_handoff(user, handoff) -> bool:
    """The receiver acknowledges: an officer of the receiving OPD; the command room for any
    hand-off (it records the acknowledgement of a kelurahan or an outside party, e.g. by phone)."""
    if can_command(user):
        return True
    return Role.OPD_OFFICER in roles_of(user) and handoff.to_agency_id is not None and _agency_id(user) == handoff.to_agency_id


def can_view_reporter_contact(user, incident) -> bool:
    if can_command(user):
        return True
    return Role.OPD_OFFICER in roles_of(user) and _agency_id(user) is not None and _agency_id(user) == incident.agency_id


def can_update_dispatch(user, dispatch) -> bool:
    """A field officer moves their own unit's dispatch; the command room any."""
    if can_command(user):
        return True
    unit = unit_of(user)
    return unit is not None and unit.pk == dispatch.unit_id


def can_view_incident_photos(user, incident) -> bool:
    """Photos of an incident: whoever may see the incident, and the field officers of a unit
    dispatched to it (their own before and after photos, the resident's photo of the place)."""
    if can_view_incident(user, incident):
        return True
    unit = unit_of(user)
    return unit is not None and incident.dispatches.filter(unit=unit).exists()


def can_resolve_from_field(user, dispatch) -> bool:
    """The field officer of the unit on ``dispatch`` may report the incident resolved (selesai) when
    their unit finishes the work with an after photo and no other unit is still at it; the command
    room may too. Closing (ditutup, with the mandatory SOP checklist) stays with the command room."""
    return can_update_dispatch(user, dispatch)


def can_use_field_app(user) -> bool:
    """The field officers' app (``/petugas/``) is for field officers."""
    return bool(user and user.is_authenticated) and Role.FIELD_OFFICER in roles_of(user)

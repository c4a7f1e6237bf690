"""Who may see what. Pages, API and the live bus ask these functions, nothing else."""

from komando.accounts.models import Role

DEVELOPMENT_ROLES = {Role.OPERATOR, Role.OPD_OFFICER, Role.EXECUTIVE, Role.ADMINISTRATOR}


ROLES_CACHE_ATTRIBUTE = "_komando_roles"


def roles_of(user) -> set[str]:
    """The user's roles, read once per user object (a request's user is a fresh object; adding or
    removing groups through ``user.groups`` forgets the cached roles, see ``forget_roles``)."""
    if user is None or not user.is_authenticated:
        return set()
    if user.is_superuser:
        return {Role.ADMINISTRATOR}
    cached = getattr(user, ROLES_CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, ROLES_CACHE_ATTRIBUTE, cached)
    return set(cached)


def forget_roles(sender, instance, **kwargs) -> None:
    """``m2m_changed`` of ``User.groups``: the instance's cached roles are out of date."""
    if hasattr(instance, ROLES_CACHE_ATTRIBUTE):
        delattr(instance, ROLES_CACHE_ATTRIBUTE)


STAFF_ROLES = {Role.OPERATOR, Role.OPD_OFFICER, Role.EXECUTIVE, Role.ADMINISTRATOR}
OPERATIONS_ROLES = {Role.OPERATOR, Role.EXECUTIVE, Role.ADMINISTRATOR}


def can_view_internal(user) -> bool:
    """Aggregates of internal sources (complaints, 112, Kinerja ASN…): any signed-in staff role."""
    return bool(roles_of(user) & STAFF_ROLES)


def can_view_operations(user) -> bool:
    """The operator map with live field units and the details of calls and complaints."""
    return bool(roles_of(user) & OPERATIONS_ROLES)


def can_view_emergency_calls(user) -> bool:
    """112 calls (call id, note, exact position): the operations gate, the same for the REST API and
    the operator map's calls layer."""
    return can_view_operations(user)


def complaint_agency_scope(user):
    """Whose complaints a viewer may read: None = every complaint of the city (operators, executives,
    administrators); an agency id = only that OPD's complaints (OPD officers; -1 = none when the
    officer has no OPD). Raise nothing: callers gate with ``can_view_internal`` first."""
    roles = roles_of(user)
    if roles & OPERATIONS_ROLES:
        return None
    profile = getattr(user, "profile", None)
    return getattr(profile, "agency_id", None) or -1


def can_view_development(user) -> bool:
    return bool(roles_of(user) & DEVELOPMENT_ROLES)


def development_agency_scope(user):
    """None = every OPD; otherwise the only agency id this user may see (OPD officers)."""
    roles = roles_of(user)
    if roles & {Role.OPERATOR, Role.EXECUTIVE, Role.ADMINISTRATOR}:
        return None
    profile = getattr(user, "profile", None)
    return getattr(profile, "agency_id", None) or -1


def can_view_complaint_contact(user, complaint) -> bool:
    """A complainant's contact (personal data): operators, administrators, and the OPD officer of
    the OPD responsible for that complaint."""
    roles = roles_of(user)
    if roles & {Role.OPERATOR, Role.ADMINISTRATOR}:
        return True
    if Role.OPD_OFFICER in roles and complaint.agency_id is not None:
        profile = getattr(user, "profile", None)
        return getattr(profile, "agency_id", None) == complaint.agency_id
    return False

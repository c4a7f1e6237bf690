"""Who may see the source health page and who may pause or resume a source."""

from komando.accounts.access import roles_of
from komando.accounts.models import Role

SOURCE_HEALTH_ROLES = {Role.OPERATOR, Role.OPD_OFFICER, Role.EXECUTIVE, Role.ADMINISTRATOR}


def can_view_source_health(user) -> bool:
    return bool(roles_of(user) & SOURCE_HEALTH_ROLES)


def can_manage_sources(user) -> bool:
    return Role.ADMINISTRATOR in roles_of(user)

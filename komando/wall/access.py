"""Who may look at the video wall: the command room (operators, executives, administrators). The
wall's development panel is shown to the same people, all of whom may see every OPD's progress."""

from komando.accounts.access import roles_of
from komando.accounts.models import Role

WALL_ROLES = {Role.OPERATOR, Role.EXECUTIVE, Role.ADMINISTRATOR}


def can_view_wall(user) -> bool:
    return bool(roles_of(user) & WALL_ROLES)

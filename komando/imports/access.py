from komando.accounts.access import roles_of
from komando.accounts.models import Role


def can_import_files(user) -> bool:
    return Role.ADMINISTRATOR in roles_of(user)

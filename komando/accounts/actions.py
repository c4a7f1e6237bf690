import secrets

from django.contrib.auth.models import Group, User
from django.db import transaction

from komando.accounts.models import Profile, Role
from komando.agencies.models import Agency


@transaction.atomic
def do_ensure_role_groups() -> None:
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)


@transaction.atomic
def do_create_demo_users(agency_code: str = "dinkes") -> list[tuple[str, str, str]]:
    """Create the demo administrator and one user per role, once. Returns (username, password, role)
    for the users created now; existing users keep their passwords."""
    do_ensure_role_groups()
    created = []
    plan = [
        ("admin", Role.ADMINISTRATOR, None),
        ("operator", Role.OPERATOR, None),
        ("petugas-opd", Role.OPD_OFFICER, agency_code),
        ("eksekutif", Role.EXECUTIVE, None),
        ("dinding", Role.OPERATOR, None),  # the video wall's kiosk browsers (/dinding/)
        (DEMO_FIELD_OFFICER, Role.FIELD_OFFICER, None),
    ]
    for username, role, agency in plan:
        if User.objects.filter(username=username).exists():
            continue
        password = secrets.token_urlsafe(9)
        user = User.objects.create_user(username=username, password=password)
        if role == Role.ADMINISTRATOR:
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        user.groups.add(Group.objects.get(name=role))
        Profile.objects.create(user=user, agency=Agency.objects.filter(code=agency).first() if agency else None)
        created.append((username, password, role))
    return created


# The demo field officer works as a field unit of DLH or Satpol PP; ``komando.runtime.demo_officer``
# links it to one (a unit is an asset, a layer above accounts).
DEMO_FIELD_OFFICER = "petugas-lapangan"

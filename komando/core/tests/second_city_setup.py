"""The second city's browser test data, run in the live system's database (``live_system(seed=set_up)``):
an operator of Kota Contoh's command room."""

from __future__ import annotations

from django.contrib.auth.models import Group, User

from komando.accounts.actions import do_ensure_role_groups
from komando.accounts.models import Profile, Role

OPERATOR = "operator.contoh"
PASSWORD = "komando-contoh-2026"


def set_up() -> dict:
    do_ensure_role_groups()
    user = User.objects.create_user(OPERATOR, password=PASSWORD, first_name="Operator")
    user.groups.add(Group.objects.get(name=Role.OPERATOR))
    Profile.objects.create(user=user)
    return {"operator": OPERATOR, "password": PASSWORD}

"""Seed functions shared by the browser and end-to-end tests, run in a live system's database
(``live_system(seed=functools.partial(add_user, ...))`` or ``system.call(add_user, ...)``)."""

from __future__ import annotations


def add_user(username: str, password: str, role: str, first_name: str = "") -> dict:
    """A user of ``role`` who logs in with ``password``."""
    from django.contrib.auth.models import Group, User

    from komando.accounts.actions import do_ensure_role_groups
    from komando.accounts.models import Profile

    do_ensure_role_groups()
    user = User.objects.create_user(username, password=password, first_name=first_name)
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user)
    return {"username": username, "password": password, "id": user.pk}

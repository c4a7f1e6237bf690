"""Seed functions shared by the browser and end-to-end tests, run in a live system's database
(``live_system(seed=functools.partial(add_user, ...))`` or ``system.call(add_user, ...)``)."""

from __future__ import annotations


def add_user(username: str, password: str, role: str, first_name: str = "") -> dict:
    """A user of ``role`` who logs in with ``password``."""
    from komando.tests.factories import UserFactory

    user = UserFactory(username=username, password=password, role=role, first_name=first_name)
    return {"username": username, "password": password, "id": user.pk}

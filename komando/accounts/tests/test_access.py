"""Roles are read from the user's groups once per user object."""


def test_roles_are_read_once_per_user_object_and_forgotten_when_its_groups_change(personas):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from komando.accounts.access import roles_of
    from komando.accounts.models import Role

    user = personas["outsider"]
    with CaptureQueriesContext(connection) as queries:
        assert roles_of(user) == set() and roles_of(user) == set()
    assert len(queries) == 1
    user.groups.add(Group.objects.get(name=Role.OPERATOR))
    assert roles_of(user) == {Role.OPERATOR}
    user.groups.remove(Group.objects.get(name=Role.OPERATOR))
    assert roles_of(user) == set()

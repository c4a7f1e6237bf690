"""The factories build valid objects: a user of a role who can log in, a unit with its position."""

import pytest
from django.contrib.auth import authenticate

from komando.accounts.models import Role
from komando.tests.factories import PASSWORD, AssetFactory, DeviceStateFactory, UserFactory


@pytest.mark.django_db
def test_a_user_of_a_role_logs_in_with_the_password_and_has_a_profile(reference_data):
    from komando.agencies.models import Agency

    dinkes = Agency.objects.get(code="dinkes")
    user = UserFactory(username="petugas-dinkes", role=Role.OPD_OFFICER, agency=dinkes)
    assert authenticate(username="petugas-dinkes", password=PASSWORD) == user
    assert list(user.groups.values_list("name", flat=True)) == [Role.OPD_OFFICER]
    assert user.profile.agency == dinkes
    assert UserFactory(username="petugas-dinkes") == user  # the same username is the same person


@pytest.mark.django_db
def test_a_unit_belongs_to_its_source_and_has_a_live_position(reference_data):
    state = DeviceStateFactory(asset=AssetFactory(source_slug="ketertiban", source_ref="satpol-05"))
    assert state.asset.source.slug == "ketertiban" and state.asset.kind == "truck"
    assert (state.lat, state.lon) == (state.asset.lat, state.asset.lon)
    assert AssetFactory(source_slug="ketertiban", source_ref="satpol-05") == state.asset

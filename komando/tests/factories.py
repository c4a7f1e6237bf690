"""factory_boy factories for the objects tests build by hand most often: people with a role, and
field assets (trucks, officers, gauges, cameras) of a source with a live device position. They
need the city's reference data (sources, agencies), which every test database holds."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from komando.accounts.actions import do_ensure_role_groups
from komando.accounts.models import Profile
from komando.assets.models import Asset, AssetKind
from komando.devices.models import DeviceState
from komando.sources.models import Source

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who logs in with ``password`` (PASSWORD unless given), of ``role`` (none unless given),
    with a profile (``agency`` for an OPD's people, ``unit`` for a field officer)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda number: f"pengguna-{number}")
    password = factory.django.Password(PASSWORD)

    @classmethod
    def _create(cls, model_class, *args, role=None, agency=None, unit=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role:
            do_ensure_role_groups()
            user.groups.add(Group.objects.get(name=role))
        defaults = {"agency": agency}
        if unit is not None:
            defaults["unit"] = unit
        Profile.objects.update_or_create(user=user, defaults=defaults)
        return user


class AssetFactory(factory.django.DjangoModelFactory):
    """A field asset of the source with slug ``source_slug`` (kebersihan unless given)."""

    class Meta:
        model = Asset
        django_get_or_create = ("source", "source_ref")

    class Params:
        source_slug = "kebersihan"

    source = factory.LazyAttribute(lambda asset: Source.objects.get(slug=asset.source_slug))
    source_ref = factory.Sequence(lambda number: f"unit-{number:03}")
    kind = AssetKind.TRUCK
    name = factory.LazyAttribute(lambda asset: f"Unit {asset.source_ref}")
    online = True
    lat = -6.17288
    lon = 106.63185


class DeviceStateFactory(factory.django.DjangoModelFactory):
    """The live position (and reading) of ``asset``, observed now unless told otherwise."""

    class Meta:
        model = DeviceState
        django_get_or_create = ("asset",)

    asset = factory.SubFactory(AssetFactory)
    observed_at = factory.LazyFunction(timezone.now)
    lat = factory.LazyAttribute(lambda state: state.asset.lat)
    lon = factory.LazyAttribute(lambda state: state.asset.lon)
    speed_kmh = 0.0

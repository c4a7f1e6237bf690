"""The demo field officer (``petugas-lapangan``): created by ``create-demo-users`` with the field
officer role, linked once to a Satpol PP or DLH field unit when one exists (else by ``komando demo``
once the ingest registers one)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from komando.accounts.access import roles_of
from komando.accounts.actions import DEMO_FIELD_OFFICER, do_create_demo_users
from komando.accounts.models import Profile, Role
from komando.assets.models import Asset, AssetKind
from komando.incidents.access import unit_of
from komando.runtime.demo_officer import do_bind_demo_field_officer
from komando.sources.models import Source

pytestmark = pytest.mark.django_db


def asset(source: str, kind: str, name: str) -> Asset:
    return Asset.objects.create(
        source=Source.objects.get(slug=source), kind=kind, source_ref=name, name=name, lat=-6.17, lon=106.63
    )


def test_the_demo_field_officer_waits_for_a_unit_then_is_linked_once(reference_data):
    created = {username: role for username, _password, role in do_create_demo_users()}
    assert created[DEMO_FIELD_OFFICER] == Role.FIELD_OFFICER
    officer = User.objects.get(username=DEMO_FIELD_OFFICER)
    assert Role.FIELD_OFFICER in roles_of(officer) and unit_of(officer) is None
    assert do_bind_demo_field_officer() is None  # no field unit yet

    asset("kebersihan", AssetKind.TPS, "TPS Pasar Lama")  # not a field unit
    assert do_bind_demo_field_officer() is None
    truck = asset("kebersihan", AssetKind.TRUCK, "Truk DLH 03")
    satpol = asset("ketertiban", AssetKind.OFFICER, "Satpol PP 11")
    linked = do_bind_demo_field_officer()
    assert linked == satpol  # a Satpol PP officer first, else a DLH truck
    profile = Profile.objects.get(user=officer)
    assert (profile.unit, profile.agency.code) == (satpol, "satpol-pp")
    assert do_bind_demo_field_officer() is None  # once: an officer's unit is not changed behind their back
    Profile.objects.filter(user=officer).update(unit=None)
    satpol.delete()
    assert do_bind_demo_field_officer() == truck


def test_create_demo_users_links_the_officer_when_a_unit_exists(reference_data, capsys):
    asset("kebersihan", AssetKind.TRUCK, "Truk DLH 03")
    call_command("create_demo_users")
    output = capsys.readouterr().out
    assert DEMO_FIELD_OFFICER in output and "Truk DLH 03" in output
    assert unit_of(User.objects.get(username=DEMO_FIELD_OFFICER)).name == "Truk DLH 03"
    call_command("create_demo_users")  # again: nothing new, the link stays
    assert "already exist" in capsys.readouterr().out
    assert Profile.objects.get(user__username=DEMO_FIELD_OFFICER).unit.name == "Truk DLH 03"

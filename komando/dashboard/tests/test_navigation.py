"""The staff menu shows each signed-in user exactly the pages their role may open, and none to visitors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from komando.accounts.models import Role
from komando.assets.models import AssetKind
from komando.dashboard.navigation import MENU, menu_for
from komando.tests.factories import AssetFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def field_officer(personas):
    truck = AssetFactory(
        kind=AssetKind.TRUCK, source_slug="kebersihan", source_ref="Truk DLH 07", name="Truk DLH 07", lat=-6.17, lon=106.63
    )
    return UserFactory(username="petugas", password="correct-horse-battery", role=Role.FIELD_OFFICER, unit=truck)


def labels(user) -> set[str]:
    with translation.override("en"):
        return {str(entry["label"]) for entry in menu_for(user)}


def test_each_role_sees_its_own_pages(personas, field_officer):
    command_room = {
        "Operator console",
        "Operations map",
        "Situation room",
        "Alerts",
        "Development",
        "Daily report",
        "Video wall",
        "Sources",
    }
    assert labels(personas["operator"]) == command_room
    assert labels(personas["administrator"]) == command_room
    assert {"Situation room", "Development", "Daily report", "Alerts"} <= labels(personas["executive"])
    assert "Operator console" in labels(personas["opd_officer"]) and "Video wall" not in labels(personas["opd_officer"])
    assert labels(field_officer) == {"Field tasks"}
    assert labels(personas["outsider"]) == set()


def test_every_entry_of_the_menu_opens_for_the_users_it_is_shown_to(personas, field_officer):
    for user in [*personas.values(), field_officer]:
        client = Client()
        client.force_login(user)
        for entry in menu_for(user):
            response = client.get(entry["url"])
            assert response.status_code == 200, (user.username, entry["url"], response.status_code)
    assert len(MENU) == 9


def test_the_top_bar_draws_the_menu_for_staff_and_marks_the_current_page(personas, client):
    client.force_login(personas["operator"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("situation:list")).content.decode()
    assert 'class="staff-menu"' in page
    assert f'<a href="{reverse("situation:list")}" aria-current="page">Situation room</a>' in page
    assert f'<a href="{reverse("console:page")}">Operator console</a>' in page


def test_visitors_get_no_menu(client, reference_data):
    assert 'class="staff-menu"' not in client.get(reverse("dashboard:pis")).content.decode()

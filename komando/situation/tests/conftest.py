"""Fixtures of the situation room's tests: the city's reference data and incident catalogue (the
incident tests' fast fixtures), the personas, incidents reported through the real intake, and a
session opened by the operator."""

from __future__ import annotations

import pytest

from komando.incidents.tests.conftest import (  # noqa: F401 - fixtures
    CIPONDOH_INDAH,
    SUKARASA,
    captured_events,
    incident_data,
    reference_data,
    report,
)


@pytest.fixture(autouse=True)
def _english_messages():
    """Refusals are matched by their English words."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def dinkes(reference_data):  # noqa: F811
    from komando.agencies.models import Agency

    return Agency.objects.get(code="dinkes")


@pytest.fixture
def session(personas):
    from komando.situation.actions import do_open_session

    return do_open_session("Banjir Kecamatan Periuk", acting_user=personas["operator"])

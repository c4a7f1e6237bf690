"""Fixtures of the residents' pages: the incident fixtures (city, categories, playbooks), a client that
reads English (so tests can read the messages whatever the translation says), and form data."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from PIL import Image

from komando.incidents.public.forms import new_form_key
from komando.incidents.tests.conftest import (  # noqa: F401  (fixtures shared with the incidents tests)
    CIPONDOH_INDAH,
    MONAS,
    SUKARASA,
    bring_to,
    incident_data,
    operator,
    reference_data,
    report,
)

CONTACT = {"contact_name": "Siti Rahmawati", "contact_phone": "0812 7788 9911", "contact_email": "siti.r@contoh.id"}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """The per-address report counter lives in the cache, which outlives a test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Photos kept by these tests go to a directory of their own, not to the installation's var dir."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def resident(incident_data, client):  # noqa: F811 (the fixture imported above)
    """An anonymous resident's browser, reading English, with the city's categories loaded."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def resident_id(incident_data, client):  # noqa: F811
    """An anonymous resident's browser in the installation's language (Bahasa Indonesia)."""
    return client


def form_data(**overrides) -> dict:
    data = {
        "key": new_form_key(),
        "category": "SAMPAH",
        "description": "Sampah menumpuk di pinggir jalan dekat pasar sejak tiga hari.",
        "lat": str(SUKARASA[0]),
        "lon": str(SUKARASA[1]),
        "location_source": "map",
        "address": "",
        "kelurahan": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def image_bytes(fmt: str = "JPEG", size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=fmt)
    return buffer.getvalue()

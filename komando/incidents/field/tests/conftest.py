"""Fixtures of the field app and incident photos tests: field units, field officers bound to them, an
incident with a unit dispatched, photos with and without metadata, and a media root of their own."""

from __future__ import annotations

import io
import uuid

import pytest
from django.contrib.auth.models import User
from PIL import Image

from komando.accounts.actions import do_ensure_role_groups
from komando.accounts.models import Role
from komando.assets.models import Asset, AssetKind
from komando.incidents.choices import Status
from komando.incidents.tests.conftest import (  # noqa: F401  (fixtures shared with the incidents tests)
    SUKARASA,
    _english_messages,
    bring_to,
    captured_events,
    incident_data,
    operator,
    reference_data,
    report,
)
from komando.tests.factories import AssetFactory, UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Photos written by these tests go to a directory of their own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_in(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def make_unit(reference_data):  # noqa: F811
    def make(name: str, *, source: str = "kebersihan", kind: str = AssetKind.TRUCK) -> Asset:
        return AssetFactory(kind=kind, source_slug=source, source_ref=name, name=name, lat=SUKARASA[0] + 0.009, lon=SUKARASA[1])

    return make


@pytest.fixture
def make_officer(personas):
    do_ensure_role_groups()

    def make(username: str, unit: Asset | None) -> User:
        return UserFactory(username=username, password=PASSWORD, role=Role.FIELD_OFFICER, unit=unit)

    return make


@pytest.fixture
def unit(make_unit):
    return make_unit("Truk DLH 07")


@pytest.fixture
def officer(make_officer, unit):
    return make_officer("petugas-truk-07", unit)


@pytest.fixture
def dispatch(report, operator, unit):  # noqa: F811
    """A garbage report, verified, with the officer's truck dispatched to it."""
    from komando.incidents.actions.dispatch import do_dispatch_units

    incident = bring_to(
        report("SAMPAH", description="Sampah menumpuk di depan pasar, bau menyengat"), Status.DIVERIFIKASI, operator
    )
    return do_dispatch_units(incident, [unit], acting_user=operator, note="Angkut segera")[0]


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def new_ref() -> str:
    return str(uuid.uuid4())


def jpeg_bytes(size=(60, 40), *, exif=None, colour=(200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.save(buffer, format="JPEG", exif=exif if exif is not None else b"")
    return buffer.getvalue()


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    """What a phone writes: the camera, the time and the GPS position (here: a house in Sukarasa)."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0132] = "2026:11:20 07:15:00"  # DateTime
    if orientation is not None:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (6.0, 10.0, 22.37)
    gps[3] = "E"
    gps[4] = (106.0, 37.0, 54.66)
    return exif


def half_and_half_jpeg(orientation: int) -> bytes:
    """60×40, red on the left half and blue on the right, with an EXIF orientation and GPS."""
    image = Image.new("RGB", (60, 40), (220, 20, 20))
    image.paste((20, 20, 220), (30, 0, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95, exif=exif_with_gps(orientation))
    return buffer.getvalue()

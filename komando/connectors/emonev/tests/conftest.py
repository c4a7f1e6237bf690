import json
from datetime import date

import pytest
from django.conf import settings

from komando.connectors.emonev.coordinator import Coordinator
from komando.connectors.emonev.simulator import build_simulator
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.simulation import Response, running_simulator

TEST_USERNAME = "bappeda-komando"
TEST_PASSWORD = "s3cret-Pa55-for-tests"
TODAY = date(2026, 9, 15)


@pytest.fixture
def emonev_app():
    return build_simulator(settings.KOMANDO_CITY_DIR, username=TEST_USERNAME, password=TEST_PASSWORD, today=TODAY)


@pytest.fixture
def emonev_url(emonev_app):
    with running_simulator(emonev_app) as url:
        yield url


@pytest.fixture
def emonev_source(reference_data) -> Source:
    return Source.objects.select_related("agency").get(slug="emonev")


def make_coordinator(url, *, username=TEST_USERNAME, password=TEST_PASSWORD, **options) -> Coordinator:
    config = Coordinator.config_class(base_url=url, username=username, password=password, fiscal_year=TODAY.year, **options)
    return Coordinator(manifests()["emonev"], config)


def tamper_kegiatan(app, change):
    """Serve the real kegiatan answer, changed by ``change(body)`` (which may return raw bytes)."""

    def fault(request):
        if request.path != "/api/v1/kegiatan":
            return None
        app.fault = None
        try:
            response = app.handle(request)
        finally:
            app.fault = fault
        body = json.loads(response.body)
        changed = change(body)
        if isinstance(changed, bytes):
            return Response(200, changed)
        return Response.json(body)

    app.fault = fault

"""Fixtures: the e-Puskesmas simulator on a free port with a movable clock, and a coordinator for it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from django.conf import settings

from komando.connectors.epuskesmas.config import EpuskesmasConfig
from komando.connectors.epuskesmas.coordinator import Coordinator, clear_caches
from komando.connectors.epuskesmas.simulator import FHIR, build_simulator
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.simulation import Request, Response, running_simulator

# Monday 23 November 2026, 10:00 WIB.
MONDAY_10_WIB = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SMALL_VOLUME = 800


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def _fresh_connector_caches():
    """Each test's simulator is a new server (ports get reused): forget what earlier ones served."""
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_10_WIB)


@pytest.fixture
def simulator(clock):
    return build_simulator(settings.KOMANDO_CITY_DIR, now=clock, daily_volume=SMALL_VOLUME, client_id="", client_secret="")


@pytest.fixture
def simulator_url(simulator):
    with running_simulator(simulator) as url:
        yield url


@pytest.fixture
def source(reference_data) -> Source:
    return Source.objects.get(slug="epuskesmas")


@pytest.fixture
def make_coordinator(clock) -> Callable[..., Coordinator]:
    def make(url: str, **config) -> Coordinator:
        return Coordinator(manifests()["epuskesmas"], EpuskesmasConfig(base_url=url, **config), clock=clock)

    return make


def passthrough(app, request: Request) -> Response:
    """What the simulator would have answered without its fault hook."""
    for method, pattern, handler in app.routes:
        match = pattern.match(request.path)
        if match and method == request.method:
            return handler(request, **match.groupdict())
    raise AssertionError(f"no route for {request.path}")


def tamper(app, kind: str, mutate: Callable[[dict], None]) -> None:
    """Make the first page of ``kind`` searches come back changed by ``mutate(bundle)``."""

    def fault(request: Request):
        if request.method == "GET" and request.path == f"{FHIR}/{kind}" and "_page_token" not in request.query:
            response = passthrough(app, request)
            bundle = json.loads(response.body)
            mutate(bundle)
            return Response.json(bundle, content_type="application/fhir+json")
        return None

    app.fault = fault


class SimulatorReader:
    """Reads the simulator over HTTP on its own (independently of the connector) to count what it served."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=30)
        token = self.http.post(
            "/oauth2/v1/accesstoken",
            params={"grant_type": "client_credentials"},
            data={"client_id": "reader", "client_secret": "reader"},
        ).json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"

    def search(self, kind: str, **params) -> list[dict]:
        resources, url, query = [], f"{FHIR}/{kind}", {"_count": 1000, **params}
        while url:
            bundle = self.http.get(url, params=query).json()
            query = None
            resources += [entry["resource"] for entry in bundle.get("entry", [])]
            url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
        return resources

    def read(self, kind: str, resource_id: str) -> dict:
        return self.http.get(f"{FHIR}/{kind}/{resource_id}").json()

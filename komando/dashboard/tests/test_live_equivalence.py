"""Live state is tested by equivalence (STYLE.md example 4): a screen that applies the events it
receives ends up with what a fresh load of the page would show."""

import asyncio
import importlib
import json
import threading

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from komando.asgi import application
from komando.dashboard.selectors import pis_initial_state
from komando.sources import registry
from komando.sources.models import Source
from komando.sources.runner import run_source
from komando.sources.simulation import running_simulator

HEADERS = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
PANEL_OF_SOURCE = {"siak": "population", "atcs": "traffic"}


def _plain(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _fresh_state():
    """The page's initial state, read in a worker thread that closes its connection afterwards."""
    try:
        return pis_initial_state(None)
    finally:
        connection.close()


def _run_connector_in_a_worker(slug: str, url: str) -> None:
    def work():
        try:
            manifest = registry.manifests()[slug]
            module = importlib.import_module(registry.package_name(slug) + ".coordinator")
            coordinator = module.Coordinator(manifest, module.Coordinator.config_class(base_url=url))
            assert run_source(Source.objects.select_related("agency").get(slug=slug), coordinator)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("slug", ["siak", "atcs"])
def test_screen_state_after_events_equals_a_fresh_load(reference_data, slug):
    panel = PANEL_OF_SOURCE[slug]
    app = registry.simulator_builder(slug)(settings.KOMANDO_CITY_DIR)

    async def scenario(url):
        communicator = WebsocketCommunicator(application, "/ws/live/", headers=HEADERS)
        assert (await communicator.connect())[0]
        assert (await communicator.receive_json_from())["type"] == "hello"
        screen = _plain(await asyncio.to_thread(_fresh_state))
        assert screen[panel] is not None
        await asyncio.to_thread(_run_connector_in_a_worker, slug, url)
        received = []
        while not await communicator.receive_nothing(timeout=0.5):
            event = await communicator.receive_json_from()
            received.append(event["type"])
            if event["type"] == f"panel.{panel}":
                screen[panel] = event["data"]
            elif event["type"] == "source.health":
                screen["sources"] = [event["data"] if s["slug"] == event["data"]["slug"] else s for s in screen["sources"]]
        await communicator.disconnect()
        fresh = _plain(await asyncio.to_thread(_fresh_state))
        assert received.count(f"panel.{panel}") == 1 and received.count("source.health") == 1
        assert screen[panel] == fresh[panel]
        ours = next(s for s in screen["sources"] if s["slug"] == slug)
        theirs = next(s for s in fresh["sources"] if s["slug"] == slug)
        # lag grows with the clock; everything else must agree
        assert {k: v for k, v in ours.items() if k != "lag_seconds"} == {k: v for k, v in theirs.items() if k != "lag_seconds"}

    with running_simulator(app) as url:
        asyncio.run(scenario(url))

"""Service tiles on the PIS: who sees which tile, and a tile event equals a fresh load.

Test tile selectors stand in for the domains' own (which other apps provide)."""

import asyncio
import json
from datetime import UTC, datetime

import pytest
from channels.testing import WebsocketCommunicator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.test import Client

from komando.asgi import application
from komando.core import tiles
from komando.core.events import PUBLIC, STAFF
from komando.core.tiles import Figure, Tile
from komando.dashboard.selectors import pis_initial_state
from komando.dashboard.tests.test_pis_page import embedded_state

HEADERS = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
COUNTER = {"permits": 7}
AS_OF = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)


def public_tile():
    return Tile(
        key="alpha",
        source="bmkg",
        title="Alpha",
        figures=[Figure("Permits today", COUNTER["permits"]), Figure("Waiting", "<5", tone="warn")],
        rows=[Figure("Kecamatan Cipondoh", 3)],
        rows_title="Top",
        data_as_of=AS_OF,
        audience=PUBLIC,
        note="one note",
    )


def staff_tile():
    return Tile(key="secret", source="atcs", title="Internal", figures=[Figure("Calls", 12, tone="bad")], audience=STAFF)


def empty_tile():
    return None


def broken_tile():
    raise RuntimeError("the source's tables are not there")


@pytest.fixture
def service_tiles(monkeypatch):
    monkeypatch.setattr(tiles, "_registered", {})
    for key, selector in {"alpha": public_tile, "secret": staff_tile, "empty": empty_tile, "broken": broken_tile}.items():
        tiles.register_tile(key, selector)
    COUNTER["permits"] = 7


@pytest.mark.django_db
def test_public_viewers_get_the_public_tiles_only(service_tiles, reference_data):
    state = embedded_state(Client().get("/"))
    assert [tile["key"] for tile in state["tiles"]] == ["alpha"]
    alpha = state["tiles"][0]
    assert alpha["figures"][1] == {"label": "Waiting", "value": "<5", "unit": "", "tone": "warn"}
    assert alpha["rows_title"] == "Top" and alpha["note"] == "one note" and alpha["data_as_of"]
    assert state["can_view_internal"] is False
    assert state["tile_order"] == ["alpha", "secret", "empty", "broken"]  # where a tile sent live later goes


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["operator", "opd_officer", "executive"])
def test_signed_in_staff_also_get_staff_tiles(service_tiles, personas, persona):
    client = Client()
    client.force_login(personas[persona])
    state = embedded_state(client.get("/"))
    assert [tile["key"] for tile in state["tiles"]] == ["alpha", "secret"]
    assert state["can_view_internal"] is True


@pytest.mark.django_db
def test_a_signed_in_person_without_a_role_gets_public_tiles_only(service_tiles, personas):
    client = Client()
    client.force_login(personas["outsider"])
    assert [tile["key"] for tile in embedded_state(client.get("/"))["tiles"]] == ["alpha"]


@pytest.mark.django_db
def test_the_page_has_a_place_for_tiles_and_their_labels(service_tiles, reference_data):
    html = Client().get("/").content.decode()
    assert 'id="tile-grid"' in html
    # the login card for development progress sits among the tiles for the public
    assert html.index('id="tile-grid"') < html.index('id="panel-development-locked"')
    labels = json.loads(html.split('<script id="pis-labels" type="application/json">')[1].split("</script>")[0])
    assert "staff_only" in labels


def _plain(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _in_thread(function):
    """Run ``function`` in a worker thread that closes its database connection afterwards."""

    def work():
        try:
            return function()
        finally:
            connection.close()

    return asyncio.to_thread(work)


@pytest.mark.django_db(transaction=True)
def test_a_public_screen_applying_tile_events_equals_a_fresh_load(service_tiles, reference_data):
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/live/", headers=HEADERS)
        assert (await communicator.connect())[0]
        assert (await communicator.receive_json_from())["type"] == "hello"
        screen = _plain(await _in_thread(lambda: pis_initial_state(None)))

        def change():
            COUNTER["permits"] = 8
            with transaction.atomic():
                tiles.publish_tile("alpha")
                tiles.publish_tile("secret")  # staff only: a public screen never receives it

        await _in_thread(change)
        received = []
        while not await communicator.receive_nothing(timeout=0.5):
            event = await communicator.receive_json_from()
            received.append(event["type"])
            if event["type"].startswith("tile."):
                key = event["type"].removeprefix("tile.")
                screen["tiles"] = [event["data"] if tile["key"] == key else tile for tile in screen["tiles"]]
        await communicator.disconnect()
        fresh = _plain(await _in_thread(lambda: pis_initial_state(None)))
        assert received == ["tile.alpha"]
        assert screen["tiles"] == fresh["tiles"]
        assert screen["tiles"][0]["figures"][0]["value"] == 8

    asyncio.run(scenario())


@pytest.mark.django_db
def test_the_state_the_script_reads_after_connecting_is_the_embedded_one(service_tiles, personas):
    for persona, tile_keys in [(None, ["alpha"]), ("operator", ["alpha", "secret"])]:
        client = Client()
        if persona:
            client.force_login(personas[persona])
        embedded = embedded_state(client.get("/"))
        response = client.get("/pis/state.json")
        assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
        fresh = response.json()
        assert [tile["key"] for tile in fresh["tiles"]] == tile_keys
        assert {k: v for k, v in fresh.items() if k != "server_time"} == {k: v for k, v in embedded.items() if k != "server_time"}


def test_the_pis_shows_the_domain_tiles_in_its_order_then_the_revenue_tile():
    from komando.dashboard.tiles import TILE_SELECTORS, tile_order
    from komando.imports.selectors import revenue_tile

    assert tile_order() == [*TILE_SELECTORS, "revenue"]
    assert tiles._registered["revenue"] is revenue_tile

"""Live development events: each viewer's WebSocket receives only what that viewer may see."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from komando.core.events import DEVELOPMENT_VIEWERS, PUBLIC, STAFF, group_name
from komando.development.actions import do_sync_development
from komando.development.events import agency_audience
from komando.development.selectors import development_panel
from komando.development.tests.conftest import PROJECTS, record
from komando.realtime.consumers import LiveConsumer

pytestmark = pytest.mark.django_db(transaction=True)

CHANGED = [
    record("DK-1", "dinkes", 3_000_000_000, [(10, 10), (20, 22), (40, 44), (60, None)], kelurahan="36.71.09.1001"),
    PROJECTS[1],
    record("PU-1", "pupr", 10_000_000_000, [(10, 10), (30, 25), (50, 49), (70, None)], kelurahan="36.71.05.1001"),
    PROJECTS[3],
]


async def connect(user):
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from(timeout=2)
    assert hello["type"] == "hello"
    return communicator, hello["data"]["groups"]


async def receive_all(communicator, expected: int) -> list[dict]:
    """``expected`` events, then nothing more (receive_nothing does not cancel the consumer)."""
    received = [await communicator.receive_json_from(timeout=3) for _ in range(expected)]
    assert await communicator.receive_nothing(timeout=0.3)
    return received


def test_each_viewer_receives_only_the_development_data_they_may_see(emonev_source, personas):
    do_sync_development(emonev_source, PROJECTS)
    officer, executive, outsider = personas["opd_officer"], personas["executive"], personas["outsider"]

    async def scenario():
        officer_ws, officer_groups = await connect(officer)
        executive_ws, executive_groups = await connect(executive)
        outsider_ws, outsider_groups = await connect(outsider)
        try:
            assert officer_groups == [
                group_name(PUBLIC),
                group_name(STAFF),
                group_name(agency_audience(officer.profile.agency_id)),
            ]
            assert executive_groups == [group_name(PUBLIC), group_name(STAFF), group_name(DEVELOPMENT_VIEWERS)]
            assert outsider_groups == [group_name(PUBLIC)]
            changed = await database_sync_to_async(do_sync_development)(emonev_source, CHANGED)
            assert changed
            return (await receive_all(officer_ws, 1), await receive_all(executive_ws, 1), await receive_all(outsider_ws, 0))
        finally:
            for communicator in (officer_ws, executive_ws, outsider_ws):
                await communicator.disconnect()

    officer_events, executive_events, outsider_events = async_to_sync(scenario)()

    assert [event["type"] for event in officer_events] == ["panel.development"]
    officer_panel = officer_events[0]["data"]
    assert [row["agency_code"] for row in officer_panel["by_agency"]] == ["dinkes"]
    assert officer_panel == development_panel(officer)  # equals a fresh fetch for that user
    assert officer_panel["by_agency"][0]["realised_physical"] == 40.0  # (3×44 + 1×28) / 4

    assert [event["type"] for event in executive_events] == ["panel.development"]
    executive_panel = executive_events[0]["data"]
    assert {row["agency_code"] for row in executive_panel["by_agency"]} == {"dinkes", "pupr", "dishub"}
    assert executive_panel == development_panel(executive)

    assert outsider_events == []

"""Incident events on the live bus: the command room hears of every incident, an OPD officer only of
their own OPD's incidents and of those being handed to their OPD."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from komando.agencies.models import Agency
from komando.incidents.actions import do_hand_off_incident, do_transition_incident
from komando.realtime.consumers import LiveConsumer

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user):
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=2))["type"] == "hello"
    return communicator


async def tickets_heard(communicator) -> list[str]:
    heard = []
    while not await communicator.receive_nothing(timeout=0.4):
        event = await communicator.receive_json_from(timeout=1)
        if event["type"] == "incidents.changed":
            heard.append((event["data"]["incident"]["ticket"], event["data"]["change"]))
    return heard


def test_an_opd_officer_hears_only_of_their_own_opds_incidents(report, personas):
    officer, operator = personas["opd_officer"], personas["operator"]  # the officer is Dinkes

    async def scenario():
        officer_ws, operator_ws = await connect(officer), await connect(operator)
        try:
            garbage = await database_sync_to_async(report)("SAMPAH")  # DLH
            medical = await database_sync_to_async(report)("MEDIS")  # Dinkes
            first = (await tickets_heard(officer_ws), await tickets_heard(operator_ws))
            await database_sync_to_async(do_transition_incident)(garbage, "diverifikasi", acting_user=operator)
            await database_sync_to_async(do_hand_off_incident)(
                garbage,
                reason="Limbah medis",
                acting_user=operator,
                to_agency=await database_sync_to_async(Agency.objects.get)(code="dinkes"),
            )
            second = (await tickets_heard(officer_ws), await tickets_heard(operator_ws))
            return garbage.ticket, medical.ticket, first, second
        finally:
            await officer_ws.disconnect()
            await operator_ws.disconnect()

    garbage, medical, (officer_first, operator_first), (officer_second, operator_second) = async_to_sync(scenario)()
    assert officer_first == [(medical, "reported")]
    assert sorted(operator_first) == sorted([(garbage, "reported"), (medical, "reported")])
    # The verification of DLH's incident is not theirs; its hand-off to Dinkes is.
    assert [ticket for ticket, _change in officer_second] == [garbage]
    assert len(operator_second) == 2

"""``alerts.changed`` carries the open alerts; over the WebSocket an OPD officer receives only the ones
they may see (their OPD's staff alerts), the command room every one."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from komando.agencies.models import Agency
from komando.alerts.actions import EVENT_TYPE
from komando.alerts.models import Alert, AlertRule
from komando.alerts.selectors import open_alerts
from komando.core.events import STAFF, LiveEvent, publish
from komando.realtime.consumers import LiveConsumer

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user):
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=2))["type"] == "hello"
    return communicator


def make_alerts():
    rule = AlertRule.objects.create(slug="uji-sla", name="SLA", kind="sla_breach", parameters={})
    now = timezone.now()
    for code in ("dinkes", "dlh"):
        Alert.objects.create(
            rule=rule,
            subject_key=f"agency:{code}",
            subject=code,
            severity="warning",
            agency=Agency.objects.get(code=code),
            raised_at=now,
            last_seen_at=now,
        )


def test_an_opd_officer_is_sent_only_their_opds_alerts(personas):
    officer, operator = personas["opd_officer"], personas["operator"]  # the officer is Dinkes
    make_alerts()

    async def scenario():
        officer_ws, operator_ws = await connect(officer), await connect(operator)
        try:
            everything = await database_sync_to_async(open_alerts)()
            publish(LiveEvent(type=EVENT_TYPE, data={"open": everything}, audience=STAFF))
            return (await officer_ws.receive_json_from(timeout=3), await operator_ws.receive_json_from(timeout=3))
        finally:
            await officer_ws.disconnect()
            await operator_ws.disconnect()

    to_officer, to_operator = async_to_sync(scenario)()
    assert to_officer["type"] == to_operator["type"] == "alerts.changed"
    assert sorted(alert["subject"] for alert in to_operator["data"]["open"]) == ["dinkes", "dlh"]
    assert [alert["subject"] for alert in to_officer["data"]["open"]] == ["dinkes"]
